"""The action board over 10k, 100k and 1M open cases: time and peak memory.

The cases are generated from real engine cases (every open state of the
return-and-refund workflow, deadlines spread over two weeks), then copied with
new IDs, so generation is cheap and the board sees realistic values. Time is
measured without tracing; peak memory is measured in a second pass under
``tracemalloc`` (the board's own allocations, not the cases').
"""

from __future__ import annotations

import time
import tracemalloc

import pendulum

from aftersales import Case, open_case, step
from aftersales._case import evolve_case
from aftersales.board import board

from . import engine
from ._timing import Figure


def _templates() -> list[Case]:
    """One open case per waiting state of the return workflow, with its own deadline."""
    out: list[Case] = []
    for req, evs, _ in engine.scripts(40):
        case, _ = open_case(req, engine.POLICY)
        out.append(case)
        if evs:
            agreed, _ = step(case, evs[0], engine.POLICY)
            out.append(agreed)
        if len(evs) > 1:
            shipped, _ = step(agreed, evs[1], engine.POLICY)
            out.append(shipped)
    return [c for c in out if not c.is_final]


def shop(n: int) -> list[Case]:
    """``n`` open cases whose deadlines spread over two weeks."""
    templates = _templates()
    cases = []
    for i in range(n):
        base = templates[i % len(templates)]
        assert base.deadline is not None
        shift = (i * 7919) % (14 * 24 * 60)  # minutes, scattered
        deadline = evolve_deadline(base, shift)
        cases.append(evolve_case(base, {"id": f"C{i:07d}", "deadline": deadline}))
    return cases


def evolve_deadline(case: Case, minutes: int) -> object:
    import attrs

    assert case.deadline is not None
    return attrs.evolve(case.deadline, due=case.deadline.due.add(minutes=minutes))


AT = pendulum.datetime(2026, 3, 9, 12, tz="Asia/Shanghai")


def run(*, quick: bool) -> list[Figure]:
    sizes = (10_000, 100_000) if quick else (10_000, 100_000, 1_000_000)
    figures: list[Figure] = []
    for n in sizes:
        cases = shop(n)
        repeats = 3 if n < 1_000_000 else 1
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = board(cases, AT)
            times.append(time.perf_counter() - start)
        assert len(result.actions) == n
        seconds = sorted(times)[len(times) // 2]
        tracemalloc.start()
        board(cases, AT)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures.append(
            Figure(
                "board",
                f"{n:,} open cases",
                n / seconds,
                "cases/s",
                repeats,
                f"{seconds:.2f} s, board's peak memory {peak / 2**20:.0f} MiB",
            )
        )
        del cases, result
    return figures
