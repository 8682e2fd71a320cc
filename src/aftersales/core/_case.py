"""The case and the order facts it is about.

States use the platform's own refund vocabulary (Taobao Open Platform
``Refund.status``) so imported records map one to one.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
import pendulum

from ._errors import InvalidInput
from ._events import Event
from ._instant import instant, optional_instant
from ._money import Money, to_money

__all__ = [
    "PLATFORM_STATUS",
    "Case",
    "CaseMessage",
    "Deadline",
    "Evidence",
    "Kind",
    "Mode",
    "Order",
    "OrderItem",
    "Party",
    "RefundRequested",
    "ReturnShipment",
    "Ruling",
    "State",
    "Status",
    "Transition",
]


class _Member(enum.Enum):
    """Members hashed by identity: they are singletons, the engine's tables are keyed
    by them, and ``Enum.__hash__`` runs Python code on every lookup."""

    __hash__ = object.__hash__


class Status(_Member):
    """Refund status, in the platform's words."""

    NO_REFUND = "NO_REFUND"  # before a case opens; appears only as a transition's source
    WAIT_SELLER_AGREE = "WAIT_SELLER_AGREE"
    WAIT_BUYER_RETURN_GOODS = "WAIT_BUYER_RETURN_GOODS"
    WAIT_SELLER_CONFIRM_GOODS = "WAIT_SELLER_CONFIRM_GOODS"
    SELLER_REFUSE_BUYER = "SELLER_REFUSE_BUYER"
    CLOSED = "CLOSED"
    SUCCESS = "SUCCESS"


class State(_Member):
    """Where a case is in its workflow: the platform's refund statuses, plus the
    stages of customer-service intervention, during which the refund keeps the
    platform status it had (``Case.status``)."""

    NO_REFUND = "NO_REFUND"
    WAIT_SELLER_AGREE = "WAIT_SELLER_AGREE"
    WAIT_BUYER_RETURN_GOODS = "WAIT_BUYER_RETURN_GOODS"
    WAIT_SELLER_CONFIRM_GOODS = "WAIT_SELLER_CONFIRM_GOODS"
    SELLER_REFUSE_BUYER = "SELLER_REFUSE_BUYER"
    CLOSED = "CLOSED"
    SUCCESS = "SUCCESS"
    # Customer-service intervention (the refund keeps its platform status)
    INTERVENTION_EVIDENCE = "INTERVENTION_EVIDENCE"
    INTERVENTION_SELLER_CONFIRM = "INTERVENTION_SELLER_CONFIRM"
    INTERVENTION_REVIEW = "INTERVENTION_REVIEW"
    INTERVENTION_OVERDUE = "INTERVENTION_OVERDUE"
    # Express refund: the buyer was paid but the goods never came back
    EXPRESS_NOT_RETURNED = "EXPRESS_NOT_RETURNED"
    # Exchange: the replacement is on its way to the buyer
    EXCHANGE_RESENT = "EXCHANGE_RESENT"
    # Quality claim (QUAL-3D): photos asked for, then the shop verifies
    QUALITY_WAIT_PHOTOS = "QUALITY_WAIT_PHOTOS"
    QUALITY_VERIFY = "QUALITY_VERIFY"


#: The platform status each state shows; None keeps the status the case had.
PLATFORM_STATUS: dict[State, Status | None] = {
    state: Status[state.name] if state.name in Status.__members__ else None for state in State
}
# A quality claim waits on the seller's side of the platform's request.
PLATFORM_STATUS[State.QUALITY_WAIT_PHOTOS] = Status.WAIT_SELLER_AGREE
PLATFORM_STATUS[State.QUALITY_VERIFY] = Status.WAIT_SELLER_AGREE


class Kind(_Member):
    """Which workflow a case follows."""

    REFUND_BEFORE_SHIPMENT = "refund_before_shipment"
    REFUND_ONLY = "refund_only"
    RETURN_AND_REFUND = "return_and_refund"
    EXPRESS_REFUND = "express_refund"
    EXCHANGE = "exchange"
    QUALITY_CLAIM = "quality_claim"


class Party(_Member):
    BUYER = "buyer"
    SELLER = "seller"
    PLATFORM = "platform"
    BOTH = "both"  # buyer and seller, e.g. the evidence period of an intervention


class Mode(enum.Enum):
    """How the platform judged an intervention (INT-MODES)."""

    JURY = "jury"  # public jury review
    STAFF = "staff"  # platform staff ("Xiaoer")


def _id(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    # 19-digit platform IDs exceed a float's precision: they stay strings.
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(
            f"{attribute.name} must be a non-empty string (platform IDs are 19 digits: "
            f"keep them as text), got {value!r}"
        )


@attrs.frozen(kw_only=True)
class OrderItem:
    """A sub-order (``oid``): refunds are per sub-order."""

    oid: str = attrs.field(validator=_id)
    paid: Money = attrs.field(converter=to_money)
    refunded: Money = attrs.field(default=Money.ZERO, converter=to_money)
    title: str = ""

    def __attrs_post_init__(self) -> None:
        if self.refunded > self.paid:
            raise InvalidInput(
                f"sub-order {self.oid}: already refunded {self.refunded} exceeds paid {self.paid}"
            )

    @property
    def refundable(self) -> Money:
        return self.paid - self.refunded if self.refunded else self.paid


def _items(value: Iterable[OrderItem]) -> tuple[OrderItem, ...]:
    return tuple(value)


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Order:
    """The facts of a trade that decide which timers apply."""

    id: str = attrs.field(validator=_id)
    paid: Money = attrs.field(converter=to_money)
    paid_at: pendulum.DateTime = attrs.field(converter=instant)
    shipped_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    signed_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    finished_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    items: tuple[OrderItem, ...] = attrs.field(default=(), converter=_items)
    #: A single-item order's sub-order (itself), made once: every request asks for it.
    _whole: OrderItem | None = attrs.field(
        default=None, init=False, eq=False, repr=False, alias="_whole"
    )

    def __attrs_post_init__(self) -> None:
        if self.shipped_at is not None and self.shipped_at < self.paid_at:
            raise InvalidInput(f"order {self.id}: shipped_at is before paid_at")
        if self.signed_at is not None:
            if self.shipped_at is None:
                raise InvalidInput(f"order {self.id}: signed_at given but the order never shipped")
            if self.signed_at < self.shipped_at:
                raise InvalidInput(f"order {self.id}: signed_at is before shipped_at")
        if self.finished_at is not None and self.finished_at < self.paid_at:
            raise InvalidInput(f"order {self.id}: finished_at is before paid_at")
        oids = [item.oid for item in self.items]
        if len(set(oids)) != len(oids):
            raise InvalidInput(f"order {self.id}: duplicate sub-order IDs")
        total = sum((item.paid.amount for item in self.items), start=Money.ZERO.amount)
        if total > self.paid.amount:
            raise InvalidInput(
                f"order {self.id}: sub-orders add up to {total:.2f}, more than paid {self.paid}"
            )

    def item(self, oid: str | None) -> OrderItem:
        """The sub-order a refund is about; a single-item order is its own sub-order."""
        if not self.items:
            if oid not in (None, self.id):
                raise InvalidInput(f"order {self.id} has no sub-order {oid!r}")
            whole = self._whole
            if whole is None:
                # OrderItem(oid=self.id, paid=self.paid), without checking again what
                # this order's own checks passed: every case opened asks for it.
                whole = object.__new__(OrderItem)
                object.__setattr__(whole, "oid", self.id)
                object.__setattr__(whole, "paid", self.paid)
                object.__setattr__(whole, "refunded", Money.ZERO)
                object.__setattr__(whole, "title", "")
                object.__setattr__(self, "_whole", whole)
            return whole
        if oid is None:
            if len(self.items) == 1:
                return self.items[0]
            raise InvalidInput(
                f"order {self.id} has {len(self.items)} sub-orders; name one with oid "
                f"({', '.join(i.oid for i in self.items)})"
            )
        for item in self.items:
            if item.oid == oid:
                return item
        known = ", ".join(i.oid for i in self.items)
        raise InvalidInput(f"order {self.id} has no sub-order {oid!r}; sub-orders: {known}")

    def shipped_by(self, at: pendulum.DateTime) -> bool:
        return self.shipped_at is not None and self.shipped_at <= at

    def signed_by(self, at: pendulum.DateTime) -> bool:
        return self.signed_at is not None and self.signed_at <= at


@attrs.frozen(kw_only=True)
class RefundRequested(Event):
    """The buyer opened a request (PRE-APPLY); the first event of every case's log."""

    type: ClassVar[str] = "refund_requested"
    case_id: str = attrs.field(validator=_id)
    kind: Kind = attrs.field(converter=Kind)
    order: Order
    amount: Money = attrs.field(converter=to_money)
    reason: str = ""
    oid: str | None = None
    description: str = ""
    evidence: tuple[str, ...] = attrs.field(default=(), converter=_texts)


# Made on every transition, so these write their fields straight into the instance
# dict: attrs' generated ``__init__`` for a frozen class also fetches a bound
# ``object.__setattr__`` it never uses without slots (docs/performance.md).
# tests/test_values.py checks each signature against the class's attrs fields.
@attrs.frozen(slots=False, init=False)
class Deadline:
    """The one running timer of a waiting state."""

    name: str
    due: pendulum.DateTime
    on_expiry: str
    rule: str
    waits_for: Party
    provisional: bool = False
    """Counted over a year whose holiday notice was not loaded, with the statutory
    holidays only (``Fallback.PROVISIONAL``): the final date may differ."""

    def __init__(
        self,
        name: str,
        due: pendulum.DateTime,
        on_expiry: str,
        rule: str,
        waits_for: Party,
        provisional: bool = False,
    ) -> None:
        values = self.__dict__
        values["name"] = name
        values["due"] = due
        values["on_expiry"] = on_expiry
        values["rule"] = rule
        values["waits_for"] = waits_for
        values["provisional"] = provisional

    @functools.cached_property
    def due_timestamp(self) -> float:
        """``due`` as POSIX seconds, worked out once: the board sorts thousands of these."""
        return self.due.timestamp()


@attrs.frozen(slots=False, init=False)
class Transition:
    """One line of a case's history."""

    at: pendulum.DateTime
    source: State
    target: State
    trigger: str  # an event type, or "timeout:<deadline name>"
    rule: str
    event_id: str | None = None

    def __init__(
        self,
        at: pendulum.DateTime,
        source: State,
        target: State,
        trigger: str,
        rule: str,
        event_id: str | None = None,
    ) -> None:
        values = self.__dict__
        values["at"] = at
        values["source"] = source
        values["target"] = target
        values["trigger"] = trigger
        values["rule"] = rule
        values["event_id"] = event_id


@attrs.frozen(slots=False)
class Ruling:
    """The platform's decision on an intervention (INT-OUTCOME)."""

    at: pendulum.DateTime
    favours: Party  # BUYER or SELLER
    mode: Mode
    seller_liable: bool


@attrs.frozen(slots=False)
class Evidence:
    """Something a party uploaded: photos, a chat log, an inspection report..."""

    at: pendulum.DateTime
    party: Party
    kind: str
    note: str = ""


@attrs.frozen(slots=False)
class CaseMessage:
    """A message left on the case page during intervention (INT-MESSAGE)."""

    at: pendulum.DateTime
    party: Party
    text: str


@attrs.frozen(slots=False)
class ReturnShipment:
    """Goods on their way back to the seller: a return, or a parcel refused at delivery."""

    at: pendulum.DateTime
    carrier: str = ""
    tracking: str = ""
    surface_mail: bool = False
    refused_delivery: bool = False


# Not slotted: the engine's ``evolve_case`` copies a case's ``__dict__``, which is
# several times faster than ``__init__`` with two dozen fields (docs/performance.md).
@attrs.frozen(kw_only=True, slots=False)
class Case:
    """One after-sales case: an immutable value the engine replaces on every step.

    ``log`` is every accepted event, the opening request first; replaying it
    with :func:`aftersales.replay` gives this case back.
    """

    id: str
    kind: Kind
    order: Order
    oid: str
    state: State
    status: Status
    requested: Money
    reason: str
    opened_at: pendulum.DateTime
    changed_at: pendulum.DateTime
    deadline: Deadline | None = None
    refunded: Money = Money.ZERO
    intervention_available_from: pendulum.DateTime | None = None
    refusal_reason: str | None = None
    return_shipment: ReturnShipment | None = None
    #: What the seller ends up paying; differs from ``refunded`` only when the
    #: platform paid first and the seller's appeal succeeded (RET-EXPRESS).
    charged_to_seller: Money = Money.ZERO
    intervention_requested_at: pendulum.DateTime | None = None
    ruling: Ruling | None = None
    #: A platform deadline that passed with no ruling (INT-REVIEW-4WD).
    overdue: Deadline | None = None
    #: Until when the buyer may file a complaint (COMPLAINT-15D).
    complaint_until: pendulum.DateTime | None = None
    evidence: tuple[Evidence, ...] = ()
    messages: tuple[CaseMessage, ...] = ()
    #: How the shop settled a quality claim: return, exchange, repair or discount (QUAL-3D).
    remedy: str | None = None
    #: The cost the shop bears for a repair or exchange (QUAL-3D, POST-SELLER-FAULT).
    shop_cost: Money = Money.ZERO
    history: tuple[Transition, ...] = ()
    log: tuple[Event, ...] = ()

    @property
    def phase(self) -> str:
        """``aftersale`` once the trade had succeeded before the request, else ``onsale``."""
        finished = self.order.finished_at
        return "aftersale" if finished is not None and finished <= self.opened_at else "onsale"

    @property
    def is_dispute_refund(self) -> bool:
        """The platform intervened and ruled for the buyer (INT-DISPUTE, DISPUTE-RATE)."""
        return self.ruling is not None and self.ruling.favours is Party.BUYER

    @property
    def item(self) -> OrderItem:
        return self.order.item(self.oid)

    @property
    def waiting_for(self) -> Party | None:
        return None if self.deadline is None else self.deadline.waits_for

    @property
    def is_final(self) -> bool:
        return self.state in (State.CLOSED, State.SUCCESS)

    def has_seen(self, event_id: str) -> bool:
        return any(event.id == event_id for event in self.log)


CASE_FIELDS = frozenset(a.name for a in attrs.fields(Case))
_CASE_DEFAULTS = {a.name: a.default for a in attrs.fields(Case) if a.default is not attrs.NOTHING}


def new_case(
    *,
    id: str,
    kind: Kind,
    order: Order,
    oid: str,
    state: State,
    status: Status,
    requested: Money,
    reason: str,
    opened_at: pendulum.DateTime,
    changed_at: pendulum.DateTime,
    history: tuple[Transition, ...],
    log: tuple[Event, ...],
) -> Case:
    """``Case(...)`` for the engine's hot path: the defaults and the required fields in
    one dict, from values the engine has already checked."""
    values = _CASE_DEFAULTS.copy()  # a copy and item stores: half the cost of a merge
    values["id"] = id
    values["kind"] = kind
    values["order"] = order
    values["oid"] = oid
    values["state"] = state
    values["status"] = status
    values["requested"] = requested
    values["reason"] = reason
    values["opened_at"] = opened_at
    values["changed_at"] = changed_at
    values["history"] = history
    values["log"] = log
    case = object.__new__(Case)
    object.__setattr__(case, "__dict__", values)
    return case


def evolve_case(case: Case, changes: dict[str, Any]) -> Case:
    """``attrs.evolve`` for the engine's hot path: one dict merge instead of ``__init__``.

    The engine builds ``changes`` itself from values that are already valid, so
    there is nothing to convert; an unknown name is still an error.
    """
    if not changes.keys() <= CASE_FIELDS:
        raise TypeError(f"Case has no field {sorted(changes.keys() - CASE_FIELDS)}")
    values = case.__dict__.copy()
    values.update(changes)
    new = object.__new__(Case)
    object.__setattr__(new, "__dict__", values)
    return new
