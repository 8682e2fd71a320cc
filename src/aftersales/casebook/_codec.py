"""Rows <-> values: the JSON kept in the casebook's columns, and UTC epoch seconds."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import cattrs
import orjson
import pendulum

from ..core import _effects
from ..core._case import Case
from ..core._effects import Effect
from ..core._errors import InvalidInput
from ..core._events import Event
from ..core._serialize import _snake, converter, event_from_dict, event_to_dict
from ._errors import DatabaseDamaged

__all__ = [
    "case_of_snapshot",
    "effect_from_json",
    "effect_to_json",
    "epoch",
    "event_from_json",
    "event_to_json",
    "row_of",
    "snapshot_of",
]

_EFFECT_TYPES: Mapping[str, type[Effect]] = {
    _snake(cls.__name__): cls
    for cls in vars(_effects).values()
    if isinstance(cls, type) and issubclass(cls, Effect) and cls is not Effect
}


def epoch(at: pendulum.DateTime) -> int:
    """Whole UTC seconds, rounded up: a row is never claimed before its instant."""
    return math.ceil(at.timestamp())


def _encode(value: object) -> str:
    """The columns' JSON: keys sorted, UTF-8 as it is, no spaces (orjson: a case's snapshot
    in a fifth of the standard encoder's time). Rows written before are spaced
    (``", "``, ``": "``); every reader takes both."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def case_of_snapshot(text: str | bytes, case_id: object = None) -> Case:
    """The case a snapshot column holds (either spelling).

    A snapshot that does not read back was not written by this library as it stands:
    the row was changed outside it, or the file is damaged. That is the casebook's
    state, not the caller's input, so it is :class:`DatabaseDamaged`, naming the case.
    """
    try:
        result: Case = converter.structure(orjson.loads(text), Case)
        return result
    except cattrs.BaseValidationError as exc:
        why = "; ".join(cattrs.transform_error(exc))
    except (ValueError, TypeError, AttributeError) as exc:  # not JSON, or not a case's shape
        why = str(exc) or type(exc).__name__
    which = "a stored case" if case_id is None else f"case {case_id}"
    raise DatabaseDamaged(
        f"{which}: its stored snapshot cannot be read ({why}); the casebook was "
        "changed outside aftersales or is damaged: restore it from a backup"
    )


def event_to_json(event: Event) -> str:
    return _encode(event_to_dict(event))


def snapshot_of(case: Case, since: int) -> tuple[str, list[str]]:
    """The case's snapshot, and the bodies of its log's events from ``since`` on: the
    events as the snapshot writes them, each as :func:`event_to_json` would."""
    body = converter.unstructure(case)
    log: list[dict[str, Any]] = body["log"]
    return _encode(body), [_encode(e) for e in log[since:]]


def event_from_json(text: str) -> Event:
    return event_from_dict(orjson.loads(text))


def effect_to_json(effect: Effect) -> str:
    return _encode(converter.unstructure(effect))


def effect_from_json(text: str) -> Effect:
    body: dict[str, Any] = orjson.loads(text)
    kind = body.pop("type", None)
    cls = _EFFECT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InvalidInput(f"unknown effect type {kind!r}")
    try:
        effect: Effect = converter.structure(body, cls)
    except cattrs.BaseValidationError as exc:
        raise InvalidInput(f"{kind}: {'; '.join(cattrs.transform_error(exc))}") from None
    return effect


def row_of(case: Case) -> dict[str, object]:
    """The indexed columns of a case's row, beside its snapshot."""
    deadline = case.deadline
    return {
        "kind": case.kind.value,
        "state": case.state.value,
        "status": case.status.value,
        "final": int(case.is_final),
        "due_at": None if deadline is None else epoch(deadline.due),
        "changed_at": epoch(case.changed_at),
        "order_id": case.order.id,
        "aftersale": int(case.phase == "aftersale"),
    }


assert all(attrs.has(cls) for cls in _EFFECT_TYPES.values())
