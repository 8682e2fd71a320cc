"""The policy: every number the platform imposes, each tied to its rule ID.

A :class:`Policy` is a frozen value. The presets carry the platform defaults; a
shop overrides fields (a listing's own promise, a rule change) with
:meth:`Policy.override`. Field metadata holds the rule ID, so ``docs/rules.md``
and ``aftersales rules`` can say which field holds which rule's number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import attrs
import pendulum

from ._calendar import WorkCalendar, china_calendar
from ._duration import Duration
from ._errors import PolicyError
from ._rules import RULES

__all__ = ["PRESETS", "Policy", "policy_fields", "preset"]


def _rule(default: Any, rule_id: str, doc: str) -> Any:
    assert rule_id in RULES, rule_id  # a typo here is a bug in the library
    return attrs.field(default=default, metadata={"rule": rule_id, "doc": doc})


def _check_timezone(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    try:
        pendulum.timezone(value)
    except Exception:  # pendulum raises several types for unknown keys
        raise PolicyError(
            f"{attribute.name}: {value!r} is not an IANA time zone (e.g. 'Asia/Shanghai')"
        ) from None


@attrs.frozen(kw_only=True)
class Policy:
    """Platform numbers and switches. Defaults are the classic Taobao schedule."""

    name: str = "taobao"
    timezone: str = attrs.field(default="Asia/Shanghai", validator=_check_timezone)
    calendar: WorkCalendar = attrs.field(factory=china_calendar, repr=False)

    # Refund before shipment
    pre_seller_response: Duration = _rule(
        Duration.days(2), "PRE-AUTO-2D", "seller's window to answer a refund before shipment"
    )
    pre_intervention_after: Duration = _rule(
        Duration.days(3),
        "PRE-INTERVENE-3D",
        "after a refusal, intervention opens this long after the application",
    )
    refuse_before_shipment: bool = _rule(
        True, "REFUSE-LIMITS", "whether the seller may refuse a refund before shipment"
    )
    # Refund only, shipped but not received
    only_not_received_response: Duration = _rule(
        Duration.days(5),
        "ONLY-NOT-RECEIVED-5D",
        "seller's window to answer a refund-only request on goods not received",
    )
    # Return and refund
    ret_seller_response: Duration = _rule(
        Duration.days(5), "RET-RESPOND-5D", "seller's window to answer a request on signed goods"
    )
    ret_buyer_ship_window: Duration = _rule(
        Duration.days(7), "RET-BUYER-SHIP-WINDOW", "buyer's window to ship the return"
    )
    ret_seller_confirm: Duration = _rule(
        Duration.days(10), "RET-CONFIRM-10D", "seller's window to confirm an express return"
    )
    ret_seller_confirm_surface: Duration = _rule(
        Duration.days(30),
        "RET-CONFIRM-SURFACE-30D",
        "seller's window to confirm a return sent by surface mail",
    )
    refused_buyer_window: Duration = _rule(
        Duration.days(7),
        "REFUSED-BUYER-7D",
        "buyer's window after a refusal to modify or ask for intervention",
    )
    modify_restarts_response: bool = _rule(
        True,
        "PRE-APPLY",
        "a modified request is a new application: the seller's response window restarts",
    )

    @property
    def tz(self) -> pendulum.Timezone:
        return pendulum.timezone(self.timezone)

    def override(self, **changes: object) -> Policy:
        """A copy with some fields changed; durations may be given as text ("5d", "48h")."""
        return _override(self, changes)

    def rule_of(self, field_name: str) -> str:
        rule_id: str = attrs.fields_dict(Policy)[field_name].metadata["rule"]
        return rule_id


def policy_fields() -> list[attrs.Attribute[Any]]:
    """The fields that carry a platform number, in declaration order."""
    return [a for a in attrs.fields(Policy) if "rule" in a.metadata]


def _coerce(field: attrs.Attribute[Any], value: object) -> object:
    """Accept the JSON spelling of a field: durations as text ("5d"), flags as booleans."""
    default = field.default
    if isinstance(default, Duration):
        if isinstance(value, Duration):
            return value
        if isinstance(value, str):
            return Duration.parse(value)
        raise PolicyError(
            f"{field.name}: expected a duration like '5d', '48h' or '4wd', got {value!r}"
        )
    if isinstance(default, bool) and not isinstance(value, bool):
        raise PolicyError(f"{field.name}: expected true or false, got {value!r}")
    if isinstance(default, str) and not isinstance(value, str):
        raise PolicyError(f"{field.name}: expected text, got {value!r}")
    return value


def _override(policy: Policy, changes: Mapping[str, object]) -> Policy:
    fields = attrs.fields_dict(Policy)
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        raise PolicyError(
            f"unknown policy field(s) {', '.join(unknown)}; known fields: {', '.join(fields)}"
        )
    try:
        coerced = {name: _coerce(fields[name], value) for name, value in changes.items()}
    except PolicyError:
        raise
    except Exception as exc:  # Duration.parse raises InvalidInput
        raise PolicyError(str(exc)) from None
    changed: Policy = attrs.evolve(policy, **cast(dict[str, Any], coerced))
    return changed


def _taobao() -> Policy:
    return Policy(name="taobao")


def _taobao_current() -> Policy:
    # CURRENT-SCHEDULE: the platform's newer timeout table shortened three windows.
    return Policy(
        name="taobao-current",
        pre_seller_response=Duration.hours(24),
        only_not_received_response=Duration.hours(36),
        refused_buyer_window=Duration.days(5),
    )


def _tmall() -> Policy:
    return Policy(name="tmall")


PRESETS: Mapping[str, Any] = {
    "taobao": _taobao,
    "taobao-current": _taobao_current,
    "tmall": _tmall,
}


def preset(name: str, **overrides: object) -> Policy:
    """A named preset, optionally with overrides."""
    try:
        factory = PRESETS[name]
    except KeyError:
        raise PolicyError(
            f"unknown policy preset {name!r}; presets: {', '.join(PRESETS)}"
        ) from None
    policy: Policy = factory()
    return _override(policy, overrides) if overrides else policy
