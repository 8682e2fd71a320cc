"""A Taobao Open Platform REST client: signed calls, errors by class, bounded retries.

One :meth:`TopClient.call` is one API call laid out as the platform's own SDKs lay it
out (the Python SDK's ``top/api/base.py`` ``RestApi.getResponse``, the Java SDK's
``DefaultTaobaoClient``): a POST whose URL query carries the system parameters and
``sign``, whose body carries the business parameters, form-encoded
(``application/x-www-form-urlencoded;charset=UTF-8``) or, with a file,
``multipart/form-data``. A parameter without a value is not sent at all, so every
SDK's signing rule (the Java SDK skips empty values, the Python SDK signs what it
sends) gives the same signature. Around it, what a sync needs:

- every attempt has a timeout (``httpx.Timeout``) and a fresh ``timestamp``;
- platform-side failures (``isp.*`` sub-codes, code 10 "Service Currently Unavailable",
  HTTP 5xx, a timeout or a dropped connection) are retried with exponential backoff
  and full jitter, a bounded number of times, then :class:`PlatformFailure`;
- the call limit (code 7 "App Call Limited", ``accesscontrol.limited-by-*`` sub-codes)
  waits as long as the ban's ``sub_msg`` says ("This ban will last for 12 more
  seconds"), or raises :class:`CallLimited` when that is longer than ``max_ban``;
- caller-side errors (``isv.*``, invalid signature, session or app key, missing
  permissions) are raised at once as :class:`CallerError`, with what to fix; an
  ``error_response`` is read whatever the HTTP status it came with (the Java SDK reads
  an error's body too);
- a write (``write=True``) whose answer is lost, or that the platform answers with a
  platform-side failure (an ``isp.*`` remote timeout may come after the backend
  applied it), is not sent again: whether it took effect is unknown, and the caller
  reads the refund before deciding;
- JSON numbers are read exactly: integers (19-digit IDs) as ``int``, a number with a
  fraction as its text, never a float (the adapter reads money from text).

Nothing secret reaches a message: the secret never leaves this process, the session
goes only into the signed request (httpx's own log line of the URL shows it masked),
and every text from the platform is masked.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from ..casebook._secrets import mask_secrets
from ._config import ENVIRONMENT, TopConfig
from ._errors import (
    CallerError,
    CallLimited,
    ConfigurationMissing,
    PlatformFailure,
    ProtocolError,
)
from ._proof import Proof
from ._sign import sign

__all__ = ["CallStats", "TopClient", "format_time", "response_key"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
_TIME = "%Y-%m-%d %H:%M:%S"
#: "This ban will last for 12 more seconds" (the sub_msg of a call-limit ban).
_BAN = re.compile(r"(\d+(?:\.\d+)?)\s*(?:more\s+)?seconds?", re.I)

#: code -> what the caller has to fix (TOP's platform error codes).
_CALLER_FIX: Mapping[int, str] = {
    9: "the gateway refused the HTTP method (calls are POSTs)",
    11: "the app lacks the permission for this API: apply for it in the platform console",
    12: "the seller has not granted this permission: authorise the app again",
    21: "the method parameter is missing (a bug in aftersales)",
    22: "the platform does not know this method",
    25: (
        f"the signature is invalid: check {ENVIRONMENT['app_secret']} and "
        f"{ENVIRONMENT['sign_method']}"
    ),
    26: f"no session was sent: set {ENVIRONMENT['session']}",
    27: (
        f"the session is invalid or expired: authorise the app again and set "
        f"{ENVIRONMENT['session']}"
    ),
    28: f"no app key was sent: set {ENVIRONMENT['app_key']}",
    29: f"the app key is invalid: check {ENVIRONMENT['app_key']}",
    30: "no timestamp was sent (a bug in aftersales)",
    31: "the timestamp is invalid: this machine's clock is more than 10 minutes off Beijing time",
    32: "no signature was sent (a bug in aftersales)",
    40: "a required parameter is missing (a bug in aftersales, or a new platform rule)",
    41: "a parameter is invalid: see sub_msg",
}


_FORM = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}
_TEXT_PART = "text/plain; charset=UTF-8"
#: The system parameters (the SDKs' ``sys_parameters``): in the URL's query.
_SYSTEM = ("method", "app_key", "session", "timestamp", "format", "v", "sign_method", "sign")
#: ``session=...`` in a URL httpx logs (its INFO line "HTTP Request: POST <url> ...").
_SESSION_IN_URL = re.compile(r"([?&]session=)[^&\s\"']+")


class _MaskSession(logging.Filter):
    """Masks the session key in the URLs httpx logs: the SDKs' layout puts it in the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "session=" in text:
            record.msg, record.args = _SESSION_IN_URL.sub(r"\1****", text), ()
        return True


def _mask_logged_urls() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _MaskSession) for f in logger.filters):
        logger.addFilter(_MaskSession())


def format_time(at: _dt.datetime) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in Beijing time, the platform's own form."""
    if at.tzinfo is None:
        raise ValueError("a platform time needs a timezone")
    return at.astimezone(SHANGHAI).strftime(_TIME)


def response_key(method: str) -> str:
    """``taobao.refunds.receive.get`` -> ``refunds_receive_get_response`` (the SDKs' rule:
    ``taobao.`` dropped, dots to underscores, ``_response`` appended)."""
    name = method.removeprefix("taobao.")
    return name.replace(".", "_") + "_response"


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        return format_time(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _now() -> _dt.datetime:
    return _dt.datetime.now(SHANGHAI)  # noqa: TID251  (the client stamps its calls)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def parse_answer(text: str) -> Any:
    """JSON with integers exact and fractions kept as their text (never a float)."""
    return json.loads(text, parse_float=str, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON the platform sends")


def _error_of(text: str) -> object | None:
    """The ``error_response`` of a body, if it is one (else None)."""
    try:
        doc = parse_answer(text)
    except ValueError:
        return None
    return doc.get("error_response") if isinstance(doc, Mapping) else None


@attrs.define
class CallStats:
    """What the client did: calls made (attempts), retries, call-limit waits."""

    calls: int = 0
    retries: int = 0
    waits: int = 0
    waited: float = 0.0
    by_method: dict[str, int] = attrs.field(factory=dict)


class _Retry(Exception):
    def __init__(self, why: str, wait: float | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.wait = wait  # the ban's seconds, for a call limit


class TopClient:
    """Signed calls to the platform's REST gateway. Needs the ``taobao`` extra (httpx).

    ``transport``: an httpx transport (tests); ``sleep``, ``clock`` and ``rng`` make
    the retries and timestamps deterministic in tests.
    """

    def __init__(
        self,
        config: TopConfig,
        *,
        timeout: float = 30.0,
        retries: int = 5,
        max_ban: float = 60.0,
        backoff: float = 0.5,
        max_backoff: float = 20.0,
        sleep: Callable[[float], None] = _sleep,
        clock: Callable[[], _dt.datetime] = _now,
        rng: random.Random | None = None,
        notify: Callable[[str], None] | None = None,
        transport: Any = None,
    ) -> None:
        try:
            import httpx
        except ImportError:
            raise ConfigurationMissing(
                "the Taobao client needs httpx: pip install 'aftersales[taobao]'"
            ) from None
        self.config = config
        self.timeout = timeout
        self.retries = retries
        self.max_ban = max_ban
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stats = CallStats()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._notify = notify
        self._httpx = httpx
        _mask_logged_urls()
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TopClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _mask(self, text: str) -> str:
        return mask_secrets(text, *self.config.secrets)

    def signed(self, method: str, params: Mapping[str, object]) -> dict[str, str]:
        """The request's parameters: the business ones, the system ones, and ``sign``.

        A business parameter that is None or empty is left out, never sent empty."""
        cfg = self.config
        body = {k: t for k, v in params.items() if (t := _text(v))}
        body.update(
            method=method,
            app_key=cfg.app_key,
            session=cfg.session,
            timestamp=format_time(self._clock()),
            format="json",
            v="2.0",
            sign_method=cfg.sign_method,
        )
        body["sign"] = sign(body, cfg.app_secret, cfg.sign_method)
        return body

    def call(
        self,
        method: str,
        params: Mapping[str, object] | None = None,
        *,
        write: bool = False,
        files: Mapping[str, Proof] | None = None,
    ) -> Mapping[str, Any]:
        """Call ``method``; the answer inside its envelope (``..._response``).

        The system parameters and ``sign`` go in the URL's query, the business
        parameters in the body, as the SDKs send them. ``files`` (a refusal's proof)
        makes the body ``multipart/form-data`` (``top/api/base.py``): the business
        parameters as form fields, each file as a file part; the files take no part in
        the signature.

        Raises :class:`CallerError`, :class:`CallLimited`, :class:`PlatformFailure`
        or :class:`ProtocolError`.
        """
        attempts = 0
        waits = 0
        while True:
            attempts += 1
            self.stats.calls += 1
            self.stats.by_method[method] = self.stats.by_method.get(method, 0) + 1
            try:
                return self._once(method, params or {}, write=write, files=files)
            except _Retry as retry:
                if retry.wait is not None:  # a call-limit ban: wait it out, or stop
                    waits += 1
                    attempts -= 1
                    if retry.wait > self.max_ban or waits > 2 * self.retries + 1:
                        raise CallLimited(
                            f"{method}: {retry.why}; that is longer than this sync waits "
                            f"({self.max_ban:g} s): run it again later",
                            seconds=retry.wait,
                        ) from None
                    self.stats.waits += 1
                    self.stats.waited += retry.wait
                    self._say(f"{method}: {retry.why}; waiting {retry.wait:g} s")
                    self._sleep(retry.wait)
                    continue
                if write:  # the platform's backend failed: whether the write took is unknown
                    raise PlatformFailure(
                        f"{method}: {retry.why}; the write may have taken effect: read the "
                        "refund before trying again",
                        attempts=attempts,
                    ) from None
                if attempts > self.retries:
                    raise PlatformFailure(
                        f"{method}: {retry.why} ({attempts} attempts)", attempts=attempts
                    ) from None
                delay = self._rng.uniform(0, min(self.max_backoff, self.backoff * 2**attempts))
                self.stats.retries += 1
                self._say(f"{method}: {retry.why}; retry {attempts} in {delay:.2f} s")
                self._sleep(delay)

    def _say(self, text: str) -> None:
        if self._notify is not None:
            self._notify(self._mask(text))

    def _post(self, body: dict[str, str], files: Mapping[str, Proof] | None) -> Any:
        system = {k: body.pop(k) for k in _SYSTEM if k in body}
        if not files:
            return self._http.post(self.config.gateway, params=system, data=body, headers=_FORM)
        # each text part names its charset, as the Python SDK's MultiPartForm writes it
        parts: dict[str, tuple[str | None, bytes, str]] = {
            name: (None, value.encode("utf-8"), _TEXT_PART) for name, value in body.items()
        }
        parts.update({name: (p.name, p.content, p.media) for name, p in files.items()})
        return self._http.post(self.config.gateway, params=system, files=parts)

    def _once(
        self,
        method: str,
        params: Mapping[str, object],
        *,
        write: bool,
        files: Mapping[str, Proof] | None = None,
    ) -> Mapping[str, Any]:
        httpx = self._httpx
        body = self.signed(method, params)
        try:
            answer = self._post(body, files)
        except httpx.TimeoutException as exc:
            self._lost(method, write, f"no answer within {self.timeout:g} s ({type(exc).__name__})")
            raise _Retry(f"no answer within {self.timeout:g} s") from None
        except httpx.TransportError as exc:
            why = f"the gateway cannot be reached ({type(exc).__name__}: {self._mask(str(exc))})"
            self._lost(method, write, why)
            raise _Retry(why) from None
        if answer.status_code != 200:
            error = _error_of(answer.text)
            if error is not None:  # the platform's refusal, whatever the status it came with
                raise self._error(method, error)
            if answer.status_code >= 500:
                self._lost(method, write, f"HTTP {answer.status_code}")
                raise _Retry(f"the gateway answered HTTP {answer.status_code}")
            raise ProtocolError(
                f"{method}: the gateway answered HTTP {answer.status_code}; check "
                f"{ENVIRONMENT['gateway']} (now {self._mask(self.config.gateway)})"
            )
        try:
            doc = parse_answer(answer.text)
        except ValueError as exc:
            raise ProtocolError(
                f"{method}: the answer is not JSON ({self._mask(str(exc))})"
            ) from None
        if not isinstance(doc, Mapping):
            raise ProtocolError(f"{method}: the answer is {type(doc).__name__}, not an object")
        if "error_response" in doc:
            raise self._error(method, doc["error_response"])
        key = response_key(method)
        if key not in doc:
            shown = ", ".join(sorted(str(k) for k in doc)) or "nothing"
            raise ProtocolError(f"{method}: unknown envelope ({self._mask(shown)}); expected {key}")
        inner = doc[key]
        if not isinstance(inner, Mapping):
            raise ProtocolError(f"{method}: {key} is {type(inner).__name__}, not an object")
        return inner

    def _lost(self, method: str, write: bool, why: str) -> None:
        if write:
            raise PlatformFailure(
                f"{method}: {why}; the write may have taken effect: read the refund "
                "before trying again",
                attempts=1,
            )

    def _error(self, method: str, error: object) -> Exception:
        if not isinstance(error, Mapping):
            return ProtocolError(f"{method}: error_response is not an object")
        raw_code = error.get("code")
        code = (
            int(raw_code) if isinstance(raw_code, (int, str)) and str(raw_code).isdigit() else None
        )
        msg = self._mask(str(error.get("msg") or ""))
        sub_code = self._mask(str(error.get("sub_code") or ""))
        sub_msg = self._mask(str(error.get("sub_msg") or ""))
        request_id = str(error.get("request_id") or "")
        said = f"code {code} {msg}".strip()
        if sub_code:
            said += f", {sub_code}"
        if sub_msg:
            said += f": {sub_msg}"
        if code == 7 or sub_code.startswith("accesscontrol.limited"):
            found = _BAN.search(sub_msg) or _BAN.search(msg)
            wait = float(found[1]) if found else min(self.max_backoff, self.backoff * 8)
            return _Retry(f"call limit ({said})", wait=wait)
        if sub_code.startswith("isp.") or code in (10, 520) or (code == 15 and not sub_code):
            return _Retry(f"platform failure ({said})")
        fix = _CALLER_FIX.get(code or -1)
        if fix is None:
            fix = (
                "the platform refused the request's content (isv.*): see sub_msg"
                if sub_code.startswith("isv.")
                else "see the platform's error code list for this code"
            )
        error_text = f"{method} refused: {said}; {fix}"
        if request_id:
            error_text += f" (request_id {request_id})"
        return CallerError(
            error_text,
            fix=fix,
            method=method,
            code=code,
            msg=msg,
            sub_code=sub_code,
            sub_msg=sub_msg,
            request_id=request_id,
        )
