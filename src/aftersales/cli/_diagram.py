"""``aftersales diagram``: a workflow's state diagram, generated from its table."""

from __future__ import annotations

import click

from ..core._case import Kind
from ..core._workflows import WORKFLOWS
from ..diagrams._diagram import to_dot, to_mermaid
from ._exit import exits_by_kind

__all__ = ["diagram"]


@click.command()
@click.argument("workflow", type=click.Choice([k.value for k in Kind]))
@click.option(
    "--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True
)
@exits_by_kind
def diagram(workflow: str, fmt: str) -> None:
    """Print WORKFLOW's state diagram, generated from its table, as Mermaid or Graphviz dot.

    \b
    Examples:
      aftersales diagram return_and_refund
      aftersales diagram refund_before_shipment --format dot | dot -Tsvg > refund.svg
    """
    table = WORKFLOWS[Kind(workflow)]
    click.echo(to_mermaid(table) if fmt == "mermaid" else to_dot(table))
