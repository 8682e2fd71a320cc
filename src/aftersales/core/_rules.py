"""The rule registry: every platform rule the library knows, by ID.

IDs and sources follow the project's rule digest (seed articles ``000``-``004``;
``ext`` marks a widely published platform rule the seeds do not state, kept as a
configurable default). Code, tests and docs cite these IDs so a shop can see why
the library did what it did.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ._errors import InvalidInput

__all__ = ["RULES", "SOURCES", "Rule", "rule"]


@attrs.frozen
class Rule:
    id: str
    summary: str
    source: str


_TABLE: tuple[tuple[str, str, str], ...] = (
    # Shipping
    (
        "SHIP-48H",
        "000",
        "Taobao in-stock goods ship within 48 hours of payment unless the listing promised another time.",
    ),
    (
        "SHIP-NO-EXTEND",
        "000",
        "The seller cannot extend the ship deadline: shop notices and chat do not change it.",
    ),
    ("SHIP-72H", "004", "Tmall shops ship within 72 hours."),
    (
        "SHIP-FAKE",
        "000",
        "Tracking that only ever shows collected, with no movement, is a fake shipment.",
    ),
    (
        "SHIP-ESCALATION",
        "000",
        "A late order escalates: chat, platform service, complaint (3-5 working days), Black Cat, 12315.",
    ),
    (
        "SHIP-LATE-COMP",
        "ext",
        "Late shipment owes the buyer compensation: a share of the price with a floor and a cap.",
    ),
    # Refund before shipment
    ("PRE-APPLY", "002 C.1", "The buyer applies with reason, description and evidence."),
    (
        "PRE-AUTO-2D",
        "002 C.1",
        "A seller who does not respond to a refund before shipment: the platform refunds after 2 days.",
    ),
    (
        "PRE-INTERVENE-3D",
        "002 C.1, 001",
        "After a refusal, intervention opens on the third day after the application.",
    ),
    (
        "PRE-REASON",
        "002 C.1",
        "The refund reason and who is liable are part of the case; some reasons count against the shop.",
    ),
    (
        "PRE-SHIP-CLOSES",
        "ext",
        "Shipping the order while a refund before shipment waits for the seller closes the refund.",
    ),
    # Return and refund
    (
        "RET-REJECT",
        "002 C.2",
        "Parcel not signed for: the buyer refuses delivery; the seller refunds when it comes back.",
    ),
    (
        "RET-RESPOND-5D",
        "002 C.2",
        "Parcel signed for: the seller has 5 days to agree or refuse the return request.",
    ),
    (
        "RET-AUTO-AGREE",
        "002 G",
        "A seller who lets a response timer run out is taken to have agreed.",
    ),
    (
        "RET-BUYER-SHIPS",
        "002 C.2",
        "After agreement the buyer ships the goods back and enters carrier and tracking.",
    ),
    (
        "RET-BUYER-SHIP-WINDOW",
        "ext",
        "The buyer must ship the return within 7 days or the request closes.",
    ),
    (
        "RET-CONFIRM-10D",
        "002 C.2",
        "The seller has 10 days from the return tracking to confirm receipt, or the platform refunds.",
    ),
    (
        "RET-CONFIRM-SURFACE-30D",
        "ext",
        "Returns by surface mail give the seller 30 days to confirm receipt.",
    ),
    (
        "RET-REFUSE",
        "002 C.2",
        "The seller may refuse with reason and evidence; the buyer may then ask for intervention.",
    ),
    (
        "RET-EXPRESS",
        "002 C",
        "Express refund: the platform pays first; the buyer still owes the return.",
    ),
    ("RET-EXCHANGE", "002 D, 003", "A buyer may ask for an exchange; a seller may reissue goods."),
    (
        "REFUSED-BUYER-7D",
        "ext",
        "After a refusal the buyer has 7 days to modify or ask for intervention, else the refund closes.",
    ),
    (
        "ONLY-NOT-RECEIVED-5D",
        "ext",
        "Refund only, shipped but not received: the seller has 5 days or the refund is approved.",
    ),
    (
        "REFUSE-LIMITS",
        "ext",
        "The refuse operation is barred before shipment, for 7-day no-reason returns and game orders.",
    ),
    (
        "CURRENT-SCHEDULE",
        "ext",
        "The current schedule: 24 h before shipment, 36 h refund only not received, 5 days after refusal.",
    ),
    (
        "TRADE-AUTO-CONFIRM",
        "ext",
        "Receipt auto-confirms 10 days after express shipment; an open refund pauses it.",
    ),
    (
        "PLATFORM-TIMEOUT",
        "ext",
        "Platform records carry the platform's own deadline; compare it with the computed one.",
    ),
    # After-sale window
    (
        "AFTER-15D",
        "002 D, G, H",
        "After trade success the buyer can open an after-sale request for 15 days.",
    ),
    ("AFTER-ONCE", "002 G, H", "The after-sale entry can be used once."),
    (
        "AFTER-AUTO-AGREE",
        "002 G, I",
        "A seller who never acts on an after-sale request is taken to have agreed.",
    ),
    (
        "AFTER-7D-INTERVENE",
        "003",
        "Seller not accepting within 7 days of a claim: the buyer can ask the platform to step in.",
    ),
    (
        "COMPLAINT-15D",
        "002 D",
        "Complaints can be filed within 15 days after a refund succeeded and the trade closed.",
    ),
    # Intervention
    (
        "INT-EVIDENCE-3D",
        "001, 002 D",
        "Once intervention is requested both sides have 3 days to upload evidence.",
    ),
    (
        "INT-CONFIRM-24H",
        "001, 002 D",
        "After the buyer's evidence the seller has 24 hours to accept it, else review.",
    ),
    ("INT-REVIEW-4WD", "001, 002 D", "The platform reviews within 4 working days."),
    ("INT-MODES", "001", "Judged by a public jury or by platform staff."),
    (
        "INT-OUTCOME",
        "001",
        "Buyer wins: the platform refunds; seller liable and not complying: enforcement.",
    ),
    (
        "INT-MESSAGE",
        "001, 002 D",
        "Either side can leave messages on the case during intervention.",
    ),
    (
        "INT-DISPUTE",
        "001",
        "An intervened refund is a dispute refund; more than 5 a month bars campaigns.",
    ),
    ("INT-AVOID", "001", "For low-value goods, refund without return avoids an intervention."),
    ("DISPUTE-RATE", "ext", "Dispute refund rate: dispute refunds / paid sub-orders over 30 days."),
    # Postage and damage
    (
        "POST-FAULT",
        "002 H",
        "Whoever is at fault pays the postage; quality problems: seller; change of mind: buyer.",
    ),
    ("POST-7D-NO-REASON", "004", "In a 7-day no-reason return the buyer pays the return shipping."),
    (
        "POST-SELLER-FAULT",
        "003",
        "Where the problem is the shop's, the shop pays return postage or repair.",
    ),
    (
        "NO-REASON-7D",
        "ext (law)",
        "Consumer law art. 25: 7-day no-reason returns, with exceptions; refund within 7 days.",
    ),
    ("DMG-REFUSE", "003", "Damaged parcel refused at delivery: normal return process."),
    ("DMG-SIGNED", "003", "Damaged parcel signed for: carrier claim, then reissue."),
    (
        "QUAL-3D",
        "003",
        "Quality complaint within 3 days of receipt: ask for photos, verify, then fix.",
    ),
    ("SVC-5MIN", "003", "Answer a return or exchange contact within 5 minutes."),
    (
        "LATE-COMP-TAOBAO",
        "ext",
        (
            "Taobao late shipment: 5% of the price, at least 5 and at most 30 yuan; "
            "3 points if unpaid when a complaint is upheld."
        ),
    ),
    (
        "LATE-COMP-TMALL",
        "ext",
        (
            "Tmall late shipment: 30% red packet, at least 5 yuan, same-buyer trades in 24 h "
            "capped at 500; 1 point a case if uncompensated at the ruling, at most 6 in 30 days."
        ),
    ),
    # Reviews
    ("REV-FAST", "002 B.1", "Act on a medium or negative review at once."),
    (
        "REV-CONTACT",
        "002 B.2",
        "Introduce yourself, name the product and the rating, ask what was wrong.",
    ),
    (
        "REV-LISTEN",
        "002 B.2",
        "Let the buyer vent, be conciliatory first, then give the solution and its time.",
    ),
    (
        "REV-OFFER",
        "002 B.3",
        "Offer compensation for the problem; low unit prices may be given free.",
    ),
    (
        "REV-NO-INDUCE",
        "ext (law)",
        "Compensation is never conditional on revising a review (overrides the seed).",
    ),
    ("REV-TYPES", "002 B", "Causes: product, service, logistics, buyer's own."),
    (
        "REV-WINDOWS",
        "ext",
        "Rating within 15 days; one revision within 30 days; seller explanation within 30 days.",
    ),
    # Malicious orders
    (
        "MAL-KINDS",
        "004",
        "Malicious orders are unpaid or paid; they target low-priced promoted items.",
    ),
    (
        "MAL-UNPAID",
        "004",
        "Unpaid: never close it yourself; the platform closes unpaid orders after 3 days.",
    ),
    (
        "MAL-LIMITS",
        "004",
        "Per-buyer purchase limits, interception of over-limit orders, filtering of alt accounts.",
    ),
    (
        "MAL-PAID-RECORD",
        "004",
        "Paid: put it on record with platform service at once; keep the evidence.",
    ),
    (
        "MAL-CONTACT",
        "004",
        "Message the buyer to leave evidence of contact; state shipping and return process.",
    ),
    (
        "MAL-SHIP-IN-TIME",
        "004",
        "Ship within the deadline: the scam relies on late-shipment claims.",
    ),
    (
        "MAL-RETURN-CLAIM",
        "004",
        "Refuse 'ineffective/allergy/quality' return claims; the platform asks for a report.",
    ),
    (
        "MAL-7D-RETURN",
        "004",
        "7-day returns: the buyer pays; get the carrier's certificate if goods come back short.",
    ),
    (
        "MAL-APPEAL",
        "004",
        "File an 'abnormal purchase' complaint; the platform verifies in 1-3 working days.",
    ),
    ("MAL-CIVIL", "004", "Never insult the buyer; judge each case on its facts."),
)

#: What a rule's source code means. A seed article's code may carry the section it is
#: cited from (``002 C.1``: article 002, section C.1); several codes are listed when
#: the articles agree.
SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "000": "seed article 000: a buyer's guide to a seller who does not ship",
        "001": "seed article 001: customer-service intervention",
        "002": "seed article 002: refund and return flows, the after-sale window, postage, "
        "negative reviews",
        "003": "seed article 003: a shop's after-sale service rules",
        "004": "seed article 004: malicious orders",
        "ext": "a widely published platform rule the seed articles do not state, kept as a "
        "configurable default",
        "ext (law)": "Chinese law (consumer protection, e-commerce) rather than a platform rule",
    }
)

RULES: Mapping[str, Rule] = MappingProxyType(
    {rule_id: Rule(rule_id, summary, source) for rule_id, source, summary in _TABLE}
)


def rule(rule_id: str) -> Rule:
    """Look a rule up, with an error that lists nearby IDs when it is unknown."""
    try:
        return RULES[rule_id]
    except KeyError:
        prefix = rule_id.split("-", 1)[0]
        near = sorted(r for r in RULES if r.startswith(prefix)) or sorted(RULES)[:10]
        raise InvalidInput(
            f"unknown rule ID {rule_id!r}; known IDs include {', '.join(near)}"
        ) from None
