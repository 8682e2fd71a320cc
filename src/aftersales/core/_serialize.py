"""JSON for cases, events and effects, through one cattrs converter.

Instants are written as ISO 8601 with their offset; a named zone is kept in
brackets (``2026-03-02T10:00:00+08:00[Asia/Shanghai]``, RFC 9557) so a round
trip gives back the same zone, not just the same offset. Money is a decimal
string, never a float. Events and effects carry a ``type`` tag.
"""

from __future__ import annotations

import enum
import functools
import json
import operator
import re
import typing
from collections.abc import Mapping
from typing import Any

import attrs
import cattrs
import pendulum
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter

from ._case import Case, Deadline, RefundRequested
from ._duration import Duration
from ._effects import Effect
from ._errors import InvalidInput
from ._events import EVENT_TYPES, Event
from ._instant import parse_instant
from ._money import Money

__all__ = [
    "ALL_EVENT_TYPES",
    "case_from_json",
    "case_to_json",
    "converter",
    "event_from_dict",
    "event_to_dict",
    "format_instant",
    "parse_instant",
]

ALL_EVENT_TYPES: Mapping[str, type[Event]] = {
    RefundRequested.type: RefundRequested,
    **EVENT_TYPES,
}

#: JSON names that are Python keywords: ``{"for": "buyer"}`` is ``favours``.
JSON_NAMES = {"favours": "for"}
_FROM_JSON = {v: k for k, v in JSON_NAMES.items()}


def format_instant(value: pendulum.DateTime) -> str:
    # A case's few instants are written many times over (its history, log, deadline,
    # effects): remembered by the instant and its zone (equal instants in two zones
    # are written differently).
    # The zone by identity: hashing a pendulum zone runs Python. The key's instant
    # holds its zone, so no other zone can take that identity while the key is kept.
    key = (value, id(value.tzinfo))
    text = _FORMATTED.get(key)
    if text is None:
        if len(_FORMATTED) >= 4096:
            _FORMATTED.clear()
        text = _FORMATTED[key] = _format_instant(value)
    return text


_FORMATTED: dict[tuple[pendulum.DateTime, int], str] = {}


def _format_instant(value: pendulum.DateTime) -> str:
    text = value.isoformat()
    tz = value.tzinfo
    if isinstance(tz, pendulum.Timezone) and not isinstance(tz, pendulum.FixedTimezone):
        return f"{text}[{tz.name}]"
    return text


#: Texts read back many times over (a case's few instants and amounts recur in its
#: history, log, order and deadline; a page of cases shares most of them): each parsed
#: once. The values are immutable, so a case may share them with another.
_PARSED_INSTANTS: dict[str, pendulum.DateTime] = {}
_PARSED_MONEY: dict[str, Money] = {}
_PARSED_MOST = 4096


def _instant_from_json(value: object, _: object = None) -> pendulum.DateTime:
    if type(value) is not str:
        return parse_instant(value)
    found = _PARSED_INSTANTS.get(value)
    if found is None:
        found = parse_instant(value)  # an error is raised every time, never remembered
        if len(_PARSED_INSTANTS) >= _PARSED_MOST:
            _PARSED_INSTANTS.clear()
        _PARSED_INSTANTS[value] = found
    return found


def _money_from_json(value: object, _: object = None) -> Money:
    if type(value) is not str:
        return Money(value)
    found = _PARSED_MONEY.get(value)
    if found is None:
        found = Money(value)
        if len(_PARSED_MONEY) >= _PARSED_MOST:
            _PARSED_MONEY.clear()
        _PARSED_MONEY[value] = found
    return found


def _resolve_annotations() -> None:
    """Turn the string annotations of every value class into types, once."""
    from . import _case, _effects, _events

    for module in (_case, _effects, _events):
        for value in vars(module).values():
            if isinstance(value, type) and attrs.has(value):
                attrs.resolve_types(value)


def _make_converter() -> cattrs.Converter:
    _resolve_annotations()
    conv = make_converter()
    conv.register_unstructure_hook(pendulum.DateTime, format_instant)
    conv.register_structure_hook(pendulum.DateTime, _instant_from_json)
    conv.register_unstructure_hook(Money, str)
    conv.register_structure_hook(Money, _money_from_json)
    conv.register_unstructure_hook(Duration, str)
    conv.register_structure_hook(Duration, lambda v, _: Duration.parse(v))
    # a final deadline is stored as before the provisional calendar existed
    conv.register_unstructure_hook(
        Deadline,
        make_dict_unstructure_fn(Deadline, conv, provisional=override(omit_if_default=True)),
    )

    # Each class's fields with their hooks, looked up once (what conv.unstructure(value,
    # field type) looks up on every call).
    looked_up: dict[tuple[type, bool], tuple[tuple[str, str, Any], ...]] = {}

    def hooks(cls: type, *, renamed: bool = True) -> tuple[tuple[str, str, Any], ...]:
        found = looked_up.get((cls, renamed))
        if found is None:
            found = looked_up[cls, renamed] = tuple(
                (
                    JSON_NAMES.get(a.name, a.name) if renamed else a.name,
                    a.name,
                    conv.get_unstructure_hook(a.type),
                )
                for a in attrs.fields(cls)
            )
        return found

    def unstructure_event(event: Event) -> dict[str, Any]:
        body = {"type": event.type}
        for key, name, hook in hooks(type(event)):
            body[key] = hook(getattr(event, name))
        return body

    def structure_event(value: Any, _: Any) -> Event:
        return event_from_dict(value)

    def unstructure_effect(effect: Effect) -> dict[str, Any]:
        cls = type(effect)
        body = {"type": _snake(cls.__name__)}
        for key, name, hook in hooks(cls, renamed=False):
            body[key] = hook(getattr(effect, name))
        return body

    # enums by their stored value, tuples of values as lists: cattrs' general hooks
    # (a property; a generator per tuple) cost a case's snapshot about a third more
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), operator.attrgetter("_value_")
    )
    conv.register_unstructure_hook_factory(_is_tuple_of_values, _tuple_hook)
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Event), unstructure_event
    )
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Event), structure_event
    )
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Effect), unstructure_effect
    )
    return conv


def _is_tuple_of_values(t: Any) -> bool:
    """``tuple[X, ...]`` of attrs values (events, transitions, items...)."""
    args = typing.get_args(t)
    return (
        typing.get_origin(t) is tuple
        and len(args) == 2
        and args[1] is Ellipsis
        and isinstance(args[0], type)
        and (attrs.has(args[0]) or issubclass(args[0], Event | Effect))
    )


def _tuple_hook(t: Any, conv: cattrs.Converter) -> Any:
    hook = conv.get_unstructure_hook(typing.get_args(t)[0])
    return lambda values: [hook(v) for v in values]


@functools.cache
def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


converter = _make_converter()


def event_to_dict(event: Event) -> dict[str, Any]:
    result: dict[str, Any] = converter.unstructure(event, Event)
    return result


#: Per event class: the JSON keys it takes, those it requires, and (JSON key, field
#: name, structure hook, field type) per field, looked up once.
_EventPlan = tuple[frozenset[str], frozenset[str], tuple[tuple[str, str, Any, Any], ...]]
_EVENT_PLANS: dict[type[Event], _EventPlan] = {}


def _event_plan(cls: type[Event]) -> _EventPlan:
    plan = _EVENT_PLANS.get(cls)
    if plan is None:
        fields = attrs.fields(cls)
        plan = _EVENT_PLANS[cls] = (
            frozenset(["type", *(JSON_NAMES.get(a.name, a.name) for a in fields)]),
            frozenset(JSON_NAMES.get(a.name, a.name) for a in fields if a.default is attrs.NOTHING),
            tuple(
                (
                    JSON_NAMES.get(a.name, a.name),
                    a.name,
                    converter.get_structure_hook(_type(a)),
                    _type(a),
                )
                for a in fields
            ),
        )
    return plan


def event_from_dict(value: object) -> Event:
    """Build an event from its JSON form, with errors that name the bad field."""
    if type(value) is dict:
        # the form the library writes (every stored event): each field's hook, looked up
        # once; anything else, or anything that fails, goes the checked way below
        cls = ALL_EVENT_TYPES.get(value.get("type"))  # type: ignore[arg-type]
        if cls is not None:
            allowed, required, fields = _event_plan(cls)
            keys = value.keys()
            if keys <= allowed and required <= keys:
                try:
                    kwargs = {n: hook(value[k], t) for k, n, hook, t in fields if k in value}
                    return cls(**kwargs)
                except Exception:  # the checked way below says what is wrong
                    pass
    return _event_from_mapping(value)


def _event_from_mapping(value: object) -> Event:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"an event is a JSON object, got {type(value).__name__}")
    kind = value.get("type")
    cls = ALL_EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InvalidInput(
            f"unknown event type {kind!r}; known types: {', '.join(sorted(ALL_EVENT_TYPES))}"
        )
    fields = attrs.fields_dict(cls)
    body: dict[str, Any] = {
        _FROM_JSON.get(str(k), str(k)): v for k, v in value.items() if k != "type"
    }
    unknown = sorted(set(body) - set(fields))
    names = [JSON_NAMES.get(name, name) for name in fields]
    if unknown:
        raise InvalidInput(
            f"{kind}: unknown field(s) {', '.join(unknown)}; fields: {', '.join(names)}"
        )
    missing = sorted(
        JSON_NAMES.get(name, name)
        for name, a in fields.items()
        if a.default is attrs.NOTHING and name not in body
    )
    if missing:
        raise InvalidInput(f"{kind}: missing field(s) {', '.join(missing)}")
    try:
        kwargs = {name: converter.structure(v, _type(fields[name])) for name, v in body.items()}
        return cls(**kwargs)
    except InvalidInput as exc:
        raise InvalidInput(f"{kind}: {exc}") from None
    except cattrs.BaseValidationError as exc:
        inner = cattrs.transform_error(exc)
        raise InvalidInput(f"{kind}: {'; '.join(inner)}") from None
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{kind}: {exc}") from None


def _type(field: attrs.Attribute[Any]) -> Any:
    assert field.type is not None
    return field.type


def case_to_json(case: Case) -> str:
    return json.dumps(converter.unstructure(case), ensure_ascii=False, sort_keys=True)


def case_from_json(text: str) -> Case:
    try:
        result: Case = converter.structure(json.loads(text), Case)
    except cattrs.BaseValidationError as exc:
        raise InvalidInput("; ".join(cattrs.transform_error(exc))) from None
    return result
