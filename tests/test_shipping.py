"""The shipping watch: ship-by deadlines, lateness, compensation, escalation."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales import Money, Order, OrderItem, preset
from aftersales.core._duration import Duration
from aftersales.core._effects import NotifyBuyer
from aftersales.core._errors import InvalidInput, PolicyError
from aftersales.core._policy import HolidayShipping, Policy
from aftersales.orders._shipping import (
    LATE_APOLOGY_TEMPLATE,
    Fulfilment,
    LateShipmentApology,
    LateTrade,
    ParcelSigned,
    ShippingEvent,
    ShopNotice,
    combine_compensation,
    late_compensation,
    late_shipment_points,
    ship_by,
    watch_order,
)
from aftersales.orders._tracking import FakeKind, Parcel, ParcelShipped, ScanStatus, TrackingScan
from aftersales.scenarios import run_scenario
from aftersales.scenarios._scenario import ScenarioError, scenario_schema
from aftersales.testing import (
    holiday_periods,
    instants,
    late_trades,
    money,
    orders,
    ship_promises,
    tracking_histories,
)

from .helpers import sh

TAOBAO = preset("taobao")
TMALL = preset("tmall")
ORDERS = Path(__file__).resolve().parent.parent / "examples" / "orders"

# Paid just before the 2026 Spring Festival holiday (days off 02-15 to 02-23).
EVE = sh("2026-02-13 22:00")

# Illustrative data in the format a shop enters from the platform's announcement.
SPRING_FESTIVAL = HolidayShipping(
    name="2026 春节发货安排 (test data)",
    source="test data in the announcement's format",
    paid_from=sh("2026-02-09 00:00"),
    paid_until=sh("2026-02-24 00:00"),
    ship_by=sh("2026-02-26 00:00"),
)


def _order(paid_at: pendulum.DateTime = EVE, paid: str = "129.00", **kw: Any) -> Order:
    return Order(id="4012345678901234567", paid=paid, paid_at=paid_at, **kw)


def _shipped(at: str, tracking: str = "75312345678901", *oids: str) -> ParcelShipped:
    return ParcelShipped(at=sh(at), carrier="中通快递", tracking=tracking, oids=oids)


def _scan(at: str, status: str, place: str = "杭州", tracking: str | None = None) -> TrackingScan:
    return TrackingScan(at=sh(at), status=ScanStatus(status), place=place, tracking=tracking)


# -- the ship-by deadline -------------------------------------------------------------------


def test_ship_by_before_the_spring_festival_is_48_natural_hours() -> None:
    # SHIP-48H counts natural hours: the holiday does not stop the clock
    deadline = ship_by(EVE, TAOBAO)
    assert deadline.due == sh("2026-02-15 22:00")
    assert deadline.rule == "SHIP-48H"
    assert deadline.basis == "platform"
    tmall = ship_by(EVE, TMALL)
    assert tmall.due == sh("2026-02-16 22:00")
    assert tmall.rule == "SHIP-72H"


def test_ship_by_under_a_declared_holiday_shipping_period() -> None:
    policy = TAOBAO.override(holiday_shipping=[SPRING_FESTIVAL])
    deadline = ship_by(EVE, policy)
    assert deadline.due == sh("2026-02-26 00:00")
    assert deadline.basis == "holiday"
    assert deadline.period == SPRING_FESTIVAL
    assert deadline.standard_due == sh("2026-02-15 22:00")
    assert "test data" in deadline.explanation
    # paid after the period: the usual 48 hours
    assert ship_by(sh("2026-02-24 09:00"), policy).due == sh("2026-02-26 09:00")
    # a period never shortens the deadline: a listing's 7 days run past 02-26
    slow = ship_by(sh("2026-02-23 23:00"), policy, promised=Duration.days(7))
    assert slow.due == sh("2026-03-02 23:00")
    assert slow.basis == "listing"


def test_a_holiday_period_may_give_extra_time_instead_of_a_date() -> None:
    period = {
        "name": "春节 +7d",
        "source": "test data",
        "paid_from": "2026-02-09T00:00:00+08:00",
        "paid_until": "2026-02-24T00:00:00+08:00",
        "extra": "7d",
    }
    policy = preset("taobao", holiday_shipping=[period])
    assert ship_by(EVE, policy).due == sh("2026-02-22 22:00")


def test_holiday_period_data_is_checked() -> None:
    base = {"name": "x", "source": "y", "paid_from": "2026-02-09T00:00:00+08:00"}
    with pytest.raises(PolicyError, match="exactly one"):
        preset("taobao", holiday_shipping=[{**base, "paid_until": "2026-02-24T00:00:00+08:00"}])
    with pytest.raises(PolicyError, match="not after"):
        preset(
            "taobao",
            holiday_shipping=[
                {**base, "paid_until": "2026-02-01T00:00:00+08:00", "extra": "1d"},
            ],
        )
    with pytest.raises(PolicyError, match="holiday_shipping"):
        preset("taobao", holiday_shipping=[{**base, "colour": "red"}])


def test_a_listing_that_promised_7_days() -> None:
    deadline = ship_by(EVE, TAOBAO, promised=Duration.days(7))
    assert deadline.due == sh("2026-02-20 22:00")
    assert deadline.basis == "listing"
    assert deadline.rule == "SHIP-48H"  # the rule that lets a listing promise its own time
    assert ship_by(EVE, TAOBAO, promised=Duration.hours(168)).due == deadline.due


def test_a_shop_notice_never_moves_the_deadline() -> None:
    notice = ShopNotice(
        at=sh("2026-02-14 09:00"),
        text="春节期间暂停发货，2月24日起陆续发出",
        claimed_ship_by=sh("2026-02-25 18:00"),
    )
    assert ship_by(EVE, TAOBAO, notices=[notice]) == ship_by(EVE, TAOBAO)
    watch = watch_order(_order(), [notice], TAOBAO, at=sh("2026-02-16 09:00"))
    assert watch.ship_by.due == sh("2026-02-15 22:00")
    assert watch.notices == (notice,)
    assert watch.late  # SHIP-NO-EXTEND: the notice changed nothing


# -- fulfilment states ----------------------------------------------------------------------


def test_fulfilment_state_follows_the_events() -> None:
    order = _order(sh("2026-03-02 10:00"))
    events: list[Any] = []
    assert watch_order(order, events, TAOBAO, at=sh("2026-03-02 11:00")).state is Fulfilment.PAID
    steps: list[tuple[ShippingEvent, Fulfilment, str | None]] = [
        (_shipped("2026-03-02 16:00"), Fulfilment.SHIPPED, "WAIT_BUYER_CONFIRM_GOODS"),
        (_scan("2026-03-02 18:00", "collected"), Fulfilment.COLLECTED, None),
        (_scan("2026-03-03 02:00", "in_transit"), Fulfilment.IN_TRANSIT, None),
        (_scan("2026-03-04 07:00", "out_for_delivery"), Fulfilment.IN_TRANSIT, None),
        (_scan("2026-03-04 15:00", "delivered"), Fulfilment.DELIVERED, None),
        (ParcelSigned(at=sh("2026-03-04 19:00")), Fulfilment.SIGNED, "TRADE_BUYER_SIGNED"),
    ]
    for event, state, trade_status in steps:
        events.append(event)
        watch = watch_order(order, events, TAOBAO, at=event.at)
        assert watch.state is state, event
        if trade_status is not None:
            assert watch.trade_status == trade_status
        assert not watch.late
        assert watch.compensation == Money.ZERO
        assert watch.effects == ()
    assert watch.signed_at == sh("2026-03-04 19:00")
    # events after the instant are not read
    assert watch_order(order, events, TAOBAO, at=sh("2026-03-02 17:00")).state is (
        Fulfilment.SHIPPED
    )


def test_returned_to_sender() -> None:
    order = _order(sh("2026-03-02 10:00"))
    events: list[ShippingEvent] = [
        _shipped("2026-03-02 16:00"),
        _scan("2026-03-02 18:00", "collected"),
        _scan("2026-03-05 10:00", "returning", "成都"),
    ]
    watch = watch_order(order, events, TAOBAO, at=sh("2026-03-06 10:00"))
    assert watch.state is Fulfilment.RETURNED_TO_SENDER


def test_order_facts_count_when_there_are_no_events() -> None:
    order = _order(
        sh("2026-03-02 10:00"),
        shipped_at=sh("2026-03-05 10:00"),
        signed_at=sh("2026-03-07 10:00"),
    )
    watch = watch_order(order, [], TAOBAO, at=sh("2026-03-08 10:00"))
    assert watch.state is Fulfilment.SIGNED
    assert watch.late  # shipped 24 hours after the 48-hour deadline
    assert watch.parcels == ()


# -- lateness and compensation ---------------------------------------------------------------


def test_the_deadline_is_a_boundary() -> None:
    order = _order(sh("2026-03-02 10:00"))
    in_time = watch_order(order, [_shipped("2026-03-04 09:59")], TAOBAO, at=sh("2026-03-05 10:00"))
    assert not in_time.late
    on_the_dot = watch_order(
        order, [_shipped("2026-03-04 10:00")], TAOBAO, at=sh("2026-03-05 10:00")
    )
    assert on_the_dot.late
    unshipped = watch_order(order, [], TAOBAO, at=sh("2026-03-04 09:59"))
    assert not unshipped.late
    assert watch_order(order, [], TAOBAO, at=sh("2026-03-04 10:00")).late


@pytest.mark.parametrize(
    ("policy", "price", "owed"),
    [
        # LATE-COMP-TAOBAO: 5%, at least 5, at most 30
        (TAOBAO, "59.90", "5.00"),  # 2.995 -> the floor
        (TAOBAO, "100.00", "5.00"),  # exactly the floor
        (TAOBAO, "129.00", "6.45"),  # in between
        (TAOBAO, "599.90", "30.00"),  # 29.995 rounds half up to 30.00
        (TAOBAO, "2000.00", "30.00"),  # the cap
        (TAOBAO, "0.00", "0.00"),
        # LATE-COMP-TMALL: 30%, at least 5, at most 500
        (TMALL, "9.90", "5.00"),  # 2.97 -> the floor
        (TMALL, "129.00", "38.70"),  # in between
        (TMALL, "1666.67", "500.00"),  # 500.001 -> the cap
        (TMALL, "2000.00", "500.00"),  # the cap
    ],
)
def test_late_compensation_floor_cap_and_between(policy: Policy, price: str, owed: str) -> None:
    assert late_compensation(price, policy) == Money(owed)


@pytest.mark.parametrize(
    ("policy", "paid", "owed", "rule"),
    [
        (TAOBAO, "39.00", "5.00", "LATE-COMP-TAOBAO"),
        (TAOBAO, "259.00", "12.95", "LATE-COMP-TAOBAO"),
        (TAOBAO, "1299.00", "30.00", "LATE-COMP-TAOBAO"),
        (TMALL, "12.00", "5.00", "LATE-COMP-TMALL"),
        (TMALL, "259.00", "77.70", "LATE-COMP-TMALL"),
        (TMALL, "3999.00", "500.00", "LATE-COMP-TMALL"),
    ],
)
def test_a_late_order_owes_compensation_and_an_apology(
    policy: Policy, paid: str, owed: str, rule: str
) -> None:
    order = _order(sh("2026-03-02 10:00"), paid=paid)
    watch = watch_order(order, [], policy, at=sh("2026-03-06 10:00"))
    assert watch.late
    assert watch.compensation == Money(owed)
    assert watch.compensation_rule == rule
    (effect,) = watch.effects
    assert isinstance(effect, LateShipmentApology)
    assert isinstance(effect, NotifyBuyer)
    assert effect.template == LATE_APOLOGY_TEMPLATE == "shipping/late_apology.txt"
    assert effect.rule == rule
    assert set(effect.context) == {"order_id", "ship_by", "compensation"}
    assert effect.context["order_id"] == order.id
    assert isinstance(effect.context["ship_by"], pendulum.DateTime)
    assert effect.context["ship_by"] == watch.ship_by.due
    assert effect.context["compensation"] == Money(owed)


@pytest.mark.parametrize(("policy", "points"), [(TAOBAO, 3), (TMALL, 1)])
def test_a_late_order_puts_points_at_risk(policy: Policy, points: int) -> None:
    """LATE-COMP-TAOBAO: 3 points, LATE-COMP-TMALL: 1, if a complaint is upheld before
    the compensation is paid; an order still in time risks none."""
    order = _order(sh("2026-03-02 10:00"), paid="80.00")
    assert watch_order(order, [], policy, at=sh("2026-03-06 10:00")).points_at_risk == points
    assert watch_order(order, [], policy, at=sh("2026-03-02 11:00")).points_at_risk == 0


def test_late_shipment_points_per_upheld_complaint_capped_on_tmall() -> None:
    at = sh("2026-03-31 12:00")
    upheld = [sh(f"2026-03-{day:02d} 10:00") for day in range(2, 31, 3)]  # 10 in 30 days
    assert late_shipment_points(upheld, TAOBAO, at=at) == 30  # 3 each, no cap
    assert late_shipment_points(upheld, TMALL, at=at) == 6  # 1 each, at most 6 in 30 days
    assert late_shipment_points(upheld[:4], TMALL, at=at) == 4
    # the window rolls: a complaint upheld 30 days or more before `at` no longer counts
    assert late_shipment_points([sh("2026-03-01 12:00")], TAOBAO, at=at) == 0
    assert late_shipment_points([sh("2026-03-01 12:01")], TAOBAO, at=at) == 3
    assert late_shipment_points([sh("2026-04-01 10:00")], TAOBAO, at=at) == 0  # not yet
    with pytest.raises(InvalidInput, match="hours or days"):
        late_shipment_points([], TAOBAO.override(late_ship_points_window="4wd"), at=at)


def test_a_late_order_near_the_calendar_horizon_still_reports_what_is_owed() -> None:
    """The complaint review counts working days into a year with no calendar data:
    lateness and compensation stay known, only those escalation timings are None."""
    order = _order(sh("2026-12-28 10:00"), paid="100.00")
    watch = watch_order(order, [], TAOBAO, at=sh("2026-12-31 12:00"))
    assert watch.late
    assert watch.compensation == Money("5.00")
    stages = {step.stage: step for step in watch.escalation}
    assert stages["platform_service"].until == sh("2026-12-31 10:00")
    assert stages["order_complaint"].until is None
    assert stages["black_cat"].from_ is None


def test_tmall_combines_same_buyer_trades_within_24_hours_under_the_cap() -> None:
    trades = [
        LateTrade(order_id="A", buyer="b1", paid_at=sh("2026-03-02 10:00"), late_price="900.00"),
        LateTrade(order_id="B", buyer="b1", paid_at=sh("2026-03-02 20:00"), late_price="800.00"),
        LateTrade(order_id="C", buyer="b1", paid_at=sh("2026-03-03 09:59"), late_price="10.00"),
        # paid 24 hours after the group's first trade: a new group
        LateTrade(order_id="D", buyer="b1", paid_at=sh("2026-03-03 10:00"), late_price="100.00"),
        LateTrade(order_id="E", buyer="b2", paid_at=sh("2026-03-02 11:00"), late_price="100.00"),
    ]
    first, second, other = combine_compensation(trades, TMALL)
    assert first.order_ids == ("A", "B", "C")
    assert first.uncapped == Money("515.00")  # 270 + 240 + the floor of 5
    assert first.amount == Money("500.00")
    assert first.capped
    assert first.shares == (("A", Money("270.00")), ("B", Money("230.00")), ("C", Money.ZERO))
    assert first.rule == "LATE-COMP-TMALL"
    assert second.order_ids == ("D",)
    assert second.amount == Money("30.00")
    assert (other.buyer, other.amount) == ("b2", Money("30.00"))


def test_taobao_does_not_combine_trades() -> None:
    trades = [
        LateTrade(order_id="A", buyer="b1", paid_at=sh("2026-03-02 10:00"), late_price="900.00"),
        LateTrade(order_id="B", buyer="b1", paid_at=sh("2026-03-02 11:00"), late_price="50.00"),
    ]
    groups = combine_compensation(trades, TAOBAO)
    assert [(g.order_ids, g.amount) for g in groups] == [
        (("A",), Money("30.00")),
        (("B",), Money("5.00")),
    ]


def test_the_watch_combines_with_the_buyers_other_late_trades() -> None:
    order = _order(sh("2026-03-02 20:00"), paid="800.00")
    earlier = LateTrade(
        order_id="4012345678900000009",
        buyer="tb_buyer",
        paid_at=sh("2026-03-02 10:00"),
        late_price="900.00",
    )
    watch = watch_order(
        order,
        [],
        TMALL,
        at=sh("2026-03-06 10:00"),
        buyer="tb_buyer",
        other_late_trades=[earlier],
    )
    assert watch.compensation == Money("230.00")  # what is left of 500 after 270
    assert watch.compensation_group is not None
    assert watch.compensation_group.amount == Money("500.00")
    with pytest.raises(InvalidInput, match="buyer"):
        watch_order(order, [], TMALL, at=sh("2026-03-06 10:00"), other_late_trades=[earlier])


def test_partial_shipment_owes_only_on_the_late_sub_order() -> None:
    order = _order(
        sh("2026-03-02 10:00"),
        paid="2300.00",
        items=[
            OrderItem(oid="4012345678901234574", paid="1800.00"),
            OrderItem(oid="4012345678901234575", paid="500.00"),
        ],
    )
    first = _shipped("2026-03-03 15:00", "JD0012345678901", "4012345678901234574")
    partial = watch_order(order, [first], TMALL, at=sh("2026-03-04 10:00"))
    assert partial.state is Fulfilment.PARTIALLY_SHIPPED
    assert partial.trade_status == "SELLER_CONSIGNED_PART"
    assert not partial.late
    late = watch_order(order, [first], TMALL, at=sh("2026-03-06 10:00"))
    assert late.late_oids == ("4012345678901234575",)
    assert late.compensation == Money("150.00")  # 30% of 500
    rest = _shipped("2026-03-06 12:00", "JD0012345678902")  # no oids: the rest
    done = watch_order(
        order,
        [first, rest, _scan("2026-03-03 19:00", "collected", tracking="JD0012345678901")],
        TMALL,
        at=sh("2026-03-06 13:00"),
    )
    assert done.state is Fulfilment.SHIPPED  # the second parcel is not collected yet
    assert [s.tracking for s in done.sub_orders] == ["JD0012345678901", "JD0012345678902"]
    assert done.late_oids == ("4012345678901234575",)
    with pytest.raises(InvalidInput, match="unknown sub-order"):
        watch_order(order, [_shipped("2026-03-03 15:00", "X", "999")], TMALL, at=sh("2026-03-04"))


def test_escalation_path_and_its_timings() -> None:
    order = _order(sh("2026-03-02 10:00"))
    watch = watch_order(order, [], TAOBAO, at=sh("2026-03-05 10:00"))
    stages = {s.stage: s for s in watch.escalation}
    assert list(stages) == [
        "seller_chat",
        "platform_service",
        "phone_service",
        "order_complaint",
        "black_cat",
        "regulator_12315",
    ]
    assert all(s.rule == "SHIP-ESCALATION" for s in watch.escalation)
    assert stages["platform_service"].from_ == sh("2026-03-04 10:00")
    assert stages["platform_service"].until == sh("2026-03-05 10:00")  # waits 24 h
    # the platform handles the complaint within 5 working days
    assert stages["order_complaint"].until == sh("2026-03-12 10:00")
    assert stages["black_cat"].until == sh("2026-03-13 10:00")
    assert "compensation" in stages["order_complaint"].note
    # across the Spring Festival the complaint's working days wait for the holiday
    holiday = watch_order(_order(), [], TAOBAO, at=sh("2026-02-16 10:00"))
    complaint = next(s for s in holiday.escalation if s.stage == "order_complaint")
    assert complaint.from_ == sh("2026-02-16 22:00")
    assert complaint.until == sh("2026-03-02 00:00")  # 02-24..27, 02-28 (make-up Sat), 03-02


def test_fake_shipment_shows_on_the_order() -> None:
    order = _order(sh("2026-03-02 10:00"))
    events: list[ShippingEvent] = [
        _shipped("2026-03-02 16:00"),
        _scan("2026-03-02 18:00", "collected"),
    ]
    watch = watch_order(order, events, TAOBAO, at=sh("2026-03-05 10:00"))
    assert not watch.late  # notified in time...
    assert [f.kind for f in watch.fake_flags] == [FakeKind.STUCK_AT_COLLECTED]  # ...but stuck
    reused = Parcel(
        order_id="4012345678900000001",
        shipment=ParcelShipped(
            at=sh("2026-02-27 10:00"), carrier="中通快递", tracking="75312345678901"
        ),
    )
    watch = watch_order(
        order, events[:1], TAOBAO, at=sh("2026-03-02 17:00"), other_parcels=[reused]
    )
    assert [f.kind for f in watch.fake_flags] == [FakeKind.REUSED_TRACKING]


def test_bad_watches_are_refused() -> None:
    order = _order(sh("2026-03-02 10:00"))
    with pytest.raises(InvalidInput, match="before payment"):
        watch_order(order, [], TAOBAO, at=sh("2026-03-01 10:00"))
    with pytest.raises(InvalidInput, match="before any shipment"):
        watch_order(order, [_scan("2026-03-02 11:00", "collected")], TAOBAO, at=sh("2026-03-03"))
    with pytest.raises(InvalidInput, match="no shipment of this order"):
        watch_order(
            order,
            [_shipped("2026-03-02 11:00"), _scan("2026-03-02 12:00", "collected", tracking="Z")],
            TAOBAO,
            at=sh("2026-03-03"),
        )


# -- properties --------------------------------------------------------------------------------

_PRESETS = st.sampled_from([TAOBAO, TMALL, preset("taobao-current")])


@given(price=money(max_value="100000.00"), policy=_PRESETS)
def test_compensation_is_zero_or_between_floor_and_cap(price: Money, policy: Policy) -> None:
    owed = late_compensation(price, policy)
    assert owed == Money.ZERO or policy.late_comp_floor <= owed <= policy.late_comp_cap
    assert (owed == Money.ZERO) == (price == Money.ZERO)
    assert isinstance(owed.amount, Decimal)


@given(trades=late_trades(), policy=_PRESETS)
def test_combined_groups_stay_within_floor_and_cap(trades: list[LateTrade], policy: Policy) -> None:
    groups = combine_compensation(trades, policy)
    assert sorted(o for g in groups for o in g.order_ids) == sorted(t.order_id for t in trades)
    for group in groups:
        assert group.amount == Money.ZERO or (
            policy.late_comp_floor <= group.amount <= policy.late_comp_cap
        )
        assert sum((m for _, m in group.shares), start=Money.ZERO) == group.amount
        if not policy.late_comp_combine_within.amount:
            assert len(group.order_ids) == 1


@given(
    paid_at=instants(),
    policy=_PRESETS,
    promised=ship_promises(),
    periods=st.lists(holiday_periods(), max_size=2),
    notice_offset=st.integers(0, 10 * 24 * 3600),
    claimed=st.integers(0, 30 * 24 * 3600),
)
def test_ship_by_is_never_earlier_than_the_rule_and_never_moved_by_a_notice(
    paid_at: pendulum.DateTime,
    policy: Policy,
    promised: Duration | None,
    periods: list[HolidayShipping],
    notice_offset: int,
    claimed: int,
) -> None:
    policy = policy.override(holiday_shipping=periods)
    deadline = ship_by(paid_at, policy, promised=promised)
    length = promised if promised is not None else policy.ship_within
    if length.unit.value == "hours":
        assert deadline.due >= paid_at.add(hours=length.amount)
    else:
        assert deadline.due >= paid_at.in_timezone(policy.tz).add(days=length.amount)
    assert deadline.due >= deadline.standard_due
    notice = ShopNotice(
        at=paid_at.add(seconds=notice_offset),
        text="本店假期延迟发货",
        claimed_ship_by=paid_at.add(seconds=claimed),
    )
    assert ship_by(paid_at, policy, promised=promised, notices=[notice]) == deadline
    order = Order(id="4012345678901234567", paid="10.00", paid_at=paid_at)
    at = notice.at
    without = watch_order(order, [], policy, at=at, promised=promised)
    with_notice = watch_order(order, [notice], policy, at=at, promised=promised)
    assert with_notice.ship_by == without.ship_by
    assert with_notice.late == without.late


@given(order=orders(), data=st.data())
def test_the_watch_holds_together_on_generated_orders(order: Order, data: st.DataObject) -> None:
    parcel = data.draw(tracking_histories(shipped_at=st.just(order.paid_at.add(hours=30))))
    events: list[Any] = [
        ParcelShipped(at=parcel.shipment.at, carrier="中通快递", tracking=parcel.tracking),
        *parcel.scans,
    ]
    when = order.paid_at.add(seconds=data.draw(st.integers(0, 20 * 24 * 3600)))
    watch = watch_order(order, events, TAOBAO, at=when)
    assert watch.late == any(s.late for s in watch.sub_orders)
    assert (watch.compensation > Money.ZERO) == watch.late or order.paid == Money.ZERO
    assert len(watch.effects) == (1 if watch.late else 0)
    if watch.late:
        assert watch.escalation[0].from_ == watch.ship_by.due


# -- order scenarios ---------------------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((ORDERS / name).read_text(encoding="utf-8"))
    return doc


def test_every_order_example_runs_and_conforms_to_the_schema() -> None:
    validator = jsonschema.Draft202012Validator(scenario_schema())
    files = sorted(ORDERS.glob("*.json"))
    assert len(files) >= 5
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(doc)]
        assert errors == [], (path.name, errors)
        out = run_scenario(doc, base=path.parent)
        assert out["kind"] == "order"
        assert isinstance(out["late"], bool)
        Money(out["compensation"])


def test_order_scenario_late_before_the_spring_festival() -> None:
    out = run_scenario(_load("late-before-spring-festival.json"))
    assert out["ship_by"] == "2026-02-15T22:00:00+08:00"
    assert out["ship_by_rule"] == "SHIP-48H"
    assert out["late"] is True
    assert out["compensation"] == "6.45"
    assert out["compensation_rule"] == "LATE-COMP-TAOBAO"
    assert out["state"] == "signed"
    assert out["fake_shipment"] == []
    assert out["shop_notices_ignored"][0]["rule"] == "SHIP-NO-EXTEND"
    (notify,) = out["notify"]
    assert notify == {
        "template": "shipping/late_apology.txt",
        "rule": "LATE-COMP-TAOBAO",
        "context": {
            "order_id": "4012345678901234567",
            "ship_by": "2026-02-15T22:00:00+08:00",
            "compensation": "6.45",
        },
    }


@pytest.mark.parametrize(
    ("name", "ship_by_", "late", "compensation", "flags"),
    [
        ("holiday-period-on-time.json", "2026-02-26T00:00:00+08:00", False, "0.00", []),
        ("listing-promised-7-days.json", "2026-02-20T22:00:00+08:00", False, "0.00", []),
        (
            "tmall-stuck-at-collected.json",
            "2026-03-05T10:00:00+08:00",
            False,
            "0.00",
            ["stuck_at_collected"],
        ),
        ("never-collected.json", "2026-03-04T10:00:00+08:00", False, "0.00", ["never_collected"]),
        (
            "reused-tracking-number.json",
            "2026-03-04T10:00:00+08:00",
            False,
            "0.00",
            ["reused_tracking"],
        ),
        ("tmall-partial-shipment.json", "2026-03-05T10:00:00+08:00", True, "150.00", []),
        ("returned-to-sender.json", "2026-03-04T10:00:00+08:00", False, "0.00", []),
    ],
)
def test_order_examples(
    name: str, ship_by_: str, late: bool, compensation: str, flags: list[str]
) -> None:
    out = run_scenario(_load(name))
    assert out["ship_by"] == ship_by_
    assert out["late"] is late
    assert out["compensation"] == compensation
    assert [f["kind"] for f in out["fake_shipment"]] == flags


def test_order_scenario_defaults_and_errors() -> None:
    doc = _load("never-collected.json")
    del doc["at"]
    out = run_scenario(doc)
    assert out["at"] == "2026-03-03T09:00:00+08:00"  # the last event
    doc["events"].append({"type": "scan", "at": "2026-03-03T10:00:00+08:00", "status": "lost"})
    with pytest.raises(ScenarioError, match="lost") as caught:
        run_scenario(doc)
    assert caught.value.position == 2
    doc = _load("never-collected.json")
    doc["order"]["promised_ship_hours"] = 24
    doc["order"]["promised_ship_days"] = 1
    with pytest.raises(ScenarioError, match="not both"):
        run_scenario(doc)
    validator = jsonschema.Draft202012Validator(scenario_schema())
    doc = _load("never-collected.json")
    doc["case"] = {}
    assert list(validator.iter_errors(doc))  # a case or an order, not both


def test_a_parcel_the_buyer_signed_for_is_no_fake_whatever_its_scans() -> None:
    order = _order(sh("2026-03-02 10:00"))
    events: list[Any] = [_shipped("2026-03-02 16:00"), _scan("2026-03-02 18:00", "collected")]
    stuck = watch_order(order, events, TAOBAO, at=sh("2026-03-05 10:00"))
    assert [f.kind for f in stuck.fake_flags] == [FakeKind.STUCK_AT_COLLECTED]
    events.append(ParcelSigned(at=sh("2026-03-04 12:00"), tracking="753 1234 5678 901"))
    signed = watch_order(order, events, TAOBAO, at=sh("2026-03-05 10:00"))
    assert signed.fake_flags == ()
    assert signed.state is Fulfilment.SIGNED


def test_lines_the_platform_reports_shipped_count_without_scans_or_fake_flags() -> None:
    """A trade export says which sub-orders shipped but has no scans: those lines are
    shipped, the others still run to the ship-by, and nothing is flagged as fake."""
    order = Order(
        id="4100000000000000009",
        paid="300.00",
        paid_at=sh("2026-03-02 10:00"),
        items=[OrderItem(oid="A", paid="100.00"), OrderItem(oid="B", paid="200.00")],
    )
    at = sh("2026-03-05 10:00")
    watch = watch_order(order, [], TAOBAO, at=at, shipped={"A": sh("2026-03-03 09:00")})
    assert watch.fake_flags == ()
    assert [(s.oid, s.late) for s in watch.sub_orders] == [("A", False), ("B", True)]
    assert watch.compensation == Money("10.00")  # LATE-COMP-TAOBAO: 5% of B's 200.00
    in_time = watch_order(order, [], TAOBAO, at=sh("2026-03-03 12:00"), shipped={"A": at})
    assert [s.shipped_at for s in in_time.sub_orders] == [None, None]  # not yet, as of then


def test_an_order_scenario_combines_the_buyers_other_late_trades() -> None:
    """The timeline takes the same buyer's other late trades (LATE-COMP-TMALL): three
    trades within 24 hours share one capped compensation, in payment order."""
    doc: dict[str, Any] = {
        "policy": "tmall",
        "order": {
            "id": "4200000000000000002",
            "paid": "800.00",
            "paid_at": "2026-03-02T20:00:00+08:00",
            "buyer": "b1",
        },
        "events": [],
        "other_late_trades": [
            {
                "order_id": "4200000000000000001",
                "paid_at": "2026-03-02T10:00:00+08:00",
                "late_price": "900.00",
            },
            {
                "order_id": "4200000000000000003",
                "paid_at": "2026-03-03T09:59:00+08:00",
                "late_price": "10.00",
            },
        ],
        "at": "2026-03-06T12:00:00+08:00",
    }
    jsonschema.Draft202012Validator(scenario_schema()).validate(doc)
    result = run_scenario(doc)
    assert result["late"] is True
    assert result["compensation"] == "230.00"  # its share of the 500.00 cap, after 270.00
    no_buyer = {**doc, "order": {k: v for k, v in doc["order"].items() if k != "buyer"}}
    with pytest.raises(ScenarioError, match="needs the order's buyer"):
        run_scenario(no_buyer)
