"""Chinese text in either script, read as one: traditional folded to simplified.

Buyers in Hong Kong and Taiwan write traditional characters, and news copies of the
holiday notice come in both scripts; the keyword lists and the notice grammar are
written once, in simplified. OpenCC (the maintained conversion library) does the
folding: phrase-aware, where a hand table misses every character it does not list.
"""

from __future__ import annotations

import functools

import opencc

__all__ = ["to_simplified"]


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` with traditional characters and phrases in their simplified form."""
    return str(_converter().convert(text))
