"""The command line: every command answers --help, and the diagram command."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from aftersales import Kind
from aftersales.cli import main
from aftersales.core import WORKFLOWS

COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


@pytest.mark.parametrize("kind", list(Kind))
def test_diagrams_show_every_state_of_the_table(kind: Kind) -> None:
    mermaid = CliRunner().invoke(main, ["diagram", kind.value])
    dot = CliRunner().invoke(main, ["diagram", kind.value, "--format", "dot"])
    assert mermaid.exit_code == dot.exit_code == 0
    assert mermaid.output.startswith("stateDiagram-v2")
    assert dot.output.startswith(f'digraph "{kind.value}"')
    for row in WORKFLOWS[kind].rows:
        assert f"{row.source.value} --> {row.target.value}" in mermaid.output
        assert f'"{row.source.value}" -> "{row.target.value}"' in dot.output


def test_an_unknown_workflow_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["diagram", "refund_everything"])
    assert result.exit_code == 2
    assert "return_and_refund" in result.output  # the allowed names are listed
