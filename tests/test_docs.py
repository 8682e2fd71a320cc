"""The checked-in reference pages match what the tables generate."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from aftersales.core import WORKFLOWS
from aftersales.diagrams._diagram import to_dot, to_mermaid

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", DOCS / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_pages_are_up_to_date() -> None:
    for path, text in _generator().pages().items():
        assert path.exists(), f"{path.name} missing: run python docs/generate.py"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is stale: run python docs/generate.py"
        )


def test_diagrams_show_every_row_and_timer() -> None:
    for workflow in WORKFLOWS.values():
        mermaid, dot = to_mermaid(workflow), to_dot(workflow)
        for row in workflow.rows:
            assert f"{row.source.value} --> {row.target.value}: {row.event}" in mermaid
            assert f'"{row.source.value}" -> "{row.target.value}"' in dot
        for timer in workflow.timers.values():
            assert f"timeout:{timer.name} [{timer.rule}]" in mermaid


def test_the_scenario_page_shows_real_output() -> None:
    import json

    from aftersales.scenarios import run_scenario

    page = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    block = page.split("## Output\n\n```json\n", 1)[1].split("```", 1)[0]
    example = DOCS.parent / "examples" / "scenarios" / "return-seller-silent.json"
    assert json.loads(block) == run_scenario(json.loads(example.read_text(encoding="utf-8")))
