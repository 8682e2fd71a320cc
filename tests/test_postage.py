"""Who pays the return postage (POST-FAULT, POST-7D-NO-REASON, POST-SELLER-FAULT)."""

from __future__ import annotations

import attrs
import pytest

from aftersales import Case, InvalidInput, Kind, Party, open_case, preset
from aftersales.core._case import Evidence, Mode, Ruling, State, Status
from aftersales.disputes._postage import (
    DEFAULT_REASON_RULES,
    Fault,
    PostageLiability,
    ReasonRules,
    classify_reason,
    postage_liability,
)

from .helpers import request, sh

TAOBAO = preset("taobao")


def returned(reason: str, *evidence: Evidence, ruling: Ruling | None = None) -> Case:
    """A return-and-refund case on signed goods, with the buyer's reason."""
    case, _ = open_case(
        request(
            Kind.RETURN_AND_REFUND,
            "2026-03-02 10:00",
            shipped="2026-02-25 16:00",
            signed="2026-02-27 11:00",
        ),
        TAOBAO,
    )
    return attrs.evolve(case, reason=reason, evidence=tuple(evidence), ruling=ruling)


def proof(party: Party, kind: str, at: str = "2026-03-03 09:00") -> Evidence:
    return Evidence(at=sh(at), party=party, kind=kind, note=f"{party.value} {kind}")


# --- classify_reason ---------------------------------------------------------


@pytest.mark.parametrize(
    "reason",
    ["质量问题", "商品破损", "描述不符", "发错货", "少件/漏发", "假货", "食品过期了", "卖家发货慢"],
)
def test_shop_fault_reasons(reason: str) -> None:
    assert classify_reason(reason) is Fault.SELLER


@pytest.mark.parametrize("reason", ["七天无理由退货", "不想要了", "拍错了", "买多了", "不喜欢"])
def test_buyer_choice_reasons(reason: str) -> None:
    assert classify_reason(reason) is Fault.BUYER


@pytest.mark.parametrize("reason", ["尺码不合适", "大小不合适", "颜色不喜欢", "有色差", "其他"])
def test_reasons_decided_on_evidence(reason: str) -> None:
    assert classify_reason(reason) is Fault.UNCLEAR


@pytest.mark.parametrize(
    ("reason", "fault"),
    [
        ("Quality problem", Fault.SELLER),
        ("arrived DAMAGED", Fault.SELLER),
        ("Not as described", Fault.SELLER),
        ("wrong item sent", Fault.SELLER),
        ("one piece missing", Fault.SELLER),
        ("Changed my mind", Fault.BUYER),
        ("no  reason  return", Fault.BUYER),  # extra spaces
        ("Ordered by mistake", Fault.BUYER),
        ("wrong SIZE", Fault.UNCLEAR),
        ("colour looks different", Fault.UNCLEAR),
        ("ＱＵＡＬＩＴＹ", Fault.SELLER),  # full-width letters
        ("７天无理由", Fault.BUYER),  # full-width digit
    ],
)
def test_english_and_oddly_typed_reasons(reason: str, fault: Fault) -> None:
    assert classify_reason(reason) is fault


def test_seller_words_win_over_unclear_and_unclear_over_buyer() -> None:
    assert classify_reason("不想要了，而且有破损") is Fault.SELLER
    assert classify_reason("颜色与描述不符") is Fault.SELLER
    assert classify_reason("不想要了，尺码不合适") is Fault.UNCLEAR


def test_shop_extended_keywords() -> None:
    assert classify_reason("洗了一次就起球") is Fault.UNCLEAR
    rules = DEFAULT_REASON_RULES.extended(seller_fault=["起球"], buyer_fault=["送人不合心意"])
    assert classify_reason("洗了一次就起球", rules) is Fault.SELLER
    assert classify_reason("送人不合心意", rules) is Fault.BUYER
    # the defaults are untouched
    assert "起球" not in DEFAULT_REASON_RULES.seller_fault
    assert rules.seller_fault[: len(DEFAULT_REASON_RULES.seller_fault)] == (
        DEFAULT_REASON_RULES.seller_fault
    )


def test_extending_moves_a_word_between_lists() -> None:
    rules = DEFAULT_REASON_RULES.extended(seller_fault=["尺码"])
    assert "尺码" in rules.seller_fault
    assert "尺码" not in rules.unclear
    assert classify_reason("尺码偏小", rules) is Fault.SELLER
    again = rules.extended(seller_fault=["尺码"])
    assert again.seller_fault.count("尺码") == 1


def test_a_shop_can_start_from_its_own_lists() -> None:
    rules = ReasonRules(seller_fault=("漏油",), buyer_fault=("不要了",), unclear=())
    assert classify_reason("漏油", rules) is Fault.SELLER
    assert classify_reason("质量问题", rules) is Fault.UNCLEAR  # not in this shop's lists


@pytest.mark.parametrize("bad", [[""], ["  "]])
def test_empty_keywords_are_refused(bad: list[str]) -> None:
    with pytest.raises(InvalidInput, match="non-empty"):
        DEFAULT_REASON_RULES.extended(unclear=bad)


def test_a_bare_string_is_not_a_keyword_list() -> None:
    with pytest.raises(InvalidInput, match="list of words"):
        DEFAULT_REASON_RULES.extended(seller_fault="起球")


# --- postage_liability: the reason -------------------------------------------


def test_quality_problem_the_shop_pays() -> None:
    result = postage_liability(returned("质量问题"))
    assert result.payer is Party.SELLER
    assert result.rule == "POST-SELLER-FAULT"
    assert "质量问题" in result.why
    assert "art. 24" in result.why
    assert result.evidence == ()


def test_no_reason_return_the_buyer_pays() -> None:
    result = postage_liability(returned("七天无理由退货"))
    assert result == PostageLiability(Party.BUYER, "POST-7D-NO-REASON", result.why, ())
    assert "art. 25" in result.why


def test_english_reason_decides_too() -> None:
    assert postage_liability(returned("item arrived broken")).payer is Party.SELLER
    assert postage_liability(returned("changed my mind")).payer is Party.BUYER


def test_shop_rules_reach_postage_liability() -> None:
    rules = DEFAULT_REASON_RULES.extended(seller_fault=["起球"])
    assert postage_liability(returned("起球")).payer is None
    result = postage_liability(returned("起球"), rules=rules)
    assert (result.payer, result.rule) == (Party.SELLER, "POST-SELLER-FAULT")


# --- postage_liability: unclear reasons decided on evidence -------------------


@pytest.mark.parametrize(
    "kind", ["photo", "video", "inspection_report", "measurement", "listing_page"]
)
def test_buyer_proof_unanswered_the_shop_pays(kind: str) -> None:
    shown = proof(Party.BUYER, kind)
    result = postage_liability(returned("尺码不合适", shown))
    assert result.payer is Party.SELLER
    assert result.rule == "POST-FAULT"
    assert result.evidence == (shown,)


@pytest.mark.parametrize("kind", ["measurement", "listing_page", "chat_log"])
def test_seller_proof_alone_the_buyer_pays(kind: str) -> None:
    shown = proof(Party.SELLER, kind)
    result = postage_liability(returned("尺码不合适", shown))
    assert result.payer is Party.BUYER
    assert result.rule == "POST-FAULT"
    assert result.evidence == (shown,)


def test_both_sides_proof_goes_to_negotiation_or_intervention() -> None:
    mine = proof(Party.BUYER, "photo", "2026-03-03 09:00")
    theirs = proof(Party.SELLER, "measurement", "2026-03-03 12:00")
    result = postage_liability(returned("色差", mine, theirs))
    assert result.payer is None
    assert result.rule == "POST-FAULT"
    assert "negotiation" in result.why
    assert "intervention" in result.why
    assert result.evidence == (mine, theirs)


def test_no_proof_goes_to_negotiation() -> None:
    result = postage_liability(returned("尺码不合适"))
    assert result.payer is None
    assert result.rule == "POST-FAULT"
    assert "negotiation" in result.why
    assert result.evidence == ()


def test_evidence_that_proves_nothing_is_ignored() -> None:
    # a buyer's chat log shows no defect; platform uploads are no side's proof
    noise = (
        proof(Party.BUYER, "chat_log"),
        proof(Party.PLATFORM, "photo"),
        proof(Party.SELLER, "carrier_certificate"),
    )
    assert postage_liability(returned("尺码不合适", *noise)).payer is None
    shown = proof(Party.BUYER, "video")
    result = postage_liability(returned("尺码不合适", *noise, shown))
    assert (result.payer, result.evidence) == (Party.SELLER, (shown,))


def test_evidence_does_not_override_a_clear_reason() -> None:
    seller_side = proof(Party.SELLER, "measurement")
    assert postage_liability(returned("质量问题", seller_side)).payer is Party.SELLER
    buyer_side = proof(Party.BUYER, "photo")
    assert postage_liability(returned("不想要了", buyer_side)).payer is Party.BUYER


# --- postage_liability: agreement and ruling ----------------------------------


@pytest.mark.parametrize("payer", [Party.BUYER, Party.SELLER])
def test_an_agreement_wins_over_fault(payer: Party) -> None:
    for case in (
        returned("质量问题"),
        returned("七天无理由退货"),
        returned("尺码不合适", proof(Party.BUYER, "photo")),
        returned("质量问题", ruling=Ruling(sh("2026-03-10 10:00"), Party.BUYER, Mode.STAFF, True)),
    ):
        result = postage_liability(case, agreed_payer=payer)
        assert (result.payer, result.rule) == (payer, "POST-FAULT")
        assert "agreed" in result.why


@pytest.mark.parametrize("payer", [Party.PLATFORM, Party.BOTH])
def test_an_agreement_names_buyer_or_seller(payer: Party) -> None:
    with pytest.raises(InvalidInput, match="agreed_payer"):
        postage_liability(returned("质量问题"), agreed_payer=payer)


def test_seller_liable_ruling_the_shop_pays() -> None:
    ruling = Ruling(sh("2026-03-10 10:00"), Party.BUYER, Mode.JURY, seller_liable=True)
    result = postage_liability(returned("不想要了", ruling=ruling))
    assert (result.payer, result.rule) == (Party.SELLER, "INT-OUTCOME")


def test_ruling_for_the_seller_the_buyer_pays() -> None:
    ruling = Ruling(sh("2026-03-10 10:00"), Party.SELLER, Mode.STAFF, seller_liable=False)
    result = postage_liability(returned("质量问题", proof(Party.BUYER, "photo"), ruling=ruling))
    assert (result.payer, result.rule) == (Party.BUYER, "INT-OUTCOME")


def test_ruling_for_the_buyer_without_liability_leaves_it_to_the_reason() -> None:
    ruling = Ruling(sh("2026-03-10 10:00"), Party.BUYER, Mode.STAFF, seller_liable=False)
    result = postage_liability(returned("七天无理由退货", ruling=ruling))
    assert (result.payer, result.rule) == (Party.BUYER, "POST-7D-NO-REASON")


# --- postage_liability: no return leg ----------------------------------------


def test_refund_before_shipment_has_no_return_postage() -> None:
    case, _ = open_case(request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00"), TAOBAO)
    case = attrs.evolve(case, reason="质量问题")
    result = postage_liability(case, agreed_payer=Party.SELLER)
    assert result.payer is None
    assert "no return postage" in result.why
    assert "before shipment" in result.why


def test_refund_only_has_no_return_postage() -> None:
    case, _ = open_case(
        request(Kind.REFUND_ONLY, "2026-03-02 10:00", shipped="2026-02-28 10:00"), TAOBAO
    )
    done = attrs.evolve(
        case,
        reason="少件/漏发",
        state=State.SUCCESS,
        status=Status.SUCCESS,
        ruling=Ruling(sh("2026-03-10 10:00"), Party.BUYER, Mode.STAFF, seller_liable=True),
    )
    result = postage_liability(done)
    assert result.payer is None
    assert "no return postage" in result.why
