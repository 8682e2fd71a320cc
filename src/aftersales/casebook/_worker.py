"""The worker: advance due cases, hand their effects to the shop, record what happened.

Two steps per pass. First, claim up to ``batch`` due cases (PostgreSQL locks
them with ``FOR UPDATE SKIP LOCKED`` so N workers share the load; SQLite's one
write lock serialises workers), advance them through the engine and store
them, effects into the outbox, in one transaction. Then hand the outbox's
pending effects over one at a time: each is marked ``handing`` (committed)
before the shop's ``handle`` runs and ``done`` after, so a worker killed in
between leaves a visible ``handing`` row rather than a silent doubt.

``handle`` raising :class:`OutcomeUnknown` parks the effect (``unknown``) for a
person: it is never handed over again by itself; :class:`EffectNotSent` parks it
(``failed``) at once with the reason (it certainly did not happen, and trying again
would not help). Any other exception means it did not happen; it is handed over
again, up to ``max_attempts``, then parked (``failed``). A handler that returns
text has it kept as the done effect's note (what it did, or why nothing was needed).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import pendulum

from ..core._case import Case
from ..core._effects import Effect
from ..core._instant import instant
from ._casebook import Casebook
from ._errors import EffectNotSent, OutcomeUnknown
from ._store import OutboxEntry, OutboxStatus

__all__ = ["WorkerStats", "run_worker"]

Handler = Callable[[Effect, Case], object]


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
    batch: int = 500,
    hand_batch: int = 1,
    idle: float = 1.0,
    max_attempts: int = 3,
    logger: Any | None = None,
) -> WorkerStats:
    """Advance due cases and hand their effects to ``handle`` until ``stop`` is set.

    Without ``stop`` it returns once nothing is due and no effect is pending (a
    cron job's single run). ``now`` is asked once per pass; the core never reads
    the clock. Each transition goes to the structlog audit trail (``logger``,
    default ``aftersales.worker``) at debug level, with one ``worker_pass`` line
    per pass at info.

    ``hand_batch`` effects are marked ``handing`` in one transaction and their
    outcomes recorded in one: a worker SIGKILLed mid-batch leaves up to that many
    effects ``handing`` for a person (1, the default: only the one being handed
    over). Each pass hands over at least as many effects as it made.
    """
    if logger is None:
        import structlog  # here: ingest and the board import this module, not structlog

        logger = structlog.get_logger("aftersales.worker")
    bind = getattr(logger, "bind", None)
    # once: structlog's lazy proxy binds itself again on every call
    log = logger if bind is None else bind()
    # the per-transition and per-effect lines' fields are not even built when debug
    # lines go nowhere (the default level)
    enabled = getattr(log, "is_enabled_for", None)
    debug = True if enabled is None else bool(enabled(logging.DEBUG))
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
    busy = True
    while stop is None or not stop.is_set():
        stats.passes += 1
        at = instant(now())
        advanced = casebook._advance_batch(at, batch)
        cases: dict[str, Case] = {}
        known: dict[tuple[str, int, int], Effect] = {}
        produced = 0
        for change in advanced:
            # after the commit: the trail never shows a rollback; one line per transition
            # at debug level, the pass's counts at info
            if debug:
                _audit(log, change.before, change.after)
            case_id = change.after.id
            cases[case_id] = change.after
            for position, effect in enumerate(change.effects):
                known[case_id, change.version, position] = effect
            produced += len(change.effects)
        stats.advanced += len(advanced)
        # Hand over at least as many effects as this pass made, so the outbox never
        # grows pass after pass on a busy casebook.
        done_before = attrs.asdict(stats)
        handed = _hand_over(
            casebook,
            at,
            handle,
            max(batch, produced),
            hand_batch,
            max_attempts,
            stop,
            log,
            stats,
            cases,
            known,
        )
        if advanced or handed:
            log.info(
                "worker_pass",
                advanced=len(advanced),
                handed=handed,
                **{
                    k: v - done_before[k]
                    for k, v in attrs.asdict(stats).items()
                    if k in ("done", "unknown", "retried", "failed")
                },
            )
        if not advanced and not handed:
            if stop is None:
                break
            if busy:  # once each time it falls idle: a quiet worker is waiting, not hung
                _say_idle(casebook, log, idle)
            busy = False
            stop.wait(idle)
        else:
            busy = True
    log.info("worker_stopped", **attrs.asdict(stats))
    return stats


def _say_idle(casebook: Casebook, log: Any, idle: float) -> None:
    """Log that nothing is due, and when the next case is."""
    soonest = casebook.next_due(1)
    log.info(
        "worker_idle",
        next_case=soonest[0].case_id if soonest else None,
        next_due=soonest[0].due.isoformat() if soonest else None,
        checking_every=f"{idle:g} s",
    )


def _audit(log: Any, before: Case, after: Case) -> None:
    """The transitions of one advanced case, as ``Runner`` writes them, at debug level."""
    for record in after.history[len(before.history) :]:
        log.debug(
            "transition",
            case=after.id,
            kind=after.kind.value,
            at=record.at.isoformat(),
            **{"from": record.source.value, "to": record.target.value},
            trigger=record.trigger,
            event_id=record.event_id,
            rule=record.rule,
        )


def _hand_over(
    casebook: Casebook,
    at: pendulum.DateTime,
    handle: Handler,
    most: int,
    batch: int,
    max_attempts: int,
    stop: threading.Event | None,
    log: Any,
    stats: WorkerStats,
    cases: dict[str, Case],
    known: Mapping[tuple[str, int, int], Effect],
) -> int:
    """Hand over up to ``most`` pending effects, ``batch`` at a time.

    Each batch is marked ``handing`` in one transaction before any of it is handed
    over, and its outcomes are recorded after, in the transaction that claims the next
    batch (one commit per step: an outcome is still recorded before the next effect is
    handed over). A worker killed in between leaves the batch ``handing``, in plain
    sight; an exception that ends the worker (or a stop) puts the effects not handed
    over yet back to ``pending`` and records the outcomes so far first, leaving only
    the effect being handed over in doubt.
    """
    handed = 0
    results: list[tuple[int, OutboxStatus, str]] = []
    unreadable: dict[str, str] = {}
    while handed < most and (stop is None or not stop.is_set()):
        claimed = casebook._claim_effects(
            min(batch, most - handed), at, settle=results, known=known
        )
        results = []
        if not claimed:
            break
        # looked up one by one: ``set - cases.keys()`` would copy every key per batch
        missing = {e.case_id for e in claimed if e.case_id not in cases}
        if missing:  # a case that cannot be read fails its effects, not the worker
            cases.update(casebook.cases_by_id(missing, unreadable=unreadable))
        pending = [e.id for e in claimed]
        try:
            for entry in claimed:
                if stop is not None and stop.is_set():
                    break
                pending.pop(0)
                results.append(
                    _hand_one(entry, cases, unreadable, handle, max_attempts, log, stats)
                )
                handed += 1
        except BaseException:
            # the handler's own exceptions are outcomes; this is the worker ending
            # mid-hand-over (a crash, Ctrl-C): the effect being handed over stays
            # ``handing``, the rest of the batch goes back to ``pending``
            casebook._settle_many(results, at)
            casebook._release(pending)
            raise
        if pending:  # stopped mid-batch
            casebook._settle_many(results, at)
            casebook._release(pending)
            return handed
    casebook._settle_many(results, at)
    return handed


def _hand_one(
    entry: OutboxEntry,
    cases: dict[str, Case],
    unreadable: dict[str, str],
    handle: Handler,
    max_attempts: int,
    log: Any,
    stats: WorkerStats,
) -> tuple[int, OutboxStatus, str]:
    stats.handed += 1
    fields = {
        "outbox_id": entry.id,
        "case": entry.case_id,
        "effect": type(entry.effect).__name__,
        "attempt": entry.attempts,
    }
    case = cases.get(entry.case_id)
    if case is None:  # the outbox row was written with the case: only damage does this
        stats.failed += 1
        note = unreadable.get(entry.case_id, "the case is missing")
        log.error("effect_failed", **fields, retry=False, note=note)
        return entry.id, "failed", note
    try:
        said = handle(entry.effect, case)
    except OutcomeUnknown as exc:
        stats.unknown += 1
        log.warning("effect_outcome_unknown", **fields, note=str(exc))
        return entry.id, "unknown", str(exc)
    except EffectNotSent as exc:
        stats.failed += 1
        log.error("effect_not_sent", **fields, retry=False, note=str(exc))
        return entry.id, "failed", f"not sent: {exc}"
    except Exception as exc:
        again = entry.attempts < max_attempts
        note = f"{type(exc).__name__}: {exc}"
        if again:
            stats.retried += 1
        else:
            stats.failed += 1
        log.error("effect_failed", **fields, retry=again, note=note)
        return entry.id, "pending" if again else "failed", note
    stats.done += 1
    log.debug("effect_done", **fields)
    return entry.id, "done", said if isinstance(said, str) else ""
