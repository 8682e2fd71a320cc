"""The casebook: storage, idempotent ingestion, deadline queries, the worker and its outbox,
crash safety and concurrency, on SQLite and PostgreSQL.

PostgreSQL runs when its server binaries are found (or AFTERSALES_PG=1): a session
fixture starts a throwaway server on loopback. With AFTERSALES_PG_REQUIRED=1 (CI) a
server that cannot be started fails the tests instead of skipping them.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import random
import shutil
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest
from click.testing import CliRunner

from aftersales import (
    BuyerCancelled,
    BuyerRefunded,
    Case,
    Effect,
    IllegalEvent,
    Kind,
    Order,
    RefundRequested,
    RequestNotAllowed,
    SellerAgreed,
    Status,
)
from aftersales.adapters.taobao import import_exports
from aftersales.casebook import (
    SCHEMA_VERSION,
    Casebook,
    ConcurrencyConflict,
    OutcomeUnknown,
    SchemaError,
    UnknownCase,
    run_worker,
)
from aftersales.core import case_to_json, event_to_dict
from tests import casebook_helpers as h
from tests.casebook_pg import (
    PostgresUnavailable,
    Server,
    find_binaries,
    postgres_server,
    reset,
)

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "examples" / "shop"
#: The example shop's platform exports (the folder holds other files too).
EXPORTS = [
    SHOP / n for n in ("refunds_receive_get.json", "trades_sold_get.json", "traderates_get.json")
]
CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
REQUIRED = os.environ.get("AFTERSALES_PG_REQUIRED") == "1"


@contextlib.contextmanager
def _pg_server(*, durable: bool = False) -> Iterator[Server]:
    """A throwaway PostgreSQL server, or a skip (a failure when it is required)."""
    wanted = os.environ.get("AFTERSALES_PG") == "1" or REQUIRED or find_binaries() is not None
    if not wanted:
        pytest.skip("no PostgreSQL binaries (set AFTERSALES_PG=1 to insist)")
    running = postgres_server(durable=durable)
    try:
        server = running.__enter__()
    except (PostgresUnavailable, ImportError) as exc:
        if REQUIRED:
            pytest.fail(f"AFTERSALES_PG_REQUIRED=1 but PostgreSQL could not start: {exc}")
        pytest.skip(f"PostgreSQL could not start: {exc}")
    try:
        yield server
    finally:
        running.__exit__(None, None, None)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with _pg_server() as server:
        yield server.url


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh, empty casebook lives: a SQLite file or the test server's database."""
    if request.param == "sqlite":
        return str(tmp_path / "book.sqlite")
    url: str = request.getfixturevalue("pg_url")
    reset(url)
    return url


@pytest.fixture
def book(where: str) -> Iterator[Casebook]:
    with Casebook.open(where) as opened:
        yield opened


def _ingest_cases(book: Casebook, numbers: range) -> None:
    for i in numbers:
        assert book.ingest_events(h.case_events(i)).rejected == 0


def _refunds(book: Casebook) -> dict[str, Decimal]:
    """BuyerRefunded amounts in the outbox, per case."""
    total: dict[str, Decimal] = {}
    for entry in book.outbox():
        if isinstance(entry.effect, BuyerRefunded):
            total[entry.case_id] = total.get(entry.case_id, Decimal(0)) + entry.effect.amount.amount
    return total


# -- storing -----------------------------------------------------------------------------------


def test_append_stores_log_snapshot_and_versions(book: Casebook) -> None:
    (case_id, request), *_ = h.case_events(1)
    assert book.version(case_id) == 0
    first = book.append(case_id, [request])
    assert first.version == 1
    assert first.effects  # PRE-APPLY notice, the deadline started
    agreed = SellerAgreed(id="s1", at=request.at.add(hours=1))
    second = book.append(case_id, [agreed], expected_version=1)
    assert second.version == 2
    assert second.case.status is Status.SUCCESS
    assert book.case(case_id) == second.case
    assert book.events(case_id) == (request, agreed)
    assert book.verify() == []
    with pytest.raises(UnknownCase):
        book.case("nope")


def test_same_event_id_again_is_a_no_op(book: Casebook) -> None:
    (case_id, request), *_ = h.case_events(2)
    book.append(case_id, [request])
    before = book.dump()
    again = book.append(case_id, [request])
    assert not again.changed
    assert again.version == 1
    assert book.dump() == before
    different = SellerAgreed(id=request.id, at=request.at.add(hours=1))
    report = book.ingest_events([(case_id, different)])
    assert report.rejected == 1
    assert "differs from the stored one" in report.rejections[0].reason
    assert book.dump() == before


def test_two_writers_cannot_both_apply(where: str) -> None:
    (case_id, request), *_ = h.case_events(4)
    with Casebook.open(where) as one, Casebook.open(where) as two:
        one.append(case_id, [request])
        # both read version 1 and decide on different next events
        assert one.version(case_id) == two.version(case_id) == 1
        one.append(case_id, [SellerAgreed(id="a", at=request.at.add(hours=1))], expected_version=1)
        with pytest.raises(ConcurrencyConflict) as caught:
            two.append(
                case_id, [BuyerCancelled(id="b", at=request.at.add(hours=1))], expected_version=1
            )
        assert caught.value.found == 2
        assert two.case(case_id).status is Status.SUCCESS
        assert two.verify() == []
        # creating a case another writer created first is a conflict too
        with pytest.raises(ConcurrencyConflict):
            two.append(case_id, [request], expected_version=0)


def test_engine_errors_leave_the_store_unchanged(book: Casebook) -> None:
    (case_id, request), *_ = h.case_events(5)
    book.append(case_id, [request, SellerAgreed(id="a", at=request.at.add(hours=1))])
    before = book.dump()
    with pytest.raises(IllegalEvent):
        book.append(case_id, [BuyerCancelled(id="late", at=request.at.add(hours=2))])
    assert book.dump() == before


def _after_sale_request(case_id: str, at: str) -> RefundRequested:
    """A return requested after the trade succeeded (the after-sale window, AFTER-15D)."""
    sh = pendulum.timezone("Asia/Shanghai")
    order = Order(
        id="4077000000000000001",
        paid="88.00",
        paid_at=pendulum.datetime(2026, 3, 1, 10, tz=sh),
        shipped_at=pendulum.datetime(2026, 3, 1, 18, tz=sh),
        signed_at=pendulum.datetime(2026, 3, 3, 12, tz=sh),
        finished_at=pendulum.datetime(2026, 3, 5, 12, tz=sh),
    )
    return RefundRequested(
        id=f"{case_id}-opened",
        at=pendulum.parse(at, tz=sh),
        case_id=case_id,
        kind=Kind.RETURN_AND_REFUND,
        order=order,
        amount="88.00",
        reason="质量问题",
    )


def test_an_orders_after_sale_entry_is_used_once_across_stored_cases(book: Casebook) -> None:
    """AFTER-ONCE holds across the store: the engine is shown the order's stored cases."""
    book.append("AS-1", [_after_sale_request("AS-1", "2026-03-08 10:00")])
    before = book.dump()
    with pytest.raises(RequestNotAllowed, match="AS-1") as refused:
        book.append("AS-2", [_after_sale_request("AS-2", "2026-03-09 10:00")])
    assert refused.value.rule == "AFTER-ONCE"
    assert book.dump() == before


def test_a_writer_that_did_not_see_the_earlier_case_is_refused_at_commit(
    book: Casebook,
) -> None:
    """Two writers opening after-sale cases of one order at once: the second to commit
    is refused inside its write transaction, whatever its engine run was shown."""
    from aftersales import open_case
    from aftersales.casebook._store import _apply

    book.append("AS-1", [_after_sale_request("AS-1", "2026-03-08 10:00")])
    second = _after_sale_request("AS-2", "2026-03-09 10:00")
    case, effects = _apply(None, "AS-2", [second], book.policy)  # blind to AS-1
    assert case == open_case(second, book.policy)[0]
    with pytest.raises(RequestNotAllowed) as refused:
        book._write("AS-2", None, case, effects)
    assert refused.value.rule == "AFTER-ONCE"
    assert book.get("AS-2") is None


def test_a_casebook_reopened_under_another_policy_is_refused(where: str) -> None:
    """Stored cases were computed under the policy the store was written with; under
    another one they would not replay, so the store says so instead of drifting."""
    from aftersales import preset
    from aftersales.casebook import PolicyMismatch

    with Casebook.open(where, policy=preset("taobao")) as book:
        (case_id, request), *_ = h.case_events(3)
        book.append(case_id, [request])
    with Casebook.open(where, policy=preset("taobao")) as same:
        assert same.count() == 1
    with pytest.raises(PolicyMismatch, match=r"late_comp_rate: stored 0\.05, given 0\.30") as told:
        Casebook.open(where, policy=preset("tmall"))
    assert "marketplace" in str(told.value)  # past the first five, named
    with Casebook.open(where, policy=preset("tmall"), replace_policy=True) as switched:
        assert switched.count() == 1
    with Casebook.open(where, policy=preset("tmall")):
        pass  # the switch was recorded


def test_a_number_the_store_never_recorded_is_not_a_mismatch(tmp_path: Path) -> None:
    """A library upgrade adds a policy number: the store written before it opens, and
    its record gains the number; a number both sides record still has to agree."""
    from aftersales import preset
    from aftersales.casebook import PolicyMismatch

    path = tmp_path / "book.sqlite"
    Casebook.open(path, policy=preset("taobao")).close()
    with sqlite3.connect(path) as conn:  # as written by a library without the number
        (text,) = conn.execute("SELECT value FROM meta WHERE key = 'policy'").fetchone()
        older = json.loads(text)
        del older["late_ship_points"]
        conn.execute("UPDATE meta SET value = ? WHERE key = 'policy'", (json.dumps(older),))
    Casebook.open(path, policy=preset("taobao")).close()
    with sqlite3.connect(path) as conn:
        (text,) = conn.execute("SELECT value FROM meta WHERE key = 'policy'").fetchone()
        assert json.loads(text)["late_ship_points"] == "3"
    with pytest.raises(PolicyMismatch, match="late_ship_points: stored 3, given 1"):
        Casebook.open(path, policy=preset("taobao").override(late_ship_points=1))


def test_a_checkpoint_leaves_the_file_whole_without_its_log(where: str, tmp_path: Path) -> None:
    """What ingest asks once its last pages are handed out: the writes so far in the
    file itself (SQLite), while the connection stays open; harmless on PostgreSQL."""
    with Casebook.open(where) as book:
        _ingest_cases(book, range(40))
        book._db.checkpoint()
        if where.startswith("postgresql"):
            assert book.count() == 40
            return
        alone = tmp_path / "file-alone.sqlite"  # the file without its -wal beside it
        shutil.copyfile(where, alone)
    with contextlib.closing(sqlite3.connect(alone)) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone() == (40,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_schema_is_versioned_and_newer_schemas_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite"
    Casebook.open(path).close()
    Casebook.open(path).close()  # reopening migrates nothing twice
    with sqlite3.connect(path) as conn:
        versions = conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        assert versions == [(v,) for v in range(1, SCHEMA_VERSION + 1)]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaError, match="upgrade aftersales"):
        Casebook.open(path)


def test_a_version_1_casebook_is_migrated_and_its_orders_backfilled(tmp_path: Path) -> None:
    """A store written before schema 2 keeps its cases; their orders are filled in from the
    snapshots, so AFTER-ONCE holds for them too."""
    from aftersales import open_case, preset
    from aftersales.casebook._db import _MIGRATIONS
    from aftersales.core import case_to_json

    path = tmp_path / "old.sqlite"
    first = _after_sale_request("AS-1", "2026-03-08 10:00")
    case, _ = open_case(first, preset("taobao"))
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for statement in _MIGRATIONS[1]:
            conn.execute(statement.replace("{id}", "INTEGER PRIMARY KEY AUTOINCREMENT"))
        conn.execute("INSERT INTO schema_version VALUES (1)")
        conn.execute(
            "INSERT INTO cases (case_id, version, kind, state, status, final, due_at, "
            "changed_at, snapshot) VALUES (?, 1, ?, ?, ?, 0, NULL, 0, ?)",
            ("AS-1", case.kind.value, case.state.value, case.status.value, case_to_json(case)),
        )
    with Casebook.open(path) as book:
        assert book.case("AS-1") == case
        with pytest.raises(RequestNotAllowed) as refused:
            book.append("AS-2", [_after_sale_request("AS-2", "2026-03-09 10:00")])
        assert refused.value.rule == "AFTER-ONCE"
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT order_id, aftersale FROM cases WHERE case_id = 'AS-1'")
        assert row.fetchone() == ("4077000000000000001", 1)


# -- ingestion ---------------------------------------------------------------------------------


def test_ingesting_the_same_exports_twice_changes_nothing(book: Casebook) -> None:
    first = book.ingest_files(EXPORTS)
    assert (first.new, first.duplicate, first.rejected) == (14, 0, 1)
    assert "float 12.8" in first.rejections[0].reason  # the adapter's problem, reported
    dump = book.dump()
    second = book.ingest_files(EXPORTS)
    assert (second.new, second.duplicate, second.rejected) == (0, 14, 1)
    assert book.dump() == dump
    assert book.verify() == []
    # the stored cases are the adapter's cases
    adapter = {
        c.case.id: c.case
        for c in import_exports((str(p), json.loads(p.read_text())) for p in EXPORTS).cases
    }
    assert {c.id: c for c in book.cases()} == adapter


def _export(name: str) -> Any:
    return json.loads((SHOP / name).read_text(encoding="utf-8"))


def _refund_records(doc: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = doc["refunds_receive_get_response"]["refunds"]["refund"]
    return records


def test_conflicting_platform_history_is_reported_not_applied(book: Casebook) -> None:
    refunds, trades = _export("refunds_receive_get.json"), _export("trades_sold_get.json")
    book.ingest_platform(import_exports([("refunds", refunds), ("trades", trades)]))
    waiting = next(
        r
        for r in _refund_records(refunds)
        if r["status"] == "WAIT_SELLER_AGREE" and r["cs_status"] == 1
    )
    case_id = waiting["refund_id"]
    before = book.dump()

    # 1. a different event at the same ID: the request's time moved
    moved = copy.deepcopy(refunds)
    record = next(r for r in _refund_records(moved) if r["refund_id"] == case_id)
    record["created"] = record["modified"] = "2026-03-31 12:11:00"
    report = book.ingest_platform(import_exports([("refunds", moved), ("trades", trades)]))
    mine = [o for o in report.outcomes if o.case_id == case_id]
    assert [o.result for o in mine] == ["rejected"]
    assert "differs from the stored one" in mine[0].reason
    assert book.dump() == before

    # 2. the stored case was closed by the shop's own event; the platform now says SUCCESS
    stored = book.case(case_id)
    book.append(case_id, [BuyerCancelled(id="mine:cancel", at=stored.changed_at.add(minutes=5))])
    closed = book.dump()
    later = copy.deepcopy(refunds)
    record = next(r for r in _refund_records(later) if r["refund_id"] == case_id)
    record["status"] = "SUCCESS"
    record["modified"] = "2026-03-31 15:00:00"
    report = book.ingest_platform(import_exports([("refunds", later), ("trades", trades)]))
    mine = [o for o in report.outcomes if o.case_id == case_id]
    assert [o.result for o in mine] == ["rejected"]
    assert "cannot be reached from the stored case" in mine[0].reason
    assert book.dump() == closed


def test_a_newer_platform_snapshot_adds_only_the_new_events(book: Casebook) -> None:
    refunds, trades = _export("refunds_receive_get.json"), _export("trades_sold_get.json")
    waiting = next(
        r
        for r in _refund_records(refunds)
        if r["status"] == "WAIT_SELLER_AGREE" and r["cs_status"] == 1
    )
    older = copy.deepcopy(refunds)
    _refund_records(older)[:] = [waiting]
    assert book.ingest_platform(import_exports([("r", older), ("t", trades)])).new == 1
    newer = copy.deepcopy(older)
    _refund_records(newer)[0].update(status="SUCCESS", modified="2026-03-31 15:00:00")
    report = book.ingest_platform(import_exports([("r", newer), ("t", trades)]))
    assert [(o.result, o.events) for o in report.outcomes] == [("new", 1)]
    case = book.case(waiting["refund_id"])
    assert case.status is Status.SUCCESS
    assert book.version(case.id) == 2
    assert _refunds(book) == {case.id: case.refunded.amount}
    assert book.ingest_platform(import_exports([("r", newer), ("t", trades)])).duplicate == 1
    # an older snapshot after a newer one is a duplicate: the store knows more
    assert book.ingest_platform(import_exports([("r", older), ("t", trades)])).duplicate == 1
    assert book.verify() == []


def test_ingest_event_json_documents(book: Casebook, tmp_path: Path) -> None:
    pairs = h.case_events(3)  # a request and the seller's agreement
    case_id = pairs[0][0]
    doc = {"case_id": case_id, "events": [event_to_dict(e) for _, e in pairs]}
    (tmp_path / "events.json").write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    report = book.ingest_files([tmp_path])
    assert (report.new, report.duplicate, report.rejected) == (2, 0, 1)
    saved = tmp_path / "again"
    saved.mkdir()
    (saved / "case.json").write_text(case_to_json(book.case(case_id)), encoding="utf-8")
    again = book.ingest_files([saved])
    assert (again.new, again.duplicate, again.rejected) == (0, 2, 0)


# -- deadlines ---------------------------------------------------------------------------------


def test_deadline_queries(book: Casebook) -> None:
    _ingest_cases(book, range(1, 31))
    dues = {
        c.id: c.deadline.due for c in book.cases() if c.deadline is not None
    }  # every case not agreed at once waits on PRE-AUTO-2D
    assert len(dues) == 20
    ordered = sorted(dues, key=lambda k: (dues[k], k))
    assert [d.case_id for d in book.next_due(5)] == ordered[:5]
    cut = dues[ordered[9]]
    before = book.due_before(cut)
    assert [d.case_id for d in before] == ordered[:10]
    assert all(d.due == dues[d.case_id] for d in before)
    assert all(d.due.timezone_name == "UTC" for d in before)
    assert [d.case_id for d in book.due_before(cut, limit=3)] == ordered[:3]
    assert book.due_before(cut.subtract(days=30)) == []
    # the worker fires what was due; what remains is after the cut
    run_worker(book, now=lambda: cut, handle=lambda e, c: None, logger=h.quiet())
    assert book.due_before(cut) == []
    assert [d.case_id for d in book.next_due(100)] == ordered[10:]


def test_due_queries_read_the_index(tmp_path: Path) -> None:
    Casebook.open(tmp_path / "b.sqlite").close()
    with sqlite3.connect(tmp_path / "b.sqlite") as conn:
        plans = [
            " ".join(str(part) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}") for part in row)
            for sql in (
                "SELECT case_id FROM cases WHERE due_at <= 5 ORDER BY due_at, case_id",
                "SELECT case_id FROM cases WHERE due_at IS NOT NULL ORDER BY due_at LIMIT 100",
            )
        ]
    assert all("USING INDEX cases_due" in plan for plan in plans), plans


# -- the worker and the outbox --------------------------------------------------------------------


def test_worker_hands_each_effect_over_once(book: Casebook) -> None:
    _ingest_cases(book, range(1, 13))
    handed: list[tuple[str, Effect]] = []
    stats = run_worker(
        book, now=lambda: h.LATER, handle=lambda e, c: handed.append((c.id, e)), logger=h.quiet()
    )
    assert stats.advanced == 8  # the cases left to the timer
    assert {e.status for e in book.outbox()} == {"done"}
    assert len(handed) == len(book.outbox()) == stats.done
    for case in book.cases():
        assert case.status is Status.SUCCESS
        assert _refunds(book)[case.id] == case.refunded.amount == h.amount(int(case.id[1:]))
    again = run_worker(book, now=lambda: h.LATER, handle=lambda e, c: None, logger=h.quiet())
    assert (again.advanced, again.handed) == (0, 0)
    assert book.verify() == []


def test_one_run_over_a_large_casebook_keeps_up(where: str) -> None:
    """2,000 due cases, each making two effects: one ``--once`` run (the default one
    effect per hand-over step) advances them all and leaves nothing pending or in doubt,
    every effect handed over once; no pass hands over fewer effects than it made."""
    import structlog
    from benchmarks.casebook_scale import WORKER_AT, fill

    cases = 2_000
    fill(where, cases, due=True)
    handed: Counter[tuple[str, str]] = Counter()
    with Casebook.open(where) as book, structlog.testing.capture_logs() as logs:
        stats = run_worker(
            book,
            now=lambda: pendulum.parse(WORKER_AT),  # type: ignore[arg-type,return-value]
            handle=lambda e, c: handed.update([(c.id, type(e).__name__)]),
        )
        entries = book.outbox()
        assert book.due_before(pendulum.parse(WORKER_AT)) == []  # type: ignore[arg-type]
        assert book.verify() == []
    assert stats.advanced == cases
    assert len(entries) == stats.handed == stats.done > cases  # more effects than cases
    assert {e.status for e in entries} == {"done"}  # none pending, handing or parked
    assert {e.attempts for e in entries} == {1}
    assert set(handed.values()) == {1}  # each handed over once
    assert len(handed) == len(entries)
    passes = [entry for entry in logs if entry["event"] == "worker_pass"]
    assert len(passes) >= 4  # the default 500 cases a pass
    assert all(p["handed"] >= 2 * p["advanced"] for p in passes)
    # one line per pass at the default level; the per-effect and transition lines are debug
    detail = [e for e in logs if e["event"] in ("effect_done", "transition")]
    assert {e["log_level"] for e in detail} == {"debug"}


def test_outcome_unknown_is_parked_never_retried(book: Casebook) -> None:
    _ingest_cases(book, range(1, 4))  # C00003 agrees at once: a refund in the outbox

    def refund_times_out(effect: Effect, case: Case) -> None:
        if isinstance(effect, BuyerRefunded):
            raise OutcomeUnknown("refund API timed out after 30 s")

    stats = run_worker(book, now=lambda: h.LATER, handle=refund_times_out, logger=h.quiet())
    parked = book.parked()
    assert stats.unknown == len(parked) == 3
    assert {p.status for p in parked} == {"unknown"}
    assert all("timed out" in p.note for p in parked)
    calls: list[Effect] = []
    run_worker(book, now=lambda: h.LATER, handle=lambda e, c: calls.append(e), logger=h.quiet())
    assert calls == []  # never handed over again by itself
    # a person checked: the first did not happen; it goes out again
    book.resolve(parked[0].id, happened=False, note="not in the bank statement")
    book.resolve(parked[1].id, happened=True)
    run_worker(book, now=lambda: h.LATER, handle=lambda e, c: calls.append(e), logger=h.quiet())
    assert calls == [parked[0].effect]
    assert [p.id for p in book.parked()] == [parked[2].id]


def test_the_outbox_command_lists_and_settles_parked_effects(tmp_path: Path) -> None:
    from aftersales.cli import main

    where = str(tmp_path / "book.sqlite")
    with Casebook.open(where) as book:
        _ingest_cases(book, range(1, 3))

        def refund_times_out(effect: Effect, case: Case) -> None:
            if isinstance(effect, BuyerRefunded):
                raise OutcomeUnknown("refund API timed out after 30 s")

        run_worker(book, now=lambda: h.LATER, handle=refund_times_out, logger=h.quiet())
        parked = book.parked()
    assert len(parked) == 2
    runner = CliRunner()
    listed = runner.invoke(main, ["outbox", "--casebook", where])
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("unknown") == 2
    assert "BuyerRefunded" in listed.output
    assert "timed out" in listed.output
    first = str(parked[0].id)
    half = runner.invoke(main, ["outbox", "--casebook", where, "--resolve", first])
    assert half.exit_code == 2  # happened or not must be said
    done = runner.invoke(
        main, ["outbox", "--casebook", where, "--resolve", first, "--happened", "--note", "已退"]
    )
    assert done.exit_code == 0, done.output
    again = runner.invoke(main, ["outbox", "--casebook", where, "--resolve", first, "--happened"])
    assert again.exit_code == 2  # no longer parked
    with Casebook.open(where) as book:
        assert [p.id for p in book.parked()] == [parked[1].id]
        settled = next(e for e in book.outbox("done") if e.id == parked[0].id)
        assert settled.note == "已退"


def test_failing_handler_is_retried_then_parked(book: Casebook) -> None:
    _ingest_cases(book, range(3, 4))
    attempts: Counter[int] = Counter()

    def flaky(effect: Effect, case: Case) -> None:
        attempts[id(effect)] += 0
        if isinstance(effect, BuyerRefunded):
            raise ConnectionError("refused")

    stats = run_worker(book, now=lambda: h.LATER, handle=flaky, logger=h.quiet(), max_attempts=3)
    (failed,) = book.parked()
    assert failed.status == "failed"
    assert failed.attempts == 3
    assert stats.retried == 2
    assert "ConnectionError" in failed.note


def test_a_crash_while_handing_over_stays_visible(book: Casebook) -> None:
    _ingest_cases(book, range(3, 4))

    class Crash(BaseException):
        pass

    def crash(effect: Effect, case: Case) -> None:
        if isinstance(effect, BuyerRefunded):
            raise Crash

    with pytest.raises(Crash):
        run_worker(book, now=lambda: h.LATER, handle=crash, logger=h.quiet())
    (doubt,) = book.outbox("handing")
    assert isinstance(doubt.effect, BuyerRefunded)
    calls: list[Effect] = []
    run_worker(book, now=lambda: h.LATER, handle=lambda e, c: calls.append(e), logger=h.quiet())
    assert not any(isinstance(e, BuyerRefunded) for e in calls)
    assert book.outbox("handing") == [doubt]


def test_worker_stops_when_asked(where: str) -> None:
    stop = threading.Event()
    result: list[Any] = []

    def run() -> None:
        with Casebook.open(where) as own:
            result.append(
                run_worker(
                    own,
                    now=lambda: h.LATER,
                    handle=lambda e, c: None,
                    stop=stop,
                    idle=0.02,
                    logger=h.quiet(),
                )
            )

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.2)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert result[0].passes >= 2


def test_worker_writes_the_audit_trail(book: Casebook) -> None:
    import structlog

    _ingest_cases(book, range(1, 2))
    with structlog.testing.capture_logs() as logs:
        run_worker(book, now=lambda: h.LATER, handle=lambda e, c: None)
    events = [entry["event"] for entry in logs]
    assert "transition" in events
    assert "effect_done" in events
    transition = next(e for e in logs if e["event"] == "transition")
    assert transition["rule"] == "PRE-AUTO-2D"


# -- crash safety ------------------------------------------------------------------------------


def _count(where: str) -> int:
    """Cases stored so far (0 before the first writer made the store)."""
    if "://" not in where and not Path(where).exists():
        return 0
    with Casebook.open(where) as book:
        return book.count()


def _wait_for_more(where: str, before: int, timeout: float = 30.0) -> int:
    """Wait until the store holds more than ``before`` cases; 1 once it does."""
    deadline = time.monotonic() + timeout
    while _count(where) <= before:
        assert time.monotonic() < deadline, "the writer stored nothing"
        time.sleep(0.01)
    return 1


def _kill_writers(where: str, rounds: int, rng: random.Random, hand_batch: int = 1) -> None:
    """Start a writer, SIGKILL it after a random delay, reopen and check; ``rounds`` times.

    A writer handing over ``hand_batch`` effects per transaction may leave that many in
    doubt per kill; one at a time, only the one it was handing over."""
    in_doubt = 0
    waited = 0
    for seed in range(rounds):
        before = _count(where)
        process = h.start(h.writer, where, seed, hand_batch)
        if seed % 2:
            # every other writer is killed only once it has stored a case, so the kills land
            # in the middle of work however slowly a loaded machine starts a process
            waited += _wait_for_more(where, before)
        time.sleep(rng.uniform(0.02, 0.25))
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        process.join(10)
        with Casebook.open(where) as book:
            assert book.verify() == [], f"after kill {seed}"
            # each kill leaves at most the one effect it was handing over (or its batch),
            # in plain sight
            handing = len(book.outbox("handing"))
            assert in_doubt <= handing <= in_doubt + hand_batch
            in_doubt = handing
    with Casebook.open(where) as book:
        assert book.count() >= waited > 0  # the writers got somewhere between the kills
        # every write's effects are there: refunds in the outbox match what the cases refunded
        refunded = {c.id: c.refunded.amount for c in book.cases() if c.refunded.amount}
        assert _refunds(book) == refunded


#: Kills per store; a fresh store after each group keeps the full check after every kill cheap.
_GROUP = 5


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_killed_writer_never_leaves_half_an_event(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    rng = random.Random(20260302)
    rounds = (30 if backend == "sqlite" else 10) if CI else (40 if backend == "sqlite" else 15)
    for group in range(rounds // _GROUP):
        if backend == "sqlite":
            where = str(tmp_path / f"crash-{group}.sqlite")
        else:
            where = request.getfixturevalue("pg_url")
            reset(where)
        _kill_writers(where, _GROUP, rng)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_killed_batching_worker_keeps_every_outbox_guarantee(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """As above, with effects handed over 5 per transaction (``--hand-batch``)."""
    rng = random.Random(20261124)
    rounds = (20 if backend == "sqlite" else 10) if CI else (30 if backend == "sqlite" else 10)
    for group in range(rounds // _GROUP):
        if backend == "sqlite":
            where = str(tmp_path / f"crash-{group}.sqlite")
        else:
            where = request.getfixturevalue("pg_url")
            reset(where)
        _kill_writers(where, _GROUP, rng, hand_batch=5)


def test_a_crashed_postgresql_server_keeps_every_write_it_acknowledged(tmp_path: Path) -> None:
    """The server itself dies mid-write (every process at once, no checkpoint) and is
    started again: the store is consistent, and every case the writer was told was
    stored is there (the durable server acknowledges a commit once it is in the WAL)."""
    rng = random.Random(20261123)
    crashes = 4 if CI else 8
    with _pg_server(durable=True) as server:
        in_doubt = 0
        for crash in range(crashes):
            acked = tmp_path / f"acked-{crash}.txt"
            process = h.start(h.acknowledging_writer, server.url, crash, str(acked))
            time.sleep(rng.uniform(0.3, 0.8))
            server.crash()
            process.join(30)  # the writer stops on the lost connection
            assert process.exitcode == 0, "the writer ended on something else"
            server.start()
            with Casebook.open(server.url) as book:
                assert book.verify() == [], f"after crash {crash}"
                told = set(acked.read_text(encoding="utf-8").split())
                assert told, "the writer stored nothing before the crash"
                assert told <= {c.id for c in book.cases()}, f"lost after crash {crash}"
                handing = len(book.outbox("handing"))
                assert in_doubt <= handing <= in_doubt + 1
                in_doubt = handing


# -- concurrency -------------------------------------------------------------------------------


def test_concurrent_ingesters_and_workers_apply_everything_once(where: str, tmp_path: Path) -> None:
    cases = 36
    Casebook.open(where).close()  # the schema, before the processes race
    finished = h.fork().Event()
    outs = [tmp_path / f"handed-{n}.jsonl" for n in range(3)]
    workers = [h.start(h.worker, where, str(out), finished) for out in outs]
    # three ingesters over overlapping ranges: every case is ingested by two of them
    thirds = [list(range(1, 13)), list(range(13, 25)), list(range(25, 37))]
    ingesters = [h.start(h.ingester, where, thirds[n] + thirds[(n + 1) % 3], n) for n in range(3)]
    for process in ingesters:
        process.join(60)
        assert process.exitcode == 0
    finished.set()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    with Casebook.open(where) as book:
        assert book.count() == cases
        assert book.verify() == []
        stored = {c.id: c for c in book.cases()}
        assert all(c.status is Status.SUCCESS for c in stored.values())
        # money refunded once: the outbox holds one refund per case, of the case's amount
        assert _refunds(book) == {k: c.refunded.amount for k, c in stored.items()}
        assert all(c.refunded.amount == h.amount(int(k[1:])) for k, c in stored.items())
        assert {e.status for e in book.outbox()} == {"done"}
        # and each was handed over once, across the three workers
        lines = [json.loads(line) for out in outs for line in out.read_text().splitlines()]
        handed = Counter(line["case"] for line in lines)
        assert handed == dict.fromkeys(stored, 1)
        # every event stored once: a case's versions are its writes, its events 1..n
        for case_id, case in stored.items():
            assert len(book.events(case_id)) == len(case.log)


# -- the command line --------------------------------------------------------------------------


def test_cli_ingest_and_worker(tmp_path: Path) -> None:
    from aftersales.cli._casebook import ingest_command, worker_command

    path = str(tmp_path / "shop.sqlite")
    runner = CliRunner()
    first = runner.invoke(ingest_command, ["--casebook", path, *map(str, EXPORTS)])
    assert first.exit_code == 1, first.output  # one record is rejected
    assert "14 new, 0 duplicate, 1 rejected" in first.output
    assert "float 12.8" in first.output
    second = runner.invoke(ingest_command, ["--casebook", path, *map(str, EXPORTS)])
    assert "0 new, 14 duplicate, 1 rejected" in second.output
    done = runner.invoke(
        worker_command, ["--casebook", path, "--once", "--at", "2026-06-01T00:00:00+08:00"]
    )
    assert done.exit_code == 0, done.output
    with Casebook.open(path) as book:
        assert book.due_before(pendulum.datetime(2026, 6, 1, tz=h.SH)) == []
        assert book.outbox("pending") == []


def test_cli_worker_with_a_handler_killed_leaves_one_effect_in_doubt(tmp_path: Path) -> None:
    """A shop's handler acts outside (a refund): by default one effect per step, so a
    worker killed while handing over repeats at most that one outside call."""
    import subprocess
    import sys

    from aftersales.cli._casebook import ingest_command

    path = str(tmp_path / "shop.sqlite")
    CliRunner().invoke(ingest_command, ["--casebook", path, *map(str, EXPORTS)])
    with Casebook.open(path) as book:
        assert len(book.outbox("pending")) > 3
    (tmp_path / "dies.py").write_text(
        "import os\ncalls = 0\ndef handle(effect, case):\n    global calls\n"
        "    calls += 1\n    if calls == 3:\n        os._exit(9)\n",
        encoding="utf-8",
    )
    code = "import sys; from aftersales.cli import main; sys.exit(main())"
    argv = ["worker", "--casebook", path, "--once", "--handler", "dies:handle"]
    done = subprocess.run(
        [sys.executable, "-c", code, *argv, "--at", "2026-06-01T00:00:00+08:00"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 9, done.stderr
    with Casebook.open(path) as book:
        assert len(book.outbox("done")) == 2
        assert len(book.outbox("handing")) == 1


def test_cli_worker_without_a_handler_hands_over_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default handler only logs: nothing outside happens twice after a kill, so the
    command hands over 100 effects per step; ``--hand-batch`` still decides when given."""
    import aftersales.casebook
    from aftersales.cli._casebook import worker_command

    seen: list[int] = []

    def spy(*args: Any, hand_batch: int, **kwargs: Any) -> Any:
        seen.append(hand_batch)
        return run_worker(*args, hand_batch=hand_batch, **kwargs)

    monkeypatch.setattr(aftersales.casebook, "run_worker", spy)
    path = str(tmp_path / "shop.sqlite")
    (tmp_path / "shop_effects.py").write_text("def handle(effect, case):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for extra in ([], ["--hand-batch", "7"], ["--handler", "shop_effects:handle"]):
        done = CliRunner().invoke(worker_command, ["--casebook", path, "--once", *extra])
        assert done.exit_code == 0, done.output
    assert seen == [100, 7, 1]


def test_cli_ingest_of_a_shop_folder_skips_and_names_the_library_s_other_files(
    tmp_path: Path,
) -> None:
    from aftersales.cli._casebook import ingest_command

    path = str(tmp_path / "shop.sqlite")
    result = CliRunner().invoke(ingest_command, ["--casebook", path, str(SHOP)])
    # the one malformed refund record still fails the run; the other files do not
    assert result.exit_code == 1, result.output
    assert "14 new, 0 duplicate, 1 rejected, 2 skipped" in result.output
    skipped = [line for line in result.output.splitlines() if line.startswith("  skipped: ")]
    assert len(skipped) == 2
    assert any("malicious/" in line and "a malicious-order file" in line for line in skipped)
    assert any("tracking/" in line and "an order scenario" in line for line in skipped)
    rejected = [line for line in result.output.splitlines() if line.startswith("  rejected: ")]
    assert len(rejected) == 1
    assert "refund_fee" in rejected[0]


def test_ingest_skips_review_and_case_scenario_files(book: Casebook, tmp_path: Path) -> None:
    review = tmp_path / "review.json"
    review.write_text(json.dumps({"result": "bad", "content": "too small"}), encoding="utf-8")
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps({"case": {}, "events": []}), encoding="utf-8")
    report = book.ingest_files([tmp_path])
    assert (report.new, report.rejected, report.skipped) == (0, 0, 2)
    reasons = sorted(o.reason for o in report.skips)
    assert reasons[0].startswith("a case scenario: `aftersales timeline` runs it")
    assert reasons[1].startswith("a review follow-up")
    assert list(book.cases()) == []  # nothing stored


def test_board_reads_the_casebook(tmp_path: Path) -> None:
    from aftersales.cli._board import board_command

    path = str(tmp_path / "shop.sqlite")
    with Casebook.open(path) as book:
        book.ingest_files([SHOP / "refunds_receive_get.json", SHOP / "trades_sold_get.json"])
        open_ids = {c.id for c in book.cases(open_only=True)}
    result = CliRunner().invoke(
        board_command,
        ["--casebook", path, "--at", "2026-03-31T18:00:00+08:00", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    ids = {a["case_id"] for a in shown["actions"]}
    assert ids
    assert ids <= open_ids
    assert CliRunner().invoke(board_command, []).exit_code == 2  # neither PATHS nor --casebook
