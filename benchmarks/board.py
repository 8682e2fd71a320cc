"""The action board over 10k, 100k and 1M open cases: time and peak memory.

Two inputs. Full cases (``Case``), as a shop's own code holds them, at 10k and
100k. And ``CaseSummary`` rows, what a store keeps per open case for the board,
at 10k, 100k and 1M: a large shop's board reads those, not a million cases.
Both are made from real engine cases (every open state of the return-and-refund
workflow) copied with new IDs and deadlines spread over two weeks. Time is
measured without tracing; the board's own peak memory is measured in a second
pass under ``tracemalloc``; the process's peak resident size is reported too.
"""

from __future__ import annotations

import resource
import time
import tracemalloc
from collections.abc import Sequence

import attrs
import pendulum

from aftersales import Case, open_case, step
from aftersales.board import CaseSummary, board, summarize
from aftersales.core._case import evolve_case

from . import engine
from ._timing import Figure

AT = pendulum.datetime(2026, 3, 9, 12, tz="Asia/Shanghai")


def _templates() -> list[Case]:
    """One open case per waiting state of the return workflow, with its own deadline."""
    out: list[Case] = []
    for req, evs, _ in engine.scripts(40):
        case, _ = open_case(req, engine.POLICY)
        out.append(case)
        for event in evs[:2]:
            case, _ = step(case, event, engine.POLICY)
            out.append(case)
    return [c for c in out if not c.is_final]


def _shift(i: int) -> int:
    return (i * 7919) % (14 * 24 * 60)  # minutes, scattered over two weeks


def cases(n: int) -> list[Case]:
    templates = _templates()
    out = []
    for i in range(n):
        base = templates[i % len(templates)]
        assert base.deadline is not None
        deadline = attrs.evolve(base.deadline, due=base.deadline.due.add(minutes=_shift(i)))
        out.append(evolve_case(base, {"id": f"C{i:07d}", "deadline": deadline}))
    return out


def summaries(n: int) -> list[CaseSummary]:
    templates = [s for s in map(summarize, _templates()) if s is not None]
    out = []
    for i in range(n):
        base = templates[i % len(templates)]
        assert base.due is not None
        due = base.due.add(minutes=_shift(i))
        out.append(base._replace(case_id=f"C{i:07d}", due=due, due_ts=due.timestamp()))
    return out


def _measure(kind: str, items: Sequence[Case | CaseSummary], repeats: int) -> Figure:
    n = len(items)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = board(items, AT)
        times.append(time.perf_counter() - start)
        assert len(result.actions) == n
        del result
    seconds = sorted(times)[len(times) // 2]
    tracemalloc.start()
    board(items, AT)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return Figure(
        "board",
        f"{n:,} {kind}",
        n / seconds,
        "rows/s",
        repeats,
        f"{seconds:.2f} s; board's own peak {peak / 2**20:.0f} MiB; process peak {rss:.0f} MiB",
    )


def run(*, quick: bool) -> list[Figure]:
    sizes = (10_000, 100_000) if quick else (10_000, 100_000, 1_000_000)
    figures = [_measure("summaries", summaries(n), 3) for n in sizes]
    figures.extend(_measure("full cases", cases(n), 3) for n in (10_000, 100_000))
    return figures
