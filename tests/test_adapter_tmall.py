"""Tmall's dispute list (``tmall.dispute.receive.get``): numeric statuses in, cases out.

Refunds and returns come out as the equivalent Taobao refund would; exchanges run the
exchange workflow (RET-EXCHANGE); a status with no faithful equivalent is reported.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from aftersales import Kind, Money, SellerResent, State, Status, preset, replay
from aftersales.adapters import taobao
from tests.helpers import imported_case, sh

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "taobao"
NAME = "tmall_dispute_receive_get.json"
POLICY = preset("tmall")
ENVELOPE = "tmall_dispute_receive_get_response"


def _doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((EXAMPLE / NAME).read_text(encoding="utf-8"))
    return doc


def _records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = _doc()[ENVELOPE]["result"]["results"]
    return records


def _record(refund_id: str) -> dict[str, Any]:
    (found,) = [r for r in _records() if r["refund_id"] == refund_id]
    return copy.deepcopy(found)


@pytest.fixture(scope="module")
def example() -> taobao.ImportResult:
    return taobao.load_exports(EXAMPLE / NAME, policy=POLICY)


def _one_problem(record: dict[str, Any]) -> taobao.Problem:
    result = taobao.import_records(disputes=[record], policy=POLICY)
    assert result.cases == ()
    (problem,) = result.problems
    return problem


# -- the example export ---------------------------------------------------------------------


def test_the_example_imports_every_record_or_reports_it(example: taobao.ImportResult) -> None:
    assert example.records_in == 17  # 8 refunds and returns, 6 exchanges, 3 to report
    assert (len(example.cases), len(example.trades), len(example.reviews)) == (14, 0, 0)
    assert len(example.problems) == 3
    assert {p.kind for p in example.problems} == {"dispute"}
    # every platform time_out in the example is the library's own deadline (PLATFORM-TIMEOUT)
    assert example.disagreements == ()


@pytest.mark.parametrize(
    ("refund_id", "kind", "state", "status"),
    [
        # 仅退款 / 退货退款: numeric status -> the Taobao refund status
        ("1934215577880012301", Kind.REFUND_BEFORE_SHIPMENT, State.WAIT_SELLER_AGREE, None),
        ("1934215577880012302", Kind.RETURN_AND_REFUND, State.WAIT_SELLER_AGREE, None),
        ("1934215577880012303", Kind.RETURN_AND_REFUND, State.WAIT_BUYER_RETURN_GOODS, None),
        ("1934215577880012304", Kind.RETURN_AND_REFUND, State.WAIT_SELLER_CONFIRM_GOODS, None),
        ("1934215577880012305", Kind.REFUND_ONLY, State.CLOSED, None),
        ("1934215577880012306", Kind.RETURN_AND_REFUND, State.SUCCESS, None),
        ("1934215577880012307", Kind.REFUND_ONLY, State.SELLER_REFUSE_BUYER, None),
        ("1934215577880012308", Kind.REFUND_ONLY, State.SUCCESS, None),
        # 换货: the exchange workflow (RET-EXCHANGE)
        ("1934215577880012311", Kind.EXCHANGE, State.WAIT_SELLER_AGREE, None),
        ("1934215577880012312", Kind.EXCHANGE, State.WAIT_BUYER_RETURN_GOODS, None),
        ("1934215577880012313", Kind.EXCHANGE, State.WAIT_SELLER_CONFIRM_GOODS, None),
        ("1934215577880012314", Kind.EXCHANGE, State.CLOSED, None),
        ("1934215577880012315", Kind.EXCHANGE, State.SUCCESS, None),
        (
            "1934215577880012316",
            Kind.EXCHANGE,
            State.EXCHANGE_RESENT,
            Status.WAIT_SELLER_CONFIRM_GOODS,  # the replacement is out; the status stays
        ),
    ],
)
def test_each_mapped_status_gives_a_case_in_its_state(
    example: taobao.ImportResult,
    refund_id: str,
    kind: Kind,
    state: State,
    status: Status | None,
) -> None:
    imported = imported_case(example, refund_id)
    case = imported.case
    assert (case.kind, case.state) == (kind, state)
    assert case.status is (status or Status[state.name])
    assert isinstance(imported.record, taobao.DisputeRecord)
    assert imported.intervention is None  # the dispute list has no cs_status
    # the case is the engine's own: its log replays to it
    assert replay(case.log, POLICY, until=case.changed_at) == case


def test_a_refund_is_the_case_its_taobao_refund_record_gives(
    example: taobao.ImportResult,
) -> None:
    dispute = _record("1934215577880012304")  # 退货退款, status 3
    refund = {
        "refund_id": dispute["refund_id"],
        "tid": dispute["biz_order_id"],
        "oid": dispute["oid"],
        "status": "WAIT_SELLER_CONFIRM_GOODS",
        "good_status": dispute["good_status"],
        "has_good_return": True,
        "refund_fee": dispute["refund_fee"],
        "total_fee": dispute["refund_fee"],
        "created": dispute["created"],
        "modified": dispute["modified"],
        "good_return_time": dispute["good_return_time"],
        "company_name": dispute["buyer_logistic_name"],
        "sid": dispute["buyer_logistic_no"],
        "reason": dispute["reason"],
        "desc": dispute["desc"],
        "title": dispute["title"],
    }
    (from_taobao,) = taobao.import_records(refunds=[refund], policy=POLICY).cases
    assert imported_case(example, dispute["refund_id"]).case == from_taobao.case


def test_money_stays_decimal(example: taobao.ImportResult) -> None:
    returned = imported_case(example, "1934215577880012306").case  # 退货退款 succeeded
    assert returned.requested == Money("259.00")
    assert returned.refunded == Money("259.00")
    assert isinstance(returned.refunded.amount, Decimal)
    record = imported_case(example, "1934215577880012303").record
    assert isinstance(record, taobao.DisputeRecord)
    assert record.refund_fee.amount == Decimal("89.90")


def test_a_succeeded_exchange_refunds_nothing_and_keeps_both_shipments(
    example: taobao.ImportResult,
) -> None:
    imported = imported_case(example, "1934215577880012315")
    case = imported.case
    assert [e.type for e in case.log] == [
        "refund_requested",
        "seller_agreed",
        "buyer_shipped_return",
        "seller_resent",
        "buyer_confirmed_receipt",
    ]
    assert case.refunded == Money.ZERO
    assert case.return_shipment is not None
    assert case.return_shipment.tracking == "4312345678901"
    resent = case.log[3]
    assert isinstance(resent, SellerResent)
    assert (resent.carrier, resent.tracking) == ("顺丰速运", "SF1428876549876")
    assert case.changed_at == sh("2026-03-10 20:15:00")
    assert any(note.startswith("seller_resent") for note in imported.notes)


def test_a_resent_exchange_waits_for_the_buyer(example: taobao.ImportResult) -> None:
    case = imported_case(example, "1934215577880012316").case
    assert case.deadline is not None
    assert case.deadline.rule == "TRADE-AUTO-CONFIRM"
    assert case.deadline.due == sh("2026-03-24 09:40:00")  # its time_out


def test_the_engine_dates_an_exchange_return_from_good_return_time(
    example: taobao.ImportResult,
) -> None:
    case = imported_case(example, "1934215577880012313").case
    assert case.return_shipment is not None
    assert case.return_shipment.at == sh("2026-03-12 19:05:00")
    assert case.deadline is not None
    assert (case.deadline.rule, case.deadline.due) == (
        "RET-CONFIRM-10D",
        sh("2026-03-22 19:05:00"),
    )


def test_what_the_adapter_assumed_is_in_the_notes(example: taobao.ImportResult) -> None:
    notes = imported_case(example, "1934215577880012302").notes
    assert any(note.startswith("paid: refund_fee") for note in notes)
    assert "paid_at: created (the trade is not in the import)" in notes
    closed = imported_case(example, "1934215577880012314").notes
    assert any("withdrawn by the buyer" in note for note in closed)


# -- what is reported ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("refund_id", "field", "words"),
    [
        ("1934215577880012321", "status", "等待买家确认重新邮寄的货物"),  # 退货退款 7
        ("1934215577880012322", "status", "待发出换货商品"),  # 换货 12
        ("1934215577880012323", "refund_fee", "float 129.9"),
    ],
)
def test_the_example_s_unusable_records_are_reported(
    example: taobao.ImportResult, refund_id: str, field: str, words: str
) -> None:
    (problem,) = [p for p in example.problems if p.record_id == refund_id]
    assert (problem.kind, problem.field) == ("dispute", field)
    assert words in problem.problem
    assert problem.allowed
    assert problem.source.startswith(f"{NAME}[")
    assert refund_id in str(problem)


@pytest.mark.parametrize(
    ("request_", "status", "allowed"),
    [
        ("退货退款", 7, "6 卖家拒绝退款 (SELLER_REFUSE_BUYER)"),
        ("仅退款", 8, "1 买家已经申请退款，等待卖家同意 (WAIT_SELLER_AGREE)"),
        ("换货", 6, "13 待买家收货 (EXCHANGE_RESENT)"),
        ("换货", 12, "3 买家已退货，待收货 (WAIT_SELLER_CONFIRM_GOODS)"),
        ("换货", 14, "5 换货成功 (SUCCESS)"),
    ],
)
def test_a_status_without_a_faithful_equivalent_is_reported_not_guessed(
    request_: str, status: int, allowed: str
) -> None:
    record = _record("1934215577880012302")  # 退货退款, status 1
    del record["has_good_return"]
    record.update(dispute_request=request_, status=str(status))
    problem = _one_problem(record)
    assert (problem.field, problem.record_id) == ("status", "1934215577880012302")
    assert str(status) in problem.problem
    assert request_ in problem.problem
    assert allowed in problem.allowed


@pytest.mark.parametrize(
    ("request_", "status", "words"),
    [
        ("换货", "9", "unknown value 9"),
        ("仅退款", "12", "unknown value 12"),
        ("退货退款", "WAIT_SELLER_AGREE", "not a numeric"),
        ("退货退款", 1.0, "float 1.0"),
    ],
)
def test_an_unknown_status_lists_the_documented_ones(
    request_: str, status: object, words: str
) -> None:
    record = _record("1934215577880012302")
    del record["has_good_return"]
    record.update(dispute_request=request_, status=status)
    problem = _one_problem(record)
    assert problem.field == "status"
    assert words in problem.problem
    assert f"for {request_}: 1 " in problem.allowed


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"dispute_request": None}, "dispute_request", "missing"),
        ({"dispute_request": "退款"}, "dispute_request", "unknown value"),
        ({"biz_order_id": None}, "biz_order_id", "missing"),
        ({"biz_order_id": 4.187654321098765e18}, "biz_order_id", "float"),
        ({"tid": "4187654321098765499"}, "biz_order_id", "differs from tid"),
        ({"refund_fee": 199}, None, None),  # an integer is exact
        ({"refund_fee": "199.001"}, "refund_fee", "two decimal places"),
        ({"created": "2026-03-32 10:00:00"}, "created", "not a real date"),
        ({"good_status": None}, "good_status", "missing"),
        ({"has_good_return": False}, "has_good_return", "contradicts"),
        ({"time_out": "soon"}, "time_out", "not a time"),
        ({"buyer_nick": 42}, "buyer_nick", "not text"),
    ],
)
def test_a_malformed_field_is_named(change: dict[str, Any], field: str | None, words: str) -> None:
    record = _record("1934215577880012302")
    for key, value in change.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    result = taobao.import_records(disputes=[record], policy=POLICY)
    if field is None:
        assert result.problems == ()
        assert result.cases[0].case.requested == Money("199.00")
        return
    (problem,) = result.problems
    assert (problem.kind, problem.record_id, problem.field) == (
        "dispute",
        "1934215577880012302",
        field,
    )
    assert words in problem.problem
    assert problem.source == "disputes[0]"


def test_a_refund_only_waiting_for_goods_is_reported_on_dispute_request() -> None:
    record = _record("1934215577880012303")  # 退货退款, status 2
    record["dispute_request"] = "仅退款"
    del record["has_good_return"]
    problem = _one_problem(record)
    assert problem.field == "dispute_request"
    assert "退货退款" in problem.allowed


@pytest.mark.parametrize(
    ("refund_id", "drop", "field"),
    [
        ("1934215577880012304", "buyer_logistic_no", "buyer_logistic_no"),  # 退货退款 3
        ("1934215577880012313", "buyer_logistic_name", "buyer_logistic_name"),  # 换货 3
        ("1934215577880012315", "seller_logistic_no", "seller_logistic_no"),  # 换货 5
        ("1934215577880012316", "seller_logistic_name", "seller_logistic_name"),  # 换货 13
    ],
)
def test_a_shipment_the_status_implies_must_be_in_the_record(
    refund_id: str, drop: str, field: str
) -> None:
    record = _record(refund_id)
    del record[drop]
    problem = _one_problem(record)
    assert (problem.record_id, problem.field) == (refund_id, field)
    assert "show_" in problem.allowed  # the request field that shows the logistics


def test_a_step_after_the_library_s_timer_is_taken_as_the_platform_s_own() -> None:
    record = _record("1934215577880012312")  # 换货 2: waiting for the buyer's return
    record["modified"] = "2026-03-25 10:00:00"  # past the 5-day reply and 7-day return windows
    del record["time_out"]
    result = taobao.import_records(disputes=[record], policy=POLICY)
    assert result.problems == ()  # agreed by the timer (RET-AUTO-AGREE), then still waiting
    (imported,) = result.cases
    assert imported.case.history[-1].rule == "RET-AUTO-AGREE"
    (late,) = result.disagreements
    assert (late.field, late.rule) == ("modified", "RET-BUYER-SHIP-WINDOW")


# -- the trade, when the import has it ---------------------------------------------------------


def _trade(tid: str, oid: str, *, status: str, consign_time: str | None) -> dict[str, Any]:
    line: dict[str, Any] = {"oid": oid, "num": 1, "payment": "328.00", "status": status}
    trade: dict[str, Any] = {
        "tid": tid,
        "status": status,
        "payment": "328.00",
        "pay_time": "2026-03-01 09:00:00",
        "orders": {"order": [line]},
    }
    if consign_time is not None:
        trade["consign_time"] = line["consign_time"] = consign_time
    return trade


@pytest.mark.parametrize(
    ("status", "consign_time", "kind"),
    [
        ("WAIT_SELLER_SEND_GOODS", None, Kind.REFUND_BEFORE_SHIPMENT),
        ("WAIT_BUYER_CONFIRM_GOODS", "2026-03-01 18:00:00", Kind.REFUND_ONLY),
    ],
)
def test_the_trade_decides_refund_before_shipment_or_refund_only(
    status: str, consign_time: str | None, kind: Kind
) -> None:
    record = _record("1934215577880012301")  # 仅退款, BUYER_NOT_RECEIVED
    del record["order_status"]
    del record["time_out"]
    trade = _trade(record["biz_order_id"], record["oid"], status=status, consign_time=consign_time)
    result = taobao.import_records(disputes=[record], trades=[trade], policy=POLICY)
    (imported,) = result.cases
    assert imported.case.kind is kind
    assert imported.case.order.paid == Money("328.00")  # the trade's payment
    assert imported.case.order.paid_at == sh("2026-03-01 09:00:00")
    assert not any(note.startswith("paid") for note in imported.notes)


def test_an_exchange_takes_the_order_facts_from_its_trade() -> None:
    record = _record("1934215577880012311")  # 换货 1
    trade = _trade(
        record["biz_order_id"],
        record["oid"],
        status="WAIT_BUYER_CONFIRM_GOODS",
        consign_time="2026-03-02 10:00:00",
    )
    (imported,) = taobao.import_records(disputes=[record], trades=[trade], policy=POLICY).cases
    assert imported.case.order.shipped_at == sh("2026-03-02 10:00:00")
    assert imported.case.item.paid == Money("328.00")


# -- the platform's deadline ----------------------------------------------------------------


def test_a_time_out_that_differs_is_a_disagreement() -> None:
    record = _record("1934215577880012311")  # 换货 1, seller to reply within 5 days
    record["time_out"] = "2026-03-13 13:25:00"  # the platform gave 4
    (found,) = taobao.import_records(disputes=[record], policy=POLICY).disagreements
    assert found.case_id == "1934215577880012311"
    assert found.field == "time_out"
    assert found.ours == sh("2026-03-14 13:25:00")
    assert found.difference == dt.timedelta(days=-1)
    assert found.rule == "RET-RESPOND-5D"
    quiet = taobao.import_records(disputes=[record], policy=POLICY, tolerance=dt.timedelta(days=1))
    assert quiet.disagreements == ()


# -- envelopes, files and other exports ------------------------------------------------------


def test_bare_lists_bare_records_and_envelope_shapes_are_read() -> None:
    first, second = copy.deepcopy(_records()[:2])
    xml_shaped = {ENVELOPE: {"result": {"results": {"dispute": [second]}}}}
    result = taobao.import_exports(
        [
            ("bare-record", first),
            ("bare-list", [second | {"refund_id": "1934215577880019999"}]),
            ("xml-shaped", xml_shaped),
            ("empty", {ENVELOPE: {"result": {"total_results": 0}}}),
            ("nothing", {ENVELOPE: {"request_id": "x"}}),
        ],
        policy=POLICY,
    )
    assert result.problems == ()
    assert sorted(c.case.id for c in result.cases) == [
        "1934215577880012301",
        "1934215577880012302",
        "1934215577880019999",
    ]


def test_an_error_in_the_result_set_is_reported() -> None:
    error = {ENVELOPE: {"result": {"error_code": "isv.invalid-parameter", "error_msg": "页码错误"}}}
    result = taobao.import_exports([("err", error)], policy=POLICY)
    (problem,) = result.problems
    assert (problem.kind, problem.source) == ("export", "err")
    assert "页码错误" in problem.problem


def test_one_refund_listed_by_both_apis_is_imported_once() -> None:
    older = _record("1934215577880012302")  # 退货退款 1, created 03-03 21:40:12
    newer = {
        "refund_id": older["refund_id"],
        "tid": older["biz_order_id"],
        "status": "WAIT_BUYER_RETURN_GOODS",
        "good_status": "BUYER_RECEIVED",
        "has_good_return": True,
        "refund_fee": older["refund_fee"],
        "total_fee": older["refund_fee"],
        "created": older["created"],
        "modified": "2026-03-04 10:00:00",
    }
    result = taobao.import_records(refunds=[newer], disputes=[older], policy=POLICY)
    (imported,) = result.cases
    assert imported.case.state is State.WAIT_BUYER_RETURN_GOODS
    (problem,) = result.problems
    assert (problem.kind, problem.field) == ("dispute", "refund_id")


def test_the_file_imports_next_to_the_taobao_exports(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / NAME, tmp_path / NAME)
    shutil.copy(EXAMPLE / "refunds_receive_get.json", tmp_path / "refunds_receive_get.json")
    alone = taobao.load_exports(EXAMPLE / "refunds_receive_get.json", policy=POLICY)
    together = taobao.load_exports(tmp_path, policy=POLICY)
    assert together.records_in == alone.records_in + 17
    assert len(together.cases) == len(alone.cases) + 14
    assert len(together.problems) == len(alone.problems) + 3


def test_aftersales_ingest_stores_the_disputes(tmp_path: Path) -> None:
    from aftersales.cli._casebook import ingest_command

    book = str(tmp_path / "shop.sqlite")
    runner = CliRunner()
    first = runner.invoke(ingest_command, ["--casebook", book, str(EXAMPLE / NAME)])
    assert first.exit_code == 1, first.output  # three records are rejected
    assert "14 new, 0 duplicate, 3 rejected" in first.output
    again = runner.invoke(ingest_command, ["--casebook", book, str(EXAMPLE / NAME)])
    assert "0 new, 14 duplicate, 3 rejected" in again.output


def test_a_rejected_dispute_names_its_case(tmp_path: Path) -> None:
    from aftersales.casebook import Casebook

    with Casebook.open(tmp_path / "shop.sqlite") as book:
        report = book.ingest_files([EXAMPLE / NAME])
    assert report.rejected == 3
    for outcome in report.rejections:  # the dispute's refund_id is the case's ID
        assert outcome.case_id is not None
        assert outcome.case_id.isdigit()


# -- property: generated exchanges round-trip ----------------------------------------------

_TIME = "%Y-%m-%d %H:%M:%S"
_EXCHANGE_STATE = {
    1: State.WAIT_SELLER_AGREE,
    2: State.WAIT_BUYER_RETURN_GOODS,
    3: State.WAIT_SELLER_CONFIRM_GOODS,
    4: State.CLOSED,
    5: State.SUCCESS,
    13: State.EXCHANGE_RESENT,
}


@st.composite
def exchanges(draw: st.DrawFn) -> dict[str, Any]:
    status = draw(st.sampled_from(sorted(_EXCHANGE_STATE)))
    start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    created = start + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 280)))
    # within the library's windows: reply 5 days, return 7, confirm 10 (RET-*)
    back = created + dt.timedelta(minutes=draw(st.integers(0, 4 * 1440)))
    later = dt.timedelta(minutes=draw(st.integers(0, 4 * 1440)))
    returned = status in (3, 5, 13) or (status == 4 and draw(st.booleans()))
    modified = (back if returned else created) + later
    record: dict[str, Any] = {
        "refund_id": str(draw(st.integers(10**18, 2**63 - 1))),
        "biz_order_id": str(draw(st.integers(10**18, 2**63 - 1))),
        "dispute_request": "换货",
        "status": draw(st.sampled_from([status, str(status)])),
        "refund_fee": str(Money.from_fen(draw(st.integers(1, 500_000)))),
        "created": created.strftime(_TIME),
        "modified": modified.strftime(_TIME),
    }
    if returned:
        record.update(
            good_return_time=back.strftime(_TIME),
            buyer_logistic_name="中通快递",
            buyer_logistic_no="78543210987612",
        )
    if status in (5, 13):
        record.update(seller_logistic_name="顺丰速运", seller_logistic_no="SF1428876549876")
    return record


@given(exchanges())
def test_generated_exchanges_round_trip(record: dict[str, Any]) -> None:
    result = taobao.import_records(disputes=[record], policy=POLICY)
    assert result.problems == ()
    (imported,) = result.cases
    case = imported.case
    assert case.kind is Kind.EXCHANGE
    assert case.state is _EXCHANGE_STATE[int(record["status"])]
    assert case.requested == Money(record["refund_fee"])
    assert case.refunded == Money.ZERO  # an exchange pays nothing back
    assert replay(case.log, POLICY, until=case.changed_at) == case
