"""Measure how the casebook commands meet bad input: ``python -m tests.casebook_measure``.

Per family of bad input (bad casebook paths and files, a password in messages, a
server gone mid-run, bad worker/outbox/output options) each attempt runs the real
``aftersales`` command in a child process and is counted as a clear error (exit 1, 2
or 3, one ``error:`` line, no traceback, no password), a traceback, a silent wrong
result (exit 0 on input that cannot have worked, or a password shown) or unclear
(no traceback, but a message of several lines or none). Concurrent creation is
measured apart: N processes open one new SQLite casebook at the same instant, for
R rounds; it prints how many of the N x R opens failed.

The hardening issue's before/after table was made with it; it needs the PostgreSQL
server binaries for the server families (tests/casebook_pg.py).
"""

# ruff: noqa: T201, TID251 - a script that prints its table and lines processes up by the clock

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.casebook_pg import find_binaries, postgres_server

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECRET = "Sup3r-s3cret"
AT = "2026-05-01T00:00:00+08:00"
#: Without the capabilities that let root write anything, a read-only file is read-only.
_CAPS = "-dac_override,-dac_read_search"
UNPRIVILEGED = (
    ["setpriv", f"--inh-caps={_CAPS}", f"--bounding-set={_CAPS}"] if os.geteuid() == 0 else []
)


def cli(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    prefix: tuple[str, ...] = (),
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "AFTERSALES_CASEBOOK"}
    environ.update(env or {})
    code = "import sys; from aftersales.cli import main; sys.exit(main())"
    return subprocess.run(
        [*prefix, PYTHON, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ,
        timeout=timeout,
        check=False,
    )


def verdict(
    done: subprocess.CompletedProcess[str],
    *,
    may_succeed: bool = False,
    expect: tuple[int, ...] = (1, 2, 3),
) -> str:
    """``expect``: the exit codes the attempt should end with when it fails (the others
    count as unclear)."""
    out = done.stdout + done.stderr
    if "Traceback" in out or done.returncode not in (0, 1, 2, 3):
        return "traceback"
    if SECRET in out:
        return "wrong"  # a password shown
    if done.returncode == 0:
        return "clear" if may_succeed else "wrong"
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("error:", "Error:"))]
    if done.returncode not in expect:
        return "unclear"
    if done.returncode == 2:
        return "clear" if len(errors) == 1 else "unclear"
    return "clear" if len(errors) == 1 and len(lines) == 1 else "unclear"


def events_file(folder: Path, n: int = 3) -> Path:
    """Event JSON for ``n`` new cases (ingested with exit 0)."""
    from aftersales.casebook._codec import event_to_json
    from tests.casebook_helpers import case_events

    docs = []
    for i in range(1, n + 1):
        pairs = case_events(i)
        docs.append(
            {"case_id": pairs[0][0], "events": [json.loads(event_to_json(e)) for _, e in pairs]}
        )
    path = folder / "events.json"
    path.write_text(json.dumps(docs), encoding="utf-8")
    return path


def commands(where: str | Path, events: Path) -> dict[str, list[str | Path]]:
    return {
        "ingest": ["ingest", "--casebook", where, events],
        "worker": ["worker", "--casebook", where, "--once", "--at", AT],
        "outbox": ["outbox", "--casebook", where],
        "board": ["board", "--casebook", where, "--at", AT],
    }


def a_casebook(path: Path, events: Path) -> Path:
    done = cli("ingest", "--casebook", path, events)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(path) as db:  # everything into the main file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def bad_files(folder: Path, events: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """name -> (the --casebook value, the prefix to run it with)."""
    good = a_casebook(folder / "good.sqlite", events_file(folder, 200))
    size = good.stat().st_size
    made: dict[str, tuple[str, tuple[str, ...]]] = {
        "empty value": ("", ()),
        ":memory:": (":memory:", ()),
        "missing parent folder": (str(folder / "no" / "such" / "x.sqlite"), ()),
        "a directory": (str(folder), ()),
        "file: URI": (f"file:{folder / 'u.sqlite'}", ()),
    }
    empty = folder / "empty.sqlite"
    empty.touch()
    made["empty file"] = (str(empty), ())
    truncated = folder / "truncated.sqlite"
    truncated.write_bytes(good.read_bytes()[: size // 2])
    made["truncated file"] = (str(truncated), ())
    corrupt = folder / "corrupt.sqlite"
    data = bytearray(good.read_bytes())
    for page in range(2, size // 4096, 3):  # every third page past the schema, scribbled
        data[page * 4096 + 100 : page * 4096 + 400] = os.urandom(300)
    corrupt.write_bytes(bytes(data))
    made["corrupted pages"] = (str(corrupt), ())
    header = folder / "header.sqlite"
    header.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    made["garbage after a SQLite header"] = (str(header), ())
    text = folder / "notes.json"
    text.write_text('{"not": "a database"}\n' * 50, encoding="utf-8")
    made["a JSON file"] = (str(text), ())
    foreign = folder / "foreign.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO customers (name) VALUES ('someone')")
    db.close()
    made["another program's SQLite database"] = (str(foreign), ())
    readonly = folder / "readonly.sqlite"
    readonly.write_bytes(good.read_bytes())
    readonly.chmod(0o444)
    made["a read-only file"] = (str(readonly), tuple(UNPRIVILEGED))
    locked = folder / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    made["a new file in a read-only folder"] = (str(locked / "x.sqlite"), tuple(UNPRIVILEGED))
    return made


def family_bad_files(tally: Callable[[str, str, str], None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        events = events_file(folder)
        for name, (where, prefix) in bad_files(folder, events).items():
            for command, args in commands(where, events).items():
                done = cli(*args, prefix=prefix, cwd=folder)
                result = verdict(done, expect=(1, 2))
                tally("bad casebook paths/files", f"{name} / {command}", result)
                if result != "clear":
                    print(f"    {name} / {command}: {done.returncode} {done.stderr[-300:]!r}")


def family_options(tally: Callable[[str, str, str], None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        events = events_file(folder)
        book = a_casebook(folder / "book.sqlite", events)
        (folder / "not_callable.py").write_text("handle = 42\n", encoding="utf-8")
        tries: dict[str, list[str | Path]] = {
            "worker --batch 0": ["worker", "--casebook", book, "--once", "--batch", "0"],
            "worker --batch -1": ["worker", "--casebook", book, "--once", "--batch", "-1"],
            "worker --idle -1": ["worker", "--casebook", book, "--once", "--idle", "-1"],
            "worker --idle nan": ["worker", "--casebook", book, "--once", "--idle", "nan"],
            "worker --handler not callable": [
                "worker",
                "--casebook",
                book,
                "--once",
                "--at",
                AT,
                "--handler",
                "not_callable:handle",
            ],
            "worker --handler a module": [
                "worker",
                "--casebook",
                book,
                "--once",
                "--at",
                AT,
                "--handler",
                "os:path",
            ],
            "outbox --resolve 2**70": [
                "outbox",
                "--casebook",
                book,
                "--resolve",
                str(2**70),
                "--happened",
            ],
            "outbox --resolve -1": ["outbox", "--casebook", book, "--resolve", "-1", "--happened"],
            "outbox --resolve 0": ["outbox", "--casebook", book, "--resolve", "0", "--happened"],
            "board --output into a missing folder": [
                "board",
                "--casebook",
                book,
                "--at",
                AT,
                "--output",
                folder / "no" / "b.html",
            ],
            "board --output a directory": [
                "board",
                "--casebook",
                book,
                "--at",
                AT,
                "--output",
                folder,
            ],
        }
        for name, args in tries.items():
            done = cli(*args, cwd=folder)
            # --output belongs to board: a file that cannot be written is its exit 3
            result = verdict(done, expect=(1, 2, 3) if "--output" in name else (2,))
            tally("bad worker/outbox/output options", name, result)
            if result != "clear":
                print(f"    {name}: {done.returncode} {done.stderr[-300:]!r}")


def _password_urls(port: int) -> dict[str, str]:
    return {
        "unreachable, plain": f"postgresql://shop:{SECRET}@127.0.0.1:1/aftersales",
        "unreachable, unescaped @": f"postgresql://shop:{SECRET}@x@127.0.0.1:1/aftersales",
        "unreachable, ?password=": f"postgresql://shop@127.0.0.1:1/aftersales?password={SECRET}",
        "unreachable, ?password= then more": (
            f"postgresql://shop@127.0.0.1:1/db?password={SECRET}&connect_timeout=3"
        ),
        "unreachable, : in password": f"postgresql://shop:{SECRET}:x@127.0.0.1:1/aftersales",
        "bad option in the URL": f"postgresql://shop:{SECRET}@127.0.0.1:{port}/casebook?nope=1",
        "bad port": f"postgresql://shop:{SECRET}@127.0.0.1:port/casebook",
        "no such database": f"postgresql://aftersales:{SECRET}@127.0.0.1:{port}/missing",
        "reachable, worker json log": f"postgresql://aftersales:{SECRET}@127.0.0.1:{port}/casebook",
    }


def family_passwords(tally: Callable[[str, str, str], None], port: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        events = events_file(folder)
        for name, url in _password_urls(port).items():
            for command, args in commands(url, events).items():
                extra = ["--format", "json"] if command == "worker" else []
                ok = name.startswith("reachable")
                done = cli(*args, *extra, cwd=folder)
                tally("password in messages", f"{name} / {command}", verdict(done, may_succeed=ok))
                if verdict(done, may_succeed=ok) != "clear":
                    print(f"    {name} / {command}: {done.returncode} {done.stderr[-300:]!r}")
            done = cli("outbox", cwd=folder, env={"AFTERSALES_CASEBOOK": url})
            ok = name.startswith("reachable")
            tally("password in messages", f"{name} / env", verdict(done, may_succeed=ok))
        # the Python API's exceptions
        code = (
            "import sys\nfrom aftersales.casebook import Casebook\n"
            "try:\n    Casebook.open(sys.argv[1])\n"
            "except Exception as exc:\n    print(str(exc)); print(repr(exc))\n"
        )
        for name, url in _password_urls(port).items():
            if name.startswith("reachable"):
                continue
            done = subprocess.run(
                [PYTHON, "-c", code, url], capture_output=True, text=True, check=False
            )
            shown = SECRET in done.stdout + done.stderr
            tally("password in messages", f"{name} / API", "wrong" if shown else "clear")


def family_server_gone(tally: Callable[[str, str, str], None], rounds: int = 3) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        events = events_file(folder, 1500)
        slow = folder / "slow_handler.py"
        slow.write_text("import time\ndef handle(effect, case):\n    time.sleep(0.01)\n")
        for attempt in range(rounds):
            for command in ("worker", "ingest"):
                with postgres_server() as server:
                    if command == "worker":
                        filled = cli("ingest", "--casebook", server.url, events, cwd=folder)
                        assert filled.returncode == 0, filled.stderr
                        args: list[str | Path] = [
                            "worker",
                            "--casebook",
                            server.url,
                            "--once",
                            "--at",
                            AT,
                            "--handler",
                            "slow_handler:handle",
                        ]
                    else:
                        args = ["ingest", "--casebook", server.url, events]
                    code = "import sys; from aftersales.cli import main; sys.exit(main())"
                    process = subprocess.Popen(
                        [PYTHON, "-c", code, *map(str, args)],
                        cwd=folder,
                        text=True,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                    )
                    time.sleep(1.5 + attempt * 0.3)
                    server.crash()
                    out, err = process.communicate(timeout=120)
                    done = subprocess.CompletedProcess(args, process.returncode, out, err)
                    result = verdict(done, expect=(3,))
                    tally("server gone mid-run", f"{command} {attempt}", result)
                    if result != "clear":
                        print(f"    {command} {attempt}: {done.returncode} {err[-400:]!r}")


def _opener(path: str, start: float, out: str) -> None:
    from aftersales.casebook import Casebook

    time.sleep(max(0.0, start - time.time()))
    try:
        Casebook.open(path).close()
    except Exception as exc:
        Path(out).write_text(f"{type(exc).__name__}: {exc}", encoding="utf-8")


def concurrent_creation(processes: int = 8, rounds: int = 20) -> tuple[int, int, Counter[str]]:
    import multiprocessing

    import aftersales.casebook  # imported before the fork: the opens line up

    assert aftersales.casebook.Casebook is not None
    context = multiprocessing.get_context("fork")
    failed, why = 0, Counter[str]()
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            path = str(Path(tmp) / f"new-{r}.sqlite")
            start = time.time() + 0.3
            outs = [str(Path(tmp) / f"out-{r}-{n}") for n in range(processes)]
            running = [context.Process(target=_opener, args=(path, start, out)) for out in outs]
            for p in running:
                p.start()
            for p in running:
                p.join(120)
            for out in outs:
                if Path(out).exists():
                    failed += 1
                    why[Path(out).read_text(encoding="utf-8")[:80]] += 1
    return processes * rounds, failed, why


def main() -> None:
    if sys.argv[1:2] == ["concurrent"]:  # only that: python -m tests.casebook_measure concurrent
        rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 100
        tried, failed, why = concurrent_creation(8, rounds)
        print(f"concurrent creation: 8 processes x {rounds} rounds: {failed} of {tried} failed")
        for text, n in why.most_common():
            print(f"    {n} x {text}")
        return
    counts: dict[str, Counter[str]] = {}

    def tally(family: str, _name: str, result: str) -> None:
        counts.setdefault(family, Counter())[result] += 1

    family_bad_files(tally)
    family_options(tally)
    if find_binaries() is not None:
        with postgres_server() as server:
            port = int(server.url.rsplit(":", 1)[1].split("/")[0])
            family_passwords(tally, port)
        family_server_gone(tally)
    print("| family | tried | clear errors | tracebacks | silent wrong | unclear |")
    print("|---|---|---|---|---|---|")
    for family, c in counts.items():
        print(
            f"| {family} | {sum(c.values())} | {c['clear']} | {c['traceback']} | "
            f"{c['wrong']} | {c['unclear']} |"
        )
    rounds = int(os.environ.get("ROUNDS", "20"))
    tried, failed, why = concurrent_creation(8, rounds)
    print(f"concurrent creation: 8 processes x {rounds} rounds: {failed} of {tried} opens failed")
    for text, n in why.most_common():
        print(f"    {n} x {text}")


if __name__ == "__main__":
    main()
