"""Push: TMC messages name refunds; the client fetches each, ingest applies it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from benchmarks import exports

from aftersales.casebook import Casebook
from aftersales.platform import ProtocolError, ingest_refunds, refund_ids_from_tmc, sync
from aftersales.testing import FakeGateway

from .test_platform_act import SINCE, UNTIL, _at, _client, _waiting


def test_refund_messages_name_refunds_once_each_and_other_topics_are_passed_over() -> None:
    messages: list[dict[str, Any]] = [
        {"topic": "taobao_refund_RefundCreated", "content": '{"refund_id": 2051000000000000123}'},
        {"topic": "taobao_trade_TradeCreate", "content": '{"tid": 1}'},
        {"topic": "taobao_refund_RefundSuccess", "content": {"refund_id": "2051000000000000123"}},
        {"topic": "taobao_refund_RefundSellerAgreeAgreement", "content": json.dumps(
            {"refund_id": 9223372036854775807, "refund_fee": "12.50"})},
    ]  # fmt: skip
    assert refund_ids_from_tmc(messages) == ["2051000000000000123", "9223372036854775807"]
    with pytest.raises(ProtocolError, match="no refund_id"):
        refund_ids_from_tmc([{"topic": "taobao_refund_RefundClosed", "content": "{}"}])


def test_a_pushed_refund_is_fetched_and_ingested_and_the_next_sync_sees_a_duplicate() -> None:
    with FakeGateway(refunds=list(exports.records(120, 11))) as gateway:
        with Casebook.open(":memory:") as book, _client(gateway) as client:
            sync(book, client, since=SINCE, until=UNTIL)
            case = _waiting(book, gateway)
            gateway.modify(case.id, status="SUCCESS")  # the buyer got the refund meanwhile
            pushed = [{"topic": "taobao_refund_RefundSuccess", "content": json.dumps(
                {"refund_id": int(case.id), "modified": str(_at(case))})}]  # fmt: skip
            report = ingest_refunds(book, client, refund_ids_from_tmc(pushed))
            assert report.new == 1
            assert book.case(case.id).status.value == "SUCCESS"
            again = sync(book, client, since=SINCE, until=UNTIL)
        assert again.new == 0
