"""``board --casebook`` and ``worker --once`` on large generated casebooks, SQLite and PostgreSQL.

The casebook is generated: a few dozen real cases made by the engine (return
requests waiting for the seller, the buyer's return, the seller's receipt;
refunds before shipment waiting for the seller), each stored in the library's
own forms (snapshot, events, the board's projection row), copied with new case
and order IDs by bulk insert (``executemany``; PostgreSQL ``COPY``). The figures
are the commands as a shop runs them, in a child process: wall time and the
child's peak resident size (``ru_maxrss``); the worker's log lines are counted.

``python -m benchmarks casebook-scale`` (10k and 100k open cases, the worker over
7,000 due ones; ``--quick``: 10k and 2,000). ``AFTERSALES_BENCH_PG=postgresql://...``
adds PostgreSQL (a throwaway server is started when the binaries are found), and
``AFTERSALES_BENCH_1M=1`` the 1,000,000-case board, and
``AFTERSALES_BENCH_BEFORE=/path/to/other/src`` the same commands run with that source
tree first on ``PYTHONPATH`` (``git archive REV | tar -x -C /tmp/before``), on the same
generated casebooks in the same run.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum

from aftersales import BuyerShippedReturn, Kind, Order, RefundRequested, SellerAgreed, preset
from aftersales.core._engine import open_case, step
from aftersales.core._serialize import case_to_json

from ._timing import Figure

SH = pendulum.timezone("Asia/Shanghai")
POLICY = preset("taobao")
START = pendulum.datetime(2026, 3, 2, 10, tz=SH)
#: The board's instant: before every generated deadline (a worker keeps up).
BOARD_AT = "2026-03-02T09:00:00+08:00"
#: The worker's instant: every "due" case's timer has fired by then.
WORKER_AT = "2026-04-30T00:00:00+08:00"
_CASE = "CASE0000000000"
_ORDER = "4000000000000000000"


def _templates(count: int, *, due: bool) -> list[Any]:
    """Real cases with placeholder IDs: open ones (board) or refunds awaiting the seller."""
    out = []
    for i in range(count):
        t0 = START.add(minutes=37 * i) if not due else START.subtract(days=20, minutes=37 * i)
        kind = Kind.REFUND_BEFORE_SHIPMENT if due or i % 4 == 3 else Kind.RETURN_AND_REFUND
        order = Order(
            id=_ORDER,
            paid="199.00",
            paid_at=t0.subtract(days=10),
            shipped_at=None if kind is Kind.REFUND_BEFORE_SHIPMENT else t0.subtract(days=9),
            signed_at=None if kind is Kind.REFUND_BEFORE_SHIPMENT else t0.subtract(days=7),
        )
        request = RefundRequested(
            id=f"{_CASE}:r", at=t0, case_id=_CASE, kind=kind, order=order,
            amount=str(Decimal(100 + i % 50) + Decimal("0.90")),
        )  # fmt: skip
        case, _ = open_case(request, POLICY)
        stage = 0 if due or kind is Kind.REFUND_BEFORE_SHIPMENT else i % 3
        if stage >= 1:
            case, _ = step(case, SellerAgreed(id=f"{_CASE}:a", at=t0.add(hours=3)), POLICY)
        if stage >= 2:
            shipped = BuyerShippedReturn(
                id=f"{_CASE}:s", at=t0.add(days=1), carrier="SF", tracking="SF0000000001"
            )
            case, _ = step(case, shipped, POLICY)
        out.append(case)
    return out


def _rows(case: Any, n: int) -> tuple[list[Any], list[list[Any]], list[Any] | None]:
    """The rows of copy ``n`` of a template: the case, its events, its board row."""
    from aftersales.casebook._codec import epoch, event_to_json, row_of

    case_id, order_id = f"B{n:013d}", f"41{n:017d}"

    def swap(text: str) -> str:
        return text.replace(_CASE, case_id).replace(_ORDER, order_id)

    columns = row_of(case)
    columns["order_id"] = order_id
    case_row = [case_id, 1, *columns.values(), swap(case_to_json(case))]
    events = [
        [case_id, seq, swap(e.id), e.type, epoch(e.at), 1, swap(event_to_json(e))]
        for seq, e in enumerate(case.log, start=1)
    ]
    board = None
    with contextlib.suppress(ImportError):
        from aftersales.casebook._projection import summary_row

        row = summary_row(case)
        board = None if row is None else [case_id, *row[1:]]
    return case_row, events, board


_CASE_COLUMNS = (
    "case_id, version, kind, state, status, final, due_at, changed_at, order_id, aftersale, "
    "snapshot"
)
_EVENT_COLUMNS = "case_id, seq, event_id, type, at, version, body"
_BOARD_COLUMNS = (
    "case_id, workflow, state, timer, due_us, due_tz, who, rule, outstanding, provisional, due_at"
)


def fill(where: str, cases: int, *, due: bool = False) -> None:
    """Write ``cases`` generated cases into the casebook at ``where`` (schema by the library)."""
    from aftersales.casebook import Casebook

    Casebook.open(where).close()
    templates = _templates(60, due=due)
    # the rows of each template once, then copies with the IDs swapped by text
    shapes = [_rows(t, 0) for t in templates]

    def chunk(first: int, last: int) -> tuple[list[Any], list[Any], list[Any]]:
        cs: list[Any] = []
        es: list[Any] = []
        bs: list[Any] = []
        for n in range(first, last):
            case_row, events, board = shapes[n % len(shapes)]
            cid, oid = f"B{n:013d}", f"41{n:017d}"
            old = case_row[0]

            def swap(v: str, old: str = old, cid: str = cid, oid: str = oid) -> str:
                return v.replace(old, cid).replace("41" + "0" * 17, oid)

            cs.append([cid, *case_row[1:-3], oid, case_row[-2], swap(case_row[-1])])
            es.extend([cid, e[1], swap(e[2]), *e[3:6], swap(e[6])] for e in events)
            if board is not None:
                bs.append([cid, *board[1:]])
        return cs, es, bs

    pg = where.startswith("postgresql://")
    if pg:
        import psycopg

        with psycopg.connect(where) as conn, conn.cursor() as cur:
            has_board = cur.execute("SELECT to_regclass('board_rows')").fetchone()[0] is not None  # type: ignore[index]
            for first in range(0, cases, 50_000):
                cs, es, bs = chunk(first, min(cases, first + 50_000))
                for table, columns, rows in (
                    ("cases", _CASE_COLUMNS, cs),
                    ("events", _EVENT_COLUMNS, es),
                    ("board_rows", _BOARD_COLUMNS, bs if has_board else []),
                ):
                    if rows:
                        with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
            cur.execute("ANALYZE")
        return
    lite = sqlite3.connect(where, isolation_level=None)
    lite.execute("PRAGMA synchronous = OFF")
    has_board = bool(
        lite.execute("SELECT 1 FROM sqlite_master WHERE name = 'board_rows'").fetchone()
    )
    lite.execute("BEGIN")
    for first in range(0, cases, 50_000):
        cs, es, bs = chunk(first, min(cases, first + 50_000))
        for table, columns, rows, k in (
            ("cases", _CASE_COLUMNS, cs, 11),
            ("events", _EVENT_COLUMNS, es, 7),
            ("board_rows", _BOARD_COLUMNS, bs if has_board else [], 11),
        ):
            if rows:
                marks = ", ".join("?" * k)
                lite.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
    lite.execute("COMMIT")
    lite.execute("ANALYZE")
    lite.close()


def timed(argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Run ``aftersales ARGV`` in a child: seconds, the child's peak RSS in MiB, output lines."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec (the parent's size)
    code = (
        "import sys; from aftersales.cli import main\n"
        "try:\n    main(sys.argv[1:], standalone_mode=False)\n"
        "finally:\n    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
        "    print('MAXRSS', hwm[0].split()[1] if hwm else 0, file=sys.stderr)\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    lines = [ln for ln in (done.stdout + done.stderr).splitlines() if not ln.startswith("MAXRSS")]
    rss = next(
        int(ln.split()[1]) for ln in done.stderr.splitlines() if ln.startswith("MAXRSS")
    )  # KiB
    if done.returncode not in (0, 1):
        raise RuntimeError(f"aftersales {' '.join(argv)} failed: {done.stderr[-2000:]}")
    return seconds, rss / 1024, len(lines)


def trees() -> list[tuple[str, dict[str, str]]]:
    """This tree, and ``AFTERSALES_BENCH_BEFORE`` (another ``src``, first on ``PYTHONPATH``)
    when set: each contender's name suffix and its environment."""
    before = os.environ.get("AFTERSALES_BENCH_BEFORE")
    return [("", {})] + ([(" (before)", {"PYTHONPATH": before})] if before else [])


def board_figure(
    where: str, cases: int, label: str, tree: tuple[str, dict[str, str]] = ("", {})
) -> Figure:
    seconds, rss, _ = timed(["board", "--casebook", where, "--at", BOARD_AT], tree[1])
    return Figure(
        "casebook-scale",
        f"board --casebook, {label}, {cases:,} open{tree[0]}",
        cases / seconds,
        "cases/s",
        1,
        f"{seconds:.2f} s; peak RSS {rss:.0f} MiB",
    )


def worker_figure(
    where: str, cases: int, label: str, tree: tuple[str, dict[str, str]] = ("", {})
) -> Figure:
    argv = ["worker", "--casebook", where, "--once", "--at", WORKER_AT]
    seconds, rss, lines = timed(argv, tree[1])
    return Figure(
        "casebook-scale",
        f"worker --once, {label}, {cases:,} due{tree[0]}",
        cases / seconds,
        "cases/s",
        1,
        f"{seconds:.2f} s; {lines:,} log lines; peak RSS {rss:.0f} MiB",
    )


@contextlib.contextmanager
def _pg() -> Iterator[str | None]:
    url = os.environ.get("AFTERSALES_BENCH_PG")
    if url:
        yield url
        return
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.casebook_pg import find_binaries, postgres_server
    except ImportError:
        yield None
        return
    if find_binaries() is None:
        yield None
        return
    with postgres_server() as server:
        yield server.url


def _reset(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS cases, events, outbox, meta, board_rows, schema_version")


def _check_handed_once(where: str, cases: int) -> str:
    """Every generated case advanced, every effect done, each handed over once; or what not."""
    from aftersales.casebook import Casebook

    with Casebook.open(where) as book:
        stuck = book.due_before(pendulum.parse(WORKER_AT))  # type: ignore[arg-type]
        entries = book.outbox()
    wrong = [
        f"{len(stuck)} cases still due" if stuck else "",
        f"{len(entries)} effects for {cases} cases" if len(entries) < cases else "",
        ", ".join(
            f"{sum(e.status == s for e in entries)} {s}"
            for s in ("pending", "handing", "unknown", "failed")
            if any(e.status == s for e in entries)
        ),
        f"{sum(e.attempts != 1 for e in entries)} handed over more than once"
        if any(e.attempts != 1 for e in entries)
        else "",
    ]
    return "; ".join(w for w in wrong if w)


def worker_processes(
    where: str, cases: int, processes: int, *, hand_batch: int | None = None
) -> tuple[float, str]:
    """``processes`` ``worker --once`` children on one casebook of ``cases`` due cases at
    once: wall seconds until the last is done, and what the check found wrong (empty)."""
    code = "import sys; from aftersales.cli import main; sys.exit(main())"
    argv = ["worker", "--casebook", where, "--once", "--at", WORKER_AT]
    argv += ["--format", "json"]
    if hand_batch is not None:  # else the command's default (no --handler: 100)
        argv += ["--hand-batch", str(hand_batch)]
    started = time.perf_counter()
    children = [
        subprocess.Popen(
            [sys.executable, "-c", code, *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(processes)
    ]
    outputs = [child.communicate()[0] for child in children]
    seconds = time.perf_counter() - started
    failed = [c.returncode for c in children if c.returncode != 0]
    if failed:
        raise RuntimeError(f"worker exit codes {failed}: {outputs}")
    return seconds, _check_handed_once(where, cases)


def curve(
    url: str, cases: int, counts: Sequence[int] = (1, 2, 4), *, hand_batch: int | None = None
) -> list[Figure]:
    """``worker --once`` with 1, 2 and 4 processes claiming from one PostgreSQL casebook of
    ``cases`` due cases (refilled before each), each effect checked handed over once."""
    figures = []
    for n in counts:
        _reset(url)
        fill(url, cases, due=True)
        seconds, wrong = worker_processes(url, cases, n, hand_batch=hand_batch)
        if wrong:
            raise RuntimeError(f"{n} workers: {wrong}")
        figures.append(
            Figure(
                "casebook-scale",
                f"worker --once, PostgreSQL, {n} process{'es' if n > 1 else ''}, {cases:,} due",
                cases / seconds,
                "cases/s",
                1,
                f"{seconds:.2f} s; --hand-batch {hand_batch or 'default'}; "
                "every effect done, handed once",
            )
        )
    return figures


def run(*, quick: bool) -> list[Figure]:
    sizes = [10_000] if quick else [10_000, 100_000]
    if os.environ.get("AFTERSALES_BENCH_1M") == "1":
        sizes.append(1_000_000)
    due = 2_000 if quick else 7_000
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder, _pg() as url:
        for n in sizes:
            path = str(Path(folder) / f"board-{n}.sqlite")
            fill(path, n)
            figures += [board_figure(path, n, "SQLite", tree) for tree in trees()]
            Path(path).unlink()
        for i, tree in enumerate(trees()):  # the worker changes the casebook: a new one each
            path = str(Path(folder) / f"worker-{i}.sqlite")
            fill(path, due, due=True)
            figures.append(worker_figure(path, due, "SQLite", tree))
        if url is not None:
            for n in sizes:
                _reset(url)
                fill(url, n)
                figures += [board_figure(url, n, "PostgreSQL", tree) for tree in trees()]
            for tree in trees():
                _reset(url)
                fill(url, due, due=True)
                figures.append(worker_figure(url, due, "PostgreSQL", tree))
    return figures


def _curve_main(argv: Sequence[str]) -> None:
    """``curve N [--processes 1,2,4] [--hand-batch K]``: on $AFTERSALES_BENCH_PG, or on a
    throwaway server when the binaries are found."""
    cases = int(argv[0])
    counts: tuple[int, ...] = (1, 2, 4)
    hand_batch: int | None = None
    if "--processes" in argv:
        counts = tuple(int(n) for n in argv[argv.index("--processes") + 1].split(","))
    if "--hand-batch" in argv:
        hand_batch = int(argv[argv.index("--hand-batch") + 1])
    with _pg() as url:
        if url is None:
            raise SystemExit("no PostgreSQL: set AFTERSALES_BENCH_PG or install the server")
        for figure in curve(url, cases, counts, hand_batch=hand_batch):
            print(figure, flush=True)


if __name__ == "__main__":
    # python -m benchmarks.casebook_scale fill PATH|URL N [--due]: a casebook to time by hand
    # python -m benchmarks.casebook_scale curve N [--processes 1,2,4] [--hand-batch K]
    if sys.argv[1:2] == ["fill"]:
        fill(sys.argv[2], int(sys.argv[3]), due="--due" in sys.argv)
    elif sys.argv[1:2] == ["curve"]:
        _curve_main(sys.argv[2:])
    else:
        for figure in run(quick="--quick" in sys.argv):
            print(figure)
