"""``aftersales review FILE.json``: one review's cause, follow-up state, deadlines and plan.

FILE holds the platform's rate-record fields (``tid``, ``oid``, ``nick``,
``result``, ``created``, ``item_title``, ``item_price``, ``content``,
``reply``) and optionally ``events`` (the follow-up so far), ``policy`` (a
preset name or an object, as in scenario files) and ``keywords`` (a shop's own
cause words, ``{"product": ["开胶"]}``, see ``CauseRules.extended``).

FILE may be ``-``: standard input (a calendar file it names is then found in
the current folder). The command never reads the clock: without ``--at`` it
reports as of the last event (or the review's own time). Exit codes: 0
success; 1 the file or one of its events was refused (the message names the
event's position); 2 usage; 3 a file that cannot be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
import pendulum

from ..core._errors import AfterSalesError
from ..messages import EXAMPLE_SHOP, ShopInfo, environment, read_shop
from ..scenarios._reviews import review_report
from ._exit import exits_by_kind, naming
from ._options import (
    INPUT_FILE,
    at_option,
    chosen_format,
    echo_json,
    format_option,
    json_alias_option,
    locale_option,
    read_json_input,
    shop_option,
)

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


@click.command("review")
@click.argument("file", type=INPUT_FILE)
@at_option("the last event")
@format_option("text", "json", help="text: for a person at a terminal; json: the report as data.")
@json_alias_option
@shop_option("without it, the scripts are signed by a sample shop.")
@locale_option
@exits_by_kind
def review_command(
    file: Path,
    at: pendulum.DateTime | None,
    fmt: str,
    as_json: bool,
    shop_file: Path | None,
    locale: str,
) -> None:
    """Classify a medium/negative review and show its follow-up state, deadlines, plan and scripts.

    FILE is the review's JSON; - reads it from standard input.

    \b
    Example:
      aftersales review examples/reviews/bad-cracked-mug.json
      aftersales review - --format json < examples/reviews/bad-cracked-mug.json
      aftersales review examples/reviews/bad-cracked-mug.json --at 2026-03-03T10:00:00+08:00
    """
    document, source = read_json_input(file)
    with naming(source.name):
        report = review_report(document, at=at, base=source.base)
        shop = EXAMPLE_SHOP if shop_file is None else read_shop(shop_file)
        report = add_scripts(report, shop=shop, locale=locale)
    if chosen_format(fmt, as_json) == "json":
        echo_json(report)
    else:
        click.echo(render_text(report))
