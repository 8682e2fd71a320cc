"""The board's projection (``board_rows``) equals what rebuilding the cases gives.

Random event histories are written through the store (appends and timer advances,
engine errors left out); after them every open case's projection row is its
``summarize``, and ``board --casebook``'s items give the same board as the old
path (every open case decoded and advanced to the board's instant).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pendulum
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales import (
    AfterSalesError,
    BuyerCancelled,
    BuyerShippedReturn,
    Case,
    Kind,
    Order,
    RefundRequested,
    SellerAgreed,
    SellerRefused,
)
from aftersales.board import CaseSummary, board, summarize
from aftersales.casebook import Casebook
from aftersales.core._engine import advance

SH = pendulum.timezone("Asia/Shanghai")
BASE = pendulum.datetime(2026, 3, 2, 9, tz=SH)
KINDS = [Kind.REFUND_BEFORE_SHIPMENT, Kind.RETURN_AND_REFUND, Kind.REFUND_ONLY]

step_st = st.tuples(
    st.integers(0, 5),  # which case
    st.sampled_from(["open", "agree", "refuse", "ship", "cancel", "advance"]),
    st.integers(0, 20 * 24 * 60),  # minutes after BASE
)


def _event(case_id: str, n: int, action: str, at: pendulum.DateTime, kind: Kind) -> object:
    if action == "open":
        shipped = kind is not Kind.REFUND_BEFORE_SHIPMENT
        order = Order(
            id=f"T-{case_id}",
            paid="88.00",
            paid_at=BASE.subtract(days=5),
            shipped_at=BASE.subtract(days=4) if shipped else None,
            signed_at=BASE.subtract(days=2) if shipped else None,
        )
        return RefundRequested(
            id=f"{case_id}:req", at=at, case_id=case_id, kind=kind, order=order, amount="66.00"
        )
    if action == "agree":
        return SellerAgreed(id=f"{case_id}:{n}", at=at)
    if action == "refuse":
        return SellerRefused(id=f"{case_id}:{n}", at=at, reason="not as described")
    if action == "ship":
        return BuyerShippedReturn(id=f"{case_id}:{n}", at=at, carrier="SF", tracking=f"SF{n:010d}")
    return BuyerCancelled(id=f"{case_id}:{n}", at=at)


def _write(book: Casebook, steps: list[tuple[int, str, int]]) -> None:
    for n, (which, action, minutes) in enumerate(steps):
        case_id = f"P{which}"
        at = BASE.add(minutes=minutes)
        try:
            if action == "advance":
                if book.get(case_id) is not None:
                    book.advance(case_id, at)
                continue
            event = _event(case_id, n, action, at, KINDS[which % len(KINDS)])
            stored = book.get(case_id)
            if (stored is None) != (action == "open"):
                continue
            book.append(case_id, [event])  # type: ignore[list-item]
        except AfterSalesError:
            continue  # the engine refused it: the store is unchanged


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step_st, min_size=1, max_size=25), at_minutes=st.integers(0, 30 * 24 * 60))
def test_the_projection_equals_the_rebuilt_cases(
    steps: list[tuple[int, str, int]], at_minutes: int
) -> None:
    with Casebook.open(":memory:") as book:
        _write(book, steps)
        assert book.verify() == []  # includes: every board row is its case's summarize
        open_cases = list(book.cases(open_only=True))
        at = BASE.add(minutes=at_minutes)
        summaries, due = book.board_items(at)
        rebuilt = [c if c.changed_at >= at else advance(c, at, book.policy)[0] for c in open_cases]
        new: list[Case | CaseSummary] = [
            *summaries,
            *(c if c.changed_at >= at else advance(c, at, book.policy)[0] for c in due),
        ]
        assert board(new, at) == board(rebuilt, at)
        # what falls due by ``at`` is decoded (due_at is whole seconds, rounded up)
        assert {c.id for c in due} >= {
            c.id for c in open_cases if c.deadline is not None and c.deadline.due <= at
        }
        assert all(c.deadline is not None and c.deadline.due < at.add(seconds=1) for c in due)
        not_due = {s.case_id: s for s in summaries}
        for case in open_cases:
            if case.id in not_due:
                assert not_due[case.id] == summarize(case)


def test_board_casebook_prints_what_decoding_every_case_printed(tmp_path: Path) -> None:
    """The old path (decode and advance every open case) and the projection print the same."""
    from aftersales.cli._board import board_command

    path = str(tmp_path / "shop.sqlite")
    with Casebook.open(path) as book:
        _write(
            book,
            [(i, "open", 60 * i) for i in range(6)]
            + [(1, "agree", 500), (2, "agree", 900), (2, "ship", 2000), (4, "refuse", 700)],
        )
        cases = list(book.cases(open_only=True))
        policy = book.policy
    for at in (
        "2026-03-02T12:00:00+08:00",
        "2026-03-05T12:00:00+08:00",
        "2026-03-30T00:00:00+08:00",
    ):
        when = pendulum.parse(at)
        assert isinstance(when, pendulum.DateTime)
        old = board(
            [c if c.changed_at >= when else advance(c, when, policy)[0] for c in cases], when
        )
        result = CliRunner().invoke(
            board_command, ["--casebook", path, "--at", at, "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        shown = json.loads(result.output)
        assert [a["case_id"] for a in shown["actions"]] == [a.case_id for a in old.actions]
        assert [a["due"] for a in shown["actions"]] == [
            None if a.due is None else a.due.isoformat() for a in old.actions
        ]
        assert [a["band"] for a in shown["actions"]] == [a.band.value for a in old.actions]


def test_a_version_2_casebook_gets_its_board_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with Casebook.open(path) as book:
        _write(book, [(i, "open", 60 * i) for i in range(4)] + [(1, "agree", 300)])
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE board_rows")
    conn.execute("DELETE FROM schema_version WHERE version = 3")
    conn.commit()
    conn.close()
    with Casebook.open(path) as book:
        assert book.verify() == []
        summaries, _ = book.board_items(BASE)
        assert sorted(s.case_id for s in summaries) == sorted(
            c.id for c in book.cases(open_only=True)
        )


def test_rows_of_one_shape_keep_their_own_amount_and_provisional_mark() -> None:
    """Rows sharing workflow, state, timer, party and rule still differ where they differ;
    a row that carries its snapshot comes back as that snapshot, with no summary."""
    from aftersales.casebook._projection import summaries
    from aftersales.core._money import Money

    due_us = int(BASE.timestamp()) * 1_000_000 + 250
    shape = ("refund_only", "WAIT_SELLER_AGREE", "seller_response")
    rows = [
        ("A", *shape, due_us, "Asia/Shanghai", "seller", "RET-AUTO", "66.00", 0, None),
        ("B", *shape, due_us, "Asia/Shanghai", "seller", "RET-AUTO", "12.50", 1, None),
        ("C", *shape, due_us, "Asia/Shanghai", "seller", "RET-AUTO", "66.00", 1, None),
        ("D", *shape, due_us, "Asia/Shanghai", "seller", "RET-AUTO", "66.00", 0, "{snapshot}"),
        ("E", *shape[:2], None, None, None, "buyer", "", "66.00", 0, None),
    ]
    found, whole = summaries(rows)
    assert [(s.case_id, s.outstanding, s.provisional) for s in found] == [
        ("A", Money.of("66.00"), False),
        ("B", Money.of("12.50"), True),
        ("C", Money.of("66.00"), True),
        ("E", Money.of("66.00"), False),
    ]
    assert whole == ["{snapshot}"]
    assert found[0].due == BASE.add(microseconds=250)
    assert found[0].due_ts == due_us / 1_000_000
    assert (found[3].due, found[3].due_ts, found[3].timer) == (None, None, None)


def test_board_casebook_leaves_the_callers_collector_as_it_was(tmp_path: Path) -> None:
    """The command freezes its rows out of the collector's sight while it writes them, and
    gives them back when done: a script calling it in-process keeps collecting its cycles."""
    import gc

    from aftersales.cli._board import board_command

    path = str(tmp_path / "shop.sqlite")
    with Casebook.open(path) as book:
        _write(book, [(i, "open", 60 * i) for i in range(3)])
    result = CliRunner().invoke(
        board_command, ["--casebook", path, "--at", "2026-03-02T12:00:00+08:00"]
    )
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() == 0
