"""The casebook never pretends: bad paths and files, concurrent creation, passwords,
a server gone mid-run, bad options, and a fuzz over all of them.

Exit codes (docs/casebook.md, "When it refuses"): ``""`` and ``:memory:`` are usage
errors (2); a path that cannot hold a casebook (a missing or read-only folder, a
folder, a read-only, empty, truncated, damaged, non-SQLite or foreign file) is
refused (1), with nothing created or written in it; a server that cannot be
reached or goes away is a runtime failure (3). Every message is one ``error:``
line, never a traceback, never a password.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import example, given
from hypothesis import strategies as st

from aftersales.casebook import (
    Casebook,
    DatabaseDamaged,
    NotACasebook,
)
from aftersales.casebook._secrets import mask_secrets, url_secrets
from aftersales.cli import main
from tests import casebook_helpers as h
from tests import casebook_measure as m
from tests.casebook_pg import Server, reset
from tests.test_casebook import _pg_server

ROOT = Path(__file__).resolve().parent.parent
REFUNDS = ROOT / "examples" / "shop" / "refunds_receive_get.json"
AT = "2026-05-01T00:00:00+08:00"
SECRET = "Sup3r-s3cret"
CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
#: What each command needs besides --casebook.
EXTRA: dict[str, list[str | Path]] = {
    "ingest": [REFUNDS],
    "worker": ["--once", "--at", AT],
    "outbox": [],
    "board": ["--at", AT],
}


@pytest.fixture(autouse=True)
def _no_casebook_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AFTERSALES_CASEBOOK", raising=False)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def one_error_line(result: Result) -> str:
    """The one ``error:`` line of a refused or failed command (exit 1 or 3)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    # the worker says what it watches as it starts; what follows is the one error line
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and not line.startswith("worker: watching")
    ]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    return lines[0]


@functools.cache
def _casebook_bytes() -> bytes:
    """A small casebook's file, checkpointed (everything in the main file)."""
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"aftersales-hardening-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    path = folder / "good.sqlite"
    path.unlink(missing_ok=True)
    with Casebook.open(path) as book:
        book.ingest_events([p for i in range(1, 60) for p in h.case_events(i)])
    data = path.read_bytes()
    shutil.rmtree(folder, ignore_errors=True)
    return data


def _scribble(data: bytes, at: int, length: int = 300) -> bytes:
    spoiled = bytearray(data)
    spoiled[at : at + length] = bytes((b ^ 0x5A) for b in spoiled[at : at + length])
    return bytes(spoiled)


# -- "" and :memory: -------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["", ":memory:", "  "])
@pytest.mark.parametrize("command", ["ingest", "worker", "outbox", "board"])
def test_a_casebook_that_keeps_nothing_is_a_usage_error(
    where: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(command, "--casebook", where, *EXTRA[command])
    assert result.exit_code == 2, result.output
    assert "keeps nothing" in result.stderr
    assert "new" not in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_the_python_api_still_opens_memory() -> None:
    with Casebook.open(":memory:") as book:
        assert book.count() == 0


# -- paths and files that cannot hold a casebook ----------------------------------------------


def _bad(tmp_path: Path, kind: str) -> Path:
    good = _casebook_bytes()
    path = tmp_path / "book.sqlite"
    if kind == "missing folder":
        return tmp_path / "no" / "such" / "book.sqlite"
    if kind == "a folder":
        path.mkdir()
    elif kind == "empty":
        path.touch()
    elif kind == "truncated":
        path.write_bytes(good[: len(good) // 3])
    elif kind == "truncated to the header":
        path.write_bytes(good[:60])
    elif kind == "damaged schema page":
        path.write_bytes(_scribble(good, 200, 3000))
    elif kind == "damaged data pages":
        page = 4096
        spoiled = good
        for at in range(2 * page, len(good), 2 * page):
            spoiled = _scribble(spoiled, at + 8, 200)
        path.write_bytes(spoiled)
    elif kind == "not SQLite":
        path.write_text('{"not": "a database"}\n' * 100, encoding="utf-8")
    elif kind == "garbage after a SQLite header":
        path.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    elif kind == "another program's database":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        db.close()
    return path


BAD = [
    "missing folder",
    "a folder",
    "empty",
    "truncated",
    "truncated to the header",
    "damaged schema page",
    "damaged data pages",
    "not SQLite",
    "garbage after a SQLite header",
    "another program's database",
]


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("command", ["ingest", "worker", "outbox", "board"])
def test_a_path_that_cannot_hold_a_casebook_is_refused(
    kind: str, command: str, tmp_path: Path
) -> None:
    path = _bad(tmp_path, kind)
    before = path.read_bytes() if path.is_file() else None
    result = run(command, "--casebook", path, *EXTRA[command])
    assert result.exit_code == 1, result.output
    line = one_error_line(result)
    assert line.startswith(f"error: --casebook {path}: ")
    assert "new" not in result.stdout
    if before is not None:
        assert path.read_bytes() == before  # nothing written, no table created
    assert not path.parent.exists() or not any(
        p.name.endswith(".new") for p in path.parent.iterdir()
    )


def _scribbled(path: Path, table: str) -> Path:
    """A copy of the casebook at ``path`` with the root page of ``table`` scribbled over."""
    with sqlite3.connect(path) as db:
        (root,) = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
        (size,) = db.execute("PRAGMA page_size").fetchone()
    db.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * size
    data[start + 8 : start + size] = os.urandom(size - 8)
    damaged = path.with_name(f"{table}-damaged.sqlite")
    damaged.write_bytes(bytes(data))
    return damaged


def test_the_board_checks_the_pages_it_reads_and_writers_check_every_page(
    tmp_path: Path,
) -> None:
    """``board --casebook`` checks only its projection's pages on open (checking every
    page reads the whole file); the commands that write check them all."""
    good = m.a_casebook(tmp_path / "good.sqlite", m.events_file(tmp_path, 200))
    events = _scribbled(good, "events")  # pages the board never reads
    board = run("board", "--casebook", events, *EXTRA["board"])
    assert board.exit_code == 0, board.output
    assert board.stdout == run("board", "--casebook", good, *EXTRA["board"]).stdout
    for command in ("ingest", "worker", "outbox"):
        refused = run(command, "--casebook", events, *EXTRA[command])
        assert refused.exit_code == 1, refused.output
        assert "damaged" in one_error_line(refused)
    projection = _scribbled(good, "board_rows")
    refused = run("board", "--casebook", projection, *EXTRA["board"])
    assert refused.exit_code == 1, refused.output
    assert "damaged" in one_error_line(refused)


@pytest.mark.parametrize("kind", BAD)
def test_the_python_api_raises_not_a_casebook(kind: str, tmp_path: Path) -> None:
    path = _bad(tmp_path, kind)
    try:
        book = Casebook.open(path)
    except NotACasebook as exc:
        refused = str(exc)
    else:
        # a damaged data page the cheap check on open cannot see: reading it, or the
        # full check, says so; it is never read as an empty store
        with book:
            problems = book.verify()
            assert problems
            assert all("damaged" in p for p in problems)
            with pytest.raises(DatabaseDamaged, match="damaged"):
                list(book.cases())
        return
    assert refused.startswith(f"{path}: ")


def _unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: read-only files are writable")
    return m.UNPRIVILEGED


@pytest.mark.parametrize("kind", ["read-only file", "read-only folder"])
def test_a_read_only_casebook_is_refused(kind: str, tmp_path: Path) -> None:
    prefix = _unprivileged()
    folder = tmp_path / "shop"
    folder.mkdir()
    path = folder / "book.sqlite"
    if kind == "read-only file":
        path.write_bytes(_casebook_bytes())
        path.chmod(0o444)
    else:
        folder.chmod(0o555)
    try:
        done = m.cli("outbox", "--casebook", path, prefix=tuple(prefix), cwd=tmp_path)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"error: --casebook {path}: ")
    assert "read-only" in done.stderr


# -- concurrent creation ------------------------------------------------------------------------


def test_processes_creating_one_casebook_at_once_all_open_it() -> None:
    tried, failed, why = m.concurrent_creation(processes=8, rounds=4 if CI else 6)
    assert failed == 0, why
    assert tried >= 32


def test_a_new_casebook_appears_whole(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite"
    Casebook.open(path).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.sqlite"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] >= 2
    db.close()


# -- passwords ----------------------------------------------------------------------------------


URLS = [
    f"postgresql://shop:{SECRET}@127.0.0.1:1/aftersales",
    f"postgresql://shop:{SECRET}@x@127.0.0.1:1/aftersales",  # an unescaped @
    f"postgresql://shop:{SECRET}:x@127.0.0.1:1/aftersales",
    f"postgresql://shop@127.0.0.1:1/aftersales?password={SECRET}",
    f"postgresql://shop@127.0.0.1:1/aftersales?sslmode=disable&password={SECRET}&a=b",
    f"postgres://shop:{SECRET}%@127.0.0.1:1/aftersales",  # a bad percent-escape
    f"postgresql://shop:{SECRET}@127.0.0.1:port/aftersales",  # a bad port
    f"postgresql://shop:{SECRET}@127.0.0.1:1/aftersales?nope=1",  # a bad option
]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgresql://shop:pw@db/x", "postgresql://shop:***@db/x"),
        ("postgres://u:p@ss@h:5432/db: down", "postgres://u:***@h:5432/db: down"),
        ("postgresql://u@h/db?password=pw&sslmode=on", "postgresql://u@h/db?password=***&sslmode=on"),
        ('bad dsn: "host=h password=\'p w\' user=u"', 'bad dsn: "host=h password=*** user=u"'),
        ('missing "=" after "password=pw"', 'missing "=" after "password=***"'),
    ],
)  # fmt: skip
def test_mask_secrets(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


@pytest.mark.parametrize("url", URLS)
def test_a_url_s_password_is_found_and_never_shown(url: str) -> None:
    assert any(SECRET in s for s in url_secrets(url))
    assert SECRET not in mask_secrets(f"at {url}: {SECRET[3:]}", *url_secrets(url))
    with pytest.raises(Exception) as caught:  # noqa: PT011 - whichever error: never the secret
        Casebook.open(url)
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("command", ["ingest", "worker", "outbox", "board"])
def test_no_command_shows_a_password(url: str, command: str) -> None:
    result = run(command, "--casebook", url, *EXTRA[command])
    assert result.exit_code == 3, result.output
    assert SECRET not in result.output
    one_error_line(result)


def test_the_worker_s_log_never_shows_a_password(tmp_path: Path) -> None:
    with _pg_server() as server:
        url = server.url.replace("aftersales@", f"aftersales:{SECRET}@")  # trust: not checked
        done = m.cli("ingest", "--casebook", url, m.events_file(tmp_path), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        done = m.cli(
            "worker",
            "--casebook",
            url,
            "--once",
            "--verbose",  # every effect's line too
            "--at",
            AT,
            "--format",
            "json",
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        assert "effect_logged" in done.stderr  # the structlog audit trail
        assert SECRET not in done.stdout + done.stderr


# -- a server gone mid-run -----------------------------------------------------------------------


def _wait_for_work(url: str, command: str) -> None:
    """Until the command has stored something (ingest) or handed something over (worker)."""
    import psycopg

    sql = {
        "ingest": "SELECT COUNT(*) FROM cases",
        "worker": "SELECT COUNT(*) FROM outbox WHERE status = 'done'",
    }[command]
    deadline = time.monotonic() + 60
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            try:
                row = conn.execute(sql).fetchone()
            except psycopg.errors.UndefinedTable:
                row = None
            if row is not None and row[0] >= 20:
                return
            time.sleep(0.02)
    raise AssertionError(f"{command} did nothing in 60 s")


def _gone_mid_run(server: Server, command: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    slow = tmp_path / "slow_handler.py"
    slow.write_text("import time\ndef handle(effect, case):\n    time.sleep(0.01)\n")
    events = m.events_file(tmp_path, 600 if command == "worker" else 3000)
    if command == "worker":
        filled = m.cli("ingest", "--casebook", server.url, events, cwd=tmp_path)
        assert filled.returncode == 0, filled.stderr
        args = ["worker", "--casebook", server.url, "--once", "--at", AT]
        args += ["--handler", "slow_handler:handle"]
    else:
        args = ["ingest", "--casebook", server.url, str(events)]
    code = "import sys; from aftersales.cli import main; sys.exit(main())"
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=tmp_path,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _wait_for_work(server.url, command)
    server.crash()
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(args, process.returncode, out, err)


@pytest.mark.parametrize("command", ["worker", "ingest"])
def test_a_server_gone_mid_run_is_one_clear_error(command: str, tmp_path: Path) -> None:
    with _pg_server(durable=True) as server:
        reset(server.url)
        done = _gone_mid_run(server, command, tmp_path)
        assert done.returncode == 3, (done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        # the worker's start line (what it watches), then the one error
        lines = [
            line
            for line in done.stderr.strip().splitlines()
            if not line.startswith("worker: watching --casebook ")
        ]
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("error: "), done.stderr
        assert "lost the connection" in lines[0] or "cannot connect" in lines[0]
        server.start()
        with Casebook.open(server.url) as book:
            assert book.verify() == []  # nothing half-applied


# -- bad options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("worker", "--once", "--batch", "0"),
        ("worker", "--once", "--batch", "-1"),
        ("worker", "--once", "--idle", "-1"),
        ("worker", "--once", "--idle", "nan"),
        ("worker", "--once", "--idle", "inf"),
        ("worker", "--once", "--handler", "os:path"),  # a module
        ("worker", "--once", "--handler", "os:sep"),  # a string
        ("outbox", "--resolve", str(2**70), "--happened"),
        ("outbox", "--resolve", "-1", "--happened"),
        ("outbox", "--resolve", "0", "--did-not-happen"),
        ("outbox", "--resolve", "12345", "--happened"),  # not parked
    ],
    ids=" ".join,
)
def test_bad_worker_and_outbox_options_are_usage_errors(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    book = tmp_path / "book.sqlite"
    book.write_bytes(_casebook_bytes())
    result = run(args[0], "--casebook", book, *args[1:])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Error: " in result.stderr
    assert "Traceback" not in result.output


# -- a row changed outside aftersales -------------------------------------------------------------


def _spoil_snapshot(path: Path, case_id: str) -> None:
    """What another program (or a bad restore) might leave: a snapshot missing a field."""
    with sqlite3.connect(path) as db:
        (snapshot,) = db.execute(
            "SELECT snapshot FROM cases WHERE case_id = ?", (case_id,)
        ).fetchone()
        spoiled = json.loads(snapshot)
        del spoiled["changed_at"]
        db.execute(
            "UPDATE cases SET snapshot = ? WHERE case_id = ?", (json.dumps(spoiled), case_id)
        )


def test_a_case_that_cannot_be_read_fails_its_effects_not_the_worker(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite"
    path.write_bytes(_casebook_bytes())
    with Casebook.open(path) as book:
        pending = book.outbox("pending")
        spoiled = pending[0].case_id
    _spoil_snapshot(path, spoiled)
    match = f"case {spoiled}: its stored snapshot"
    with Casebook.open(path) as book, pytest.raises(DatabaseDamaged, match=match):
        book.cases_by_id([spoiled])
    result = run("worker", "--casebook", path, *EXTRA["worker"])
    assert result.exit_code == 1, result.output  # effects parked for a person, after the report
    assert "parked for a person" in result.stderr
    with Casebook.open(path) as book:
        failed = book.outbox("failed")
        assert {e.case_id for e in failed} == {spoiled}
        assert all(f"case {spoiled}: its stored snapshot cannot be read" in e.note for e in failed)
        assert {e.case_id for e in book.outbox("done")} == {e.case_id for e in pending} - {spoiled}
        assert spoiled in book.held()  # not advanced either, and said why


# -- fuzz ------------------------------------------------------------------------------------------


def _files() -> st.SearchStrategy[bytes]:
    good = st.just(b"").map(lambda _: _casebook_bytes())
    return st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=5000).map(lambda b: b"SQLite format 3\x00" + b),
        st.tuples(good, st.integers(0, 200_000)).map(lambda t: t[0][: t[1]]),
        st.tuples(good, st.integers(0, 200_000), st.integers(1, 4000)).map(
            lambda t: _scribble(t[0], t[1] % max(1, len(t[0])), t[2])
        ),
        good,
    )


_WORDS = st.sampled_from(
    [
        "0",
        "-1",
        "1",
        "2",
        "nan",
        "inf",
        "1e309",
        "",
        " ",
        "x",
        "os:path",
        "os:sep",
        "a:b:c",
        "9" * 25,
    ]
)


@given(
    data=st.one_of(st.none(), _files()),
    command=st.sampled_from(["ingest", "worker", "outbox", "board"]),
    option=st.sampled_from(["--batch", "--idle", "--handler", "--resolve", "--at", None]),
    value=st.one_of(_WORDS, st.text(max_size=12)),
)
# found by this test: a batch past SQLite's integers crashed the worker (OverflowError)
@example(data=None, command="worker", option="--batch", value="9" * 25)
def test_fuzz_every_outcome_is_an_exit_code_with_one_clear_line(
    data: bytes | None, command: str, option: str | None, value: str
) -> None:
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"aftersales-fuzz-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        path = folder / "book.sqlite"
        if data is not None:
            path.write_bytes(data)
        args: list[str | Path] = [command, "--casebook", path]
        args += EXTRA[command]
        if option is not None:
            args += [option, value]
            if option == "--resolve":
                args.append("--happened")
        started = time.monotonic()
        result = run(*args)
        assert time.monotonic() - started < 30
        assert result.exit_code in (0, 1, 2, 3), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert "Traceback" not in result.output
        # exit 1 after a report: records rejected (ingest), effects parked (worker)
        reported = "rejected" in result.stdout or "parked for a person" in result.stderr
        if result.exit_code == 3 or (result.exit_code == 1 and not reported):
            one_error_line(result)
        elif result.exit_code == 2:
            assert "Error: " in result.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)
