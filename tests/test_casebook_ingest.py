"""Ingest's faster paths give exactly what the record-by-record path gives.

Pages of records (one read and one write transaction each), the adapter's engine run
reused for new cases, one statement per table per page, refund exports read a record
at a time (whatever their size), pages worked by several processes: each is compared
with ingesting one record per transaction through the engine (``ingest_platform``,
pages of one), on generated exports (benchmarks/exports.py), on SQLite and PostgreSQL.
A writer killed mid-ingest and run again loses nothing and doubles nothing. Speed
itself is measured in benchmarks/, not here.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path
from typing import Any

import attrs
import pytest
from benchmarks import exports

from aftersales.adapters import _stream
from aftersales.adapters.taobao import import_exports
from aftersales.casebook import Casebook, CasebookError, _ingest
from aftersales.casebook._codec import event_to_json, snapshot_of
from aftersales.core._serialize import _format_instant, converter, format_instant
from tests import casebook_helpers as h
from tests.test_casebook import pg_url, where  # noqa: F401  (fixtures)


def _export(tmp_path: Path, n: int, seed: int, *, shared_orders: bool = False) -> Path:
    """A generated export; with ``shared_orders`` every fifth refund is a second after-sale
    refund on the order before it (AFTER-ONCE across records, inside and across pages)."""
    records = list(exports.records(n, seed))
    if shared_orders:
        for i in range(5, n, 5):
            for r in (records[i - 1], records[i]):
                r["refund_phase"] = "aftersale"
            records[i]["tid"] = records[i - 1]["tid"]
    body = {"refunds_receive_get_response": {"refunds": {"refund": records}}}
    path = tmp_path / f"refunds-{n}-{seed}.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def _reference(at: str, path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """One record per transaction, each through the engine."""
    with monkeypatch.context() as m:
        m.setattr(_ingest, "PAGE", 1)
        with Casebook.open(at) as book:
            doc = json.loads(path.read_text(encoding="utf-8"))
            report = book.ingest_platform(import_exports([(str(path), doc)], policy=book.policy))
            return {"dump": book.dump(), "outcomes": sorted(map(str, report.outcomes))}


def _fast(at: str, path: Path) -> dict[str, Any]:
    with Casebook.open(at) as book:
        report = book.ingest_files([path])
        assert book.verify() == []
        return {"dump": book.dump(), "outcomes": sorted(map(str, report.outcomes))}


def _fresh(at: str, tmp_path: Path, name: str) -> str:
    if at.startswith("postgresql"):
        from tests.casebook_pg import reset

        reset(at)
        return at
    return str(tmp_path / f"{name}.sqlite")


@pytest.mark.parametrize(
    ("n", "seed", "page", "shared"),
    [
        (120, 1, 500, False),
        (120, 2, 7, True),
        (90, 3, 4, True),
        (60, 4, 11, False),
    ],
)
def test_pages_give_the_casebook_one_record_at_a_time_gives(
    where: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    n: int,
    seed: int,
    page: int,
    shared: bool,
) -> None:
    path = _export(tmp_path, n, seed, shared_orders=shared)
    expected = _reference(_fresh(where, tmp_path, "ref"), path, monkeypatch)
    if shared:  # the test means something: AFTER-ONCE refused some records
        assert any("AFTER-ONCE" in o or "after-sale" in o for o in expected["outcomes"])
    monkeypatch.setattr(_ingest, "PAGE", page)
    got = _fast(_fresh(where, tmp_path, "fast"), path)
    assert got == expected
    assert len(got["outcomes"]) == n  # every record accounted for
    # and again: every record a duplicate (or rejected as before), nothing written
    before = got["dump"]
    with Casebook.open(where if where.startswith("postgresql") else tmp_path / "fast.sqlite") as b:
        again = b.ingest_files([path])
        assert again.new == 0
        assert again.duplicate == n - again.rejected
        assert b.dump() == before


def test_a_record_another_writer_stored_meanwhile_costs_only_itself(
    where: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between a page's read and its write another writer stores one of its cases: that
    record is read again (a duplicate now); the rest of the page is written."""
    path = _export(tmp_path, 40, 5)
    expected = _reference(_fresh(where, tmp_path, "ref"), path, monkeypatch)
    target = _fresh(where, tmp_path, "race")
    doc = json.loads(path.read_text(encoding="utf-8"))
    records = doc["refunds_receive_get_response"]["refunds"]["refund"]
    real = _ingest._write_page
    raced: list[str] = []

    def racing(book: Casebook, writes: Any) -> int | None:
        if not raced:
            raced.append(str(records[10]["refund_id"]))
            with Casebook.open(target) as other:
                result = import_exports([("other", records[10])], policy=other.policy)
                assert other.ingest_platform(result).new == 1
        return real(book, writes)

    monkeypatch.setattr(_ingest, "_write_page", racing)
    with Casebook.open(target) as book:
        report = book.ingest_files([path])
        assert book.dump() == expected["dump"]
    duplicates = [o for o in report.outcomes if o.result == "duplicate"]
    assert [o.case_id for o in duplicates] == raced
    assert report.new == len(expected["outcomes"]) - report.rejected - 1


def _ingester(at: str, path: str) -> None:
    with Casebook.open(at) as book:
        book.ingest_files([path])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_ingest_killed_and_run_again_loses_nothing_and_doubles_nothing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _export(tmp_path, 1500, 6)
    rng = random.Random(20261204)
    if backend == "sqlite":
        where = str(tmp_path / "ref.sqlite")
    else:
        where = request.getfixturevalue("pg_url")
        _fresh(where, tmp_path, "")
    expected = _fast(where, path)
    monkeypatch.setattr(_ingest, "PAGE", 25)  # many commits to die between (forked child)
    for kill in range(3):
        target = _fresh(where, tmp_path, f"killed-{kill}")
        Casebook.open(target).close()
        process = h.start(_ingester, target, str(path))
        with Casebook.open(target) as watcher:  # die part-way: after some pages, not all
            deadline = time.monotonic() + 60
            while watcher.count() < rng.randrange(25, 1000) and time.monotonic() < deadline:
                time.sleep(0.005)
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        process.join(10)
        with Casebook.open(target) as book:
            assert book.verify() == []
            assert 0 < book.count() < len(expected["dump"]["cases"])
            book.ingest_files([path])
            assert book.verify() == []
            assert book.dump() == expected["dump"]


# -- several processes -------------------------------------------------------------------------


def _crossing(tmp_path: Path, n: int, seed: int) -> Path:
    """A generated export where records meet across pages: every fifth refund a second
    after-sale refund of the order before it, and every seventh record again later in
    the file (a page computed before the earlier one is written must be computed again)."""
    path = _export(tmp_path, n, seed, shared_orders=True)
    doc = json.loads(path.read_text(encoding="utf-8"))
    records = doc["refunds_receive_get_response"]["refunds"]["refund"]
    records += [dict(r) for r in records[::7]]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _streamed(monkeypatch: pytest.MonkeyPatch, page: int = 7) -> None:
    """Small pages, so a small export has many (ingest streams every refund export)."""
    monkeypatch.setattr(_ingest, "PAGE", page)


def test_pages_worked_by_several_processes_give_what_one_gives(
    where: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _crossing(tmp_path, 150, 11)
    _streamed(monkeypatch)
    results = []
    for jobs in (1, 3):
        with Casebook.open(_fresh(where, tmp_path, f"jobs-{jobs}")) as book:
            report = book.ingest_files([path], jobs=jobs)
            assert book.verify() == []
            results.append((book.dump(), [str(o) for o in report.outcomes], report.ignored))
    one, several = results
    assert several == one  # the same outcomes in the same order, the same casebook
    outcomes = one[1]
    assert len(outcomes) == 150 + len(range(0, 150, 7))  # every record accounted for
    assert any("duplicate" in o for o in outcomes)
    assert any("AFTER-ONCE" in o or "after-sale" in o for o in outcomes)


def test_a_small_export_is_worked_in_processes_once_it_has_two_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No size threshold: a refund export of a few hundred kilobytes is paged too, and its
    pages go to processes (the same casebook as one process); one page stays here."""
    from aftersales.casebook import _parallel

    started: list[int] = []
    real = _parallel._in_processes

    def spy(*args: Any) -> Any:
        started.append(args[3])
        return real(*args)

    monkeypatch.setattr(_parallel, "_in_processes", spy)
    monkeypatch.setattr(_ingest, "PAGE", 30)
    small = _export(tmp_path, 100, 13)
    assert small.stat().st_size < _stream.STREAM_FROM
    dumps = []
    for jobs in (1, 2):
        with Casebook.open(tmp_path / f"small-{jobs}.sqlite") as book:
            report = book.ingest_files([small], jobs=jobs)
            assert len(report.outcomes) == 100
            dumps.append(book.dump())
    assert dumps[0] == dumps[1]
    assert started == [2]  # jobs=1 never starts processes; jobs=2 did, for four pages
    with Casebook.open(tmp_path / "one-page.sqlite") as book:
        book.ingest_files([_export(tmp_path, 30, 14)], jobs=2)
    assert started == [2]  # one page: worked here


def test_a_failed_page_stops_the_pages_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages before the failed one are written, none after it: as one process would stop."""
    path = _export(tmp_path, 70, 12)
    _streamed(monkeypatch)
    real = _ingest._stream_page

    def failing(book: Casebook, named: Any, turn: Any, **kw: Any) -> Any:
        if named[0][0].endswith("[21]"):  # the fourth page
            raise CasebookError("the disk is full")
        return real(book, named, turn, **kw)

    monkeypatch.setattr(_ingest, "_stream_page", failing)
    target = tmp_path / "failed.sqlite"
    with Casebook.open(target) as book, pytest.raises(CasebookError, match="disk is full"):
        book.ingest_files([path], jobs=2)
    monkeypatch.setattr(_ingest, "_stream_page", real)
    with Casebook.open(tmp_path / "three.sqlite") as book:
        book.ingest_files([_first_records(path, 21, tmp_path)])
        expected = book.dump()
    with Casebook.open(target) as book:
        assert book.verify() == []
        assert book.dump() == expected


def _first_records(path: Path, n: int, tmp_path: Path) -> Path:
    doc = json.loads(path.read_text(encoding="utf-8"))
    refunds = doc["refunds_receive_get_response"]["refunds"]
    refunds["refund"] = refunds["refund"][:n]
    out = tmp_path / f"first-{n}.json"
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return out


def test_a_killed_worker_is_an_error_and_a_second_ingest_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _export(tmp_path, 70, 13)
    _streamed(monkeypatch)
    real = _ingest._stream_page

    def dying(book: Casebook, named: Any, turn: Any, **kw: Any) -> Any:
        if named[0][0].endswith("[28]"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(book, named, turn, **kw)

    monkeypatch.setattr(_ingest, "_stream_page", dying)
    target = tmp_path / "killed.sqlite"
    with Casebook.open(target) as book, pytest.raises(CasebookError, match="ingest the files"):
        book.ingest_files([path], jobs=2)
    monkeypatch.setattr(_ingest, "_stream_page", real)
    expected = _fast(str(tmp_path / "whole.sqlite"), path)
    with Casebook.open(target) as book:
        assert 0 < book.count() < len(expected["dump"]["cases"])
        book.ingest_files([path], jobs=2)
        assert book.verify() == []
        assert book.dump() == expected["dump"]


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _parallel_ingester(at: str, path: str) -> None:
    with Casebook.open(at) as book:
        book.ingest_files([path], jobs=2)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc for the workers")
def test_an_ingest_killed_with_its_workers_running_loses_nothing_and_leaves_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _export(tmp_path, 1500, 14)
    expected = _fast(str(tmp_path / "whole.sqlite"), path)
    _streamed(monkeypatch, page=25)
    target = tmp_path / "killed.sqlite"
    Casebook.open(target).close()
    process = h.fork().Process(target=_parallel_ingester, args=(str(target), str(path)))
    process.start()
    assert process.pid is not None
    with Casebook.open(target) as watcher:
        deadline = time.monotonic() + 60
        while watcher.count() < 200 and time.monotonic() < deadline:
            time.sleep(0.005)
    workers = _children(process.pid)
    assert workers  # the ingest works in processes of its own
    os.kill(process.pid, signal.SIGKILL)
    process.join(10)
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{w}").exists() for w in workers), "orphaned workers end"
    with Casebook.open(target) as book:
        assert book.verify() == []
        assert 0 < book.count() < len(expected["dump"]["cases"])
        book.ingest_files([path], jobs=2)
        assert book.verify() == []
        assert book.dump() == expected["dump"]


def test_a_casebook_in_memory_is_worked_in_the_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _export(tmp_path, 30, 15)
    _streamed(monkeypatch)
    with Casebook.open(":memory:") as book:
        report = book.ingest_files([path], jobs=4)
        assert report.new + report.rejected == 30
        assert book.count() == report.new


# -- the codecs ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported() -> list[Any]:
    result = import_exports([("x", json.loads(exports.EXAMPLE.read_text(encoding="utf-8")))])
    many = list(exports.records(300, 9))
    more = import_exports([("y", {"refunds_receive_get_response": {"refunds": {"refund": many}}})])
    return [*result.cases, *more.cases]


def _generic(value: Any) -> dict[str, Any]:
    """cattrs' generic path: each field through ``converter.unstructure(value, type)``."""
    from aftersales.core._events import Event
    from aftersales.core._serialize import JSON_NAMES, _snake

    cls = type(value)
    body = {
        (JSON_NAMES.get(a.name, a.name) if isinstance(value, Event) else a.name): (
            converter.unstructure(getattr(value, a.name), a.type)
        )
        for a in attrs.fields(cls)
    }
    kind = value.type if isinstance(value, Event) else _snake(cls.__name__)
    return {"type": kind, **body}


def test_field_hooks_write_what_the_generic_path_writes(imported: Any) -> None:
    effects = [e for i in imported for e in i.effects]
    events = [e for i in imported for e in i.case.log]
    assert {type(e).__name__ for e in effects} >= {"DeadlineStarted", "NotifyBuyer"}
    for value in [*events, *effects]:
        assert converter.unstructure(value) == _generic(value)


def test_a_snapshot_s_events_are_the_events_as_written_alone(imported: Any) -> None:
    for i in imported:
        case = i.case
        for since in (0, len(case.log) // 2, len(case.log)):
            snapshot, bodies = snapshot_of(case, since)
            assert json.loads(snapshot) == converter.unstructure(case)
            assert bodies == [event_to_json(e) for e in case.log[since:]]


def test_remembered_instant_texts_keep_each_zone(imported: Any) -> None:
    at = imported[0].case.changed_at
    for zone in ("Asia/Shanghai", "UTC", "Europe/London", "Asia/Tokyo"):
        moved = at.in_timezone(zone)
        assert moved == at
        assert format_instant(moved) == _format_instant(moved)
    assert format_instant(at.in_timezone("UTC")) != format_instant(at)


def test_the_platform_time_form_is_read_as_the_checked_path_reads_it() -> None:
    import datetime as _dt

    import pendulum

    from aftersales.adapters._taobao_fields import FieldError, read_time

    rng = random.Random(3)
    for _ in range(3000):
        parts = [rng.randrange(1985, 2100), *(rng.randrange(0, 62) for _ in range(5))]
        text = "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}".format(*parts)
        try:
            naive = _dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
        except ValueError:
            with pytest.raises(FieldError, match="not a real date"):
                read_time({"t": text}, "t")
            continue
        want = pendulum.instance(naive, tz="Asia/Shanghai")
        got = read_time({"t": text}, "t")
        assert (got, got.isoformat(), got.fold) == (want, want.isoformat(), want.fold)
        assert format_instant(got) == format_instant(want)
