"""Who pays the return postage, and why (POST-FAULT, POST-7D-NO-REASON, POST-SELLER-FAULT).

Whoever is at fault pays, unless both parties agreed otherwise (POST-FAULT). The
fault is read from the buyer's reason with transparent keyword lists a shop can
extend, from the platform's ruling when there is one, and from the recorded
evidence when the reason alone cannot say. Every answer names the rule that
decided it, so a shop's staff can see why.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable

import attrs

from ..core._case import Case, Evidence, Kind, Party
from ..core._errors import InvalidInput

__all__ = [
    "COUNTER_EVIDENCE",
    "DEFAULT_REASON_RULES",
    "DEFECT_EVIDENCE",
    "Fault",
    "PostageLiability",
    "ReasonRules",
    "classify_reason",
    "postage_liability",
]


class Fault(enum.Enum):
    """Whose fault a return is, as far as the buyer's reason tells."""

    SELLER = "seller"
    BUYER = "buyer"
    UNCLEAR = "unclear"


def _normal(text: str) -> str:
    # NFKC folds full-width letters and digits ("７天", "ＱＵＡＬＩＴＹ"), casefold
    # ignores case, and runs of spaces count as one: staff type reasons many ways.
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _keywords(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        # a bare string would otherwise become one keyword per character
        raise InvalidInput(f"keywords must be a list of words, not the single text {value!r}")
    words = tuple(value)
    for word in words:
        if not isinstance(word, str) or not _normal(word):
            # an empty keyword would match every reason
            raise InvalidInput(f"a reason keyword must be non-empty text, got {word!r}")
    return words


@attrs.frozen
class ReasonRules:
    """Keyword lists that say whose fault a reason names (POST-FAULT).

    Matching is by substring, ignoring case, width and extra spaces. When a
    reason matches several lists, seller-fault words win over unclear ones and
    unclear ones over buyer-fault ones: a buyer who writes "不想要了, 有破损"
    still reports damage.
    """

    seller_fault: tuple[str, ...] = attrs.field(converter=_keywords)
    buyer_fault: tuple[str, ...] = attrs.field(converter=_keywords)
    unclear: tuple[str, ...] = attrs.field(converter=_keywords)

    def extended(
        self,
        *,
        seller_fault: Iterable[str] = (),
        buyer_fault: Iterable[str] = (),
        unclear: Iterable[str] = (),
    ) -> ReasonRules:
        """A copy with a shop's own words added.

        A word added to one list leaves the other two, so a shop can move a word
        (say "尺码" to ``seller_fault`` when its size chart was wrong).
        """
        added = {
            Fault.SELLER: _keywords(seller_fault),
            Fault.BUYER: _keywords(buyer_fault),
            Fault.UNCLEAR: _keywords(unclear),
        }
        current = {
            Fault.SELLER: self.seller_fault,
            Fault.BUYER: self.buyer_fault,
            Fault.UNCLEAR: self.unclear,
        }
        lists: dict[Fault, tuple[str, ...]] = {}
        for fault, words in current.items():
            moved_away = {
                _normal(word) for other, new in added.items() if other is not fault for word in new
            }
            kept = [word for word in words if _normal(word) not in moved_away]
            for word in added[fault]:
                if _normal(word) not in {_normal(k) for k in kept}:
                    kept.append(word)
            lists[fault] = tuple(kept)
        return ReasonRules(
            seller_fault=lists[Fault.SELLER],
            buyer_fault=lists[Fault.BUYER],
            unclear=lists[Fault.UNCLEAR],
        )

    def match(self, reason: str) -> tuple[Fault, str | None]:
        """The fault a reason names and the keyword that decided it (None: no keyword)."""
        if not isinstance(reason, str):
            raise InvalidInput(f"a refund reason must be text, got {type(reason).__name__}")
        text = _normal(reason)
        for fault, words in (
            (Fault.SELLER, self.seller_fault),
            (Fault.UNCLEAR, self.unclear),
            (Fault.BUYER, self.buyer_fault),
        ):
            for word in words:
                if _normal(word) in text:
                    return fault, word
        return Fault.UNCLEAR, None


#: The default words. Chinese first (the platform's reason menu), then English.
DEFAULT_REASON_RULES = ReasonRules(
    seller_fault=(
        # NO-REASON-7D art. 24: quality problems are the merchant's cost
        "质量问题",
        "质量",
        "破损",
        "损坏",
        "坏了",
        "瑕疵",
        "故障",
        "描述不符",
        "与描述不符",
        "发错",
        "错发",
        "少件",
        "漏发",
        "缺件",
        "假货",
        "假冒",
        "过期",
        "变质",
        "发货慢",
        "quality",
        "defect",
        "faulty",
        "damaged",
        "broken",
        "not as described",
        "wrong item",
        "missing",
        "fake",
        "counterfeit",
        "expired",
        "late shipment",
    ),
    buyer_fault=(
        "七天无理由",
        "7天无理由",
        "无理由",
        "不想要",
        "拍错",
        "拍多",
        "多拍",
        "买错",
        "买多了",
        "不喜欢",
        "changed my mind",
        "change of mind",
        "no reason",
        "ordered by mistake",
        "bought by mistake",
        "don't want",
        "do not want",
        "don't like",
        "do not like",
        "no longer need",
    ),
    unclear=(
        "尺码",
        "尺寸",
        "大小",
        "颜色",
        "色差",
        "不合适",
        "效果不好",
        "size",
        "colour",
        "color",
        "doesn't fit",
        "does not fit",
        "too small",
        "too big",
        "too large",
    ),
)


def classify_reason(reason: str, rules: ReasonRules = DEFAULT_REASON_RULES) -> Fault:
    """Whose fault the buyer's reason names; a reason no word matches is UNCLEAR."""
    fault, _ = rules.match(reason)
    return fault


#: Buyer evidence that can show a defect or a mismatch with the listing (POST-FAULT).
DEFECT_EVIDENCE: frozenset[str] = frozenset(
    {"photo", "video", "inspection_report", "measurement", "listing_page"}
)
#: Seller evidence that can answer it: the goods as listed, what the buyer was told.
COUNTER_EVIDENCE: frozenset[str] = frozenset(
    {"photo", "video", "inspection_report", "measurement", "listing_page", "chat_log"}
)


@attrs.frozen
class PostageLiability:
    """Who pays the return postage, the rule that decided, and why in one sentence."""

    payer: Party | None  # SELLER, BUYER, or None when it cannot be decided yet
    rule: str
    why: str
    evidence: tuple[Evidence, ...] = ()


def postage_liability(
    case: Case,
    *,
    rules: ReasonRules = DEFAULT_REASON_RULES,
    agreed_payer: Party | None = None,
) -> PostageLiability:
    """Who pays the return leg of ``case``.

    Decision order: no return leg; an agreement between the parties; the
    platform's ruling; the buyer's reason; the evidence on record.
    """
    if agreed_payer not in (None, Party.BUYER, Party.SELLER):
        raise InvalidInput(
            f"agreed_payer must be Party.BUYER, Party.SELLER or None, got {agreed_payer!r}"
        )
    if case.kind in (Kind.REFUND_BEFORE_SHIPMENT, Kind.REFUND_ONLY):
        what = (
            "a refund before shipment"
            if case.kind is Kind.REFUND_BEFORE_SHIPMENT
            else "a refund without return"
        )
        return PostageLiability(
            None,
            "POST-FAULT",
            f"case {case.id} is {what}: no goods go back, so there is no return postage to pay.",
        )
    if agreed_payer is not None:
        return PostageLiability(
            agreed_payer,
            "POST-FAULT",
            f"the buyer and the seller agreed that the {agreed_payer.value} pays the return "
            "postage; an agreement overrides fault (POST-FAULT).",
        )
    ruling = case.ruling
    if ruling is not None and ruling.seller_liable:
        return PostageLiability(
            Party.SELLER,
            "INT-OUTCOME",
            "the platform ruled the seller liable, so the shop pays the return postage "
            "(INT-OUTCOME).",
        )
    if ruling is not None and ruling.favours is Party.SELLER:
        return PostageLiability(
            Party.BUYER,
            "INT-OUTCOME",
            "the platform ruled for the seller, so the buyer pays the return postage "
            "(INT-OUTCOME).",
        )
    # A ruling for the buyer that does not find the seller liable (a refused
    # no-reason return, say) leaves the postage to the reason, as before.
    return _by_reason(case, rules)


def _by_reason(case: Case, rules: ReasonRules) -> PostageLiability:
    fault, word = rules.match(case.reason)
    if fault is Fault.SELLER:
        return PostageLiability(
            Party.SELLER,
            "POST-SELLER-FAULT",
            f'the reason "{case.reason}" names a fault of the shop ("{word}"), so the shop pays '
            "the return postage (POST-SELLER-FAULT; quality problems are the merchant's cost, "
            "NO-REASON-7D art. 24).",
        )
    if fault is Fault.BUYER:
        return PostageLiability(
            Party.BUYER,
            "POST-7D-NO-REASON",
            f'the reason "{case.reason}" is the buyer\'s own choice ("{word}"), so the buyer '
            "pays the return postage (POST-7D-NO-REASON; NO-REASON-7D art. 25).",
        )
    return _by_evidence(case, word)


def _by_evidence(case: Case, word: str | None) -> PostageLiability:
    said = (
        f'the reason "{case.reason}" ("{word}") does not say whose fault it is'
        if word is not None
        else f'the reason "{case.reason}" does not say whose fault it is'
    )
    buyer = tuple(e for e in case.evidence if e.party is Party.BUYER and e.kind in DEFECT_EVIDENCE)
    seller = tuple(
        e for e in case.evidence if e.party is Party.SELLER and e.kind in COUNTER_EVIDENCE
    )
    if buyer and not seller:
        kinds = _kinds(buyer)
        return PostageLiability(
            Party.SELLER,
            "POST-FAULT",
            f"{said}; the buyer's {kinds} show a defect or a mismatch and the seller has not "
            "answered them, so the shop pays the return postage (POST-FAULT).",
            buyer,
        )
    if seller and not buyer:
        kinds = _kinds(seller)
        return PostageLiability(
            Party.BUYER,
            "POST-FAULT",
            f"{said}; only the seller gave evidence ({kinds}), so the buyer pays the return "
            "postage (POST-FAULT).",
            seller,
        )
    if buyer and seller:
        return PostageLiability(
            None,
            "POST-FAULT",
            f"{said} and both sides gave evidence ({_kinds(buyer)} against {_kinds(seller)}): "
            "settle the postage by negotiation or customer-service intervention (POST-FAULT).",
            tuple(e for e in case.evidence if e in buyer or e in seller),
        )
    return PostageLiability(
        None,
        "POST-FAULT",
        f"{said} and neither side gave evidence: settle the postage by negotiation, or ask for "
        "measurements, photos or the listing page; intervention decides if that fails "
        "(POST-FAULT).",
    )


def _kinds(evidence: tuple[Evidence, ...]) -> str:
    return ", ".join(sorted({e.kind.replace("_", " ") for e in evidence}))
