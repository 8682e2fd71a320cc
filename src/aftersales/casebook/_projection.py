"""The board's projection: one small row per open case, kept in the write's transaction.

``board_rows`` holds exactly the fields of the board's :class:`CaseSummary` (what
``summarize(case)`` gives), so ``aftersales board --casebook`` reads one row per
open case instead of decoding every case's snapshot. :func:`project` writes (or
deletes, once the case is final) a case's row inside the transaction that stores
the case; :func:`summaries` reads them back. The due instant is kept exactly: UTC
microseconds and the zone it was counted in.
"""

from __future__ import annotations

import datetime
import gc
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import pendulum

from ..board._summary import CaseSummary, summarize
from ..core._case import Case
from ..core._money import Money

__all__ = ["SUMMARY_COLUMNS", "backfill", "project", "summaries", "summary_row"]


class _Tx(Protocol):
    def run(self, sql: str, params: Sequence[object] = ()) -> int: ...

    def all(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]: ...

    def many(self, sql: str, rows: Sequence[Sequence[object]]) -> int: ...


SUMMARY_COLUMNS = (
    "case_id, workflow, state, timer, due_us, due_tz, who, rule, outstanding, provisional"
)
_UPSERT = (
    f"INSERT INTO board_rows ({SUMMARY_COLUMNS}, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (case_id) DO UPDATE SET workflow = excluded.workflow, state = excluded.state, "
    "timer = excluded.timer, due_us = excluded.due_us, due_tz = excluded.due_tz, "
    "who = excluded.who, rule = excluded.rule, outstanding = excluded.outstanding, "
    "provisional = excluded.provisional, due_at = excluded.due_at"
)
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _micros(at: datetime.datetime) -> int:
    # datetime's own subtraction: pendulum's builds an Interval, ten times the cost
    delta = datetime.datetime.__sub__(at, _EPOCH)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def summary_row(case: Case) -> tuple[object, ...] | None:
    """The projection's row of ``case`` (due_at last); None once it is final."""
    summary = summarize(case)
    if summary is None:
        return None
    due = summary.due
    if due is None:
        due_us = due_tz = due_at = None
    else:
        due_us = _micros(due)
        due_tz = _zone_name(due)
        due_at = -(-due_us // 1_000_000)  # whole seconds, rounded up, as cases.due_at
    return (
        summary.case_id,
        summary.workflow,
        summary.state,
        summary.timer,
        due_us,
        due_tz,
        summary.who,
        summary.rule,
        str(summary.outstanding),
        int(summary.provisional),
        due_at,
    )


def _zone_name(at: datetime.datetime) -> str:
    zone = at.tzinfo
    name = getattr(zone, "name", None)
    if isinstance(zone, pendulum.FixedTimezone) or not isinstance(name, str):
        offset = at.utcoffset()
        return f"{0 if offset is None else int(offset.total_seconds())}"
    return name


def project(tx: _Tx, rows: Sequence[tuple[str, tuple[object, ...] | None]]) -> None:
    """Write cases' projection rows (:func:`summary_row`, by case ID) inside ``tx``: one
    statement per kind of row; a final case's row (None) is deleted."""
    gone = [(case_id,) for case_id, row in rows if row is None]
    kept = [row for _, row in rows if row is not None]
    if gone:
        tx.many("DELETE FROM board_rows WHERE case_id = ?", gone)
    if kept:
        tx.many(_UPSERT, kept)


def backfill(tx: _Tx) -> None:
    """Schema 3: the projection rows of the open cases stored before it."""
    from ..core._serialize import case_from_json

    for case_id, snapshot in tx.all("SELECT case_id, snapshot FROM cases WHERE final = 0"):
        project(tx, [(str(case_id), summary_row(case_from_json(snapshot)))])


class _Instants:
    """Pendulum instants from UTC microseconds and a zone name, built cheaply.

    Per zone and UTC day the offset is looked up once; where it is the same a day
    either side (every day, in Asia/Shanghai), the instant is built from its wall
    fields with pendulum's positional constructor, otherwise with the zone's rules.
    """

    def __init__(self) -> None:
        self._zones: dict[str, Any] = {}
        self._offsets: dict[tuple[str, int], int | None] = {}
        self._dates: dict[int, tuple[int, int, int]] = {}

    def zone(self, name: str) -> Any:
        zone = self._zones.get(name)
        if zone is None:
            if name.lstrip("-").isdigit():
                zone = pendulum.FixedTimezone(int(name))
            else:
                zone = pendulum.timezone(name)
            self._zones[name] = zone
        return zone

    def date(self, local_day: int) -> tuple[int, int, int]:
        d = datetime.date.fromordinal(local_day + 719163)
        date = self._dates[local_day] = (d.year, d.month, d.day)
        return date

    def instant(self, micros: int, name: str) -> pendulum.DateTime:
        zone = self.zone(name)
        seconds, us = divmod(micros, 1_000_000)
        day = seconds // 86400
        key = (name, day)
        if key in self._offsets:
            offset = self._offsets[key]
        else:
            offsets = {
                datetime.datetime.fromtimestamp((day + d) * 86400, zone).utcoffset()
                for d in (-1, 0, 1, 2)
            }
            only = offsets.pop() if len(offsets) == 1 else None
            offset = None if only is None else int(only.total_seconds())
            self._offsets[key] = offset
        if offset is None:
            exact = datetime.datetime.fromtimestamp(seconds, zone).replace(microsecond=us)
            return pendulum.instance(exact, tz=zone)
        local = seconds + offset
        local_day, rest = divmod(local, 86400)
        date = self._dates.get(local_day) or self.date(local_day)
        hour, rest = divmod(rest, 3600)
        minute, second = divmod(rest, 60)
        return pendulum.DateTime(*date, hour, minute, second, us, tzinfo=zone)


def summaries(rows: Iterable[Sequence[Any]]) -> tuple[list[CaseSummary], list[Any]]:
    """:class:`CaseSummary` values from projection rows, and the rows' snapshots to decode.

    Each row is ``SUMMARY_COLUMNS`` and one more column: the case's snapshot when the
    case must be read whole (its timer falls due by the board's instant), else NULL.
    One pass, no summary for a case that comes back whole.
    """
    collecting = gc.isenabled()
    gc.disable()  # a million small tuples with no cycles: a collection would walk them all
    try:
        return _summaries(rows)
    finally:
        if collecting:
            gc.enable()


def _summaries(rows: Iterable[Sequence[Any]]) -> tuple[list[CaseSummary], list[Any]]:
    instants = _Instants()
    offsets = instants._offsets
    dates = instants._dates
    zones = instants._zones
    make = pendulum.DateTime
    # the named tuple's own __new__ is a Python function: a second call per row
    new = tuple.__new__
    # The driver makes new strings for every row, but a casebook's rows share a few
    # shapes (workflow, state, timer, party, rule, amount): each is kept once, its
    # amount parsed once (a million cases: about 350 MiB less).
    shapes: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    out: list[CaseSummary] = []
    whole: list[Any] = []
    add = out.append
    # the row's own strings (fresh per row) are only the shape's key
    for case_id, wf, st, tm, due_us, due_tz, party, rl, outstanding, prov, snapshot in rows:
        if snapshot is not None:
            whole.append(snapshot)
            continue
        key = (wf, st, tm, party, rl, outstanding, prov)
        shape = shapes.get(key)
        if shape is None:
            shape = shapes[key] = (wf, st, tm, party, rl, Money.of(outstanding), bool(prov))
        workflow, state, timer, who, rule, amount, provisional = shape
        if due_us is None:
            untimed = (case_id, workflow, state, timer, None, None, who, rule, amount, False)
            add(new(CaseSummary, untimed))
            continue
        seconds, us = divmod(due_us, 1_000_000)
        offset = offsets.get((due_tz, seconds // 86400))
        if offset is None:  # not looked up yet, or a day the zone's offset changes near
            due = instants.instant(due_us, due_tz)
        else:
            local_day, rest = divmod(seconds + offset, 86400)
            date = dates.get(local_day) or instants.date(local_day)
            hour, rest = divmod(rest, 3600)
            minute, second = divmod(rest, 60)
            due = make(*date, hour, minute, second, us, tzinfo=zones[due_tz])
        due_ts = due_us / 1_000_000
        summary = (case_id, workflow, state, timer, due, due_ts, who, rule, amount, provisional)
        add(new(CaseSummary, summary))
    return out, whole
