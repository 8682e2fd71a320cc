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
import pendulum

from ._cli_options import locale_option, shop_option
from ._errors import AfterSalesError, InvalidInput
from ._policy import Policy
from ._review_classify import DEFAULT_CAUSE_RULES, TIE_ORDER, CauseRules
from ._review_followup import (
    FollowUp,
    Plan,
    advance_follow_up,
    follow_up_event_from_dict,
    follow_up_plan,
    open_follow_up,
    review_from_dict,
    step_follow_up,
)
from ._scenario import load_policy
from ._serialize import parse_instant
from .messages import EXAMPLE_SHOP, ShopInfo, environment, read_shop

__all__ = [
    "describe_follow_up",
    "follow_up_from_document",
    "render_text",
    "review_command",
    "review_report",
]

_RULE_OF_DEADLINE = {
    "contact_by": "REV-FAST",
    "revise_by": "REV-WINDOWS",
    "explain_by": "REV-WINDOWS",
}


def _rules(value: object) -> CauseRules:
    if value is None:
        return DEFAULT_CAUSE_RULES
    if not isinstance(value, Mapping):
        raise InvalidInput(
            'keywords is an object of lists, like {"product": ["开胶"], "buyer": ["手滑"]}'
        )
    try:
        return DEFAULT_CAUSE_RULES.extended(**{str(k): v for k, v in value.items()})
    except InvalidInput as exc:
        raise InvalidInput(f"keywords: {exc}") from None


def review_report(
    document: object, *, at: pendulum.DateTime | None = None, base: Path | None = None
) -> dict[str, Any]:
    """The review file's follow-up as plain JSON data; pure but for the policy's calendar file."""
    case, policy = follow_up_from_document(document, base=base)
    now = case.changed_at if at is None else at
    if now < case.changed_at:
        raise InvalidInput(
            f"--at {now.isoformat()} is before the last change ({case.changed_at.isoformat()})"
        )
    case = advance_follow_up(case, now, policy)
    return describe_follow_up(case, follow_up_plan(case, policy), policy, now)


def follow_up_from_document(
    document: object, *, base: Path | None = None
) -> tuple[FollowUp, Policy]:
    """A review file's follow-up after its events, and the policy it runs under."""
    if not isinstance(document, Mapping):
        raise InvalidInput(f"a review file is a JSON object, got {type(document).__name__}")
    policy = load_policy(document.get("policy"), base=base)
    rules = _rules(document.get("keywords"))
    review = review_from_dict(document)
    case = open_follow_up(review, policy, rules=rules)
    events = document.get("events", [])
    if not isinstance(events, list):
        raise InvalidInput("events is a list of event objects")
    for position, raw in enumerate(events):
        label = f"events[{position}]"
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
            label += f" ({raw['id']})"
        try:
            case = step_follow_up(case, follow_up_event_from_dict(raw), policy)
        except AfterSalesError as exc:
            raise InvalidInput(f"{label}: {exc}") from None
    return case, policy


def _iso(value: pendulum.DateTime | None, policy: Policy) -> str | None:
    return None if value is None else value.in_timezone(policy.tz).isoformat()


def describe_follow_up(
    case: FollowUp, plan: Plan, policy: Policy, now: pendulum.DateTime
) -> dict[str, Any]:
    """A follow-up and its plan as JSON data, instants in the policy's zone."""
    review, found = case.review, case.classification
    return {
        "at": _iso(now, policy),
        "review": {
            "tid": review.tid,
            "oid": review.oid,
            "nick": review.nick,
            "result": review.result.value,
            "created": _iso(review.created, policy),
            "item_title": review.item_title,
            "item_price": str(review.item_price),
            "content": review.content,
            "reply": review.reply,
        },
        "classification": {
            "cause": found.cause.value,
            "rule": "REV-TYPES",
            "scores": {c.value: found.scores[c] for c in TIE_ORDER if c in found.scores},
            "keywords": {
                c.value: list(found.keywords[c]) for c in TIE_ORDER if c in found.keywords
            },
            "ignored": list(found.ignored),
            "tie": found.tie,
            "why": found.why,
        },
        "follow_up": {
            "state": case.state.value,
            "outcome": None if case.outcome is None else case.outcome.value,
            "contacted_at": _iso(case.contacted_at, policy),
            "contact_attempts": case.contact_attempts,
            "contact_overdue": case.contact_overdue,
            "compensation": str(case.compensation),
            "offers": [
                {
                    "at": _iso(o.at, policy),
                    "step": o.step.value,
                    "amount": str(o.amount),
                    "note": o.note,
                    "unconditional": o.unconditional,
                    "rule": o.rule,
                }
                for o in case.offers
            ],
            "solved_at": _iso(case.solved_at, policy),
            "explanation": case.explanation,
            "explained_at": _iso(case.explained_at, policy),
            "closed_at": _iso(case.closed_at, policy),
        },
        "deadlines": {
            name: {"due": _iso(due, policy), "rule": _RULE_OF_DEADLINE[name], "passed": due <= now}
            for name, due in case.deadlines.items()
        },
        "history": [
            {
                "at": _iso(t.at, policy),
                "from": t.source.value,
                "to": t.target.value,
                "trigger": t.trigger,
                "rule": t.rule,
                "event_id": t.event_id,
            }
            for t in case.history
        ],
        "plan": [
            {
                "step": s.key,
                "template": s.template,
                "rule": s.rule,
                "when": s.when,
                "deadline": _iso(s.deadline, policy),
                "deadline_rule": s.deadline_rule,
                "context": dict(s.context),
            }
            for s in plan.steps
        ],
    }


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
