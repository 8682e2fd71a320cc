"""How to reach the Taobao Open Platform, from the environment.

Secrets (the app secret, the seller's session key) are read from the environment
only, never from a command line or shop.toml, and never shown: the configuration's
``repr`` and every message mask them.

========================== ===========================================================
``AFTERSALES_TOP_GATEWAY``  the REST URL (default: the platform's,
                            ``https://eco.taobao.com/router/rest``)
``AFTERSALES_TOP_APP_KEY``  the app's key (required)
``AFTERSALES_TOP_APP_SECRET`` the app's secret (required; signs every call)
``AFTERSALES_TOP_SESSION``  the seller's authorisation (session key; required)
``AFTERSALES_TOP_SIGN_METHOD`` ``md5`` (default), ``hmac`` or ``hmac-sha256``
========================== ===========================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs

from ._errors import ConfigurationMissing
from ._sign import SIGN_METHODS

__all__ = ["DEFAULT_GATEWAY", "ENVIRONMENT", "TopConfig"]

#: The platform's REST gateway (HTTPS).
DEFAULT_GATEWAY = "https://eco.taobao.com/router/rest"

#: Field -> environment variable.
ENVIRONMENT = {
    "gateway": "AFTERSALES_TOP_GATEWAY",
    "app_key": "AFTERSALES_TOP_APP_KEY",
    "app_secret": "AFTERSALES_TOP_APP_SECRET",
    "session": "AFTERSALES_TOP_SESSION",
    "sign_method": "AFTERSALES_TOP_SIGN_METHOD",
}


@attrs.frozen(kw_only=True)
class TopConfig:
    """Where and as whom to call the platform. ``repr`` never shows the secrets."""

    app_key: str
    app_secret: str = attrs.field(repr=False)
    session: str = attrs.field(repr=False)
    gateway: str = DEFAULT_GATEWAY
    sign_method: str = "md5"

    def __attrs_post_init__(self) -> None:
        if self.sign_method not in SIGN_METHODS:
            raise ConfigurationMissing(
                f"{ENVIRONMENT['sign_method']}={self.sign_method!r} is not a sign method the "
                f"platform knows; use one of {', '.join(SIGN_METHODS)}"
            )
        if not self.gateway.startswith(("http://", "https://")):
            raise ConfigurationMissing(
                f"{ENVIRONMENT['gateway']} is not an http(s) URL (the platform's is "
                f"{DEFAULT_GATEWAY})"
            )

    @property
    def secrets(self) -> tuple[str, ...]:
        """What no message, log line or stored value may carry."""
        return tuple(s for s in (self.app_secret, self.session) if s)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TopConfig:
        """Read the configuration; :class:`ConfigurationMissing` names every variable missing."""
        env = os.environ if environ is None else environ
        values = {field: env.get(name, "").strip() for field, name in ENVIRONMENT.items()}
        missing = [ENVIRONMENT[f] for f in ("app_key", "app_secret", "session") if not values[f]]
        if missing:
            raise ConfigurationMissing(
                f"set {', '.join(missing)} in the environment (the app's key and secret "
                "from the Taobao Open Platform console, and the seller's session key from "
                "authorising the app); secrets are never taken from the command line"
            )
        return cls(
            app_key=values["app_key"],
            app_secret=values["app_secret"],
            session=values["session"],
            gateway=values["gateway"] or DEFAULT_GATEWAY,
            sign_method=values["sign_method"] or "md5",
        )
