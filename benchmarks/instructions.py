"""The engine contenders counted in CPU instructions (valgrind's callgrind), not seconds.

Timings on a shared machine move by 10-30% from run to run (up to 2x when other
work shares it); instruction counts for the same interpreter, inputs and hash seed
repeat to a fraction of a percent, so a change to the engine can be judged on them.
Each contender runs in its own process under callgrind twice, once with no pass
and once with ``passes`` passes over the same 200 cases as the engine suite;
the difference divided by the events is the cost of one event, start-up
excluded. Instructions are not time (a cache miss costs more than an add), so
the timed engine suite stays the figure of record.

Not in the default run (a few minutes): ``python -m benchmarks instructions``.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from . import engine
from ._timing import Figure

_ROOT = Path(__file__).resolve().parent.parent
_COLLECTED = re.compile(r"Collected : (\d+)")
_CASES = 200


def _count(name: str, passes: int) -> int:
    """Instructions a process running ``passes`` passes of ``name`` executes."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "benchmarks.instructions",
            name,
            str(passes),
        ],
        cwd=_ROOT,
        # str hashes are salted per process; a fixed seed makes dict probing, and so
        # the counts, the same from run to run
        env={**os.environ, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no instruction count for {name}:\n{done.stderr}")
    return int(found.group(1))


def _drive(name: str, passes: int) -> None:
    batch = engine.scripts(_CASES)
    run = engine.CONTENDERS[name]
    run(batch)  # imports and caches warm in both processes alike
    for _ in range(passes):
        run(batch)


def run(*, quick: bool) -> list[Figure]:
    if shutil.which("valgrind") is None:
        raise SystemExit("the instructions suite needs valgrind (Debian: apt install valgrind)")
    passes = 1 if quick else 3
    events = engine.events_in(engine.scripts(_CASES)) * passes
    jobs = [(name, n) for name in engine.CONTENDERS for n in (0, passes)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = dict(zip(jobs, pool.map(lambda job: _count(*job), jobs), strict=True))
    figures = []
    for name in engine.CONTENDERS:
        per_event = (counts[name, passes] - counts[name, 0]) / events
        figures.append(
            Figure(
                "instructions",
                name,
                1e9 / per_event,
                "events per 10^9 instructions",
                1,
                f"{per_event:,.0f} instructions per event",
            )
        )
    return figures


if __name__ == "__main__":
    _drive(sys.argv[1], int(sys.argv[2]))
