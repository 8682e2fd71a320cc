"""Chinese text in either script, read as one: traditional folded to simplified.

Buyers in Hong Kong and Taiwan write traditional characters, and news copies of the
holiday notice come in both scripts; the keyword lists and the notice grammar are
written once, in simplified. OpenCC (the maintained conversion library) does the
folding: phrase-aware, where a hand table misses every character it does not list.
"""

from __future__ import annotations

import functools

import opencc

__all__ = ["to_mainland", "to_simplified", "to_traditional"]


@functools.cache
def _converter(config: str = "t2s") -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """``text`` with traditional characters and phrases in their simplified form."""
    return str(_converter().convert(text))


def to_mainland(text: str) -> str:
    """``text`` in simplified script and mainland words: 寫著 is 写着, 螢幕 is 屏幕.

    For buyers' own words (reviews), where Taiwan usage differs from the mainland's
    in words as well as characters; the holiday notice needs only ``to_simplified``.
    """
    return str(_converter("tw2sp").convert(text))


def to_traditional(text: str) -> tuple[str, ...]:
    """``text`` as Taiwan and Hong Kong buyers write it (with their words), for matching.

    Keyword lists are written once, in simplified; a buyer's traditional text folds
    back to simplified phrase by phrase, not always to the same words.
    """
    return tuple(dict.fromkeys(str(_converter(c).convert(text)) for c in ("s2tw", "s2hk")))
