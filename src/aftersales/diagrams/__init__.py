"""Diagrams and reference pages (``aftersales.diagrams``), generated from the workflow tables.

The docs are built from the same rows the engine dispatches on, so they cannot drift;
the diagrams are Graphviz dot, drawn to SVG when the docs are built (no script, no network).
"""

from ._diagram import (
    follow_up_dot,
    graphviz_block,
    malicious_dot,
    rules_markdown,
    table_page,
    to_dot,
    to_mermaid,
    workflow_markdown,
)

__all__ = [
    "follow_up_dot",
    "graphviz_block",
    "malicious_dot",
    "rules_markdown",
    "table_page",
    "to_dot",
    "to_mermaid",
    "workflow_markdown",
]
