"""The ``aftersales`` command line: a shell around the pure core.

Exit codes: 0 success; 1 the scenario could not be run (an illegal or malformed
event, bad input: the message names the event's position, the state and the
allowed events); 2 usage errors (click's own).
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from ..core._case import Kind
from ..core._errors import AfterSalesError
from ..core._policy import policy_fields
from ..core._rules import RULES
from ..core._workflows import WORKFLOWS
from ..diagrams._diagram import to_dot, to_mermaid
from ..scenarios._scenario import ScenarioError, run_scenario, scenario_schema
from ._board import board_command
from ._casebook import ingest_command, outbox_command, worker_command
from ._render import lint_templates_command, render_command
from ._review import review_command

__all__ = ["main"]


def _read_json(path: Path) -> Any:
    # JSON numbers with a fraction become Decimal, never float: "amount": 59.9 is exact.
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path}: not valid JSON ({exc})") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="aftersales")
def main() -> None:
    """After-sales timers for Taobao/Tmall shops, computed right."""


@main.command()
@click.argument(
    "scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False
)
@click.option("--schema", is_flag=True, help="Print the scenario JSON Schema and exit.")
def timeline(scenario: Path | None, schema: bool) -> None:
    """Run a what-if SCENARIO (JSON) and print where the case ends up.

    A scenario with an "order" and no "case" runs the shipping watch: ship-by,
    lateness, compensation and fake-shipment flags (docs/shipping.md).

    \b
    Example:
      aftersales timeline examples/scenarios/return-seller-silent.json
      aftersales timeline examples/orders/late-before-spring-festival.json
      aftersales timeline --schema
    """
    if schema:
        click.echo(json.dumps(scenario_schema(), indent=2, ensure_ascii=False))
        return
    if scenario is None:
        raise click.UsageError("give a SCENARIO file, or --schema")
    try:
        result = run_scenario(_read_json(scenario), base=scenario.parent)
    except AfterSalesError as exc:
        click.echo(f"error: {scenario}: {exc}", err=True)
        sys.exit(1)
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the registry as JSON.")
def rules(as_json: bool) -> None:
    """Print the rule registry: ID, source and summary, with the policy field holding its number.

    \b
    Example:
      aftersales rules
      aftersales rules --json
    """
    fields: dict[str, list[str]] = {}
    for field in policy_fields():
        fields.setdefault(field.metadata["rule"], []).append(field.name)
    if as_json:
        rows = [
            {
                "id": r.id,
                "source": r.source,
                "summary": r.summary,
                "policy_fields": fields.get(r.id, []),
            }
            for r in RULES.values()
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in RULES.values():
        where = f"  [policy: {', '.join(fields[r.id])}]" if r.id in fields else ""
        click.echo(f"{r.id:<24} {r.source:<14} {r.summary}{where}")


@main.command()
@click.argument(
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("examples/scenarios"),
)
def demo(folder: Path) -> None:
    """Run every scenario in FOLDER (default: examples/scenarios) and show each timeline.

    \b
    Example:
      aftersales demo
    """
    files = sorted(folder.glob("*.json"))
    if not files:
        raise click.UsageError(f"no scenario files in {folder}; run from the project folder")
    failed = 0
    for path in files:
        click.secho(f"== {path.name}", bold=True)
        try:
            result = run_scenario(_read_json(path), base=path.parent)
        except AfterSalesError as exc:
            click.secho(f"   refused: {exc}", fg="yellow")
            failed += 1
            continue
        for t in result["history"]:
            click.echo(
                f"   {t['at']}  {t['from']:<26} -> {t['to']:<26} {t['trigger']:<32} {t['rule']}"
            )
        deadline = result["deadline"]
        if deadline:
            click.echo(
                f"   now {result['status']}: {deadline['waits_for']} must act by {deadline['due']}"
                f" or {deadline['on_expiry']} ({deadline['rule']})"
            )
        else:
            click.echo(f"   final: {result['status']}, refunded {result['refunded']}")
        if result["intervention_available_from"]:
            click.echo(f"   intervention available from {result['intervention_available_from']}")
    ran = len(files) - failed
    click.echo(f"{len(files)} scenarios: {ran} ran to the end, {failed} refused an event")


@main.command()
@click.argument("workflow", type=click.Choice([k.value for k in Kind]))
@click.option(
    "--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True
)
def diagram(workflow: str, fmt: str) -> None:
    """Print WORKFLOW's state diagram, generated from its table, as Mermaid or Graphviz dot.

    \b
    Examples:
      aftersales diagram return_and_refund
      aftersales diagram refund_before_shipment --format dot | dot -Tsvg > refund.svg
    """
    table = WORKFLOWS[Kind(workflow)]
    click.echo(to_mermaid(table) if fmt == "mermaid" else to_dot(table))


main.add_command(review_command)
main.add_command(ingest_command)
main.add_command(worker_command)
main.add_command(outbox_command)
main.add_command(board_command)
main.add_command(render_command)
main.add_command(lint_templates_command)
