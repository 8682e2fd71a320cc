"""Hypothesis strategies for aftersales values.

Requires the hypothesis package (the ``testing`` extra). Every function returns
a ``SearchStrategy``; arguments that shape a draw are strategies or plain
bounds, in Hypothesis' own style. Instants default to 2025-2026, the years the
packaged work calendar knows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import pendulum
from hypothesis import strategies as st

from ..core._case import Case, Kind, Order, OrderItem, RefundRequested
from ..core._duration import Duration
from ..core._events import (
    EVENT_TYPES,
    REMEDIES,
    BuyerCancelled,
    BuyerConfirmedReceipt,
    BuyerModified,
    BuyerRefusedDelivery,
    BuyerShippedReturn,
    Event,
    EvidenceSubmitted,
    InterventionRequested,
    MessageLeft,
    PlatformRuled,
    SellerAcceptedEvidence,
    SellerAgreed,
    SellerConfirmedReceipt,
    SellerRefused,
    SellerResent,
    SellerResolved,
    SellerShipped,
)
from ..core._money import Money
from ..core._policy import HolidayShipping, Policy, preset
from ..core._workflows import WORKFLOWS
from ..orders._shipping import LateTrade
from ..orders._tracking import Parcel, ParcelShipped, ScanStatus, TrackingScan

__all__ = [
    "TRACKING_SHAPES",
    "case_histories",
    "event_sequences",
    "events",
    "holiday_periods",
    "instants",
    "late_trades",
    "likely_types",
    "money",
    "orders",
    "policies",
    "refund_requests",
    "ship_promises",
    "tracking_histories",
]

SHANGHAI = pendulum.timezone("Asia/Shanghai")
_START = pendulum.datetime(2025, 1, 1, tz=SHANGHAI)
_END = pendulum.datetime(2026, 10, 31, tz=SHANGHAI)


def money(
    *, min_value: Money | str = "0.00", max_value: Money | str = "5000.00"
) -> st.SearchStrategy[Money]:
    """Amounts in whole fen between the bounds."""
    low, high = Money.of(min_value).fen, Money.of(max_value).fen
    return st.integers(low, high).map(Money.from_fen)


def instants(
    *,
    min_value: pendulum.DateTime = _START,
    max_value: pendulum.DateTime = _END,
    timezones: Sequence[str] = ("Asia/Shanghai", "UTC"),
) -> st.SearchStrategy[pendulum.DateTime]:
    """Aware instants to the second, in a few zones (the engine must not care which)."""
    span = int((max_value - min_value).total_seconds())
    return st.builds(
        lambda offset, zone: min_value.add(seconds=offset).in_timezone(zone),
        st.integers(0, span),
        st.sampled_from(list(timezones)),
    )


def _after(
    start: pendulum.DateTime, max_delta: dt.timedelta
) -> st.SearchStrategy[pendulum.DateTime]:
    return st.integers(0, int(max_delta.total_seconds())).map(lambda s: start.add(seconds=s))


@st.composite
def orders(
    draw: st.DrawFn,
    *,
    kind: Kind | None = None,
    paid_at: st.SearchStrategy[pendulum.DateTime] | None = None,
    max_items: int = 3,
) -> Order:
    """Orders whose shipping and signing facts fit ``kind`` (any fit when None).

    Orders are shipped, signed and finished (or not) within 4 days of payment;
    :func:`refund_requests` asks after that.
    """
    paid_time = draw(paid_at if paid_at is not None else instants())
    n_items = draw(st.integers(0, max_items))
    prices = [draw(money(min_value="0.01", max_value="2000.00")) for _ in range(n_items)]
    first_oid = draw(st.integers(10**18, 10**19 - 10))
    items = tuple(
        OrderItem(
            oid=str(first_oid + i),
            paid=price,
            refunded=draw(money(max_value=price)) if draw(st.booleans()) else Money.ZERO,
        )
        for i, price in enumerate(prices)
    )
    if items:
        # keep at least one sub-order with something left to refund
        items = (OrderItem(oid=items[0].oid, paid=items[0].paid), *items[1:])
    extra = draw(money(min_value="0.01" if not items else "0.00", max_value="100.00"))
    paid = Money(sum((p.amount for p in prices), start=extra.amount))
    if kind is None:
        stage = draw(st.sampled_from(["paid", "shipped", "signed", "finished"]))
    elif kind is Kind.REFUND_BEFORE_SHIPMENT:
        stage = "paid"
    elif kind is Kind.REFUND_ONLY:
        stage = draw(st.sampled_from(["shipped", "signed", "finished"]))
    else:
        stage = draw(st.sampled_from(["signed", "signed", "finished"]))
    shipped_at = signed_at = finished_at = None
    if stage != "paid":
        shipped_at = draw(_after(paid_time, dt.timedelta(hours=48)))
    if stage in ("signed", "finished") and shipped_at is not None:
        signed_at = draw(_after(shipped_at, dt.timedelta(hours=47)))
    if stage == "finished" and signed_at is not None:
        finished_at = draw(_after(signed_at, dt.timedelta(hours=24)))
    return Order(
        id=f"{draw(st.integers(10**18, 10**19 - 1))}",
        paid=paid,
        paid_at=paid_time,
        shipped_at=shipped_at,
        signed_at=signed_at,
        finished_at=finished_at,
        items=items,
    )


@st.composite
def refund_requests(
    draw: st.DrawFn,
    *,
    kinds: st.SearchStrategy[Kind] | None = None,
) -> RefundRequested:
    """An opening request consistent with its order and kind, for a partial or full amount."""
    kind = draw(kinds if kinds is not None else st.sampled_from(list(Kind)))
    order = draw(orders(kind=kind))
    item = draw(st.sampled_from(order.items)) if order.items else order.item(None)
    if not item.refundable:
        item = order.items[0] if order.items else item
    amount = draw(money(min_value="0.01", max_value=item.refundable))
    # after-sale requests fall inside the 15-day window of the taobao preset;
    # quality claims come within the 3 days after receipt (QUAL-3D)
    if kind is Kind.QUALITY_CLAIM and order.signed_at is not None:
        at = draw(_after(order.signed_at, dt.timedelta(days=2, hours=23)))
    else:
        at = draw(_after(order.paid_at.add(days=4), dt.timedelta(days=10)))
    case_id = f"R{draw(st.integers(10**15, 10**16 - 1))}"
    return RefundRequested(
        id=f"{case_id}-opened",
        at=at,
        case_id=case_id,
        kind=kind,
        order=order,
        amount=amount,
        reason=draw(
            st.sampled_from(["不想要了", "尺码不合适", "质量问题", "少件/漏发", "卖家发货慢"])
        ),
        oid=item.oid if order.items else None,
    )


def likely_types(case: Case) -> list[str]:
    """Event types weighted toward what the case's state accepts.

    Uniform draws over every type rarely reach the deep states (intervention
    reviews, express-refund appeals); listing the accepted types several times
    keeps illegal events in the mix while most draws move the case on.
    """
    accepted = sorted(WORKFLOWS[case.kind].allowed.get(case.state, ()))
    return accepted * 10 + sorted(EVENT_TYPES)


@st.composite
def case_histories(
    draw: st.DrawFn,
    *,
    policy: st.SearchStrategy[Policy] | None = None,
    kinds: st.SearchStrategy[Kind] | None = None,
    max_events: int = 16,
) -> tuple[Policy, RefundRequested, list[Event]]:
    """A policy, an opening request and events that mostly fit the case as it goes.

    The engine runs while drawing, so each next event is drawn for the state the
    case has reached; some events are still illegal, as in real feeds.
    """
    from ..core._engine import open_case, step
    from ..core._errors import AfterSalesError

    chosen = draw(policy if policy is not None else policies())
    request = draw(refund_requests(kinds=kinds))
    case, _ = open_case(request, chosen)
    history: list[Event] = []
    at = request.at
    for i in range(draw(st.integers(0, max_events))):
        event = draw(
            events(
                after=at,
                max_delay=dt.timedelta(days=6),
                types=likely_types(case),
                refundable=case.item.refundable,
            )
        )
        event = attrs.evolve(event, id=f"{event.id}-{i}")
        history.append(event)
        at = event.at
        try:
            case, _ = step(case, event, chosen)
        except AfterSalesError:
            continue
    return chosen, request, history


def policies() -> st.SearchStrategy[Policy]:
    """Presets, sometimes with a timer shortened or lengthened and switches flipped."""
    durations = st.one_of(
        st.integers(1, 240).map(Duration.hours),
        st.integers(1, 15).map(Duration.days),
        st.integers(1, 10).map(Duration.working_days),
    )
    overrides = st.fixed_dictionaries(
        {},
        optional={
            "pre_seller_response": durations,
            "ret_seller_response": durations,
            "ret_buyer_ship_window": durations,
            "ret_seller_confirm": durations,
            "refused_buyer_window": durations,
            "only_not_received_response": durations,
            "refuse_before_shipment": st.booleans(),
            "modify_restarts_response": st.booleans(),
        },
    )
    return st.builds(
        lambda name, changes: preset(name, **changes),
        st.sampled_from(["taobao", "taobao-current", "tmall"]),
        overrides,
    )


_IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=8, max_size=8)


@st.composite
def events(  # noqa: PLR0911 - one branch per event type
    draw: st.DrawFn,
    *,
    after: pendulum.DateTime,
    max_delay: dt.timedelta = dt.timedelta(days=12),
    types: Sequence[str] | None = None,
    refundable: Money | None = None,
) -> Event:
    """One event of any type (legal or not in the case's state) at or after ``after``."""
    names = list(types) if types is not None else sorted(EVENT_TYPES)
    name = draw(st.sampled_from(names))
    event_id = f"e-{draw(_IDS)}"
    # half the events come within hours (a conversation), half after days
    soon = min(max_delay, dt.timedelta(hours=12))
    at = draw(_after(after, soon) | _after(after, max_delay))
    if name == SellerRefused.type:
        reason = draw(st.sampled_from(["", "商品已影响二次销售"]))
        return SellerRefused(id=event_id, at=at, reason=reason)
    if name == BuyerShippedReturn.type:
        return BuyerShippedReturn(
            id=event_id,
            at=at,
            carrier=draw(st.sampled_from(["中通快递", "圆通速递", "顺丰速运", "中国邮政"])),
            tracking=str(draw(st.integers(10**11, 10**15))),
            surface_mail=draw(st.booleans()),
        )
    if name == BuyerModified.type:
        amount = None
        if refundable is not None and refundable and draw(st.booleans()):
            amount = draw(money(min_value="0.01", max_value=refundable))
        new_reason = draw(st.none() | st.just("质量问题"))
        return BuyerModified(id=event_id, at=at, amount=amount, reason=new_reason)
    party = draw(st.sampled_from(["buyer", "seller"]))
    if name == InterventionRequested.type:
        return InterventionRequested(id=event_id, at=at, party=party)
    if name == EvidenceSubmitted.type:
        kind = draw(st.sampled_from(["photo", "video", "chat_log", "inspection_report"]))
        return EvidenceSubmitted(id=event_id, at=at, party=party, kind=kind)
    if name == PlatformRuled.type:
        return PlatformRuled(
            id=event_id,
            at=at,
            favours=party,
            mode=draw(st.sampled_from(["jury", "staff"])),
            seller_liable=draw(st.none() | st.booleans()),
        )
    if name == MessageLeft.type:
        return MessageLeft(id=event_id, at=at, party=party, text="补充说明：已上传凭证")
    if name == SellerResolved.type:
        remedy = draw(st.sampled_from(REMEDIES))
        amount = None
        if remedy == "discount":
            cap = refundable if refundable is not None and refundable else Money("0.01")
            amount = draw(money(min_value="0.01", max_value=cap))
        return SellerResolved(id=event_id, at=at, remedy=remedy, amount=amount)
    if name == SellerResent.type:
        return SellerResent(
            id=event_id, at=at, carrier="顺丰速运", tracking=str(draw(st.integers(10**11, 10**15)))
        )
    simple: dict[str, type[Event]] = {
        SellerAgreed.type: SellerAgreed,
        SellerConfirmedReceipt.type: SellerConfirmedReceipt,
        BuyerCancelled.type: BuyerCancelled,
        BuyerRefusedDelivery.type: BuyerRefusedDelivery,
        SellerShipped.type: SellerShipped,
        SellerAcceptedEvidence.type: SellerAcceptedEvidence,
        BuyerConfirmedReceipt.type: BuyerConfirmedReceipt,
    }
    return simple[name](id=event_id, at=at)


@st.composite
def event_sequences(
    draw: st.DrawFn,
    *,
    after: pendulum.DateTime,
    max_size: int = 8,
    max_gap: dt.timedelta = dt.timedelta(days=6),
    refundable: Money | None = None,
) -> list[Event]:
    """Events in time order with distinct IDs, starting at or after ``after``."""
    size = draw(st.integers(0, max_size))
    result: list[Event] = []
    at = after
    for _ in range(size):
        event = draw(events(after=at, max_delay=max_gap, refundable=refundable))
        at = event.at
        result.append(event)
    ids = [e.id for e in result]
    if len(set(ids)) != len(ids):
        result = [attrs.evolve(e, id=f"{e.id}-{i}") for i, e in enumerate(result)]
    return result


# -- shipping and tracking -------------------------------------------------------------------

#: The shapes a parcel's tracking history takes in :func:`tracking_histories`.
TRACKING_SHAPES = ("moving", "delivered", "returned", "stuck", "never_collected")

_PLACES = ("杭州余杭", "义乌", "广州白云", "上海浦东", "北京大兴", "成都双流", "武汉东西湖")
_CARRIERS = ("中通快递", "圆通速递", "韵达快递", "申通快递", "顺丰速运", "极兔速递", "京东物流")


def _scan_chain(shape: str) -> list[ScanStatus]:
    """The statuses a parcel of this shape goes through after it is marked shipped."""
    if shape == "never_collected":
        return [ScanStatus.INFO_RECEIVED]
    if shape == "stuck":
        return [ScanStatus.INFO_RECEIVED, ScanStatus.COLLECTED]
    moving = [ScanStatus.COLLECTED, ScanStatus.IN_TRANSIT, ScanStatus.IN_TRANSIT]
    if shape == "delivered":
        return [*moving, ScanStatus.OUT_FOR_DELIVERY, ScanStatus.DELIVERED]
    if shape == "returned":
        return [*moving, ScanStatus.EXCEPTION, ScanStatus.RETURNING, ScanStatus.RETURNED]
    return moving


@st.composite
def tracking_histories(
    draw: st.DrawFn,
    *,
    order_id: str | None = None,
    shipped_at: st.SearchStrategy[pendulum.DateTime] | None = None,
    shapes: Sequence[str] = TRACKING_SHAPES,
    max_gap: dt.timedelta = dt.timedelta(hours=30),
) -> Parcel:
    """A parcel with a realistic scan history of one of ``shapes``.

    "moving" and "delivered" parcels are collected and scanned on; "stuck" ones
    show a collection only; "never_collected" ones only a printed label;
    "returned" ones go back to the shop. Scans follow each other by up to
    ``max_gap``, so the stuck and never-collected ones become flags in time.
    """
    unknown = sorted(set(shapes) - set(TRACKING_SHAPES))
    if unknown or not shapes:
        raise ValueError(f"shapes are among {', '.join(TRACKING_SHAPES)}, got {list(shapes)}")
    shape = draw(st.sampled_from(list(shapes)))
    start = draw(shipped_at if shipped_at is not None else instants())
    shipment = ParcelShipped(
        at=start,
        carrier=draw(st.sampled_from(_CARRIERS)),
        tracking=str(draw(st.integers(10**11, 10**14))),
    )
    scans = []
    at = start
    for status in _scan_chain(shape):
        at = draw(_after(at, max_gap))
        scans.append(TrackingScan(at=at, status=status, place=draw(st.sampled_from(_PLACES))))
    oid = order_id if order_id is not None else str(draw(st.integers(10**18, 10**19 - 1)))
    return Parcel(order_id=oid, shipment=shipment, scans=scans)


def ship_promises() -> st.SearchStrategy[Duration | None]:
    """No promise (the platform's rule), or a listing's own ship time in hours or days."""
    return st.one_of(
        st.none(),
        st.integers(1, 240).map(Duration.hours),
        st.integers(1, 30).map(Duration.days),
    )


@st.composite
def holiday_periods(
    draw: st.DrawFn, *, around: st.SearchStrategy[pendulum.DateTime] | None = None
) -> HolidayShipping:
    """A made-up holiday shipping period (test data, not a platform announcement)."""
    middle = draw(around if around is not None else instants())
    paid_from = middle.subtract(hours=draw(st.integers(0, 10 * 24)))
    paid_until = middle.add(hours=draw(st.integers(1, 10 * 24)))
    if draw(st.booleans()):
        return HolidayShipping(
            name="test period",
            source="generated test data",
            paid_from=paid_from,
            paid_until=paid_until,
            ship_by=paid_until.add(hours=draw(st.integers(0, 20 * 24))),
        )
    return HolidayShipping(
        name="test period",
        source="generated test data",
        paid_from=paid_from,
        paid_until=paid_until,
        extra=Duration.days(draw(st.integers(0, 15))),
    )


@st.composite
def late_trades(
    draw: st.DrawFn, *, buyers: Sequence[str] = ("buyer-a", "buyer-b"), max_size: int = 6
) -> list[LateTrade]:
    """Late trades of a few buyers, often paid within hours of each other."""
    start = draw(instants())
    return [
        LateTrade(
            order_id=f"{4 * 10**18 + i}",
            buyer=draw(st.sampled_from(list(buyers))),
            paid_at=start.add(hours=draw(st.integers(0, 72))),
            late_price=draw(money(max_value="3000.00")),
        )
        for i in range(draw(st.integers(1, max_size)))
    ]
