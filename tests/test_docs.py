"""The checked-in reference pages match what the tables generate."""

from __future__ import annotations

import importlib.util
import re
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


_EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)" \[label="([^"]*)"', re.M)
_NODE = re.compile(r'^\s*"([^"]+)" \[label=<(.*)>\];$', re.M)
_NOTE = re.compile(r'^\s*"(from:\d+)" \[shape=note.*label="from any of\\l(.*)\\l"\];$', re.M)


def _drawn(dot: str) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """The dot's arrows (source, target state) -> label, and each state's box text.

    An arrow from a note stands for one from each state the note names; a final
    state is drawn once per source ("CLOSED:<source>").
    """
    notes = {group: named.split("\\l") for group, named in _NOTE.findall(dot)}
    edges: dict[tuple[str, str], str] = {}
    for start, target, label in _EDGE.findall(dot):
        for source in notes.get(start, [start]):
            key = (source, target.split(":")[0])
            edges[key] = edges.get(key, "") + label.replace("\\n", " ") + " "
    return edges, dict(_NODE.findall(dot))


def test_diagrams_show_every_row_and_timer() -> None:
    for workflow in WORKFLOWS.values():
        mermaid, dot = to_mermaid(workflow), to_dot(workflow)
        edges, boxes = _drawn(dot)
        for row in workflow.rows:
            assert f"{row.source.value} --> {row.target.value}: {row.event}" in mermaid
            source, target = row.source.value, row.target.value
            if source == target:  # an event that keeps the state is listed in its box
                assert f"&#8635; {row.event}" in boxes[source]
            else:
                assert f"{row.event} " in edges[(source, target)]
                assert f"[{row.rule}]" in edges[(source, target)]
        for state, timer in workflow.timers.items():
            assert f"timeout:{timer.name} [{timer.rule}]" in mermaid
            label = edges[(state.value, timer.target.value)]
            assert f"timeout:{timer.name} [{timer.rule}]" in label


def test_the_docs_draw_diagrams_at_build_time_not_in_the_browser() -> None:
    pages = [*DOCS.glob("*.md"), *DOCS.glob("workflows/*.md")]
    fences = [line for page in pages for line in page.read_text("utf-8").splitlines()]
    assert not [line for line in fences if line.startswith("```mermaid")]
    for page in DOCS.glob("workflows/*.md"):
        assert "```{graphviz}" in page.read_text(encoding="utf-8"), page.name


def test_the_scenario_page_shows_real_output() -> None:
    import json

    from aftersales.scenarios import run_scenario

    page = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    block = page.split("## Output\n\n```json\n", 1)[1].split("```", 1)[0]
    example = DOCS.parent / "examples" / "scenarios" / "return-seller-silent.json"
    assert json.loads(block) == run_scenario(json.loads(example.read_text(encoding="utf-8")))
