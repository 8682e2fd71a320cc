"""A fake Taobao Open Platform gateway: a real HTTP server on loopback, for tests and demos.

It checks a call as the platform does (system parameters, the app key, the session,
the timestamp within ten minutes of Beijing time, as ``yyyy-MM-dd HH:mm:ss`` or epoch
milliseconds, the signature by the SDKs' rules from :mod:`aftersales.platform._sign`),
taking the parameters from the URL's query and the body alike, and answers in the
platform's shapes:

- ``taobao.refunds.receive.get``: refunds with ``start_modified <= modified <=
  end_modified``, sorted by ``modified``, paged (``page_no``, ``page_size`` at most 100,
  ``has_next`` with ``use_has_next``, ``total_results`` without it or with
  :attr:`FakeGateway.use_has_next` False), with the requested fields the list
  supports; IDs as JSON integers (int64), money as text;
- ``taobao.refund.get``: one refund with every requested field;
- ``tmall.dispute.receive.get``: Tmall dispute records, the same way;
- write calls (``taobao.rp.refunds.agree``, ``taobao.refund.refuse``,
  ``taobao.rp.returngoods.agree``, ``taobao.refund.message.add``): recorded in
  :attr:`FakeGateway.writes` and answered in their response shapes (a refund in
  :attr:`FakeGateway.agree_fails` is refused in ``refund_mapping_result``; an agree
  above :attr:`FakeGateway.code_above` fen fails until it carries the SMS ``code``).

Faults on demand (:meth:`FakeGateway.inject`), each taken by the next call it applies to:
``call_limit`` (code 7 with the ban's seconds in ``sub_msg``), ``isp_timeout`` (code 15,
``isp.top-remote-connection-timeout``), ``lost_answer`` (the call takes effect, then the
connection is dropped unanswered; with ``refund_id=``, only a write on that refund),
``modify`` (a record of the window being listed is modified while the window is read),
``shift`` (a record is inserted at the front of a window between its pages), ``slow``
(the answer comes after ``seconds``). ``fault_rate`` adds call limits and ``isp``
timeouts at random (seeded).
"""

from __future__ import annotations

import copy
import datetime as _dt
import email.policy
import json
import random
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import attrs

from ..platform._sign import SIGN_METHODS, sign

__all__ = ["FakeGateway", "GatewayCall", "Upload", "parse_multipart"]

_SHANGHAI = ZoneInfo("Asia/Shanghai")
_FORMAT = "%Y-%m-%d %H:%M:%S"
#: The fields ``taobao.refunds.receive.get`` supports (TOP's API document).
_LIST_FIELDS = frozenset(
    [
        "refund_id",
        "tid",
        "title",
        "buyer_nick",
        "seller_nick",
        "total_fee",
        "status",
        "created",
        "refund_fee",
        "oid",
        "good_status",
        "company_name",
        "sid",
        "payment",
        "reason",
        "desc",
        "has_good_return",
        "modified",
        "order_status",
        "refund_phase",
        "dispute_type",
    ]
)
_INT_IDS = ("tid", "oid", "biz_order_id")
_WRITES = {
    "taobao.rp.refunds.agree",
    "taobao.refund.refuse",
    "taobao.rp.returngoods.agree",
    "taobao.rp.returngoods.refuse",
    "taobao.refund.message.add",
}
_FAULTS = ("call_limit", "isp_timeout", "lost_answer", "modify", "shift", "slow")


@attrs.frozen
class Upload:
    """A file part of a multipart call: its name, media type and bytes."""

    filename: str
    media: str
    content: bytes = attrs.field(repr=False)

    def describe(self) -> str:
        return f"{self.filename} ({len(self.content)} bytes, {self.media})"


@attrs.frozen
class GatewayCall:
    """A call the gateway answered: the method and its business parameters (no system
    parameters, so nothing secret), and the error code it answered with, if any.

    ``received`` is every parameter as it arrived, the session masked (the app secret
    is never sent); ``files`` the file parts (a refusal's proof), outside the signature."""

    method: str
    params: Mapping[str, str]
    error: str | None = None
    received: Mapping[str, str] = attrs.field(factory=dict)
    files: Mapping[str, Upload] = attrs.field(factory=dict)
    multipart: bool = False


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    """The text fields and the file parts of a ``multipart/form-data`` body (a part with
    a ``filename`` is a file, whatever its disposition: the Python SDK writes ``file;``)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    if not message.is_multipart():
        return fields, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = Upload(filename, part.get_content_type(), data)
        else:
            fields[name] = data.decode("utf-8")
    return fields, files


def _now() -> _dt.datetime:
    return _dt.datetime.now(_SHANGHAI)  # noqa: TID251  (a gateway checks timestamps)


def _timestamp(text: str) -> _dt.datetime | None:
    """A call's ``timestamp``: ``yyyy-MM-dd HH:mm:ss`` in Beijing time (the Java SDK's
    form), or milliseconds since the epoch (the Python SDK's); None when neither."""
    if text.isdigit():
        return _dt.datetime.fromtimestamp(int(text) / 1000, _SHANGHAI)
    try:
        return _dt.datetime.strptime(text, _FORMAT).replace(tzinfo=_SHANGHAI)
    except ValueError:
        return None


def _refund_ids(params: Mapping[str, str]) -> set[str]:
    """The refunds a write call names (``refund_id``, or each of ``refund_infos``)."""
    infos = params.get("refund_infos", "")
    found = {info.split("|")[0] for info in infos.split(",") if info}
    return found | ({params["refund_id"]} if params.get("refund_id") else set())


def _agree_failure(exists: bool) -> str:
    return "退款状态已变更，不能同意" if exists else "not found"


def _error(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "msg": msg, "request_id": "fake"}
    if sub_code:
        body["sub_code"] = sub_code
    if sub_msg:
        body["sub_msg"] = sub_msg
    return {"error_response": body}


#: The largest proof each API takes (bytes), and the image types (magic bytes).
_PROOF_LIMITS = {"taobao.refund.refuse": 130_000, "taobao.rp.returngoods.refuse": 5 * 1024 * 1024}
_IMAGES = (b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def _proof_problem(method: str, proof: Upload) -> dict[str, Any] | None:
    most = _PROOF_LIMITS.get(method)
    if most is None:
        return _error(41, "Invalid Arguments", "isv.invalid-parameter", "no file expected")
    if not proof.content.startswith(_IMAGES):
        return _error(41, "Invalid Arguments", "isv.invalid-parameter:refuse_proof", "not an image")
    if len(proof.content) > most:
        return _error(
            41, "Invalid Arguments", "isv.invalid-parameter:refuse_proof", f"larger than {most}"
        )
    return None


def _platform_form(record: Mapping[str, Any], fields: Iterable[str] | None) -> dict[str, Any]:
    wanted = None if fields is None else set(fields)
    out: dict[str, Any] = {}
    for key, value in record.items():
        if wanted is not None and key not in wanted:
            continue
        if key in _INT_IDS and isinstance(value, str) and value.isdigit():
            out[key] = int(value)  # the platform's int64 IDs are JSON numbers
        else:
            out[key] = copy.deepcopy(value)
    return out


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet about a client that went away (a timeout, a process killed mid-call)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeGateway:
    """The fake platform. Use as a context manager; :attr:`url` is its REST address."""

    def __init__(
        self,
        *,
        refunds: Iterable[Mapping[str, Any]] = (),
        disputes: Iterable[Mapping[str, Any]] = (),
        app_key: str = "12345678",
        app_secret: str = "fake-app-secret-0123456789",
        session: str = "fake-session-6100a1b2c3d4e5f6",
        data_now: _dt.datetime | None = None,
        fault_rate: float = 0.0,
        ban_seconds: float = 1,
        seed: int = 0,
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.session = session
        self.refunds: dict[str, dict[str, Any]] = {str(r["refund_id"]): dict(r) for r in refunds}
        self.disputes: dict[str, dict[str, Any]] = {str(r["refund_id"]): dict(r) for r in disputes}
        #: The time a modification done by a fault gets (default: Beijing time now).
        self.data_now = data_now
        self.fault_rate = fault_rate
        self.ban_seconds = ban_seconds
        self.calls: list[GatewayCall] = []
        self.writes: list[GatewayCall] = []
        self.faults: list[tuple[str, dict[str, Any]]] = []
        self.inserted: list[str] = []  # refund IDs added by a shift fault
        #: Refund IDs whose ``taobao.rp.refunds.agree`` the platform refuses (per refund,
        #: in ``refund_mapping_result``: a batch partly succeeds).
        self.agree_fails: set[str] = set()
        #: An agree call refunding more than this (fen) fails until it carries ``sms_code``
        #: (the code the platform texts the seller).
        self.code_above: int | None = None
        #: False: ``taobao.refunds.receive.get`` answers with ``total_results`` even when
        #: asked for ``has_next`` (as a gateway that predates ``use_has_next`` would).
        self.use_has_next = True
        #: Refund IDs whose ``taobao.refund.message.add`` the platform refuses.
        self.message_fails: set[str] = set()
        self.sms_code = "520131"
        self.codes_sent = 0
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the gateway is not running: use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/router/rest"

    def environment(self, **overrides: str) -> dict[str, str]:
        """The ``AFTERSALES_TOP_*`` variables that connect to this gateway."""
        env = {
            "AFTERSALES_TOP_GATEWAY": self.url,
            "AFTERSALES_TOP_APP_KEY": self.app_key,
            "AFTERSALES_TOP_APP_SECRET": self.app_secret,
            "AFTERSALES_TOP_SESSION": self.session,
            "AFTERSALES_TOP_SIGN_METHOD": "md5",
        }
        env.update(overrides)
        return env

    def start(self) -> FakeGateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: a test reads gateway.calls instead

            def do_GET(self) -> None:
                self._serve(b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._serve(self.rfile.read(length))

            def _serve(self, body: bytes) -> None:
                query = urlsplit(self.path).query
                params = dict(parse_qsl(query, keep_blank_values=True))
                kind = self.headers.get("Content-Type") or ""
                files: dict[str, Upload] = {}
                if kind.lower().startswith("multipart/form-data"):
                    fields, files = parse_multipart(kind, body)
                    params.update(fields)
                else:
                    params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                answer = gateway.handle(params, files)
                if answer is None:  # an answer lost: the connection closes unanswered
                    self.close_connection = True
                    return
                data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json;charset=UTF-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting (its timeout)

        server = _Server(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- data and faults ----------------------------------------------------------------------

    def inject(self, kind: str, times: int = 1, **options: Any) -> None:
        """Queue a fault for the next ``times`` calls it applies to (see the module doc)."""
        if kind not in _FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(_FAULTS)}")
        with self._lock:
            self.faults.extend((kind, dict(options)) for _ in range(times))

    def modify(self, refund_id: str, **changes: Any) -> None:
        """Change a refund as the platform would: the fields, and ``modified`` to now."""
        with self._lock:
            record = self.refunds[refund_id]
            record.update(changes)
            record["modified"] = self._stamp()

    def _stamp(self) -> str:
        at = self.data_now if self.data_now is not None else _now()
        return at.astimezone(_SHANGHAI).strftime(_FORMAT)

    def _take(self, *kinds: str, names: set[str] | None = None) -> dict[str, Any] | None:
        """The first fault queued of ``kinds``; one given a ``refund_id`` only for a call
        that ``names`` that refund."""
        for i, (kind, options) in enumerate(self.faults):
            if kind in kinds and (
                "refund_id" not in options or str(options["refund_id"]) in (names or set())
            ):
                del self.faults[i]
                return {"kind": kind, **options}
        return None

    # -- a call ---------------------------------------------------------------------------------

    def handle(
        self, params: Mapping[str, str], files: Mapping[str, Upload] | None = None
    ) -> dict[str, Any] | None:
        """The answer to one call (None: drop the connection unanswered)."""
        business = {
            k: v
            for k, v in params.items()
            if k not in ("session", "sign", "app_key", "timestamp", "sign_method", "v", "format")
        }
        method = params.get("method", "")
        seen: dict[str, Any] = {
            "received": {k: "****" if k == "session" else v for k, v in params.items()},
            "files": dict(files or {}),
            "multipart": files is not None and bool(files),
        }
        refused = self._check(params)
        if refused is not None:
            with self._lock:
                self.calls.append(
                    GatewayCall(method, business, str(refused["error_response"]["code"]), **seen)
                )
            return refused
        with self._lock:
            fault = self._take("call_limit", "isp_timeout", "slow")
            if fault is None and self.fault_rate and self._rng.random() < self.fault_rate:
                fault = {"kind": self._rng.choice(("call_limit", "isp_timeout"))}
            if fault is not None and fault["kind"] == "call_limit":
                seconds = fault.get("seconds", self.ban_seconds)
                self.calls.append(GatewayCall(method, business, "7"))
                return _error(
                    7,
                    "App Call Limited",
                    "accesscontrol.limited-by-app-access-count",
                    f"This ban will last for {seconds} more seconds",
                )
            if fault is not None and fault["kind"] == "isp_timeout":
                self.calls.append(GatewayCall(method, business, "15"))
                return _error(
                    15,
                    "Remote service error",
                    "isp.top-remote-connection-timeout",
                    "the service behind the gateway timed out",
                )
            if fault is not None and fault["kind"] == "slow":
                delay = float(fault.get("seconds", 2.0))
            else:
                delay = 0.0
        if delay:
            time.sleep(delay)
        with self._lock:
            self.calls.append(GatewayCall(method, business, **seen))
            answer = self._dispatch(method, params, files or {}, seen)
            if method in _WRITES and self._take("lost_answer", names=_refund_ids(params)):
                return None  # the write took effect; its answer is lost
            return answer

    def _check(self, params: Mapping[str, str]) -> dict[str, Any] | None:  # noqa: PLR0911
        for name, code, text in (
            ("method", 21, "Missing Method"),
            ("app_key", 28, "Missing App Key"),
            ("timestamp", 30, "Missing Timestamp"),
            ("sign", 32, "Missing Signature"),
            ("session", 26, "Missing Session"),
        ):
            if not params.get(name):
                return _error(code, text)
        if params["app_key"] != self.app_key:
            return _error(29, "Invalid App Key")
        if params.get("v") != "2.0":
            return _error(41, "Invalid Arguments", "isv.invalid-parameter:v", "v must be 2.0")
        if params.get("format", "xml") != "json":
            return _error(41, "Invalid Arguments", "isv.invalid-parameter:format", "json only here")
        method = params.get("sign_method", "md5")
        if method not in SIGN_METHODS:
            return _error(25, "Invalid Signature", "", f"unknown sign_method {method}")
        stamp = _timestamp(params["timestamp"])
        if stamp is None:
            return _error(31, "Invalid Timestamp", "", "yyyy-MM-dd HH:mm:ss, GMT+8")
        if abs((stamp - _now()).total_seconds()) > 600:
            return _error(
                31, "Invalid Timestamp", "", "more than 10 minutes off the gateway's clock"
            )
        unsigned = {k: v for k, v in params.items() if k != "sign"}
        if sign(unsigned, self.app_secret, method) != params["sign"]:
            return _error(25, "Invalid Signature")
        if params["session"] != self.session:
            return _error(27, "Invalid Session", "invalid-sessionkey", "the session key is invalid")
        return None

    def _dispatch(
        self,
        method: str,
        params: Mapping[str, str],
        files: Mapping[str, Upload],
        seen: Mapping[str, Any],
    ) -> dict[str, Any]:
        if method == "taobao.refunds.receive.get":
            return {"refunds_receive_get_response": self._list(self.refunds, params, "refunds")}
        if method == "tmall.dispute.receive.get":
            return {
                "tmall_dispute_receive_get_response": self._list(self.disputes, params, "result")
            }
        if method == "taobao.refund.get":
            record = self.refunds.get(params.get("refund_id", ""))
            if record is None:
                return _error(15, "Remote service error", "isv.refund-not-exist", "no such refund")
            fields = [f for f in params.get("fields", "").split(",") if f]
            return {"refund_get_response": {"refund": _platform_form(record, fields or None)}}
        if method in _WRITES:
            return self._write(method, params, files, seen)
        return _error(22, "Invalid Method", "", f"{method} is not served by the fake gateway")

    def _list(
        self, table: dict[str, dict[str, Any]], params: Mapping[str, str], shape: str
    ) -> dict[str, Any]:
        try:
            page_no = int(params.get("page_no", "1"))
            page_size = int(params.get("page_size", "40"))
        except ValueError:
            return _error(41, "Invalid Arguments", "isv.invalid-parameter", "page_no, page_size")
        if page_size > 100 or page_size < 1 or page_no < 1:
            return _error(41, "Invalid Arguments", "isv.invalid-parameter:page_size", "1-100")
        start = params.get("start_modified", "")
        end = params.get("end_modified", "")
        fields = [f for f in params.get("fields", "").split(",") if f]
        if shape == "refunds":
            fields = [f for f in fields if f in _LIST_FIELDS]
        ordered = sorted(
            (
                r
                for r in table.values()
                if (not start or r["modified"] >= start) and (not end or r["modified"] <= end)
            ),
            key=lambda r: (r["modified"], str(r["refund_id"])),
        )
        first = (page_no - 1) * page_size
        page = ordered[first : first + page_size]
        has_next = first + page_size < len(ordered)
        records = [_platform_form(r, fields or None) for r in page]
        self._during_read(table, page, start, has_next)
        if shape == "result":
            result: dict[str, Any] = {"results": records, "has_next": has_next}
            if params.get("use_has_next") != "true":
                result["total_results"] = len(ordered)
            return {"result": result}
        answer: dict[str, Any] = {}
        if records:
            answer["refunds"] = {"refund": records}
        if params.get("use_has_next") == "true" and self.use_has_next:
            answer["has_next"] = has_next
        else:
            answer["total_results"] = len(ordered)
        return answer

    def _during_read(
        self, table: dict[str, dict[str, Any]], page: list[dict[str, Any]], start: str, more: bool
    ) -> None:
        """The ``modify`` and ``shift`` faults: the window changes while it is read."""
        if page and self._take("modify") is not None:
            page[0]["modified"] = self._stamp()
        if page and more and start:
            fault = self._take("shift")
            if fault is not None:
                clone = copy.deepcopy(page[-1])
                new_id = str(int(str(clone["refund_id"])) + 7 * 10**17)
                clone["refund_id"] = new_id
                for key in ("tid", "oid"):
                    if key in clone:
                        clone[key] = str(int(str(clone[key])) + 7 * 10**17)
                clone["modified"] = start if clone["created"] <= start else clone["created"]
                table[new_id] = clone
                self.inserted.append(new_id)

    def _refuse(
        self, method: str, params: Mapping[str, str], proof: Upload | None
    ) -> dict[str, Any]:
        """``taobao.refund.refuse`` and Tmall's ``taobao.rp.returngoods.refuse``."""
        refund_id = params.get("refund_id", "")
        if method == "taobao.rp.returngoods.refuse":
            if proof is None:
                return _error(
                    40, "Missing Required Arguments", "isv.missing-parameter:refuse_proof", ""
                )
            if refund_id not in self.refunds:
                return _error(15, "Remote service error", "isv.refund-not-exist", "no such refund")
            self.modify(refund_id, status="SELLER_REFUSE_BUYER")
            return {"rp_returngoods_refuse_response": {"result": True}}
        if refund_id in self.refunds:
            self.modify(refund_id, status="SELLER_REFUSE_BUYER")
        return {
            "refund_refuse_response": {
                "is_success": refund_id in self.refunds,
                "refund": {"refund_id": refund_id, "status": "SELLER_REFUSE_BUYER"},
            }
        }

    def _write(  # noqa: PLR0911
        self,
        method: str,
        params: Mapping[str, str],
        files: Mapping[str, Upload],
        seen: Mapping[str, Any],
    ) -> dict[str, Any]:
        business = {
            k: v for k, v in params.items() if k not in ("session", "sign", "app_key", "timestamp")
        }
        self.writes.append(GatewayCall(method, business, **seen))
        proof = files.get("refuse_proof")
        if proof is not None:
            refused = _proof_problem(method, proof)
            if refused is not None:
                return refused
        if method == "taobao.rp.refunds.agree":
            infos = [i.split("|") for i in params.get("refund_infos", "").split(",")]
            asked = sum(int(i[1]) for i in infos if len(i) > 1 and i[1].isdigit())
            if (
                self.code_above is not None
                and asked > self.code_above
                and params.get("code") != self.sms_code
            ):
                self.codes_sent += 1
                return _error(
                    15,
                    "Remote service error",
                    "isv.refund-need-sms-code",
                    "退款金额较大，已向卖家手机发送短信验证码，请用验证码再次调用",
                )
            results = []
            for info in params.get("refund_infos", "").split(","):
                refund_id = info.split("|")[0]
                known = refund_id in self.refunds and refund_id not in self.agree_fails
                if known:
                    self.modify(refund_id, status="SUCCESS")
                results.append(
                    {
                        "refund_id": refund_id,
                        "succ": known,
                        "message": "" if known else _agree_failure(refund_id in self.refunds),
                    }
                )
            succ = all(r["succ"] for r in results)
            return {
                "rp_refunds_agree_response": {
                    "succ": succ,
                    "msg_code": "OP_SUCC" if succ else "SOME_OP_SUCC",
                    "message": "",
                    "results": {"refund_mapping_result": results},
                }
            }
        if method in _PROOF_LIMITS:
            return self._refuse(method, params, proof)
        if method == "taobao.rp.returngoods.agree":
            refund_id = params.get("refund_id", "")
            if refund_id not in self.refunds:
                return _error(15, "Remote service error", "isv.refund-not-exist", "no such refund")
            self.modify(refund_id, status="WAIT_BUYER_RETURN_GOODS")
            return {"rp_returngoods_agree_response": {"code": "success", "msg": "同意退货成功"}}
        if method == "taobao.refund.message.add":
            if params.get("refund_id", "") in self.message_fails:
                return _error(
                    15, "Remote service error", "isv.refund-message-forbidden", "该退款不允许留言"
                )
            return {
                "refund_message_add_response": {
                    "refund_message": {"id": len(self.writes), "created": self._stamp()}
                }
            }
        key = method.removeprefix("taobao.").replace(".", "_") + "_response"
        return {key: {"code": "success", "msg": "", "is_success": True}}
