"""The what-if simulator behind ``aftersales timeline``.

A scenario is a JSON document: a policy, a case with its order, the events in
time order and an instant to advance to. :func:`run_scenario` feeds them to the
pure engine and returns the outcome as JSON-ready data. An *order scenario* has an
``order`` and no ``case``: its shipments, carrier scans and signing go to the
shipping watch (ship-by deadline, lateness, compensation, fake-shipment flags).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pendulum

from ..core._calendar import Fallback, WorkCalendar
from ..core._case import Case, Kind, Order, OrderItem, RefundRequested
from ..core._duration import Duration
from ..core._engine import advance, open_case, step
from ..core._errors import AfterSalesError, InvalidInput, PolicyError
from ..core._events import EVENT_TYPES, Event
from ..core._money import Money
from ..core._policy import PRESETS, Policy, policy_fields, preset
from ..core._serialize import JSON_NAMES, event_from_dict, parse_instant
from ..orders._shipping import (
    LateShipmentApology,
    LateTrade,
    ParcelSigned,
    ShippingEvent,
    ShippingWatch,
    ShopNotice,
    watch_order,
)
from ..orders._tracking import Parcel, ParcelShipped, ScanStatus, TrackingScan

__all__ = [
    "ScenarioError",
    "describe",
    "describe_watch",
    "load_policy",
    "order_scenario_watch",
    "run_order_scenario",
    "run_scenario",
    "scenario_case",
    "scenario_schema",
]


class ScenarioError(AfterSalesError):
    """A scenario could not be run; ``position`` is the failing event's index, if any."""

    def __init__(self, message: str, *, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


def load_policy(
    value: object, *, base: Path | None = None, calendar: WorkCalendar | None = None
) -> Policy:
    """``"taobao"``, or ``{"preset": "tmall", "ret_seller_response": "3d", ...}``.

    Overrides may also sit under an ``"overrides"`` key. ``"calendar"`` takes
    ``{"file": "holidays-2027.toml", "fallback": "raise" | "weekends" | "provisional"}``: the
    shop's calendar file (relative to ``base``) and what to do past its years. A
    document that names no calendar counts with ``calendar`` when given (the
    command's, such as the board's), else the preset's.
    """
    if value is None or isinstance(value, str):
        policy = preset("taobao" if value is None else value)
        return policy if calendar is None else attrs.evolve(policy, calendar=calendar)
    if not isinstance(value, Mapping):
        raise PolicyError(f"policy is a preset name or an object, got {type(value).__name__}")
    body = dict(value)
    name = body.pop("preset", "taobao")
    nested = body.pop("overrides", {})
    own = body.pop("calendar", None)
    if not isinstance(name, str) or not isinstance(nested, Mapping):
        raise PolicyError("policy.preset is a name and policy.overrides an object")
    policy = preset(name, **{**nested, **body})
    if own is None:
        return policy if calendar is None else attrs.evolve(policy, calendar=calendar)
    return attrs.evolve(policy, calendar=_calendar(own, base))


_FALLBACKS = " or ".join(repr(f.value) for f in Fallback)


def _calendar(value: object, base: Path | None) -> WorkCalendar:
    if not isinstance(value, Mapping) or set(value) - {"file", "fallback"}:
        raise PolicyError(f'policy.calendar is {{"file": PATH, "fallback": {_FALLBACKS}}}')
    fallback = value.get("fallback", Fallback.RAISE.value)
    if fallback not in {f.value for f in Fallback}:
        raise PolicyError(f"policy.calendar.fallback {fallback!r} is not one of {_FALLBACKS}")
    file = value.get("file")
    if file is not None and not isinstance(file, str):
        raise PolicyError("policy.calendar.file is a path")
    path = None if file is None else (base / file if base is not None else Path(file))
    return WorkCalendar.china(extra=path, fallback=Fallback(fallback))


def _field(doc: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        raise InvalidInput(f"{where}.{key} is missing")
    return doc[key]


def _money(doc: Mapping[str, Any], key: str, where: str, default: object = None) -> Money:
    """``doc[key]`` as Money; an error names the field (``case.order.paid: ...``)."""
    value = _field(doc, key, where) if default is None else doc.get(key, default)
    try:
        return Money.of(value)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}.{key}: {exc}") from None


@functools.cache
def _schema_keys() -> dict[str, tuple[str, ...]]:
    """The keys the schema allows in each object the loader reads: one source for both."""
    schema = scenario_schema()
    props = schema["properties"]
    order = props["order"]["properties"]
    case_only = ("order", "other_parcels", "other_late_trades")
    return {
        "scenario": tuple(k for k in props if k not in case_only),
        "order scenario": tuple(k for k in props if k != "case"),
        "case": tuple(props["case"]["properties"]),
        "case.order": tuple(props["case"]["properties"]["order"]["properties"]),
        "order": tuple(order),
        "items": tuple(order["items"]["items"]["properties"]),
    }


def _known(doc: Mapping[str, Any], kind: str, where: str) -> None:
    """Refuse a key the schema does not allow: a typo would otherwise drop data silently."""
    allowed = _schema_keys()[kind]
    unknown = sorted(str(k) for k in doc if k not in allowed)
    if unknown:
        raise InvalidInput(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(allowed)}"
        )


def _in_order(order: Order, where: str) -> None:
    """paid, shipped, signed and finished happen in that order; a record saying otherwise
    is refused rather than run."""
    steps = [
        (name, at)
        for name, at in (
            ("paid_at", order.paid_at),
            ("shipped_at", order.shipped_at),
            ("signed_at", order.signed_at),
            ("finished_at", order.finished_at),
        )
        if at is not None
    ]
    for (first, a), (then, b) in itertools.pairwise(steps):
        if b < a:
            raise InvalidInput(
                f"{where}.{then} {b.isoformat()} is before {where}.{first} {a.isoformat()}; "
                "an order is paid, shipped, signed for and finished in that order"
            )
    if order.signed_at is not None and order.shipped_at is None:
        raise InvalidInput(f"{where}.signed_at needs {where}.shipped_at: goods are shipped first")


def _instant(doc: Mapping[str, Any], key: str, where: str) -> pendulum.DateTime | None:
    value = doc.get(key)
    if value is None:
        return None
    try:
        return parse_instant(value)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}.{key}: {exc}") from None


def _id(value: object, where: str) -> str:
    # JSON numbers for IDs are accepted only as integers, never floats.
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidInput(f"{where} must be a string (or an integer), got {value!r}")
    return str(value)


def _order(doc: object, where: str = "case.order") -> Order:
    if not isinstance(doc, Mapping):
        raise InvalidInput(f"{where} must be an object")
    _known(doc, "case.order" if where == "case.order" else "order", where)
    raw_items = doc.get("items", [])
    if not isinstance(raw_items, list):
        raise InvalidInput(f"{where}.items must be a list of objects")
    items: list[OrderItem] = []
    for i, item in enumerate(raw_items):
        at = f"{where}.items[{i}]"
        if not isinstance(item, Mapping):
            raise InvalidInput(f"{at} must be an object")
        _known(item, "items", at)
        items.append(
            OrderItem(
                oid=_id(_field(item, "oid", at), f"{at}.oid"),
                paid=_money(item, "paid", at),
                refunded=_money(item, "refunded", at, default="0"),
                title=str(item.get("title", "")),
            )
        )
    paid_at = _instant(doc, "paid_at", where)
    if paid_at is None:
        raise InvalidInput(f"{where}.paid_at is missing")
    order = Order(
        id=_id(_field(doc, "id", where), f"{where}.id"),
        paid=_money(doc, "paid", where),
        paid_at=paid_at,
        shipped_at=_instant(doc, "shipped_at", where),
        signed_at=_instant(doc, "signed_at", where),
        finished_at=_instant(doc, "finished_at", where),
        items=items,
    )
    _in_order(order, where)
    return order


def _request(doc: object) -> RefundRequested:
    if not isinstance(doc, Mapping):
        raise InvalidInput("case must be an object")
    _known(doc, "case", "case")
    kind = _field(doc, "kind", "case")
    if kind not in {k.value for k in Kind}:
        raise InvalidInput(f"case.kind {kind!r} is not one of {', '.join(k.value for k in Kind)}")
    case_id = _id(_field(doc, "id", "case"), "case.id")
    opened_at = _instant(doc, "opened_at", "case")
    if opened_at is None:
        raise InvalidInput("case.opened_at is missing")
    oid = doc.get("oid")
    return RefundRequested(
        id=str(doc.get("event_id", f"{case_id}-opened")),
        at=opened_at,
        case_id=case_id,
        kind=Kind(kind),
        order=_order(_field(doc, "order", "case")),
        amount=_money(doc, "amount", "case"),
        reason=str(doc.get("reason", "")),
        oid=None if oid is None else _id(oid, "case.oid"),
        description=str(doc.get("description", "")),
    )


def _events(doc: object, case_id: str) -> list[Event]:
    if doc is None:
        return []
    if not isinstance(doc, list):
        raise InvalidInput("events must be a list")
    events = []
    for i, raw in enumerate(doc):
        if not isinstance(raw, Mapping):
            raise ScenarioError(f"events[{i}] must be an object", position=i)
        body = dict(raw)
        body.setdefault("id", f"{case_id}-e{i + 1}")
        try:
            events.append(event_from_dict(body))
        except InvalidInput as exc:
            raise ScenarioError(f"events[{i}] (event {i + 1}): {exc}", position=i) from None
    return events


def run_scenario(document: Mapping[str, Any], *, base: Path | None = None) -> dict[str, Any]:
    """Run a scenario document and describe the case at its end.

    ``base`` is the folder relative paths in the document (a calendar file) start from.
    """
    if isinstance(document, Mapping) and "order" in document and "case" not in document:
        return run_order_scenario(document, base=base)
    case, policy = scenario_case(document, base=base)
    return describe(case, policy)


def scenario_case(
    document: Mapping[str, Any],
    *,
    base: Path | None = None,
    calendar: WorkCalendar | None = None,
) -> tuple[Case, Policy]:
    """Run a case scenario document; the case at its end and the policy it ran under.

    ``calendar`` is the one to count with when the document names none.
    """
    if not isinstance(document, Mapping):
        raise ScenarioError("a scenario is a JSON object")
    try:
        _known(document, "scenario", "case scenario")
        policy = load_policy(document.get("policy"), base=base, calendar=calendar)
        request = _request(document.get("case"))
        events = _events(document.get("events"), request.case_id)
        until = _instant(document, "at", "scenario")
        case, _ = open_case(request, policy)
    except ScenarioError:
        raise
    except AfterSalesError as exc:
        raise ScenarioError(str(exc)) from None
    for i, event in enumerate(events):
        try:
            case, _ = step(case, event, policy)
        except AfterSalesError as exc:
            raise ScenarioError(
                f"events[{i}] (event {i + 1}, {event.type} at {event.at.isoformat()}): {exc}",
                position=i,
            ) from exc
    if until is not None:
        case, _ = advance(case, until, policy)
    return case, policy


# -- order scenarios: the shipping watch ------------------------------------------------------


def _promise(doc: Mapping[str, Any]) -> Duration | None:
    hours, days = doc.get("promised_ship_hours"), doc.get("promised_ship_days")
    if hours is not None and days is not None:
        raise InvalidInput("order: give promised_ship_hours or promised_ship_days, not both")
    for key, value, make in (
        ("promised_ship_hours", hours, Duration.hours),
        ("promised_ship_days", days, Duration.days),
    ):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInput(f"order.{key} must be a whole number >= 1, got {value!r}")
        return make(value)
    return None


_ORDER_EVENT_FIELDS: Mapping[str, frozenset[str]] = {
    ParcelShipped.type: frozenset({"type", "id", "at", "carrier", "tracking", "oids"}),
    TrackingScan.type: frozenset({"type", "id", "at", "status", "place", "tracking"}),
    ParcelSigned.type: frozenset({"type", "id", "at", "tracking", "by"}),
    ShopNotice.type: frozenset({"type", "id", "at", "text", "claimed_ship_by"}),
}


def _order_event(raw: Mapping[str, Any]) -> ShippingEvent:
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in _ORDER_EVENT_FIELDS:
        raise InvalidInput(
            f"unknown order event type {kind!r}; known types: {', '.join(_ORDER_EVENT_FIELDS)}"
        )
    unknown = sorted(set(raw) - _ORDER_EVENT_FIELDS[kind])
    if unknown:
        raise InvalidInput(f"{kind}: unknown field(s) {', '.join(unknown)}")
    at = _instant(raw, "at", kind)
    if at is None:
        raise InvalidInput(f"{kind}: at is missing")
    tracking = raw.get("tracking")
    if tracking is not None:
        tracking = _id(tracking, f"{kind}.tracking")
    if kind == ParcelShipped.type:
        oids = raw.get("oids", [])
        if not isinstance(oids, list):
            raise InvalidInput("shipped.oids must be a list of sub-order IDs")
        return ParcelShipped(
            at=at,
            carrier=str(_field(raw, "carrier", kind)),
            tracking=_id(_field(raw, "tracking", kind), "shipped.tracking"),
            oids=[_id(o, "shipped.oids[]") for o in oids],
        )
    if kind == TrackingScan.type:
        status = _field(raw, "status", kind)
        if status not in {s.value for s in ScanStatus}:
            raise InvalidInput(
                f"scan.status {status!r} is not one of {', '.join(s.value for s in ScanStatus)}"
            )
        return TrackingScan(
            at=at, status=ScanStatus(status), place=str(raw.get("place", "")), tracking=tracking
        )
    if kind == ParcelSigned.type:
        return ParcelSigned(at=at, tracking=tracking, by=str(raw.get("by", "")))
    return ShopNotice(
        at=at,
        text=str(raw.get("text", "")),
        claimed_ship_by=_instant(raw, "claimed_ship_by", kind),
    )


def _order_events(doc: object, *, shipped_before: bool = False) -> list[ShippingEvent]:
    if doc is None:
        return []
    if not isinstance(doc, list):
        raise InvalidInput("events must be a list")
    events: list[ShippingEvent] = []
    shipped = False
    for i, raw in enumerate(doc):
        if not isinstance(raw, Mapping):
            raise ScenarioError(f"events[{i}] must be an object", position=i)
        try:
            event = _order_event(raw)
        except AfterSalesError as exc:
            raise ScenarioError(f"events[{i}] (event {i + 1}): {exc}", position=i) from None
        shipped = shipped or isinstance(event, ParcelShipped)
        if isinstance(event, ParcelSigned) and not (shipped or shipped_before):
            raise ScenarioError(
                f"events[{i}] (event {i + 1}): signed before any shipped event; "
                "goods are shipped first (give the shipped event, or order.shipped_at)",
                position=i,
            )
        if events and event.at < events[-1].at:
            raise ScenarioError(
                f"events[{i}] (event {i + 1}): at {event.at.isoformat()} is before the event "
                f"before it ({events[-1].at.isoformat()}); events come in time order",
                position=i,
            )
        events.append(event)
    return events


def _other_parcels(doc: object) -> list[Parcel]:
    if doc is None:
        return []
    if not isinstance(doc, list):
        raise InvalidInput("other_parcels must be a list")
    parcels = []
    for i, raw in enumerate(doc):
        where = f"other_parcels[{i}]"
        if not isinstance(raw, Mapping):
            raise InvalidInput(f"{where} must be an object")
        shipped_at = _instant(raw, "shipped_at", where)
        if shipped_at is None:
            raise InvalidInput(f"{where}.shipped_at is missing")
        buyer = raw.get("buyer")
        parcels.append(
            Parcel(
                order_id=_id(_field(raw, "order_id", where), f"{where}.order_id"),
                shipment=ParcelShipped(
                    at=shipped_at,
                    carrier=str(_field(raw, "carrier", where)),
                    tracking=_id(_field(raw, "tracking", where), f"{where}.tracking"),
                ),
                buyer=None if buyer is None else str(buyer),
            )
        )
    return parcels


def _other_late_trades(doc: object, buyer: object) -> list[LateTrade]:
    """The same buyer's other late trades, for combining (LATE-COMP-TMALL)."""
    if doc is None:
        return []
    if not isinstance(doc, list):
        raise InvalidInput("other_late_trades must be a list")
    if doc and buyer is None:
        raise InvalidInput("other_late_trades needs the order's buyer (order.buyer)")
    trades = []
    for i, raw in enumerate(doc):
        where = f"other_late_trades[{i}]"
        if not isinstance(raw, Mapping):
            raise InvalidInput(f"{where} must be an object")
        unknown = sorted(set(raw) - {"order_id", "paid_at", "late_price"})
        if unknown:
            raise InvalidInput(f"{where}: unknown field(s) {', '.join(unknown)}")
        paid_at = _instant(raw, "paid_at", where)
        if paid_at is None:
            raise InvalidInput(f"{where}.paid_at is missing")
        trades.append(
            LateTrade(
                order_id=_id(_field(raw, "order_id", where), f"{where}.order_id"),
                buyer=str(buyer),
                paid_at=paid_at,
                late_price=_money(raw, "late_price", where),
            )
        )
    return trades


def run_order_scenario(document: Mapping[str, Any], *, base: Path | None = None) -> dict[str, Any]:
    """Run an order scenario (an ``order``, no ``case``) through the shipping watch.

    Judged at the scenario's ``at``, or at its last event (payment when there is none).
    """
    watch, policy = order_scenario_watch(document, base=base)
    return describe_watch(watch, policy)


def order_scenario_watch(
    document: Mapping[str, Any],
    *,
    base: Path | None = None,
    at: pendulum.DateTime | None = None,
) -> tuple[ShippingWatch, Policy]:
    """The order scenario's watch, at ``at`` if given (else the scenario's own instant)."""
    if not isinstance(document, Mapping):
        raise ScenarioError("a scenario is a JSON object")
    try:
        _known(document, "order scenario", "order scenario")
        policy = load_policy(document.get("policy"), base=base)
        raw_order = document.get("order")
        order = _order(raw_order, "order")
        assert isinstance(raw_order, Mapping)  # _order checked it
        promised = _promise(raw_order)
        buyer = raw_order.get("buyer")
        events = _order_events(document.get("events"), shipped_before=order.shipped_at is not None)
        others = _other_parcels(document.get("other_parcels"))
        late_trades = _other_late_trades(document.get("other_late_trades"), buyer)
        until = at if at is not None else _instant(document, "at", "scenario")
        if until is None:
            until = max([order.paid_at, *(e.at for e in events)])
        watch = watch_order(
            order,
            [e for e in events if e.at <= until],
            policy,
            at=until,
            promised=promised,
            buyer=None if buyer is None else str(buyer),
            other_parcels=others,
            other_late_trades=late_trades,
        )
    except ScenarioError:
        raise
    except AfterSalesError as exc:
        raise ScenarioError(str(exc)) from None
    return watch, policy


def _iso(value: pendulum.DateTime | None, tz: pendulum.Timezone) -> str | None:
    return None if value is None else value.in_timezone(tz).isoformat()


def describe_watch(watch: ShippingWatch, policy: Policy) -> dict[str, Any]:
    """A shipping watch as the simulator prints it, instants in the policy's zone."""
    iso = functools.partial(_iso, tz=policy.tz)
    deadline = watch.ship_by
    return {
        "order_id": watch.order_id,
        "kind": "order",
        "at": iso(watch.at),
        "state": watch.state.value,
        "trade_status": watch.trade_status,
        "ship_by": iso(deadline.due),
        "ship_by_rule": deadline.rule,
        "ship_by_basis": deadline.basis,
        "standard_ship_by": iso(deadline.standard_due),
        "holiday_period": None
        if deadline.period is None
        else {"name": deadline.period.name, "source": deadline.period.source},
        "late": watch.late,
        "late_oids": list(watch.late_oids),
        "compensation": str(watch.compensation),
        "compensation_rule": watch.compensation_rule,
        "sub_orders": [
            {
                "oid": s.oid,
                "shipped_at": iso(s.shipped_at),
                "tracking": s.tracking,
                "late": s.late,
            }
            for s in watch.sub_orders
        ],
        "parcels": [
            {
                "carrier": p.carrier,
                "tracking": p.tracking,
                "status": p.status.value,
                "last_scan": None
                if p.last_scan is None
                else {
                    "at": iso(p.last_scan.at),
                    "status": p.last_scan.status.value,
                    "place": p.last_scan.place,
                },
            }
            for p in watch.parcels
        ],
        "fake_shipment": [
            {
                "kind": f.kind.value,
                "tracking": f.tracking,
                "since": iso(f.since),
                "flagged_at": iso(f.flagged_at),
                "rule": f.rule,
                "explanation": f.explanation,
                "orders": list(f.orders),
                "scans": [
                    {"at": iso(s.at), "status": s.status.value, "place": s.place} for s in f.scans
                ],
            }
            for f in watch.fake_flags
        ],
        "signed_at": iso(watch.signed_at),
        "shop_notices_ignored": [
            {"at": iso(n.at), "text": n.text, "rule": "SHIP-NO-EXTEND"} for n in watch.notices
        ],
        "escalation": [
            {
                "stage": e.stage,
                "from": iso(e.from_),
                "until": iso(e.until),
                "note": e.note,
                "rule": e.rule,
            }
            for e in watch.escalation
        ],
        "notify": [
            {
                "template": e.template,
                "rule": e.rule,
                "context": {
                    "order_id": e.order_id,
                    "ship_by": iso(e.ship_by),
                    "compensation": str(e.compensation),
                },
            }
            for e in watch.effects
            if isinstance(e, LateShipmentApology)
        ],
    }


def describe(case: Case, policy: Policy) -> dict[str, Any]:
    """The case as the simulator prints it, instants in the policy's zone (+08:00)."""
    iso = functools.partial(_iso, tz=policy.tz)
    deadline = case.deadline
    return {
        "case_id": case.id,
        "kind": case.kind.value,
        "status": case.status.value,
        "state": case.state.value,
        "deadline": None
        if deadline is None
        else {
            "name": deadline.name,
            "due": iso(deadline.due),
            "on_expiry": deadline.on_expiry,
            "rule": deadline.rule,
            "waits_for": deadline.waits_for.value,
            "provisional": deadline.provisional,
        },
        "requested": str(case.requested),
        "refunded": str(case.refunded),
        "charged_to_seller": str(case.charged_to_seller),
        "phase": case.phase,
        "overdue": None
        if case.overdue is None
        else {
            "name": case.overdue.name,
            "due": iso(case.overdue.due),
            "rule": case.overdue.rule,
            "waits_for": case.overdue.waits_for.value,
        },
        "ruling": None
        if case.ruling is None
        else {
            "at": iso(case.ruling.at),
            "for": case.ruling.favours.value,
            "mode": case.ruling.mode.value,
            "seller_liable": case.ruling.seller_liable,
        },
        "dispute_refund": case.is_dispute_refund,
        "complaint_until": iso(case.complaint_until),
        "intervention_available_from": iso(case.intervention_available_from),
        "history": [
            {
                "at": iso(t.at),
                "from": t.source.value,
                "to": t.target.value,
                "trigger": t.trigger,
                "rule": t.rule,
                **({"event_id": t.event_id} if t.event_id is not None else {}),
            }
            for t in case.history
        ],
    }


# -- JSON Schema ---------------------------------------------------------------------------

_INSTANT = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})(\[[^\]]+\])?$",
    "description": "ISO 8601 instant with its UTC offset, e.g. 2026-03-02T10:00:00+08:00",
}
_MONEY = {
    "type": ["string", "number"],
    "pattern": r"^\d+(\.\d{1,2})?$",
    "minimum": 0,
    "description": (
        "yuan, at most two places: a decimal string ('59.9', '59.90') or a JSON number, "
        "which the CLI reads as an exact decimal"
    ),
}
_ID = {"type": ["string", "integer"], "description": "platform ID; 19-digit IDs as strings"}


def _schema_of(annotation: object) -> dict[str, Any]:
    if annotation in (Money, Money | None):
        return _MONEY
    if annotation is pendulum.DateTime:
        return _INSTANT
    if annotation is bool:
        return {"type": "boolean"}
    if annotation == bool | None:
        return {"type": ["boolean", "null"]}
    if annotation in (str, str | None):
        return {"type": "string"}
    if annotation == tuple[str, ...]:
        return {"type": "array", "items": {"type": "string"}}
    raise TypeError(f"no JSON Schema for {annotation!r}")  # a new field type needs a line here


_ALLOWED = {"party": ("buyer", "seller"), "favours": ("buyer", "seller"), "mode": ("jury", "staff")}


def _event_schema(cls: type[Event]) -> dict[str, Any]:
    fields = attrs.fields(cls)
    props: dict[str, Any] = {"type": {"const": cls.type}}
    for a in fields:
        schema = dict(_schema_of(a.type))
        if (allowed := _ALLOWED.get(a.name)) is not None:
            schema = {"enum": list(allowed)}
        props[JSON_NAMES.get(a.name, a.name)] = schema
    required = ["type", "at"] + [
        JSON_NAMES.get(a.name, a.name)
        for a in fields
        if a.default is attrs.NOTHING and a.name not in ("id", "at")
    ]
    props["id"] = {"type": "string", "description": "idempotency key; defaults to <case>-e<n>"}
    return {
        "type": "object",
        "title": cls.type,
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a timeline scenario."""
    overrides: dict[str, Any] = {}
    for a in policy_fields():
        default = a.default
        schema: dict[str, Any]
        if isinstance(default, Duration):
            schema = {
                "type": "string",
                "pattern": r"^\d+\s*(h|hours?|d|days?|wd|working days?)$",
            }
        elif isinstance(default, bool):
            schema = {"type": "boolean"}
        elif isinstance(default, int):
            schema = {"type": "integer", "minimum": 0}
        elif isinstance(default, Decimal):
            schema = {"type": ["string", "number"], "pattern": r"^(0(\.\d+)?|1(\.0+)?)$"}
        elif isinstance(default, str):
            schema = {"type": "string"}
        else:
            schema = _MONEY
        overrides[a.name] = {**schema, "description": f"{a.metadata['doc']} ({a.metadata['rule']})"}
    overrides["holiday_shipping"] = _HOLIDAY_SHIPPING
    policy_object = {
        "type": "object",
        "properties": {
            "preset": {"enum": list(PRESETS)},
            "calendar": {
                "type": "object",
                "description": "the shop's calendar file (docs/calendar.md) and the fallback",
                "properties": {
                    "file": {"type": "string"},
                    "fallback": {"enum": [f.value for f in Fallback]},
                },
                "additionalProperties": False,
            },
            "overrides": {"type": "object", "properties": overrides, "additionalProperties": False},
            **overrides,
        },
        "additionalProperties": False,
    }
    order = {
        "type": "object",
        "properties": {
            "id": _ID,
            "paid": _MONEY,
            "paid_at": _INSTANT,
            "shipped_at": {"oneOf": [_INSTANT, {"type": "null"}]},
            "signed_at": {"oneOf": [_INSTANT, {"type": "null"}]},
            "finished_at": {"oneOf": [_INSTANT, {"type": "null"}]},
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "oid": _ID,
                        "paid": _MONEY,
                        "refunded": _MONEY,
                        "title": {"type": "string"},
                    },
                    "required": ["oid", "paid"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["id", "paid", "paid_at"],
        "additionalProperties": False,
    }
    case = {
        "type": "object",
        "properties": {
            "id": _ID,
            "kind": {"enum": [k.value for k in Kind]},
            "opened_at": _INSTANT,
            "amount": _MONEY,
            "reason": {"type": "string"},
            "description": {"type": "string"},
            "oid": _ID,
            "event_id": {"type": "string"},
            "order": order,
        },
        "required": ["id", "kind", "opened_at", "amount", "order"],
        "additionalProperties": False,
    }
    order_scenario_order = {
        **order,
        "description": "an order scenario's order: the case order's fields, the listing's "
        "promise and the buyer",
        "properties": {
            **order["properties"],  # type: ignore[dict-item]
            "promised_ship_hours": {"type": "integer", "minimum": 1},
            "promised_ship_days": {"type": "integer", "minimum": 1},
            "buyer": {"type": "string"},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "aftersales timeline scenario",
        "description": "a case scenario (case) or an order scenario (order), not both",
        "type": "object",
        "properties": {
            "policy": {"oneOf": [{"enum": list(PRESETS)}, policy_object]},
            "case": case,
            "order": order_scenario_order,
            "events": {
                "type": "array",
                "items": {
                    "oneOf": [
                        *(_event_schema(cls) for cls in EVENT_TYPES.values()),
                        *_ORDER_EVENT_SCHEMAS,
                    ]
                },
            },
            "other_parcels": {
                "type": "array",
                "description": "the shop's other parcels, to catch a reused tracking number",
                "items": {
                    "type": "object",
                    "properties": {
                        "order_id": _ID,
                        "carrier": {"type": "string"},
                        "tracking": _ID,
                        "shipped_at": _INSTANT,
                        "buyer": {"type": "string"},
                    },
                    "required": ["order_id", "carrier", "tracking", "shipped_at"],
                    "additionalProperties": False,
                },
            },
            "other_late_trades": {
                "type": "array",
                "description": "the same buyer's other late trades, combined where the policy "
                "says so (LATE-COMP-TMALL); needs order.buyer",
                "items": {
                    "type": "object",
                    "properties": {
                        "order_id": _ID,
                        "paid_at": _INSTANT,
                        "late_price": _MONEY,
                    },
                    "required": ["order_id", "paid_at", "late_price"],
                    "additionalProperties": False,
                },
            },
            "at": _INSTANT,
        },
        "oneOf": [
            {
                "required": ["case"],
                "not": {
                    "anyOf": [
                        {"required": ["order"]},
                        {"required": ["other_parcels"]},
                        {"required": ["other_late_trades"]},
                    ]
                },
            },
            {"required": ["order"], "not": {"required": ["case"]}},
        ],
        "additionalProperties": False,
    }


_HOLIDAY_SHIPPING: dict[str, Any] = {
    "type": "array",
    "description": (
        "platform-announced holiday shipping periods, the shop's declared data "
        "(docs/shipping.md): orders paid in [paid_from, paid_until) may ship by ship_by, "
        "or extra after their usual deadline"
    ),
    "items": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "source": {"type": "string", "minLength": 1},
            "paid_from": _INSTANT,
            "paid_until": _INSTANT,
            "ship_by": _INSTANT,
            "extra": {"type": "string", "pattern": r"^\d+\s*(h|hours?|d|days?|wd|working days?)$"},
        },
        "required": ["name", "source", "paid_from", "paid_until"],
        "oneOf": [{"required": ["ship_by"]}, {"required": ["extra"]}],
        "additionalProperties": False,
    },
}


def _order_event_schema(
    kind: str, doc: str, props: dict[str, Any], required: list[str]
) -> dict[str, Any]:
    return {
        "type": "object",
        "title": kind,
        "description": doc,
        "properties": {
            "type": {"const": kind},
            "id": {"type": "string"},
            "at": _INSTANT,
            **props,
        },
        "required": ["type", "at", *required],
        "additionalProperties": False,
    }


_ORDER_EVENT_SCHEMAS: tuple[dict[str, Any], ...] = (
    _order_event_schema(
        ParcelShipped.type,
        "order scenarios: the seller marked goods shipped; oids name the sub-orders (default all)",
        {
            "carrier": {"type": "string", "minLength": 1},
            "tracking": _ID,
            "oids": {"type": "array", "items": _ID},
        },
        ["carrier", "tracking"],
    ),
    _order_event_schema(
        TrackingScan.type,
        "order scenarios: one carrier scan",
        {
            "status": {"enum": [s.value for s in ScanStatus]},
            "place": {"type": "string"},
            "tracking": _ID,
        },
        ["status"],
    ),
    _order_event_schema(
        ParcelSigned.type,
        "order scenarios: the goods were signed for",
        {"tracking": _ID, "by": {"type": "string"}},
        [],
    ),
    _order_event_schema(
        ShopNotice.type,
        "order scenarios: a shop notice about shipping; never moves the deadline (SHIP-NO-EXTEND)",
        {"text": {"type": "string"}, "claimed_ship_by": _INSTANT},
        [],
    ),
)
