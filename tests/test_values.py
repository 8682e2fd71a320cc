"""The engine's per-transition values write their own ``__init__`` (for speed): they must
still be the attrs values their fields say, frozen, comparable and rebuilt by attrs."""

from __future__ import annotations

import inspect
import pickle
from typing import Any

import attrs
import pendulum
import pytest

from aftersales import Deadline, DeadlineStarted, Party, State, Transition
from aftersales.core._serialize import converter

AT = pendulum.datetime(2026, 3, 2, 10, tz="Asia/Shanghai")
HAND_WRITTEN = (Deadline, Transition, DeadlineStarted)


@pytest.mark.parametrize("cls", HAND_WRITTEN)
def test_the_signature_is_the_attrs_fields(cls: Any) -> None:
    params = list(inspect.signature(cls).parameters.values())
    fields = [f for f in attrs.fields(cls) if f.init]
    assert [p.name for p in params] == [f.name for f in fields]
    for param, field in zip(params, fields, strict=True):
        expected = inspect.Parameter.empty if field.default is attrs.NOTHING else field.default
        assert param.default == expected, field.name


def _values() -> list[Any]:
    deadline = Deadline("seller_response", AT, "agree", "RET-RESPOND-5D", Party.SELLER)
    return [
        deadline,
        Transition(AT, State.WAIT_SELLER_AGREE, State.WAIT_BUYER_RETURN_GOODS, "x", "R", "e1"),
        Transition(AT, State.WAIT_SELLER_AGREE, State.CLOSED, "timeout:t", "R"),
        DeadlineStarted(deadline),
    ]


@pytest.mark.parametrize(
    "value", _values(), ids=["deadline", "transition", "timeout", "deadline_started"]
)
def test_each_is_a_frozen_attrs_value(value: Any) -> None:
    cls = type(value)
    fields = attrs.fields(cls)
    by_keyword = cls(**{f.name: getattr(value, f.name) for f in fields})
    assert by_keyword == value
    assert hash(by_keyword) == hash(value)
    assert attrs.evolve(value) == value
    assert pickle.loads(pickle.dumps(value)) == value
    assert converter.structure(converter.unstructure(value), cls) == value
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(value, fields[0].name, None)
    assert repr(value).startswith(f"{cls.__name__}(")


def test_a_deadline_s_timestamp_is_its_due_instant() -> None:
    deadline = Deadline("t", AT, "agree", "R", Party.SELLER)
    assert deadline.due_timestamp == AT.timestamp()
    later = attrs.evolve(deadline, due=AT.add(days=1))
    assert later.due_timestamp == AT.timestamp() + 86_400
    assert later != deadline
