"""``aftersales review FILE.json``: one review's cause, follow-up state, deadlines and plan.

FILE holds the platform's rate-record fields (``tid``, ``oid``, ``nick``,
``result``, ``created``, ``item_title``, ``item_price``, ``content``,
``reply``) and optionally ``events`` (the follow-up so far), ``policy`` (a
preset name or an object, as in scenario files) and ``keywords`` (a shop's own
cause words, ``{"product": ["开胶"]}``, see ``CauseRules.extended``).

The command never reads the clock: without ``--at`` it reports as of the last
event (or the review's own time). Exit codes: 0 success; 1 the file or one of
its events was refused (the message names the event's position); 2 usage.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from ..core._errors import AfterSalesError, InvalidInput
from ..core._serialize import parse_instant
from ..messages import EXAMPLE_SHOP, ShopInfo, environment, read_shop
from ..scenarios._reviews import review_report
from ._options import locale_option, shop_option

__all__ = ["add_scripts", "render_text", "review_command"]


def render_text(report: Mapping[str, Any]) -> str:
    """The report for a person at a terminal."""
    review, found, state = report["review"], report["classification"], report["follow_up"]
    head = (
        f"review of sub-order {review['oid']} (trade {review['tid']}) by {review['nick']}: "
        f"{review['result']}, {review['created']}"
    )
    lines = [
        head,
        f"  {review['item_title']}  {review['item_price']} yuan",
        f"  \u201c{review['content']}\u201d",
        f"cause: {found['cause']} [REV-TYPES]  {found['why']}",
        f"state: {state['state']}"
        + (f", outcome {state['outcome']}" if state["outcome"] else "")
        + f"; compensation {state['compensation']} yuan (unconditional, REV-NO-INDUCE)",
    ]
    lines += [
        f"  offered {o['step']} {o['amount']} at {o['at']}"
        + (f": {o['note']}" if o["note"] else "")
        for o in state["offers"]
    ]
    lines.append(f"deadlines as of {report['at']}:")
    for name, d in report["deadlines"].items():
        passed = "  passed" if d["passed"] else ""
        if name == "contact_by" and state["contact_overdue"]:
            passed = "  OVERDUE: the buyer was not contacted in time"
        elif name == "contact_by" and state["contacted_at"]:
            passed = f"  met: contacted {state['contacted_at']}"
        lines.append(f"  {name:<11} {d['due']}  {d['rule']}{passed}")
    if not report["plan"]:
        lines.append("plan: nothing left to do (closed)")
    else:
        lines.append("plan:")
    for number, step in enumerate(report["plan"], start=1):
        by = f", by {step['deadline']}" if step["deadline"] else ""
        lines.append(f"  {number}. {step['step']}  [{step['template']}]  {step['rule']}{by}")
        lines.append(f"     {step['when']}")
        if "amount" in step["context"]:
            lines.append(f"     amount: {step['context']['amount']} yuan")
        if step.get("script"):
            lines.append("     script:")
            lines.extend(f"       {line}" for line in step["script"].splitlines())
    return "\n".join(lines)


def add_scripts(report: dict[str, Any], *, shop: ShopInfo, locale: str) -> dict[str, Any]:
    """Each plan step with its message rendered in the shop's words (``script``)."""
    env = environment(locale=locale)
    plan = []
    for step in report["plan"]:
        try:
            script = env.render(step["template"], {**step["context"], "shop": shop})
        except AfterSalesError as exc:  # a shop template's mistake: say so, keep the plan
            script = f"(not rendered: {exc})"
        plan.append({**step, "script": script})
    return {**report, "plan": plan}


def _read(path: Path) -> Any:
    # JSON numbers with a fraction become Decimal, never float
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON ({exc})") from None


@click.command("review")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--at",
    "at_text",
    metavar="ISO",
    help="Report as of this instant, e.g. 2026-03-03T10:00:00+08:00 (default: the last event).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@shop_option("without it, the scripts are signed by a sample shop.")
@locale_option
def review_command(
    file: Path, at_text: str | None, as_json: bool, shop_file: Path | None, locale: str
) -> None:
    """Classify a medium/negative review and show its follow-up state, deadlines, plan and scripts.

    \b
    Example:
      aftersales review examples/reviews/bad-cracked-mug.json
      aftersales review examples/reviews/bad-cracked-mug.json --at 2026-03-03T10:00:00+08:00 --json
    """
    try:
        at = None if at_text is None else parse_instant(at_text)
    except InvalidInput as exc:
        raise click.BadParameter(str(exc), param_hint="--at") from None
    try:
        report = review_report(_read(file), at=at, base=file.parent)
        shop = EXAMPLE_SHOP if shop_file is None else read_shop(shop_file)
        report = add_scripts(report, shop=shop, locale=locale)
    except AfterSalesError as exc:
        click.echo(f"error: {file}: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report))
