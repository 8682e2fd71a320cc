"""``python -m benchmarks [--quick] [--json] [SUITE ...]``: all suites side by side in one run."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable

import attrs

from . import (
    board,
    board_stream,
    calendar,
    casebook,
    casebook_scale,
    engine,
    ingest,
    instructions,
    rendering,
    replay,
    reviews,
    startup,
)
from ._timing import Figure

SUITES: dict[str, Callable[..., list[Figure]]] = {
    "engine": engine.run,
    "working-days": calendar.run,
    "replay": replay.run,
    "board": board.run,
    "rendering": rendering.run,
    "casebook": casebook.run,
    "casebook-scale": casebook_scale.run,
    "startup": startup.run,
    "reviews": reviews.run,
}
#: Suites run only when named: they need tools or minutes the default run does not.
EXTRA_SUITES: dict[str, Callable[..., list[Figure]]] = {
    "instructions": instructions.run,
    "ingest": ingest.run,
    "ingest-stream": ingest.run_stream,
    "board-stream": board_stream.run,
}

#: Suite -> the contender whose rate the others are compared with.
BASELINES = {
    "engine": "aftersales",
    "instructions": "aftersales",
    "working days": "deadline_after (zone-aware)",
}


def _machine() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "system": platform.system(),
        "cpus": str(os.cpu_count()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats: under a minute")
    parser.add_argument("--json", action="store_true", help="print figures and ratios as JSON")
    parser.add_argument("suites", nargs="*", choices=[*SUITES, *EXTRA_SUITES, []], metavar="SUITE")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    figures: list[Figure] = []
    for name in args.suites or SUITES:
        if not args.json:
            print(f"running {name} ...", file=sys.stderr, flush=True)
        figures.extend({**SUITES, **EXTRA_SUITES}[name](quick=args.quick))
    rows = []
    for f in figures:
        base_name = BASELINES.get(f.suite)
        base = next((g for g in figures if g.suite == f.suite and g.name == base_name), None)
        ratio = None if base is None else base.per_second / f.per_second
        rows.append({**attrs.asdict(f), "aftersales_speedup": ratio})
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps({"machine": _machine(), "seconds": elapsed, "figures": rows}, indent=2))
        return 0
    print(f"machine: {_machine()}")
    for row in rows:
        ratio = row["aftersales_speedup"]
        versus = "" if ratio is None else f"  (ours is {ratio:.2f}x this)"
        note = f"  [{row['note']}]" if row["note"] else ""
        print(
            f"{row['suite']:<13} {row['name']:<42} {row['per_second']:>14,.0f} "
            f"{row['unit']}{versus}{note}"
        )
    print(f"{elapsed:.1f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
