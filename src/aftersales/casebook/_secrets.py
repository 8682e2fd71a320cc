"""Passwords out of messages: the one function every message about a database goes through.

:func:`mask_secrets` shows every URL password as ``***``: ``user:password@`` up to
the last ``@`` of the word (an unescaped ``@`` in a password does not let its tail
through), ``password=...`` in a query string or a libpq connection string, and
each secret given by value (the password of the URL at hand, raw and
percent-decoded: :func:`url_secrets`), wherever it appears, since libpq's own
error texts can echo a piece of a connection string.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote

__all__ = ["mask_secrets", "url_secrets"]

# scheme://user:password@host: the password runs to the last "@" of the word
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*):(?P<pw>\S*)@")
# ...?password=secret, up to the next parameter or the end of the word (a colon may follow)
_QUERY_PASSWORD = re.compile(r"(?P<head>\bpassword=)[^&\s]+?(?=[:;,\"']?(?:\s|$)|&)", re.I)
# password = 'secret' in a libpq key=value string
_KEYWORD_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)'(?:[^'\\]|\\.)*'", re.I)


def url_secrets(url: str) -> tuple[str, ...]:
    """The passwords a database URL carries (in its user part and its query string),
    as written and percent-decoded; empty for a plain path."""
    _, sep, rest = url.partition("://")
    if not sep:
        return ()
    found: list[str] = []
    creds, at, tail = rest.rpartition("@")
    if at and ":" in creds:
        found.append(creds.partition(":")[2])
    query = (tail if at else rest).partition("?")[2]
    found.extend(v for k, v in parse_qsl(query, keep_blank_values=False) if k == "password")
    found.extend(m.group(1) for m in re.finditer(r"password=([^&]+)", query, re.I))
    decoded = [unquote(s) for s in found]
    return tuple(sorted({s for s in (*found, *decoded) if s}, key=len, reverse=True))


def mask_secrets(text: str, *secrets: str) -> str:
    """``text`` with every URL password (and each of ``secrets``) shown as ``***``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _URL_PASSWORD.sub(r"\g<head>:***@", text)
    text = _KEYWORD_PASSWORD.sub(r"\g<head>***", text)
    return _QUERY_PASSWORD.sub(r"\g<head>***", text)
