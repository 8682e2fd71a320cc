"""Dispute metrics across cases (INT-DISPUTE, DISPUTE-RATE, INT-AVOID)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales import (
    Case,
    InvalidInput,
    Kind,
    Money,
    Party,
    Policy,
    SellerRefused,
    State,
    Status,
    open_case,
    preset,
    step,
)
from aftersales.core._case import Mode, Ruling
from aftersales.disputes._metrics import (
    AvoidIntervention,
    MonthlyDisputes,
    avoid_intervention,
    dispute_months,
    dispute_rate,
)

from .helpers import request, sh

TAOBAO = preset("taobao")
UTC = pendulum.timezone("UTC")


def _base() -> Case:
    case, _ = open_case(
        request(
            Kind.RETURN_AND_REFUND,
            "2026-02-20 10:00",
            shipped="2026-02-15 16:00",
            signed="2026-02-17 11:00",
        ),
        TAOBAO,
    )
    return case


BASE = _base()


def ruled(
    case_id: str,
    at: pendulum.DateTime,
    favours: Party = Party.BUYER,
    *,
    seller_liable: bool = False,
) -> Case:
    """A case the platform ruled on at ``at``."""
    won = favours is Party.BUYER
    return attrs.evolve(
        BASE,
        id=case_id,
        state=State.SUCCESS if won else State.CLOSED,
        status=Status.SUCCESS if won else Status.CLOSED,
        refunded=BASE.requested if won else Money.ZERO,
        charged_to_seller=BASE.requested if won else Money.ZERO,
        intervention_requested_at=sh("2026-02-25 10:00"),
        ruling=Ruling(at, favours, Mode.STAFF, seller_liable),
    )


def utc(text: str) -> pendulum.DateTime:
    parsed = pendulum.parse(text, tz=UTC)
    assert isinstance(parsed, pendulum.DateTime)
    return parsed


# --- dispute_months ----------------------------------------------------------


def test_shanghai_midnight_is_four_in_the_afternoon_utc() -> None:
    """2026-03-31T16:30Z is 04-01 00:30 in Shanghai: April. 15:59:59Z is still March."""
    cases = [
        ruled("A", utc("2026-03-31T16:30:00")),
        ruled("M", utc("2026-03-31T15:59:59")),
        ruled("N", utc("2026-03-31T16:00:00")),  # Shanghai midnight exactly: April
    ]
    months = dispute_months(cases, TAOBAO)
    assert [(m.month, m.case_ids) for m in months] == [
        ("2026-03", ("M",)),
        ("2026-04", ("A", "N")),
    ]


def test_month_record_counts_refunds_and_seller_liability() -> None:
    cases = [
        ruled("R3", sh("2026-03-05 10:00"), seller_liable=True),
        ruled("R1", sh("2026-03-20 10:00")),
        ruled("R2", sh("2026-03-09 10:00"), Party.SELLER),  # seller won: not a dispute refund
        attrs.evolve(BASE, id="OPEN"),  # never ruled on
    ]
    assert dispute_months(cases, TAOBAO) == [
        MonthlyDisputes(
            month="2026-03",
            dispute_refunds=2,
            seller_liable=1,
            case_ids=("R1", "R3"),
            level="ok",
        )
    ]


def test_months_with_a_ruling_only_and_in_order() -> None:
    cases = [
        ruled("late", sh("2026-05-02 10:00")),
        ruled("won", sh("2026-01-10 10:00"), Party.SELLER),
        ruled("early", sh("2025-12-31 23:59")),
    ]
    months = dispute_months(cases, TAOBAO)
    assert [m.month for m in months] == ["2025-12", "2026-01", "2026-05"]
    assert months[1].dispute_refunds == 0
    assert months[1].case_ids == ()
    assert months[1].level == "ok"
    assert dispute_months([BASE], TAOBAO) == []
    assert dispute_months([], TAOBAO) == []


def _month_of(count: int, policy: Policy) -> MonthlyDisputes:
    cases = [ruled(f"R{i:02d}", sh(f"2026-03-{i + 1:02d} 12:00")) for i in range(count)]
    (month,) = dispute_months(cases, policy)
    assert month.dispute_refunds == count
    return month


@pytest.mark.parametrize(
    ("count", "level"),
    [(1, "ok"), (3, "ok"), (4, "warning"), (5, "warning"), (6, "barred"), (9, "barred")],
)
def test_levels_at_the_default_thresholds(count: int, level: str) -> None:
    """INT-DISPUTE: *more than* 5 in a calendar month bars campaigns; warn from 4."""
    assert _month_of(count, TAOBAO).level == level


@pytest.mark.parametrize(
    ("count", "level"),
    [(1, "ok"), (2, "warning"), (3, "warning"), (4, "barred")],
)
def test_levels_follow_a_policy_override(count: int, level: str) -> None:
    strict = TAOBAO.override(dispute_campaign_limit=3, dispute_warning_at=2)
    assert _month_of(count, strict).level == level


def test_a_month_is_counted_in_the_policy_zone() -> None:
    utc_shop = TAOBAO.override(timezone="UTC")
    case = ruled("A", utc("2026-03-31T16:30:00"))
    assert dispute_months([case], TAOBAO)[0].month == "2026-04"
    assert dispute_months([case], utc_shop)[0].month == "2026-03"


def test_the_same_case_twice_is_refused() -> None:
    case = ruled("A", sh("2026-03-05 10:00"))
    with pytest.raises(InvalidInput, match="more than once"):
        dispute_months([case, case], TAOBAO)


# A window straddling both the UTC and the Shanghai end of March.
_START = utc("2026-03-30T00:00:00")
_SPAN = int(dt.timedelta(days=3).total_seconds())


@given(
    st.lists(
        st.tuples(
            st.integers(0, _SPAN),
            st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York"]),
            st.sampled_from([Party.BUYER, Party.SELLER]),
            st.booleans(),
        ),
        max_size=20,
    )
)
def test_monthly_counts_match_a_plain_recount(
    draws: list[tuple[int, str, Party, bool]],
) -> None:
    cases = [
        ruled(f"C{i:03d}", _START.add(seconds=offset).in_timezone(zone), favours, seller_liable=s)
        for i, (offset, zone, favours, s) in enumerate(draws)
    ]
    # The recount: Shanghai has been UTC+8 all year round since 1991.
    refunds: Counter[str] = Counter()
    liable: Counter[str] = Counter()
    ruled_months: set[str] = set()
    for case in cases:
        assert case.ruling is not None
        at = case.ruling.at
        local = dt.datetime.fromtimestamp(at.timestamp(), tz=dt.UTC) + dt.timedelta(hours=8)
        month = f"{local.year}-{local.month:02d}"
        ruled_months.add(month)
        refunds[month] += case.ruling.favours is Party.BUYER
        liable[month] += case.ruling.seller_liable
    months = dispute_months(cases, TAOBAO)
    assert [m.month for m in months] == sorted(ruled_months)
    for m in months:
        assert m.dispute_refunds == refunds[m.month]
        assert m.seller_liable == liable[m.month]
        assert len(m.case_ids) == m.dispute_refunds
        assert list(m.case_ids) == sorted(m.case_ids)
        expected = (
            "barred" if m.dispute_refunds > 5 else "warning" if m.dispute_refunds >= 4 else "ok"
        )
        assert m.level == expected
    assert sum(m.dispute_refunds for m in months) == sum(c.is_dispute_refund for c in cases)


# --- dispute_rate --------------------------------------------------------------

END = sh("2026-04-01 00:00")


def test_rate_is_dispute_refunds_over_paid_sub_orders() -> None:
    cases = [
        ruled("A", sh("2026-03-10 10:00")),
        ruled("B", sh("2026-03-20 10:00")),
        ruled("C", sh("2026-03-31 23:59:59")),
        ruled("D", sh("2026-03-15 10:00"), Party.SELLER),  # the seller won: not counted
        BASE,
    ]
    assert dispute_rate(cases, paid_sub_orders=200, end=END, policy=TAOBAO) == Decimal("0.0150")
    assert dispute_rate([], paid_sub_orders=200, end=END, policy=TAOBAO) == Decimal("0.0000")


@pytest.mark.parametrize(
    ("disputes", "orders", "rate"),
    [(1, 3, "0.3333"), (2, 3, "0.6667"), (1, 8, "0.1250"), (1, 20000, "0.0001"), (1, 30000, "0")],
)
def test_rate_is_rounded_half_up_to_four_places(disputes: int, orders: int, rate: str) -> None:
    cases = [ruled(f"R{i}", sh("2026-03-20 10:00")) for i in range(disputes)]
    result = dispute_rate(cases, paid_sub_orders=orders, end=END, policy=TAOBAO)
    assert result == Decimal(rate)
    assert result.as_tuple().exponent == -4


def test_rate_window_is_the_thirty_days_before_end() -> None:
    """DISPUTE-RATE: [end - 30 days, end); END is 2026-04-01 00:00, so from 03-02 00:00."""
    cases = [
        ruled("first-in", sh("2026-03-02 00:00")),
        ruled("too-old", sh("2026-03-01 23:59:59")),
        ruled("at-end", sh("2026-04-01 00:00")),
        ruled("last-in", utc("2026-03-31T15:00:00")),  # 23:00 in Shanghai
    ]
    rate = dispute_rate(cases, paid_sub_orders=100, end=END, policy=TAOBAO)
    assert rate == Decimal("0.0200")
    earlier = dispute_rate(cases, paid_sub_orders=100, end=END.subtract(seconds=1), policy=TAOBAO)
    assert earlier == Decimal("0.0300")  # too-old, first-in, last-in
    later = dispute_rate(cases, paid_sub_orders=100, end=END.add(seconds=1), policy=TAOBAO)
    assert later == Decimal("0.0200")  # first-in, too-old out; at-end, last-in in


def test_rate_end_may_be_given_in_any_zone() -> None:
    cases = [ruled("A", sh("2026-03-20 10:00"))]
    in_utc = END.in_timezone(UTC)
    assert dispute_rate(cases, paid_sub_orders=4, end=in_utc, policy=TAOBAO) == Decimal("0.2500")


@pytest.mark.parametrize("orders", [0, -1])
def test_rate_needs_paid_sub_orders(orders: int) -> None:
    with pytest.raises(InvalidInput, match="paid_sub_orders"):
        dispute_rate([], paid_sub_orders=orders, end=END, policy=TAOBAO)


def test_rate_refuses_a_naive_end() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        dispute_rate([], paid_sub_orders=1, end=pendulum.naive(2026, 4, 1), policy=TAOBAO)


# --- avoid_intervention --------------------------------------------------------


def refused(
    case_id: str,
    amount: str,
    *,
    kind: Kind = Kind.RETURN_AND_REFUND,
    opened: str = "2026-03-02 10:00",
    refused_at: str = "2026-03-02 15:00",
) -> Case:
    signed = kind is Kind.RETURN_AND_REFUND
    case, _ = open_case(
        request(
            kind,
            opened,
            amount=amount,
            case_id=case_id,
            shipped="2026-02-25 16:00" if signed else None,
            signed="2026-02-27 11:00" if signed else None,
        ),
        TAOBAO,
    )
    case, _ = step(case, SellerRefused(id=f"{case_id}-refused", at=sh(refused_at)), TAOBAO)
    assert case.state is State.SELLER_REFUSE_BUYER
    return case


def test_cheap_refused_case_is_worth_settling() -> None:
    case = refused("R1", "30.00")
    (advice,) = avoid_intervention([case], TAOBAO)
    assert isinstance(advice, AvoidIntervention)
    assert (advice.case_id, advice.amount, advice.rule) == ("R1", Money("30.00"), "INT-AVOID")
    assert "refund without return" in advice.why
    assert "2026-03-02 15:00" in advice.why  # when the buyer may escalate, shop time


def test_limit_is_inclusive_and_follows_the_policy() -> None:
    at_limit, above = refused("AT", "50.00"), refused("ABOVE", "50.01")
    assert [a.case_id for a in avoid_intervention([at_limit, above], TAOBAO)] == ["AT"]
    generous = TAOBAO.override(int_avoid_max_value="80.00")
    assert [a.case_id for a in avoid_intervention([at_limit, above], generous)] == ["ABOVE", "AT"]
    assert avoid_intervention([at_limit, above], TAOBAO.override(int_avoid_max_value="0")) == []


def test_only_cases_still_before_intervention() -> None:
    waiting = refused("WAIT", "20.00")
    cases = [
        waiting,
        attrs.evolve(waiting, id="ASKED", intervention_requested_at=sh("2026-03-03 10:00")),
        attrs.evolve(
            waiting,
            id="RULED",
            ruling=Ruling(sh("2026-03-06 10:00"), Party.SELLER, Mode.STAFF, False),
        ),
        attrs.evolve(waiting, id="DONE", state=State.SUCCESS, status=Status.SUCCESS),
        attrs.evolve(waiting, id="REVIEW", state=State.INTERVENTION_REVIEW),
        open_case(
            request(
                Kind.RETURN_AND_REFUND,
                "2026-03-02 10:00",
                amount="20.00",
                case_id="OPEN",
                shipped="2026-02-25 16:00",
                signed="2026-02-27 11:00",
            ),
            TAOBAO,
        )[0],
    ]
    assert [a.case_id for a in avoid_intervention(cases, TAOBAO)] == ["WAIT"]


def test_ordered_by_when_intervention_opens_then_id() -> None:
    # Refunds before shipment open intervention on the third day (PRE-INTERVENE-3D):
    # 03-01 10:00 -> 03-04 10:00; returns open it at the refusal (RET-REFUSE).
    cases = [
        refused("B", "10.00", refused_at="2026-03-03 09:00"),
        refused(
            "PRE",
            "10.00",
            kind=Kind.REFUND_BEFORE_SHIPMENT,
            opened="2026-03-01 10:00",
            refused_at="2026-03-01 12:00",
        ),
        refused("C", "10.00", refused_at="2026-03-02 15:00"),
        refused("A", "10.00", refused_at="2026-03-03 09:00"),
    ]
    order = [a.case_id for a in avoid_intervention(cases, TAOBAO)]
    assert order == ["C", "A", "B", "PRE"]
