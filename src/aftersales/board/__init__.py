"""The action board (`aftersales.board`): every due action across a shop, most urgent first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core._lazy import lazy_exports

if TYPE_CHECKING:
    from ._board import ADVICE, Action, Advice, Band, Board, board
    from ._summary import CaseSummary, summarize

__all__ = ["ADVICE", "Action", "Advice", "Band", "Board", "CaseSummary", "board", "summarize"]

_EXPORTS: dict[str, tuple[str, ...]] = {
    "_board": ("ADVICE", "Action", "Advice", "Band", "Board", "board"),
    "_summary": ("CaseSummary", "summarize"),
}

if not TYPE_CHECKING:
    # Read on first use (``core._lazy``): the casebook keeps a summary per open case
    # (``_summary``) without importing the board's advice, follow-ups and order watches.
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
