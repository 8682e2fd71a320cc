"""Sync: the platform's refunds since the last sync, into the casebook.

``taobao.refunds.receive.get`` (and ``tmall.dispute.receive.get`` for a Tmall shop) is
read by ``modified`` windows, oldest first. A window is read in one call when it can
be: a window whose first page says ``has_next`` is halved and read again, so no
record can be skipped by pages shifting under a record modified meanwhile (a record
modified during the read moves to a later ``modified``, into a later window or the
next sync). Only a one-second window with more than a page of records is paged, and
then read again until a pass finds nothing new.

Window bounds are inclusive (``start_modified`` <= modified <= ``end_modified``):
consecutive windows share their boundary second, and a record listed twice in one
sync (same ``refund_id`` and ``modified``) is counted once as a duplicate. A resumed
sync starts ``margin`` before the stored cursor, for records the platform shows late.

For every listed refund the list lacks what the engine needs (``cs_status``,
``refund_remind_timeout``, ``refund_version``), so the refund is read whole with
``taobao.refund.get``. The records then go through the adapter and the casebook's
ingest like any export (problems reported per record, the platform's deadlines
compared). The cursor (``cursor:top:<method>`` in the casebook's meta table: a
time, nothing secret) moves only after a window's records are stored: a sync killed
at any point and run again repeats at most a window, and the casebook counts a
repeated record as a duplicate.

:func:`ingest_refunds` is the same path for refunds named one by one: a push message
(TMC ``taobao_refund_*``, which carries no status) names a refund, the client reads
it, ingest applies it.
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..adapters._taobao_records import PayloadError
from ..adapters._tmall_disputes import ENVELOPE as DISPUTE_ENVELOPE
from ..adapters._tmall_disputes import unwrap_disputes
from ..adapters.taobao import Disagreement, import_refund_page
from ..casebook import Casebook, IngestReport, Outcome
from ._client import SHANGHAI, TopClient, format_time
from ._errors import CallerError, PlatformError, ProtocolError

__all__ = [
    "DETAIL_FIELDS",
    "DISPUTE_FIELDS",
    "LIST_FIELDS",
    "SyncReport",
    "SyncUsage",
    "SyncWindow",
    "cursor_name",
    "fetch_refund",
    "ingest_record",
    "ingest_refunds",
    "settle_actions",
    "sync",
]

REFUNDS = "taobao.refunds.receive.get"
REFUND = "taobao.refund.get"
DISPUTES = "tmall.dispute.receive.get"

#: What the adapter reads from a listed refund (``taobao.refunds.receive.get`` supports
#: these; no buyer or seller nicknames: the casebook does not keep them).
LIST_FIELDS = (
    "refund_id",
    "tid",
    "oid",
    "title",
    "total_fee",
    "payment",
    "refund_fee",
    "status",
    "good_status",
    "has_good_return",
    "created",
    "modified",
    "order_status",
    "refund_phase",
    "dispute_type",
    "company_name",
    "sid",
    "reason",
    "desc",
)
#: Only ``taobao.refund.get`` has these, and the engine needs them.
DETAIL_ONLY = ("cs_status", "refund_remind_timeout", "refund_version")
#: What ``taobao.refund.get`` is asked for: the list's fields and the detail's own.
DETAIL_FIELDS = (
    *LIST_FIELDS,
    *DETAIL_ONLY,
    "good_return_time",
    "advance_status",
    "num",
    "shipping_type",
)
#: What the adapter reads from a Tmall dispute record.
DISPUTE_FIELDS = (
    "refund_id",
    "biz_order_id",
    "oid",
    "dispute_request",
    "status",
    "refund_fee",
    "created",
    "modified",
    "good_status",
    "has_good_return",
    "refund_phase",
    "order_status",
    "good_return_time",
    "buyer_logistic_name",
    "buyer_logistic_no",
    "seller_logistic_name",
    "seller_logistic_no",
    "reason",
    "desc",
    "title",
    "num",
    "refund_version",
    "time_out",
)
PAGE_SIZE = 100
_SECOND = _dt.timedelta(seconds=1)
#: Passes over a one-second window paged because it holds more than a page.
_PASSES = 4


def cursor_name(method: str) -> str:
    return f"top:{method}"


@attrs.frozen
class SyncWindow:
    """Progress: one window read and stored."""

    method: str
    start: _dt.datetime
    end: _dt.datetime
    pages: int
    records: int


@attrs.define
class SyncReport:
    """What a sync did: calls, windows, records (new, duplicate, rejected), time."""

    start: _dt.datetime | None = None
    end: _dt.datetime | None = None
    windows: int = 0
    pages: int = 0
    listed: int = 0
    details: int = 0
    repeated: int = 0  # listed again in this sync (window boundaries, overlap)
    ingest: IngestReport = attrs.field(factory=IngestReport)
    disagreements: list[Disagreement] = attrs.field(factory=list)
    #: Seller actions whose outcome was unknown, settled from the refunds' status.
    settled: list[dict[str, object]] = attrs.field(factory=list)
    seconds: float = 0.0

    @property
    def new(self) -> int:
        return self.ingest.new

    @property
    def duplicate(self) -> int:
        return self.ingest.duplicate + self.repeated

    @property
    def rejected(self) -> int:
        return self.ingest.rejected

    @property
    def rejections(self) -> tuple[Outcome, ...]:
        return self.ingest.rejections


def _more(page: object, page_no: int) -> bool:
    """Whether a next page follows: ``has_next`` (asked for with ``use_has_next``), or,
    from a gateway that answers with ``total_results`` only, the count past this page."""
    if not isinstance(page, Mapping):
        return False
    if "has_next" in page:
        return page["has_next"] in (True, "true")
    total = str(page.get("total_results", ""))
    return total.isdigit() and page_no * PAGE_SIZE < int(total)


def _parse_list(method: str, answer: Mapping[str, Any], page_no: int) -> tuple[list[Any], bool]:
    """The records of one page and whether there is a next page; an unknown list key is
    a :class:`ProtocolError`, never zero records."""
    try:
        if method == DISPUTES:
            found = unwrap_disputes({DISPUTE_ENVELOPE: answer})
            return list(found or []), _more(answer.get("result"), page_no)
        known = {"refunds", "total_results", "has_next", "request_id"}
        unknown = sorted(str(k) for k in answer if k not in known)
        if unknown:
            raise PayloadError(f"unknown key(s) {', '.join(unknown)} beside the refunds")
        refunds = answer.get("refunds")
        if refunds is None:
            records: list[Any] = []
        elif isinstance(refunds, Mapping) and set(refunds) <= {"refund"}:
            value = refunds.get("refund", [])
            records = value if isinstance(value, list) else [value]
        else:
            shown = ", ".join(sorted(refunds)) if isinstance(refunds, Mapping) else type(refunds)
            raise PayloadError(f"refunds holds {shown}, not a 'refund' list")
    except PayloadError as exc:
        raise ProtocolError(f"{method}: {exc}") from None
    return records, _more(answer, page_no)


class _Sync:
    def __init__(
        self,
        book: Casebook,
        client: TopClient,
        report: SyncReport,
        progress: Callable[[SyncWindow, SyncReport], None] | None,
    ) -> None:
        self.book = book
        self.client = client
        self.report = report
        self.progress = progress
        self.seen: dict[str, str] = {}  # refund_id -> modified, listed in this sync

    def page(
        self, method: str, start: _dt.datetime, end: _dt.datetime, page_no: int
    ) -> tuple[list[Any], bool]:
        params: dict[str, object] = {
            "fields": DISPUTE_FIELDS if method == DISPUTES else LIST_FIELDS,
            "start_modified": start,
            "end_modified": end,
            "page_no": page_no,
            "page_size": PAGE_SIZE,
            "use_has_next": True,
        }
        answer = self.client.call(method, params)
        self.report.pages += 1
        return _parse_list(method, answer, page_no)

    def crowded(self, method: str, start: _dt.datetime, end: _dt.datetime) -> list[Any]:
        """A one-second window holding more than a page: paged, and read again until a
        whole pass finds no record it had not seen (pages may shift while it is read)."""
        found: dict[tuple[str, str], Any] = {}
        for _ in range(_PASSES):
            before = len(found)
            page_no, more = 1, True
            while more:
                records, more = self.page(method, start, end, page_no)
                page_no += 1
                for r in records:
                    key = (str(r.get("refund_id")), str(r.get("modified")))
                    found.setdefault(key, r)
            if len(found) == before:
                break
        return list(found.values())

    def window(self, method: str, start: _dt.datetime, end: _dt.datetime) -> list[Any] | None:
        """The window's records, or None when it holds more than a page (halve it)."""
        records, more = self.page(method, start, end, 1)
        if not more:
            return records
        if end - start > _SECOND:
            return None
        return self.crowded(method, start, end)

    def store(self, method: str, records: Sequence[Any], where: str) -> None:
        fresh: list[tuple[str, Any]] = []
        for i, record in enumerate(records):
            key = str(record.get("refund_id")) if isinstance(record, Mapping) else ""
            modified = str(record.get("modified")) if isinstance(record, Mapping) else ""
            if key and self.seen.get(key) == modified:
                self.report.repeated += 1
                continue
            if key:
                self.seen[key] = modified
            fresh.append((f"{where}[{i}]", record))
        if method == REFUNDS:
            fresh, problems = _details(self.client, fresh, self.report)
        else:
            problems = []
        result = import_refund_page(fresh, policy=self.book.policy)
        self.report.ingest += self.book.ingest_platform(result) + IngestReport(tuple(problems))
        self.report.disagreements.extend(result.disagreements)

    def run(
        self,
        method: str,
        start: _dt.datetime,
        end: _dt.datetime,
        size: _dt.timedelta,
    ) -> None:
        widest = size
        at = start
        while at < end:
            until = min(at + size, end)
            records = self.window(method, at, until)
            if records is None:
                size = max(_SECOND, (until - at) / 2)
                size = _dt.timedelta(seconds=int(size.total_seconds()))
                continue
            where = f"{method} {format_time(at)}..{format_time(until)}"
            self.store(method, records, where)
            self.book.write_cursor(cursor_name(method), format_time(until))
            self.report.windows += 1
            self.report.listed += len(records)
            if self.progress is not None:
                self.progress(
                    SyncWindow(method, at, until, self.report.pages, len(records)), self.report
                )
            at = until  # inclusive bounds: the boundary second is read twice
            if len(records) < PAGE_SIZE // 2:
                size = min(widest, size * 2)


def _details(
    client: TopClient, records: Sequence[tuple[str, Any]], report: SyncReport
) -> tuple[list[tuple[str, Any]], list[Outcome]]:
    """Each listed refund read whole with ``taobao.refund.get`` when the list lacks what
    the engine needs; a refund the platform refuses to show is that record's problem."""
    out: list[tuple[str, Any]] = []
    problems: list[Outcome] = []
    for name, record in records:
        if not isinstance(record, Mapping) or all(f in record for f in DETAIL_ONLY):
            out.append((name, record))
            continue
        refund_id = record.get("refund_id")
        try:
            detail = fetch_refund(client, str(refund_id))
        except CallerError as exc:
            if not exc.sub_code.startswith("isv."):
                raise  # the session, the signature, a permission: every call would fail
            problems.append(Outcome(name, str(refund_id), "rejected", f"{REFUND}: {exc}"))
            continue
        report.details += 1
        out.append((name, {**record, **detail}))
    return out, problems


def fetch_refund(client: TopClient, refund_id: str) -> Mapping[str, Any]:
    """One refund, whole (``taobao.refund.get``)."""
    answer = client.call(REFUND, {"refund_id": refund_id, "fields": DETAIL_FIELDS})
    refund = answer.get("refund")
    if not isinstance(refund, Mapping):
        shown = ", ".join(sorted(str(k) for k in answer)) or "nothing"
        raise ProtocolError(f"{REFUND}: expected refund_get_response.refund, got {shown}")
    return refund


def ingest_refunds(book: Casebook, client: TopClient, refund_ids: Iterable[str]) -> IngestReport:
    """Refunds named one by one (a push message's ``refund_id``): each read whole and
    ingested, as a sync ingests what it lists."""
    report = SyncReport()
    named = [(f"{REFUND} {rid}", {"refund_id": rid}) for rid in refund_ids]
    fetched, problems = _details(client, named, report)
    result = import_refund_page(fetched, policy=book.policy)
    return book.ingest_platform(result) + IngestReport(tuple(problems))


class SyncUsage(PlatformError):
    """The sync cannot start as asked (no cursor and no ``since``, a window backwards)."""


#: A resumed sync starts this long before the stored cursor: records the platform
#: shows late (a write landing after its ``modified``) are read again, as duplicates.
SYNC_MARGIN = _dt.timedelta(minutes=10)


def _start(
    book: Casebook, method: str, since: _dt.datetime | None, margin: _dt.timedelta
) -> _dt.datetime:
    if since is not None:
        return since
    stored = book.read_cursor(cursor_name(method))
    if stored is None:
        raise SyncUsage(
            f"this casebook has never synced {method}: give --since for the first sync "
            "(later ones resume where the last stopped)"
        )
    at = _dt.datetime.strptime(stored, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    return at - margin


def sync(
    book: Casebook,
    client: TopClient,
    *,
    since: _dt.datetime | None = None,
    until: _dt.datetime | None = None,
    tmall: bool = False,
    margin: _dt.timedelta = SYNC_MARGIN,
    window: _dt.timedelta = _dt.timedelta(days=1),
    now: Callable[[], _dt.datetime] | None = None,
    progress: Callable[[SyncWindow, SyncReport], None] | None = None,
) -> SyncReport:
    """Pull what changed since the last sync (or ``since``) up to ``until`` (default now).

    Raises :class:`SyncUsage` when there is no cursor and no ``since``; the platform
    client's errors (:class:`~aftersales.platform.PlatformError`) when a call fails for
    good: the windows stored before it stay stored, and the cursor with them.
    """
    started = time.monotonic()
    methods = (REFUNDS, DISPUTES) if tmall else (REFUNDS,)
    end = until or (now() if now is not None else _dt.datetime.now(SHANGHAI))  # noqa: TID251
    end = end.replace(microsecond=0)
    starts = {m: _start(book, m, since, margin).replace(microsecond=0) for m in methods}
    report = SyncReport(start=min(starts.values()), end=end)
    if report.start is not None and report.start > end:
        raise SyncUsage(f"--since {report.start.isoformat()} is after --until {end.isoformat()}")
    job = _Sync(book, client, report, progress)
    try:
        for method in methods:
            job.run(method, starts[method], end, window)
        report.settled = settle_actions(book, client)
    finally:
        report.seconds = time.monotonic() - started
    return report


def ingest_record(book: Casebook, record: Mapping[str, Any]) -> str:
    """One refund read whole (``taobao.refund.get``), ingested; what became of it."""
    name = f"{REFUND} {record.get('refund_id')}"
    report = book.ingest_platform(import_refund_page([(name, record)], policy=book.policy))
    for outcome in report.rejections:
        return f"the casebook rejected the platform's record: {outcome.reason}"
    return "the case has the platform's record" if report.new else "the case was up to date"


#: The refund statuses that show an agreement (refund-only, or a return agreed).
AGREED_STATUSES = frozenset({"SUCCESS", "WAIT_BUYER_RETURN_GOODS", "WAIT_SELLER_CONFIRM_GOODS"})
#: The refund status that shows a refusal.
REFUSED_STATUSES = frozenset({"SELLER_REFUSE_BUYER"})
_SHOWN_BY = {
    "agree": AGREED_STATUSES,
    "agree_return": AGREED_STATUSES,
    "refuse": REFUSED_STATUSES,
}


def settle_actions(book: Casebook, client: TopClient) -> list[dict[str, object]]:
    """Seller actions whose answer was lost (``unknown``, or ``sending`` when the process
    died in the call), settled from the refund's status on the platform, never by
    sending again: the status the action leads to means ``done``; the refund exactly
    as it was before the call (same status, same ``modified``) means ``not_done``;
    anything else, and a message (a refund's status does not show one), stays
    ``unknown`` for a person. Each settled record is returned."""
    settled: list[dict[str, object]] = []
    for entry in book.actions("sending", "unknown"):
        shown_by = _SHOWN_BY.get(str(entry.get("kind")))
        if shown_by is None:
            continue
        refund_id = str(entry["refund_id"])
        record = fetch_refund(client, refund_id)
        status = str(record.get("status"))
        before = entry.get("before")
        was = before if isinstance(before, Mapping) else {}
        if status in shown_by:
            outcome = "done"
            detail = f"settled by sync: the refund is {status}; {ingest_record(book, record)}"
        elif status == was.get("status") and str(record.get("modified")) == str(
            was.get("modified")
        ):
            outcome = "not_done"
            detail = f"settled by sync: the refund is unchanged ({status}); nothing happened"
        else:
            entry["detail"] = f"still unknown: the refund is now {status}; a person must decide"
            entry["status"] = "unknown"
            book.write_action(str(entry["action_id"]), entry)
            continue
        entry.update(status=outcome, detail=detail, settled_by="sync")
        book.write_action(str(entry["action_id"]), entry)
        settled.append(entry)
    return settled
