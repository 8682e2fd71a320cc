"""The morning board from Taobao exports: what the shop must do today, and what a miss costs.

    .venv/bin/python examples/morning_board.py [EXPORTS_DIR]

Reads the example shop's exports (examples/shop/) as of 2026-03-31 18:00, the
instant the example is meant to be viewed at; a real shop passes
``pendulum.now("Asia/Shanghai")``. ``aftersales board examples/shop`` does the
same from the command line, with the tracking scenarios under examples/shop/ too.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pendulum

from aftersales import Case, Policy, advance, preset
from aftersales.adapters.taobao import ImportResult, load_exports
from aftersales.board import Band, board
from aftersales.orders import ShippingWatch, watch_order
from aftersales.reviews import FollowUp, FollowUpNotNeeded, advance_follow_up, open_follow_up

AT = pendulum.datetime(2026, 3, 31, 18, tz="Asia/Shanghai")


def items(
    exports: ImportResult, at: pendulum.DateTime, policy: Policy
) -> Iterator[Case | ShippingWatch | FollowUp]:
    """Refund cases with their timers run to ``at``, orders waiting to ship, bad reviews."""
    for imported in exports.cases:
        yield advance(imported.case, at, policy)[0]
    for trade in exports.trades:
        if trade.order is not None and trade.status == "WAIT_SELLER_SEND_GOODS":
            yield watch_order(trade.order, [], policy, at=at)
    for review in exports.reviews:
        try:
            yield advance_follow_up(open_follow_up(review, policy), at, policy)
        except FollowUpNotNeeded:  # a good rating: nothing to do
            continue


def main(folder: Path) -> None:
    policy = preset("taobao")
    exports = load_exports(folder, policy=policy)
    for problem in exports.problems:
        print(f"could not import: {problem}")
    result = board(items(exports, AT, policy), AT, policy=policy)
    due_now = [a for a in result.for_shop() if a.band in (Band.OVERDUE, Band.TODAY)]
    print(f"{AT:%Y-%m-%d %H:%M}: {len(result.actions)} actions, {len(due_now)} due by tomorrow")
    for action in due_now:
        when = "no deadline" if action.due is None else f"{action.due:%m-%d %H:%M}"
        print(f"{action.band.value:<8} {when}  {action.case_id}  [{action.rule}]")
        print(f"         do: {action.suggested}")
        print(f"         else: {action.cost}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "shop")
