"""The policy: every number the platform imposes, each tied to its rule ID.

A :class:`Policy` is a frozen value. The presets carry the platform defaults; a
shop overrides fields (a listing's own promise, a rule change) with
:meth:`Policy.override`. Field metadata holds the rule ID, so ``docs/rules.md``
and ``aftersales rules`` can say which field holds which rule's number.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, cast

import attrs
import pendulum

from ._calendar import WorkCalendar, china_calendar
from ._duration import Duration
from ._errors import InvalidInput, PolicyError
from ._instant import instant, parse_instant
from ._money import Money
from ._rules import RULES

__all__ = [
    "PRESETS",
    "RULE_OF",
    "HolidayShipping",
    "Policy",
    "policy_fields",
    "policy_numbers",
    "preset",
]


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


def _declared_instant(value: object) -> pendulum.DateTime:
    if isinstance(value, str):
        return parse_instant(value)
    return instant(value)


def _optional_duration(value: object) -> Duration | None:
    if value is None or isinstance(value, Duration):
        return value
    if isinstance(value, str):
        return Duration.parse(value)
    raise InvalidInput(f"extra: expected a duration like '48h' or '3d', got {value!r}")


@attrs.frozen(kw_only=True)
class HolidayShipping:
    """A platform-announced holiday shipping period, entered by the shop as data.

    Around the Spring Festival the platform publishes a period: orders paid within
    it may ship by a stated date. The library has no rule ID for the announcement
    (it changes every year); ``source`` says where the shop read it. Orders paid in
    ``[paid_from, paid_until)`` may ship by ``ship_by``, or ``extra`` after their
    usual deadline; the later of that and the usual deadline applies, so a period
    never shortens SHIP-48H/SHIP-72H. See ``docs/shipping.md``.
    """

    name: str
    source: str
    paid_from: pendulum.DateTime = attrs.field(converter=_declared_instant)
    paid_until: pendulum.DateTime = attrs.field(converter=_declared_instant)
    ship_by: pendulum.DateTime | None = attrs.field(
        default=None, converter=attrs.converters.optional(_declared_instant)
    )
    extra: Duration | None = attrs.field(default=None, converter=_optional_duration)

    def __attrs_post_init__(self) -> None:
        if not self.name.strip() or not self.source.strip():
            raise InvalidInput("a holiday shipping period needs a name and a source")
        if self.paid_until <= self.paid_from:
            raise InvalidInput(f"holiday shipping {self.name!r}: paid_until is not after paid_from")
        if (self.ship_by is None) == (self.extra is None):
            raise InvalidInput(
                f"holiday shipping {self.name!r}: give exactly one of ship_by and extra"
            )
        if self.ship_by is not None and self.ship_by < self.paid_from:
            raise InvalidInput(f"holiday shipping {self.name!r}: ship_by is before paid_from")

    def covers(self, paid_at: pendulum.DateTime) -> bool:
        return self.paid_from <= paid_at < self.paid_until


def _holiday_periods(value: Iterable[object]) -> tuple[HolidayShipping, ...]:
    """Accept periods or their JSON form (a list of objects), for overrides and scenarios."""
    if isinstance(value, (str, bytes, Mapping)):
        raise PolicyError("holiday_shipping is a list of periods")
    periods = []
    for i, item in enumerate(value):
        if isinstance(item, HolidayShipping):
            periods.append(item)
            continue
        if not isinstance(item, Mapping):
            raise PolicyError(f"holiday_shipping[{i}] must be an object")
        try:
            periods.append(HolidayShipping(**item))
        except TypeError as exc:
            raise PolicyError(f"holiday_shipping[{i}]: {exc}") from None
        except InvalidInput as exc:
            raise PolicyError(f"holiday_shipping[{i}]: {exc}") from None
    return tuple(periods)


@attrs.frozen(kw_only=True)
class Policy:
    """Platform numbers and switches. Defaults are the classic Taobao schedule."""

    name: str = "taobao"
    timezone: str = attrs.field(default="Asia/Shanghai", validator=_check_timezone)
    calendar: WorkCalendar = attrs.field(factory=china_calendar, repr=False)

    # Shipping (fulfilment)
    marketplace: str = attrs.field(
        default="taobao", validator=attrs.validators.in_(("taobao", "tmall"))
    )
    ship_within: Duration = _rule(
        Duration.hours(48),
        "SHIP-48H",
        "ship within this long of payment unless the listing promised otherwise (Tmall: SHIP-72H)",
    )
    late_comp_rate: Decimal = _rule(
        Decimal("0.05"),
        "LATE-COMP-TAOBAO",
        "late-shipment compensation as a share of the paid price",
    )
    late_comp_floor: Money = _rule(
        Money("5.00"), "LATE-COMP-TAOBAO", "least compensation for a late shipment"
    )
    late_comp_cap: Money = _rule(
        Money("30.00"), "LATE-COMP-TAOBAO", "most compensation (Tmall: for combined trades)"
    )
    late_comp_combine_within: Duration = _rule(
        Duration.hours(0),
        "LATE-COMP-TMALL",
        "same-buyer trades paid within this window are combined (0: never)",
    )
    late_ship_points: int = _rule(
        3,
        "LATE-COMP-TAOBAO",
        "points deducted per late trade whose compensation is unpaid when a complaint is upheld",
    )
    late_ship_points_cap: int = _rule(
        0, "LATE-COMP-TMALL", "most late-shipment points in late_ship_points_window (0: no cap)"
    )
    late_ship_points_window: Duration = _rule(
        Duration.days(30), "LATE-COMP-TMALL", "the rolling window late_ship_points_cap counts in"
    )
    fake_stuck_after: Duration = _rule(
        Duration.hours(48), "SHIP-FAKE", "'collected' with no movement this long is a fake shipment"
    )
    fake_never_collected_after: Duration = _rule(
        Duration.hours(24), "SHIP-FAKE", "shipped with no carrier scan this long is a fake shipment"
    )
    escalation_service_wait: Duration = _rule(
        Duration.hours(24),
        "SHIP-ESCALATION",
        "platform service waits this long for the seller before the buyer phones and complains",
    )
    escalation_complaint_review: Duration = _rule(
        Duration.working_days(5),
        "SHIP-ESCALATION",
        "the platform handles a late-shipment complaint within this (3-5 working days)",
    )
    escalation_black_cat_wait: Duration = _rule(
        Duration.hours(24),
        "SHIP-ESCALATION",
        "a Black Cat complaint is answered in about this long (a warning only)",
    )
    #: Platform-announced holiday shipping periods: the shop's declared data, no rule ID.
    holiday_shipping: tuple[HolidayShipping, ...] = attrs.field(
        default=(), converter=_holiday_periods, metadata={"doc": "declared by the shop"}
    )
    # Malicious orders
    unpaid_close_after: Duration = _rule(
        Duration.days(3), "MAL-UNPAID", "the platform closes an unpaid order this long after it"
    )
    mal_seller_close_points: int = _rule(
        6, "MAL-UNPAID", "points a seller-closed unpaid order costs once a complaint succeeds"
    )
    mal_appeal_review: Duration = _rule(
        Duration.working_days(3), "MAL-APPEAL", "the platform verifies an abnormal-purchase appeal"
    )
    mal_max_qty_per_buyer: int = _rule(
        5, "MAL-LIMITS", "units of one item a buyer may take before it is a signal"
    )
    mal_low_price: Money = _rule(
        Money("10.00"), "MAL-KINDS", "unit price at or below which a promoted item is a target"
    )
    mal_repeat_orders: int = _rule(
        3, "MAL-KINDS", "orders of one promoted low-price item by one buyer that form a signal"
    )
    mal_new_account_days: int = _rule(
        30, "MAL-LIMITS", "accounts younger than this many days count as new"
    )
    mal_claim_history: int = _rule(
        2, "MAL-RETURN-CLAIM", "past refund or complaint claims that form a signal"
    )
    mal_weight_quantity: int = _rule(30, "MAL-LIMITS", "risk points: over the purchase limit")
    mal_weight_repeat: int = _rule(25, "MAL-KINDS", "risk points: repeated promoted low-price item")
    mal_weight_shared: int = _rule(
        30, "MAL-LIMITS", "risk points: address or phone shared with other accounts"
    )
    mal_weight_new_account: int = _rule(15, "MAL-LIMITS", "risk points: a new account")
    mal_weight_claims: int = _rule(25, "MAL-RETURN-CLAIM", "risk points: a history of claims")
    mal_risk_threshold: int = _rule(
        50, "MAL-KINDS", "risk points at which an order is treated as malicious"
    )
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
    # After-sale window (after the trade succeeded)
    after_sale_window: Duration = _rule(
        Duration.days(15),
        "AFTER-15D",
        "how long after trade success an after-sale request may open",
    )
    after_sale_seller_response: Duration = _rule(
        Duration.days(5),
        "AFTER-AUTO-AGREE",
        "seller's window to answer an after-sale request before it is agreed",
    )
    after_sale_intervention_after: Duration = _rule(
        Duration.days(7),
        "AFTER-7D-INTERVENE",
        "after-sale claim not accepted: intervention opens this long after the claim",
    )
    complaint_window: Duration = _rule(
        Duration.days(15),
        "COMPLAINT-15D",
        "complaint window after a refund succeeded and closed the trade",
    )
    # Customer-service intervention
    int_evidence: Duration = _rule(
        Duration.days(3),
        "INT-EVIDENCE-3D",
        "evidence period for both sides once intervention opens",
    )
    int_seller_confirm: Duration = _rule(
        Duration.hours(24),
        "INT-CONFIRM-24H",
        "seller's window to accept the buyer's evidence before review",
    )
    int_review: Duration = _rule(
        Duration.working_days(4), "INT-REVIEW-4WD", "platform's review of the evidence"
    )
    dispute_campaign_limit: int = _rule(
        5, "INT-DISPUTE", "dispute refunds in a calendar month above which campaigns are barred"
    )
    dispute_warning_at: int = _rule(
        4, "INT-DISPUTE", "warn when a month's dispute refunds reach this count"
    )
    dispute_rate_window: Duration = _rule(
        Duration.days(30), "DISPUTE-RATE", "the window the dispute refund rate is counted over"
    )
    int_avoid_max_value: Money = _rule(
        Money("50.00"),
        "INT-AVOID",
        "requests up to this amount: suggest refund without return instead of intervention",
    )
    # Express refund
    express_appeal_window: Duration = _rule(
        Duration.days(7),
        "RET-EXPRESS",
        "seller's window to appeal an express refund whose goods did not come back",
    )
    # Exchange and reissue
    exchange_resend_window: Duration = _rule(
        Duration.hours(48), "RET-EXCHANGE", "seller's window to send the replacement"
    )
    exchange_buyer_confirm: Duration = _rule(
        Duration.days(10),
        "TRADE-AUTO-CONFIRM",
        "replacement receipt confirms itself this long after it ships",
    )
    # Quality complaints
    quality_claim_window: Duration = _rule(
        Duration.days(3), "QUAL-3D", "quality complaint after receipt handled with photos"
    )
    quality_photo_window: Duration = _rule(
        Duration.days(3), "QUAL-3D", "buyer's window to send the photos the shop asked for"
    )
    no_reason_return_window: Duration = _rule(
        Duration.days(7), "NO-REASON-7D", "no-reason return window after receipt"
    )
    # Negative-review follow-up
    review_contact_within: Duration = _rule(
        Duration.hours(24), "REV-FAST", "contact the buyer this soon after a medium/negative review"
    )
    review_revision_window: Duration = _rule(
        Duration.days(30), "REV-WINDOWS", "the buyer may revise or delete the review this long"
    )
    review_explanation_window: Duration = _rule(
        Duration.days(30), "REV-WINDOWS", "the seller may post an explanation this long"
    )
    review_red_packet: Money = _rule(
        Money("5.00"), "REV-OFFER", "red-packet compensation offered for the buyer's problem"
    )
    review_free_product_max_price: Money = _rule(
        Money("20.00"), "REV-OFFER", "unit price at or below which the product may be given free"
    )
    #: ``timezone`` as a zone, looked up once: the engine reads it on every transition.
    tz: pendulum.Timezone = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "tz", _timezone(self.timezone))

    def override(self, **changes: object) -> Policy:
        """A copy with some fields changed; durations may be given as text ("5d", "48h")."""
        return _override(self, changes)

    def rule_of(self, field_name: str) -> str:
        return RULE_OF[field_name]


#: Field name -> rule ID, read once: the engine reads it on every transition.
RULE_OF: Mapping[str, str] = MappingProxyType(
    {a.name: a.metadata["rule"] for a in attrs.fields(Policy) if "rule" in a.metadata}
)


@functools.cache
def _timezone(name: str) -> pendulum.Timezone:
    # One object per zone name, so ``deadline_after`` can see the zone is unchanged.
    return pendulum.timezone(name)


def policy_numbers(policy: Policy) -> dict[str, str]:
    """Every number and switch of ``policy`` as text, with the calendar's years: what a
    store records, to notice being reopened under another policy."""
    numbers = {
        a.name: str(getattr(policy, a.name))
        for a in attrs.fields(Policy)
        if a.init and a.name != "calendar"
    }
    calendar = policy.calendar
    numbers["calendar"] = f"fallback {calendar.fallback.value}"
    # One entry a year: a store can tell a year's notice added from a year's data changed.
    for year in sorted(calendar.years):
        numbers[f"calendar.{year}"] = calendar.year_digest(year)
    return numbers


def policy_fields() -> list[attrs.Attribute[Any]]:
    """The fields that carry a platform number, in declaration order."""
    return [a for a in attrs.fields(Policy) if "rule" in a.metadata]


def _duration(name: str, value: object) -> object:
    if isinstance(value, Duration):
        return value
    if isinstance(value, str):
        return Duration.parse(value)
    raise PolicyError(f"{name}: expected a duration like '5d', '48h' or '4wd', got {value!r}")


def _flag(name: str, value: object) -> object:
    if not isinstance(value, bool):
        raise PolicyError(f"{name}: expected true or false, got {value!r}")
    return value


def _count(name: str, value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PolicyError(f"{name}: expected a whole number >= 0, got {value!r}")
    return value


def _amount(_name: str, value: object) -> object:
    return value if isinstance(value, Money) else Money(value)


def _rate(name: str, value: object) -> object:
    if isinstance(value, (float, bool)):
        raise PolicyError(f"{name}: give the rate as text like '0.05', not {value!r}")
    try:
        rate = Decimal(str(value))
    except ArithmeticError:
        raise PolicyError(f"{name}: {value!r} is not a rate like '0.05'") from None
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1):
        raise PolicyError(f"{name}: a rate is between 0 and 1, got {value!r}")
    return rate


def _text(name: str, value: object) -> object:
    if not isinstance(value, str):
        raise PolicyError(f"{name}: expected text, got {value!r}")
    return value


# bool before int: True is an int too
_COERCERS: tuple[tuple[type, Callable[[str, object], object]], ...] = (
    (Duration, _duration),
    (bool, _flag),
    (int, _count),
    (Money, _amount),
    (Decimal, _rate),
    (str, _text),
)


def _coerce(field: attrs.Attribute[Any], value: object) -> object:
    """Accept the JSON spelling of a field: durations as text ("5d"), flags as booleans."""
    for kind, coerce in _COERCERS:
        if isinstance(field.default, kind):
            return coerce(field.name, value)
    return value


def _override(policy: Policy, changes: Mapping[str, object]) -> Policy:
    fields = {name: a for name, a in attrs.fields_dict(Policy).items() if a.init}
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
    # SHIP-72H and LATE-COMP-TMALL: 72 hours; a 30% red packet, at least 5 yuan,
    # same-buyer trades within 24 hours combined and capped at 500 yuan; 1 point per
    # uncompensated case, at most 6 per 30 days.
    return Policy(
        name="tmall",
        marketplace="tmall",
        ship_within=Duration.hours(72),
        late_comp_rate=Decimal("0.30"),
        late_comp_floor=Money("5.00"),
        late_comp_cap=Money("500.00"),
        late_comp_combine_within=Duration.hours(24),
        late_ship_points=1,
        late_ship_points_cap=6,
    )


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
