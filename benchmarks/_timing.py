"""Median-of-repeats timing shared by every suite."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

import attrs


@attrs.frozen
class Figure:
    """One contender's result: work units per second (median over repeats)."""

    suite: str
    name: str
    per_second: float
    unit: str
    repeats: int
    note: str = ""


def _round(run: Callable[[], int], min_time: float) -> float:
    """One round: ``run`` looped for at least ``min_time``, the collector paused; its rate."""
    gc.collect()
    gc.disable()
    try:
        units = 0
        start = time.perf_counter()
        while True:
            units += run()
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                return units / elapsed
    finally:
        gc.enable()


def per_second(run: Callable[[], int], *, repeats: int, min_time: float = 0.05) -> float:
    """Median rate of ``run`` (which returns how many units it did) over ``repeats`` rounds.

    Each round loops ``run`` until ``min_time`` has passed, so short runs are not
    dominated by timer resolution.
    """
    run()  # warm caches and lazy imports
    return statistics.median(_round(run, min_time) for _ in range(repeats))


def side_by_side(
    contenders: dict[str, Callable[[], int]], *, repeats: int, min_time: float = 0.05
) -> dict[str, float]:
    """Median rate of each contender, measured in interleaved rounds.

    Every round runs each contender once, in turn, so a burst of noise on a shared
    machine lands on all of them rather than on whichever ran at the time.
    """
    for run in contenders.values():
        run()  # warm caches and lazy imports
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, run in contenders.items():
            rates[name].append(_round(run, min_time))
    return {name: statistics.median(values) for name, values in rates.items()}
