"""Which templates the package ships, gathered from where they are named."""

from __future__ import annotations

from typing import Final

from ..core._workflows import WORKFLOWS
from ..reviews._followup import TEMPLATES as REVIEW_TEMPLATES
from ._context import REMINDERS

__all__ = ["OTHER_TEMPLATES", "shipped_templates"]

#: Templates no workflow table names: sent by the shop's own tools.
OTHER_TEMPLATES: Final = frozenset(
    {
        "refund/agreed.txt",  # the shop agreed a refund; the platform pays
        "quality/photos_request.txt",  # QUAL-3D: photos of the fault, also the reminder
        "shipping/late_apology.txt",  # SHIP-*, LATE-COMP-*: order_id, ship_by, compensation
        "malicious/evidence_contact.txt",  # MAL-*: order_id
    }
)


def shipped_templates() -> frozenset[str]:
    """Every locale-free template name the package has text for, in zh_CN and en,
    chat and SMS: the workflow tables' ``templates``, the reminders, the review
    follow-up plan's steps and :data:`OTHER_TEMPLATES`."""
    names: set[str] = set(OTHER_TEMPLATES)
    for workflow in WORKFLOWS.values():
        names |= workflow.templates
    names |= set(REMINDERS.values())
    names |= set(REVIEW_TEMPLATES.values())
    return frozenset(names)
