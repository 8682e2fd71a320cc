"""A refusal's proof (TOP-PROOF) and Tmall's refusal of returned goods, over real HTTP.

The proof goes as the platform's SDKs send it: ``multipart/form-data``, the file
outside the signature; the fake gateway parses the parts and checks the signature
over the other parameters, as the platform does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aftersales.casebook import Casebook
from aftersales.core._case import Kind
from aftersales.platform import ActionRefused, Proof, refuse, sign, sync
from aftersales.testing import FakeGateway

from .test_platform_act import (
    SINCE,
    UNTIL,
    _act,
    _at,
    _client,
    _waiting,
    serve_refunds,
    synced_book,
)

gateway = pytest.fixture(serve_refunds, name="gateway")
book = pytest.fixture(synced_book, name="book")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 300
_ALL_KINDS = [k.value for k in Kind]


def test_a_refusal_uploads_its_proof_as_multipart_outside_the_signature(
    gateway: FakeGateway, book: Casebook
) -> None:
    case = _waiting(book, gateway)
    with _client(gateway) as client:
        result = refuse(book, client, case.id, text="商品完好，拒绝退款", proof=PNG, at=_at(case))
    assert result.status == "done", result.detail
    (write,) = gateway.writes
    assert write.method == "taobao.refund.refuse"
    assert write.multipart
    assert write.files["refuse_proof"].content == PNG
    assert write.files["refuse_proof"].media == "image/png"
    assert "refuse_proof" not in write.received  # a file part, not a field
    assert write.received["refuse_message"] == "商品完好，拒绝退款"
    assert write.received["session"] == "****"  # masked in the gateway's record
    # the signature covers every parameter but sign and the file
    unsigned = {k: v for k, v in write.received.items() if k != "sign"}
    unsigned["session"] = gateway.session
    assert sign(unsigned, gateway.app_secret, "md5") == write.received["sign"]
    stored = book.actions(refund_id=case.id)[0]["params"]
    assert isinstance(stored, dict)
    assert stored["refuse_proof"].startswith("proof (208 bytes, image/png, sha256 ")
    assert book.case(case.id).state.value == "SELLER_REFUSE_BUYER"


@pytest.mark.parametrize(
    ("content", "tmall", "said"),
    [
        (b"GIF8" + b"x" * 50, False, "not a GIF, JPEG or PNG"),
        (b"%PDF-1.7" + b"x" * 50, False, "not a GIF, JPEG or PNG"),
        (PNG + b"\x00" * (130_000 - len(PNG) + 1), False, "at most 130,000 bytes"),
        (None, True, "a Tmall shop refuses with a proof image"),
    ],
)
def test_a_proof_the_platform_would_not_take_is_refused_before_any_call(
    gateway: FakeGateway, book: Casebook, content: bytes | None, tmall: bool, said: str
) -> None:
    case = _waiting(book, gateway)
    with _client(gateway) as client, pytest.raises(ActionRefused) as refused:
        refuse(book, client, case.id, text="拒绝退款", proof=content, tmall=tmall, at=_at(case))
    assert refused.value.rule == "TOP-PROOF"
    assert said in str(refused.value)
    assert gateway.calls == []
    assert book.actions() == []


def test_the_largest_proof_each_api_takes_is_sent() -> None:
    exactly = Proof.of(PNG + b"\x00" * (130_000 - len(PNG)))
    exactly.fits("taobao.refund.refuse")
    bigger = Proof.of(JPEG + b"\x00" * (5 * 1024 * 1024 - len(JPEG)))
    bigger.fits("taobao.rp.returngoods.refuse")
    with pytest.raises(ValueError, match="at most 130,000 bytes"):
        bigger.fits("taobao.refund.refuse")
    with pytest.raises(ValueError, match="at most 5,242,880 bytes"):
        Proof.of(JPEG + b"\x00" * 5 * 1024 * 1024).fits("taobao.rp.returngoods.refuse")


def test_tmall_refuses_returned_goods_with_returngoods_refuse(
    gateway: FakeGateway, book: Casebook
) -> None:
    case = _waiting(book, gateway, "WAIT_SELLER_CONFIRM_GOODS", kinds=_ALL_KINDS)
    record = gateway.refunds[case.id]
    record.setdefault("refund_phase", "aftersale")
    big = JPEG + b"\x00" * 200_000  # above refund.refuse's limit, within this API's 5 MB
    with _client(gateway) as client:
        result = refuse(
            book,
            client,
            case.id,
            text="退回商品已损坏",
            proof=big,
            reason_id=12,
            tmall=True,
            at=_at(case),
        )
    assert result.status == "done", result.detail
    (write,) = gateway.writes
    assert write.method == "taobao.rp.returngoods.refuse"
    assert write.params == {
        "method": "taobao.rp.returngoods.refuse",
        "refund_id": case.id,
        "refund_phase": str(record["refund_phase"]),
        "refund_version": str(record["refund_version"]),
        "refuse_reason_id": "12",
        "format": "json",
        "v": "2.0",
        "sign_method": "md5",
    }  # no refuse_message: the API takes none (the action's record keeps it)
    assert write.files["refuse_proof"].content == big
    assert book.case(case.id).state.value == "SELLER_REFUSE_BUYER"
    assert book.actions(refund_id=case.id)[0]["message"] == "退回商品已损坏"


def test_the_act_command_refuses_with_a_proof_file(gateway: FakeGateway, tmp_path: Path) -> None:
    db = tmp_path / "shop.sqlite"
    with Casebook.open(str(db)) as opened, _client(gateway) as client:
        sync(opened, client, since=SINCE, until=UNTIL)
        case = _waiting(opened, gateway)
    proof = tmp_path / "签收底单.jpg"
    proof.write_bytes(JPEG)
    not_image = tmp_path / "notes.txt"
    not_image.write_text("不是图片", encoding="utf-8")
    at = _at(case).isoformat()
    wrong = _act(
        gateway, db, "refuse", case.id, "--message", "拒绝", "--proof", str(not_image), "--at", at
    )
    assert wrong.exit_code == 1
    assert "TOP-PROOF" in wrong.output
    assert gateway.writes == []
    done = _act(
        gateway,
        db,
        "--format",
        "json",
        "refuse",
        case.id,
        "--message",
        "已签收，拒绝退款",
        "--proof",
        str(proof),
        "--at",
        at,
    )
    assert done.exit_code == 0, done.output
    (result,) = json.loads(done.output)
    assert result["status"] == "done"
    assert result["params"]["refuse_proof"].startswith("签收底单.jpg (304 bytes, image/jpeg")
    assert gateway.writes[0].files["refuse_proof"].filename == "签收底单.jpg"
    assert gateway.session not in done.output
    assert gateway.app_secret not in done.output


def test_the_multipart_request_is_laid_out_as_the_python_sdk_lays_it_out() -> None:
    """System parameters and sign in the query; business parameters as form fields; the
    file as a file part, outside the signature (``top/api/base.py``)."""
    import httpx

    from aftersales.platform import TopClient, TopConfig
    from aftersales.testing import parse_multipart

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"refund_refuse_response": {"is_success": True}})

    config = TopConfig(app_key="1", app_secret="s3cr3t", session="sess-1", sign_method="hmac")
    with TopClient(config, transport=httpx.MockTransport(answer)) as client:
        client.call(
            "taobao.refund.refuse",
            {"refund_id": "2051000000000000001", "refuse_message": "已签收"},
            write=True,
            files={"refuse_proof": Proof.of(PNG, "proof.png")},
        )
    (request,) = seen
    query = dict(request.url.params)
    assert set(query) == {
        "method", "app_key", "session", "timestamp", "format", "v", "sign_method", "sign"
    }  # fmt: skip
    fields, files = parse_multipart(request.headers["content-type"], request.read())
    assert fields == {"refund_id": "2051000000000000001", "refuse_message": "已签收"}
    assert files["refuse_proof"].content == PNG
    assert files["refuse_proof"].filename == "proof.png"
    unsigned = {k: v for k, v in {**query, **fields}.items() if k != "sign"}
    assert sign(unsigned, "s3cr3t", "hmac") == query["sign"]


def test_the_gateway_reads_the_python_sdk_s_file_disposition() -> None:
    from aftersales.testing import parse_multipart

    body = (
        b'--B\r\nContent-Disposition: form-data; name="refund_id"\r\n'
        b"Content-Type: text/plain; charset=UTF-8\r\n\r\n2051000000000000001\r\n"
        b'--B\r\nContent-Disposition: file; name="refuse_proof"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        + PNG
        + b"\r\n--B--\r\n"
    )
    fields, files = parse_multipart("multipart/form-data; boundary=B", body)
    assert fields == {"refund_id": "2051000000000000001"}
    assert files["refuse_proof"].content == PNG
