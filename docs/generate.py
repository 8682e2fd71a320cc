"""Regenerate the reference pages from the workflow tables: ``python docs/generate.py``."""

from __future__ import annotations

from pathlib import Path

from aftersales import Kind
from aftersales.diagrams._diagram import (
    follow_up_mermaid,
    malicious_mermaid,
    rules_markdown,
    table_page,
    workflow_markdown,
)

DOCS = Path(__file__).resolve().parent


def pages() -> dict[Path, str]:
    result = {DOCS / "rules.md": rules_markdown()}
    for kind in Kind:
        result[DOCS / "workflows" / f"{kind.value}.md"] = workflow_markdown(kind)
    result[DOCS / "workflows" / "malicious_order.md"] = table_page(
        "Malicious-order handling",
        "The handling table of `aftersales.orders` (MAL-*): events move a case between "
        "states; timers are the platform's. See [malicious orders](../malicious.md).",
        malicious_mermaid(),
    )
    result[DOCS / "workflows" / "review_follow_up.md"] = table_page(
        "Negative-review follow-up",
        "The follow-up table of `aftersales.reviews` (REV-*): each row is a trigger, the "
        "guard that must hold and the rule it follows. See [review follow-up](../reviews.md).",
        follow_up_mermaid(),
    )
    return result


if __name__ == "__main__":
    for path, text in pages().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(DOCS.parent)}")
