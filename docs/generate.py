"""Regenerate the reference pages from the workflow tables: ``python docs/generate.py``."""

from __future__ import annotations

from pathlib import Path

from aftersales import Kind
from aftersales._diagram import rules_markdown, workflow_markdown

DOCS = Path(__file__).resolve().parent


def pages() -> dict[Path, str]:
    result = {DOCS / "rules.md": rules_markdown()}
    for kind in Kind:
        result[DOCS / "workflows" / f"{kind.value}.md"] = workflow_markdown(kind)
    return result


if __name__ == "__main__":
    for path, text in pages().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(DOCS.parent)}")
