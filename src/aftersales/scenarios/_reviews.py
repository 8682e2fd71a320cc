"""Review files: a review's platform record, its follow-up events and its policy, run as a what-if.

``aftersales review FILE.json`` and the shop-folder loader read them. FILE holds the
platform's rate-record fields (``tid``, ``oid``, ``nick``, ``result``, ``created``,
``item_title``, ``item_price``, ``content``, ``reply``) and optionally ``events``
(the follow-up so far), ``policy`` (a preset name or an object, as in scenario
files) and ``keywords`` (a shop's own cause words, ``{"product": ["开胶"]}``, see
``CauseRules.extended``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pendulum

from ..core._errors import AfterSalesError, InvalidInput
from ..core._policy import Policy
from ..reviews._classify import DEFAULT_CAUSE_RULES, TIE_ORDER, CauseRules
from ..reviews._followup import (
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

__all__ = ["describe_follow_up", "follow_up_from_document", "review_report"]

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
            # the labelled reviews' reading when they decided (None: the words did)
            "labelled_reviews": {
                "probability": found.probability,
                "evidence": list(found.evidence),
                "overruled": None if found.overruled is None else found.overruled.value,
            }
            if found.probability is not None
            else None,
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
