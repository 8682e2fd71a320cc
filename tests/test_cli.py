"""The command line: every command answers --help, and the diagram command."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from aftersales import Kind
from aftersales.cli import main
from aftersales.cli._main import COMMANDS as COMMANDS_TABLE
from aftersales.core import WORKFLOWS

COMMANDS = sorted(main.list_commands(click.Context(main)))


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
        assert f'"{row.source.value}"' in dot.output  # every arrow's own: tests/test_docs.py
        assert f'label="{row.target.value}"' in dot.output or f'"{row.target.value}"' in dot.output


def test_an_unknown_workflow_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["diagram", "refund_everything"])
    assert result.exit_code == 2
    assert "return_and_refund" in result.output  # the allowed names are listed


@pytest.mark.parametrize("name", sorted(COMMANDS_TABLE))
def test_the_command_table_says_what_each_command_does(name: str) -> None:
    """``--help`` lists the stored line without importing the command: it must be the
    command's own short help, at every width click may shorten it to."""
    entry = COMMANDS_TABLE[name]
    command = main.get_command(click.Context(main), name)
    assert command is not None
    assert command.name == name
    assert entry.short_help == command.get_short_help_str(limit=10_000)
    stand_in = click.Command(name, help=entry.short_help)
    for limit in range(20, 120):
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit)


def test_the_help_lists_every_command_as_click_would() -> None:
    ctx = click.Context(main)
    commands = [main.get_command(ctx, name) for name in COMMANDS]
    eager = click.Group(
        "aftersales",
        commands=[c for c in commands if c is not None],
        context_settings=main.context_settings,
        help=main.help,
        params=main.params,
    )
    listed = CliRunner().invoke(main, ["--help"], prog_name="aftersales")
    assert listed.exit_code == 0
    assert listed.output == CliRunner().invoke(eager, ["--help"], prog_name="aftersales").output
