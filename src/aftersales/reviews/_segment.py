"""Words of a review, cut by a maintained Chinese segmenter (rjieba, jieba-rs).

The segmenter is imported on first use: ``import aftersales`` and the command
line's start-up stay light. A rule set's own words (a shop's ``开胶``) are added
to the segmenter's dictionary, so a shop word is one token and a contrast word
inside it ("不过" in "质量不过关") is not taken for a turn in the review.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import rjieba

__all__ = ["tokens"]


@functools.lru_cache(maxsize=8)
def _segmenter(words: frozenset[str]) -> rjieba.Jieba:
    import rjieba  # lazy: half a second of dictionary, used by reviews only

    segmenter = rjieba.Jieba()
    for word in sorted(words):
        segmenter.add_word(word, None, None)
    return segmenter


def tokens(text: str, words: frozenset[str]) -> list[tuple[str, int, int]]:
    """``(word, start, end)`` for each token of ``text``; ``words`` join the dictionary."""
    return list(_segmenter(words).tokenize(text))
