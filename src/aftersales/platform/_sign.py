"""Request signing, exactly as the Taobao Open Platform's SDKs sign.

The rules, and the SDK source each one follows:

- every parameter except ``sign`` itself (system and business alike) takes part,
  sorted by name (``sort.Strings(keys)`` in ``core/client.go`` of the Go SDK
  ``bububa/opentaobao``; ``Arrays.sort(keys)`` in the official Java SDK's
  ``com.taobao.api.internal.util.TaobaoUtils.signTopRequest``);
- names and values are concatenated, ``name1value1name2value2...``, skipping a
  parameter whose name or value is empty (``StringUtils.areNotEmpty(key, value)`` in
  ``TaobaoUtils.signTopRequest``; ``IsNullOrEmpty`` in the .NET SDK's ``TopUtils``);
- ``md5``: MD5 of ``secret + string + secret`` (both SDKs);
- ``hmac``: HMAC-MD5 of the string, keyed with the secret (``hmac.New(md5.New, secret)``
  in ``core/client.go``; ``encryptHMAC`` with ``HmacMD5`` in ``TaobaoUtils``);
- ``hmac-sha256``: HMAC-SHA256 of the string, keyed with the secret (``encryptHMACSHA256``
  in ``TaobaoUtils``; ``HMACSHA256`` in the .NET SDK);
- text is UTF-8 (``Constants.CHARSET_UTF8``); the digest is upper-case hex (``byte2hex``;
  ``strings.ToUpper(hex.EncodeToString(...))``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

__all__ = ["SIGN_METHODS", "sign", "signing_text"]

#: The ``sign_method`` values the platform accepts.
SIGN_METHODS = ("md5", "hmac", "hmac-sha256")


def signing_text(params: Mapping[str, str]) -> str:
    """The concatenated ``name + value`` string that is hashed (without the secret)."""
    return "".join(
        name + params[name] for name in sorted(params) if name and params[name] and name != "sign"
    )


def sign(params: Mapping[str, str], secret: str, method: str) -> str:
    """The ``sign`` parameter for ``params`` (every parameter, ``sign`` left out)."""
    text = signing_text(params)
    key = secret.encode("utf-8")
    if method == "md5":
        digest = hashlib.md5((secret + text + secret).encode("utf-8")).digest()
    elif method == "hmac":
        digest = hmac.new(key, text.encode("utf-8"), hashlib.md5).digest()
    elif method == "hmac-sha256":
        digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()
    else:
        raise ValueError(
            f"unknown sign_method {method!r}; the platform's: {', '.join(SIGN_METHODS)}"
        )
    return digest.hex().upper()
