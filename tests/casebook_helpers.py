"""Synthetic cases and the child processes of the casebook tests (writers, ingesters, workers)."""

from __future__ import annotations

import json
import multiprocessing
import random
import time
import warnings
from collections.abc import Callable
from decimal import Decimal
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pendulum
import structlog

from aftersales import (
    BuyerRefunded,
    Case,
    Effect,
    Event,
    Kind,
    Order,
    RefundRequested,
    SellerAgreed,
)
from aftersales.casebook import Casebook, DatabaseGone, run_worker
from aftersales.core._serialize import converter

SH = pendulum.timezone("Asia/Shanghai")
BASE = pendulum.datetime(2026, 3, 2, 9, tz=SH)
#: Late enough that every synthetic case's timers have fired.
LATER = pendulum.datetime(2026, 5, 1, tz=SH)


def quiet() -> Any:
    """A structlog logger that writes nothing (the trail's format is tested elsewhere)."""
    return structlog.wrap_logger(structlog.ReturnLogger())


def amount(i: int) -> Decimal:
    return Decimal(10 + i % 37) + Decimal("0.50")


def case_events(i: int) -> list[tuple[str, Event]]:
    """Case ``C<i>``: a refund before shipment; every third one the seller agrees at once,
    the others are left to the 2-day timer (PRE-AUTO-2D), which a worker fires."""
    paid = BASE.add(minutes=7 * i)
    order = Order(id=f"T{i}", paid="99.50", paid_at=paid)
    case_id = f"C{i:05d}"
    request = RefundRequested(
        id=f"{case_id}:req",
        at=paid.add(hours=1),
        case_id=case_id,
        kind=Kind.REFUND_BEFORE_SHIPMENT,
        order=order,
        amount=amount(i),
        reason="不想要了",
    )
    events: list[tuple[str, Event]] = [(case_id, request)]
    if i % 3 == 0:
        events.append((case_id, SellerAgreed(id=f"{case_id}:agreed", at=paid.add(hours=2))))
    return events


def fork() -> multiprocessing.context.ForkContext:
    return multiprocessing.get_context("fork")


def start(target: Callable[..., None], *args: object) -> BaseProcess:
    with warnings.catch_warnings():  # 3.12+ warns about fork when threads run; none do here
        warnings.simplefilter("ignore", DeprecationWarning)
        process: BaseProcess = fork().Process(target=target, args=args, daemon=True)
        process.start()
    return process


def refunds_handed(effect: Effect, case: Case) -> dict[str, Any] | None:
    if isinstance(effect, BuyerRefunded):
        return {"case": case.id, "amount": str(effect.amount)}
    return None


def clock(at: pendulum.DateTime) -> Callable[[], pendulum.DateTime]:
    """A clock stopped at ``at``."""
    return lambda: at


# -- child processes --------------------------------------------------------------------------


def writer(where: str, seed: int, hand_batch: int = 1) -> None:
    """Ingest new cases and run worker passes, forever (until killed)."""
    rng = random.Random(seed)
    book = Casebook.open(where)
    i = book.count() + 1000 * seed
    while True:
        book.ingest_events(case_events(i))
        now = clock(BASE.add(minutes=7 * i, days=rng.choice([0, 1, 3])))
        run_worker(
            book, now=now, handle=lambda e, c: None, logger=quiet(), batch=5, hand_batch=hand_batch
        )
        i += 1


def acknowledging_writer(where: str, seed: int, out: str) -> None:
    """As ``writer``, and write each case's ID to ``out`` once the store said it was
    stored; stop quietly when the server goes away."""
    import psycopg

    rng = random.Random(seed)
    with Path(out).open("a", encoding="utf-8") as told:
        try:
            book = Casebook.open(where)
            i = book.count() + 1000 * (seed + 1)
            while True:
                events = case_events(i)
                if book.ingest_events(events).new:
                    told.write(f"{events[0][0]}\n")
                    told.flush()
                now = clock(BASE.add(minutes=7 * i, days=rng.choice([0, 1, 3])))
                run_worker(book, now=now, handle=lambda e, c: None, logger=quiet(), batch=5)
                i += 1
        except (psycopg.OperationalError, DatabaseGone):  # the casebook says it in one line
            return


def ingester(where: str, numbers: list[int], seed: int) -> None:
    """Ingest the events of the numbered cases, in a shuffled order."""
    book = Casebook.open(where)
    numbers = list(numbers)
    random.Random(seed).shuffle(numbers)
    for i in numbers:
        report = book.ingest_events(case_events(i))
        assert report.rejected == 0, [str(o) for o in report.rejections]
    book.close()


def worker(where: str, out: str, finished: Any) -> None:
    """Advance and hand over until ``finished`` is set, then drain once more.

    Every BuyerRefunded handed over is written to ``out`` (one JSON line each).
    """
    book = Casebook.open(where)
    with Path(out).open("a", encoding="utf-8") as handed:

        def handle(effect: Effect, case: Case) -> None:
            line = refunds_handed(effect, case)
            if line is not None:
                handed.write(json.dumps(line) + "\n")
                handed.flush()

        while True:
            last = finished.is_set()
            run_worker(
                book, now=lambda: LATER, handle=handle, logger=quiet(), batch=3, hand_batch=3
            )
            if last:
                break
            time.sleep(0.01)
    book.close()


def effect_json(effect: Effect) -> str:
    return json.dumps(converter.unstructure(effect), sort_keys=True)
