"""Ingestion: platform records and the library's own event JSON, into the casebook.

A platform refund record is a snapshot; the Taobao adapter turns it into the
shortest event log that reaches its status. The casebook stores the events of
that log it does not have yet, through the engine. When the stored history
disagrees (a different event under the same ID, or the record's status cannot
be reached from the stored case) the record is reported as rejected, with the
reason, and nothing is applied. Ingesting the same records again changes
nothing: every record comes back as a duplicate.

Writes are optimistic: a record whose case another writer changed meanwhile is
re-read and tried again.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import operator
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import attrs

from ..adapters._stream import BrokenExport, refund_pages, streamed_prefix
from ..adapters.taobao import (
    ImportedCase,
    ImportResult,
    TradeRecord,
    import_exports,
    import_refund_page,
)
from ..core._case import Case, RefundRequested
from ..core._document import DocumentError, json_document
from ..core._effects import Effect
from ..core._engine import advance
from ..core._errors import AfterSalesError, InvalidInput
from ..core._events import Event
from ..core._serialize import case_from_json, event_from_dict
from ._errors import ConcurrencyConflict
from ._parallel import Turn, in_turns
from ._paused import collector_paused
from ._store import Change, PageConflict, Store, Stored, _apply, commit_many, encode

__all__ = ["IngestReport", "Outcome", "ingest_events", "ingest_files", "ingest_platform"]

Result = Literal["new", "duplicate", "rejected", "skipped"]
_RETRIES = 50


@attrs.frozen
class Outcome:
    """What became of one record: an event, a refund record, or a file that could not be read."""

    source: str
    case_id: str | None
    result: Result
    reason: str = ""
    events: int = 0  # events this record added to the store

    def __str__(self) -> str:
        case = "" if self.case_id is None else f" case {self.case_id}"
        why = f": {self.reason}" if self.reason else ""
        return f"{self.source}{case}: {self.result}{why}"


@attrs.frozen
class IngestReport:
    """Per record: new, duplicate or rejected (with the reason)."""

    outcomes: tuple[Outcome, ...] = ()
    #: Records the casebook does not keep (trades, rate records); trades still date refunds.
    ignored: int = 0

    def _count(self, result: Result) -> int:
        return sum(1 for o in self.outcomes if o.result == result)

    @property
    def new(self) -> int:
        return self._count("new")

    @property
    def duplicate(self) -> int:
        return self._count("duplicate")

    @property
    def rejected(self) -> int:
        return self._count("rejected")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def rejections(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.result == "rejected")

    @property
    def skips(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.result == "skipped")

    def __add__(self, other: IngestReport) -> IngestReport:
        return IngestReport(self.outcomes + other.outcomes, self.ignored + other.ignored)

    def __str__(self) -> str:
        text = f"{self.new} new, {self.duplicate} duplicate, {self.rejected} rejected"
        if self.skipped:
            text += f", {self.skipped} skipped"
        if self.ignored:
            text += f" ({self.ignored} trade or rate records not kept)"
        return text


# -- platform records -----------------------------------------------------------------------


#: Problem kinds whose record ID is a case's ID (a Taobao refund, a Tmall dispute).
_CASE_RECORDS = frozenset({"refund", "dispute"})


def ingest_platform(book: Store, result: ImportResult) -> IngestReport:
    """Store what an adapter import found: each refund record's events the store lacks."""
    outcomes = _refunds(book, result.cases, trusted=False)
    outcomes.extend(_problems(result))
    return IngestReport(tuple(outcomes), ignored=len(result.trades) + len(result.reviews))


def _problems(result: ImportResult) -> list[Outcome]:
    return [
        Outcome(
            p.source or p.kind,
            p.record_id if p.kind in _CASE_RECORDS else None,
            "rejected",
            f"{p.field}: {p.problem}; allowed: {p.allowed}",
        )
        for p in result.problems
    ]


#: Records per page: read together, computed, then written in one transaction; the
#: unit of work of ingest's processes too (at 10k records, pages of 2,000 left one
#: process idle while the other worked the last page: 1.9-2.2 s against 1.7 s).
PAGE = 500


def _refunds(book: Store, imported: Sequence[ImportedCase], *, trusted: bool) -> list[Outcome]:
    """Each record's outcome, a page of records per read and per write transaction.

    ``trusted``: the import ran under the book's policy, so a new case the adapter
    built (with the effects of building it) is stored as built, not run again.
    """
    outcomes: list[Outcome] = []
    for first in range(0, len(imported), PAGE):
        with collector_paused():
            outcomes.extend(_page(book, imported[first : first + PAGE], trusted=trusted))
    return outcomes


def _page(
    book: Store, page: Sequence[ImportedCase], *, trusted: bool, turn: Turn | None = None
) -> list[Outcome]:
    """One page: outcomes in record order. It is computed first (side by side with other
    processes' pages when ingest works in several), then written in its ``turn``. A record
    whose case another writer changed between the read and the write (or whose order
    another writer used meanwhile) is not written; it and the records after it are read
    and computed again."""
    computed = _compute(book, page, trusted=trusted)
    with turn or contextlib.nullcontext():
        return _settle(book, list(page), computed, trusted=trusted)


def _settle(
    book: Store,
    todo: list[ImportedCase],
    computed: tuple[list[Outcome], list[Change | None]],
    *,
    trusted: bool,
) -> list[Outcome]:
    done: list[Outcome] = []
    conflicts = 0  # in a row, on the same record
    while todo:
        outcomes, writes = computed
        stopped = _write_page(book, writes)
        if stopped is None:
            return done + outcomes
        conflicts = conflicts + 1 if stopped == 0 else 1
        done += outcomes[:stopped]
        todo = todo[stopped:]
        if conflicts >= _RETRIES:
            why = f"gave up after {_RETRIES} write conflicts"
            done.append(Outcome(f"refund {todo[0].case.id}", todo[0].case.id, "rejected", why))
            todo, conflicts = todo[1:], 0
        computed = _compute(book, todo, trusted=trusted)
    return done


def _compute(
    book: Store, page: Sequence[ImportedCase], *, trusted: bool
) -> tuple[list[Outcome], list[Change | None]]:
    """Each record's outcome and write (encoded: the write transaction holds the lock for
    SQL alone), against the store as one read saw it and the page's own writes before it."""
    stored = book._stored_many([i.case.id for i in page])
    earlier = book._cases_of_orders({i.case.order.id for i in page if i.case.id not in stored})
    outcomes: list[Outcome] = []
    writes: list[Change | None] = []
    for imported in page:
        target = imported.case
        before = stored.get(target.id)
        others = list(earlier.get(target.order.id, {}).values())
        outcome, write = _refund_once(book, imported, before, others, trusted=trusted)
        outcomes.append(outcome)
        writes.append(write)
        if write is not None:  # the page's later records see this write
            stored[target.id] = Stored(write.case, 1 if before is None else before.version + 1)
            earlier.setdefault(write.case.order.id, {})[target.id] = write.case
    return outcomes, writes


def _write_page(book: Store, writes: Sequence[Change | None]) -> int | None:
    """Write the page's changes in one transaction, in order; the index of the first
    that conflicted (it and those after it are not written), or None."""
    changes = [w for w in writes if w is not None]
    if not changes:
        return None
    try:
        with book._db.transaction(write=True) as tx:
            commit_many(tx, changes)
    except PageConflict:
        pass  # rolled back: one by one, to find the first that conflicts
    else:
        return None
    with book._db.transaction(write=True) as tx:
        for n, write in enumerate(writes):
            if write is None:
                continue
            try:
                commit_many(tx, [write])
            except PageConflict:
                return n  # commit checks before it writes: nothing of this one is in
    return None


def _refund_once(
    book: Store,
    imported: ImportedCase,
    stored: Stored | None,
    earlier: Sequence[Case],
    *,
    trusted: bool,
) -> tuple[Outcome, Change | None]:
    target = imported.case
    case_id = target.id
    source = f"refund {case_id}"
    known = {} if stored is None else {e.id: e for e in stored.case.log}
    differs = _differs(target, known)
    if differs:
        return Outcome(source, case_id, "rejected", differs), None
    new = [e for e in target.log if e.id not in known]
    if stored is not None and not new and stored.case.changed_at >= target.changed_at:
        return Outcome(source, case_id, "duplicate"), None
    if trusted and stored is None and not earlier and imported.effects is not None:
        # the adapter built this case with the engine, under this policy: the same run
        write = encode(case_id, None, target, imported.effects)
        return Outcome(source, case_id, "new", events=len(target.log)), write
    reached = _reach(book, stored, target, new, earlier)
    if isinstance(reached, str):
        return Outcome(source, case_id, "rejected", reached), None
    case, effects = reached
    if stored is not None and case == stored.case:
        return Outcome(source, case_id, "duplicate"), None
    added = len(case.log) - len(known)
    if not effects and not added:
        outcome = Outcome(source, case_id, "duplicate")  # written, though nothing was added
    else:
        outcome = Outcome(source, case_id, "new", events=added)
    return outcome, encode(case_id, stored, case, effects)


def _reach(
    book: Store, stored: Stored | None, target: Case, new: list[Event], earlier: Sequence[Case]
) -> tuple[Case, tuple[Effect, ...]] | str:
    """The stored case with the record's new events, run to the record's last change;
    or why the record's status cannot be reached that way."""
    try:
        case, effects = _apply(stored, target.id, new, book.policy, earlier)
        if case.changed_at < target.changed_at:
            case, more = advance(case, target.changed_at, book.policy)
            effects += more
    except AfterSalesError as exc:
        return _unreachable(target, exc)
    if case.state is not target.state or case.status is not target.status:
        return (
            f"the record says {target.status.value} ({target.state.value}); from the stored "
            f"case the library reaches {case.status.value} ({case.state.value})"
        )
    return case, effects


def _differs(target: Case, known: Mapping[str, Event]) -> str:
    """Why the record's history conflicts with the stored one; empty if it does not."""
    for event in target.log:
        have = known.get(event.id)
        if have is not None and have != event:
            return (
                f"event {event.id!r} differs from the stored one ({event.type} at "
                f"{event.at.isoformat()} vs {have.type} at {have.at.isoformat()})"
            )
    return ""


def _unreachable(target: Case, exc: Exception) -> str:
    return (
        f"the record's status {target.status.value} cannot be reached from the stored case: {exc}"
    )


# -- the library's event JSON -----------------------------------------------------------------


def ingest_events(book: Store, events: Iterable[tuple[str, Event]]) -> IngestReport:
    """Store ``(case_id, event)`` pairs in order; an event ID already stored is a duplicate.

    Consecutive events of one case are written together, in one transaction.
    """
    outcomes: list[Outcome] = []
    for case_id, group in itertools.groupby(events, key=operator.itemgetter(0)):
        outcomes.extend(_events(book, case_id, [event for _, event in group]))
    return IngestReport(tuple(outcomes))


def _events(book: Store, case_id: str, events: list[Event]) -> list[Outcome]:
    for _ in range(_RETRIES):
        stored = book.get(case_id)
        outcomes: list[Outcome] = []
        case: Case | None = None if stored is None else stored.case
        effects: tuple[Effect, ...] = ()
        for event in events:
            source = f"{case_id}/{event.id}"
            if case is not None and case.has_seen(event.id):
                have = next(e for e in case.log if e.id == event.id)
                same = have == event
                why = "" if same else f"event {event.id!r} differs from the stored one"
                outcomes.append(Outcome(source, case_id, "duplicate" if same else "rejected", why))
                continue
            try:
                base = None if case is None else Stored(case, 0)
                earlier = book.earlier_cases([event]) if case is None else ()
                case, more = _apply(base, case_id, [event], book.policy, earlier)
            except AfterSalesError as exc:
                outcomes.append(Outcome(source, case_id, "rejected", str(exc)))
                continue
            effects += more
            outcomes.append(Outcome(source, case_id, "new", events=1))
        if case is None:
            return outcomes
        try:
            book._write(case_id, stored, case, effects)
        except ConcurrencyConflict:
            continue
        return outcomes
    return [
        Outcome(f"{case_id}/{e.id}", case_id, "rejected", f"gave up after {_RETRIES} conflicts")
        for e in events
    ]


def events_of(doc: object, source: str) -> list[tuple[str, object]]:
    """``(case_id, event dict)`` pairs of an event document (see docs/casebook.md)."""
    if isinstance(doc, list):
        return [pair for i, item in enumerate(doc) for pair in events_of(item, f"{source}[{i}]")]
    if not isinstance(doc, Mapping):
        raise InvalidInput(f"{source}: an event document is a JSON object or a list of them")
    if "log" in doc and "kind" in doc and "id" in doc:  # a case saved by case_to_json
        case = case_from_json(json.dumps(doc, default=str))
        return [(case.id, e) for e in case.log]
    if doc.get("type") == RefundRequested.type:
        return [(str(doc.get("case_id")), doc)]
    case_id = doc.get("case_id")
    if not isinstance(case_id, str) or not case_id:
        raise InvalidInput(
            "neither a platform export nor event JSON (give the case: "
            "{'case_id': ..., 'events': [...]} or {'case_id': ..., 'event': {...}})"
        )
    if "event" in doc:
        return [(case_id, doc["event"])]
    events = doc.get("events")
    if not isinstance(events, list):
        raise InvalidInput(f"{source}: 'events' is a list of events")
    return [(case_id, e) for e in events]


# -- files --------------------------------------------------------------------------------------


def _files(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        else:
            found.append(path)
    return found


def ingest_files(book: Store, paths: Sequence[str | Path], *, jobs: int = 1) -> IngestReport:
    """Platform exports and event JSON files (or folders of ``.json``), in one go.

    Exports are imported together, so refunds find their trades in any file. A refund
    export, of any size, is read a record at a time (less memory, and no slower than
    whole) and its pages are worked by ``jobs`` processes (see ``_parallel``): the same
    outcomes, sooner on a machine with the cores.
    """
    report = IngestReport()
    exports: list[tuple[str, object]] = []
    pairs: list[tuple[str, Event]] = []
    streamed: list[tuple[str, Path, str]] = []
    for path in _files([Path(p) for p in paths]):
        source = str(path)
        prefix = streamed_prefix(path, smallest=0)  # any size: see ingest_files
        if prefix is not None:
            streamed.append((source, path, prefix))
            continue
        # the shop folder's readers (reviews, scenarios) only for a file that needs them
        from ..shopfolder._load import _is_export, library_file_kind

        try:
            data = path.read_bytes()
            doc = json_document(data, source, exact=False)
        except OSError as exc:
            report += _unreadable(source, f"cannot be read: {exc}")
            continue
        except DocumentError as exc:  # not UTF-8, not JSON, too deep: one problem, go on
            report += _unreadable(source, exc.problem)
            continue
        if _is_export(doc):
            exports.append((source, doc))  # the adapter reports float money itself
            continue
        kind = library_file_kind(doc)
        if kind is not None and kind in _READ_ELSEWHERE:
            why = f"{_READ_ELSEWHERE[kind]}; the casebook stores refund cases and their events"
            report += IngestReport((Outcome(source, None, "skipped", why),))
            continue
        try:
            # the library's own JSON: money never through a float
            raw = events_of(json_document(data, source), source)
        except AfterSalesError as exc:
            report += _unreadable(source, str(exc))
            continue
        for i, (case_id, body) in enumerate(raw):
            try:
                event = body if isinstance(body, Event) else event_from_dict(body)
            except AfterSalesError as exc:
                report += _unreadable(f"{source}[{i}]", str(exc), case_id)
                continue
            pairs.append((case_id, event))
    trades: tuple[TradeRecord, ...] = ()
    if exports:
        with collector_paused():  # the files are in memory already: bounded
            result = import_exports(exports, policy=book.policy)
        outcomes = _refunds(book, result.cases, trusted=True)
        outcomes.extend(_problems(result))
        report += IngestReport(tuple(outcomes), ignored=len(result.trades) + len(result.reviews))
        trades = result.trades
    for source, path, prefix in streamed:
        report += _ingest_stream(book, source, path, prefix, trades, jobs)
    return report + ingest_events(book, pairs)


def _ingest_stream(
    book: Store,
    source: str,
    path: Path,
    prefix: str,
    trades: Sequence[TradeRecord],
    jobs: int,
) -> IngestReport:
    """A refund export read a record at a time (``shopfolder``'s reader, the board's
    too): each page imported, then stored, by ``jobs`` processes in file order.

    Records are named by their place in the file, as a whole-file import names them.
    A file that turns out to be broken part-way is reported (rejected) after the
    records read before the break.
    """
    outcomes: list[Outcome] = []
    ignored = 0
    work = functools.partial(_stream_page, trades=tuple(trades))
    try:
        for page_outcomes, page_ignored in in_turns(
            book, refund_pages(source, path, prefix, PAGE), work, jobs=jobs
        ):
            outcomes += page_outcomes
            ignored += page_ignored
    except BrokenExport as exc:
        outcomes.append(Outcome(source, None, "rejected", str(exc)))
    return IngestReport(tuple(outcomes), ignored=ignored)


def _stream_page(
    book: Store, named: list[tuple[str, object]], turn: Turn, *, trades: tuple[TradeRecord, ...]
) -> tuple[list[Outcome], int]:
    """One page of a streamed export: imported, computed, then written in its turn."""
    with collector_paused():
        result = import_refund_page(named, trades=trades, policy=book.policy)
        outcomes = _page(book, result.cases, trusted=True, turn=turn)
    return outcomes + _problems(result), len(result.trades) + len(result.reviews)


#: The library's files that are not refund events, and what reads them instead.
_READ_ELSEWHERE = {
    "case scenario": "a case scenario: `aftersales timeline` runs it",
    "order scenario": "an order scenario: `aftersales board` and `aftersales timeline` read it",
    "malicious order": "a malicious-order file: `aftersales board` reads it",
    "review": "a review follow-up: `aftersales review` and `aftersales board` read it",
}


def _unreadable(source: str, reason: str, case_id: str | None = None) -> IngestReport:
    return IngestReport((Outcome(source, case_id, "rejected", reason),))
