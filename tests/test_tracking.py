"""Fake-shipment detection (SHIP-FAKE) on tracking histories written like real feeds."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales import preset
from aftersales.core._errors import InvalidInput
from aftersales.orders._tracking import (
    FakeKind,
    Parcel,
    ParcelShipped,
    ParcelStatus,
    ScanStatus,
    TrackingScan,
    check_parcel,
    check_parcels,
)
from aftersales.testing import tracking_histories

from .helpers import sh

TAOBAO = preset("taobao")


def _scan(at: str, status: str, place: str) -> TrackingScan:
    return TrackingScan(at=sh(at), status=ScanStatus(status), place=place)


def _parcel(
    *scans: TrackingScan,
    order_id: str = "4012345678901234567",
    shipped: str = "2026-03-02 16:00",
    carrier: str = "中通快递",
    tracking: str = "75312345678901",
    buyer: str | None = None,
) -> Parcel:
    return Parcel(
        order_id=order_id,
        shipment=ParcelShipped(at=sh(shipped), carrier=carrier, tracking=tracking),
        scans=scans,
        buyer=buyer,
    )


# A parcel that moves: Hangzhou to Shanghai, the usual 中通 feed.
MOVING = (
    _scan("2026-03-02 15:58", "info_received", "电子面单已打印"),
    _scan("2026-03-02 18:20", "collected", "杭州余杭 中通网点 已揽收"),
    _scan("2026-03-02 22:45", "in_transit", "已发往 杭州转运中心"),
    _scan("2026-03-03 02:10", "in_transit", "到达 杭州转运中心"),
    _scan("2026-03-03 04:30", "in_transit", "已发往 上海转运中心"),
)
DELIVERED = (
    *MOVING,
    _scan("2026-03-03 09:15", "in_transit", "到达 上海转运中心"),
    _scan("2026-03-04 07:40", "out_for_delivery", "上海浦东 派件中"),
    _scan("2026-03-04 15:05", "delivered", "已签收，菜鸟驿站代收"),
)
RETURNED = (
    *MOVING,
    _scan("2026-03-04 09:00", "exception", "上海浦东 地址不详，联系不上收件人"),
    _scan("2026-03-05 10:00", "returning", "退回件 已发往 杭州转运中心"),
    _scan("2026-03-07 14:00", "returned", "杭州余杭 寄件网点 退件签收"),
)
STUCK = (
    _scan("2026-03-02 15:58", "info_received", "电子面单已打印"),
    _scan("2026-03-02 18:20", "collected", "杭州余杭 中通网点 已揽收"),
)


def test_a_moving_parcel_is_in_transit_with_no_flag_even_days_later() -> None:
    report = check_parcel(_parcel(*MOVING), sh("2026-03-09 10:00"), TAOBAO)
    assert report.status is ParcelStatus.IN_TRANSIT
    assert report.last_scan == MOVING[-1]
    assert report.flags == ()


def test_a_delivered_parcel_is_classified_delivered() -> None:
    report = check_parcel(_parcel(*DELIVERED), sh("2026-03-05 10:00"), TAOBAO)
    assert report.status is ParcelStatus.DELIVERED
    assert report.delivered
    assert not report.returned_to_sender
    assert report.flags == ()


def test_a_parcel_returned_to_sender_is_classified_returned() -> None:
    parcel = _parcel(*RETURNED)
    on_the_way_back = check_parcel(parcel, sh("2026-03-06 10:00"), TAOBAO)
    assert on_the_way_back.status is ParcelStatus.RETURNING
    assert on_the_way_back.returned_to_sender
    back = check_parcel(parcel, sh("2026-03-08 10:00"), TAOBAO)
    assert back.status is ParcelStatus.RETURNED
    assert back.returned_to_sender
    assert back.flags == ()
    # an exception scan is where it is between
    held = check_parcel(parcel, sh("2026-03-04 12:00"), TAOBAO)
    assert held.status is ParcelStatus.EXCEPTION


def test_stuck_at_collected_is_flagged_after_fake_stuck_after_with_its_scans() -> None:
    parcel = _parcel(*STUCK)
    # SHIP-FAKE: 48 hours after the collection scan, not before
    assert check_parcel(parcel, sh("2026-03-04 18:19"), TAOBAO).flags == ()
    report = check_parcel(parcel, sh("2026-03-04 18:20"), TAOBAO)
    assert report.status is ParcelStatus.COLLECTED
    (flag,) = report.flags
    assert flag.kind is FakeKind.STUCK_AT_COLLECTED
    assert flag.rule == "SHIP-FAKE"
    assert flag.since == sh("2026-03-02 18:20")
    assert flag.flagged_at == sh("2026-03-04 18:20")
    assert flag.scans == (STUCK[1],)  # the carrier's scans: the label is not one
    assert "杭州余杭" in flag.explanation
    # a shop with a stricter policy flags it sooner
    strict = TAOBAO.override(fake_stuck_after="24h")
    assert check_parcel(parcel, sh("2026-03-03 18:20"), strict).flags


def test_a_repeated_collection_scan_is_not_movement() -> None:
    parcel = _parcel(*STUCK, _scan("2026-03-03 18:00", "collected", "杭州余杭 中通网点"))
    (flag,) = check_parcel(parcel, sh("2026-03-05 10:00"), TAOBAO).flags
    assert flag.kind is FakeKind.STUCK_AT_COLLECTED
    assert flag.since == sh("2026-03-02 18:20")


def test_never_collected_is_flagged_with_the_label_scan_as_evidence() -> None:
    label = _scan("2026-03-02 15:58", "info_received", "电子面单已打印")
    parcel = _parcel(label)
    report = check_parcel(parcel, sh("2026-03-03 15:59"), TAOBAO)
    assert report.status is ParcelStatus.AWAITING_COLLECTION
    assert report.flags == ()
    (flag,) = check_parcel(parcel, sh("2026-03-03 16:00"), TAOBAO).flags
    assert flag.kind is FakeKind.NEVER_COLLECTED
    assert flag.since == sh("2026-03-02 16:00")
    assert flag.flagged_at == sh("2026-03-03 16:00")
    assert flag.scans == (label,)
    assert "no scan at all" in flag.explanation


def test_a_collection_after_the_window_still_shows_the_shipment_came_first() -> None:
    parcel = _parcel(
        _scan("2026-03-04 09:00", "collected", "杭州余杭"),
        _scan("2026-03-04 20:00", "in_transit", "杭州转运中心"),
    )
    (flag,) = check_parcel(parcel, sh("2026-03-05 10:00"), TAOBAO).flags
    assert flag.kind is FakeKind.NEVER_COLLECTED
    assert "first scan came only at 2026-03-04T09:00:00+08:00" in flag.explanation


def test_a_tracking_number_reused_across_orders_flags_both_with_the_orders() -> None:
    first = _parcel(*MOVING, order_id="4012345678900000001", shipped="2026-03-02 15:00", buyer="a")
    second = _parcel(order_id="4012345678900000002", tracking="753 1234 5678 901", buyer="b")
    reports = check_parcels([first, second], sh("2026-03-02 17:00"), TAOBAO)
    assert [r.order_id for r in reports] == [first.order_id, second.order_id]
    for report in reports:
        (flag,) = report.flags
        assert flag.kind is FakeKind.REUSED_TRACKING
        assert flag.orders == ("4012345678900000001", "4012345678900000002")
        assert flag.since == sh("2026-03-02 16:00")  # when the second order used it
    # before the second order shipped, nothing was reused
    (only,) = check_parcels([first, second], sh("2026-03-02 15:00"), TAOBAO)
    assert only.flags == ()


def test_a_merged_shipment_for_one_buyer_is_not_reuse() -> None:
    first = _parcel(*MOVING, order_id="4012345678900000001", buyer="tb_buyer")
    second = _parcel(order_id="4012345678900000002", buyer="tb_buyer")
    reports = check_parcels([first, second], sh("2026-03-02 17:00"), TAOBAO)
    assert all(r.flags == () for r in reports)
    # buyers unknown: flagged, the shop checks
    anonymous = [attrs.evolve(p, buyer=None) for p in (first, second)]
    assert all(r.flags for r in check_parcels(anonymous, sh("2026-03-02 17:00"), TAOBAO))


def test_scans_after_the_instant_are_not_read_and_duplicates_count_once() -> None:
    parcel = _parcel(*DELIVERED, *DELIVERED)
    assert len(parcel.scans) == len(DELIVERED)
    report = check_parcel(parcel, sh("2026-03-03 00:00"), TAOBAO)
    assert report.status is ParcelStatus.IN_TRANSIT
    assert report.last_scan == MOVING[2]


def test_a_parcel_shipped_later_cannot_be_checked_earlier() -> None:
    with pytest.raises(InvalidInput, match="shipped after"):
        check_parcel(_parcel(), sh("2026-03-01 10:00"), TAOBAO)


def test_unknown_scan_status_is_refused() -> None:
    with pytest.raises(ValueError, match="teleported"):
        TrackingScan(at=sh("2026-03-02 10:00"), status="teleported")


_MOVEMENT = st.sampled_from(
    [ScanStatus.IN_TRANSIT, ScanStatus.OUT_FOR_DELIVERY, ScanStatus.DELIVERED]
)


@given(
    parcel=tracking_histories(),
    later=st.integers(0, 10 * 24 * 3600),
    movement=_MOVEMENT,
    offset=st.integers(0, 10 * 24 * 3600),
)
def test_more_movement_never_adds_a_stuck_flag(
    parcel: Parcel, later: int, movement: ScanStatus, offset: int
) -> None:
    at = parcel.shipment.at.add(seconds=later)
    before = check_parcel(parcel, at, TAOBAO)
    moved = Parcel(
        order_id=parcel.order_id,
        shipment=parcel.shipment,
        scans=(
            *parcel.scans,
            TrackingScan(at=parcel.shipment.at.add(seconds=offset), status=movement, place="x"),
        ),
    )
    after = check_parcel(moved, at, TAOBAO)
    kinds_before = {f.kind for f in before.flags}
    kinds_after = {f.kind for f in after.flags}
    assert kinds_after <= kinds_before
    if FakeKind.STUCK_AT_COLLECTED in kinds_before and offset <= later:
        assert FakeKind.STUCK_AT_COLLECTED not in kinds_after


@given(parcel=tracking_histories(shapes=("moving", "delivered", "returned")))
def test_a_parcel_collected_in_time_and_moving_is_never_flagged(parcel: Parcel) -> None:
    first = parcel.carrier_scans(parcel.scans[-1].at)[0]
    at = parcel.scans[-1].at.add(days=30)
    flags = check_parcel(parcel, at, TAOBAO).flags
    if first.at < parcel.shipment.at.add(hours=24):
        assert flags == ()
    else:
        assert [f.kind for f in flags] == [FakeKind.NEVER_COLLECTED]


@given(parcel=tracking_histories(shapes=("stuck", "never_collected")))
def test_stuck_and_never_collected_parcels_are_flagged_in_time(parcel: Parcel) -> None:
    at = parcel.scans[-1].at.add(hours=48)
    assert check_parcel(parcel, at, TAOBAO).flags
