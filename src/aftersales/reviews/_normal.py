"""A review's text as the classifier reads it: one script, one case, one spacing.

Shared by the rules (``_classify``) and the labelled reviews (``_ngrams``): a
model trained on 写着 must count 寫著 as the same words.
"""

from __future__ import annotations

import re
import unicodedata

from ..core._script import to_mainland
from . import _lexicon

__all__ = ["normal"]

_DIALECT = dict(_lexicon.DIALECT)
_DIALECT_WORDS = re.compile(
    "|".join(sorted((re.escape(w) for w in _DIALECT), key=len, reverse=True)) + "|(?<![關关聯联])係"
)


def normal(text: str) -> str:
    """NFKC, case folded, written Cantonese as Mandarin, traditional script and Taiwan
    words as simplified mainland ones (OpenCC), emoji as clause ends, one space."""
    plain = unicodedata.normalize("NFKC", text).casefold()
    # Cantonese written words to their Mandarin ones ("唔" is "不"), before OpenCC
    spoken = _DIALECT_WORDS.sub(lambda m: _DIALECT.get(m.group(0), "是"), plain)
    folded = to_mainland(spoken)
    # emoji and other symbols end a clause, as punctuation does
    marked = "".join("," if unicodedata.category(ch) in ("So", "Sk", "Cs") else ch for ch in folded)
    return " ".join(marked.split())
