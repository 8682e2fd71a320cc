"""Seller actions written back (``aftersales.platform.agree/refuse/message``, ``act``).

Everything runs against the fake gateway, a real HTTP server on loopback: the
requests it received are asserted field by field.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import pytest
from benchmarks import exports
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from aftersales.casebook import Casebook
from aftersales.cli._platform import act_group
from aftersales.core._case import Case, Kind
from aftersales.core._money import Money
from aftersales.messages import ReturnAddress
from aftersales.platform import (
    ActionRefused,
    TopClient,
    TopConfig,
    agree,
    agree_many,
    agree_return,
    message,
    refuse,
    sync,
)
from aftersales.platform._act import batches
from aftersales.testing import FakeGateway

SH = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
SINCE = _dt.datetime(2025, 12, 1, tzinfo=SH)
UNTIL = _dt.datetime(2026, 6, 1, tzinfo=SH)
_SYSTEM = {"session", "sign", "app_key", "timestamp"}


def serve_refunds() -> Iterator[FakeGateway]:
    """The fake gateway serving 300 generated refunds (the platform tests' ``gateway``)."""
    with FakeGateway(refunds=list(exports.records(300, 11))) as gw:
        yield gw


def _client(gw: FakeGateway) -> TopClient:
    return TopClient(TopConfig.from_env(gw.environment()), sleep=lambda _: None, timeout=5)


def synced_book(gateway: FakeGateway) -> Iterator[Casebook]:
    """A casebook synced from ``gateway``, its calls cleared (the platform tests' ``book``)."""
    with Casebook.open(":memory:") as opened, _client(gateway) as client:
        sync(opened, client, since=SINCE, until=UNTIL)
        gateway.calls.clear()
        yield opened


gateway = pytest.fixture(serve_refunds, name="gateway")
book = pytest.fixture(synced_book, name="book")


_REFUNDS = ("refund_only", "refund_before_shipment")


def _waiting(
    book: Casebook, gw: FakeGateway, state: str = "WAIT_SELLER_AGREE", kinds: Any = _REFUNDS
) -> Case:
    case = next(
        c for c in book.cases(open_only=True) if c.state.value == state and c.kind.value in kinds
    )
    gw.refunds[case.id].setdefault("refund_version", 1772503920000)
    gw.data_now = _at(case)  # the platform stamps its changes then
    return case


def _at(case: Case) -> pendulum.DateTime:
    return case.changed_at.add(minutes=1)


def _write(gw: FakeGateway) -> dict[str, str]:
    assert len(gw.writes) == 1
    return dict(gw.writes[0].params)


def test_an_agree_sends_the_refund_infos_in_fen_with_the_platform_s_version(
    gateway: FakeGateway, book: Casebook
) -> None:
    case = _waiting(book, gateway)
    record = gateway.refunds[case.id]
    with _client(gateway) as client:
        result = agree(book, client, case.id, at=_at(case))
    assert result.status == "done", result.detail
    sent = _write(gateway)
    assert gateway.writes[0].method == "taobao.rp.refunds.agree"
    assert sent["refund_infos"] == (
        f"{case.id}|{case.requested.fen}|{record['refund_version']}"  # no phase on Taobao
    )
    assert not _SYSTEM & set(sent)  # the fake's record of the business parameters
    assert gateway.app_secret not in str(gateway.writes)
    assert gateway.session not in str(sent)
    stored = book.case(case.id)
    assert stored.status.value == "SUCCESS"
    assert [a["status"] for a in book.actions(refund_id=case.id)] == ["done"]
    # the case is final now: a second agree is refused by the rules, never sent
    with _client(gateway) as client, pytest.raises(ActionRefused):
        agree(book, client, case.id, at=_at(stored))
    assert len(gateway.writes) == 1


def test_a_partial_amount_is_sent_and_more_than_refundable_is_refused(
    gateway: FakeGateway, book: Casebook
) -> None:
    case = _waiting(book, gateway)
    too_much = str(case.requested + case.requested)
    with _client(gateway) as client, pytest.raises(ActionRefused) as refused:
        agree(book, client, case.id, amount=too_much, at=_at(case))
    assert refused.value.rule == "TOP-AGREE-AMOUNT"
    assert gateway.calls == []  # not even a read
    with _client(gateway) as client:
        agree(book, client, case.id, amount="0.01", at=_at(case))
    assert _write(gateway)["refund_infos"].split("|")[1] == "1"


def test_a_refuse_sends_the_message_phase_and_version(gateway: FakeGateway, book: Casebook) -> None:
    case = _waiting(book, gateway)
    record = gateway.refunds[case.id]
    with _client(gateway) as client:
        result = refuse(
            book, client, case.id, text="商品已发出，请先拒收", reason_id=7, at=_at(case)
        )
    assert result.status == "done", result.detail
    assert gateway.writes[0].method == "taobao.refund.refuse"
    assert _write(gateway) == {
        "method": "taobao.refund.refuse",
        "refund_id": case.id,
        "refuse_message": "商品已发出，请先拒收",
        "refund_phase": str(record["refund_phase"]),
        "refund_version": str(record["refund_version"]),
        "refuse_reason_id": "7",
        "format": "json",
        "v": "2.0",
        "sign_method": "md5",
    }
    assert book.case(case.id).state.value == "SELLER_REFUSE_BUYER"


def test_an_illegal_action_never_reaches_the_gateway(gateway: FakeGateway, book: Casebook) -> None:
    refused_case = _waiting(book, gateway, "SELLER_REFUSE_BUYER")
    a_return = _waiting(book, gateway, kinds=("return_and_refund",))
    returning = next(
        c for c in book.cases(open_only=True) if c.state.value == "WAIT_BUYER_RETURN_GOODS"
    )
    with _client(gateway) as client:
        with pytest.raises(ActionRefused) as again:
            refuse(book, client, refused_case.id, text="不同意", at=_at(refused_case))
        assert again.value.rule == "RET-REFUSE"
        with pytest.raises(ActionRefused) as agreed:
            agree(book, client, returning.id, at=_at(returning))
        assert agreed.value.rule == "RET-RESPOND-5D"
        with pytest.raises(ActionRefused) as goods_back:
            agree(book, client, a_return.id, at=_at(a_return))
        assert goods_back.value.rule == "TOP-AGREE-RETURN"
        with pytest.raises(ActionRefused) as short:
            refuse(book, client, refused_case.id, text="不", at=_at(refused_case))
        assert short.value.rule == "TOP-TEXT-2-200"
        with pytest.raises(ActionRefused) as long_text:
            message(book, client, refused_case.id, text="长" * 201, at=_at(refused_case))
        assert long_text.value.rule == "TOP-TEXT-2-200"
        # a deadline that passed: the timer fires first, and its rule is named
        waiting = _waiting(book, gateway)
        assert waiting.deadline is not None
        late = waiting.deadline.due.add(days=1)
        with pytest.raises(ActionRefused) as too_late:
            agree(book, client, waiting.id, at=late)
        assert too_late.value.rule == waiting.deadline.rule
    assert gateway.calls == []  # not even a read
    assert book.actions() == []


def test_a_lost_answer_is_unknown_and_the_next_sync_settles_it_without_a_second_call(
    gateway: FakeGateway, book: Casebook
) -> None:
    case = _waiting(book, gateway)
    gateway.inject("lost_answer")
    with _client(gateway) as client:
        result = agree(book, client, case.id, at=_at(case))
        assert result.status == "unknown"
        assert [a["status"] for a in book.actions()] == ["unknown"]
        # nothing else is sent on that refund until the outcome is known
        with pytest.raises(ActionRefused) as waiting:
            agree(book, client, case.id, at=_at(case))
        assert waiting.value.rule == "TOP-ACTION-UNSETTLED"
        report = sync(book, client, until=UNTIL)
    assert len(gateway.writes) == 1
    assert [a["status"] for a in report.settled] == ["done"]
    assert [a["status"] for a in book.actions()] == ["done"]
    assert book.case(case.id).status.value == "SUCCESS"


def test_a_lost_answer_to_a_write_that_did_not_happen_is_settled_as_not_done(
    gateway: FakeGateway, book: Casebook
) -> None:
    case = _waiting(book, gateway)
    gateway.inject("lost_answer")
    with _client(gateway) as client:
        assert agree(book, client, case.id, at=_at(case)).status == "unknown"
        record = gateway.refunds[case.id]  # as if the platform had not applied it
        record["status"] = "WAIT_SELLER_AGREE"
        record["modified"] = book.actions()[0]["before"]["modified"]  # type: ignore[index]
        report = sync(book, client, until=UNTIL)
    assert [a["status"] for a in report.settled] == ["not_done"]
    assert len(gateway.writes) == 1


def _act(gw: FakeGateway, db: Path, *args: str) -> Any:
    return CliRunner().invoke(
        act_group, ["--casebook", str(db), *args], env=gw.environment(), catch_exceptions=False
    )


def test_the_act_command(gateway: FakeGateway, tmp_path: Path) -> None:
    db = tmp_path / "shop.sqlite"
    with Casebook.open(str(db)) as opened, _client(gateway) as client:
        sync(opened, client, since=SINCE, until=UNTIL)
        case = _waiting(opened, gateway)
        refused = next(
            c for c in opened.cases(open_only=True) if c.state.value == "SELLER_REFUSE_BUYER"
        )
    at = _at(case).isoformat()
    done = _act(gateway, db, "agree", case.id, "--at", at)
    assert done.exit_code == 0, done.output
    assert "done" in done.output
    assert gateway.session not in done.output
    assert gateway.app_secret not in done.output
    no = _act(
        gateway,
        db,
        "refuse",
        refused.id,
        "--message",
        "不同意退款",
        "--at",
        _at(refused).isoformat(),
    )
    assert no.exit_code == 1
    assert "RET-REFUSE" in no.output
    usage = _act(gateway, db, "refuse", refused.id)
    assert usage.exit_code == 2


def test_a_message_during_intervention_is_sent_and_kept_on_the_case(
    gateway: FakeGateway, book: Casebook
) -> None:
    case = _waiting(book, gateway, "INTERVENTION_EVIDENCE", kinds=[k.value for k in Kind])
    with _client(gateway) as client:
        result = message(book, client, case.id, text="已补发，单号 SF123", at=_at(case))
    assert result.status == "done", result.detail
    assert gateway.writes[0].method == "taobao.refund.message.add"
    assert _write(gateway)["content"] == "已补发，单号 SF123"
    assert [m.text for m in book.case(case.id).messages][-1] == "已补发，单号 SF123"


def _together(book: Casebook) -> list[Case]:
    """Refunds waiting for the seller that can all be agreed at one moment."""
    waiting = sorted(
        (
            c
            for c in book.cases(open_only=True)
            if c.state.value == "WAIT_SELLER_AGREE" and c.kind.value in _REFUNDS and c.deadline
        ),
        key=lambda c: c.changed_at,
    )
    group: list[Case] = []
    for case in waiting:
        due = min([c.deadline.due for c in group if c.deadline] or [case.changed_at.add(years=1)])
        if case.changed_at.add(minutes=1) < due and (not case.deadline or case.deadline.due > due):
            group.append(case)
        elif len(group) >= 3:
            break
        else:
            group = [case]
    assert len(group) >= 3
    return group


def test_a_batch_is_cut_by_the_limits_and_a_partial_success_is_settled_per_refund(
    gateway: FakeGateway, book: Casebook
) -> None:
    group = _together(book)
    at = max(c.changed_at for c in group).add(minutes=1)
    gateway.data_now = at
    for case in group:
        gateway.refunds[case.id].setdefault("refund_version", 1772503920000)
    gateway.agree_fails = {group[1].id}
    with _client(gateway) as client:
        results = agree_many(
            book, client, [c.id for c in group], at=at, limits=(2, Money.of("6000"))
        )
    assert [len(w.params["refund_infos"].split(",")) for w in gateway.writes] == [
        len(b) for b in batches([1] * len(group), 2, 10**9)
    ]
    sent = [
        info.split("|")[0] for w in gateway.writes for info in w.params["refund_infos"].split(",")
    ]
    assert sent == [c.id for c in group]  # each refund once
    assert {r.refund_id: r.status for r in results} == {
        c.id: "refused" if c.id == group[1].id else "done" for c in group
    }
    assert "退款状态已变更" in next(r.detail for r in results if r.status == "refused")
    assert book.case(group[1].id).state.value == "WAIT_SELLER_AGREE"
    assert book.case(group[0].id).status.value == "SUCCESS"


def test_an_illegal_refund_in_a_batch_stops_the_whole_batch_before_any_call(
    gateway: FakeGateway, book: Casebook
) -> None:
    group = _together(book)
    late = max(c.deadline.due for c in group if c.deadline).add(days=1)
    with _client(gateway) as client, pytest.raises(ActionRefused):
        agree_many(book, client, [c.id for c in group], at=late)
    assert gateway.calls == []


@given(
    amounts=st.lists(st.integers(min_value=1, max_value=600_000), max_size=60),
    count=st.integers(min_value=1, max_value=30),
)
def test_batches_keep_the_order_and_stay_within_the_limits(amounts: list[int], count: int) -> None:
    total = 600_000
    runs = batches(amounts, count, total)
    assert [i for run in runs for i in run] == list(range(len(amounts)))
    for run in runs:
        assert 1 <= len(run) <= count
        assert sum(amounts[i] for i in run) <= total
    for run, after in itertools.pairwise(runs):  # a run is cut only when the next would not fit
        assert len(run) == count or sum(amounts[i] for i in run) + amounts[after[0]] > total


def test_the_act_command_agrees_to_several_refunds_in_one_call(
    gateway: FakeGateway, tmp_path: Path
) -> None:
    db = tmp_path / "shop.sqlite"
    with Casebook.open(str(db)) as opened, _client(gateway) as client:
        sync(opened, client, since=SINCE, until=UNTIL)
        group = _together(opened)
    at = max(c.changed_at for c in group).add(minutes=1)
    gateway.data_now = at
    for case in group:
        gateway.refunds[case.id].setdefault("refund_version", 1772503920000)
    ids = [c.id for c in group]
    both = _act(gateway, db, "agree", *ids, "--amount", "1", "--at", at.isoformat())
    assert both.exit_code == 2
    shown = _act(gateway, db, "--format", "json", "agree", *ids, "--at", at.isoformat())
    assert shown.exit_code == 0, shown.output
    assert [r["status"] for r in json.loads(shown.output)] == ["done"] * len(ids)
    assert [w.method for w in gateway.writes] == ["taobao.rp.refunds.agree"]


def test_a_tmall_agree_sends_the_phase(gateway: FakeGateway, book: Casebook) -> None:
    case = _waiting(book, gateway)
    record = gateway.refunds[case.id]
    with _client(gateway) as client:
        agree(book, client, case.id, tmall=True, at=_at(case))
    assert _write(gateway)["refund_infos"] == (
        f"{case.id}|{case.requested.fen}|{record['refund_version']}|{record['refund_phase']}"
    )


def test_an_agree_the_platform_wants_a_code_for_is_parked_and_completed_with_it(
    gateway: FakeGateway, book: Casebook
) -> None:
    case = _waiting(book, gateway)
    gateway.code_above = 0
    with _client(gateway) as client:
        parked = agree(book, client, case.id, at=_at(case))
        assert parked.status == "needs_code"
        assert "--code" in parked.detail
        assert book.case(case.id).state.value == "WAIT_SELLER_AGREE"
        done = agree(book, client, case.id, code=gateway.sms_code, at=_at(case))
    assert done.status == "done", done.detail
    assert gateway.codes_sent == 1
    assert [w.params.get("code") for w in gateway.writes] == [None, gateway.sms_code]
    assert [a["status"] for a in book.actions(refund_id=case.id)] == ["completed", "done"]
    assert book.case(case.id).status.value == "SUCCESS"


_ADDRESS = ReturnAddress(
    recipient="小林家居售后部", phone="0571-88886666", address="浙江省杭州市余杭区文一西路 1001 号"
)


def test_agree_return_sends_the_shop_s_return_address(gateway: FakeGateway, book: Casebook) -> None:
    case = _waiting(book, gateway, kinds=("return_and_refund",))
    with _client(gateway) as client:
        result = agree_return(
            book, client, case.id, address=_ADDRESS, seller_address_id=889, at=_at(case)
        )
    assert result.status == "done", result.detail
    assert gateway.writes[0].method == "taobao.rp.returngoods.agree"
    sent = _write(gateway)
    assert {k: sent[k] for k in ("refund_id", "name", "address", "tel", "seller_address_id")} == {
        "refund_id": case.id,
        "name": "小林家居售后部",
        "address": "浙江省杭州市余杭区文一西路 1001 号",
        "tel": "0571-88886666",
        "seller_address_id": "889",
    }
    assert book.case(case.id).state.value == "WAIT_BUYER_RETURN_GOODS"
    refund_only = _waiting(book, gateway)
    with _client(gateway) as client, pytest.raises(ActionRefused) as wrong:
        agree_return(
            book, client, refund_only.id, address=_ADDRESS, seller_address_id=1, at=_at(refund_only)
        )
    assert wrong.value.rule == "TOP-AGREE-RETURN"
    assert len(gateway.writes) == 1


def test_the_act_command_agrees_to_a_return_with_the_shop_file(
    gateway: FakeGateway, tmp_path: Path
) -> None:
    db = tmp_path / "shop.sqlite"
    with Casebook.open(str(db)) as opened, _client(gateway) as client:
        sync(opened, client, since=SINCE, until=UNTIL)
        case = _waiting(opened, gateway, kinds=("return_and_refund",))
    shop = ROOT / "examples" / "shop" / "shop.toml"
    at = _at(case).isoformat()
    missing = _act(gateway, db, "agree-return", case.id, "--shop", str(shop), "--at", at)
    assert missing.exit_code == 2  # --address-id
    done = _act(
        gateway, db, "agree-return", case.id, "--shop", str(shop), "--address-id", "889", "--at", at
    )
    assert done.exit_code == 0, done.output
    assert _write(gateway)["name"] == "小林家居售后部"
