"""Settling an action by hand (``act settle``, ``settle_action``), and by the next sync."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks import exports

from aftersales.casebook import Casebook
from aftersales.core._errors import InvalidInput
from aftersales.platform import ActionRefused, agree, settle_action, sync
from aftersales.testing import FakeGateway

from .test_platform_act import SINCE, UNTIL, _act, _at, _client, _waiting


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    with FakeGateway(refunds=list(exports.records(300, 11))) as gw:
        yield gw


def test_a_person_settles_an_unknown_action_and_the_refund_can_be_acted_on_again(
    gateway: FakeGateway, tmp_path: Path
) -> None:
    db = tmp_path / "shop.sqlite"
    with Casebook.open(str(db)) as book, _client(gateway) as client:
        sync(book, client, since=SINCE, until=UNTIL)
        case = _waiting(book, gateway)
        gateway.inject("lost_answer")
        lost = agree(book, client, case.id, at=_at(case))
        assert lost.status == "unknown"
        with pytest.raises(ActionRefused, match="TOP-ACTION-UNSETTLED"):
            agree(book, client, case.id, at=_at(case))
    usage = _act(gateway, db, "settle", lost.action_id, "maybe", "--note", "x", "--by", "me")
    assert usage.exit_code == 2
    settled = _act(
        gateway, db, "--format", "json", "settle", lost.action_id, "not_done",
        "--note", "后台未见退款记录", "--by", "小林",
    )  # fmt: skip
    assert settled.exit_code == 0, settled.output
    entry = json.loads(settled.output)
    assert entry["status"] == "not_done"
    assert entry["settled_by"] == "hand"
    assert "小林" in entry["detail"]
    assert "后台未见退款记录" in entry["detail"]
    again = _act(gateway, db, "settle", lost.action_id, "done", "--note", "x", "--by", "me")
    assert again.exit_code == 2  # settled already
    assert "not_done already" in again.output
    with Casebook.open(str(db)) as book:
        assert [a["status"] for a in book.actions(refund_id=case.id)] == ["not_done"]


def test_settling_needs_a_known_action_a_note_and_a_name(gateway: FakeGateway) -> None:
    with Casebook.open(":memory:") as book:
        with pytest.raises(InvalidInput, match="no action"):
            settle_action(book, "nope", "done", note="看到了", by="小林")
        with pytest.raises(InvalidInput, match="note"):
            settle_action(book, "nope", "done", note=" ", by="小林")


def test_the_next_sync_still_settles_what_no_person_settled(gateway: FakeGateway) -> None:
    with Casebook.open(":memory:") as book, _client(gateway) as client:
        sync(book, client, since=SINCE, until=UNTIL)
        first = _waiting(book, gateway)
        gateway.inject("lost_answer")
        one = agree(book, client, first.id, at=_at(first))
        second = next(
            c
            for c in book.cases(open_only=True)
            if c.state.value == "WAIT_SELLER_AGREE"
            and c.kind.value in ("refund_only", "refund_before_shipment")
            and c.id != first.id
        )
        gateway.refunds[second.id].setdefault("refund_version", 1)
        gateway.data_now = _at(second)
        gateway.inject("lost_answer")
        two = agree(book, client, second.id, at=_at(second))
        assert (one.status, two.status) == ("unknown", "unknown")
        settle_action(book, one.action_id, "done", note="后台已退款", by="小林")
        report = sync(book, client, until=UNTIL)
        statuses = {str(a["action_id"]): a["status"] for a in book.actions()}
    assert [a["action_id"] for a in report.settled] == [two.action_id]
    assert statuses == {one.action_id: "done", two.action_id: "done"}
