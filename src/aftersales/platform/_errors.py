"""What can go wrong talking to the Taobao Open Platform, by whose fault it is.

- :class:`ConfigurationMissing`: the environment does not say how to connect, or the
  ``taobao`` extra (httpx) is not installed: nothing was sent;
- :class:`CallerError`: the platform refused the call for something on our side
  (``isv.*`` sub-codes, an invalid signature, session or app key, a missing
  permission): never retried; the message says what to fix;
- :class:`PlatformFailure`: the platform failed (``isp.*``, a remote timeout, an
  unreachable gateway) and kept failing through the bounded retries;
- :class:`CallLimited`: the platform banned calls for longer than we are willing to wait;
- :class:`ProtocolError`: an answer in a shape the client does not know (an unknown
  envelope or list key): reported, never read as zero records.

No message carries the app secret or the session key: every one is built from the
platform's ``code``, ``msg``, ``sub_code`` and ``sub_msg`` and masked on the way.
"""

from __future__ import annotations

from ..core._errors import AfterSalesError

__all__ = [
    "CallLimited",
    "CallerError",
    "ConfigurationMissing",
    "PlatformError",
    "PlatformFailure",
    "ProtocolError",
    "TopError",
]


class PlatformError(AfterSalesError):
    """Base of the platform client's errors."""


class ConfigurationMissing(PlatformError):
    """The client cannot be set up: an environment variable or the httpx extra is missing."""


class TopError(PlatformError):
    """The platform answered with an ``error_response``."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        code: int | None = None,
        msg: str = "",
        sub_code: str = "",
        sub_msg: str = "",
        request_id: str = "",
    ) -> None:
        super().__init__(message)
        self.method = method
        self.code = code
        self.msg = msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        self.request_id = request_id


class CallerError(TopError):
    """Refused for something on our side; retrying would not help. ``fix`` says what to do."""

    def __init__(
        self,
        message: str,
        *,
        fix: str,
        method: str,
        code: int | None = None,
        msg: str = "",
        sub_code: str = "",
        sub_msg: str = "",
        request_id: str = "",
    ) -> None:
        super().__init__(
            message,
            method=method,
            code=code,
            msg=msg,
            sub_code=sub_code,
            sub_msg=sub_msg,
            request_id=request_id,
        )
        self.fix = fix


class PlatformFailure(PlatformError):
    """The platform (or the way to it) failed, and kept failing through the retries."""

    def __init__(self, message: str, *, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


class CallLimited(PlatformError):
    """The platform's call limit bans calls for longer than the client waits."""

    def __init__(self, message: str, *, seconds: float | None) -> None:
        super().__init__(message)
        self.seconds = seconds


class ProtocolError(PlatformError):
    """An answer the client cannot read: not JSON, or an unknown envelope or list key."""
