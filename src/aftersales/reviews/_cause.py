"""The causes a medium or negative review can blame (REV-TYPES).

Apart from the classifier so that both readings of a review, the rules
(``_classify``) and the labelled reviews (``_ngrams``), name the same causes.
"""

from __future__ import annotations

import enum

__all__ = ["Cause"]


class Cause(enum.Enum):
    """What a medium or negative review blames (REV-TYPES)."""

    PRODUCT = "product"
    SERVICE = "service"
    LOGISTICS = "logistics"
    BUYER = "buyer"
    UNKNOWN = "unknown"
