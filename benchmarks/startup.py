"""Start-up: how long a command takes from launch to exit, against ``python -c pass``.

Each contender is a fresh process (the installed ``aftersales`` script, or
``python -c``), run in interleaved rounds so a burst of noise on a shared machine
lands on all of them; the figure is the median wall time. ``python -m benchmarks
startup`` (21 rounds; ``--quick``: 11).

``AFTERSALES_BENCH_BEFORE=/path/to/other/src`` adds the same contenders (but the
floor) run with that source tree first on ``PYTHONPATH`` (an older checkout: ``git archive REV |
tar -x -C /tmp/before``), measured in the same rounds, for a before/after table.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ._timing import Figure

ROOT = Path(__file__).resolve().parent.parent
#: ``aftersales timeline <scenario>`` runs this one.
SCENARIO = "examples/scenarios/return-seller-silent.json"


def _aftersales() -> list[str]:
    script = Path(sys.executable).parent / "aftersales"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from aftersales.cli import main; sys.exit(main())"]


def contenders() -> dict[str, list[str]]:
    """Name -> command line, run from the project folder."""
    cli = _aftersales()
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import aftersales'": [sys.executable, "-c", "import aftersales"],
        "aftersales --help": [*cli, "--help"],
        "aftersales rules": [*cli, "rules"],
        "aftersales timeline <scenario>": [*cli, "timeline", SCENARIO],
    }


def _once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def run(*, quick: bool) -> list[Figure]:
    rounds = 11 if quick else 21
    runs = {name: (argv, dict(os.environ)) for name, argv in contenders().items()}
    before = os.environ.get("AFTERSALES_BENCH_BEFORE")
    if before:
        env = {**os.environ, "PYTHONPATH": before}
        runs |= {
            f"{name} (before)": (argv, env)
            for name, argv in contenders().items()
            if name != "python -c pass"
        }
    for argv, env in runs.values():
        _once(argv, env)  # warm the file cache
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (argv, env) in runs.items():
            seconds[name].append(_once(argv, env))
    floor = statistics.median(seconds["python -c pass"])
    figures = []
    for name, values in seconds.items():
        median = statistics.median(values)
        note = f"median {median * 1000:.0f} ms"
        if name != "python -c pass":
            note += f", {(median - floor) * 1000:.0f} ms over python -c pass"
        figures.append(Figure("startup", name, 1 / median, "starts/s", rounds, note))
    return figures
