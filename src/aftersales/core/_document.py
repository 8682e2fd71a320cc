"""JSON documents from bytes: one decoding and one set of limits for every reader.

Pure (the shells read the bytes). Every file the library reads as JSON, the CLI's
and the Python loaders' alike, goes through :func:`json_document`:

- UTF-8, with or without a byte-order mark; anything else is refused with the
  encoding it looks like (UTF-16, GB18030/GBK as Taobao's own tools write) and
  "save it as UTF-8". JSON is UTF-8 (RFC 8259): guessing a file's encoding would
  turn a wrong guess into wrong names and amounts.
- Nested at most :data:`MAX_DEPTH` levels; numbers of at most
  :data:`MAX_NUMBER_DIGITS` digits. Past either, a clear error, never a
  ``RecursionError`` or Python's integer-conversion limit.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ._errors import InvalidInput

__all__ = [
    "MAX_DEPTH",
    "MAX_NUMBER_DIGITS",
    "DocumentError",
    "document_text",
    "json_document",
]

#: The deepest nesting a document may have; the library's own files need under ten.
MAX_DEPTH = 64

#: The longest JSON number, in characters; a 19-digit ID needs 19.
MAX_NUMBER_DIGITS = 100

_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


class DocumentError(InvalidInput):
    """A file is not a JSON document the library reads: not UTF-8, not JSON, too deep."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


def _not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    where = f"byte {exc.start}"
    for bom, name in _BOMS:
        if data.startswith(bom):
            return f"{name} text, not UTF-8; save it as UTF-8"
    if b"\x00" in data[:4096]:
        return f"not text (binary data at {where}); give a UTF-8 JSON file"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return f"not UTF-8 text (invalid at {where}); save it as UTF-8"
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return (
            f"not UTF-8 (invalid at {where}): it reads as GB18030/GBK, as Taobao's own tools "
            "often write; save it as UTF-8 (with or without a BOM)"
        )
    return f"not UTF-8 text (invalid at {where}); save it as UTF-8"


def _number(limit: type[float] | type[Decimal]) -> Any:
    def parse(text: str) -> object:
        if len(text) > MAX_NUMBER_DIGITS:
            raise ValueError(f"a number of {len(text)} characters (at most {MAX_NUMBER_DIGITS})")
        return limit(text)

    return parse


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number of {len(text)} characters (at most {MAX_NUMBER_DIGITS})")
    return int(text)


def _depth_ok(doc: object) -> bool:
    stack: list[tuple[object, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return True


def document_text(data: bytes | str, source: str) -> str:
    """``data`` as text: UTF-8, a BOM dropped; anything else is a :class:`DocumentError`."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(source, _not_utf8(data, exc)) from None


def json_document(data: bytes | str, source: str, *, exact: bool = True) -> Any:
    """The JSON document in ``data``; ``source`` names it in errors.

    ``exact``: numbers with a fraction become ``Decimal`` (the library's own files:
    money never through a float); without it they stay ``float``, so a platform
    adapter can refuse a float as money. Raises :class:`DocumentError`.
    """
    text = document_text(data, source)
    try:
        doc = json.loads(text, parse_float=_number(Decimal if exact else float), parse_int=_int)
    except json.JSONDecodeError as exc:
        raise DocumentError(source, f"not valid JSON ({exc})") from None
    except RecursionError:
        raise DocumentError(source, f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # a number refused by _number or _int
        raise DocumentError(source, f"not valid JSON ({exc})") from None
    if not _depth_ok(doc):
        raise DocumentError(source, f"nested more than {MAX_DEPTH} levels deep")
    return doc
