"""The Taobao Open Platform adapter: refunds, trades and rate records in, cases out.

Reads what ``taobao.refunds.receive.get``, ``taobao.refund.get``,
``tmall.dispute.receive.get``, ``taobao.trades.sold.get`` and
``taobao.traderates.get`` return (the whole response envelope, or a bare list or
record) and turns it into the library's values: refunds and Tmall disputes
(refunds, returns, exchanges) into cases rebuilt by the engine, trades into
:class:`TradeRecord` (with an :class:`~aftersales.Order`), rate records into
:class:`~aftersales.reviews.Review`. Every record ends up imported or reported
as a :class:`Problem`; nothing is dropped. The platform's own deadlines are
compared with the library's and differences reported (PLATFORM-TIMEOUT).

Everything here is pure except :func:`load_exports`, which reads files.
See ``docs/adapters.md`` for the field mapping.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from ..core._case import Order
from ..core._errors import InvalidInput
from ..core._policy import Policy, preset
from ._taobao_cases import Disagreement, ImportedCase, case_from_refund, compare_deadlines
from ._taobao_fields import PLATFORM_TZ, FieldError
from ._taobao_records import (
    CS_STATUS,
    DISPUTE_TYPES,
    EXCHANGE_REFUND_STATUSES,
    PayloadError,
    PlatformTimeout,
    RefundRecord,
    TradeLine,
    TradeRecord,
    is_exchange_refund,
    parse_refund,
    parse_trade,
    refund_status,
    unwrap,
)
from ._tmall_cases import case_from_dispute
from ._tmall_disputes import (
    DISPUTE_STATUS,
    EXCHANGE,
    DisputeRecord,
    is_dispute,
    parse_dispute,
    unwrap_disputes,
)

if TYPE_CHECKING:  # the reviews package is read when a rate record is: ingest never needs it
    from ..reviews._followup import Review

__all__ = [
    "CS_STATUS",
    "DISPUTE_STATUS",
    "DISPUTE_TYPES",
    "EXCHANGE_REFUND_STATUSES",
    "Disagreement",
    "DisputeRecord",
    "FieldError",
    "ImportResult",
    "ImportedCase",
    "PayloadError",
    "PlatformTimeout",
    "Problem",
    "RefundRecord",
    "TradeLine",
    "TradeRecord",
    "case_from_dispute",
    "case_from_refund",
    "compare_deadlines",
    "import_exports",
    "import_records",
    "import_refund_page",
    "load_exports",
    "parse_dispute",
    "parse_rate",
    "parse_refund",
    "parse_refund_record",
    "parse_trade",
]


@attrs.frozen(kw_only=True)
class Problem:
    """A record that was not imported, and why: which field, what was wrong, what is allowed."""

    kind: str  # refund, dispute, trade, rate; "export" for a file, "unknown" for a stray record
    record_id: str | None
    field: str
    problem: str
    allowed: str
    source: str = ""  # file and position, e.g. refunds.json[3]

    def __str__(self) -> str:
        what = self.kind if self.record_id is None else f"{self.kind} {self.record_id}"
        where = f" ({self.source})" if self.source else ""
        return f"{what}{where}: {self.field}: {self.problem}; allowed: {self.allowed}"


@attrs.frozen(kw_only=True)
class ImportResult:
    """What an import produced. ``imported + len(problems) == records_in`` always."""

    cases: tuple[ImportedCase, ...] = ()
    trades: tuple[TradeRecord, ...] = ()
    reviews: tuple[Review, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: The platform's deadlines that differ from the library's (the cases are imported).
    disagreements: tuple[Disagreement, ...] = ()
    records_in: int = 0

    def __attrs_post_init__(self) -> None:
        if self.imported + len(self.problems) != self.records_in:
            raise AssertionError(  # a bug in the adapter: a record went missing
                f"import accounting: {self.imported} imported + {len(self.problems)} problems "
                f"!= {self.records_in} records in"
            )

    @property
    def imported(self) -> int:
        return len(self.cases) + len(self.trades) + len(self.reviews)

    @property
    def orders(self) -> tuple[Order, ...]:
        """The library's orders of the paid trades."""
        return tuple(trade.order for trade in self.trades if trade.order is not None)


@attrs.frozen
class _Entry:
    kind: str | None
    record: object
    source: str


def _raw_id(record: object, *fields: str) -> str | None:
    if not isinstance(record, Mapping):
        return None
    for field in fields:
        value = record.get(field)
        if isinstance(value, str) and value:
            return value
        if value is not None and not isinstance(value, (Mapping, list)):
            return repr(value)  # shown as received: a float ID is part of the problem
    return None


_ID_FIELDS = {
    "refund": ("refund_id",),
    "dispute": ("refund_id",),
    "trade": ("tid",),
    "rate": ("oid", "tid"),
}


def _problem(entry: _Entry, error: FieldError) -> Problem:
    kind = entry.kind or "unknown"
    return Problem(
        kind=kind,
        record_id=_raw_id(entry.record, *_ID_FIELDS.get(kind, ("refund_id", "tid", "oid"))),
        field=error.field,
        problem=error.problem,
        allowed=error.allowed,
        source=entry.source,
    )


_REVIEW_FIELD = re.compile(r"review\.(\w+)")
_REVIEW_MISSING = re.compile(r"missing field\(s\) ([\w, ]+)")


def parse_rate(record: object) -> Review:
    """A rate record (``trade_rate``) as a :class:`~aftersales.reviews.Review`;
    :class:`FieldError` names the field."""
    from ..reviews._followup import FollowUpNotNeeded, review_from_dict

    try:
        return review_from_dict(record, tz=PLATFORM_TZ)
    except FollowUpNotNeeded:
        role = record.get("role") if isinstance(record, Mapping) else None
        raise FieldError(
            "role",
            f"{role!r}: a rating the seller gave, not the buyer's rating of the shop",
            "buyer",
        ) from None
    except InvalidInput as exc:
        text = str(exc)
        missing = _REVIEW_MISSING.search(text)
        named = _REVIEW_FIELD.search(text)
        if missing is not None:
            raise FieldError(missing[1], "missing", "the field is required") from None
        field = named[1] if named is not None else "(record)"
        text = re.sub(r"^review\.\w+:? ", "", text)
        allowed = {
            "result": "good, neutral or bad",
            "item_price": 'yuan as text such as "59.90"',
            "created": "'yyyy-MM-dd HH:mm:ss' (Beijing time) or ISO 8601 with an offset",
            "tid": "the numeric ID as a string",
            "oid": "the numeric ID as a string",
        }.get(field, "see the rate record's fields in docs/adapters.md")
        raise FieldError(field, text, allowed) from None


#: A refund-list status of an exchange -> the exchange status of Tmall's dispute list
#: (``_tmall_disputes``) that is the same stage, so one exchange path reads both.
_EXCHANGE_NUMBER: Mapping[str, int] = {
    "WAIT_SELLER_AGREE": 1,
    "WAIT_BUYER_RETURN_GOODS": 2,
    "WAIT_SELLER_CONFIRM_GOODS": 3,
    "CLOSED": 4,
    "SUCCESS": 5,
    "SELLER_REFUSE_BUYER": 6,
    "WAIT_SELLER_CONSIGN_GOODS": 12,
    "WAIT_BUYER_CONFIRM_EXCHANGE_SELLER_SEND_GOODS": 13,
    "EXCHANGE_TRANSFORM_TO_REFUND": 14,
}


def parse_refund_record(record: object) -> RefundRecord | DisputeRecord:
    """A record of ``taobao.refunds.receive.get`` / ``taobao.refund.get``: a refund, or an
    exchange (``dispute_type`` TMALL_EXCHANGE or TAOBAO_EXCHANGE, or one of the statuses
    only an exchange has), read as the exchange record it is, so it runs the exchange
    workflow. :class:`FieldError` names the field."""
    if not isinstance(record, Mapping) or not is_exchange_refund(record):
        return parse_refund(record)
    status, _ = refund_status(record)
    shaped = {k: v for k, v in record.items() if k not in ("company_name", "sid", "status")}
    shaped["dispute_request"] = EXCHANGE
    shaped["status"] = _EXCHANGE_NUMBER[status]
    # the refund's return shipment is the buyer's shipment of the goods to exchange
    for ours, theirs in (("company_name", "buyer_logistic_name"), ("sid", "buyer_logistic_no")):
        if record.get(ours) is not None:
            shaped[theirs] = record[ours]
    remind = record.get("refund_remind_timeout")
    if isinstance(remind, Mapping) and remind.get("exist_timeout") is not False:
        shaped.setdefault("time_out", remind.get("timeout"))
    return parse_dispute(shaped)


_PARSERS: Mapping[str, Callable[[object], TradeRecord | RefundRecord | DisputeRecord | Review]] = {
    "trade": parse_trade,
    "refund": parse_refund_record,
    "dispute": parse_dispute,
    "rate": parse_rate,
}


def _parse(entry: _Entry) -> TradeRecord | RefundRecord | DisputeRecord | Review:
    parser = _PARSERS.get(entry.kind or "")
    if parser is None:
        raise FieldError(
            "(record)",
            "not a refund, dispute, trade or rate record",
            "records with refund_id (and dispute_request or biz_order_id for a Tmall "
            "dispute), tid and orders/pay_time, or result",
        )
    return parser(entry.record)


def _case(
    record: RefundRecord | DisputeRecord, policy: Policy, trade: TradeRecord | None
) -> ImportedCase:
    if isinstance(record, DisputeRecord):
        return case_from_dispute(record, policy, trade=trade)
    return case_from_refund(record, policy, trade=trade)


def _disagree(one: RefundRecord | DisputeRecord, other: RefundRecord | DisputeRecord) -> bool:
    """Two snapshots disagree when a field both of them fill differs (one API's listing
    may leave out fields another's has: that is not a disagreement)."""
    if type(one) is not type(other):
        return False
    empty = (None, "", ())
    pairs = zip(attrs.astuple(one, recurse=False), attrs.astuple(other, recurse=False), strict=True)
    return any(a != b for a, b in pairs if a not in empty and b not in empty)


def _import(
    entries: list[_Entry],
    policy: Policy,
    tolerance: _dt.timedelta,
    problems: list[Problem],
    known: Iterable[TradeRecord] = (),
) -> ImportResult:
    records_in = len(entries) + len(problems)  # problems so far: unreadable exports
    # trades of an earlier import: refunds are matched with them; not counted or returned
    trades: dict[str, tuple[TradeRecord, _Entry]] = {
        t.tid: (t, _Entry("trade", None, "an earlier import")) for t in known
    }
    given = len(trades)
    # One refund may be listed by both refund APIs: refund_id is one namespace.
    refunds: dict[str, tuple[RefundRecord | DisputeRecord, _Entry]] = {}
    reviews: list[Review] = []

    def duplicate(entry: _Entry, key: str, kept: str) -> None:
        problems.append(
            _problem(
                entry,
                FieldError(
                    key, f"duplicate; the record {kept} is imported", f"one record per {key}"
                ),
            )
        )

    conflicted: set[str] = set()

    def conflict(entry: _Entry, modified: object) -> None:
        problems.append(
            _problem(
                entry,
                FieldError(
                    "modified",
                    f"conflict: another snapshot of this refund with the same modified "
                    f"({modified}) says something else; neither is imported",
                    "one content per refund_id and modified (export the refund again)",
                ),
            )
        )

    def keep_refund(parsed: RefundRecord | DisputeRecord, entry: _Entry) -> None:
        earlier = refunds.get(parsed.refund_id)
        if parsed.refund_id in conflicted:
            conflict(entry, parsed.modified)
        elif earlier is None:
            refunds[parsed.refund_id] = (parsed, entry)
        elif earlier[0].modified == parsed.modified and _disagree(earlier[0], parsed):
            # two snapshots of one moment that disagree: neither can be trusted
            del refunds[parsed.refund_id]
            conflicted.add(parsed.refund_id)
            conflict(earlier[1], parsed.modified)
            conflict(entry, parsed.modified)
        elif earlier[0].modified <= parsed.modified:  # the newer snapshot wins
            duplicate(earlier[1], "refund_id", f"modified {parsed.modified}")
            refunds[parsed.refund_id] = (parsed, entry)
        else:
            duplicate(entry, "refund_id", f"modified {earlier[0].modified}")

    for entry in entries:
        try:
            parsed = _parse(entry)
        except FieldError as exc:
            problems.append(_problem(entry, exc))
            continue
        if isinstance(parsed, TradeRecord):
            if parsed.tid in trades:
                duplicate(entry, "tid", f"at {trades[parsed.tid][1].source or 'first'}")
                continue
            trades[parsed.tid] = (parsed, entry)
        elif isinstance(parsed, RefundRecord | DisputeRecord):
            keep_refund(parsed, entry)
        else:
            reviews.append(parsed)
    cases: list[ImportedCase] = []
    disagreements: list[Disagreement] = []
    for refund, entry in refunds.values():
        found = trades.get(refund.tid)
        try:
            imported = _case(refund, policy, None if found is None else found[0])
        except FieldError as exc:
            problems.append(_problem(entry, exc))
            continue
        cases.append(imported)
        disagreements.extend(compare_deadlines(imported, tolerance=tolerance))
    return ImportResult(
        cases=tuple(cases),
        trades=tuple(trade for trade, _ in itertools.islice(trades.values(), given, None)),
        reviews=tuple(reviews),
        problems=tuple(problems),
        disagreements=tuple(disagreements),
        records_in=records_in,
    )


def import_exports(
    exports: Iterable[tuple[str, object]],
    *,
    policy: Policy | None = None,
    tolerance: _dt.timedelta = _dt.timedelta(0),
) -> ImportResult:
    """Import parsed API responses, each given with a name for the report.

    Each export is an API response envelope, a bare list or a bare record.
    Refunds and disputes are matched with trades of the same ``tid`` from any export.
    Deadlines differing by more than ``tolerance`` are reported.
    """
    entries: list[_Entry] = []
    problems: list[Problem] = []
    for name, payload in exports:
        try:
            if isinstance(payload, PayloadError):  # load_exports could not read the file
                raise payload
            disputes = unwrap_disputes(payload)
            if disputes is not None:
                found: list[tuple[str | None, object]] = [("dispute", d) for d in disputes]
            else:  # a bare dispute record is told by the fields only it has
                found = [
                    ("dispute" if kind != "trade" and is_dispute(record) else kind, record)
                    for kind, record in unwrap(payload)
                ]
        except PayloadError as exc:
            problems.append(
                Problem(
                    kind="export",
                    record_id=None,
                    field="(export)",
                    problem=str(exc),
                    allowed="a Taobao Open Platform response, or a list or record of one",
                    source=name,
                )
            )
            continue
        single = len(found) == 1
        entries.extend(
            _Entry(kind, record, name if single else f"{name}[{i}]")
            for i, (kind, record) in enumerate(found)
        )
    return _import(entries, policy or preset("taobao"), tolerance, problems)


def import_refund_page(
    records: Iterable[tuple[str, object]],
    *,
    trades: Iterable[TradeRecord] = (),
    policy: Policy | None = None,
    tolerance: _dt.timedelta = _dt.timedelta(0),
) -> ImportResult:
    """Import a page of the records of a ``taobao.refunds.receive.get`` response read a
    record at a time, each named (e.g. ``refunds.json[41]``), as :func:`import_exports`
    imports them from the whole response. Refunds are matched with ``trades`` (from
    an earlier import; not counted or returned again). A refund listed twice is
    de-duplicated within the page only."""
    entries = [
        _Entry("dispute" if is_dispute(record) else "refund", record, name)
        for name, record in records
    ]
    return _import(entries, policy or preset("taobao"), tolerance, [], known=trades)


def import_records(
    *,
    refunds: Iterable[object] = (),
    trades: Iterable[object] = (),
    rates: Iterable[object] = (),
    disputes: Iterable[object] = (),
    policy: Policy | None = None,
    tolerance: _dt.timedelta = _dt.timedelta(0),
) -> ImportResult:
    """Import records already taken out of their envelopes, by kind
    (``disputes``: Tmall's ``tmall.dispute.receive.get`` records)."""
    kinds = (("trade", trades), ("refund", refunds), ("dispute", disputes), ("rate", rates))
    entries = [
        _Entry(kind, record, f"{kind}s[{i}]")
        for kind, records in kinds
        for i, record in enumerate(records)
    ]
    return _import(entries, policy or preset("taobao"), tolerance, [])


def load_exports(
    path: str | Path,
    *,
    policy: Policy | None = None,
    tolerance: _dt.timedelta = _dt.timedelta(0),
) -> ImportResult:
    """Read a ``.json`` export, or every ``.json`` file in a folder, and import them.

    The one function here that does I/O. A file that is not valid JSON is
    reported as a problem of kind ``export``; the other files still import.
    """
    from ._taobao_io import read_exports

    return import_exports(read_exports(Path(path)), policy=policy, tolerance=tolerance)
