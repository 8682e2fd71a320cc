"""The casebook: each case as its event log plus a snapshot, in SQLite or PostgreSQL.

Every change goes through the pure engine (``open_case``, ``step``,
``advance``) and is written in one transaction: the snapshot, the events the
change appended, and the effects it produced (into the outbox). A writer names
the version it read; the row is updated only if that is still the stored
version, so two writers cannot both apply to the same case
(:class:`ConcurrencyConflict` for the later one). Event IDs are unique per case,
so an event delivered twice is stored once.

The ``due_at`` column holds the running deadline as UTC epoch seconds, indexed:
"what is due before T" and "the next N due" read the index, not every case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Self

import attrs
import pendulum

from ..board._summary import CaseSummary
from ..core._calendar import Fallback, WorkCalendar
from ..core._case import Case, Deadline, RefundRequested
from ..core._effects import Effect
from ..core._engine import advance, open_case, replay, step
from ..core._errors import InvalidInput, RequestNotAllowed
from ..core._events import Event
from ..core._instant import instant
from ..core._policy import Policy, policy_numbers, preset
from ..core._serialize import _snake
from ._codec import (
    case_of_snapshot,
    effect_from_json,
    effect_to_json,
    epoch,
    event_from_json,
    row_of,
    snapshot_of,
)
from ._db import Database, Tx, connect
from ._errors import ConcurrencyConflict, DatabaseDamaged, PolicyMismatch, UnknownCase
from ._paused import collector_paused
from ._projection import SUMMARY_COLUMNS, project, summaries, summary_row

__all__ = ["Due", "OutboxEntry", "OutboxStatus", "Recount", "Store", "Stored", "Written"]

#: pending: recorded, not handed over yet; handing: handed over, outcome not yet
#: recorded (a row left here means the worker died in between); done; unknown: the
#: handler raised OutcomeUnknown (parked); failed: the handler kept failing (parked).
OutboxStatus = Literal["pending", "handing", "done", "unknown", "failed"]
PARKED: tuple[OutboxStatus, ...] = ("unknown", "failed")


@attrs.frozen
class Stored:
    """A case as stored, with the version a writer names to change it."""

    case: Case
    version: int


@attrs.frozen
class Written:
    """What a write did. ``changed`` is False when there was nothing to apply."""

    case: Case
    version: int
    events: tuple[Event, ...] = ()
    effects: tuple[Effect, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.events or self.effects)


@attrs.frozen
class Recount:
    """An open deadline counted again once the calendar knows more (a notice loaded).

    ``after`` is the case as the calendar now counts it. ``stored`` is True when the
    store took it: only the running deadline moved. When the new count would have
    fired a timer the old one did not (or the other way round), the case is left as
    it was for a person to look at (``stored`` False): its effects were handed over.
    """

    case_id: str
    before: Deadline
    after: Deadline | None
    stored: bool

    @property
    def moved(self) -> bool:
        return self.after is None or self.after.due != self.before.due


@attrs.frozen
class Due:
    """A case whose running deadline falls due at ``due`` (UTC, whole seconds)."""

    case_id: str
    due: pendulum.DateTime
    version: int


@attrs.frozen
class Advanced:
    """A case the worker advanced: before and after, the effects it put in the outbox
    (positions 0, 1, ... of the new version)."""

    before: Case
    after: Case
    effects: tuple[Effect, ...]
    version: int


@attrs.frozen
class OutboxEntry:
    """One effect in the outbox and where it stands."""

    id: int
    case_id: str
    version: int  # the case version whose write produced it
    position: int  # its place among that write's effects
    effect: Effect
    status: OutboxStatus
    attempts: int
    note: str


_OUTBOX_COLUMNS = "id, case_id, version, position, body, status, attempts, note"
_SETTLE = (
    "UPDATE outbox SET status = ?, settled_at = ?, note = ? WHERE id = ? AND status = 'handing'"
)


def _entry(
    row: Sequence[Any], known: Mapping[tuple[str, int, int], Effect] | None = None
) -> OutboxEntry:
    key = (str(row[1]), int(row[2]), int(row[3]))
    effect = None if known is None else known.get(key)
    return OutboxEntry(
        id=int(row[0]),
        case_id=key[0],
        version=key[1],
        position=key[2],
        effect=effect_from_json(str(row[4])) if effect is None else effect,
        status=row[5],
        attempts=int(row[6]),
        note=str(row[7]),
    )


#: The board's name for a ruling the platform owes: not a running timer (nothing fires).
_OVERDUE_RULING = "overdue_ruling"


def _utc(seconds: int) -> pendulum.DateTime:
    return pendulum.from_timestamp(int(seconds), tz="UTC")


class Store:
    """The stored cases, their events and the outbox; :class:`Casebook` adds ingestion."""

    def __init__(self, db: Database, policy: Policy) -> None:
        self._db = db
        self.policy = policy

    @classmethod
    def open(
        cls,
        where: str | Path,
        *,
        policy: Policy | None = None,
        replace_policy: bool = False,
        board_only: bool = False,
    ) -> Self:
        """A SQLite file (created if missing), ``":memory:"``, or a ``postgresql://`` URL.

        The schema is created or migrated on open. ``policy`` (default: the
        ``taobao`` preset) is the one every change is computed with; the store
        records it, and opening it under another policy raises
        :class:`PolicyMismatch` (its cases would not replay) unless
        ``replace_policy`` says the shop means to switch.

        A SQLite file's pages are checked on open (``PRAGMA quick_check``: every page,
        about 0.35 s per 100,000 cases). ``board_only``: the caller only reads the
        board (:meth:`board_items`, :meth:`cases_by_id`), so only the projection's
        pages are checked; a damaged page met elsewhere is refused when read
        (:class:`DatabaseDamaged`), and a reader writes nothing to spread it.
        """
        db = connect(where, check_only="board_rows" if board_only else None)
        book = cls(db, policy if policy is not None else preset("taobao"))
        try:
            book._record_policy(replace=replace_policy)
        except BaseException:
            book.close()
            raise
        return book

    def _record_policy(self, *, replace: bool) -> None:
        mine = json.dumps(policy_numbers(self.policy), sort_keys=True, ensure_ascii=False)
        with self._db.transaction(write=True) as tx:
            row = tx.one("SELECT value FROM meta WHERE key = 'policy'")
            if row is None:
                tx.run("INSERT INTO meta (key, value) VALUES ('policy', ?)", (mine,))
                return
            if row[0] == mine:
                return
            stored: dict[str, str] = json.loads(row[0])
            ours = policy_numbers(self.policy)
            # A number only one side records (the library added or dropped it since the
            # store was written) cannot differ; the record is brought up to date.
            both = stored.keys() & ours.keys() - {"calendar"}
            diff = sorted(k for k in both if stored[k] != ours[k])
            diff += _calendar_changes(stored, ours, self.policy.calendar)
            if diff and not replace:
                shown = "; ".join(
                    f"{k}: stored {stored[k]}, given {ours.get(k, 'none')}" for k in diff[:5]
                )
                if len(diff) > 5:
                    shown += f"; and {', '.join(diff[5:])}"
                raise PolicyMismatch(
                    f"this casebook was written under another policy ({shown}); open it with "
                    "the same policy, or pass replace_policy=True to switch on purpose"
                )
            tx.run("UPDATE meta SET value = ? WHERE key = 'policy'", (mine,))

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.dialect

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------

    def get(self, case_id: str) -> Stored | None:
        with self._db.transaction(write=False) as tx:
            return _load(tx, case_id)

    def case(self, case_id: str) -> Case:
        stored = self.get(case_id)
        if stored is None:
            raise UnknownCase(case_id)
        return stored.case

    def version(self, case_id: str) -> int:
        """The stored version; 0 for a case not stored yet (what a creating writer expects)."""
        stored = self.get(case_id)
        return 0 if stored is None else stored.version

    def count(self) -> int:
        with self._db.transaction(write=False) as tx:
            row = tx.one("SELECT COUNT(*) FROM cases")
        return 0 if row is None else int(row[0])

    def cases(self, *, open_only: bool = False) -> Iterator[Case]:
        """Every stored case (or those not final yet), in case ID order."""
        where = " WHERE final = 0" if open_only else ""
        with self._db.transaction(write=False) as tx:
            rows = tx.all(f"SELECT snapshot FROM cases{where} ORDER BY case_id")
        for (snapshot,) in rows:
            yield case_of_snapshot(snapshot)

    def recount_provisional(self, *, attempts: int = 5) -> list[Recount]:
        """Count every open provisional deadline again with the policy's calendar.

        Open a casebook with a policy whose calendar has the new year's notice (a
        calendar file) and call this once: each open case whose deadline was
        counted without the notice is replayed from its log to its last change. A
        case whose deadline is still provisional (no notice loaded) is left alone.
        """
        with self._db.transaction(write=False) as tx:
            # the text test spares decoding every open snapshot; _recount checks the value
            rows = tx.all(
                "SELECT case_id FROM cases WHERE final = 0 "
                "AND (snapshot LIKE ? OR snapshot LIKE ?) ORDER BY case_id",
                ('%"provisional":true%', '%"provisional": true%'),  # both spellings
            )
        recounts = []
        for (case_id,) in rows:
            for _ in range(attempts):
                try:
                    recount = self._recount(str(case_id))
                except ConcurrencyConflict:
                    continue  # another writer changed it meanwhile: read it again
                if recount is not None:
                    recounts.append(recount)
                break
        return recounts

    def _recount(self, case_id: str) -> Recount | None:
        stored = self.get(case_id)
        if stored is None or stored.case.deadline is None:
            return None
        case, before = stored.case, stored.case.deadline
        if not before.provisional:
            return None
        rebuilt = replay(case.log, self.policy, until=case.changed_at)
        if rebuilt == case:
            return None
        same_path = attrs.evolve(rebuilt, deadline=before) == case
        if same_path:
            self._write(case_id, stored, rebuilt, ())
        return Recount(case_id, before, rebuilt.deadline, same_path)

    def events(self, case_id: str) -> tuple[Event, ...]:
        """The stored event log, in order."""
        with self._db.transaction(write=False) as tx:
            rows = tx.all("SELECT body FROM events WHERE case_id = ? ORDER BY seq", (case_id,))
        return tuple(event_from_json(body) for (body,) in rows)

    def due_before(self, at: pendulum.DateTime, *, limit: int | None = None) -> list[Due]:
        """Cases whose deadline falls due at or before ``at``, soonest first (the index)."""
        sql = (
            "SELECT case_id, due_at, version FROM cases WHERE due_at <= ? ORDER BY due_at, case_id"
        )
        params: list[object] = [int(instant(at).timestamp())]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._db.transaction(write=False) as tx:
            rows = tx.all(sql, params)
        return [Due(str(r[0]), _utc(r[1]), int(r[2])) for r in rows]

    def next_due(self, n: int) -> list[Due]:
        """The ``n`` cases due soonest (overdue ones first)."""
        with self._db.transaction(write=False) as tx:
            rows = tx.all(
                "SELECT case_id, due_at, version FROM cases WHERE due_at IS NOT NULL "
                "ORDER BY due_at, case_id LIMIT ?",
                (n,),
            )
        return [Due(str(r[0]), _utc(r[1]), int(r[2])) for r in rows]

    def board_items(self, at: pendulum.DateTime) -> tuple[list[CaseSummary], list[Case]]:
        """The open cases as the board needs them at ``at``, from the projection.

        One summary per open case (``board_rows``, kept with every write), except the
        cases whose running deadline falls due by ``at``: their timers fire on the way
        to ``at``, so they come back whole (their snapshots, read by primary key in
        the same statement) for the caller to advance. One statement: one snapshot
        of the store on both backends.
        """
        cutoff = epoch(instant(at))
        with self._db.transaction(write=False) as tx:
            rows = tx.stream(
                f"SELECT {SUMMARY_COLUMNS}, CASE WHEN due_at <= ? AND timer <> ? THEN "
                "(SELECT snapshot FROM cases c WHERE c.case_id = b.case_id) END "
                "FROM board_rows b",
                (cutoff, _OVERDUE_RULING),
            )
            found, due = summaries(rows)
        return found, [case_of_snapshot(snapshot) for snapshot in due]

    def cases_by_id(
        self, case_ids: Iterable[str], *, unreadable: dict[str, str] | None = None
    ) -> dict[str, Case]:
        """The stored cases of ``case_ids`` (those that exist), decoded.

        A snapshot that cannot be read is :class:`DatabaseDamaged`; with ``unreadable``
        given, it is noted there (case ID -> why) and the other cases are still read.
        """
        ids = sorted(set(case_ids))
        found: dict[str, Case] = {}
        with self._db.transaction(write=False) as tx:
            for first in range(0, len(ids), 500):
                chunk = ids[first : first + 500]
                marks = ", ".join("?" * len(chunk))
                for case_id, snapshot in tx.all(
                    f"SELECT case_id, snapshot FROM cases WHERE case_id IN ({marks})", chunk
                ):
                    try:
                        found[str(case_id)] = case_of_snapshot(snapshot, case_id)
                    except DatabaseDamaged as exc:
                        if unreadable is None:
                            raise
                        unreadable[str(case_id)] = str(exc)
        return found

    def held(self) -> dict[str, str]:
        """Cases the worker could not advance (e.g. a deadline past the calendar), and why."""
        with self._db.transaction(write=False) as tx:
            rows = tx.all("SELECT case_id, held FROM cases WHERE held IS NOT NULL")
        return {str(r[0]): str(r[1]) for r in rows}

    # -- writing ---------------------------------------------------------------------------

    def append(
        self, case_id: str, events: Iterable[Event], *, expected_version: int | None = None
    ) -> Written:
        """Apply events to a case through the engine; the first event of a new case is its
        ``refund_requested``. Events already stored are no-ops.

        With ``expected_version``, refuse (:class:`ConcurrencyConflict`) unless the case
        is at that version (0: not stored yet). Without it, the version read here is the
        one expected. Engine errors (:class:`~aftersales.IllegalEvent`...) leave the
        store unchanged.
        """
        stored = self.get(case_id)
        _check_expected(case_id, stored, expected_version)
        events = list(events)
        earlier = self.earlier_cases(events) if stored is None else ()
        case, effects = _apply(stored, case_id, events, self.policy, earlier)
        return self._write(case_id, stored, case, effects)

    def earlier_cases(self, events: Sequence[Event]) -> list[Case]:
        """The stored cases of the order a new case's request is about (AFTER-ONCE)."""
        if not events or not isinstance(events[0], RefundRequested):
            return []
        with self._db.transaction(write=False) as tx:
            rows = tx.all("SELECT snapshot FROM cases WHERE order_id = ?", (events[0].order.id,))
        return [case_of_snapshot(snapshot) for (snapshot,) in rows]

    def _stored_many(self, case_ids: Sequence[str]) -> dict[str, Stored]:
        """The stored cases among ``case_ids`` (one read), by ID."""
        if not case_ids:
            return {}
        marks = ", ".join("?" * len(case_ids))
        with self._db.transaction(write=False) as tx:
            rows = tx.all(
                f"SELECT case_id, version, snapshot FROM cases WHERE case_id IN ({marks})",
                case_ids,
            )
        return {str(r[0]): Stored(case_of_snapshot(r[2], r[0]), int(r[1])) for r in rows}

    def _cases_of_orders(self, order_ids: Iterable[str]) -> dict[str, dict[str, Case]]:
        """The stored cases of these orders (one read): order ID -> case ID -> case."""
        wanted = sorted(set(order_ids))
        if not wanted:
            return {}
        marks = ", ".join("?" * len(wanted))
        with self._db.transaction(write=False) as tx:
            rows = tx.all(
                f"SELECT order_id, case_id, snapshot FROM cases WHERE order_id IN ({marks})",
                wanted,
            )
        found: dict[str, dict[str, Case]] = {}
        for order_id, case_id, snapshot in rows:
            found.setdefault(str(order_id), {})[str(case_id)] = case_of_snapshot(snapshot, case_id)
        return found

    def advance(
        self, case_id: str, now: pendulum.DateTime, *, expected_version: int | None = None
    ) -> Written:
        """Fire the case's timers due by ``now`` and store the result."""
        stored = self.get(case_id)
        if stored is None:
            raise UnknownCase(case_id)
        _check_expected(case_id, stored, expected_version)
        case, effects = advance(stored.case, now, self.policy)
        return self._write(case_id, stored, case, effects)

    def _write(
        self, case_id: str, stored: Stored | None, case: Case, effects: tuple[Effect, ...]
    ) -> Written:
        if stored is not None and case == stored.case:
            return Written(stored.case, stored.version)
        with self._db.transaction(write=True) as tx:
            version, appended = commit(tx, case_id, stored, case, effects)
        return Written(case, version, appended, effects)

    # -- the outbox ------------------------------------------------------------------------

    def outbox(
        self, status: OutboxStatus | None = None, *, case_id: str | None = None
    ) -> list[OutboxEntry]:
        """Outbox entries in the order they were recorded, optionally filtered."""
        where: list[str] = []
        params: list[object] = []
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if case_id is not None:
            where.append("case_id = ?")
            params.append(case_id)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._db.transaction(write=False) as tx:
            rows = tx.all(f"SELECT {_OUTBOX_COLUMNS} FROM outbox{clause} ORDER BY id", params)
        return [_entry(r) for r in rows]

    def parked(self) -> list[OutboxEntry]:
        """Effects waiting for a person: outcome unknown, or the handler kept failing."""
        return [e for e in self.outbox() if e.status in PARKED]

    def resolve(self, entry_id: int, *, happened: bool, note: str = "") -> None:
        """A person settles a parked (or stuck ``handing``) effect: it happened (``done``),
        or it did not and the worker should hand it over again (``pending``)."""
        status = "done" if happened else "pending"
        with self._db.transaction(write=True) as tx:
            changed = tx.run(
                "UPDATE outbox SET status = ?, note = ?, attempts = 0 "
                "WHERE id = ? AND status IN ('unknown', 'failed', 'handing')",
                (status, note, entry_id),
            )
        if not changed:
            raise InvalidInput(f"outbox entry {entry_id} is not parked or in doubt")

    # -- the worker's steps (see run_worker) -------------------------------------------------

    def _advance_due(self, now: pendulum.DateTime, limit: int) -> list[tuple[Case, Case]]:
        """Claim up to ``limit`` due cases, advance them and store them, in one transaction."""
        return [(a.before, a.after) for a in self._advance_batch(now, limit)]

    def _advance_batch(self, now: pendulum.DateTime, limit: int) -> list[Advanced]:
        """As :meth:`_advance_due`, with the effects each case put in the outbox.

        Each due case is decoded once and encoded once; the pass's changes are written as
        ingest writes a page (:func:`commit_many`: one statement per table), effects into
        the outbox in the same transaction. The rows were claimed in it (SQLite's write
        lock, PostgreSQL's row locks), so no other writer can change them meanwhile.
        """
        now = instant(now)
        done: list[Advanced] = []
        changes: list[tuple[str, Stored | None, Case, tuple[Effect, ...]]] = []
        with collector_paused(), self._db.transaction(write=True) as tx:
            rows = tx.all(
                "SELECT case_id, version, snapshot FROM cases "
                "WHERE due_at <= ? AND held IS NULL ORDER BY due_at LIMIT ?" + self._db.skip_locked,
                (int(now.timestamp()), limit),
            )
            held: list[tuple[str, str]] = []
            for case_id, version, snapshot in rows:
                try:
                    before = case_of_snapshot(snapshot, case_id)
                    after, effects = advance(before, now, self.policy)
                except Exception as exc:  # the engine's error or a bug: hold, don't spin
                    held.append((f"{type(exc).__name__}: {exc}", case_id))
                    continue
                if after == before:
                    continue
                changes.append((str(case_id), Stored(before, int(version)), after, effects))
                done.append(Advanced(before, after, effects, int(version) + 1))
            tx.many("UPDATE cases SET held = ? WHERE case_id = ?", held)
            try:
                commit_many(tx, [encode(*change) for change in changes])
            except PageConflict as exc:  # no other writer can touch claimed rows
                raise DatabaseDamaged(
                    f"the cases the worker claimed could not be written back ({exc}): the "
                    "casebook's rows and indexes disagree; it is damaged: restore it from a "
                    "backup"
                ) from None
        return done

    def _claim_effects(
        self,
        limit: int,
        now: pendulum.DateTime,
        *,
        settle: Sequence[tuple[int, OutboxStatus, str]] = (),
        known: Mapping[tuple[str, int, int], Effect] | None = None,
    ) -> list[OutboxEntry]:
        """Mark up to ``limit`` pending effects as handed over (committed before handing).

        ``settle``: the outcomes of the effects handed over last, recorded in the same
        transaction first (as :meth:`_settle_many`): one commit per hand-over step, and
        still each outcome recorded before the next effect is handed over. ``known``:
        effects this worker wrote, by (case ID, version, position), taken as they are
        instead of decoded from their rows.
        """
        with self._db.transaction(write=True) as tx:
            if settle:
                tx.many(_SETTLE, [(st, epoch(now), note, i) for i, st, note in settle])
            if self._db.returning:
                rows = tx.all(
                    "UPDATE outbox SET status = 'handing', attempts = attempts + 1, "
                    "handed_at = ? WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' "
                    f"ORDER BY id LIMIT ?{self._db.skip_locked}) RETURNING {_OUTBOX_COLUMNS}",
                    (epoch(now), limit),
                )
                rows.sort(key=lambda r: int(r[0]))
            else:  # SQLite before 3.35
                ids = [
                    int(r[0])
                    for r in tx.all(
                        "SELECT id FROM outbox WHERE status = 'pending' ORDER BY id LIMIT ?",
                        (limit,),
                    )
                ]
                if not ids:
                    return []
                marks = ", ".join("?" * len(ids))
                tx.run(
                    "UPDATE outbox SET status = 'handing', attempts = attempts + 1, "
                    f"handed_at = ? WHERE id IN ({marks})",
                    (epoch(now), *ids),
                )
                rows = tx.all(
                    f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE id IN ({marks}) ORDER BY id", ids
                )
        return [_entry(r, known) for r in rows]

    def _settle(
        self, entry_id: int, status: OutboxStatus, now: pendulum.DateTime, note: str
    ) -> None:
        with self._db.transaction(write=True) as tx:
            tx.run(_SETTLE, (status, epoch(now), note, entry_id))

    def _settle_many(
        self, results: Sequence[tuple[int, OutboxStatus, str]], now: pendulum.DateTime
    ) -> None:
        """Record the outcomes of a hand-over batch, in one transaction."""
        if not results:
            return
        with self._db.transaction(write=True) as tx:
            tx.many(_SETTLE, [(st, epoch(now), note, i) for i, st, note in results])

    def _release(self, entry_ids: Sequence[int]) -> None:
        """Put claimed effects that were never handed over back to ``pending``."""
        if not entry_ids:
            return
        with self._db.transaction(write=True) as tx:
            tx.many(
                "UPDATE outbox SET status = 'pending', attempts = attempts - 1, handed_at = NULL "
                "WHERE id = ? AND status = 'handing'",
                [(entry_id,) for entry_id in entry_ids],
            )

    # -- checks ----------------------------------------------------------------------------

    def verify(self) -> list[str]:
        """Problems with the stored data; empty when consistent.

        SQLite's full integrity check finds no damaged page (a damaged file is not
        read further); every snapshot equals the replay of its stored log (to its
        last change), the log in the snapshot is the stored log, event sequence
        numbers run 1..n without gaps, and the indexed columns match the snapshot.
        """
        problems: list[str] = self._db.integrity()
        if problems:
            return problems
        with self._db.transaction(write=False) as tx:
            cases = tx.all(
                "SELECT case_id, version, kind, state, status, final, due_at, changed_at, "
                "order_id, aftersale, snapshot FROM cases ORDER BY case_id"
            )
            events: dict[str, list[tuple[int, str, str, int]]] = {}
            for case_id, seq, event_id, body, version in tx.all(
                "SELECT case_id, seq, event_id, body, version FROM events ORDER BY case_id, seq"
            ):
                events.setdefault(str(case_id), []).append(
                    (int(seq), str(event_id), str(body), int(version))
                )
            projected = {
                str(r[0]): tuple(r)
                for r in tx.all(f"SELECT {SUMMARY_COLUMNS}, due_at FROM board_rows")
            }
        for case_id, version, *columns, snapshot in cases:
            case = case_of_snapshot(snapshot, case_id)
            stored = events.pop(case_id, [])
            seqs = [s for s, *_ in stored]
            if seqs != list(range(1, len(seqs) + 1)):
                problems.append(f"{case_id}: event sequence numbers {seqs} are not 1..n")
            if any(v > version for *_, v in stored):
                problems.append(f"{case_id}: an event is newer than the case version {version}")
            log = tuple(event_from_json(body) for _, _, body, _ in stored)
            if log != case.log:
                problems.append(f"{case_id}: the snapshot's log differs from the stored events")
                continue
            try:
                rebuilt = replay(log, self.policy, until=case.changed_at)
            except Exception as exc:
                problems.append(f"{case_id}: the stored log does not replay: {exc}")
                continue
            if rebuilt != case:
                problems.append(f"{case_id}: the snapshot is not the replay of its log")
            expected = row_of(case)
            if tuple(columns) != tuple(expected.values()):
                problems.append(f"{case_id}: indexed columns {columns} != {expected}")
            board_row = projected.pop(case_id, None)
            if board_row != summary_row(case):
                problems.append(f"{case_id}: the board's row {board_row} != {summary_row(case)}")
        problems.extend(f"{case_id}: events without a case" for case_id in events)
        problems.extend(f"{case_id}: a board row without a case" for case_id in projected)
        return problems

    def dump(self) -> dict[str, Any]:
        """The whole content as plain data, in a canonical order (for comparisons and backups).

        Instants the worker wrote (``handed_at``, ``settled_at``) are left out: they
        say when, not what.
        """
        with self._db.transaction(write=False) as tx:
            cases = tx.all(
                "SELECT case_id, version, state, status, final, due_at, held, snapshot "
                "FROM cases ORDER BY case_id"
            )
            events = tx.all(
                "SELECT case_id, seq, event_id, type, at, version, body FROM events "
                "ORDER BY case_id, seq"
            )
            outbox = tx.all(
                "SELECT case_id, version, position, type, body, status, attempts, note "
                "FROM outbox ORDER BY case_id, version, position"
            )
        return {
            "cases": [[*row[:-1], json.loads(row[-1])] for row in cases],
            "events": [[*row[:-1], json.loads(row[-1])] for row in events],
            "outbox": [[*row[:4], json.loads(row[4]), *row[5:]] for row in outbox],
        }


def _calendar_changes(
    stored: dict[str, str], ours: dict[str, str], calendar: WorkCalendar
) -> list[str]:
    """Calendar changes that would stop stored cases replaying.

    A year's notice added (a year the store did not record) is not one: that is
    what the provisional fallback waits for (:meth:`Store.recount_provisional`).
    A year dropped or changed is, and so is leaving the weekdays-only fallback,
    whose deadlines do not say they were guessed.
    """
    changes = [k for k in stored.keys() - ours.keys() if k.startswith("calendar.")]
    before = stored.get("calendar")
    if before is None or before == ours["calendar"]:
        return changes
    old = _OLD_CALENDAR.fullmatch(before)
    if old is not None:  # recorded as one line: the years, and counts over them
        years = {int(y) for y in old["years"].split(",") if y.strip()}
        kept = (
            years <= calendar.years
            and sum(d.year in years for d in calendar.holidays) == int(old["holidays"])
            and sum(d.year in years for d in calendar.workdays) == int(old["workdays"])
        )
        return (
            changes
            if kept and old["fallback"] != Fallback.WEEKENDS.value
            else [*changes, "calendar"]
        )
    if before == f"fallback {Fallback.WEEKENDS.value}":
        changes.append("calendar")
    return changes


_OLD_CALENDAR = re.compile(
    r"years \[(?P<years>[0-9, ]*)\], (?P<holidays>[0-9]+) holidays, "
    r"(?P<workdays>[0-9]+) make-up days, fallback (?P<fallback>[a-z]+)"
)


def _check_expected(case_id: str, stored: Stored | None, expected: int | None) -> None:
    found = 0 if stored is None else stored.version
    if expected is not None and expected != found:
        raise ConcurrencyConflict(case_id, expected=expected, found=found or None)


def _one_after_sale_entry(tx: Tx, case: Case) -> None:
    """AFTER-ONCE inside the write: the engine checked the cases it was shown, but another
    writer may have stored one since. PostgreSQL serialises writers of one order with an
    advisory lock; SQLite's write transaction already holds the whole database."""
    tx.lock(f"order:{case.order.id}")
    row = tx.one(
        "SELECT case_id FROM cases WHERE order_id = ? AND aftersale = 1 AND case_id <> ?",
        (case.order.id, case.id),
    )
    if row is not None:
        raise RequestNotAllowed(
            f"case {case.id}: order {case.order.id} already used its after-sale entry "
            f"(case {row[0]}); it can be used once",
            rule="AFTER-ONCE",
        )


def _apply(
    stored: Stored | None,
    case_id: str,
    events: list[Event],
    policy: Policy,
    earlier: Sequence[Case] = (),
) -> tuple[Case, tuple[Effect, ...]]:
    effects: tuple[Effect, ...] = ()
    if stored is None:
        if not events or not isinstance(events[0], RefundRequested):
            raise InvalidInput(
                f"case {case_id}: not stored yet; its first event is the refund_requested "
                "event that opens it"
            )
        if events[0].case_id != case_id:
            raise InvalidInput(
                f"case {case_id}: the refund_requested event opens case {events[0].case_id}"
            )
        case, effects = open_case(events[0], policy, earlier=earlier)
        events = events[1:]
    else:
        case = stored.case
    for event in events:
        case, more = step(case, event, policy)
        effects += more
    return case, effects


def _load(tx: Tx, case_id: str) -> Stored | None:
    row = tx.one("SELECT version, snapshot FROM cases WHERE case_id = ?", (case_id,))
    if row is None:
        return None
    return Stored(case_of_snapshot(row[1], case_id), int(row[0]))


_INSERT_CASE = (
    "INSERT INTO cases (case_id, version, kind, state, status, final, due_at, "
    "changed_at, order_id, aftersale, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (case_id) DO NOTHING"
)
_UPDATE_CASE = (
    "UPDATE cases SET version = ?, kind = ?, state = ?, status = ?, final = ?, "
    "due_at = ?, changed_at = ?, order_id = ?, aftersale = ?, snapshot = ? "
    "WHERE case_id = ? AND version = ?"
)
_INSERT_EVENT = (
    "INSERT INTO events (case_id, seq, event_id, type, at, version, body) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_EFFECT = (
    "INSERT INTO outbox (case_id, version, position, type, body) VALUES (?, ?, ?, ?, ?)"
)


@attrs.frozen(eq=False)
class Change:
    """A change as the rows it writes: the case's, its appended events', its effects',
    the board's. Encoded before the write transaction, which then holds the write lock
    for the SQL alone."""

    case_id: str
    stored: Stored | None
    case: Case
    row: tuple[object, ...]
    events: Sequence[tuple[object, ...]]
    effects: Sequence[tuple[object, ...]]
    board: tuple[object, ...] | None
    version: int
    appended: tuple[Event, ...]


def encode(case_id: str, stored: Stored | None, case: Case, effects: tuple[Effect, ...]) -> Change:
    before = () if stored is None else stored.case.log
    if case.log[: len(before)] != before:
        raise AssertionError(f"case {case_id}: a write must extend the stored log")
    appended = case.log[len(before) :]
    columns = row_of(case)
    snapshot, bodies = snapshot_of(case, len(before))
    if stored is None:
        version = 1
        row: tuple[object, ...] = (case_id, version, *columns.values(), snapshot)
    else:
        version = stored.version + 1
        row = (version, *columns.values(), snapshot, case_id, stored.version)
    events = [
        (case_id, len(before) + i, e.id, e.type, epoch(e.at), version, body)
        for i, (e, body) in enumerate(zip(appended, bodies, strict=True), start=1)
    ]
    outbox = [(case_id, version, i, _type_of(e), effect_to_json(e)) for i, e in enumerate(effects)]
    return Change(case_id, stored, case, row, events, outbox, summary_row(case), version, appended)


def commit(
    tx: Tx, case_id: str, stored: Stored | None, case: Case, effects: tuple[Effect, ...]
) -> tuple[int, tuple[Event, ...]]:
    """Write a change inside ``tx``: the row (if still at the version read), the events
    appended to the log, the effects into the outbox. The new version and the events."""
    change = encode(case_id, stored, case, effects)
    if stored is None:
        if case.phase == "aftersale":
            _one_after_sale_entry(tx, case)
        changed = tx.run(_INSERT_CASE, change.row)
    else:
        changed = tx.run(_UPDATE_CASE, change.row)
    if changed != 1:
        found = tx.one("SELECT version FROM cases WHERE case_id = ?", (case_id,))
        raise ConcurrencyConflict(
            case_id,
            expected=None if stored is None else stored.version,
            found=None if found is None else int(found[0]),
        )
    project(tx, [(case_id, change.board)])  # the board's row, in the same transaction
    tx.many(_INSERT_EVENT, change.events)
    tx.many(_INSERT_EFFECT, change.effects)
    return change.version, change.appended


class PageConflict(Exception):
    """A page of changes could not be written as one: another writer got there first."""


def commit_many(tx: Tx, changes: Sequence[Change]) -> None:
    """Write many encoded changes inside ``tx`` as :func:`commit` writes each, with one
    statement per table (a round trip each on PostgreSQL). :class:`PageConflict` when any
    of them would not be written (a case changed or stored meanwhile, an order's
    after-sale entry used meanwhile): the caller rolls back and writes them one by one."""
    aftersale = [c.case for c in changes if c.stored is None and c.case.phase == "aftersale"]
    if len({c.order.id for c in aftersale}) < len(aftersale):
        raise PageConflict("two after-sale entries of one order")
    try:
        for case in aftersale:
            _one_after_sale_entry(tx, case)
    except RequestNotAllowed:
        raise PageConflict("an order's after-sale entry is used") from None
    inserts = [c.row for c in changes if c.stored is None]
    updates = [c.row for c in changes if c.stored is not None]
    if tx.many(_INSERT_CASE, inserts) != len(inserts):
        raise PageConflict("a case was stored meanwhile")
    if tx.many(_UPDATE_CASE, updates) != len(updates):
        raise PageConflict("a case was changed meanwhile")
    project(tx, [(c.case_id, c.board) for c in changes])  # the same transaction
    tx.many(_INSERT_EVENT, [e for c in changes for e in c.events])
    tx.many(_INSERT_EFFECT, [e for c in changes for e in c.effects])


def _type_of(effect: Effect) -> str:
    return _snake(type(effect).__name__)
