"""The shop's non-secret platform settings: shop.toml's ``[taobao]`` table.

```toml
[taobao]
gateway = "https://eco.taobao.com/router/rest"
app_key = "12345678"
sign_method = "hmac-sha256"
tmall = true
return_address_id = 889
sync_margin_minutes = 10
notify_window_minutes = 60
```

The environment overrides each (``AFTERSALES_TOP_GATEWAY``, ``AFTERSALES_TOP_APP_KEY``,
``AFTERSALES_TOP_SIGN_METHOD``, ``AFTERSALES_TOP_TMALL``, ``AFTERSALES_TOP_SYNC_MARGIN``).
A secret (the app secret, the session key) is refused in the file
(:class:`SecretInShopFile`): a shop file is copied, committed and shared; secrets
live in the environment only. The file is named by ``--shop`` or ``AFTERSALES_SHOP``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ._config import DEFAULT_GATEWAY, ENVIRONMENT, TopConfig
from ._errors import ConfigurationMissing
from ._sync import SYNC_MARGIN

__all__ = [
    "SHOP_VARIABLE",
    "SecretInShopFile",
    "TaobaoSettings",
    "read_settings",
    "settings_from",
]

#: The environment variable naming the shop's file (as ``--shop``).
SHOP_VARIABLE = "AFTERSALES_SHOP"
#: Names a secret goes by: refused in a shop file, whatever its value.
SECRET_NAMES = frozenset(
    {"app_secret", "secret", "session", "session_key", "sessionkey", "access_token"}
)
_TMALL = "AFTERSALES_TOP_TMALL"
_MARGIN = "AFTERSALES_TOP_SYNC_MARGIN"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SecretInShopFile(ConfigurationMissing):
    """shop.toml holds a secret: refused (a usage error), the message names the variable."""


@attrs.frozen(kw_only=True)
class TaobaoSettings:
    """The shop's platform settings (nothing secret); environment variables override."""

    gateway: str | None = None
    app_key: str | None = None
    sign_method: str | None = None
    tmall: bool = False
    return_address_id: int | None = None
    #: A resumed sync starts this long before the stored cursor (records shown late).
    sync_margin_minutes: int = SYNC_MARGIN // _dt.timedelta(minutes=1)
    #: How long a notification stays worth sending (SVC-5MIN; see the worker's handler).
    notify_window_minutes: int = 60

    @property
    def sync_margin(self) -> _dt.timedelta:
        return _dt.timedelta(minutes=self.sync_margin_minutes)

    @property
    def notify_window(self) -> _dt.timedelta:
        return _dt.timedelta(minutes=self.notify_window_minutes)

    def with_env(self, environ: Mapping[str, str] | None = None) -> TaobaoSettings:
        """These settings with the environment's values over them."""
        env = os.environ if environ is None else environ
        changes: dict[str, Any] = {}
        for name in ("gateway", "app_key", "sign_method"):
            value = env.get(ENVIRONMENT[name], "").strip()
            if value:
                changes[name] = value
        tmall = env.get(_TMALL, "").strip().lower()
        if tmall:
            if tmall not in _TRUE | _FALSE:
                raise ConfigurationMissing(f"{_TMALL}={tmall!r}: give 1 or 0 (true or false)")
            changes["tmall"] = tmall in _TRUE
        margin = env.get(_MARGIN, "").strip()
        if margin:
            changes["sync_margin_minutes"] = _minutes(_MARGIN, margin)
        return attrs.evolve(self, **changes)

    def config(self, environ: Mapping[str, str] | None = None) -> TopConfig:
        """The connection: secrets from the environment, the rest from here or there."""
        env = dict(os.environ if environ is None else environ)
        merged = self.with_env(env)
        env[ENVIRONMENT["gateway"]] = merged.gateway or DEFAULT_GATEWAY
        if merged.app_key:
            env[ENVIRONMENT["app_key"]] = merged.app_key
        env[ENVIRONMENT["sign_method"]] = merged.sign_method or "md5"
        return TopConfig.from_env(env)


def _minutes(name: str, value: object) -> int:
    try:
        minutes = int(str(value))
    except ValueError:
        raise ConfigurationMissing(f"{name}: {value!r} is not a whole number of minutes") from None
    if not 0 <= minutes <= 24 * 60:
        raise ConfigurationMissing(f"{name}: {minutes} minutes; give 0 to 1440")
    return minutes


_TYPES: Mapping[str, type] = {
    "gateway": str,
    "app_key": str,
    "sign_method": str,
    "tmall": bool,
    "return_address_id": int,
    "sync_margin_minutes": int,
    "notify_window_minutes": int,
}


def settings_from(table: object, where: str = "shop.toml") -> TaobaoSettings:
    """The ``[taobao]`` table of a shop file, checked: no secret, no unknown key."""
    if table is None:
        return TaobaoSettings()
    if not isinstance(table, Mapping):
        raise ConfigurationMissing(f"{where}: [taobao] must be a table")
    secrets = sorted(k for k in table if str(k).lower() in SECRET_NAMES)
    if secrets:
        raise SecretInShopFile(
            f"{where}: [taobao] holds {', '.join(secrets)}: a secret never goes in a shop "
            f"file; remove it and set {ENVIRONMENT['app_secret']} and "
            f"{ENVIRONMENT['session']} in the environment"
        )
    unknown = sorted(str(k) for k in table if k not in _TYPES)
    if unknown:
        raise ConfigurationMissing(
            f"{where}: [taobao] has unknown key(s) {', '.join(unknown)}; known: {', '.join(_TYPES)}"
        )
    values: dict[str, Any] = {}
    for key, value in table.items():
        kind = _TYPES[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigurationMissing(f"{where}: [taobao] {key} must be a whole number")
        if not isinstance(value, kind):
            raise ConfigurationMissing(f"{where}: [taobao] {key} must be {kind.__name__}")
        values[key] = value
    for key in ("sync_margin_minutes", "notify_window_minutes"):
        if key in values:
            values[key] = _minutes(f"{where}: [taobao] {key}", values[key])
    return TaobaoSettings(**values)


def read_settings(path: Path | None) -> TaobaoSettings:
    """The ``[taobao]`` settings of the shop file at ``path`` (none: the defaults)."""
    if path is None:
        return TaobaoSettings()
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigurationMissing(f"{path}: {exc}") from None
    if not isinstance(doc, Mapping):
        raise ConfigurationMissing(f"{path}: not a table of settings")
    return settings_from(doc.get("taobao"), str(path))
