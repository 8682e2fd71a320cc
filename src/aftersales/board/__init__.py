"""The action board (`aftersales.board`): every due action across a shop, most urgent first."""

from __future__ import annotations

from ._board import ADVICE, Action, Advice, Band, Board, CaseSummary, board, summarize

__all__ = ["ADVICE", "Action", "Advice", "Band", "Board", "CaseSummary", "board", "summarize"]
