"""The worker: advance due cases, hand their effects to the shop, record what happened.

Two steps per pass. First, claim up to ``batch`` due cases (PostgreSQL locks
them with ``FOR UPDATE SKIP LOCKED`` so N workers share the load; SQLite's one
write lock serialises workers), advance them through the engine and store
them, effects into the outbox, in one transaction. Then hand the outbox's
pending effects over one at a time: each is marked ``handing`` (committed)
before the shop's ``handle`` runs and ``done`` after, so a worker killed in
between leaves a visible ``handing`` row rather than a silent doubt.

``handle`` raising :class:`OutcomeUnknown` parks the effect (``unknown``) for a
person: it is never handed over again by itself. Any other exception means it
did not happen; it is handed over again, up to ``max_attempts``, then parked
(``failed``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import attrs
import pendulum
import structlog

from ..core._case import Case
from ..core._effects import Effect
from ..core._instant import instant
from ..runner._runner import Runner
from ._casebook import Casebook
from ._errors import OutcomeUnknown, UnknownCase

__all__ = ["WorkerStats", "run_worker"]

Handler = Callable[[Effect, Case], None]


@attrs.define
class WorkerStats:
    """What a worker did, for its log line and its tests."""

    passes: int = 0
    advanced: int = 0  # cases whose timers fired
    handed: int = 0  # effects handed to ``handle``
    done: int = 0
    unknown: int = 0  # parked: OutcomeUnknown
    retried: int = 0  # failed, back to pending
    failed: int = 0  # parked: failed max_attempts times
    recounted: int = 0  # provisional deadlines counted again with a loaded notice


def run_worker(
    casebook: Casebook,
    *,
    now: Callable[[], pendulum.DateTime],
    handle: Handler,
    stop: threading.Event | None = None,
    batch: int = 100,
    idle: float = 1.0,
    max_attempts: int = 3,
    logger: Any | None = None,
) -> WorkerStats:
    """Advance due cases and hand their effects to ``handle`` until ``stop`` is set.

    Without ``stop`` it returns once nothing is due and no effect is pending (a
    cron job's single run). ``now`` is asked once per pass; the core never reads
    the clock. Each transition goes to the structlog audit trail (``logger``,
    default ``aftersales.worker``).
    """
    log = logger if logger is not None else structlog.get_logger("aftersales.worker")
    runner = Runner(casebook.policy, log)
    stats = WorkerStats()
    # A calendar that now has a year's notice (a file loaded since the last run)
    # moves the deadlines that were counted without it.
    for recount in casebook.recount_provisional():
        stats.recounted += recount.stored
        say = log.info if recount.stored else log.warning
        say(
            "deadline_recounted" if recount.stored else "deadline_recount_needs_a_person",
            case=recount.case_id,
            deadline=recount.before.name,
            before=recount.before.due.isoformat(),
            after=None if recount.after is None else recount.after.due.isoformat(),
            provisional=None if recount.after is None else recount.after.provisional,
        )
    while stop is None or not stop.is_set():
        stats.passes += 1
        at = instant(now())
        advanced = casebook._advance_due(at, batch)
        for before, after in advanced:
            runner._audit(before, after)  # after the commit: the trail never shows a rollback
        stats.advanced += len(advanced)
        handed = _hand_over(casebook, at, handle, batch, max_attempts, stop, log, stats)
        if not advanced and not handed:
            if stop is None:
                break
            stop.wait(idle)
    log.info("worker_stopped", **attrs.asdict(stats))
    return stats


def _hand_over(
    casebook: Casebook,
    at: pendulum.DateTime,
    handle: Handler,
    batch: int,
    max_attempts: int,
    stop: threading.Event | None,
    log: Any,
    stats: WorkerStats,
) -> int:
    handed = 0
    cases: dict[str, Case] = {}
    while handed < batch and (stop is None or not stop.is_set()):
        claimed = casebook._claim_effects(1, at)
        if not claimed:
            break
        entry = claimed[0]
        handed += 1
        stats.handed += 1
        fields = {
            "outbox_id": entry.id,
            "case": entry.case_id,
            "effect": type(entry.effect).__name__,
            "attempt": entry.attempts,
        }
        try:
            case = cases.get(entry.case_id) or casebook.case(entry.case_id)
        except UnknownCase:  # cannot happen: the outbox row was written with the case
            casebook._settle(entry.id, "failed", at, "the case is missing")
            stats.failed += 1
            continue
        cases[entry.case_id] = case
        try:
            handle(entry.effect, case)
        except OutcomeUnknown as exc:
            casebook._settle(entry.id, "unknown", at, str(exc))
            stats.unknown += 1
            log.warning("effect_outcome_unknown", **fields, note=str(exc))
        except Exception as exc:
            again = entry.attempts < max_attempts
            note = f"{type(exc).__name__}: {exc}"
            casebook._settle(entry.id, "pending" if again else "failed", at, note)
            if again:
                stats.retried += 1
            else:
                stats.failed += 1
            log.error("effect_failed", **fields, retry=again, note=note)
        else:
            casebook._settle(entry.id, "done", at, "")
            stats.done += 1
            log.info("effect_done", **fields)
    return handed
