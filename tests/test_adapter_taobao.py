"""The Taobao Open Platform adapter: records in, cases out, nothing dropped."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales import Kind, Money, State, Status, preset, replay
from aftersales.adapters import taobao
from aftersales.core._case import PLATFORM_STATUS
from aftersales.reviews import Rating
from tests.helpers import imported_case, sh

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "taobao"
POLICY = preset("taobao")


def _load(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _refunds() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = _load("refunds_receive_get.json")[
        "refunds_receive_get_response"
    ]["refunds"]["refund"]
    return records


@pytest.fixture(scope="module")
def examples() -> taobao.ImportResult:
    return taobao.load_exports(EXAMPLES, policy=POLICY)


# -- accounting ---------------------------------------------------------------------------


def test_every_example_record_is_imported_or_reported(examples: taobao.ImportResult) -> None:
    # 17 refunds, 5 trades, 5 rate records; 17 Tmall disputes (tests/test_adapter_tmall.py)
    assert examples.records_in == 44
    assert examples.imported + len(examples.problems) == examples.records_in
    assert (len(examples.cases), len(examples.trades), len(examples.reviews)) == (27, 4, 3)
    assert len(examples.problems) == 10


def test_the_accounting_is_checked_on_construction() -> None:
    with pytest.raises(AssertionError, match="import accounting"):
        taobao.ImportResult(records_in=1)


# -- refund statuses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("refund_id", "kind", "state", "status"),
    [
        ("205112233445566701", Kind.REFUND_BEFORE_SHIPMENT, State.WAIT_SELLER_AGREE, None),
        ("205112233445566702", Kind.RETURN_AND_REFUND, State.WAIT_SELLER_AGREE, None),
        ("205112233445566703", Kind.RETURN_AND_REFUND, State.WAIT_BUYER_RETURN_GOODS, None),
        ("205112233445566704", Kind.RETURN_AND_REFUND, State.WAIT_SELLER_CONFIRM_GOODS, None),
        ("205112233445566705", Kind.REFUND_ONLY, State.SELLER_REFUSE_BUYER, None),
        (
            "205112233445566706",
            Kind.RETURN_AND_REFUND,
            State.INTERVENTION_EVIDENCE,
            Status.SELLER_REFUSE_BUYER,
        ),
        ("205112233445566707", Kind.REFUND_BEFORE_SHIPMENT, State.CLOSED, None),
        ("205112233445566708", Kind.RETURN_AND_REFUND, State.SUCCESS, None),
        ("205112233445566709", Kind.REFUND_ONLY, State.SUCCESS, None),
        (
            "205112233445566715",
            Kind.REFUND_BEFORE_SHIPMENT,
            State.INTERVENTION_REVIEW,
            Status.SELLER_REFUSE_BUYER,
        ),
        ("205112233445566716", Kind.REFUND_BEFORE_SHIPMENT, State.WAIT_SELLER_AGREE, None),
        ("205112233445566717", Kind.REFUND_BEFORE_SHIPMENT, State.SUCCESS, None),
    ],
)
def test_each_refund_status_maps_to_a_workflow_and_state(
    examples: taobao.ImportResult,
    refund_id: str,
    kind: Kind,
    state: State,
    status: Status | None,
) -> None:
    imported = imported_case(examples, refund_id)
    case = imported.case
    assert (case.kind, case.state) == (kind, state)
    assert case.status is imported.record.status
    assert case.status is (status or Status[state.name])
    # the case is the engine's own: its log replays to it
    assert replay(case.log, POLICY, until=case.changed_at) == case


def test_the_engine_computes_the_deadline_from_the_synthesised_log(
    examples: taobao.ImportResult,
) -> None:
    waiting = imported_case(examples, "205112233445566704").case  # returned 02-28 18:20:05
    assert [e.type for e in waiting.log] == [
        "refund_requested",
        "seller_agreed",
        "buyer_shipped_return",
    ]
    assert waiting.return_shipment is not None
    assert waiting.return_shipment.tracking == "78912345678901"
    assert waiting.deadline is not None
    assert waiting.deadline.due == sh("2026-03-10 18:20:05")
    assert waiting.deadline.rule == "RET-CONFIRM-10D"


def test_a_succeeded_return_refunds_what_was_asked(examples: taobao.ImportResult) -> None:
    case = imported_case(examples, "205112233445566708").case
    assert case.refunded == Money("79.00")
    assert case.changed_at == sh("2026-02-23 16:45:00")


def test_intervention_ruled_for_the_buyer_is_a_dispute_refund(
    examples: taobao.ImportResult,
) -> None:
    imported = imported_case(examples, "205112233445566709")
    assert imported.intervention == "ruled for the buyer"
    assert imported.case.is_dispute_refund
    assert imported.case.refunded == Money("45.00")


def test_a_review_stage_is_reached_from_the_earliest_allowed_request(
    examples: taobao.ImportResult,
) -> None:
    imported = imported_case(examples, "205112233445566715")
    case = imported.case
    # PRE-INTERVENE-3D: intervention opens three days after the 02-10 10:00 application
    assert case.intervention_requested_at == sh("2026-02-13 10:00:00")
    assert case.deadline is not None
    assert case.deadline.rule == "INT-REVIEW-4WD"
    assert any("earliest the rules allow" in note for note in imported.notes)


def test_a_partly_shipped_trade_decides_per_sub_order(examples: taobao.ImportResult) -> None:
    case = imported_case(examples, "205112233445566716").case
    assert case.kind is Kind.REFUND_BEFORE_SHIPMENT  # its sub-order had not shipped
    assert case.oid == "4012345678901234522"
    assert case.order.paid == Money("147.80")
    assert case.item.paid == Money("48.00")


def test_what_the_adapter_assumed_is_in_the_notes(examples: taobao.ImportResult) -> None:
    notes = imported_case(examples, "205112233445566703").notes
    assert "paid_at: created (the trade is not in the import)" in notes
    assert any(note.startswith("signed_at: created") for note in notes)
    closed = imported_case(examples, "205112233445566707").notes
    assert any("withdrawn by the buyer" in note for note in closed)


# -- malformed records --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "record_id", "field", "words"),
    [
        ("refund", "205112233445566711", "created", "missing"),
        ("refund", "205112233445566712", "refund_fee", "float 59.9"),
        ("refund", "205112233445566713", "status", "WAIT_BUYER_MODIFY"),
        ("refund", "205112233445566714", "created", "not a real date"),
        ("trade", "4012345678901234540", "payment", "float 88.5"),
        ("rate", "4012345678901234571", "item_price", "float 39.9"),
        ("rate", "4012345678901234512", "role", "seller"),
    ],
)
def test_malformed_records_are_reported_with_id_and_field(
    examples: taobao.ImportResult, kind: str, record_id: str, field: str, words: str
) -> None:
    (problem,) = [p for p in examples.problems if p.record_id == record_id and p.kind == kind]
    assert problem.field == field
    assert words in problem.problem
    assert problem.allowed
    assert problem.source.endswith("]")  # the position inside the export
    assert record_id in str(problem)


def test_an_unknown_status_lists_the_platform_statuses(examples: taobao.ImportResult) -> None:
    (problem,) = [p for p in examples.problems if p.field == "status" and p.kind == "refund"]
    for status in ("WAIT_SELLER_AGREE", "SELLER_REFUSE_BUYER", "SUCCESS", "CLOSED"):
        assert status in problem.allowed


def test_ids_keep_their_digits_and_floats_are_refused() -> None:
    record = copy.deepcopy(_refunds()[0])
    record["tid"] = 4012345678901234501  # a JSON integer is exact
    record["oid"] = 4012345678901234501
    result = taobao.import_records(refunds=[record], policy=POLICY)
    assert result.cases[0].case.order.id == "4012345678901234501"
    record["tid"] = 4.012345678901234e18
    result = taobao.import_records(refunds=[record], policy=POLICY)
    (problem,) = result.problems
    assert (problem.field, problem.record_id) == ("tid", "205112233445566701")
    assert "float" in problem.problem


def test_a_record_the_rules_cannot_reach_is_reported_not_guessed() -> None:
    record = copy.deepcopy(_refunds()[0])
    record["cs_status"] = 3  # intervention while the seller has not answered
    (problem,) = taobao.import_records(refunds=[record], policy=POLICY).problems
    assert problem.field == "cs_status"
    assert "SELLER_REFUSE_BUYER" in problem.allowed


def test_a_refund_above_the_sub_order_is_reported_on_refund_fee() -> None:
    record = copy.deepcopy(_refunds()[0])
    record["refund_fee"] = "99.00"  # total_fee 59.90
    (problem,) = taobao.import_records(refunds=[record], policy=POLICY).problems
    assert problem.field == "refund_fee"


def test_a_return_that_succeeded_needs_its_return_shipment() -> None:
    record = copy.deepcopy(_refunds()[7])
    del record["sid"]
    (problem,) = taobao.import_records(refunds=[record], policy=POLICY).problems
    assert (problem.record_id, problem.field) == ("205112233445566708", "sid")


def test_a_duplicate_refund_keeps_the_newer_snapshot() -> None:
    older = copy.deepcopy(_refunds()[0])
    newer = copy.deepcopy(older)
    newer.update(status="SUCCESS", modified="2026-03-03 09:00:00")
    result = taobao.import_records(refunds=[newer, older], policy=POLICY)
    assert [c.case.status for c in result.cases] == [Status.SUCCESS]
    (problem,) = result.problems
    assert (problem.field, problem.source) == ("refund_id", "refunds[1]")


# -- the platform's deadlines --------------------------------------------------------------


def test_a_timeout_disagreement_is_reported(examples: taobao.ImportResult) -> None:
    (found,) = examples.disagreements
    assert found.case_id == "205112233445566710"
    assert found.field == "refund_remind_timeout.timeout"
    assert found.theirs == sh("2026-03-04 20:30:00")
    assert found.ours == sh("2026-03-05 20:30:00")
    assert found.difference == dt.timedelta(hours=-24)
    assert found.rule == "PRE-AUTO-2D"
    assert "-24h00m" in str(found)


def test_the_current_schedule_agrees_where_the_classic_one_did_not() -> None:
    current = taobao.load_exports(EXAMPLES, policy=preset("taobao-current"))
    disagreeing = {d.case_id for d in current.disagreements}
    assert "205112233445566710" not in disagreeing  # 24 hours (CURRENT-SCHEDULE)
    assert "205112233445566701" in disagreeing  # this one was given 48 hours


def test_tolerance_hides_small_differences() -> None:
    record = copy.deepcopy(_refunds()[0])
    record["refund_remind_timeout"]["timeout"] = "2026-03-04 21:50:00"
    assert len(taobao.import_records(refunds=[record], policy=POLICY).disagreements) == 1
    quiet = taobao.import_records(
        refunds=[record], policy=POLICY, tolerance=dt.timedelta(minutes=5)
    )
    assert quiet.disagreements == ()


def test_a_platform_still_waiting_past_our_deadline_is_reported() -> None:
    record = copy.deepcopy(_refunds()[0])
    record["modified"] = "2026-03-06 09:00:00"  # still WAIT_SELLER_AGREE after 2 days
    del record["refund_remind_timeout"]
    (found,) = taobao.import_records(refunds=[record], policy=POLICY).disagreements
    assert (found.field, found.rule) == ("modified", "PRE-AUTO-2D")
    assert found.ours == sh("2026-03-04 21:47:13")


def test_a_step_after_the_timer_is_taken_as_the_platforms_own() -> None:
    record = copy.deepcopy(_refunds()[2])  # WAIT_BUYER_RETURN_GOODS
    record["modified"] = "2026-03-08 09:00:00"  # after the 5-day response window
    del record["refund_remind_timeout"]
    imported = taobao.import_records(refunds=[record], policy=POLICY).cases[0]
    assert imported.case.history[-1].trigger == "timeout:seller_response"
    assert imported.case.history[-1].rule == "RET-AUTO-AGREE"
    assert any("timer did it" in note for note in imported.notes)


# -- trades and rate records ---------------------------------------------------------------


def test_trades_keep_the_shipping_facts(examples: taobao.ImportResult) -> None:
    trades = {t.tid: t for t in examples.trades}
    taobao_trade, tmall_trade = trades["4012345678901234501"], trades["4012345678901234502"]
    assert (taobao_trade.marketplace, tmall_trade.marketplace) == ("taobao", "tmall")
    assert tmall_trade.consign_time == sh("2026-02-26 17:02:00")
    assert tmall_trade.shipping_type == "express"
    partial = trades["4012345678901234520"]
    assert partial.status == "SELLER_CONSIGNED_PART"
    assert partial.partly_shipped
    assert [(line.oid, line.num, line.shipped) for line in partial.lines] == [
        ("4012345678901234521", 2, True),
        ("4012345678901234522", 1, False),
    ]
    assert partial.lines[0].invoice_no == "YT7501234567890"
    assert partial.order is not None
    assert partial.order.paid_at == sh("2026-03-01 13:20:00")
    assert [item.paid for item in partial.order.items] == [Money("99.80"), Money("48.00")]
    unpaid = trades["4012345678901234530"]
    assert unpaid.order is None
    assert len(examples.orders) == 3


def test_rate_records_become_reviews(examples: taobao.ImportResult) -> None:
    results = {r.oid: r.result for r in examples.reviews}
    assert results["4012345678901234551"] is Rating.BAD
    (bad,) = [r for r in examples.reviews if r.result is Rating.BAD]
    assert bad.item_price == Money("19.90")
    assert bad.created == sh("2026-03-02 21:47:13")
    assert bad.reply is None


# -- envelopes and files -------------------------------------------------------------------


def test_bare_records_lists_and_envelopes_are_all_read() -> None:
    refund = _refunds()[0]
    trade = _load("trades_sold_get.json")["trades_sold_get_response"]["trades"]["trade"][0]
    result = taobao.import_exports(
        [
            ("bare-refund", refund),
            ("bare-list", [trade]),
            ("empty", {"refunds_receive_get_response": {"total_results": 0}}),
        ],
        policy=POLICY,
    )
    assert (len(result.cases), len(result.trades), result.problems) == (1, 1, ())
    # the trade from another export is matched by tid: the order's pay time is known
    assert result.cases[0].case.order.paid_at == sh("2026-03-02 20:03:11")


def test_an_api_error_and_a_stray_record_are_reported() -> None:
    error = {"error_response": {"code": 27, "msg": "Invalid session"}}
    result = taobao.import_exports([("err", error), ("stray", {"hello": 1})], policy=POLICY)
    assert [(p.kind, p.source) for p in result.problems] == [
        ("export", "err"),
        ("unknown", "stray"),
    ]
    assert result.records_in == 2


def test_an_unreadable_file_is_reported_and_the_rest_imported(tmp_path: Path) -> None:
    (tmp_path / "a-broken.json").write_text('{"refunds_receive_get_response": ', encoding="utf-8")
    (tmp_path / "b-refund.json").write_text(json.dumps(_refunds()[0]), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not an export", encoding="utf-8")
    result = taobao.load_exports(tmp_path, policy=POLICY)
    assert len(result.cases) == 1
    (problem,) = result.problems
    assert (problem.kind, problem.source) == ("export", "a-broken.json")
    single = taobao.load_exports(tmp_path / "b-refund.json", policy=POLICY)
    assert len(single.cases) == 1
    with pytest.raises(FileNotFoundError):
        taobao.load_exports(tmp_path / "missing")


# -- property: generated records round-trip -----------------------------------------------

_SHAPES = {
    # shape: (has_good_return, good_status, order_status, statuses it can be in)
    "before_shipment": (
        False,
        "BUYER_NOT_RECEIVED",
        "WAIT_SELLER_SEND_GOODS",
        ("WAIT_SELLER_AGREE", "SELLER_REFUSE_BUYER", "CLOSED", "SUCCESS"),
    ),
    "not_received": (
        False,
        "BUYER_NOT_RECEIVED",
        "WAIT_BUYER_CONFIRM_GOODS",
        (
            "WAIT_SELLER_AGREE",
            "WAIT_SELLER_CONFIRM_GOODS",
            "SELLER_REFUSE_BUYER",
            "CLOSED",
            "SUCCESS",
        ),
    ),
    "received": (
        False,
        "BUYER_RECEIVED",
        "WAIT_BUYER_CONFIRM_GOODS",
        ("WAIT_SELLER_AGREE", "SELLER_REFUSE_BUYER", "CLOSED", "SUCCESS"),
    ),
    "return": (
        True,
        "BUYER_RECEIVED",
        "WAIT_BUYER_CONFIRM_GOODS",
        tuple(s.value for s in Status if s is not Status.NO_REFUND),
    ),
}
_CS_FOR = {
    "WAIT_SELLER_AGREE": (1,),
    "WAIT_BUYER_RETURN_GOODS": (1,),
    "WAIT_SELLER_CONFIRM_GOODS": (1,),
    "SELLER_REFUSE_BUYER": (1, 2, 3, 4, 5, 7, 10, 11),
    "SUCCESS": (1, 2, 3, 6, 8, 10),
    "CLOSED": (1, 2, 6, 7, 9, 11),
}
_TIME = "%Y-%m-%d %H:%M:%S"


@st.composite
def refund_records(draw: st.DrawFn) -> dict[str, Any]:
    shape = draw(st.sampled_from(sorted(_SHAPES)))
    has_return, good_status, order_status, statuses = _SHAPES[shape]
    status = draw(st.sampled_from(statuses))
    cs = draw(st.sampled_from(_CS_FOR[status]))
    # platform times are Beijing wall-clock text; kept within the calendar's known years
    start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    created = start + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 280)))
    returned = (status == "WAIT_SELLER_CONFIRM_GOODS") or (
        status == "SUCCESS" and cs == 1 and shape in ("return", "not_received")
    )
    record: dict[str, Any] = {
        "refund_id": str(draw(st.integers(10**17, 10**18 - 1))),
        "tid": str(draw(st.integers(10**18, 2**63 - 1))),
        "status": status,
        "good_status": good_status,
        "has_good_return": has_return,
        "refund_fee": str(Money.from_fen(draw(st.integers(1, 500_000)))),
        "total_fee": "5000.00",
        "created": created.strftime(_TIME),
        "order_status": order_status,
        "cs_status": cs,
    }
    if cs in (2, 3, 10):  # intervention requested at modified: after it opens, before it closes
        modified = created + dt.timedelta(minutes=draw(st.integers(3 * 1440, 8 * 1440)))
    elif cs != 1:
        modified = created + dt.timedelta(minutes=draw(st.integers(3 * 1440, 30 * 1440)))
    elif returned:
        back = created + dt.timedelta(minutes=draw(st.integers(0, 4 * 1440)))
        modified = back + dt.timedelta(minutes=draw(st.integers(0, 12 * 1440)))
        record.update(
            good_status="BUYER_RETURNED_GOODS",
            good_return_time=back.strftime(_TIME),
            company_name="中通快递",
            sid="7891234",
        )
    else:
        modified = created + dt.timedelta(minutes=draw(st.integers(0, 20 * 1440)))
    record["modified"] = modified.strftime(_TIME)
    return record


@given(refund_records())
def test_generated_refund_records_round_trip(record: dict[str, Any]) -> None:
    result = taobao.import_records(refunds=[record], policy=POLICY)
    assert result.problems == ()
    (imported,) = result.cases
    case = imported.case
    wanted = Status(record["status"])
    assert case.status is wanted
    assert PLATFORM_STATUS[case.state] in (wanted, None)  # None: an intervention stage
    assert case.id == record["refund_id"]
    assert case.requested == Money(record["refund_fee"])
    assert replay(case.log, POLICY, until=case.changed_at) == case
