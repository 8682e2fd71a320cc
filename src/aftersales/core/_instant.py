"""Instants: timezone-aware pendulum DateTimes, checked at the boundary, and read from text."""

from __future__ import annotations

import datetime as _dt
import functools
import re

import pendulum

from ._errors import InvalidInput

__all__ = ["instant", "optional_instant", "parse_instant"]

_ZONE = re.compile(r"^(?P<iso>[^\[\]]+)(?:\[(?P<zone>[^\[\]]+)\])?$")


def instant(value: object) -> pendulum.DateTime:
    """Accept an aware ``datetime`` (pendulum or stdlib); refuse naive ones."""
    if isinstance(value, pendulum.DateTime):
        if value.tzinfo is None:
            raise InvalidInput(f"{value} has no time zone; give an offset such as +08:00")
        return value
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInput(
                f"{value.isoformat()} has no time zone; give an offset such as +08:00"
            )
        return pendulum.instance(value)
    raise InvalidInput(f"expected a timezone-aware datetime, got {type(value).__name__}")


def optional_instant(value: object) -> pendulum.DateTime | None:
    return None if value is None else instant(value)


@functools.cache
def _zone(name: str) -> pendulum.Timezone:
    return pendulum.timezone(name)


def _parse_common(iso: str, zone: str | None) -> pendulum.DateTime | None:
    """The form the library writes (``2026-03-02T10:00:00+08:00[Asia/Shanghai]``) by the
    standard library's C parser; None sends anything else down pendulum's full parser."""
    try:
        std = _dt.datetime.fromisoformat(iso)
        tz = None if zone is None else _zone(zone)
    except Exception:
        return None
    offset = std.utcoffset()
    if offset is None or "T" not in iso:
        return None
    if tz is None:
        return pendulum.instance(std)
    fields = (std.year, std.month, std.day, std.hour, std.minute, std.second, std.microsecond)
    for fold in (0, 1):
        named = pendulum.DateTime(*fields, tzinfo=tz, fold=fold)
        if named.utcoffset() == offset:
            return named
    return None  # the offset does not fit the zone: the full parser says why


def parse_instant(text: object) -> pendulum.DateTime:
    """ISO 8601 with an offset (``+08:00`` or ``Z``), optionally ``[Zone/Name]``."""
    if not isinstance(text, str) or (match := _ZONE.match(text.strip())) is None:
        raise InvalidInput(f"{text!r} is not an ISO 8601 instant such as 2026-03-02T10:00:00+08:00")
    iso, zone = match["iso"], match["zone"]
    fast = _parse_common(iso, zone)
    if fast is not None:
        return fast
    try:
        parsed = pendulum.parse(iso, exact=True)
    except Exception:  # pendulum raises ParserError and ValueError subclasses
        raise InvalidInput(
            f"{text!r} is not an ISO 8601 instant such as 2026-03-02T10:00:00+08:00"
        ) from None
    if not isinstance(parsed, pendulum.DateTime):
        raise InvalidInput(
            f"{text!r} is a date or a time, not an instant with date, time and offset"
        )
    if not re.search(r"(Z|[+-]\d{2}(:?\d{2})?)$", iso):
        raise InvalidInput(f"{text!r} has no UTC offset; write it like 2026-03-02T10:00:00+08:00")
    if zone is None:
        return parsed
    try:
        named = parsed.in_timezone(zone)
    except Exception:
        raise InvalidInput(f"{text!r} names an unknown time zone {zone!r}") from None
    if named.utcoffset() != parsed.utcoffset():
        raise InvalidInput(f"{text!r}: the offset does not match {zone} at that instant")
    return named
