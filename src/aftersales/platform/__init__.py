"""The Taobao Open Platform, live: a signed REST client and the sync that feeds the casebook.

Needs the ``taobao`` extra (``pip install 'aftersales[taobao]'``: httpx).

- :class:`TopConfig`: where and as whom to call, from ``AFTERSALES_TOP_*`` environment
  variables (secrets never on a command line, never in a message);
  :class:`TaobaoSettings`: shop.toml's ``[taobao]`` non-secret settings, under them;
- :class:`TopClient`: signed calls (``md5``, ``hmac``, ``hmac-sha256``), a timeout on
  each, platform failures retried with backoff and jitter, call limits waited out,
  caller errors raised at once with what to fix;
- :func:`sync`: refunds (and Tmall disputes) changed since the last sync, by
  ``modified`` windows, read whole and ingested; the cursor lives in the casebook;
- :func:`refund_ids_from_tmc` and :func:`ingest_refunds`: push messages (TMC) name
  refunds; each is read whole and ingested;
- :func:`agree`, :func:`refuse` (with a :class:`Proof` image, multipart),
  :func:`message`: seller actions written back, checked by the rules before any
  call, recorded in the casebook before the call and settled after it; an answer
  lost is ``unknown`` until :func:`settle_actions` (run by every sync) reads the
  refund's status, or a person settles it (:func:`settle_action`);
- :data:`handler`: the worker's handler (:class:`PlatformHandler`), leaving current
  ``NotifyBuyer`` notifications on the refund (:func:`notify`).

See ``docs/platform.md``.
"""

from ._act import (
    AGREE,
    AGREE_RETURN,
    MESSAGE,
    REFUSE,
    RETURNGOODS_REFUSE,
    ActionRefused,
    ActionResult,
    agree,
    agree_many,
    agree_return,
    message,
    notify,
    refuse,
    settle_action,
)
from ._client import CallStats, TopClient, format_time, response_key
from ._config import DEFAULT_GATEWAY, ENVIRONMENT, TopConfig
from ._errors import (
    CallerError,
    CallLimited,
    ConfigurationMissing,
    PlatformError,
    PlatformFailure,
    ProtocolError,
    TopError,
)
from ._handler import NOTIFY_RULE, NOTIFY_WINDOW, PlatformHandler, handler, why_stale
from ._proof import PROOF_LIMITS, PROOF_RULE, Proof, ProofRefused, read_proof
from ._settings import SHOP_VARIABLE, SecretInShopFile, TaobaoSettings, read_settings, settings_from
from ._sign import SIGN_METHODS, sign, signing_text
from ._sync import (
    DETAIL_FIELDS,
    DISPUTE_FIELDS,
    LIST_FIELDS,
    SyncReport,
    SyncUsage,
    SyncWindow,
    cursor_name,
    fetch_refund,
    ingest_record,
    ingest_refunds,
    settle_actions,
    sync,
)
from ._tmc import REFUND_TOPICS, refund_ids_from_tmc

__all__ = [
    "AGREE",
    "AGREE_RETURN",
    "DEFAULT_GATEWAY",
    "DETAIL_FIELDS",
    "DISPUTE_FIELDS",
    "ENVIRONMENT",
    "LIST_FIELDS",
    "MESSAGE",
    "NOTIFY_RULE",
    "NOTIFY_WINDOW",
    "PROOF_LIMITS",
    "PROOF_RULE",
    "REFUND_TOPICS",
    "REFUSE",
    "RETURNGOODS_REFUSE",
    "SHOP_VARIABLE",
    "SIGN_METHODS",
    "ActionRefused",
    "ActionResult",
    "CallLimited",
    "CallStats",
    "CallerError",
    "ConfigurationMissing",
    "PlatformError",
    "PlatformFailure",
    "PlatformHandler",
    "Proof",
    "ProofRefused",
    "ProtocolError",
    "SecretInShopFile",
    "SyncReport",
    "SyncUsage",
    "SyncWindow",
    "TaobaoSettings",
    "TopClient",
    "TopConfig",
    "TopError",
    "agree",
    "agree_many",
    "agree_return",
    "cursor_name",
    "fetch_refund",
    "format_time",
    "handler",
    "ingest_record",
    "ingest_refunds",
    "message",
    "notify",
    "read_proof",
    "read_settings",
    "refund_ids_from_tmc",
    "refuse",
    "response_key",
    "settings_from",
    "settle_action",
    "settle_actions",
    "sign",
    "signing_text",
    "sync",
    "why_stale",
]
