"""Diagrams and reference pages (``aftersales.diagrams``), generated from the workflow tables.

The docs are built from the same rows the engine dispatches on, so they cannot drift.
"""

from ._diagram import (
    follow_up_mermaid,
    malicious_mermaid,
    rules_markdown,
    table_page,
    to_dot,
    to_mermaid,
    workflow_markdown,
)

__all__ = [
    "follow_up_mermaid",
    "malicious_mermaid",
    "rules_markdown",
    "table_page",
    "to_dot",
    "to_mermaid",
    "workflow_markdown",
]
