"""``aftersales ingest`` of a generated refund export, beside its floor (SQLite, PostgreSQL).

Each size is a generated ``taobao.refunds.receive.get`` export (``exports.py``:
unique 19-digit IDs, every status of the example file, one record in 50 one the
adapter rejects). Two contenders, each a child process of its own, so its peak
resident size is its own (``os.wait4``):

- ``ingest``: the command a shop runs, ``aftersales ingest --casebook DB FILE``,
  into a new casebook; wall time of the whole process.
- ``floor``: the same rows the ingest wrote (read back from its casebook before the
  clock starts), written with bare ``executemany`` in one transaction into a new
  casebook of the same schema and settings, after ``json.load`` of the export;
  timed from the load to the commit.

The ratio is ingest time over floor time. ``AFTERSALES_BENCH_BEFORE=/path/to/other/src``
adds that tree's ingest (first on ``PYTHONPATH``) into a casebook of its own, in the same
run, against the same floor. PostgreSQL runs when its server
binaries are found (a throwaway server on loopback, ``tests/casebook_pg.py``,
committing synchronously; fsync is off for both contenders alike).

``ingest-stream`` (named only) ingests a 200 MB export (376,054 records) into
SQLite and PostgreSQL: time and peak memory, floor beside it.
"""

from __future__ import annotations

import compileall
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import exports
from ._timing import Figure

#: The rows ``aftersales ingest`` writes, per table, as the store writes them.
TABLES = {
    "cases": "case_id, version, kind, state, status, final, due_at, changed_at, held, "
    "snapshot, order_id, aftersale",
    "events": "case_id, seq, event_id, type, at, version, body",
    "outbox": "case_id, version, position, type, body",
    "board_rows": "case_id, workflow, state, timer, due_us, due_tz, due_at, who, rule, "
    "outstanding, provisional",
}
STREAM_RECORDS = 376_054  # the 200 MB export of the issue


def _child(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run ``python args``; wall seconds, peak resident MiB, standard output."""
    import subprocess

    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if code not in (0, 1):  # 1: some records rejected, as generated
        raise RuntimeError(f"{args} exited {code}: {text[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, text


def _ingest(
    where: str, export: Path, env: dict[str, str], *options: str
) -> tuple[float, float, str]:
    code = "import sys; from aftersales.cli import main; sys.exit(main())"
    return _child(["-c", code, "ingest", *options, "--casebook", where, str(export)], env)


def _floor(where: str, export: Path) -> tuple[float, float]:
    _, rss, text = _child(["-m", "benchmarks.ingest", "floor", where, str(export)])
    return float(text.strip().splitlines()[-1]), rss


# -- the floor (run in the child) ---------------------------------------------------------------


def _connect(where: str) -> Any:
    if where.startswith("postgresql://"):
        import psycopg

        return psycopg.connect(where, autocommit=True)
    conn = sqlite3.connect(where, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")  # the store's settings
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA wal_autocheckpoint = 16384")
    return conn


def floor(where: str, export: Path) -> float:
    """Read back what the ingest wrote, empty the tables, then time load + write."""
    pg = where.startswith("postgresql://")
    conn = _connect(where)
    rows = {
        table: [tuple(r) for r in conn.execute(f"SELECT {cols} FROM {table}").fetchall()]
        for table, cols in TABLES.items()
    }
    for table in ("board_rows", "outbox", "events", "cases"):
        conn.execute(f"DELETE FROM {table}")
    if not pg:
        conn.execute("VACUUM")
    mark = "%s" if pg else "?"
    started = time.perf_counter()
    with export.open("rb") as f:
        json.load(f)
    cursor = conn.cursor()
    cursor.execute("BEGIN")
    for table, cols in TABLES.items():
        marks = ", ".join([mark] * len(cols.split(",")))
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows[table])
    cursor.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


# -- the suite ----------------------------------------------------------------------------------


@contextmanager
def _postgres() -> Iterator[str | None]:
    try:
        from tests.casebook_pg import find_binaries, postgres_server
    except ImportError:
        yield None
        return
    if find_binaries() is None:
        yield None
        return
    with postgres_server(durable=True) as server:
        yield server.url


def _reset(url: str) -> None:
    from tests.casebook_pg import reset

    reset(url)


def _trees() -> list[tuple[str, dict[str, str], tuple[str, ...]]]:
    """This tree (its default, one process per CPU for an export of two pages or more,
    and ``--jobs 1``), and ``AFTERSALES_BENCH_BEFORE`` (another ``src``) when set."""
    before = os.environ.get("AFTERSALES_BENCH_BEFORE")
    # each tree byte-compiled first: a run that compiles (or, with PYTHONDONTWRITEBYTECODE,
    # compiles every time) would time the compiler
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "src", quiet=1)
    if before:
        compileall.compile_dir(before, quiet=1)
    return [("", {}, ()), (" (--jobs 1)", {}, ("--jobs", "1"))] + (
        [(" (before)", {"PYTHONPATH": before}, ())] if before else []
    )


def _settle() -> None:
    """Each contender starts alike: the last one's writes on disk, not still being
    written back beside this one (a 100k casebook is over 600 MiB)."""
    os.sync()


def _remove(db: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)


def _figures(backend: str, n: int, where: str, export: Path) -> list[Figure]:
    """Each tree's ingest into a new casebook, then the floor of this tree's rows."""
    ingests = []
    trees = list(reversed(_trees()))  # this tree's default last: the floor writes its rows
    for i, (suffix, env, options) in enumerate(trees):
        if backend == "PostgreSQL":
            _reset(where)
        target = where if backend == "PostgreSQL" else f"{where}.{i}"
        _settle()
        ingests.append((suffix, _ingest(target, export, env, *options)))
        if backend == "SQLite" and i < len(trees) - 1:
            _remove(target)
    _settle()
    floor_seconds, floor_rss = _floor(target, export)
    size = export.stat().st_size / 2**20
    label = f"{n:,} records ({size:.0f} MiB), {backend}"
    figures = [
        Figure(
            "ingest",
            f"floor, {label}",
            n / floor_seconds,
            "records/s",
            1,
            f"{floor_seconds:.1f} s (json.load + executemany), peak {floor_rss:.0f} MiB",
        )
    ]
    for suffix, (seconds, rss, text) in reversed(ingests):
        counts = text.strip().splitlines()[0] if text.strip() else ""
        figures.append(
            Figure(
                "ingest",
                f"ingest, {label}{suffix}",
                n / seconds,
                "records/s",
                1,
                f"{seconds:.1f} s, peak {rss:.0f} MiB; {seconds / floor_seconds:.1f}x the "
                f"floor; {counts}",
            )
        )
    return figures


def run(*, quick: bool, sizes: tuple[int, ...] | None = None) -> list[Figure]:
    sizes = sizes or ((1_000,) if quick else (10_000, 100_000))
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder, _postgres() as pg:
        for n in sizes:
            export = exports.write(Path(folder) / f"refunds-{n}.json", n)
            db = Path(folder) / f"book-{n}.sqlite"
            figures += _figures("SQLite", n, str(db), export)
            if pg is not None:
                figures += _figures("PostgreSQL", n, pg, export)
            export.unlink()
    return figures


def run_stream(*, quick: bool) -> list[Figure]:
    return run(quick=quick, sizes=(10_000 if quick else STREAM_RECORDS,))


if __name__ == "__main__":
    if sys.argv[1:2] == ["floor"]:
        print(floor(sys.argv[2], Path(sys.argv[3])))
    else:
        for figure in run(quick="--quick" in sys.argv):
            print(figure)
