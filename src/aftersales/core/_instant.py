"""Instants: timezone-aware pendulum DateTimes, checked at the boundary."""

from __future__ import annotations

import datetime as _dt

import pendulum

from ._errors import InvalidInput

__all__ = ["instant", "optional_instant"]


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
