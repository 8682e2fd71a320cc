"""The casebook's deadline index: "the next 100 due" on a store of 1,000,000 cases (SQLite).

The store is filled with synthetic rows by ``executemany`` (a small snapshot
text, a due instant spread over a year, a fifth of the cases final with no
deadline), not through the engine: the figure is the query, not the filling.
Reported as queries per second; the note gives the median milliseconds per query.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from aftersales.casebook import Casebook

from ._timing import Figure

_START = 1_772_000_000  # 2026-02-25 (UTC epoch seconds)
_YEAR = 365 * 24 * 3600


def _fill(path: Path, cases: int) -> None:
    Casebook.open(path).close()  # the library creates the schema
    import sqlite3

    rng = random.Random(42)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    chunk = 50_000
    for first in range(0, cases, chunk):
        rows = []
        for n in range(first, min(first + chunk, cases)):
            final = n % 5 == 0
            due = None if final else _START + rng.randrange(_YEAR)
            rows.append(
                (
                    f"R{n:09d}",
                    1,
                    "return_and_refund",
                    "SUCCESS" if final else "WAIT_SELLER_AGREE",
                    "SUCCESS" if final else "WAIT_SELLER_AGREE",
                    int(final),
                    due,
                    _START,
                    f"40{n:017d}",
                    0,
                    '{"synthetic": true}',
                )
            )
        conn.executemany(
            "INSERT INTO cases (case_id, version, kind, state, status, final, due_at, "
            "changed_at, order_id, aftersale, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def run(*, quick: bool) -> list[Figure]:
    cases = 100_000 if quick else 1_000_000
    repeats = 50 if quick else 200
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        started = time.perf_counter()
        _fill(path, cases)
        filled = time.perf_counter() - started
        with Casebook.open(path) as book:
            assert len(book.next_due(100)) == 100
            timings = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                due = book.next_due(100)
                timings.append(time.perf_counter() - t0)
            assert [d.due for d in due] == sorted(d.due for d in due)
    median_ms = statistics.median(timings) * 1000
    return [
        Figure(
            "casebook",
            f"next 100 due, SQLite, {cases:,} cases",
            1000 / median_ms,
            "queries/s",
            repeats,
            f"median {median_ms:.3f} ms per query; filled in {filled:.1f} s",
        )
    ]


if __name__ == "__main__":
    for figure in run(quick=True):
        print(figure)
