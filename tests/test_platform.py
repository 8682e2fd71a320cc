"""The Taobao Open Platform client, the fake gateway and ``aftersales sync``.

Signing is checked against known answers worked out by hand from the SDKs' rule
(md5sum and openssl over the concatenated text, not this library); everything else
runs against the fake gateway, a real HTTP server on loopback.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from benchmarks import exports
from click.testing import CliRunner

from aftersales.adapters import taobao
from aftersales.casebook import Casebook
from aftersales.cli._platform import sync_command
from aftersales.core._case import Kind
from aftersales.platform import (
    CallerError,
    CallLimited,
    ConfigurationMissing,
    PlatformFailure,
    ProtocolError,
    TopClient,
    TopConfig,
    cursor_name,
    ingest_refunds,
    sign,
    signing_text,
    sync,
)
from aftersales.testing import FakeGateway

SH = ZoneInfo("Asia/Shanghai")
SINCE = _dt.datetime(2025, 12, 1, tzinfo=SH)
UNTIL = _dt.datetime(2026, 6, 1, tzinfo=SH)
ROOT = Path(__file__).resolve().parent.parent

# -- signing: known answers -------------------------------------------------------------------

_PARAMS = {
    "method": "taobao.refund.get",
    "app_key": "12345678",
    "session": "test-session",
    "timestamp": "2026-03-01 12:00:00",
    "format": "json",
    "v": "2.0",
    "sign_method": "md5",
    "refund_id": "2051000000000000001",
    "fields": "refund_id,status,modified",
    "buyer_nick": "",  # empty: skipped
}
_TEXT = (
    "app_key12345678fieldsrefund_id,status,modifiedformatjsonmethodtaobao.refund.get"
    "refund_id2051000000000000001sessiontest-sessionsign_methodmd5"
    "timestamp2026-03-01 12:00:00v2.0"
)


def test_the_signed_text_is_the_sorted_non_empty_parameters() -> None:
    assert signing_text({**_PARAMS, "sign": "ignored"}) == _TEXT


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("md5", "7BC1E769457CC3A57286FCB848601752"),
        ("hmac", "8E2E28A79673DD4E57F31D078D5DA7F4"),
        ("hmac-sha256", "DB635435919391C13C76A333B995BCBB149AB5C47C460865071E19CC31F6ED68"),
    ],
)
def test_signatures_match_known_answers(method: str, expected: str) -> None:
    assert sign({**_PARAMS, "sign_method": method}, "helloworld", method) == expected


def test_text_is_signed_as_utf8() -> None:
    params = {"method": "退款.查询", "app_key": "1", "v": "2.0"}
    assert sign(params, "密钥", "md5") == "994926C139C5F591D0DA9D1F51058DDC"


# -- configuration --------------------------------------------------------------------------------


def test_configuration_names_every_missing_variable_and_hides_secrets() -> None:
    with pytest.raises(ConfigurationMissing) as caught:
        TopConfig.from_env({"AFTERSALES_TOP_APP_KEY": "1"})
    assert "AFTERSALES_TOP_APP_SECRET" in str(caught.value)
    assert "AFTERSALES_TOP_SESSION" in str(caught.value)
    config = TopConfig.from_env(
        {
            "AFTERSALES_TOP_APP_KEY": "1",
            "AFTERSALES_TOP_APP_SECRET": "s3cr3t-value",
            "AFTERSALES_TOP_SESSION": "sess-value",
        }
    )
    assert config.gateway == "https://eco.taobao.com/router/rest"
    assert config.sign_method == "md5"
    assert "s3cr3t" not in repr(config)
    assert "sess-value" not in repr(config)
    with pytest.raises(ConfigurationMissing, match="sign method"):
        TopConfig(app_key="1", app_secret="s", session="t", sign_method="sha1")


# -- the client against the gateway ---------------------------------------------------------


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    records = list(exports.records(300, 11))
    with FakeGateway(refunds=records) as gw:
        yield gw


def _client(gw: FakeGateway, sleeps: list[float] | None = None, **env: str) -> TopClient:
    waits = sleeps if sleeps is not None else []
    return TopClient(
        TopConfig.from_env(gw.environment(**env)), sleep=waits.append, backoff=0.01, timeout=5
    )


def _a_refund(gw: FakeGateway) -> str:
    return next(iter(gw.refunds))


@pytest.mark.parametrize("method", ["md5", "hmac", "hmac-sha256"])
def test_every_sign_method_is_accepted(gateway: FakeGateway, method: str) -> None:
    with _client(gateway, AFTERSALES_TOP_SIGN_METHOD=method) as client:
        answer = client.call(
            "taobao.refund.get", {"refund_id": _a_refund(gateway), "fields": "tid"}
        )
    tid = answer["refund"]["tid"]
    assert isinstance(tid, int)
    assert tid > 2**53  # a 19-digit ID, exact: never through a float


@pytest.mark.parametrize(
    ("env", "code", "fix"),
    [
        ({"AFTERSALES_TOP_APP_SECRET": "wrong-secret-xyz"}, 25, "AFTERSALES_TOP_APP_SECRET"),
        ({"AFTERSALES_TOP_SESSION": "expired-session-xyz"}, 27, "AFTERSALES_TOP_SESSION"),
        ({"AFTERSALES_TOP_APP_KEY": "999"}, 29, "AFTERSALES_TOP_APP_KEY"),
    ],
)
def test_caller_errors_are_not_retried_and_say_what_to_fix(
    gateway: FakeGateway, env: dict[str, str], code: int, fix: str
) -> None:
    sleeps: list[float] = []
    with _client(gateway, sleeps, **env) as client, pytest.raises(CallerError) as caught:
        client.call("taobao.refund.get", {"refund_id": _a_refund(gateway)})
    assert caught.value.code == code
    assert fix in str(caught.value)
    assert sleeps == []
    assert len(gateway.calls) == 1
    for secret in (*env.values(), gateway.app_secret, gateway.session):
        assert secret not in str(caught.value)


def test_platform_failures_are_retried_with_backoff(gateway: FakeGateway) -> None:
    gateway.inject("isp_timeout", times=2)
    sleeps: list[float] = []
    with _client(gateway, sleeps) as client:
        client.call("taobao.refund.get", {"refund_id": _a_refund(gateway)})
        assert client.stats.retries == 2
    assert len(sleeps) == 2
    assert all(0 <= s <= 20 for s in sleeps)


def test_platform_failures_give_up_after_the_bounded_retries(gateway: FakeGateway) -> None:
    gateway.inject("isp_timeout", times=50)
    with _client(gateway) as client, pytest.raises(PlatformFailure, match=r"isp\.top-remote"):
        client.call("taobao.refund.get", {"refund_id": _a_refund(gateway)})
    assert len(gateway.calls) == 6  # the call and 5 retries


def test_a_call_limit_waits_the_ban_out_or_fails_cleanly(gateway: FakeGateway) -> None:
    gateway.inject("call_limit", seconds=3)
    sleeps: list[float] = []
    with _client(gateway, sleeps) as client:
        client.call("taobao.refund.get", {"refund_id": _a_refund(gateway)})
        assert client.stats.waits == 1
    assert sleeps == [3.0]
    gateway.inject("call_limit", seconds=3600)
    with _client(gateway) as client, pytest.raises(CallLimited, match="3600") as caught:
        client.call("taobao.refund.get", {"refund_id": _a_refund(gateway)})
    assert caught.value.seconds == 3600


def test_every_call_has_a_timeout(gateway: FakeGateway) -> None:
    gateway.inject("slow", seconds=1.5)
    config = TopConfig.from_env(gateway.environment())
    with TopClient(config, timeout=0.3, sleep=lambda s: None) as client:
        client.call("taobao.refund.get", {"refund_id": _a_refund(gateway)})
        assert client.stats.retries == 1


def test_an_unreachable_gateway_is_a_platform_failure() -> None:
    config = TopConfig(
        app_key="1", app_secret="s", session="t", gateway="http://127.0.0.1:9/router/rest"
    )
    client = TopClient(config, sleep=lambda s: None, timeout=1)
    with client, pytest.raises(PlatformFailure, match="cannot be reached"):
        client.call("taobao.refund.get", {"refund_id": "1"})


def test_a_lost_write_answer_is_not_sent_again(gateway: FakeGateway) -> None:
    refund_id = _a_refund(gateway)
    gateway.inject("lost_answer")
    with _client(gateway) as client, pytest.raises(PlatformFailure, match="may have taken"):
        client.call(
            "taobao.rp.refunds.agree", {"refund_infos": f"{refund_id}|100|1|onsale"}, write=True
        )
    assert len(gateway.writes) == 1
    assert gateway.refunds[refund_id]["status"] == "SUCCESS"


def _mock(body: object) -> TopClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=json.dumps(body) if not isinstance(body, str) else body)

    config = TopConfig(app_key="1", app_secret="s", session="t")
    return TopClient(config, transport=httpx.MockTransport(answer))


def test_an_unknown_envelope_is_reported_not_read_as_nothing() -> None:
    with pytest.raises(ProtocolError, match="unknown envelope"):
        _mock({"refunds_list_response": {}}).call("taobao.refunds.receive.get")


def test_numbers_are_read_exactly() -> None:
    text = '{"refund_get_response": {"refund": {"tid": 4011000000000000017, "refund_fee": 59.90}}}'
    refund = _mock(text).call("taobao.refund.get")["refund"]
    assert refund == {"tid": 4011000000000000017, "refund_fee": "59.90"}


# -- the adapter: lossless on the way -------------------------------------------------------------


def _record(**changes: Any) -> dict[str, Any]:
    record = {
        "refund_id": "2051000000000000001",
        "tid": "4011000000000000001",
        "oid": "4011000000000000001",
        "status": "WAIT_SELLER_AGREE",
        "good_status": "BUYER_RECEIVED",
        "has_good_return": True,
        "refund_fee": "59.90",
        "total_fee": "59.90",
        "created": "2026-03-02 10:00:00",
        "modified": "2026-03-02 10:00:00",
        "order_status": "WAIT_BUYER_CONFIRM_GOODS",
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


def _one(record: dict[str, Any]) -> taobao.ImportResult:
    return taobao.import_records(refunds=[record])


def test_dispute_type_chooses_the_exchange_workflow() -> None:
    result = _one(_record(dispute_type="TAOBAO_EXCHANGE"))
    assert [c.case.kind for c in result.cases] == [Kind.EXCHANGE]


@pytest.mark.parametrize(
    ("status", "field"),
    [
        ("WAIT_BUYER_CONFIRM_EXCHANGE_SELLER_SEND_GOODS", "buyer_logistic_name"),
        ("EXCHANGE_TRANSFORM_TO_REFUND", "status"),
        ("WAIT_SELLER_CONSIGN_GOODS", "status"),
    ],
)
def test_the_exchange_statuses_are_read_and_reported_by_field(status: str, field: str) -> None:
    (problem,) = _one(_record(status=status)).problems
    assert problem.field == field
    assert "unknown value" not in problem.problem


def test_a_resent_exchange_with_its_shipments_is_imported() -> None:
    record = _record(
        status="WAIT_BUYER_CONFIRM_EXCHANGE_SELLER_SEND_GOODS",
        company_name="顺丰速运",
        sid="SF1234567890",
        seller_logistic_name="中通快递",
        seller_logistic_no="ZT9876543210",
        modified="2026-03-06 10:00:00",
    )
    (case,) = _one(record).cases
    assert case.case.kind is Kind.EXCHANGE
    assert case.case.state.value == "EXCHANGE_RESENT"


def test_repairs_are_reported_not_mapped() -> None:
    (problem,) = _one(_record(dispute_type="REPAIR")).problems
    assert problem.field == "dispute_type"


def test_good_status_may_be_left_out() -> None:
    (case,) = _one(_record(good_status=None)).cases
    assert any(note.startswith("good_status: BUYER_RECEIVED") for note in case.notes)


def test_dispute_type_contradicting_has_good_return_is_reported() -> None:
    (problem,) = _one(_record(dispute_type="REFUND")).problems
    assert problem.field == "has_good_return"


def test_an_unknown_inner_list_key_is_reported() -> None:
    doc = {"refunds_receive_get_response": {"refunds": {"refund_list": [_record()]}}}
    result = taobao.import_exports([("page.json", doc)])
    (problem,) = result.problems
    assert problem.kind == "export"
    assert "refund_list" in problem.problem


# -- sync --------------------------------------------------------------------------------------


def _sync(gw: FakeGateway, book: Casebook, **kw: Any) -> Any:
    with _client(gw) as client:
        return sync(book, client, until=UNTIL, **kw)


def test_a_sync_stores_every_refund_once_and_resumes_from_its_cursor(gateway: FakeGateway) -> None:
    gateway.inject("isp_timeout", times=3)
    gateway.inject("call_limit", times=2)
    with Casebook.open(":memory:") as book:
        report = _sync(gateway, book, since=SINCE)
        assert report.new + report.rejected == 300
        assert report.details == report.listed == 300  # each read whole once
        assert book.count() == report.new
        assert book.read_cursor(cursor_name("taobao.refunds.receive.get")) == "2026-06-01 00:00:00"
        again = _sync(gateway, book)  # resumes: the margin before the cursor, nothing new
        assert again.new == 0
        assert again.start == _dt.datetime(2026, 5, 31, 23, 50, tzinfo=SH)
        # a refund changed after the cursor: the next sync lists it and stores the change
        refund_id = next(
            r
            for r, rec in gateway.refunds.items()
            if rec.get("status") == "WAIT_SELLER_AGREE" and book.get(r) is not None
        )
        gateway.data_now = _dt.datetime(2026, 6, 1, 12, 0, tzinfo=SH)
        gateway.modify(refund_id, status="CLOSED")
        with _client(gateway) as client:
            later = sync(book, client, until=_dt.datetime(2026, 6, 2, tzinfo=SH))
        assert (later.listed, later.new, later.rejected) == (1, 1, 0)
        stored = book.get(refund_id)
        assert stored is not None
        assert stored.case.status.value == "CLOSED"


def test_the_first_sync_needs_since(gateway: FakeGateway) -> None:
    from aftersales.platform import SyncUsage

    with Casebook.open(":memory:") as book, pytest.raises(SyncUsage, match="--since"):
        _sync(gateway, book)


def test_records_moving_and_pages_shifting_while_a_window_is_read_lose_nothing() -> None:
    records = list(exports.records(400, 5))
    # crowd one day so its window needs more than a page
    for r in records[:250]:
        r["modified"] = (
            "2026-02-10 12:00:00"
            if str(r.get("created")) <= "2026-02-10 12:00:00"
            else r["modified"]
        )
    with FakeGateway(refunds=records, data_now=_dt.datetime(2026, 5, 1, tzinfo=SH)) as gw:
        gw.inject("shift", times=3)
        gw.inject("modify", times=3)
        with Casebook.open(":memory:") as book:
            report = _sync(gw, book, since=SINCE)
            assert len(gw.inserted) >= 1
            stored = {r for r in gw.refunds if book.get(r) is not None}
            rejected = {o.case_id for o in report.rejections}
            assert stored | rejected == set(gw.refunds)  # a moved record is listed twice
            assert book.count() == len(stored)
            for refund_id in gw.inserted:
                assert book.get(refund_id) is not None


def test_a_push_message_s_refund_is_fetched_and_ingested(gateway: FakeGateway) -> None:
    with Casebook.open(":memory:") as book, _client(gateway) as client:
        ids = list(gateway.refunds)[:5]
        report = ingest_refunds(book, client, ids)
        assert report.new + report.rejected == 5
        assert ingest_refunds(book, client, ids).new == 0


# -- the command --------------------------------------------------------------------------------


def _run(gw: FakeGateway, *args: str, **env: str) -> Any:
    return CliRunner().invoke(sync_command, list(args), env=gw.environment(**env))


def test_the_command_reports_and_exits_1_when_records_are_rejected(
    gateway: FakeGateway, tmp_path: Path
) -> None:
    book = str(tmp_path / "shop.sqlite")
    result = _run(
        gateway,
        "--casebook",
        book,
        "--since",
        "2025-12-01",
        "--until",
        "2026-06-01",
        "--format",
        "json",
    )
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["new"] + summary["rejected"] == 300
    assert summary["rejections"]
    again = _run(gateway, "--casebook", book, "--until", "2026-06-01")
    assert again.exit_code == 0, again.output
    assert "0 new" in again.stdout


def test_usage_errors_exit_2(gateway: FakeGateway, tmp_path: Path) -> None:
    book = str(tmp_path / "shop.sqlite")
    assert _run(gateway, "--casebook", book).exit_code == 2  # no --since, no cursor
    result = CliRunner().invoke(
        sync_command,
        ["--casebook", book, "--since", "2026-01-01"],
        env={
            "AFTERSALES_TOP_APP_KEY": "",
            "AFTERSALES_TOP_APP_SECRET": "",
            "AFTERSALES_TOP_SESSION": "",
        },
    )
    assert result.exit_code == 2
    assert "AFTERSALES_TOP_APP_SECRET" in result.output


def test_bad_credentials_are_refused_clearly_without_the_secret(
    gateway: FakeGateway, tmp_path: Path
) -> None:
    book = str(tmp_path / "shop.sqlite")
    wrong = "wrong-secret-5f0c9e"
    result = _run(
        gateway, "--casebook", book, "--since", "2026-01-01", AFTERSALES_TOP_APP_SECRET=wrong
    )
    assert result.exit_code == 3
    assert "signature is invalid" in result.output
    assert "AFTERSALES_TOP_APP_SECRET" in result.output
    assert wrong not in result.output
    assert gateway.session not in result.output


def test_an_unreachable_gateway_exits_3(gateway: FakeGateway, tmp_path: Path) -> None:
    book = str(tmp_path / "shop.sqlite")
    result = _run(
        gateway,
        "--casebook",
        book,
        "--since",
        "2026-01-01",
        AFTERSALES_TOP_GATEWAY="http://127.0.0.1:9/router/rest",
    )
    assert result.exit_code == 3
    assert "cannot be reached" in result.output


# -- kill -9 and resume --------------------------------------------------------------------------

_COMMAND = "from aftersales.cli._platform import sync_command; sync_command()"


def _spawn(gw: FakeGateway, book: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, **gw.environment(), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            _COMMAND,
            "--casebook",
            str(book),
            "--until",
            "2026-06-01",
            "--format",
            "json",
            *args,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _cases(path: Path) -> dict[str, Any]:
    with Casebook.open(str(path)) as book:
        return {r: book.get(r) for r in sorted(book_ids(path))}


def book_ids(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [str(row[0]) for row in db.execute("SELECT case_id FROM cases ORDER BY case_id")]


def test_a_sync_killed_at_any_point_and_run_again_loses_nothing_and_doubles_nothing(
    tmp_path: Path,
) -> None:
    records = list(exports.records(1000, 23))
    with FakeGateway(refunds=records, fault_rate=0.02, ban_seconds=0.05, seed=9) as gw:
        reference = tmp_path / "reference.sqlite"
        done = _spawn(gw, reference, "--since", "2025-12-01")
        out, err = done.communicate(timeout=600)
        assert done.returncode == 1, err  # the export's bad records are rejected
        outputs = out + err
        killed = tmp_path / "killed.sqlite"
        kills = 0
        for at in (200, 900, 1700):  # calls into the run (each run starts from the cursor)
            calls = len(gw.calls)
            run = _spawn(gw, killed, "--since", "2025-12-01") if kills == 0 else _spawn(gw, killed)
            while len(gw.calls) < calls + at and run.poll() is None:
                time.sleep(0.01)
            if run.poll() is None:
                run.send_signal(signal.SIGKILL)
                kills += 1
            run.communicate(timeout=60)
        assert kills >= 2
        final = _spawn(gw, killed)
        out, err = final.communicate(timeout=600)
        outputs += out + err
        assert final.returncode in (0, 1), err
        assert book_ids(killed) == book_ids(reference)
        assert _cases(killed) == _cases(reference)
        for secret in (gw.app_secret, gw.session):
            assert secret not in outputs
            assert secret.encode() not in killed.read_bytes()
            assert secret.encode() not in reference.read_bytes()
