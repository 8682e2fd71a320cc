"""The follow-up of a medium or negative review, as a small table-driven machine.

A review opens a follow-up (REV-FAST); staff contact the buyer (REV-CONTACT),
listen (REV-LISTEN), offer a solution up the service-recovery ladder
(REV-OFFER), ask the buyer to update the review once the problem is solved, and
post a public explanation when the buyer will not (REV-WINDOWS). Compensation
answers the buyer's problem and is never tied to the review (REV-NO-INDUCE):
an offer made in exchange for a review change is refused, and every offer is
recorded as unconditional.

As in ``core/_workflows.py``, everything that decides a transition is data:
:data:`FOLLOW_UP_ROWS` maps ``(state, trigger)`` to rows with a guard, a target,
an action and the rule; a timer is a row whose trigger is ``timeout:<deadline>``.
The three deadlines all run from the review's ``created`` instant.

Pure: no clock, no I/O, no logging. Time comes in on events and as
``advance_follow_up``'s ``now``. Shared semantics with the refund engine:
before an event applies, deadlines due by its time fire first (a deadline due
exactly at the event's instant has run out); a seen event ID is a no-op; an
event older than the last change is refused; an event the state does not
accept raises :class:`~aftersales.IllegalEvent` naming the allowed events.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar

import attrs
import pendulum

from ..core._duration import deadline_after
from ..core._errors import AfterSalesError, IllegalEvent, InvalidInput, OutOfOrderEvent
from ..core._instant import instant
from ..core._money import Money, to_money
from ..core._policy import Policy
from ..core._serialize import parse_instant
from ._classify import Cause, CauseRules, Classification, classify_review

__all__ = [
    "FOLLOW_UP_EVENT_TYPES",
    "FOLLOW_UP_ROWS",
    "TEMPLATES",
    "BuyerReplied",
    "Contacted",
    "ExplanationPosted",
    "FollowUp",
    "FollowUpEvent",
    "FollowUpNotNeeded",
    "FollowUpRow",
    "FollowUpState",
    "FollowUpTransition",
    "InducementRefused",
    "LadderViolation",
    "Offer",
    "OfferRefused",
    "OfferStep",
    "Outcome",
    "OutcomeRecorded",
    "Plan",
    "PlanStep",
    "ProblemSolved",
    "Rating",
    "Reply",
    "Review",
    "SolutionOffered",
    "advance_follow_up",
    "follow_up_event_from_dict",
    "follow_up_plan",
    "offer_ladder",
    "open_follow_up",
    "replay_follow_up",
    "review_from_dict",
    "step_follow_up",
]


# -- errors ------------------------------------------------------------------------------


class FollowUpNotNeeded(InvalidInput):
    """Only a medium or negative review by the buyer opens a follow-up (REV-FAST)."""

    rule = "REV-FAST"


class OfferRefused(AfterSalesError):
    """An offer the rules do not allow; ``rule`` names the rule that refuses it."""

    def __init__(self, case_id: str, message: str, *, rule: str) -> None:
        super().__init__(f"review {case_id}: {message} ({rule})")
        self.case_id = case_id
        self.rule = rule


class LadderViolation(OfferRefused):
    """A step the service-recovery ladder does not allow yet, or at all (REV-OFFER)."""

    def __init__(self, case_id: str, message: str) -> None:
        super().__init__(case_id, message, rule="REV-OFFER")


class InducementRefused(OfferRefused):
    """Compensation offered in exchange for changing the review (REV-NO-INDUCE)."""

    def __init__(self, case_id: str, message: str) -> None:
        super().__init__(case_id, message, rule="REV-NO-INDUCE")


# -- the review -------------------------------------------------------------------------


class Rating(enum.Enum):
    """The platform rate record's ``result``."""

    GOOD = "good"
    NEUTRAL = "neutral"
    BAD = "bad"


_RATING_ZH = {Rating.GOOD: "好评", Rating.NEUTRAL: "中评", Rating.BAD: "差评"}
_DIGITS = re.compile(r"[0-9]{1,20}", re.ASCII)


def _platform_id(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        raise InvalidInput(
            f"{attribute.name} must be the platform's numeric ID as text, got {value!r}"
        )


def _text(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"{attribute.name} must be text, got {type(value).__name__}")


def _nonempty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{attribute.name} must be non-empty text, got {value!r}")


def _optional_text(_: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{attribute.name} must be text or null, got {type(value).__name__}")


def _rating(value: Rating | str) -> Rating:
    if isinstance(value, Rating):
        return value
    try:
        return Rating(value)
    except ValueError:
        raise InvalidInput(f"result must be good, neutral or bad, got {value!r}") from None


@attrs.frozen(kw_only=True)
class Review:
    """A buyer's rating of one sub-order, as the platform's rate record has it."""

    tid: str = attrs.field(validator=_platform_id)
    oid: str = attrs.field(validator=_platform_id)
    nick: str = attrs.field(validator=_nonempty)
    result: Rating = attrs.field(converter=_rating)
    created: pendulum.DateTime = attrs.field(converter=instant)
    item_title: str = attrs.field(validator=_text)
    item_price: Money = attrs.field(converter=to_money)
    content: str = attrs.field(validator=_text)
    #: The seller's explanation already on the platform, if any (REV-WINDOWS).
    reply: str | None = attrs.field(default=None, validator=_optional_text)


#: The platform's plain time format, always Beijing time.
_PLAIN_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", re.ASCII)


def _platform_time(value: object, field: str, tz: str) -> pendulum.DateTime:
    """``yyyy-MM-dd HH:mm:ss`` in Beijing time (``tz``), or ISO 8601 with an offset."""
    if isinstance(value, _dt.datetime):
        return instant(value)
    if isinstance(value, str) and _PLAIN_TIME.fullmatch(value.strip()):
        try:
            naive = _dt.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
        except ValueError:
            raise InvalidInput(f"{field}: {value!r} is not a real date and time") from None
        return pendulum.instance(naive, tz=tz)
    try:
        return parse_instant(value)
    except InvalidInput:
        raise InvalidInput(
            f"{field}: {value!r} is neither 'yyyy-MM-dd HH:mm:ss' (Beijing time) nor "
            "ISO 8601 with an offset such as 2026-03-02T10:00:00+08:00"
        ) from None


def _id_field(record: Mapping[str, Any], field: str) -> str:
    value = record[field]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        # a 19-digit ID does not survive a float (JSON numbers in most clients)
        raise InvalidInput(
            f'review.{field}: give the ID as a string such as "4000000000000000001", '
            f"not {type(value).__name__} {value!r}: a 19-digit ID does not survive a float"
        )
    text = str(value).strip()
    if not _DIGITS.fullmatch(text):
        raise InvalidInput(f"review.{field}: {value!r} is not a numeric platform ID")
    return text


def _money_field(record: Mapping[str, Any], field: str) -> Money:
    value = record[field]
    if isinstance(value, float):
        raise InvalidInput(f'review.{field}: give yuan as text like "59.90", not the float {value}')
    try:
        return to_money(value)
    except InvalidInput as exc:
        raise InvalidInput(f"review.{field}: {exc}") from None


_REVIEW_FIELDS = ("tid", "oid", "nick", "result", "created", "item_title", "item_price", "content")


def review_from_dict(value: object, *, tz: str = "Asia/Shanghai") -> Review:
    """Read a platform rate record; errors name the field.

    IDs are kept as text, never through a float; ``created`` is the platform's
    ``yyyy-MM-dd HH:mm:ss`` in Beijing time or ISO 8601 with an offset; money is
    yuan as text or an integer. Fields the library does not use are ignored; a
    ``role`` other than ``buyer`` (the seller rating the buyer) is refused.
    """
    if not isinstance(value, Mapping):
        raise InvalidInput(f"a review is a JSON object, got {type(value).__name__}")
    missing = [name for name in _REVIEW_FIELDS if name not in value]
    if missing:
        raise InvalidInput(f"review: missing field(s) {', '.join(missing)}")
    role = value.get("role", "buyer")
    if role != "buyer":
        raise FollowUpNotNeeded(
            f"review.role: {role!r}: only a buyer's rating of the shop has a follow-up"
        )
    fields: dict[str, Any] = {
        "tid": _id_field(value, "tid"),
        "oid": _id_field(value, "oid"),
        "created": _platform_time(value["created"], "review.created", tz),
        "item_price": _money_field(value, "item_price"),
    }
    for name in ("nick", "result", "item_title", "content"):
        fields[name] = value[name]
    reply = value.get("reply")
    # the platform sends "" for "no explanation yet"
    fields["reply"] = reply if not isinstance(reply, str) or reply.strip() else None
    try:
        return Review(**fields)
    except InvalidInput as exc:
        raise InvalidInput(f"review.{exc}") from None


# -- the follow-up value ----------------------------------------------------------------


class FollowUpState(enum.Enum):
    NEW = "new"  # nobody has contacted the buyer yet (REV-FAST)
    CONTACTED = "contacted"  # introduced, asked what was wrong (REV-CONTACT)
    LISTENING = "listening"  # the buyer is talking (REV-LISTEN)
    OFFERED = "offered"  # a solution is on the table (REV-OFFER)
    SOLVED = "solved"  # the buyer's problem is answered; no more offers
    EXPLAINING = "explaining"  # the buyer will not revise: the public reply is left
    CLOSED = "closed"  # final


class Outcome(enum.Enum):
    """What the buyer did with the review (REV-WINDOWS)."""

    REVISED = "revised"  # changed to a good review
    DELETED = "deleted"
    DECLINED = "declined"  # said no
    NO_ANSWER = "no_answer"  # never answered, or the window ran out


class OfferStep(enum.Enum):
    """The service-recovery ladder, in order (REV-OFFER)."""

    APOLOGY_FIX = "apology_fix"
    RED_PACKET = "red_packet"
    FREE_PRODUCT = "free_product"


_OPEN = frozenset(
    {
        FollowUpState.NEW,
        FollowUpState.CONTACTED,
        FollowUpState.LISTENING,
        FollowUpState.OFFERED,
        FollowUpState.SOLVED,
    }
)


@attrs.frozen
class Reply:
    """Something the buyer said, and when."""

    at: pendulum.DateTime
    text: str


def _unconditional(_: object, __: attrs.Attribute[bool], value: bool) -> None:
    if value is not True:
        raise InvalidInput("an offer is recorded only as unconditional (REV-NO-INDUCE)")


@attrs.frozen(kw_only=True)
class Offer:
    """Compensation given for the buyer's problem; the buyer keeps it whatever the review."""

    at: pendulum.DateTime
    step: OfferStep
    amount: Money
    note: str
    event_id: str
    rule: str = "REV-OFFER"
    #: Always True: compensation is never tied to the review (REV-NO-INDUCE).
    unconditional: bool = attrs.field(default=True, validator=_unconditional)


@attrs.frozen
class FollowUpTransition:
    at: pendulum.DateTime
    source: FollowUpState
    target: FollowUpState
    trigger: str  # an event type, or "timeout:<deadline>"
    rule: str
    event_id: str | None


@attrs.frozen(kw_only=True)
class FollowUp:
    """Where the follow-up of one review stands; a frozen value."""

    review: Review
    classification: Classification
    state: FollowUpState
    #: REV-FAST: contact the buyer by then; later is flagged, not fatal.
    contact_by: pendulum.DateTime
    #: REV-WINDOWS: the buyer can revise or delete the review until then.
    revise_by: pendulum.DateTime
    #: REV-WINDOWS: the seller can post an explanation until then.
    explain_by: pendulum.DateTime
    changed_at: pendulum.DateTime
    outcome: Outcome | None = None
    contacted_at: pendulum.DateTime | None = None
    contact_attempts: int = 0
    contact_overdue: bool = False
    replies: tuple[Reply, ...] = ()
    offers: tuple[Offer, ...] = ()
    solved_at: pendulum.DateTime | None = None
    explanation: str | None = None
    explained_at: pendulum.DateTime | None = None
    closed_at: pendulum.DateTime | None = None
    history: tuple[FollowUpTransition, ...] = ()
    log: tuple[FollowUpEvent, ...] = ()
    rules: CauseRules | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def id(self) -> str:
        """The sub-order ID: one buyer rating per sub-order."""
        return self.review.oid

    @property
    def cause(self) -> Cause:
        return self.classification.cause

    @property
    def compensation(self) -> Money:
        """Everything offered so far; offered is given, whatever the review (REV-NO-INDUCE)."""
        return sum((o.amount for o in self.offers), start=Money.ZERO)

    @property
    def is_closed(self) -> bool:
        return self.state is FollowUpState.CLOSED

    def has_seen(self, event_id: str) -> bool:
        return any(e.id == event_id for e in self.log)

    @property
    def deadlines(self) -> Mapping[str, pendulum.DateTime]:
        return {
            "contact_by": self.contact_by,
            "revise_by": self.revise_by,
            "explain_by": self.explain_by,
        }


# -- events -----------------------------------------------------------------------------


def _outcome(value: Outcome | str) -> Outcome:
    if isinstance(value, Outcome):
        return value
    try:
        return Outcome(value)
    except ValueError:
        names = ", ".join(o.value for o in Outcome)
        raise InvalidInput(f"outcome must be one of {names}, got {value!r}") from None


def _step(value: OfferStep | str) -> OfferStep:
    if isinstance(value, OfferStep):
        return value
    try:
        return OfferStep(value)
    except ValueError:
        names = ", ".join(s.value for s in OfferStep)
        raise InvalidInput(f"step must be one of {names}, got {value!r}") from None


def _optional_money(value: Money | Decimal | int | str | None) -> Money | None:
    return None if value is None else to_money(value)


def _flag(_: object, attribute: attrs.Attribute[bool], value: bool) -> None:
    if not isinstance(value, bool):
        raise InvalidInput(f"{attribute.name} must be true or false, got {value!r}")


@attrs.frozen(kw_only=True)
class FollowUpEvent:
    """Base of the follow-up events: an ID (for idempotency) and when it happened."""

    type: ClassVar[str] = "follow_up_event"
    id: str = attrs.field(validator=_nonempty)
    at: pendulum.DateTime = attrs.field(converter=instant)


@attrs.frozen(kw_only=True)
class Contacted(FollowUpEvent):
    """Staff reached the buyer (or tried): introduced the shop, asked what was wrong."""

    type: ClassVar[str] = "contacted"


@attrs.frozen(kw_only=True)
class BuyerReplied(FollowUpEvent):
    """The buyer said something; the cause is read again with it (REV-TYPES)."""

    type: ClassVar[str] = "buyer_replied"
    text: str = attrs.field(validator=_nonempty)


@attrs.frozen(kw_only=True)
class SolutionOffered(FollowUpEvent):
    """A rung of the ladder offered (REV-OFFER).

    ``amount`` defaults to the rung's: 0.00 for an apology and fix, the
    policy's red packet, the item's price for a free product.
    ``in_exchange_for_review`` exists to be refused (REV-NO-INDUCE).
    """

    type: ClassVar[str] = "solution_offered"
    step: OfferStep = attrs.field(converter=_step)
    amount: Money | None = attrs.field(default=None, converter=_optional_money)
    note: str = attrs.field(default="", validator=_text)
    in_exchange_for_review: bool = attrs.field(default=False, validator=_flag)


@attrs.frozen(kw_only=True)
class ProblemSolved(FollowUpEvent):
    """The buyer's problem is answered (fixed, resent, compensated)."""

    type: ClassVar[str] = "problem_solved"
    note: str = attrs.field(default="", validator=_text)


@attrs.frozen(kw_only=True)
class OutcomeRecorded(FollowUpEvent):
    """What the buyer did with the review, as seen on the platform or said."""

    type: ClassVar[str] = "outcome_recorded"
    outcome: Outcome = attrs.field(converter=_outcome)


@attrs.frozen(kw_only=True)
class ExplanationPosted(FollowUpEvent):
    """The seller's public reply under the review (REV-WINDOWS)."""

    type: ClassVar[str] = "explanation_posted"
    text: str = attrs.field(validator=_nonempty)


FOLLOW_UP_EVENT_TYPES: Mapping[str, type[FollowUpEvent]] = MappingProxyType(
    {
        cls.type: cls
        for cls in (
            Contacted,
            BuyerReplied,
            SolutionOffered,
            ProblemSolved,
            OutcomeRecorded,
            ExplanationPosted,
        )
    }
)


def follow_up_event_from_dict(value: object, *, tz: str = "Asia/Shanghai") -> FollowUpEvent:
    """Build an event from its JSON form; errors name the type and the field."""
    if not isinstance(value, Mapping):
        raise InvalidInput(f"an event is a JSON object, got {type(value).__name__}")
    kind = value.get("type")
    cls = FOLLOW_UP_EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InvalidInput(
            f"unknown event type {kind!r}; known types: {', '.join(FOLLOW_UP_EVENT_TYPES)}"
        )
    fields = attrs.fields_dict(cls)
    body = {str(k): v for k, v in value.items() if k != "type"}
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise InvalidInput(
            f"{kind}: unknown field(s) {', '.join(unknown)}; fields: {', '.join(fields)}"
        )
    missing = sorted(
        name for name, a in fields.items() if a.default is attrs.NOTHING and name not in body
    )
    if missing:
        raise InvalidInput(f"{kind}: missing field(s) {', '.join(missing)}")
    if "at" in body:
        body["at"] = _platform_time(body["at"], f"{kind}.at", tz)
    if isinstance(body.get("amount"), float):
        raise InvalidInput(f'{kind}.amount: give yuan as text like "5.00", not a float')
    try:
        return cls(**body)
    except InvalidInput as exc:
        raise InvalidInput(f"{kind}: {exc}") from None
    except TypeError as exc:
        raise InvalidInput(f"{kind}: {exc}") from None


# -- the ladder (REV-OFFER) -------------------------------------------------------------


def offer_ladder(review: Review, policy: Policy) -> tuple[OfferStep, ...]:
    """The rungs this review's follow-up may climb, in order (REV-OFFER).

    Apology and fix first, then a red packet of ``policy.review_red_packet``,
    then the product free only when the item costs at most
    ``policy.review_free_product_max_price``.
    """
    steps: tuple[OfferStep, ...] = (OfferStep.APOLOGY_FIX, OfferStep.RED_PACKET)
    if review.item_price <= policy.review_free_product_max_price:
        steps += (OfferStep.FREE_PRODUCT,)
    return steps


def _offer_amount(case: FollowUp, event: SolutionOffered, policy: Policy) -> Money:
    price = case.review.item_price
    if event.step is OfferStep.APOLOGY_FIX:
        amount = Money.ZERO if event.amount is None else event.amount
        if amount > price:
            raise LadderViolation(
                case.id,
                f"a fix costing {amount} is more than the item ({price}): handle it as a "
                "refund or return case instead",
            )
        return amount
    if event.step is OfferStep.RED_PACKET:
        cap = policy.review_red_packet
        amount = cap if event.amount is None else event.amount
        if not amount or amount > cap:
            raise LadderViolation(
                case.id,
                f"a red packet is more than 0.00 and at most {cap} "
                f"(policy.review_red_packet), got {amount}",
            )
        return amount
    amount = price if event.amount is None else event.amount
    if not amount or amount > price:
        raise LadderViolation(
            case.id, f"a free product is worth more than 0.00 and at most {price}, got {amount}"
        )
    return amount


# -- the table --------------------------------------------------------------------------

Changes = dict[str, Any]
At = pendulum.DateTime
#: A guard returns None when it holds, else why not.
FollowUpGuard = Callable[[FollowUp, FollowUpEvent | None, Policy, At], str | None]
FollowUpAction = Callable[[FollowUp, FollowUpEvent | None, Policy, At], Changes]

S = FollowUpState


@attrs.frozen(kw_only=True)
class FollowUpRow:
    """``(source, trigger) -> target`` when ``guard`` holds; ``action`` gives the changes."""

    source: FollowUpState
    trigger: str
    target: FollowUpState
    rule: str
    guard: FollowUpGuard | None = attrs.field(default=None, eq=False)
    guard_name: str = ""
    action: FollowUpAction | None = attrs.field(default=None, eq=False)


#: The deadlines, each from the review's ``created``: (name, policy field).
_DEADLINES = (
    ("contact_by", "review_contact_within"),
    ("revise_by", "review_revision_window"),
    ("explain_by", "review_explanation_window"),
)


def _contacted(case: FollowUp, _e: FollowUpEvent | None, _p: Policy, at: At) -> Changes:
    late = case.contact_overdue or at >= case.contact_by
    first = case.contacted_at or at
    return {
        "contacted_at": first,
        "contact_attempts": case.contact_attempts + 1,
        "contact_overdue": late,
    }


def _replied(case: FollowUp, event: FollowUpEvent | None, _p: Policy, at: At) -> Changes:
    assert isinstance(event, BuyerReplied)
    replies = (*case.replies, Reply(at, event.text))
    text = "\n".join((case.review.content, *(r.text for r in replies)))
    return {"replies": replies, "classification": classify_review(text, case.rules)}


def _offered(case: FollowUp, event: FollowUpEvent | None, policy: Policy, at: At) -> Changes:
    assert isinstance(event, SolutionOffered)
    ladder = offer_ladder(case.review, policy)
    done = tuple(o.step for o in case.offers)
    if event.step in done:
        raise LadderViolation(case.id, f"{event.step.value} was already offered")
    if event.step not in ladder:
        raise LadderViolation(
            case.id,
            f"the item costs {case.review.item_price}, more than "
            f"{policy.review_free_product_max_price} (policy.review_free_product_max_price): "
            "the product is not given free",
        )
    following = ladder[len(done)]
    if event.step is not following:
        raise LadderViolation(
            case.id,
            f"{event.step.value} comes after {following.value}: offer {following.value} first",
        )
    offer = Offer(
        at=at,
        step=event.step,
        amount=_offer_amount(case, event, policy),
        note=event.note,
        event_id=event.id,
    )
    return {"offers": (*case.offers, offer)}


def _solved(_c: FollowUp, _e: FollowUpEvent | None, _p: Policy, at: At) -> Changes:
    return {"solved_at": at}


def _record(outcome: Outcome | None) -> FollowUpAction:
    def action(_c: FollowUp, event: FollowUpEvent | None, _p: Policy, _at: At) -> Changes:
        if outcome is not None:
            return {"outcome": outcome}
        assert isinstance(event, OutcomeRecorded)
        return {"outcome": event.outcome}

    return action


def _explained(_c: FollowUp, event: FollowUpEvent | None, _p: Policy, at: At) -> Changes:
    assert isinstance(event, ExplanationPosted)
    return {"explanation": event.text, "explained_at": at}


def _flag_late(_c: FollowUp, _e: FollowUpEvent | None, _p: Policy, _at: At) -> Changes:
    return {"contact_overdue": True}


def _outcome_is(*allowed: Outcome) -> FollowUpGuard:
    def guard(_c: FollowUp, event: FollowUpEvent | None, _p: Policy, _at: At) -> str | None:
        assert isinstance(event, OutcomeRecorded)
        if event.outcome in allowed:
            return None
        return f"outcome {event.outcome.value} is not recorded here"

    return guard


def _revisable(case: FollowUp, event: FollowUpEvent | None, _p: Policy, at: At) -> str | None:
    assert isinstance(event, OutcomeRecorded)
    if event.outcome not in (Outcome.REVISED, Outcome.DELETED):
        if case.state is S.NEW:
            return "the buyer was never asked: record contacted first (REV-CONTACT)"
        if case.outcome is not None:
            return f"the buyer's answer is already recorded ({case.outcome.value})"
        return f"outcome {event.outcome.value} is recorded by another row"
    if at >= case.revise_by:
        return f"the buyer's revision window closed at {case.revise_by.isoformat()} (REV-WINDOWS)"
    return None


def _explanation_open(case: FollowUp, _e: FollowUpEvent | None, _p: Policy, at: At) -> str | None:
    if case.explanation is not None:
        return "an explanation is already posted; the platform takes one (REV-WINDOWS)"
    if at >= case.explain_by:
        return f"the explanation window closed at {case.explain_by.isoformat()} (REV-WINDOWS)"
    return None


def _explanation_closed(case: FollowUp, e: FollowUpEvent | None, p: Policy, at: At) -> str | None:
    return (
        "the explanation is still to be posted"
        if _explanation_open(case, e, p, at) is None
        else None
    )


def _declined_and(explain: bool) -> FollowUpGuard:
    said_no = _outcome_is(Outcome.DECLINED, Outcome.NO_ANSWER)
    window = _explanation_open if explain else _explanation_closed

    def guard(case: FollowUp, event: FollowUpEvent | None, p: Policy, at: At) -> str | None:
        return said_no(case, event, p, at) or window(case, event, p, at)

    return guard


def _rows() -> tuple[FollowUpRow, ...]:
    asked = (S.CONTACTED, S.LISTENING, S.OFFERED, S.SOLVED)
    rows = [
        FollowUpRow(
            source=S.NEW,
            trigger="contacted",
            target=S.CONTACTED,
            rule="REV-CONTACT",
            action=_contacted,
        ),
        FollowUpRow(
            source=S.CONTACTED,
            trigger="contacted",
            target=S.CONTACTED,
            rule="REV-CONTACT",
            action=_contacted,
        ),
        FollowUpRow(
            source=S.CONTACTED,
            trigger="buyer_replied",
            target=S.LISTENING,
            rule="REV-LISTEN",
            action=_replied,
        ),
        *(
            FollowUpRow(
                source=state,
                trigger="buyer_replied",
                target=state,
                rule="REV-LISTEN",
                action=_replied,
            )
            for state in (S.LISTENING, S.OFFERED, S.SOLVED, S.EXPLAINING)
        ),
        FollowUpRow(
            source=S.LISTENING,
            trigger="solution_offered",
            target=S.OFFERED,
            rule="REV-OFFER",
            action=_offered,
        ),
        FollowUpRow(
            source=S.OFFERED,
            trigger="solution_offered",
            target=S.OFFERED,
            rule="REV-OFFER",
            action=_offered,
        ),
        FollowUpRow(
            source=S.LISTENING,
            trigger="problem_solved",
            target=S.SOLVED,
            rule="REV-LISTEN",
            action=_solved,
        ),
        FollowUpRow(
            source=S.OFFERED,
            trigger="problem_solved",
            target=S.SOLVED,
            rule="REV-OFFER",
            action=_solved,
        ),
        *(
            FollowUpRow(
                source=state,
                trigger="outcome_recorded",
                target=S.CLOSED,
                rule="REV-WINDOWS",
                guard=_revisable,
                guard_name="revised or deleted, within the revision window",
                action=_record(None),
            )
            for state in (*sorted(_OPEN, key=_order), S.EXPLAINING)
        ),
        *(
            FollowUpRow(
                source=state,
                trigger="outcome_recorded",
                target=target,
                rule="REV-WINDOWS",
                guard=_declined_and(explain),
                guard_name=name,
                action=_record(None),
            )
            for state in asked
            for target, explain, name in (
                (S.EXPLAINING, True, "declined or no answer, explanation still possible"),
                (S.CLOSED, False, "declined or no answer, explanation posted or too late"),
            )
        ),
        *(
            FollowUpRow(
                source=state,
                trigger="explanation_posted",
                target=state,
                rule="REV-WINDOWS",
                guard=_explanation_open,
                guard_name="explanation window open",
                action=_explained,
            )
            for state in sorted(_OPEN, key=_order)
        ),
        FollowUpRow(
            source=S.EXPLAINING,
            trigger="explanation_posted",
            target=S.CLOSED,
            rule="REV-WINDOWS",
            guard=_explanation_open,
            guard_name="explanation window open",
            action=_explained,
        ),
        # timers
        FollowUpRow(
            source=S.NEW,
            trigger="timeout:contact_by",
            target=S.NEW,
            rule="REV-FAST",
            action=_flag_late,
        ),
        *(
            FollowUpRow(
                source=state,
                trigger="timeout:revise_by",
                target=target,
                rule="REV-WINDOWS",
                guard=_explanation_open if explain else _explanation_closed,
                guard_name=name,
                action=_record(Outcome.NO_ANSWER),
            )
            for state in sorted(_OPEN, key=_order)
            for target, explain, name in (
                (S.EXPLAINING, True, "explanation still possible"),
                (S.CLOSED, False, "explanation posted or too late"),
            )
        ),
        FollowUpRow(
            source=S.EXPLAINING, trigger="timeout:explain_by", target=S.CLOSED, rule="REV-WINDOWS"
        ),
    ]
    return tuple(rows)


def _order(state: FollowUpState) -> int:
    return list(FollowUpState).index(state)


#: Every transition of the follow-up, timers included, as data.
FOLLOW_UP_ROWS: tuple[FollowUpRow, ...] = _rows()

_DISPATCH: Mapping[tuple[FollowUpState, str], tuple[FollowUpRow, ...]] = MappingProxyType(
    {
        key: tuple(r for r in FOLLOW_UP_ROWS if (r.source, r.trigger) == key)
        for key in {(r.source, r.trigger) for r in FOLLOW_UP_ROWS}
    }
)
_ALLOWED: Mapping[FollowUpState, frozenset[str]] = MappingProxyType(
    {
        state: frozenset(
            r.trigger
            for r in FOLLOW_UP_ROWS
            if r.source is state and not r.trigger.startswith("timeout:")
        )
        for state in FollowUpState
    }
)
#: Why an event has no row in a state, where the answer is a rule.
_WHY_NOT: Mapping[tuple[FollowUpState, str], str] = MappingProxyType(
    {
        (S.NEW, "solution_offered"): "contact the buyer and listen first (REV-CONTACT, REV-LISTEN)",
        (S.CONTACTED, "solution_offered"): "let the buyer speak first, then give the solution "
        "(REV-LISTEN)",
        (S.SOLVED, "solution_offered"): "the buyer's problem is solved; more compensation now "
        "could only pay for the review (REV-NO-INDUCE)",
        (S.EXPLAINING, "solution_offered"): "the buyer has declined to revise; compensation "
        "offered now would be paying for the review (REV-NO-INDUCE)",
        (S.NEW, "buyer_replied"): "record the contact first (REV-CONTACT)",
        (S.NEW, "problem_solved"): "contact the buyer and listen first (REV-CONTACT)",
        (S.CONTACTED, "problem_solved"): "listen to the buyer first (REV-LISTEN)",
    }
)


# -- the engine -------------------------------------------------------------------------


def open_follow_up(review: Review, policy: Policy, *, rules: CauseRules | None = None) -> FollowUp:
    """Open the follow-up of a medium or negative review (REV-FAST).

    The deadlines run from ``review.created``; a good review raises
    :class:`FollowUpNotNeeded`. ``rules`` extends the cause keywords (REV-TYPES).
    """
    if not isinstance(review, Review):
        raise InvalidInput(f"open_follow_up takes a Review, got {type(review).__name__}")
    if review.result is Rating.GOOD:
        raise FollowUpNotNeeded(
            f"review {review.oid} is a good review: only medium and negative reviews "
            "open a follow-up (REV-FAST)"
        )
    created = review.created.in_timezone(policy.tz)
    due = {
        name: deadline_after(created, getattr(policy, field), policy.calendar, policy.tz)
        for name, field in _DEADLINES
    }
    return FollowUp(
        review=review,
        classification=classify_review(review.content, rules),
        state=S.NEW,
        contact_by=due["contact_by"],
        revise_by=due["revise_by"],
        explain_by=due["explain_by"],
        changed_at=created,
        explanation=review.reply,
        rules=rules,
    )


def step_follow_up(case: FollowUp, event: FollowUpEvent, policy: Policy) -> FollowUp:
    """Apply one event; deadlines due by its time fire first. Nothing is half-applied."""
    if not isinstance(event, FollowUpEvent):
        raise InvalidInput(f"expected a follow-up event, got {type(event).__name__}")
    if case.has_seen(event.id):
        return case
    if event.at < case.changed_at:
        raise OutOfOrderEvent(
            case_id=case.id,
            event_id=event.id,
            at=event.at.isoformat(),
            last_change=case.changed_at.isoformat(),
        )
    if isinstance(event, SolutionOffered) and event.in_exchange_for_review:
        raise InducementRefused(
            case.id,
            "compensation offered in exchange for revising or deleting the review is "
            "forbidden (网络交易监督管理办法 art. 14, the platform's rating rules); offer it "
            "for the buyer's problem, unconditionally",
        )
    case = advance_follow_up(case, event.at, policy)
    rows = _DISPATCH.get((case.state, event.type))
    if rows is None:
        raise IllegalEvent(
            case_id=case.id,
            state=case.state.value,
            event_type=event.type,
            allowed=_ALLOWED[case.state],
            reason=_WHY_NOT.get((case.state, event.type)),
        )
    reasons = []
    for row in rows:
        why = None if row.guard is None else row.guard(case, event, policy, event.at)
        if why is None:
            return _transition(case, row, event, policy, event.at)
        reasons.append(why)
    raise IllegalEvent(
        case_id=case.id,
        state=case.state.value,
        event_type=event.type,
        allowed=_ALLOWED[case.state],
        reason="; ".join(dict.fromkeys(reasons)),
    )


def advance_follow_up(case: FollowUp, now: pendulum.DateTime, policy: Policy) -> FollowUp:
    """Fire every deadline due at or before ``now`` that the current state watches, in order."""
    now = instant(now)
    fired: set[str] = set()
    while True:
        due = sorted(
            (at, name)
            for name, at in case.deadlines.items()
            if at <= now and name not in fired and (case.state, f"timeout:{name}") in _DISPATCH
        )
        if not due:
            return case
        at, name = due[0]
        fired.add(name)
        for row in _DISPATCH[(case.state, f"timeout:{name}")]:
            if row.guard is None or row.guard(case, None, policy, at) is None:
                case = _transition(case, row, None, policy, at)
                break


def _transition(
    case: FollowUp, row: FollowUpRow, event: FollowUpEvent | None, policy: Policy, at: At
) -> FollowUp:
    if row.trigger == "timeout:contact_by" and case.contact_overdue:
        return case  # already flagged: the flag is the whole effect
    changes = {} if row.action is None else row.action(case, event, policy, at)
    if row.target is S.CLOSED:
        changes["closed_at"] = at
    record = FollowUpTransition(
        at, case.state, row.target, row.trigger, row.rule, None if event is None else event.id
    )
    return attrs.evolve(
        case,
        state=row.target,
        changed_at=at,
        history=(*case.history, record),
        log=case.log if event is None else (*case.log, event),
        **changes,
    )


def replay_follow_up(
    review: Review,
    events: Iterable[FollowUpEvent],
    policy: Policy,
    *,
    until: pendulum.DateTime | None = None,
    rules: CauseRules | None = None,
) -> FollowUp:
    """Open, apply ``events`` in order, then advance to ``until`` if given."""
    case = open_follow_up(review, policy, rules=rules)
    for event in events:
        case = step_follow_up(case, event, policy)
    if until is not None:
        case = advance_follow_up(case, until, policy)
    return case


# -- the plan ---------------------------------------------------------------------------

#: Template names per plan step; the templates themselves live with the shop's texts.
TEMPLATES: Mapping[str, str] = MappingProxyType(
    {
        "contact": "review/contact.txt",
        "listen": "review/listen.txt",
        "offer_apology_fix": "review/offer_apology_fix.txt",
        "offer_red_packet": "review/offer_red_packet.txt",
        "offer_free_product": "review/offer_free_product.txt",
        "ask_update": "review/ask_update.txt",
        "explanation": "review/explanation.txt",
    }
)

_CAUSE_ZH = {
    Cause.PRODUCT: "商品问题",
    Cause.SERVICE: "服务问题",
    Cause.LOGISTICS: "物流问题",
    Cause.BUYER: "个人原因",
    Cause.UNKNOWN: "原因未明",
}


def _frozen_context(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class PlanStep:
    """One thing for staff to do: what, with which template, why, by when."""

    key: str
    template: str
    rule: str
    when: str
    deadline: pendulum.DateTime | None = None
    deadline_rule: str | None = None
    context: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_context, hash=False)


@attrs.frozen(kw_only=True)
class Plan:
    """The ordered steps left in a follow-up; empty once it is closed."""

    case_id: str
    state: FollowUpState
    outcome: Outcome | None
    cause: Cause
    compensation: Money
    contact_overdue: bool
    steps: tuple[PlanStep, ...]


def _base_context(case: FollowUp, policy: Policy) -> dict[str, str]:
    review, tz = case.review, policy.tz
    return {
        "tid": review.tid,
        "oid": review.oid,
        "nick": review.nick,
        "item_title": review.item_title,
        "item_price": str(review.item_price),
        "rating": review.result.value,
        "rating_zh": _RATING_ZH[review.result],
        "content": review.content,
        "created": review.created.in_timezone(tz).isoformat(),
        "cause": case.cause.value,
        "cause_zh": _CAUSE_ZH[case.cause],
        "keywords": "、".join(w for ws in case.classification.keywords.values() for w in ws),
        "compensation": str(case.compensation),
    }


def follow_up_plan(case: FollowUp, policy: Policy) -> Plan:
    """What staff do next, in order, each step with its template, rule and deadline."""
    tz = policy.tz
    base = _base_context(case, policy)
    state = case.state
    steps: list[PlanStep] = []

    def add(key: str, rule: str, when: str, **more: Any) -> None:
        extra = {k: v for k, v in more.items() if k not in ("deadline", "deadline_rule")}
        deadline = more.get("deadline")
        steps.append(
            PlanStep(
                key=key,
                template=TEMPLATES[key],
                rule=rule,
                when=when,
                deadline=deadline,
                deadline_rule=more.get("deadline_rule"),
                context={**base, **{k: str(v) for k, v in extra.items()}},
            )
        )

    if state is S.CLOSED:
        return _plan(case, steps)
    if state is S.NEW:
        add(
            "contact",
            "REV-CONTACT",
            "now: introduce the shop's after-sales service, name the item and the rating, "
            "ask what was wrong",
            deadline=case.contact_by.in_timezone(tz),
            deadline_rule="REV-FAST",
            contact_by=case.contact_by.in_timezone(tz).isoformat(),
        )
    if state in (S.NEW, S.CONTACTED):
        add(
            "listen",
            "REV-LISTEN",
            "when the buyer answers: let them vent, apologise, then give the solution and "
            "when it will be done",
        )
    if state in (S.NEW, S.CONTACTED, S.LISTENING, S.OFFERED):
        done = len(case.offers)
        conditions = {
            OfferStep.APOLOGY_FIX: "after listening: apologise and fix the problem (resend, "
            "exchange, repair, refund the missing part)",
            OfferStep.RED_PACKET: "if the fix does not answer the buyer's problem: a red packet, "
            "the buyer's to keep whatever they do with the review",
            OfferStep.FREE_PRODUCT: "if the problem is still not answered: the product free, "
            "unconditionally",
        }
        amounts = {
            OfferStep.APOLOGY_FIX: None,
            OfferStep.RED_PACKET: policy.review_red_packet,
            OfferStep.FREE_PRODUCT: case.review.item_price,
        }
        for rung in offer_ladder(case.review, policy)[done:]:
            amount = amounts[rung]
            more = {} if amount is None else {"amount": str(amount)}
            add(f"offer_{rung.value}", "REV-OFFER", conditions[rung], **more)
    if state is not S.EXPLAINING:
        ask = (
            "now: the problem is solved; ask whether the buyer would update the review"
            if state is S.SOLVED
            else "once the problem is solved (record problem_solved): ask whether the buyer "
            "would update the review"
        )
        add(
            "ask_update",
            "REV-NO-INDUCE",
            f"{ask}; never as a deal, compensation stays theirs either way",
            deadline=case.revise_by.in_timezone(tz),
            deadline_rule="REV-WINDOWS",
            revise_by=case.revise_by.in_timezone(tz).isoformat(),
        )
    if case.explanation is None:
        add(
            "explanation",
            "REV-WINDOWS",
            "now: the buyer will not revise; post a factual public reply"
            if state is S.EXPLAINING
            else "if the buyer will not revise: post a factual public reply under the review",
            deadline=case.explain_by.in_timezone(tz),
            deadline_rule="REV-WINDOWS",
            explain_by=case.explain_by.in_timezone(tz).isoformat(),
        )
    return _plan(case, steps)


def _plan(case: FollowUp, steps: list[PlanStep]) -> Plan:
    return Plan(
        case_id=case.id,
        state=case.state,
        outcome=case.outcome,
        cause=case.cause,
        compensation=case.compensation,
        contact_overdue=case.contact_overdue,
        steps=tuple(steps),
    )
