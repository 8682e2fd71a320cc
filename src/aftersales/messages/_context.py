"""From a case to template variables, and from effects to rendered messages.

The engine's ``NotifyBuyer(template, rule)`` effects name a template and leave
the wording to the shop; this module gives every template the same variables
(documented in docs/messages.md) and renders them. Nothing here reads the
clock: ``now`` defaults to the case's last change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import attrs
import pendulum

from ..core._case import Case, Deadline, Party
from ..core._effects import Effect, NotifyBuyer
from ..core._errors import InvalidInput
from ..core._events import SellerResent
from ..core._instant import instant
from ..core._policy import Policy
from ..reviews._followup import PlanStep
from ._channels import Channel
from ._env import MessageEnvironment
from ._shop import ShopInfo

__all__ = [
    "REMINDERS",
    "Message",
    "Reminder",
    "context_for",
    "messages_for",
    "reminders_due",
    "step_context",
]

#: The buyer-side deadlines a shop may remind the buyer of, and the template for each.
#: ``buyer_response`` (the buyer's 7 days after a refusal, REFUSED-BUYER-7D) has none on
#: purpose: the refusal message already says what the buyer can do, and a countdown to
#: their request closing reads as pressure.
REMINDERS: Final[Mapping[str, str]] = {
    "buyer_return_shipment": "return/reminder_ship.txt",
    "buyer_confirm_receipt": "exchange/reminder_receipt.txt",
    "buyer_photos": "quality/photos_request.txt",
    "evidence": "intervention/evidence_request.txt",
}


@attrs.frozen
class Message:
    """A rendered message, ready for the channel it was rendered for."""

    template: str
    rule: str
    locale: str
    channel: Channel
    text: str


@attrs.frozen
class Reminder:
    """A buyer-side deadline falls due within the reminder window."""

    template: str
    deadline: Deadline
    rule: str


def _local(value: pendulum.DateTime | None, tz: pendulum.Timezone) -> pendulum.DateTime | None:
    return None if value is None else value.in_timezone(tz)


def _deadline(value: Deadline | None, tz: pendulum.Timezone) -> Deadline | None:
    return None if value is None else attrs.evolve(value, due=value.due.in_timezone(tz))


def context_for(
    case: Case, policy: Policy, *, shop: ShopInfo, now: pendulum.DateTime | None = None
) -> dict[str, Any]:
    """The variables every case template gets (see docs/messages.md for the table).

    Instants are in the policy's zone; amounts are :class:`~aftersales.Money`;
    values that may be missing are None (a template guards them with ``if``).
    """
    tz = policy.tz
    at = case.changed_at if now is None else instant(now)
    deadline = _deadline(case.deadline, tz)
    buyer_deadline = (
        deadline
        if deadline is not None and deadline.waits_for in (Party.BUYER, Party.BOTH)
        else None
    )
    seller_deadline = (
        deadline if deadline is not None and deadline.waits_for is Party.SELLER else None
    )
    item = case.item
    ruling = case.ruling
    shipment = case.return_shipment
    resent = next((e for e in reversed(case.log) if isinstance(e, SellerResent)), None)
    return {
        "shop": shop,
        "now": at.in_timezone(tz),
        "case": case,
        "case_id": case.id,
        "kind": case.kind.value,
        "state": case.state.value,
        "status": case.status.value,
        "order_id": case.order.id,
        "oid": case.oid,
        "item_title": item.title,
        "paid": case.order.paid,
        "item_paid": item.paid,
        "requested": case.requested,
        "refunded": case.refunded,
        "reason": case.reason,
        "refusal_reason": case.refusal_reason,
        "opened_at": case.opened_at.in_timezone(tz),
        "deadline": deadline,
        "buyer_deadline": buyer_deadline,
        "seller_deadline": seller_deadline,
        "return_address": shop.return_address,
        "return_carrier": None if shipment is None else (shipment.carrier or None),
        "return_tracking": None if shipment is None else (shipment.tracking or None),
        "resent_carrier": None if resent is None else resent.carrier,
        "resent_tracking": None if resent is None else resent.tracking,
        "ruling_for": None if ruling is None else ruling.favours.value,
        "remedy": case.remedy,
        "intervention_available_from": _local(case.intervention_available_from, tz),
        "complaint_until": _local(case.complaint_until, tz),
        "rule": None,
    }


def step_context(step: PlanStep, *, shop: ShopInfo) -> dict[str, Any]:
    """A review follow-up plan step's variables, plus ``shop``.

    The step's values are text (``amount`` "5.00", ``contact_by`` an ISO instant);
    the ``money``, ``datetime`` and ``time_left`` filters take them as they are.
    """
    return {**step.context, "shop": shop}


def messages_for(
    effects: Iterable[Effect],
    case: Case,
    policy: Policy,
    *,
    env: MessageEnvironment,
    shop: ShopInfo,
    now: pendulum.DateTime | None = None,
) -> tuple[Message, ...]:
    """Render every :class:`~aftersales.NotifyBuyer` among ``effects``, in order.

    ``case`` is the case the effects came with; ``rule`` is each effect's rule.
    """
    base = context_for(case, policy, shop=shop, now=now)
    messages = []
    for effect in effects:
        if isinstance(effect, NotifyBuyer):
            text = env.render(effect.template, {**base, "rule": effect.rule})
            messages.append(Message(effect.template, effect.rule, env.locale, env.channel, text))
    return tuple(messages)


def reminders_due(case: Case, now: pendulum.DateTime, within: dt.timedelta) -> Iterator[Reminder]:
    """The reminders to send at ``now``: a buyer-side deadline (see :data:`REMINDERS`)
    falls due after ``now`` and no later than ``now + within``.

    Pure: the caller decides how often to ask and remembers what it sent.
    """
    at = instant(now)
    if within < dt.timedelta(0):
        raise InvalidInput(f"within must not be negative, got {within}")
    deadline = case.deadline
    if deadline is None or case.is_final:
        return
    template = REMINDERS.get(deadline.name)
    if template is None or deadline.waits_for not in (Party.BUYER, Party.BOTH):
        return
    if at < deadline.due <= at + within:
        yield Reminder(template, deadline, deadline.rule)
