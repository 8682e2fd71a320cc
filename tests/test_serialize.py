from __future__ import annotations

import pendulum
import pytest
from hypothesis import given

from aftersales import (
    AfterSalesError,
    Event,
    InvalidInput,
    Money,
    RefundRequested,
    advance,
    open_case,
    preset,
    step,
)
from aftersales.core import case_from_json, case_to_json, event_from_dict, event_to_dict
from aftersales.core._serialize import format_instant, parse_instant
from aftersales.testing import event_sequences, instants, refund_requests

POLICY = preset("taobao")


@given(instants())
def test_instants_round_trip_with_their_zone(value: pendulum.DateTime) -> None:
    back = parse_instant(format_instant(value))
    assert back == value
    assert back.utcoffset() == value.utcoffset()
    assert str(back.tzinfo) == str(value.tzinfo)


def test_named_zone_is_kept_and_a_plain_offset_stays_an_offset() -> None:
    named = pendulum.datetime(2026, 3, 2, 10, tz="Asia/Shanghai")
    assert format_instant(named) == "2026-03-02T10:00:00+08:00[Asia/Shanghai]"
    fixed = parse_instant("2026-03-02T10:00:00+08:00")
    assert format_instant(fixed) == "2026-03-02T10:00:00+08:00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-03-02T10:00:00", "no UTC offset"),
        ("2026-03-02", "not an instant"),
        ("yesterday", "not an ISO 8601 instant"),
        ("2026-03-02T10:00:00+09:00[Asia/Shanghai]", "does not match"),
    ],
)
def test_bad_instants(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_instant(text)


@given(refund_requests().flatmap(lambda r: event_sequences(after=r.at).map(lambda e: (r, e))))
def test_cases_and_events_round_trip_exactly(
    scenario: tuple[RefundRequested, list[Event]],
) -> None:
    request, events = scenario
    case, _ = open_case(request, POLICY)
    for event in events:
        assert event_from_dict(event_to_dict(event)) == event
        try:
            case, _ = step(case, event, POLICY)
        except AfterSalesError:  # illegal events are part of the draw
            continue
    case, _ = advance(case, case.changed_at.add(days=3), POLICY)
    text = case_to_json(case)
    back = case_from_json(text)
    assert back == case
    assert case_to_json(back) == text


def test_event_errors_name_the_field() -> None:
    with pytest.raises(InvalidInput, match="unknown event type"):
        event_from_dict({"type": "seller_laughed", "id": "x", "at": "2026-03-02T10:00:00+08:00"})
    with pytest.raises(InvalidInput, match="missing field"):
        event_from_dict(
            {"type": "buyer_shipped_return", "id": "x", "at": "2026-03-02T10:00:00+08:00"}
        )
    with pytest.raises(InvalidInput, match="unknown field"):
        event_from_dict(
            {"type": "seller_agreed", "id": "x", "at": "2026-03-02T10:00:00+08:00", "amount": "1"}
        )


@given(refund_requests().flatmap(lambda r: event_sequences(after=r.at).map(lambda e: (r, e))))
def test_the_stored_form_read_fast_equals_the_checked_way(
    pair: tuple[RefundRequested, list[Event]],
) -> None:
    """Events as the library writes them are built through their fields' hooks looked
    up once; the result is the checked reader's, and bad input still gets its message."""
    from aftersales.core._serialize import _event_from_mapping

    for event in [pair[0], *pair[1]]:
        body = event_to_dict(event)
        assert event_from_dict(body) == _event_from_mapping(body) == event
        for bad in ({**body, "extra": 1}, {**body, "at": "yesterday"}):
            with pytest.raises(InvalidInput) as fast:
                event_from_dict(bad)
            with pytest.raises(InvalidInput) as checked:
                _event_from_mapping(bad)
            assert str(fast.value) == str(checked.value)


def test_parsed_instants_and_amounts_are_remembered_not_shared_wrongly() -> None:
    from aftersales.core._serialize import _instant_from_json, _money_from_json

    shanghai = "2026-03-02T10:00:00+08:00[Asia/Shanghai]"
    fixed = "2026-03-02T10:00:00+08:00"
    assert _instant_from_json(shanghai) is _instant_from_json(shanghai)
    assert _instant_from_json(shanghai).timezone_name == "Asia/Shanghai"
    assert _instant_from_json(fixed).timezone_name != "Asia/Shanghai"
    assert _money_from_json("59.9") == _money_from_json("59.90") == Money("59.90")
    for bad in ("yesterday", "2026-03-02T10:00:00"):
        with pytest.raises(InvalidInput):
            _instant_from_json(bad)
        with pytest.raises(InvalidInput):  # an error is never remembered as a value
            _instant_from_json(bad)
    with pytest.raises(InvalidInput):
        _money_from_json("1.001")
