"""The client speaks TOP's REST protocol as the platform's own SDKs do.

Each expectation is pinned to something outside this code base: the signature example
the platform publishes (its API-call guide, docId 101617), the RFC test vectors of the
hash the ``hmac`` methods use, and the layout of a call in the official SDKs (the
Python SDK's ``top/api/base.py`` ``RestApi.getResponse``; the Java SDK's
``DefaultTaobaoClient`` and ``TaobaoUtils.signTopRequest``), recomputed here
independently of :mod:`aftersales.platform._sign`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from aftersales.platform import CallerError, TopClient, TopConfig, sign
from aftersales.platform._client import response_key
from aftersales.testing import FakeGateway

_UTC = _dt.UTC
_SYSTEM = {"method", "app_key", "session", "timestamp", "format", "v", "sign_method", "sign"}


def _java_sign(params: Mapping[str, str], secret: str, method: str) -> str:
    """``TaobaoUtils.signTopRequest``: sorted names, empty values skipped, md5 wraps the
    text in the secret, hmac keys with it; upper-case hex."""
    text = "".join(k + params[k] for k in sorted(params) if k and params[k])
    if method == "md5":
        return hashlib.md5((secret + text + secret).encode()).hexdigest().upper()
    algo = hashlib.md5 if method == "hmac" else hashlib.sha256
    return hmac.new(secret.encode(), text.encode(), algo).hexdigest().upper()


def _python_sdk_sign(params: Mapping[str, str], secret: str) -> str:
    """``top/api/base.py`` ``sign``: every parameter sent, sorted, nothing skipped."""
    text = "".join(f"{k}{params[k]}" for k in sorted(params))
    return hashlib.md5(f"{secret}{text}{secret}".encode()).hexdigest().upper()


# -- signatures: published answers ---------------------------------------------------------------

_PUBLISHED = {
    "method": "taobao.item.seller.get",
    "app_key": "12345678",
    "session": "test",
    "timestamp": "2016-01-01 12:00:00",
    "format": "json",
    "v": "2.0",
    "sign_method": "md5",
    "fields": "num_iid,title,nick,price,num",
    "num_iid": "11223344",
}


def test_md5_gives_the_platform_s_published_example() -> None:
    # the platform's API-call guide (docId 101617): secret "helloworld"
    assert sign(_PUBLISHED, "helloworld", "md5") == "66987CB115214E59E6EC978214934FB8"
    assert sign({**_PUBLISHED, "sign": "X"}, "helloworld", "md5") == (
        "66987CB115214E59E6EC978214934FB8"  # sign itself is never signed
    )


@pytest.mark.parametrize(
    ("method", "key", "expected"),
    [
        # RFC 2202 test case 1 (HMAC-MD5) and RFC 4231 test case 1 (HMAC-SHA256):
        # the parameters {"Hi": " There"} concatenate to the vectors' "Hi There".
        ("hmac", "\x0b" * 16, "9294727A3638BB1C13F48EF8158BFC9D"),
        (
            "hmac-sha256",
            "\x0b" * 20,
            "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7",
        ),
    ],
)
def test_hmac_methods_key_the_hash_with_the_secret_over_the_bare_text(
    method: str, key: str, expected: str
) -> None:
    assert sign({"Hi": " There"}, key, method) == expected


# -- the request, as the SDKs lay it out ------------------------------------------------------


def _capture(
    *, sign_method: str = "md5", status: int = 200, body: object = None
) -> tuple[TopClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body or {"refund_get_response": {"refund": {}}})

    config = TopConfig(
        app_key="12345678", app_secret="helloworld", session="sess-6100", sign_method=sign_method
    )
    clock = lambda: _dt.datetime(2026, 3, 1, 4, 0, 0, tzinfo=_UTC)  # noqa: E731
    return TopClient(config, transport=httpx.MockTransport(answer), clock=clock), seen


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
def test_system_parameters_go_in_the_query_and_business_ones_in_a_form_body(
    sign_method: str,
) -> None:
    client, seen = _capture(sign_method=sign_method)
    with client:
        client.call("taobao.refund.get", {"refund_id": "2051000000000000001", "fields": "status"})
    (request,) = seen
    assert request.method == "POST"
    query = dict(request.url.params)
    assert set(query) == _SYSTEM
    assert query["method"] == "taobao.refund.get"
    assert query["v"] == "2.0"
    assert query["format"] == "json"
    assert query["sign_method"] == sign_method
    assert query["timestamp"] == "2026-03-01 12:00:00"  # yyyy-MM-dd HH:mm:ss, GMT+8
    assert request.headers["content-type"] == "application/x-www-form-urlencoded;charset=UTF-8"
    form = dict(parse_qsl(request.read().decode()))
    assert form == {"refund_id": "2051000000000000001", "fields": "status"}
    signed = {k: v for k, v in {**query, **form}.items() if k != "sign"}
    assert query["sign"] == _java_sign(signed, "helloworld", sign_method)


def test_a_parameter_without_a_value_is_not_sent_so_every_sdk_s_rule_agrees() -> None:
    client, seen = _capture(body={"rp_returngoods_agree_response": {"code": "success"}})
    with client:
        client.call(
            "taobao.rp.returngoods.agree",
            {"refund_id": "2051000000000000004", "remark": "", "post": None, "tel": "0571"},
        )
    (request,) = seen
    query = dict(request.url.params)
    form = dict(parse_qsl(request.read().decode(), keep_blank_values=True))
    assert form == {"refund_id": "2051000000000000004", "tel": "0571"}
    sent = {k: v for k, v in {**query, **form}.items() if k != "sign"}
    assert query["sign"] == _java_sign(sent, "helloworld", "md5")
    assert query["sign"] == _python_sdk_sign(sent, "helloworld")


def test_an_error_response_is_read_whatever_the_http_status() -> None:
    error = {
        "error_response": {
            "code": 27,
            "msg": "Invalid session",
            "sub_code": "invalid-sessionkey",
            "sub_msg": "session sess-6100 expired",
            "request_id": "r-42",
        }
    }
    client, _ = _capture(status=400, body=error)
    with client, pytest.raises(CallerError) as caught:
        client.call("taobao.refund.get", {"refund_id": "1"})
    assert caught.value.code == 27
    assert caught.value.sub_code == "invalid-sessionkey"
    assert caught.value.request_id == "r-42"
    assert "AFTERSALES_TOP_SESSION" in str(caught.value)
    assert "sess-6100" not in str(caught.value)


def test_the_session_in_the_query_is_masked_in_httpx_s_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, _ = _capture()
    with caplog.at_level(logging.INFO, logger="httpx"), client:
        client.call("taobao.refund.get", {"refund_id": "1"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "session=****" in logged
    assert "sess-6100" not in logged


@pytest.mark.parametrize(
    ("method", "key"),
    [
        ("taobao.refunds.receive.get", "refunds_receive_get_response"),
        ("taobao.rp.refunds.agree", "rp_refunds_agree_response"),
        ("tmall.dispute.receive.get", "tmall_dispute_receive_get_response"),
    ],
)
def test_the_answer_s_envelope_is_named_after_the_method(method: str, key: str) -> None:
    assert response_key(method) == key


# -- the fake gateway takes what the SDKs send --------------------------------------------------


def _python_sdk_call(gateway: FakeGateway, refund_id: str) -> dict[str, Any] | None:
    """A call as ``top/api/base.py`` makes it: epoch-millisecond timestamp, partner_id."""
    params = {
        "format": "json",
        "app_key": gateway.app_key,
        "sign_method": "md5",
        "v": "2.0",
        "timestamp": str(int(time.time() * 1000)),  # noqa: TID251  (a real call)
        "partner_id": "taobao-sdk-python-20200428",
        "method": "taobao.refund.get",
        "session": gateway.session,
        "refund_id": refund_id,
        "fields": "refund_id,status",
    }
    params["sign"] = _python_sdk_sign(params, gateway.app_secret)
    return gateway.handle(params)


def test_the_gateway_takes_the_python_sdk_s_call() -> None:
    record = {"refund_id": "2051000000000000001", "status": "WAIT_SELLER_AGREE"}
    with FakeGateway(refunds=[{**record, "modified": "2026-03-01 12:00:00"}]) as gateway:
        answer = _python_sdk_call(gateway, "2051000000000000001")
    assert answer == {"refund_get_response": {"refund": record}}


def test_a_multipart_call_s_text_parts_name_their_charset() -> None:
    """``top/api/base.py`` ``MultiPartForm``: ``Content-Type: text/plain; charset=UTF-8``
    on every text part, so the message's Chinese is read as UTF-8 whatever the server's
    default."""
    from aftersales.platform import Proof

    client, seen = _capture(body={"refund_refuse_response": {"is_success": True}})
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    with client:
        client.call(
            "taobao.refund.refuse",
            {"refund_id": "2051000000000000001", "refuse_message": "商品已签收"},
            write=True,
            files={"refuse_proof": Proof.of(png, "proof.png")},
        )
    body = seen[0].read()
    heads = re.findall(rb'name="(\w+)"(?:; filename="[^"]*")?\r\nContent-Type: ([^\r]+)', body)
    assert dict(heads) == {
        b"refund_id": b"text/plain; charset=UTF-8",
        b"refuse_message": b"text/plain; charset=UTF-8",
        b"refuse_proof": b"image/png",
    }
    assert "商品已签收".encode() in body


def test_a_write_the_platform_s_backend_failed_is_not_sent_again() -> None:
    """An ``isp.*`` failure may come after the backend applied the write: sending it
    again could agree twice or leave two messages; the outcome is unknown instead."""
    from aftersales.platform import PlatformFailure

    with FakeGateway(refunds=[{"refund_id": "2051000000000000001", "modified": ""}]) as gw:
        gw.inject("isp_timeout", times=3)
        config = TopConfig.from_env(gw.environment())
        with TopClient(config, sleep=lambda s: None) as client:
            with pytest.raises(PlatformFailure, match="may have taken effect"):
                client.call(
                    "taobao.refund.message.add",
                    {"refund_id": "2051000000000000001", "content": "已补发"},
                    write=True,
                )
            client.call("taobao.refund.get", {"refund_id": "2051000000000000001"})
            assert client.stats.retries == 2  # a read is retried as before
    assert [c.error for c in gw.calls] == ["15", "15", "15", None]


def test_a_list_answered_with_total_results_only_is_paged_to_its_end() -> None:
    """``use_has_next=true`` asks for ``has_next``; an answer carrying ``total_results``
    instead still says how many pages there are, and none is left unread."""
    from benchmarks import exports

    from aftersales.casebook import Casebook
    from aftersales.platform import sync

    sh = _dt.timezone(_dt.timedelta(hours=8))
    records = list(exports.records(250, 11))
    for i, record in enumerate(records):  # 250 changes within the hour: pages of one window
        record["modified"] = f"2026-03-01 12:{i // 5:02d}:{i % 5 * 10:02d}"
        if isinstance(record.get("created"), str):
            record["created"] = min(record["created"], record["modified"])
    with FakeGateway(refunds=records) as gw:
        gw.use_has_next = False
        with (
            Casebook.open(":memory:") as book,
            TopClient(TopConfig.from_env(gw.environment())) as client,
        ):
            report = sync(
                book, client, since=_dt.datetime(2026, 3, 1, tzinfo=sh),
                until=_dt.datetime(2026, 3, 2, tzinfo=sh),
            )  # fmt: skip
            stored = len(list(book.cases()))
    assert report.pages >= 3
    assert stored + report.rejected == 250
