"""Negative-review follow-up: the cause classifier (REV-TYPES) and the follow-up machine
(REV-FAST, REV-CONTACT, REV-LISTEN, REV-OFFER, REV-NO-INDUCE, REV-WINDOWS)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from aftersales import IllegalEvent, InvalidInput, Money, OutOfOrderEvent, preset
from aftersales.cli._review import review_command
from aftersales.core._errors import AfterSalesError
from aftersales.core._rules import RULES
from aftersales.reviews import (
    DEFAULT_CAUSE_RULES,
    FOLLOW_UP_EVENT_TYPES,
    FOLLOW_UP_ROWS,
    TEMPLATES,
    BuyerReplied,
    Cause,
    CauseRules,
    Contacted,
    ExplanationPosted,
    FollowUp,
    FollowUpEvent,
    FollowUpNotNeeded,
    FollowUpState,
    InducementRefused,
    LadderViolation,
    Offer,
    OfferStep,
    Outcome,
    OutcomeRecorded,
    ProblemSolved,
    Rating,
    Review,
    SolutionOffered,
    advance_follow_up,
    classify_review,
    evaluate_classifier,
    follow_up_event_from_dict,
    follow_up_plan,
    offer_ladder,
    open_follow_up,
    replay_follow_up,
    review_from_dict,
    step_follow_up,
    train_cause_model,
)
from aftersales.reviews._classify import _compiled
from aftersales.reviews._segment import tokens
from aftersales.scenarios import review_report

from .helpers import sh

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "data" / "reviews.json"
EXAMPLES = ROOT / "examples" / "reviews"
TAOBAO = preset("taobao")
S = FollowUpState

# -- the labelled corpus (REV-TYPES) -------------------------------------------------------

#: In-sample: the words were broadened on these texts (each batch after its
#: first-sight run, docs/reviews.md) and the labelled reviews' model counts them, so
#: anything lower means a change broke a word or the model.
DEVELOPMENT_THRESHOLD = 0.99
#: Issue 19's goal on the held-out set written by someone else (never tuned on).
HELDOUT_GOAL_OVERALL = 0.90
HELDOUT_GOAL_PER_CAUSE = 0.85
#: The held-out sets, each written by a session that read neither the classifier nor
#: its data, and what each test run guards: a level just under what the classifier
#: reached when last measured (docs/reviews.md, "How good is it?"). Sets 1 to 5 have
#: been read and chose the design of step 8 (the labelled reviews decide when
#: CONFIDENT, chosen among 0.5 to 0.99): validation sets now, none of them counted by
#: the model. Set 6 (2026-12-06, 373 reviews) was written after that design was fixed
#: and run once on the code before it (88.5%) and once on it (96.0%, the lowest cause
#: unknown 90.4%); its misses have been read since. Set 7 (338 reviews) was written
#: once the code was final (the contrast read twice, after set 6) and run once on it
#: (96.4%, unknown 91.3%) and on the code before (82.2%). Raise a guard only with a
#: classifier changed without looking at the texts.
HELDOUT_SETS = {
    "reviews_heldout.json": (0.96, 0.92),
    "reviews_heldout2.json": (0.96, 0.95),
    "reviews_heldout3.json": (0.96, 0.92),
    "reviews_heldout4.json": (0.97, 0.88),
    "reviews_heldout5.json": (0.96, 0.95),
    "reviews_heldout6.json": (0.95, 0.89),
    "reviews_heldout7.json": (0.95, 0.90),
}
CAUSES = [c.value for c in Cause]
#: The words alone: a model trained on nothing decides nothing. Tests of one step of
#: the words use it, since sure labelled reviews decide over the words (step 8,
#: tests/test_review_model.py); the held-out sets measure the two together.
RULES_ONLY = attrs.evolve(DEFAULT_CAUSE_RULES, model=train_cause_model([]))


def corpus_items(path: Path = CORPUS, key: str = "samples") -> list[dict[str, str]]:
    items: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))[key]
    return items


def corpus(part: str = "samples") -> list[tuple[str, Cause]]:
    return [(item["text"], Cause(item["cause"])) for item in corpus_items(key=part)]


def _rate(hits: int, total: int) -> str:
    return f"{hits}/{total} {hits / total:.1%}" if total else "-"


def accuracy_table(title: str, items: list[dict[str, str]]) -> tuple[str, dict[str, float], float]:
    """Per cause and per script accuracy, the confusion table, the ten hardest misses."""
    rows = []
    for item in items:
        found = classify_review(item["text"])
        rows.append((item, found.cause.value, found))
    hits = sum(1 for item, got, _ in rows if got == item["cause"])
    lines = [f"{title}: {_rate(hits, len(rows))}"]
    per_cause: dict[str, float] = {}
    for key in ("cause", "script"):
        values = sorted({item[key] for item, _, _ in rows})
        cells = []
        for value in values:
            group = [(item, got) for item, got, _ in rows if item[key] == value]
            ok = sum(1 for item, got in group if got == item["cause"])
            cells.append(f"{value} {_rate(ok, len(group))}")
            if key == "cause":
                per_cause[value] = ok / len(group)
        lines.append(f"  per {key}: " + ", ".join(cells))
    head = " ".join(f"{c[:7]:>7}" for c in CAUSES)
    lines.append(f"  confusion (row: expected, column: got): {head}")
    for expected in CAUSES:
        pairs = [(item["cause"], got) for item, got, _ in rows]
        counts = [pairs.count((expected, c)) for c in CAUSES]
        if any(counts):
            lines.append(f"  {expected:>39} " + " ".join(f"{n:>7}" for n in counts))
    # hardest: a wrong cause before an unknown, then the surer the wrong answer
    misses = sorted(
        ((item, got, found) for item, got, found in rows if got != item["cause"]),
        key=lambda r: (r[1] == "unknown", -max(r[2].scores.values(), default=0)),
    )
    for item, got, found in misses[:10]:
        where = f"{item['cause']} -> {got} [{item['script']}]"
        lines.append(f"  MISS {where}: {item['text']}  [{found.why}]")
    return "\n".join(lines), per_cause, hits / len(rows) if rows else 0.0


def classifier_report() -> str:
    """Accuracy on the development set (and the held-out set if present), for the test log."""
    reports = [accuracy_table("review causes, development set (in-sample)", corpus_items())[0]]
    for name in HELDOUT_SETS:
        path = CORPUS.with_name(name)
        if path.exists():
            reports.append(accuracy_table(f"review causes, {name}", corpus_items(path, "items"))[0])
    return "\n".join(reports)


def test_classifier_report_accuracy() -> None:
    title = "review causes, development set (in-sample)"
    report, _, overall = accuracy_table(title, corpus_items())
    print(report)  # noqa: T201 - the figure and the misses belong in the test log
    assert overall >= DEVELOPMENT_THRESHOLD, report
    assert "per script" in report


@pytest.mark.parametrize("name", sorted(HELDOUT_SETS))
def test_heldout_accuracy(name: str) -> None:
    """Issue 19's held-out reviews, written separately and never used for tuning."""
    path = CORPUS.with_name(name)
    if not path.exists():
        pytest.skip(f"{name} is not in tests/data (the held-out set is kept apart)")
    items = corpus_items(path, "items")
    report, per_cause, overall = accuracy_table(f"review causes, {name}", items)
    short = [cause for cause, rate in per_cause.items() if rate < HELDOUT_GOAL_PER_CAUSE]
    met = overall >= HELDOUT_GOAL_OVERALL and not short
    goal = f"goal {HELDOUT_GOAL_OVERALL:.0%} overall, {HELDOUT_GOAL_PER_CAUSE:.0%} a cause"
    print(report)  # noqa: T201
    print(f"{goal}: {'met' if met else 'not met'}", *short)  # noqa: T201
    guard_overall, guard_per_cause = HELDOUT_SETS[name]
    assert overall >= guard_overall, report
    assert all(rate >= guard_per_cause for rate in per_cause.values()), report
    assert len(items) >= 150
    assert set(per_cause) == set(CAUSES), "a held-out set covers every cause"


def test_corpus_is_big_bilingual_and_covers_every_cause() -> None:
    items = corpus_items()
    assert len(items) >= 200
    assert len({item["text"] for item in items}) == len(items), "duplicate texts"
    for cause in ("product", "service", "logistics", "buyer"):
        scripts = {item["script"] for item in items if item["cause"] == cause}
        assert {"simplified", "traditional", "english"} <= scripts, cause
    assert sum(1 for item in items if "tricky" in item) >= 10


def test_report_lists_the_misses() -> None:
    report = evaluate_classifier([("杯子裂了", Cause.PRODUCT), ("物流太慢", Cause.BUYER)])
    assert report.total == 2
    assert report.correct == 1
    assert report.accuracy == 0.5
    assert report.wrong_cause == 1
    assert "MISS expected buyer, got logistics: 物流太慢" in report.render()


# -- classifier rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("质量太差了", Cause.PRODUCT),
        ("迟迟不发货", Cause.SERVICE),
        ("物流太慢了", Cause.LOGISTICS),
        ("自己拍错了", Cause.BUYER),
        ("Poor quality.", Cause.PRODUCT),
        ("Customer service ignored me.", Cause.SERVICE),
        ("Parcel was lost in transit.", Cause.LOGISTICS),
        ("Ordered by mistake.", Cause.BUYER),
    ],
)
def test_one_clear_cause(text: str, cause: Cause) -> None:
    result = classify_review(text)
    assert result.cause is cause
    assert not result.tie


def test_no_keyword_is_unknown_not_a_guess() -> None:
    result = classify_review("差评！！！")
    assert result.cause is Cause.UNKNOWN
    assert result.keywords == {}
    assert "REV-LISTEN" in result.why
    assert classify_review("").cause is Cause.UNKNOWN


def test_negation_cancels_a_match() -> None:
    result = classify_review("不是质量问题，是我自己买错型号了")
    assert result.cause is Cause.BUYER
    assert "质量问题" in result.ignored
    assert classify_review("The box isn't damaged, I just don't like it.").cause is Cause.BUYER


def test_negation_only_in_the_same_clause() -> None:
    # "不是" ends the first clause; the second clause's complaint still counts
    assert classify_review("我说的不是，质量太差").cause is Cause.PRODUCT


def test_longer_overlapping_keyword_wins() -> None:
    result = classify_review("快递员态度很差")
    assert result.cause is Cause.LOGISTICS
    assert Cause.SERVICE not in result.keywords


def test_praise_cancels_topic_words_of_its_clause() -> None:
    result = classify_review("快递很快，客服也很热情，可惜东西质量不行")
    assert result.cause is Cause.PRODUCT
    assert set(result.ignored) >= {"快递", "客服"}


def test_tie_goes_to_the_shop_side_in_order() -> None:
    # the rules alone (with a model, sure labelled reviews decide a tie)
    # one phrase each: product beats service beats logistics beats buyer (REV-TYPES)
    result = classify_review("发货慢就算了，收到的还是坏的", RULES_ONLY)
    assert result.tie
    assert result.cause is Cause.PRODUCT
    assert "tie broken" in result.why
    assert classify_review("物流太慢，客服也不回复", RULES_ONLY).cause is Cause.SERVICE
    assert classify_review("不喜欢，物流还慢", RULES_ONLY).cause is Cause.LOGISTICS
    # owning up ("买错了") is blame, stronger than a phrase: no tie
    assert classify_review("买错了，物流还慢", RULES_ONLY).cause is Cause.BUYER


def test_gapped_keyword_stops_at_negation_and_clause_end() -> None:
    assert classify_review("物流也太慢了").cause is Cause.LOGISTICS
    assert "物流…慢" not in classify_review("物流不慢").keywords.get(Cause.LOGISTICS, ())
    assert "物流…慢" not in classify_review("物流，慢").keywords.get(Cause.LOGISTICS, ())


def test_the_clause_after_a_contrast_weighs_double() -> None:
    result = classify_review("质量还行，做工也不错，就是物流太慢了")
    assert result.cause is Cause.LOGISTICS
    assert "物流太慢×2" in result.why


def test_a_gapped_keyword_does_not_reach_across_a_contrast() -> None:
    result = classify_review("质量还行但是客服态度太差了")
    assert result.cause is Cause.SERVICE
    assert "质量…差" not in result.why


def test_praised_and_negated_aspects_count_for_nothing() -> None:
    result = classify_review("物流很快，质量没问题，客服不回消息")
    assert result.cause is Cause.SERVICE
    assert {"物流", "质量"} <= set(result.ignored)
    assert "物流 (praised)" in result.why


def test_damage_blamed_on_the_courier_is_logistics() -> None:
    blamed = classify_review("箱子被快递压得稀巴烂，里面的碗碎了两个")
    assert blamed.cause is Cause.LOGISTICS
    assert "碎了→logistics" in blamed.why
    # no one blamed: damaged goods are the product's (REV-TYPES)
    assert classify_review("收到打开一看，碗碎了两个").cause is Cause.PRODUCT


def test_an_agent_blaming_the_buyer_is_service() -> None:
    result = classify_review("客服说是我自己摔坏的，明明收到就是坏的")
    assert result.cause is Cause.SERVICE
    assert "disputed, or someone else's claim" in result.why


def test_a_courier_making_the_buyer_fetch_is_logistics() -> None:
    assert classify_review("快递不送上门，打电话叫我自己下楼去拿").cause is Cause.LOGISTICS


def test_the_buyer_owning_up_is_the_buyers_own() -> None:
    result = classify_review("插头用不了，没提前问清楚，是我的错")
    assert result.cause is Cause.BUYER


def test_rough_handling_after_any_carrier_word_blames_the_courier() -> None:
    rough = classify_review("物流士把箱子摔了，杯子碎了")
    assert rough.cause is Cause.LOGISTICS
    assert "碎了→logistics" in rough.why
    # negated, it blames no one: the words give the goods' damage 2 points against the
    # carrier's mention 1 (the labelled reviews may read it otherwise)
    negated = classify_review("货运也没摔，杯子碎了", RULES_ONLY)
    assert negated.cause is Cause.PRODUCT
    assert negated.scores == {Cause.PRODUCT: 2, Cause.LOGISTICS: 1}
    # a shop's own carrier word pairs with the rough verbs too (the words alone: the
    # labelled reviews already read this one as the courier's)
    assert classify_review("跑腿把箱子摔了，碗碎了", RULES_ONLY).cause is Cause.PRODUCT
    rules = RULES_ONLY.extended(logistics_topics=["跑腿"])
    assert classify_review("跑腿把箱子摔了，碗碎了", rules).cause is Cause.LOGISTICS
    assert classify_review("跑腿把箱子摔了，碗碎了").cause is Cause.LOGISTICS


def test_a_slip_in_the_delivery_details_is_whoever_made_it() -> None:
    # the buyer's: what the courier then could not do is its consequence
    own = classify_review("我电话填错了，快递员打不通，包裹被退回了", RULES_ONLY)
    assert own.cause is Cause.BUYER
    assert "被退回 (context of another complaint)" in own.why
    # the shop's, named by who did it (把)
    assert classify_review("卖家把我的地址写错了，包裹被退回", RULES_ONLY).cause is Cause.SERVICE
    # a details word and a slip word pair up in either order (details x slips) ...
    assert classify_review("收件人电话少打了一位，快递退回了", RULES_ONLY).cause is Cause.BUYER
    # ... and are the courier's when the courier is the clause's subject
    assert classify_review("快递员老是打错我的电话号码", RULES_ONLY).cause is Cause.LOGISTICS
    assert classify_review("快递员打不通，我电话号码打错了", RULES_ONLY).cause is Cause.BUYER
    # the courier's claim that the buyer slipped is not the buyer owning up: his excuse
    claimed = classify_review("快递员说我地址写错了，其实没错，他就是不想送", RULES_ONLY)
    assert claimed.cause is Cause.LOGISTICS
    assert "写错→logistics" in claimed.why


def test_the_buyer_doing_the_couriers_errand_is_logistics() -> None:
    carried = classify_review("快递不上楼，最后是我自己扛上去的")
    assert carried.cause is Cause.LOGISTICS
    assert "是我自己扛" in carried.why  # not the buyer owning up (是我自己)
    assert classify_review("I had to collect it from the depot myself").cause is Cause.LOGISTICS
    # with no courier named, an errand is nobody's complaint
    errand = classify_review("我自己跑去实体店看了，比网上便宜一半")
    assert errand.cause is not Cause.LOGISTICS
    assert "(no aspect of its own)" in errand.why


def test_praised_wrapping_does_not_clear_the_goods() -> None:
    lamp = classify_review("包装完好，快递也很快，但是灯一开就一直闪个不停")
    assert lamp.cause is Cause.PRODUCT
    # the goods themselves cleared, no one else blamed: the buyer's own
    assert classify_review("质量没问题，就是跟我家的沙发颜色不搭").cause is Cause.BUYER


def test_a_tie_goes_to_the_stronger_words() -> None:
    # a complaint (物流…不动) over an aspect only mentioned (问客服, doubled after it)
    stuck = classify_review("物流三天不动，问客服说等着", RULES_ONLY)
    assert stuck.scores == {Cause.SERVICE: 2, Cause.LOGISTICS: 2}
    assert stuck.cause is Cause.LOGISTICS
    assert "tie broken by the stronger words" in stuck.why
    assert not stuck.tie


def test_the_shop_never_sending_and_the_agents_advice_are_service() -> None:
    # a parcel the shop never sent: the courier's failures are its consequence
    unsent = classify_review("物流五天没动，快递网点说根本没收到件，卖家压根没发")
    assert unsent.cause is Cause.SERVICE
    assert "(context of another complaint)" in unsent.why
    # the goods failing after the agent's instruction are the agent's wrong advice
    advised = classify_review("客服让我把滤网拆下来洗，装回去以后就漏水了")
    assert advised.cause is Cause.SERVICE
    assert "→service" in advised.why
    # rough handling in the English passive names the courier
    assert classify_review("the vase was smashed by the courier").cause is Cause.LOGISTICS
    # "这不是…吗" asks; it does not deny
    assert "坑人 (negated)" not in classify_review("三百块买这个，这不是坑人吗").why


def test_what_was_ordered_then_what_came_is_a_wrong_item() -> None:
    swapped = classify_review("我买的是蓝色，寄来一个粉的", RULES_ONLY)
    assert swapped.cause is Cause.SERVICE
    assert "买的是蓝色,寄来" in swapped.why  # the words that decided it
    # a negation between the two is not a swap, nor are two clauses between them
    assert "买的是" not in classify_review("我买的是蓝色，还没寄来", RULES_ONLY).why
    assert "买的是" not in classify_review("我买的是蓝色，颜色很正，寄来那天下雨了", RULES_ONLY).why
    # a shop adds its own ways to say what was ordered
    rules = RULES_ONLY.extended(ordered=["下单选了"])
    assert classify_review("下单选了42码，收到41码", rules).cause is Cause.SERVICE


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("保温杯一点都不保温", Cause.PRODUCT),  # a goods function, negated
        ("沙发坐了一个月就塌了", Cause.PRODUCT),  # used, then failed
        ("快递太坑了", Cause.LOGISTICS),  # a verdict takes its clause's aspect
        ("体验太差", Cause.UNKNOWN),  # ... or none: the whole purchase
        ("送货的师傅态度恶劣", Cause.LOGISTICS),  # manners follow the clause's subject
        ("客服态度恶劣", Cause.SERVICE),
        ("速遞話我唔在家，根本冇人嚟過", Cause.LOGISTICS),  # Cantonese, traditional
        ("收到的是別人的訂單，裡面的東西根本不是我買的", Cause.SERVICE),
        ("快递员说件太大放不进车，让我自己去站点拉", Cause.LOGISTICS),  # the courier's excuse
        ("司機講話口氣很差，叫我自己出來搬", Cause.LOGISTICS),  # the driver is the courier
        ("裙子挺好的，就是我腿粗穿着不好看", Cause.BUYER),  # the buyer's own body
        ("瓶盖拧紧了还往外渗", Cause.PRODUCT),  # a leak of the goods
        ("跟我想像的不一樣，但賣家沒錯", Cause.BUYER),  # 想像 folds to itself, not 想象
        ("客服隔了一天才回", Cause.SERVICE),  # a slow reply, however slow
        ("耳机换了手机连也一样，老是断", Cause.PRODUCT),  # a fault the buyer's fix did not cure
        ("抽屉滑轨包里是空的，还得自己去五金店买", Cause.SERVICE),  # parts left out
        ("申请价保，店家就是不给补", Cause.SERVICE),  # the shop refusing
        ("产品没什么问题，是我自己装错了", Cause.BUYER),  # the buyer doing it
        ("The driver left it in the rain without telling me", Cause.LOGISTICS),
        ("到货了才想起来家里没有烤箱", Cause.BUYER),  # what only the buyer knew
        ("零食味道挺正的，家里孩子不爱吃而已", Cause.BUYER),  # the household's taste
        ("揽收后在网点放了五天才发出", Cause.LOGISTICS),  # the carrier's stages, its delay
        ("超商取貨通知都沒收到就被退回", Cause.LOGISTICS),  # Taiwan convenience-store pickup
        ("郵差沒敲門就塞了張招領單", Cause.LOGISTICS),  # the post, a missed-you slip
        ("The box had tyre marks on it, the vase inside cracked", Cause.LOGISTICS),
        ("Ordered a blue one, got a green one", Cause.SERVICE),  # ordered, then what came
    ],
)
def test_aspect_rules(text: str, cause: Cause) -> None:
    assert classify_review(text).cause is cause


def test_a_describing_review_with_no_aspect_word_is_the_goods() -> None:
    described = classify_review("洗脸巾一擦就掉屑，糊得满脸都是", RULES_ONLY)
    assert described.cause is Cause.PRODUCT
    assert described.by_default
    assert "REV-LISTEN" in described.why
    # only a mood: nothing to read a cause from
    assert classify_review("不满意，中评", RULES_ONLY).cause is Cause.UNKNOWN
    assert classify_review("Disappointed. Would not buy again.", RULES_ONLY).cause is Cause.UNKNOWN
    # the buyer cleared the goods: not the goods by default
    cleared = classify_review(
        "Turns out I need it less than I thought, the product is fine.", RULES_ONLY
    )
    assert cleared.cause is not Cause.PRODUCT


def test_a_review_that_clears_the_goods_and_blames_no_one_is_the_buyers_own() -> None:
    result = classify_review("东西本身没问题，就是跟我家的装修风格不搭", RULES_ONLY)
    assert result.cause is Cause.BUYER
    assert result.by_default
    # the goods cleared, but the courier blamed: the courier's
    assert classify_review("东西本身没问题，快递太慢了", RULES_ONLY).cause is Cause.LOGISTICS


def test_taiwan_words_fold_to_mainland_ones() -> None:
    # OpenCC's Taiwan conversion: 寫著 is 写着, so "写着送" still matches
    assert classify_review("拍下的時候明明寫著送收納袋，收到什麼都沒有").cause is Cause.SERVICE


def test_a_shops_words_join_the_segmenter() -> None:
    # "不过" inside a shop word is no contrast
    assert ("不过关", 2, 5) in tokens("质量不过关", frozenset({"不过关"}))
    custom = DEFAULT_CAUSE_RULES.extended(product=["起坨"])
    assert "起坨" in _compiled(custom).segmenter_words


def test_english_words_match_at_word_start() -> None:
    rules = CauseRules(product=["rust"], service=[], logistics=[], buyer=[])
    assert classify_review("I trust this shop", rules).cause is Cause.UNKNOWN
    assert classify_review("Rusted in a week", rules).cause is Cause.PRODUCT


def test_full_width_case_and_traditional_text_are_folded() -> None:
    assert classify_review("質量太差了，用了兩次就壞了").cause is Cause.PRODUCT
    assert classify_review("ＰＯＯＲ ＱＵＡＬＩＴＹ").cause is Cause.PRODUCT


def test_a_shop_extends_and_moves_words() -> None:
    assert classify_review("鞋底开胶了", RULES_ONLY).cause is Cause.PRODUCT  # a default word
    custom = RULES_ONLY.extended(product=["炸毛"], buyer=["偏小"])
    assert classify_review("拉链头炸毛", RULES_ONLY).cause is Cause.UNKNOWN
    assert classify_review("拉链头炸毛", custom).cause is Cause.PRODUCT
    # moved: a shop whose size chart is right reads "偏小" as the buyer's choice
    assert classify_review("尺码偏小", RULES_ONLY).cause is Cause.PRODUCT
    assert classify_review("尺码偏小", custom).cause is Cause.BUYER
    assert "偏小" not in custom.product
    assert DEFAULT_CAUSE_RULES.product.count("偏小") == 1  # the default is unchanged


@pytest.mark.parametrize(
    "call",
    [
        lambda: DEFAULT_CAUSE_RULES.extended(product="质量"),
        lambda: DEFAULT_CAUSE_RULES.extended(product=[""]),
        lambda: DEFAULT_CAUSE_RULES.extended(product=["质量…"]),
        lambda: DEFAULT_CAUSE_RULES.extended(quality=["差"]),
        lambda: classify_review(42),  # type: ignore[arg-type]
    ],
    ids=["bare string", "empty word", "empty part", "unknown list", "not text"],
)
def test_bad_rules_are_refused(call: Any) -> None:
    with pytest.raises(InvalidInput):
        call()


# -- the review record --------------------------------------------------------------------


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "tid": "4012345678901234567",
        "oid": "4012345678901234568",
        "role": "buyer",
        "nick": "t**_8",
        "result": "bad",
        "created": "2026-03-02 21:47:13",
        "item_title": "陶瓷马克杯",
        "item_price": "19.90",
        "content": "杯口有裂缝，倒热水就渗出来，质量太差",
        "reply": "",
        "valid_score": True,  # platform fields the library does not use are ignored
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def test_review_from_platform_record() -> None:
    review = review_from_dict(record())
    assert review.tid == "4012345678901234567"
    assert review.oid == "4012345678901234568"
    assert review.result is Rating.BAD
    assert review.created == sh("2026-03-02 21:47:13")
    assert review.created.utcoffset() == pendulum.duration(hours=8)
    assert review.item_price.amount == Decimal("19.90")
    assert review.reply is None  # "" on the platform means no explanation yet


def test_review_created_as_iso_with_offset() -> None:
    review = review_from_dict(record(created="2026-03-02T13:47:13Z"))
    assert review.created == sh("2026-03-02 21:47:13")


def test_integer_ids_stay_exact() -> None:
    review = review_from_dict(record(tid=4012345678901234567))
    assert review.tid == "4012345678901234567"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tid": 4.012345678901234e18}, "review.tid"),
        ({"oid": Decimal("4012345678901234568")}, "review.oid"),
        ({"oid": "40123-456"}, "review.oid"),
        ({"item_price": 19.9}, "review.item_price"),
        ({"item_price": "-1"}, "review.item_price"),
        ({"created": "2026/03/02 21:47"}, "review.created"),
        ({"created": "2026-02-30 10:00:00"}, "review.created"),
        ({"created": "2026-03-02T21:47:13"}, "review.created"),
        ({"result": "terrible"}, "review.result"),
        ({"nick": ""}, "review.nick"),
        ({"content": None}, "review.content"),
        ({"content": ...}, r"missing field\(s\) content"),
    ],
)
def test_bad_records_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput, match=field):
        review_from_dict(record(**changes))


def test_a_sellers_rating_of_the_buyer_has_no_follow_up() -> None:
    with pytest.raises(FollowUpNotNeeded, match="role"):
        review_from_dict(record(role="seller"))


def test_good_review_opens_nothing() -> None:
    with pytest.raises(FollowUpNotNeeded, match="REV-FAST") as info:
        open_follow_up(review_from_dict(record(result="good")), TAOBAO)
    assert info.value.rule == "REV-FAST"


# -- deadlines (REV-FAST, REV-WINDOWS) -----------------------------------------------------


def review(
    created: str = "2026-03-02 21:47:13",
    *,
    price: str = "19.90",
    content: str = "杯口有裂缝，质量太差",
    result: str = "bad",
    reply: str | None = None,
) -> Review:
    return review_from_dict(
        record(created=created, item_price=price, content=content, result=result, reply=reply)
    )


def test_deadlines_run_from_the_review() -> None:
    case = open_follow_up(review(), TAOBAO)
    assert case.state is S.NEW
    assert case.contact_by == sh("2026-03-03 21:47:13")  # REV-FAST: 24 hours
    assert case.revise_by == sh("2026-04-01 21:47:13")  # REV-WINDOWS: 30 days
    assert case.explain_by == sh("2026-04-01 21:47:13")
    assert case.cause is Cause.PRODUCT


@pytest.mark.parametrize(
    ("created", "window_ends"),
    [
        ("2026-01-31 10:00:00", "2026-03-02 10:00:00"),  # across February (28 days)
        ("2028-01-31 10:00:00", "2028-03-01 10:00:00"),  # leap year
        ("2026-12-15 23:30:00", "2027-01-14 23:30:00"),  # across the year end
    ],
)
def test_thirty_day_windows_across_month_ends(created: str, window_ends: str) -> None:
    case = open_follow_up(review(created), TAOBAO)
    assert case.revise_by == sh(window_ends)
    assert case.explain_by == sh(window_ends)


def test_contact_by_across_a_month_end() -> None:
    case = open_follow_up(review("2026-02-28 22:00:00"), TAOBAO)
    assert case.contact_by == sh("2026-03-01 22:00:00")


def test_policy_fields_drive_the_deadlines() -> None:
    policy = TAOBAO.override(review_contact_within="2h", review_revision_window="15d")
    case = open_follow_up(review(), policy)
    assert case.contact_by == sh("2026-03-02 23:47:13")
    assert case.revise_by == sh("2026-03-17 21:47:13")


def at(text: str) -> pendulum.DateTime:
    return sh(text)


def listening(price: str = "19.90", policy: Any = TAOBAO) -> FollowUp:
    case = open_follow_up(review(price=price), policy)
    case = step_follow_up(case, Contacted(id="c1", at=at("2026-03-03 09:00")), policy)
    return step_follow_up(
        case, BuyerReplied(id="r1", at=at("2026-03-03 09:10"), text="刚拆开就裂了"), policy
    )


def test_late_contact_is_flagged_not_fatal() -> None:
    case = open_follow_up(review(), TAOBAO)
    late = advance_follow_up(case, at("2026-03-04 08:00"), TAOBAO)
    assert late.contact_overdue
    assert late.state is S.NEW
    assert late.history[-1].trigger == "timeout:contact_by"
    assert late.history[-1].rule == "REV-FAST"
    assert follow_up_plan(late, TAOBAO).contact_overdue
    contacted = step_follow_up(late, Contacted(id="c1", at=at("2026-03-04 09:00")), TAOBAO)
    assert contacted.state is S.CONTACTED
    assert contacted.contact_overdue


def test_late_contact_flagged_when_the_event_comes_first() -> None:
    case = open_follow_up(review(), TAOBAO)
    case = step_follow_up(case, Contacted(id="c1", at=at("2026-03-04 09:00")), TAOBAO)
    assert case.contact_overdue
    assert [t.trigger for t in case.history] == ["timeout:contact_by", "contacted"]


def test_contact_in_time_is_not_flagged() -> None:
    case = open_follow_up(review(), TAOBAO)
    case = step_follow_up(case, Contacted(id="c1", at=at("2026-03-03 21:47:12")), TAOBAO)
    case = advance_follow_up(case, at("2026-03-10 00:00"), TAOBAO)
    assert not case.contact_overdue
    assert case.contacted_at == at("2026-03-03 21:47:12")


def test_contact_exactly_at_the_deadline_is_late() -> None:
    case = open_follow_up(review(), TAOBAO)
    case = step_follow_up(case, Contacted(id="c1", at=at("2026-03-03 21:47:13")), TAOBAO)
    assert case.contact_overdue


def test_repeated_contact_attempts_are_counted() -> None:
    case = open_follow_up(review(), TAOBAO)
    case = step_follow_up(case, Contacted(id="c1", at=at("2026-03-03 09:00")), TAOBAO)
    case = step_follow_up(case, Contacted(id="c2", at=at("2026-03-03 15:00")), TAOBAO)
    assert case.contact_attempts == 2
    assert case.contacted_at == at("2026-03-03 09:00")


def test_revision_window_closes_as_no_answer() -> None:
    case = listening()
    case = advance_follow_up(case, at("2026-04-01 21:47:13"), TAOBAO)
    assert case.state is S.CLOSED
    assert case.outcome is Outcome.NO_ANSWER
    assert case.closed_at == at("2026-04-01 21:47:13")
    assert case.history[-1].rule == "REV-WINDOWS"
    assert follow_up_plan(case, TAOBAO).steps == ()


def test_one_second_before_the_window_ends_nothing_fires() -> None:
    case = advance_follow_up(listening(), at("2026-04-01 21:47:12"), TAOBAO)
    assert case.state is S.LISTENING


def test_longer_explanation_window_leaves_time_to_explain() -> None:
    policy = TAOBAO.override(review_explanation_window="45d")
    case = advance_follow_up(listening(policy=policy), at("2026-04-02 00:00"), policy)
    assert case.state is S.EXPLAINING
    assert case.outcome is Outcome.NO_ANSWER
    [step] = follow_up_plan(case, policy).steps
    assert step.key == "explanation"
    assert step.deadline == at("2026-04-16 21:47:13")
    closed = advance_follow_up(case, at("2026-04-16 21:47:13"), policy)
    assert closed.state is S.CLOSED
    assert closed.explanation is None


def test_shorter_explanation_window_skips_explaining() -> None:
    policy = TAOBAO.override(review_explanation_window="7d")
    case = listening(policy=policy)
    case = step_follow_up(
        case, OutcomeRecorded(id="o", at=at("2026-03-12 10:00"), outcome="declined"), policy
    )
    assert case.state is S.CLOSED
    assert case.outcome is Outcome.DECLINED
    with pytest.raises(IllegalEvent, match="explanation window closed"):
        step_follow_up(
            listening(policy=policy),
            ExplanationPosted(id="x", at=at("2026-03-10 10:00"), text="说明"),
            policy,
        )


# -- the ladder (REV-OFFER) ---------------------------------------------------------------


def offer(
    case: FollowUp, step: str, when: str, *, amount: str | None = None, eid: str | None = None
) -> FollowUp:
    event = SolutionOffered(id=eid or f"o-{step}", at=at(when), step=step, amount=amount)
    return step_follow_up(case, event, TAOBAO)


def test_the_full_ladder_for_a_cheap_item() -> None:
    case = listening("19.90")
    case = offer(case, "apology_fix", "2026-03-03 09:20", amount="3.00")
    assert case.state is S.OFFERED
    case = offer(case, "red_packet", "2026-03-03 09:30")
    case = offer(case, "free_product", "2026-03-03 09:40")
    assert [o.step for o in case.offers] == list(OfferStep)
    assert [str(o.amount) for o in case.offers] == ["3.00", "5.00", "19.90"]
    assert case.compensation == case.offers[0].amount + Money("24.90")
    assert all(o.unconditional and o.rule == "REV-OFFER" for o in case.offers)


def test_the_ladder_starts_with_apology_and_fix() -> None:
    with pytest.raises(LadderViolation, match="offer apology_fix first") as info:
        offer(listening(), "red_packet", "2026-03-03 09:20")
    assert info.value.rule == "REV-OFFER"
    case = offer(listening(), "apology_fix", "2026-03-03 09:20")
    with pytest.raises(LadderViolation, match="offer red_packet first"):
        offer(case, "free_product", "2026-03-03 09:30")


def test_a_rung_is_offered_once() -> None:
    case = offer(listening(), "apology_fix", "2026-03-03 09:20")
    with pytest.raises(LadderViolation, match="already offered"):
        offer(case, "apology_fix", "2026-03-03 09:30", eid="again")


def test_red_packet_is_capped_by_policy() -> None:
    case = offer(listening(), "apology_fix", "2026-03-03 09:20")
    with pytest.raises(LadderViolation, match=r"at most 5\.00"):
        offer(case, "red_packet", "2026-03-03 09:30", amount="5.01")
    with pytest.raises(LadderViolation):
        offer(case, "red_packet", "2026-03-03 09:30", amount="0")
    smaller = offer(case, "red_packet", "2026-03-03 09:30", amount="3.00")
    assert smaller.compensation == Money("3.00")
    policy = TAOBAO.override(review_red_packet="10.00")
    bigger = listening(policy=policy)
    bigger = step_follow_up(
        bigger, SolutionOffered(id="a", at=at("2026-03-03 09:20"), step="apology_fix"), policy
    )
    bigger = step_follow_up(
        bigger, SolutionOffered(id="b", at=at("2026-03-03 09:30"), step="red_packet"), policy
    )
    assert bigger.compensation == Money("10.00")


@pytest.mark.parametrize(("price", "free"), [("9.90", True), ("20.00", True), ("20.01", False)])
def test_free_product_only_for_low_prices(price: str, free: bool) -> None:
    assert (OfferStep.FREE_PRODUCT in offer_ladder(review(price=price), TAOBAO)) is free
    case = offer(listening(price), "apology_fix", "2026-03-03 09:20")
    case = offer(case, "red_packet", "2026-03-03 09:30")
    if free:
        case = offer(case, "free_product", "2026-03-03 09:40")
        assert case.offers[-1].amount == Money(price)
    else:
        with pytest.raises(LadderViolation, match="review_free_product_max_price"):
            offer(case, "free_product", "2026-03-03 09:40")


def test_a_fix_worth_more_than_the_item_is_a_refund_case() -> None:
    with pytest.raises(LadderViolation, match="refund"):
        offer(listening("19.90"), "apology_fix", "2026-03-03 09:20", amount="25.00")


def test_offers_wait_for_listening() -> None:
    case = open_follow_up(review(), TAOBAO)
    with pytest.raises(IllegalEvent, match="REV-LISTEN") as info:
        offer(case, "apology_fix", "2026-03-03 09:20")
    assert info.value.state == "new"
    assert info.value.allowed == ("contacted", "explanation_posted", "outcome_recorded")
    case = step_follow_up(case, Contacted(id="c", at=at("2026-03-03 09:00")), TAOBAO)
    with pytest.raises(IllegalEvent, match="REV-LISTEN"):
        offer(case, "apology_fix", "2026-03-03 09:20")


# -- REV-NO-INDUCE ------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["new", "listening", "offered", "solved"])
def test_an_offer_for_the_review_is_refused(state: str) -> None:
    case = open_follow_up(review(), TAOBAO)
    if state != "new":
        case = listening()
    if state in ("offered", "solved"):
        case = offer(case, "apology_fix", "2026-03-03 09:20")
    if state == "solved":
        case = step_follow_up(case, ProblemSolved(id="s", at=at("2026-03-03 10:00")), TAOBAO)
    deal = SolutionOffered(
        id="deal", at=at("2026-03-03 11:00"), step="red_packet", in_exchange_for_review=True
    )
    with pytest.raises(InducementRefused, match="REV-NO-INDUCE") as info:
        step_follow_up(case, deal, TAOBAO)
    assert info.value.rule == "REV-NO-INDUCE"
    assert not case.has_seen("deal")


def test_offers_are_recorded_only_as_unconditional() -> None:
    with pytest.raises(InvalidInput, match="REV-NO-INDUCE"):
        Offer(
            at=at("2026-03-03 09:00"),
            step=OfferStep.RED_PACKET,
            amount=Money("5.00"),
            note="",
            event_id="x",
            unconditional=False,
        )


def test_no_more_compensation_once_solved_or_declined() -> None:
    case = offer(listening(), "apology_fix", "2026-03-03 09:20")
    solved = step_follow_up(case, ProblemSolved(id="s", at=at("2026-03-03 10:00")), TAOBAO)
    with pytest.raises(IllegalEvent, match="REV-NO-INDUCE"):
        offer(solved, "red_packet", "2026-03-03 11:00")
    declined = step_follow_up(
        case, OutcomeRecorded(id="d", at=at("2026-03-03 10:00"), outcome="declined"), TAOBAO
    )
    assert declined.state is S.EXPLAINING
    with pytest.raises(IllegalEvent, match="REV-NO-INDUCE"):
        offer(declined, "red_packet", "2026-03-03 11:00")


def test_compensation_stays_given_when_the_buyer_declines() -> None:
    case = offer(listening(), "apology_fix", "2026-03-03 09:20")
    case = offer(case, "red_packet", "2026-03-03 09:30")
    case = step_follow_up(
        case, OutcomeRecorded(id="d", at=at("2026-03-03 10:00"), outcome="declined"), TAOBAO
    )
    case = step_follow_up(
        case, ExplanationPosted(id="x", at=at("2026-03-03 11:00"), text="感谢反馈"), TAOBAO
    )
    assert case.state is S.CLOSED
    assert case.outcome is Outcome.DECLINED
    assert case.compensation == Money("5.00")


# -- outcomes -----------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["revised", "deleted"])
def test_revised_or_deleted_closes(outcome: str) -> None:
    case = offer(listening(), "apology_fix", "2026-03-03 09:20")
    case = step_follow_up(case, ProblemSolved(id="s", at=at("2026-03-04 10:00")), TAOBAO)
    case = step_follow_up(
        case, OutcomeRecorded(id="o", at=at("2026-03-05 10:00"), outcome=outcome), TAOBAO
    )
    assert case.state is S.CLOSED
    assert case.outcome is Outcome(outcome)
    assert case.closed_at == at("2026-03-05 10:00")


def test_a_buyer_may_revise_before_anyone_calls() -> None:
    case = open_follow_up(review(), TAOBAO)
    case = step_follow_up(
        case, OutcomeRecorded(id="o", at=at("2026-03-03 08:00"), outcome="revised"), TAOBAO
    )
    assert case.outcome is Outcome.REVISED


def test_declined_needs_a_contact_first() -> None:
    case = open_follow_up(review(), TAOBAO)
    with pytest.raises(IllegalEvent, match="REV-CONTACT"):
        step_follow_up(
            case, OutcomeRecorded(id="o", at=at("2026-03-03 08:00"), outcome="declined"), TAOBAO
        )


def test_declined_then_explained_then_a_change_of_heart_is_too_late() -> None:
    case = step_follow_up(
        listening(), OutcomeRecorded(id="d", at=at("2026-03-04 10:00"), outcome="declined"), TAOBAO
    )
    assert case.state is S.EXPLAINING
    assert [s.key for s in follow_up_plan(case, TAOBAO).steps] == ["explanation"]
    revised = step_follow_up(
        case, OutcomeRecorded(id="r", at=at("2026-03-06 10:00"), outcome="revised"), TAOBAO
    )
    assert revised.state is S.CLOSED
    assert revised.outcome is Outcome.REVISED
    with pytest.raises(IllegalEvent, match="already recorded"):
        step_follow_up(
            case, OutcomeRecorded(id="n", at=at("2026-03-06 10:00"), outcome="no_answer"), TAOBAO
        )


def test_explanation_posted_early_then_declined_closes() -> None:
    case = step_follow_up(
        listening(), ExplanationPosted(id="x", at=at("2026-03-03 12:00"), text="说明"), TAOBAO
    )
    assert case.state is S.LISTENING
    assert case.explanation == "说明"
    with pytest.raises(IllegalEvent, match="already posted"):
        step_follow_up(
            case, ExplanationPosted(id="x2", at=at("2026-03-03 13:00"), text="再说明"), TAOBAO
        )
    case = step_follow_up(
        case, OutcomeRecorded(id="n", at=at("2026-03-04 10:00"), outcome="no_answer"), TAOBAO
    )
    assert case.state is S.CLOSED
    assert case.outcome is Outcome.NO_ANSWER


def test_an_explanation_already_on_the_platform_counts() -> None:
    case = open_follow_up(review(reply="已补发，感谢反馈"), TAOBAO)
    assert case.explanation == "已补发，感谢反馈"
    assert "explanation" not in [s.key for s in follow_up_plan(case, TAOBAO).steps]


def test_closed_is_final() -> None:
    case = step_follow_up(
        listening(), OutcomeRecorded(id="o", at=at("2026-03-04 10:00"), outcome="revised"), TAOBAO
    )
    for event in (
        Contacted(id="c9", at=at("2026-03-05 10:00")),
        BuyerReplied(id="r9", at=at("2026-03-05 10:00"), text="还有"),
        ExplanationPosted(id="x9", at=at("2026-03-05 10:00"), text="说明"),
    ):
        with pytest.raises(IllegalEvent, match="final") as info:
            step_follow_up(case, event, TAOBAO)
        assert info.value.allowed == ()
    assert advance_follow_up(case, at("2026-06-01 00:00"), TAOBAO) == case


def test_buyer_replies_refine_the_cause() -> None:
    case = open_follow_up(review(content="差评"), TAOBAO)
    assert case.cause is Cause.UNKNOWN
    case = step_follow_up(case, Contacted(id="c", at=at("2026-03-03 09:00")), TAOBAO)
    case = step_follow_up(
        case, BuyerReplied(id="r", at=at("2026-03-03 09:05"), text="快递员直接扔在门口"), TAOBAO
    )
    assert case.cause is Cause.LOGISTICS
    assert case.replies[-1].text == "快递员直接扔在门口"


# -- replay, duplicates, time order -------------------------------------------------------


def story() -> list[FollowUpEvent]:
    return [
        Contacted(id="c1", at=at("2026-03-03 09:00")),
        BuyerReplied(id="r1", at=at("2026-03-03 09:10"), text="刚拆开就裂了"),
        SolutionOffered(id="o1", at=at("2026-03-03 09:20"), step="apology_fix", note="补发"),
        ProblemSolved(id="s1", at=at("2026-03-05 18:00"), note="补发已签收"),
        OutcomeRecorded(id="d1", at=at("2026-03-06 10:00"), outcome="revised"),
    ]


def test_replay_matches_stepping() -> None:
    case = open_follow_up(review(), TAOBAO)
    for event in story():
        case = step_follow_up(case, event, TAOBAO)
    assert replay_follow_up(review(), story(), TAOBAO) == case
    assert case.log == tuple(story())
    assert [t.event_id for t in case.history] == [e.id for e in story()]


def test_a_seen_event_id_is_a_no_op() -> None:
    case = replay_follow_up(review(), story()[:3], TAOBAO)
    again = SolutionOffered(id="o1", at=at("2026-03-03 09:30"), step="red_packet")
    assert step_follow_up(case, again, TAOBAO) is case


def test_events_out_of_time_order_are_refused() -> None:
    case = replay_follow_up(review(), story()[:3], TAOBAO)
    with pytest.raises(OutOfOrderEvent, match="older than"):
        step_follow_up(case, ProblemSolved(id="s0", at=at("2026-03-03 09:19")), TAOBAO)
    with pytest.raises(OutOfOrderEvent):
        step_follow_up(
            open_follow_up(review(), TAOBAO), Contacted(id="c0", at=at("2026-03-01 09:00")), TAOBAO
        )


def test_a_refused_event_leaves_no_trace() -> None:
    case = replay_follow_up(review(), story()[:3], TAOBAO)
    with pytest.raises(LadderViolation):
        offer(case, "free_product", "2026-03-03 10:00", eid="x")
    assert not case.has_seen("x")
    later = offer(case, "red_packet", "2026-03-03 10:00", eid="x")
    assert later.has_seen("x")


def test_advance_is_idempotent_and_keeps_time_monotonic() -> None:
    case = listening()
    once = advance_follow_up(case, at("2026-05-01 00:00"), TAOBAO)
    assert advance_follow_up(once, at("2026-05-01 00:00"), TAOBAO) == once
    times = [t.at for t in once.history]
    assert times == sorted(times)


# -- the plan -----------------------------------------------------------------------------


def test_plan_from_the_start() -> None:
    case = open_follow_up(review(price="19.90"), TAOBAO)
    plan = follow_up_plan(case, TAOBAO)
    assert [s.key for s in plan.steps] == [
        "contact",
        "listen",
        "offer_apology_fix",
        "offer_red_packet",
        "offer_free_product",
        "ask_update",
        "explanation",
    ]
    assert [s.template for s in plan.steps] == [
        "review/contact.txt",
        "review/listen.txt",
        "review/offer_apology_fix.txt",
        "review/offer_red_packet.txt",
        "review/offer_free_product.txt",
        "review/ask_update.txt",
        "review/explanation.txt",
    ]
    assert [s.rule for s in plan.steps] == [
        "REV-CONTACT",
        "REV-LISTEN",
        "REV-OFFER",
        "REV-OFFER",
        "REV-OFFER",
        "REV-NO-INDUCE",
        "REV-WINDOWS",
    ]
    contact = plan.steps[0]
    assert contact.deadline == case.contact_by
    assert contact.deadline_rule == "REV-FAST"
    assert plan.steps[5].deadline == case.revise_by
    assert plan.steps[6].deadline == case.explain_by
    assert plan.steps[3].context["amount"] == "5.00"
    assert plan.steps[4].context["amount"] == "19.90"
    assert "never as a deal" in plan.steps[5].when


def test_plan_context_is_shop_independent_facts() -> None:
    step = follow_up_plan(open_follow_up(review(), TAOBAO), TAOBAO).steps[0]
    assert step.context["nick"] == "t**_8"
    assert step.context["item_title"] == "陶瓷马克杯"
    assert step.context["item_price"] == "19.90"
    assert step.context["rating"] == "bad"
    assert step.context["rating_zh"] == "差评"
    assert step.context["cause"] == "product"
    assert step.context["cause_zh"] == "商品问题"
    assert step.context["contact_by"] == "2026-03-03T21:47:13+08:00"
    assert step.context["compensation"] == "0.00"
    assert "shop" not in step.context
    assert all(isinstance(v, str) for v in step.context.values())


def test_plan_drops_done_and_disallowed_steps() -> None:
    expensive = listening("89.00")
    keys = [s.key for s in follow_up_plan(expensive, TAOBAO).steps]
    assert keys == ["offer_apology_fix", "offer_red_packet", "ask_update", "explanation"]
    offered = offer(expensive, "apology_fix", "2026-03-03 09:20")
    assert next(s.key for s in follow_up_plan(offered, TAOBAO).steps) == "offer_red_packet"
    solved = step_follow_up(offered, ProblemSolved(id="s", at=at("2026-03-04 10:00")), TAOBAO)
    plan = follow_up_plan(solved, TAOBAO)
    assert [s.key for s in plan.steps] == ["ask_update", "explanation"]
    assert plan.state is S.SOLVED


def test_template_names_are_the_agreed_ones() -> None:
    assert set(TEMPLATES.values()) == {
        "review/contact.txt",
        "review/listen.txt",
        "review/offer_apology_fix.txt",
        "review/offer_red_packet.txt",
        "review/offer_free_product.txt",
        "review/ask_update.txt",
        "review/explanation.txt",
    }


# -- the table ----------------------------------------------------------------------------


def test_the_table_is_sound() -> None:
    triggers = set(FOLLOW_UP_EVENT_TYPES) | {
        "timeout:contact_by",
        "timeout:revise_by",
        "timeout:explain_by",
    }
    for row in FOLLOW_UP_ROWS:
        assert row.rule in RULES, row
        assert row.trigger in triggers, row
        assert row.source is not S.CLOSED, "closed is final"
    reachable = {S.NEW}
    frontier = [S.NEW]
    while frontier:
        state = frontier.pop()
        for row in FOLLOW_UP_ROWS:
            if row.source is state and row.target not in reachable:
                reachable.add(row.target)
                frontier.append(row.target)
    assert reachable == set(S)
    # every open state ends by the revision window; explaining by the explanation window
    for state in (S.NEW, S.CONTACTED, S.LISTENING, S.OFFERED, S.SOLVED):
        assert any(r.source is state and r.trigger == "timeout:revise_by" for r in FOLLOW_UP_ROWS)
    assert any(
        r.source is S.EXPLAINING and r.trigger == "timeout:explain_by" for r in FOLLOW_UP_ROWS
    )
    # REV-NO-INDUCE: nothing is offered once the problem is solved or the buyer said no
    assert not any(
        r.trigger == "solution_offered" and r.source in (S.SOLVED, S.EXPLAINING)
        for r in FOLLOW_UP_ROWS
    )


# -- events from JSON ---------------------------------------------------------------------


def test_events_from_json() -> None:
    event = follow_up_event_from_dict(
        {
            "type": "solution_offered",
            "id": "o",
            "at": "2026-03-03 09:20:00",
            "step": "red_packet",
            "amount": "5.00",
        }
    )
    assert isinstance(event, SolutionOffered)
    assert event.at == at("2026-03-03 09:20")
    assert event.amount == Money("5.00")
    assert not event.in_exchange_for_review


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"type": "called", "id": "x", "at": "2026-03-03 09:20:00"}, "unknown event type"),
        (
            {"type": "contacted", "id": "x", "at": "2026-03-03 09:20:00", "by": "me"},
            "unknown field",
        ),
        ({"type": "buyer_replied", "id": "x", "at": "2026-03-03 09:20:00"}, "missing field"),
        ({"type": "contacted", "id": "x", "at": "yesterday"}, "contacted.at"),
        (
            {"type": "solution_offered", "id": "x", "at": "2026-03-03 09:20:00", "step": "cash"},
            "step must be one of",
        ),
        (
            {
                "type": "solution_offered",
                "id": "x",
                "at": "2026-03-03 09:20:00",
                "step": "red_packet",
                "amount": 5.0,
            },
            "not a float",
        ),
        (
            {"type": "outcome_recorded", "id": "x", "at": "2026-03-03 09:20:00", "outcome": "ok"},
            "outcome must be one of",
        ),
        ([], "JSON object"),
    ],
)
def test_bad_events_name_the_problem(value: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        follow_up_event_from_dict(value)


# -- the command --------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_examples_run(path: Path) -> None:
    result = CliRunner().invoke(review_command, [str(path)])
    assert result.exit_code == 0, result.output
    assert "cause:" in result.output
    as_json = CliRunner().invoke(review_command, [str(path), "--json"])
    report = json.loads(as_json.output)
    assert report["classification"]["rule"] == "REV-TYPES"
    assert set(report["deadlines"]) == {"contact_by", "revise_by", "explain_by"}


def test_examples_tell_their_story() -> None:
    mug = json.loads((EXAMPLES / "bad-cracked-mug.json").read_text(encoding="utf-8"))
    report = review_report(mug)
    assert report["classification"]["cause"] == "product"
    assert report["follow_up"]["state"] == "offered"
    assert [s["step"] for s in report["plan"]][:2] == ["offer_red_packet", "offer_free_product"]
    later = review_report(mug, at=at("2026-04-05 00:00"))
    assert later["follow_up"]["outcome"] == "no_answer"
    blanket = json.loads((EXAMPLES / "neutral-slow-courier.json").read_text(encoding="utf-8"))
    report = review_report(blanket)
    assert report["classification"]["cause"] == "logistics"
    assert report["follow_up"]["state"] == "closed"
    assert report["follow_up"]["outcome"] == "declined"
    assert report["follow_up"]["compensation"] == "5.00"
    assert report["plan"] == []


def test_command_errors(tmp_path: Path) -> None:
    mug = json.loads((EXAMPLES / "bad-cracked-mug.json").read_text(encoding="utf-8"))
    mug["events"].append(
        {
            "type": "solution_offered",
            "id": "bad",
            "at": "2026-03-03 10:00:00",
            "step": "free_product",
        }
    )
    path = tmp_path / "review.json"
    path.write_text(json.dumps(mug, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(review_command, [str(path)])
    assert result.exit_code == 1
    assert "events[3] (bad)" in result.output
    assert "REV-OFFER" in result.output
    early = CliRunner().invoke(review_command, [str(path), "--at", "2026-03-01T00:00:00+08:00"])
    assert early.exit_code == 1
    bad_at = CliRunner().invoke(review_command, [str(path), "--at", "tomorrow"])
    assert bad_at.exit_code == 2


def test_command_reads_a_shops_keywords(tmp_path: Path) -> None:
    document = record(content="穿两次就起毛了", events=[], keywords={"product": ["起毛"]})
    assert review_report(document)["classification"]["cause"] == "product"
    with pytest.raises(InvalidInput, match="keywords"):
        review_report(record(keywords={"colour": ["黄"]}))


# -- random event sequences ---------------------------------------------------------------

_KINDS = (
    "contacted",
    "buyer_replied",
    "offer",
    "offer",
    "offer",
    "deal",
    "solved",
    "outcome",
    "explained",
)


@st.composite
def event_sequences(draw: st.DrawFn) -> tuple[str, list[FollowUpEvent]]:
    """Mostly plausible follow-ups (a warm start, small steps in time), with noise:
    steps back in time, reused IDs, offers out of ladder order, offers for the review."""
    price = draw(st.sampled_from(["9.90", "20.00", "20.01", "199.00"]))
    start = at("2026-01-31 10:00")
    minutes = 0
    events: list[FollowUpEvent] = []
    if draw(st.booleans()):
        events += [
            Contacted(id="warm-c", at=start.add(hours=2)),
            BuyerReplied(id="warm-r", at=start.add(hours=3), text="裂了"),
        ]
        minutes = 180
    for number in range(draw(st.integers(0, 14))):
        minutes += draw(st.one_of(st.integers(-120, 600), st.integers(0, 60 * 24 * 10)))
        when = start.add(minutes=minutes)
        eid = draw(st.sampled_from([f"e{number}", f"e{number}", "e0", "warm-c"]))
        kind = draw(st.sampled_from(_KINDS))
        if kind == "contacted":
            events.append(Contacted(id=eid, at=when))
        elif kind == "buyer_replied":
            text = draw(st.sampled_from(["裂了", "快递太慢", "ok"]))
            events.append(BuyerReplied(id=eid, at=when, text=text))
        elif kind in ("offer", "deal"):
            events.append(
                SolutionOffered(
                    id=eid,
                    at=when,
                    step=draw(st.sampled_from(list(OfferStep))),
                    amount=draw(st.sampled_from([None, None, "0.00", "3.00", "5.00", "30.00"])),
                    in_exchange_for_review=kind == "deal",
                )
            )
        elif kind == "solved":
            events.append(ProblemSolved(id=eid, at=when))
        elif kind == "outcome":
            outcome = draw(st.sampled_from(list(Outcome)))
            events.append(OutcomeRecorded(id=eid, at=when, outcome=outcome))
        else:
            events.append(ExplanationPosted(id=eid, at=when, text="说明"))
    return price, events


@given(event_sequences())
def test_random_sequences_keep_the_invariants(drawn: tuple[str, list[FollowUpEvent]]) -> None:
    price, events = drawn
    policy = TAOBAO
    case = open_follow_up(review("2026-01-31 10:00:00", price=price), policy)
    bound = case.review.item_price + policy.review_red_packet + case.review.item_price
    for event in events:
        before = case
        try:
            case = step_follow_up(case, event, policy)
        except AfterSalesError:
            case = before
        assert case.changed_at >= before.changed_at  # time never goes back
        if before.is_closed:
            assert case == before  # closed is final
        assert case.compensation == sum((o.amount for o in case.offers), start=Money("0"))
        assert case.compensation <= bound
        assert [o.step for o in case.offers] == list(offer_ladder(case.review, policy))[
            : len(case.offers)
        ]
        assert all(o.unconditional for o in case.offers)
        assert not any(
            isinstance(e, SolutionOffered) and e.in_exchange_for_review for e in case.log
        )
        times = [t.at for t in case.history]
        assert times == sorted(times)
        assert (case.outcome is not None) or case.state not in (S.CLOSED, S.EXPLAINING)
    final = advance_follow_up(case, case.revise_by.add(days=60), policy)
    assert final.is_closed
    assert final.compensation == case.compensation


def test_the_review_command_prints_each_steps_script_in_the_shops_words(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from aftersales.cli import main
    from aftersales.messages import INDUCEMENT_PATTERNS

    doc = json.loads((EXAMPLES / "bad-cracked-mug.json").read_text(encoding="utf-8"))
    doc["events"] = doc["events"][:2]  # contacted, the buyer replied: the offers are ahead
    file = tmp_path / "review.json"
    file.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["review", str(file), "--json"])
    english = runner.invoke(main, ["review", str(file), "--locale", "en"])
    assert result.exit_code == 0, result.output
    plan = {step["step"]: step["script"] for step in json.loads(result.output)["plan"]}
    assert "¥5.00" in plan["offer_red_packet"]  # REV-OFFER: the policy's red packet
    assert "¥19.90" in plan["offer_free_product"]
    for script in plan.values():  # REV-NO-INDUCE: nothing offered for a review change
        assert not any(p.search(script) for p, _ in INDUCEMENT_PATTERNS), script
    assert english.exit_code == 0, english.output
    assert "script:" in english.output
    assert "CN¥5.00" in english.output


@pytest.mark.parametrize("config", ["s2t", "s2tw", "s2hk"])
def test_traditional_script_reads_as_simplified(config: str) -> None:
    """REV-TYPES in traditional script: every Chinese review of both sets, written in
    traditional (Taiwan, Hong Kong) characters, gets the cause its simplified text gets."""
    import opencc

    to_traditional = opencc.OpenCC(config)
    chinese = [item for item in corpus_items() if item["script"] == "simplified"]
    differ = [
        item["text"]
        for item in chinese
        if classify_review(to_traditional.convert(item["text"])).cause
        is not classify_review(item["text"]).cause
    ]
    assert not differ
    # and the keywords the old hand-made table missed
    for text in ("鞋子開膠了", "有異味", "貨不對板"):
        assert classify_review(text).cause is Cause.PRODUCT, text
