"""``aftersales timeline`` and ``aftersales demo``: what-if scenarios, run by the engine.

Exit codes (``_exit``): 0 success; 1 the scenario could not be run (an illegal or
malformed event, bad input: the message names the event's position, the state and
the allowed events); 2 usage errors (click's own); 3 a runtime failure (a file that
cannot be read).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from ..core._errors import AfterSalesError
from ..scenarios._scenario import run_scenario, scenario_schema
from ._exit import exits_by_kind, naming
from ._options import INPUT_FILE, echo_json, read_json_input

__all__ = ["demo", "timeline", "timeline_text"]


def _history_lines(result: Mapping[str, Any]) -> list[str]:
    """A case scenario's end: each transition (engine states, the trigger and its rule), then
    its running deadline or its final state.

    The engine's state and the platform's status are labelled apart: during intervention
    the engine is in INTERVENTION_REVIEW while the platform still shows the refund as
    SELLER_REFUSE_BUYER, and unlabelled the two read as a contradiction.
    """
    lines = [
        f"{t['at']}  {t['from']:<26} -> {t['to']:<26} {t['trigger']:<32} {t['rule']}"
        for t in result["history"]
    ]
    where = f"engine state {result['state']} (platform status {result['status']})"
    deadline = result["deadline"]
    if deadline:
        mark = " (provisional)" if deadline.get("provisional") else ""
        lines.append(
            f"now: {where}; {deadline['waits_for']} must act by {deadline['due']}{mark}"
            f" or {deadline['on_expiry']} ({deadline['rule']})"
        )
    else:
        lines.append(f"final: {where}, refunded {result['refunded']}")
    if result["intervention_available_from"]:
        lines.append(f"intervention available from {result['intervention_available_from']}")
    return lines


#: The columns of a transition line (:func:`_history_lines`).
_HISTORY_HEAD = f"{'at':<25}  {'from (engine state)':<26}    {'to':<26} {'trigger':<32} rule"


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
        head = f"case {result['case_id']} ({result['kind']})\n  {_HISTORY_HEAD}"
        body = _history_lines(result)
    return "\n".join([head, *(f"  {line}" for line in body)])


@click.command()
@click.argument("scenario", type=INPUT_FILE, required=False)
@click.option("--schema", is_flag=True, help="Print the scenario JSON Schema and exit.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    help="text: each transition with its rule, then the deadline, for a person; json: the "
    "case (or order) at its end, as data. Default: text on a terminal, json when piped.",
)
@exits_by_kind
def timeline(scenario: Path | None, schema: bool, fmt: str | None) -> None:
    """Run a what-if SCENARIO (JSON; - reads standard input) and print where the case ends up.

    A scenario with an "order" and no "case" runs the shipping watch: ship-by,
    lateness, compensation and fake-shipment flags (docs/shipping.md). A
    calendar file named in the scenario is found next to it (from standard
    input: in the current folder).

    On a terminal it prints each transition with its trigger and rule, then the
    deadline running at the end; piped, or with --format json, the same as data.

    \b
    Example:
      aftersales timeline examples/scenarios/return-seller-silent.json
      aftersales timeline - < examples/scenarios/return-seller-silent.json
      aftersales timeline examples/orders/late-before-spring-festival.json --format json
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
    if fmt is None:  # a person at a terminal reads text; a pipe or a script gets the data
        fmt = "text" if sys.stdout.isatty() else "json"
    if fmt == "text":
        click.echo(timeline_text(result))
    else:
        echo_json(result)


@click.command()
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
    click.echo(f"   {_HISTORY_HEAD}")
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
