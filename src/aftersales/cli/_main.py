"""The ``aftersales`` command line: a shell around the pure core.

The group and the commands that need no store: ``timeline``, ``rules``, ``demo``
and ``diagram``. Exit codes, as for every command (``_exit``): 0 success; 1 the
scenario could not be run (an illegal or malformed event, bad input: the
message names the event's position, the state and the allowed events); 2 usage
errors (click's own); 3 a runtime failure (a file that cannot be read).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from ..core._case import Kind
from ..core._errors import AfterSalesError
from ..core._policy import policy_fields
from ..core._rules import RULES
from ..core._workflows import WORKFLOWS
from ..diagrams._diagram import to_dot, to_mermaid
from ..scenarios._scenario import run_scenario, scenario_schema
from ._board import board_command
from ._calendar import calendar_group
from ._casebook import ingest_command, outbox_command, worker_command
from ._exit import exits_by_kind, naming
from ._options import (
    INPUT_FILE,
    chosen_format,
    echo_json,
    format_option,
    json_alias_option,
    read_json_input,
)
from ._render import lint_templates_command, render_command
from ._review import review_command

__all__ = ["main", "timeline_text"]


def _history_lines(result: Mapping[str, Any]) -> list[str]:
    """A case scenario's end: each transition, then its deadline or its final state."""
    lines = [
        f"{t['at']}  {t['from']:<26} -> {t['to']:<26} {t['trigger']:<32} {t['rule']}"
        for t in result["history"]
    ]
    deadline = result["deadline"]
    if deadline:
        lines.append(
            f"now {result['status']}: {deadline['waits_for']} must act by {deadline['due']}"
            f" or {deadline['on_expiry']} ({deadline['rule']})"
        )
    else:
        lines.append(f"final: {result['status']}, refunded {result['refunded']}")
    if result["intervention_available_from"]:
        lines.append(f"intervention available from {result['intervention_available_from']}")
    return lines


def _order_lines(result: Mapping[str, Any]) -> list[str]:
    """An order scenario's end: ship-by, lateness, compensation and fake-shipment flags."""
    late = f"late: {', '.join(result['late_oids']) or 'yes'}" if result["late"] else "on time"
    lines = [
        f"state {result['state']} ({result['trade_status']}) at {result['at']}",
        f"ship by {result['ship_by']} ({result['ship_by_rule']}, {result['ship_by_basis']}): "
        + late,
    ]
    if result["compensation_rule"]:
        lines.append(f"compensation {result['compensation']} ({result['compensation_rule']})")
    lines.extend(
        f"fake shipment: {flag['kind']} ({flag['rule']}): {flag['explanation']}"
        for flag in result["fake_shipment"]
    )
    if result["signed_at"]:
        lines.append(f"signed {result['signed_at']}")
    return lines


def timeline_text(result: Mapping[str, Any]) -> str:
    """``aftersales timeline --format text``: a scenario's end for a person."""
    if result.get("kind") == "order":
        head, body = f"order {result['order_id']}", _order_lines(result)
    else:
        head, body = f"case {result['case_id']} ({result['kind']})", _history_lines(result)
    return "\n".join([head, *(f"  {line}" for line in body)])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="aftersales")
def main() -> None:
    """After-sales timers for Taobao/Tmall shops, computed right.

    Exit codes, the same for every command: 0 done; 1 input refused or some
    records rejected; 2 usage; 3 a runtime failure (an unreachable database, a
    file that cannot be written). --casebook defaults from AFTERSALES_CASEBOOK;
    a one-file input may be - (standard input).
    """


@main.command()
@click.argument("scenario", type=INPUT_FILE, required=False)
@click.option("--schema", is_flag=True, help="Print the scenario JSON Schema and exit.")
@format_option(
    "json",
    "text",
    default="json",
    help="json: the case (or order) at its end, as data; text: its history and deadline.",
)
@exits_by_kind
def timeline(scenario: Path | None, schema: bool, fmt: str) -> None:
    """Run a what-if SCENARIO (JSON; - reads standard input) and print where the case ends up.

    A scenario with an "order" and no "case" runs the shipping watch: ship-by,
    lateness, compensation and fake-shipment flags (docs/shipping.md). A
    calendar file named in the scenario is found next to it (from standard
    input: in the current folder).

    \b
    Example:
      aftersales timeline examples/scenarios/return-seller-silent.json
      aftersales timeline - < examples/scenarios/return-seller-silent.json
      aftersales timeline examples/orders/late-before-spring-festival.json --format text
      aftersales timeline --schema
    """
    if schema:
        echo_json(scenario_schema())
        return
    if scenario is None:
        raise click.UsageError("give a SCENARIO file (- for standard input), or --schema")
    document, source = read_json_input(scenario)
    with naming(source.name):
        result = run_scenario(document, base=source.base)
    if fmt == "text":
        click.echo(timeline_text(result))
    else:
        echo_json(result)


@main.command()
@format_option("text", "json", help="text: a line per rule; json: the registry as data.")
@json_alias_option
@exits_by_kind
def rules(fmt: str, as_json: bool) -> None:
    """Print the rule registry: ID, source and summary, with the policy field holding its number.

    \b
    Example:
      aftersales rules
      aftersales rules --format json
    """
    fields: dict[str, list[str]] = {}
    for field in policy_fields():
        fields.setdefault(field.metadata["rule"], []).append(field.name)
    if chosen_format(fmt, as_json) == "json":
        echo_json(
            [
                {
                    "id": r.id,
                    "source": r.source,
                    "summary": r.summary,
                    "policy_fields": fields.get(r.id, []),
                }
                for r in RULES.values()
            ]
        )
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
@exits_by_kind
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
            document, source = read_json_input(path)
            result = run_scenario(document, base=source.base)
        except AfterSalesError as exc:
            click.secho(f"   refused: {exc}", fg="yellow")
            failed += 1
            continue
        for line in _history_lines(result):
            click.echo(f"   {line}")
    ran = len(files) - failed
    click.echo(f"{len(files)} scenarios: {ran} ran to the end, {failed} refused an event")


@main.command()
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


main.add_command(review_command)
main.add_command(ingest_command)
main.add_command(worker_command)
main.add_command(outbox_command)
main.add_command(board_command)
main.add_command(calendar_group)
main.add_command(render_command)
main.add_command(lint_templates_command)
