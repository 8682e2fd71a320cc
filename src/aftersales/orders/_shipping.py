"""The shipping watch: when an order must ship, whether it did, what a miss costs.

The ship-by deadline runs from payment: 48 natural hours on Taobao (SHIP-48H),
72 on Tmall (SHIP-72H), or the listing's own promise. The seller cannot move it
(SHIP-NO-EXTEND): a shop notice is recorded and changes nothing. Only the
platform can, with a holiday shipping period the shop enters as data
(:class:`aftersales.HolidayShipping`). A miss owes the buyer compensation
(LATE-COMP-TAOBAO, LATE-COMP-TMALL) and starts the buyer's escalation path
(SHIP-ESCALATION); the shop should apologise and pay before the buyer complains.

:func:`watch_order` is pure: the order facts, the events so far, the policy and
the instant to judge at go in; a :class:`ShippingWatch` value comes out.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any, ClassVar

import attrs
import pendulum

from ..core._case import Order, OrderItem
from ..core._duration import Duration, Unit, deadline_after
from ..core._effects import NotifyBuyer
from ..core._errors import CalendarHorizonError, InvalidInput
from ..core._instant import instant, optional_instant
from ..core._money import Money, to_money
from ..core._policy import HolidayShipping, Policy
from ._tracking import (
    FakeKind,
    FakeShipmentFlag,
    Parcel,
    ParcelReport,
    ParcelShipped,
    ParcelStatus,
    TrackingScan,
    check_parcels,
)

__all__ = [
    "LATE_APOLOGY_TEMPLATE",
    "TRADE_STATUS",
    "CompensationGroup",
    "EscalationStep",
    "Fulfilment",
    "LateShipmentApology",
    "LateTrade",
    "ParcelSigned",
    "ShipBy",
    "ShippingEvent",
    "ShippingWatch",
    "ShopNotice",
    "SubOrderShipment",
    "combine_compensation",
    "late_compensation",
    "late_shipment_points",
    "ship_by",
    "watch_order",
]

LATE_APOLOGY_TEMPLATE = "shipping/late_apology.txt"
_CENT = Decimal("0.01")


# -- events ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ParcelSigned:
    """The buyer (or a locker, a neighbour) signed for the goods: the trade is signed."""

    type: ClassVar[str] = "signed"
    at: pendulum.DateTime = attrs.field(converter=instant)
    tracking: str | None = None
    by: str = ""


@attrs.frozen(kw_only=True)
class ShopNotice:
    """A shop announcement or chat message about shipping ("ships after the holiday").

    Recorded, never obeyed: the seller cannot extend the deadline (SHIP-NO-EXTEND).
    """

    type: ClassVar[str] = "shop_notice"
    at: pendulum.DateTime = attrs.field(converter=instant)
    text: str = ""
    claimed_ship_by: pendulum.DateTime | None = attrs.field(
        default=None, converter=optional_instant
    )


ShippingEvent = ParcelShipped | TrackingScan | ParcelSigned | ShopNotice


# -- the ship-by deadline -----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ShipBy:
    """When an order must ship, and why."""

    due: pendulum.DateTime
    #: SHIP-48H (Taobao, and any listing promise) or SHIP-72H (Tmall).
    rule: str
    #: "platform" (the rule's hours), "listing" (its own promise) or "holiday".
    basis: str
    #: What the rule or the listing alone gives, before any holiday period.
    standard_due: pendulum.DateTime
    #: The platform-announced period that moved it, if any (the shop's declared data).
    period: HolidayShipping | None = None

    @property
    def explanation(self) -> str:
        text = f"ship by {self.due.isoformat()} ({self.rule}, {self.basis})"
        if self.period is not None:
            text += f"; holiday period {self.period.name!r} ({self.period.source})"
        return text


def _base_rule(policy: Policy) -> str:
    return "SHIP-72H" if policy.marketplace == "tmall" else "SHIP-48H"


def ship_by(
    paid_at: pendulum.DateTime,
    policy: Policy,
    *,
    promised: Duration | None = None,
    notices: Iterable[ShopNotice] = (),
) -> ShipBy:
    """The ship-by deadline of an order paid at ``paid_at``.

    ``promised`` is the listing's own ship time (SHIP-48H: it replaces the default
    and shows on the order page). A holiday period in ``policy.holiday_shipping``
    covering ``paid_at`` gives the later of its date and the usual deadline.
    ``notices`` are accepted so callers can pass what the shop said; they never
    change the result (SHIP-NO-EXTEND).
    """
    del notices  # SHIP-NO-EXTEND: a shop notice never moves the deadline
    paid_at = instant(paid_at)
    tz, calendar = policy.tz, policy.calendar
    length = promised if promised is not None else policy.ship_within
    standard = deadline_after(paid_at, length, calendar, tz)
    result = ShipBy(
        due=standard,
        rule=_base_rule(policy),
        basis="listing" if promised is not None else "platform",
        standard_due=standard,
    )
    for period in policy.holiday_shipping:
        if not period.covers(paid_at):
            continue
        if period.ship_by is not None:
            due = period.ship_by.in_timezone(tz)
        else:
            assert period.extra is not None  # HolidayShipping checks exactly one is given
            due = deadline_after(standard, period.extra, calendar, tz)
        if due > result.due:
            result = attrs.evolve(result, due=due, basis="holiday", period=period)
    return result


# -- compensation --------------------------------------------------------------------------


def _comp_rule(policy: Policy) -> str:
    return "LATE-COMP-TMALL" if policy.marketplace == "tmall" else "LATE-COMP-TAOBAO"


def _one_trade(price: Money, policy: Policy) -> Money:
    """A share of the price, at least the floor (per trade, before any cap)."""
    if not price:
        return Money.ZERO
    share = Money((price.amount * policy.late_comp_rate).quantize(_CENT, rounding=ROUND_HALF_UP))
    return max(share, policy.late_comp_floor, key=lambda m: m.amount)


def late_compensation(price: Money | Decimal | int | str, policy: Policy) -> Money:
    """Compensation for one late trade: ``late_comp_rate`` of the late goods' paid
    price, at least ``late_comp_floor``, at most ``late_comp_cap``; 0.00 for 0.00.

    LATE-COMP-TAOBAO: 5%, 5 to 30 yuan. LATE-COMP-TMALL: 30%, at least 5, 500 at most.
    """
    amount = _one_trade(to_money(price), policy)
    return min(amount, policy.late_comp_cap, key=lambda m: m.amount)


def late_shipment_points(
    upheld: Iterable[pendulum.DateTime], policy: Policy, *, at: pendulum.DateTime
) -> int:
    """Points a shop carries for late shipments as of ``at``: ``late_ship_points`` per
    complaint upheld in the ``late_ship_points_window`` before ``at`` while the buyer's
    compensation was unpaid, at most ``late_ship_points_cap`` (0: no cap).

    LATE-COMP-TAOBAO: 3 points a case, no cap. LATE-COMP-TMALL: 1 point a case, at
    most 6 in 30 days. ``upheld`` are the instants the complaints were upheld.
    """
    at = instant(at)
    start = _window_start(at, policy)
    cases = sum(1 for t in upheld if start < instant(t) <= at)
    points = cases * policy.late_ship_points
    cap = policy.late_ship_points_cap
    return min(points, cap) if cap else points


def _window_start(at: pendulum.DateTime, policy: Policy) -> pendulum.DateTime:
    """The instant ``late_ship_points_window`` before ``at`` (the window is rolling)."""
    window = policy.late_ship_points_window
    if window.unit is Unit.HOURS:
        return at.subtract(hours=window.amount)
    if window.unit is Unit.DAYS:
        return at.in_timezone(policy.tz).subtract(days=window.amount)
    raise InvalidInput(
        f"late_ship_points_window is {window}; a rolling window is counted in hours or days"
    )


@attrs.frozen(kw_only=True)
class LateTrade:
    """One late trade, for combining a buyer's trades (LATE-COMP-TMALL)."""

    order_id: str
    buyer: str
    paid_at: pendulum.DateTime = attrs.field(converter=instant)
    #: The paid price of the goods that shipped late (the whole order, or late sub-orders).
    late_price: Money = attrs.field(converter=to_money)


@attrs.frozen(kw_only=True)
class CompensationGroup:
    """Same-buyer trades paid within ``late_comp_combine_within`` of the group's first.

    ``shares`` splits ``amount`` over the trades in payment order: each trade gets
    its own compensation until the cap is used up, so the shares add up exactly.
    """

    buyer: str
    order_ids: tuple[str, ...]
    uncapped: Money
    amount: Money
    shares: tuple[tuple[str, Money], ...]
    rule: str

    @property
    def capped(self) -> bool:
        return self.amount < self.uncapped

    def share_of(self, order_id: str) -> Money:
        return dict(self.shares)[order_id]


def combine_compensation(
    trades: Iterable[LateTrade], policy: Policy
) -> tuple[CompensationGroup, ...]:
    """Compensation for late trades, combining a buyer's trades where the rule says so.

    LATE-COMP-TMALL: several trades of one buyer paid within 24 hours are combined
    and the total capped at 500 yuan (each trade at least 5). A group starts at a
    buyer's earliest unassigned trade and takes the trades paid less than
    ``late_comp_combine_within`` after it. With the Taobao preset the window is 0:
    every trade is its own group, capped on its own (LATE-COMP-TAOBAO).
    """
    by_buyer: dict[str, list[LateTrade]] = {}
    seen: set[str] = set()
    for trade in trades:
        if trade.order_id in seen:
            raise InvalidInput(f"order {trade.order_id} is listed twice")
        seen.add(trade.order_id)
        by_buyer.setdefault(trade.buyer, []).append(trade)
    groups = []
    for buyer in sorted(by_buyer):
        pending = sorted(by_buyer[buyer], key=lambda t: (t.paid_at, t.order_id))
        while pending:
            first = pending[0]
            window = policy.late_comp_combine_within
            end = deadline_after(first.paid_at, window, policy.calendar, policy.tz)
            members = [first, *(t for t in pending[1:] if window.amount and t.paid_at < end)]
            pending = [t for t in pending if t not in members]
            groups.append(_group(buyer, members, policy))
    return tuple(groups)


def _group(buyer: str, members: Sequence[LateTrade], policy: Policy) -> CompensationGroup:
    each = [(t.order_id, _one_trade(t.late_price, policy)) for t in members]
    uncapped = sum((m for _, m in each), start=Money.ZERO)
    amount = min(uncapped, policy.late_comp_cap, key=lambda m: m.amount)
    left = amount
    shares = []
    for order_id, owed in each:
        share = min(owed, left, key=lambda m: m.amount)
        shares.append((order_id, share))
        left -= share
    return CompensationGroup(
        buyer=buyer,
        order_ids=tuple(t.order_id for t in members),
        uncapped=uncapped,
        amount=amount,
        shares=tuple(shares),
        rule=_comp_rule(policy),
    )


# -- escalation ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class EscalationStep:
    """One step a buyer with a late order is likely to take (SHIP-ESCALATION)."""

    stage: str
    #: The earliest the buyer is likely to take it; None past the work calendar's horizon.
    from_: pendulum.DateTime | None
    #: When that channel answers or acts, if it says.
    until: pendulum.DateTime | None
    note: str
    rule: str = "SHIP-ESCALATION"


def _escalation(due: pendulum.DateTime, policy: Policy) -> tuple[EscalationStep, ...]:
    tz, cal = policy.tz, policy.calendar
    service_done = deadline_after(due, policy.escalation_service_wait, cal, tz)
    # The complaint review counts working days. Past the calendar's horizon the
    # watch still reports lateness and compensation; only these timings go unknown.
    complaint_done: pendulum.DateTime | None
    black_cat_done: pendulum.DateTime | None
    try:
        complaint_done = deadline_after(service_done, policy.escalation_complaint_review, cal, tz)
        black_cat_done = deadline_after(complaint_done, policy.escalation_black_cat_wait, cal, tz)
    except CalendarHorizonError:
        complaint_done = black_cat_done = None
    asks = "shipment + compensation, or refund + compensation"
    return (
        EscalationStep(
            stage="seller_chat",
            from_=due,
            until=None,
            note=f"the buyer asks the shop in chat; answer at once with tracking and {asks}",
        ),
        EscalationStep(
            stage="platform_service",
            from_=due,
            until=service_done,
            note="platform bot or human service; it waits for the seller to act",
        ),
        EscalationStep(
            stage="phone_service",
            from_=service_done,
            until=None,
            note="the buyer phones platform service",
        ),
        EscalationStep(
            stage="order_complaint",
            from_=service_done,
            until=complaint_done,
            note=(
                "formal complaint on the order page; the seller is asked to negotiate first, "
                "the platform steps in if the seller does not contact the buyer in time; the "
                f"buyer asks for {asks} and keeps it open until real tracking appears"
            ),
        ),
        EscalationStep(
            stage="black_cat",
            from_=complaint_done,
            until=black_cat_done,
            note="Black Cat complaint (黑猫投诉): a public warning, no ruling",
        ),
        EscalationStep(
            stage="regulator_12315",
            from_=black_cat_done,
            until=None,
            note="12315 complaint to the market regulator where the shop is registered",
        ),
    )


# -- the watch -----------------------------------------------------------------------------


class Fulfilment(enum.Enum):
    """Where an order's goods are, derived from its events."""

    PAID = "paid"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"  # marked shipped, no carrier scan yet
    COLLECTED = "collected"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    SIGNED = "signed"
    RETURNED_TO_SENDER = "returned_to_sender"


#: The platform's trade status for each fulfilment state.
TRADE_STATUS: Mapping[Fulfilment, str] = MappingProxyType(
    {
        Fulfilment.PAID: "WAIT_SELLER_SEND_GOODS",
        Fulfilment.PARTIALLY_SHIPPED: "SELLER_CONSIGNED_PART",
        Fulfilment.SHIPPED: "WAIT_BUYER_CONFIRM_GOODS",
        Fulfilment.COLLECTED: "WAIT_BUYER_CONFIRM_GOODS",
        Fulfilment.IN_TRANSIT: "WAIT_BUYER_CONFIRM_GOODS",
        Fulfilment.DELIVERED: "WAIT_BUYER_CONFIRM_GOODS",
        Fulfilment.SIGNED: "TRADE_BUYER_SIGNED",
        Fulfilment.RETURNED_TO_SENDER: "WAIT_BUYER_CONFIRM_GOODS",
    }
)

#: A parcel's status as the order's fulfilment; the least advanced parcel wins.
_FULFILMENT_OF: Mapping[ParcelStatus, Fulfilment] = MappingProxyType(
    {
        ParcelStatus.AWAITING_COLLECTION: Fulfilment.SHIPPED,
        ParcelStatus.COLLECTED: Fulfilment.COLLECTED,
        ParcelStatus.IN_TRANSIT: Fulfilment.IN_TRANSIT,
        ParcelStatus.OUT_FOR_DELIVERY: Fulfilment.IN_TRANSIT,
        ParcelStatus.EXCEPTION: Fulfilment.IN_TRANSIT,
        ParcelStatus.DELIVERED: Fulfilment.DELIVERED,
        ParcelStatus.RETURNING: Fulfilment.RETURNED_TO_SENDER,
        ParcelStatus.RETURNED: Fulfilment.RETURNED_TO_SENDER,
    }
)
_PROGRESS = (Fulfilment.SHIPPED, Fulfilment.COLLECTED, Fulfilment.IN_TRANSIT, Fulfilment.DELIVERED)


@attrs.frozen(kw_only=True)
class SubOrderShipment:
    """When one sub-order (``oid``) shipped, in which parcel, and whether in time."""

    oid: str
    paid: Money
    shipped_at: pendulum.DateTime | None
    tracking: str | None
    late: bool


@attrs.frozen(kw_only=True)
class LateShipmentApology(NotifyBuyer):
    """Apologise to the buyer for the late shipment and state the compensation.

    The template's context is exactly ``order_id`` (str), ``ship_by`` (datetime)
    and ``compensation`` (Money).
    """

    order_id: str
    ship_by: pendulum.DateTime
    compensation: Money

    @property
    def context(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "ship_by": self.ship_by,
            "compensation": self.compensation,
        }


@attrs.frozen(kw_only=True)
class ShippingWatch:
    """An order's shipping as of ``at``: deadline, progress, lateness, flags."""

    order_id: str
    at: pendulum.DateTime
    ship_by: ShipBy
    state: Fulfilment
    sub_orders: tuple[SubOrderShipment, ...]
    late: bool
    #: What this order's buyer is owed; 0.00 when the order is not late.
    compensation: Money
    #: The group the compensation was worked out in (other same-buyer trades).
    compensation_group: CompensationGroup | None
    escalation: tuple[EscalationStep, ...]
    parcels: tuple[ParcelReport, ...]
    fake_flags: tuple[FakeShipmentFlag, ...]
    #: Shop notices seen; none moved the deadline (SHIP-NO-EXTEND).
    notices: tuple[ShopNotice, ...]
    effects: tuple[NotifyBuyer, ...]
    signed_at: pendulum.DateTime | None = None
    #: Points the shop loses if a complaint about this late trade is upheld before the
    #: compensation is paid (LATE-COMP-TAOBAO: 3, LATE-COMP-TMALL: 1); 0 when not late.
    #: The shop's total is capped on Tmall: :func:`late_shipment_points`.
    points_at_risk: int = 0

    @property
    def trade_status(self) -> str:
        return TRADE_STATUS[self.state]

    @property
    def late_oids(self) -> tuple[str, ...]:
        return tuple(s.oid for s in self.sub_orders if s.late)

    @property
    def compensation_rule(self) -> str | None:
        return None if self.compensation_group is None else self.compensation_group.rule


def _sub_orders(order: Order) -> tuple[OrderItem, ...]:
    return order.items or (OrderItem(oid=order.id, paid=order.paid),)


def _assign(
    order: Order, shipments: Sequence[ParcelShipped]
) -> dict[str, tuple[pendulum.DateTime, str | None]]:
    """Each sub-order's first shipment; a shipment with no oids takes the rest."""
    known = {item.oid for item in _sub_orders(order)}
    first: dict[str, tuple[pendulum.DateTime, str | None]] = {}
    for shipment in shipments:
        unknown = sorted(set(shipment.oids) - known)
        if unknown:
            raise InvalidInput(
                f"order {order.id}: shipment {shipment.tracking} names unknown sub-order(s) "
                f"{', '.join(unknown)}; sub-orders: {', '.join(sorted(known))}"
            )
        oids = shipment.oids or tuple(o for o in sorted(known) if o not in first)
        for oid in oids:
            first.setdefault(oid, (shipment.at, shipment.tracking))
    return first


def _parcels(
    order: Order,
    shipments: Sequence[ParcelShipped],
    scans: Sequence[TrackingScan],
    buyer: str | None,
) -> list[Parcel]:
    """Attach scans to parcels: by tracking number, else the latest parcel shipped before."""
    by_key: dict[str, list[TrackingScan]] = {}
    keyed = {_key(s.tracking): s for s in shipments}
    for scan in scans:
        if scan.tracking is not None:
            key = _key(scan.tracking)
            if key not in keyed:
                raise InvalidInput(
                    f"order {order.id}: scan at {scan.at.isoformat()} names tracking "
                    f"{scan.tracking}, which no shipment of this order has"
                )
        else:
            before = [s for s in shipments if s.at <= scan.at]
            if not before:
                raise InvalidInput(
                    f"order {order.id}: scan at {scan.at.isoformat()} comes before any shipment"
                )
            key = _key(before[-1].tracking)
        by_key.setdefault(key, []).append(scan)
    return [
        Parcel(order_id=order.id, shipment=s, scans=by_key.get(k, ()), buyer=buyer)
        for k, s in keyed.items()
    ]


def _state(
    items: tuple[OrderItem, ...],
    shipped: Mapping[str, object],
    reports: Sequence[ParcelReport],
    signed: bool,
) -> Fulfilment:
    if not shipped:
        return Fulfilment.PAID
    if len(shipped) < len(items):
        return Fulfilment.PARTIALLY_SHIPPED
    if signed:
        return Fulfilment.SIGNED
    states = [_FULFILMENT_OF[r.status] for r in reports]
    if not states:  # shipped per the order facts, no parcel known
        return Fulfilment.SHIPPED
    if Fulfilment.RETURNED_TO_SENDER in states:
        return Fulfilment.RETURNED_TO_SENDER
    return min(states, key=_PROGRESS.index)


def _signed_for(
    report: ParcelReport, shipments: Sequence[ParcelShipped], signings: Sequence[ParcelSigned]
) -> ParcelReport:
    """A parcel the buyer signed for reached the buyer: it was no fake, whatever the scans."""
    shipped = next(s for s in shipments if s.tracking == report.tracking)
    signed = any(
        shipped.at <= e.at and (e.tracking is None or _key(e.tracking) == _key(report.tracking))
        for e in signings
    )
    if not signed:
        return report
    kept = tuple(f for f in report.flags if f.kind is FakeKind.REUSED_TRACKING)
    return attrs.evolve(report, flags=kept)


def _key(tracking: str) -> str:
    return "".join(tracking.split()).upper()


def watch_order(
    order: Order,
    events: Iterable[ShippingEvent],
    policy: Policy,
    *,
    at: pendulum.DateTime,
    promised: Duration | None = None,
    buyer: str | None = None,
    other_parcels: Iterable[Parcel] = (),
    other_late_trades: Iterable[LateTrade] = (),
    shipped: Mapping[str, pendulum.DateTime] | None = None,
) -> ShippingWatch:
    """Watch one order's shipping as of ``at``.

    - ``events``: shipments, carrier scans, signing and shop notices; those after
      ``at`` are ignored. ``order.shipped_at`` / ``signed_at``, when set and no
      event says otherwise, count as a shipment of everything / a signing.
    - ``promised``: the listing's own ship time, if it promised one.
    - ``other_parcels``: the shop's other parcels, to catch a reused tracking number.
    - ``other_late_trades``: the same buyer's other late trades, combined with this
      one where the policy says so (LATE-COMP-TMALL); needs ``buyer``.
    - ``shipped``: sub-orders the platform reports shipped (oid -> when) with no
      carrier scans to check, as a trade export has them: they count as shipped
      for lateness, and raise no fake-shipment flag.

    A sub-order shipped at or after the deadline is late (a deadline is a
    boundary: at the due instant it has run out), and so is one still unshipped
    once it has passed.
    """
    at = instant(at)
    if at < order.paid_at:
        raise InvalidInput(f"order {order.id}: {at.isoformat()} is before payment")
    seen = [e for e in events if e.at <= at]
    notices = tuple(e for e in seen if isinstance(e, ShopNotice))
    deadline = ship_by(order.paid_at, policy, promised=promised, notices=notices)
    shipments = sorted(
        (e for e in seen if isinstance(e, ParcelShipped)), key=lambda s: (s.at, s.tracking)
    )
    for shipment in shipments:
        if shipment.at < order.paid_at:
            raise InvalidInput(f"order {order.id}: shipment {shipment.tracking} before payment")
    scans = [e for e in seen if isinstance(e, TrackingScan)]
    signings = sorted((e for e in seen if isinstance(e, ParcelSigned)), key=lambda e: e.at)
    items = _sub_orders(order)
    first = _assign(order, shipments)
    if not shipments and order.shipped_at is not None and order.shipped_at <= at:
        first = {item.oid: (order.shipped_at, None) for item in items}
    for oid, reported in (shipped or {}).items():
        if oid not in first and reported <= at:
            first[oid] = (instant(reported), None)
    parcels = _parcels(order, shipments, scans, buyer)
    reports = check_parcels([*parcels, *other_parcels], at, policy)
    own = tuple(_signed_for(r, shipments, signings) for r in reports if r.order_id == order.id)

    due = deadline.due
    subs = []
    for item in items:
        when = first.get(item.oid)
        shipped_at = None if when is None else when[0]
        late = (shipped_at is None and at >= due) or (shipped_at is not None and shipped_at >= due)
        tracking = None if when is None else when[1]
        subs.append(
            SubOrderShipment(
                oid=item.oid, paid=item.paid, shipped_at=shipped_at, tracking=tracking, late=late
            )
        )
    late = any(s.late for s in subs)

    signed_at = signings[0].at if signings else None
    if signed_at is None and order.signed_at is not None and order.signed_at <= at:
        signed_at = order.signed_at
    state = _state(items, first, own, signed_at is not None)

    compensation, group = Money.ZERO, None
    effects: tuple[NotifyBuyer, ...] = ()
    escalation: tuple[EscalationStep, ...] = ()
    if late:
        # LATE-COMP-*: a share of the paid price of the goods that shipped late
        late_price = sum((s.paid for s in subs if s.late), start=Money.ZERO)
        mine = LateTrade(
            order_id=order.id, buyer=buyer or order.id, paid_at=order.paid_at, late_price=late_price
        )
        others = list(other_late_trades)
        if others and buyer is None:
            raise InvalidInput("other_late_trades needs the order's buyer")
        groups = combine_compensation([mine, *others], policy)
        group = next(g for g in groups if order.id in g.order_ids)
        compensation = group.share_of(order.id)
        escalation = _escalation(due, policy)
        effects = (
            LateShipmentApology(
                template=LATE_APOLOGY_TEMPLATE,
                rule=group.rule,
                order_id=order.id,
                ship_by=due.in_timezone(policy.tz),
                compensation=compensation,
            ),
        )

    return ShippingWatch(
        order_id=order.id,
        at=at,
        ship_by=deadline,
        state=state,
        sub_orders=tuple(subs),
        late=late,
        compensation=compensation,
        compensation_group=group,
        escalation=escalation,
        parcels=own,
        fake_flags=tuple(f for r in own for f in r.flags),
        notices=notices,
        effects=effects,
        signed_at=signed_at,
        points_at_risk=policy.late_ship_points if late else 0,
    )
