"""Disputes (``aftersales.disputes``): who pays the return postage, and the shop's dispute figures.

Postage liability follows RET-POSTAGE and the ``QUALITY-*`` rules; the monthly dispute count and
rate follow INT-DISPUTE and INT-AVOID. See docs/postage.md and docs/intervention.md.
"""

from ._metrics import (
    AvoidIntervention,
    MonthlyDisputes,
    avoid_intervention,
    dispute_months,
    dispute_rate,
)
from ._postage import (
    DEFAULT_REASON_RULES,
    Fault,
    PostageLiability,
    ReasonRules,
    classify_reason,
    postage_liability,
)

__all__ = [
    "DEFAULT_REASON_RULES",
    "AvoidIntervention",
    "Fault",
    "MonthlyDisputes",
    "PostageLiability",
    "ReasonRules",
    "avoid_intervention",
    "classify_reason",
    "dispute_months",
    "dispute_rate",
    "postage_liability",
]
