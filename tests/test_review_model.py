"""Labelled reviews deciding a review's cause when they are sure (``reviews._ngrams``, REV-TYPES).

The model's small examples here are written so that it, not the rules, decides:
train it the other way and the answer flips. The shipped model is the development set
and the reviews labelled for the model counted (``CORPORA``): a change to either shows here.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales import InvalidInput
from aftersales.reviews import (
    CONFIDENT,
    DEFAULT_CAUSE_RULES,
    Cause,
    CauseModel,
    classify_review,
    default_cause_model,
    train_cause_model,
)
from aftersales.reviews._ngrams import main as build_model
from aftersales.reviews._normal import normal
from aftersales.scenarios import review_report

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "reviews.json"
SHIPPED = ROOT / "src" / "aftersales" / "reviews" / "cause_model.json"
REVIEW = ROOT / "examples" / "reviews" / "bad-cracked-mug.json"

#: Two phrases, one each: product (坏的) and service (发货慢) tie on points.
TIED = "发货慢就算了，收到的还是坏的"
SLOW_SHIPPING = [
    ("发货慢，等了一周才发", Cause.SERVICE),
    ("发货太慢了就算了", Cause.SERVICE),
    ("东西坏的", Cause.PRODUCT),
]
BROKEN_GOODS = [
    ("收到的还是坏的", Cause.PRODUCT),
    ("就算了，收到的还是坏的", Cause.PRODUCT),
    ("发货慢就算了，东西是坏的", Cause.PRODUCT),
    ("发货慢", Cause.SERVICE),
]


#: What the shipped model counts: the development set (the rules were tuned on it) and
#: the labelled reviews written for the model alone (the rules never saw them).
#: The rules alone: a model trained on nothing decides nothing.
RULES_ONLY = attrs.evolve(DEFAULT_CAUSE_RULES, model=train_cause_model([]))

CORPORA = (CORPUS, ROOT / "tests" / "data" / "reviews_labelled.json")


def corpus() -> list[tuple[str, Cause]]:
    examples = []
    for path in CORPORA:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data["samples"] if "samples" in data else data["items"]
        examples += [(item["text"], Cause(item["cause"])) for item in items]
    return examples


def train(examples: list[tuple[str, Cause]]) -> CauseModel:
    return train_cause_model(examples)


def test_sure_labelled_reviews_decide() -> None:
    service = classify_review(TIED, attrs.evolve(DEFAULT_CAUSE_RULES, model=train(SLOW_SHIPPING)))
    product = classify_review(TIED, attrs.evolve(DEFAULT_CAUSE_RULES, model=train(BROKEN_GOODS)))
    assert service.scores == product.scores == {Cause.PRODUCT: 2, Cause.SERVICE: 2}
    assert service.cause is Cause.SERVICE
    assert product.cause is Cause.PRODUCT
    for found in (service, product):
        assert found.probability is not None
        assert CONFIDENT <= found.probability <= 1
        assert not found.tie  # the labelled reviews decided, not TIE_ORDER
    # the rules alone would say product (the tie order): the model overruled them
    assert service.overruled is Cause.PRODUCT
    assert product.overruled is None


def test_why_says_what_the_labelled_reviews_read_in_one_line() -> None:
    found = classify_review(TIED, attrs.evolve(DEFAULT_CAUSE_RULES, model=train(SLOW_SHIPPING)))
    assert found.probability is not None
    assert found.why.startswith(f"labelled reviews read service ({found.probability:.2f}; ")
    assert "over the words' product; product 2 (" in found.why
    assert found.evidence
    assert all(gram in "发货慢就算了,收到的还是坏的" for gram in found.evidence)
    assert "tie broken" not in found.why
    assert found.brief == f"service: 发货慢 (labelled reviews {found.probability:.2f})"
    assert "\n" not in found.why


def test_unsure_labelled_reviews_leave_the_words_alone() -> None:
    # the same review labelled both ways: the model cannot tell, the words decide
    split = train([(TIED, Cause.SERVICE), (TIED, Cause.PRODUCT)])
    assert max(split.probabilities(TIED).values()) < CONFIDENT
    found = classify_review(TIED, attrs.evolve(DEFAULT_CAUSE_RULES, model=split))
    assert found.cause is Cause.PRODUCT
    assert found.tie
    assert found.probability is None
    assert found.evidence == ()
    assert "labelled reviews" not in found.why


def test_labelled_reviews_read_what_follows_a_contrast_twice() -> None:
    # praise of the goods comes with service complaints in these labelled reviews: read
    # once, the praise outweighs 物流太慢; read again after 就是, the courier's delay wins
    model = train(
        [
            ("质量还行，做工也不错，客服不回", Cause.SERVICE),
            ("做工也不错，发错货了", Cause.SERVICE),
            ("物流太慢了", Cause.LOGISTICS),
            ("快递员态度差", Cause.LOGISTICS),
        ]
    )
    text = "质量还行，做工也不错，就是物流太慢了"
    once = model.probabilities(text)
    twice = model.probabilities(text, "物流太慢了")
    assert once[Cause.SERVICE] >= CONFIDENT
    assert twice[Cause.LOGISTICS] >= CONFIDENT
    found = classify_review(text, attrs.evolve(DEFAULT_CAUSE_RULES, model=model))
    assert found.cause is Cause.LOGISTICS
    assert found.evidence == ("物流太慢了",)  # the stretch read twice, as the buyer wrote it


#: The buyer's own, told only by what the buyer says of themselves: the rules count 挤脚.
OWN_FEET = "我脚背高，穿着挤脚"
OWNING_UP = [
    ("我脚背高，穿什么都挤脚", Cause.BUYER),
    ("我脚背高，这种款式不适合我", Cause.BUYER),
    ("鞋底开胶了", Cause.PRODUCT),
]
DEFECTS = [
    ("鞋楦太窄，穿着挤脚", Cause.PRODUCT),
    ("码数不准，穿着挤脚", Cause.PRODUCT),
    ("我选错了码", Cause.BUYER),
]


def test_labelled_reviews_know_the_buyer_s_own_by_context() -> None:
    own = classify_review(OWN_FEET, attrs.evolve(DEFAULT_CAUSE_RULES, model=train(OWNING_UP)))
    goods = classify_review(OWN_FEET, attrs.evolve(DEFAULT_CAUSE_RULES, model=train(DEFECTS)))
    assert own.scores == goods.scores
    assert Cause.BUYER not in own.scores  # no word of the buyer's own counted
    assert own.cause is Cause.BUYER
    assert own.overruled is goods.cause is Cause.PRODUCT
    assert own.why.startswith("labelled reviews read buyer (")


def test_an_unknown_reading_is_never_overridden() -> None:
    text = "失望，不推荐"  # only a mood: ask the buyer (REV-LISTEN)
    sure = [(text, Cause.LOGISTICS), (text + "!", Cause.LOGISTICS), ("质量差", Cause.PRODUCT)]
    model = train(sure)
    assert max(model.probabilities(text).values()) >= CONFIDENT
    found = classify_review(text, attrs.evolve(DEFAULT_CAUSE_RULES, model=model))
    assert found.cause is Cause.UNKNOWN
    assert found.probability is None


def test_a_by_default_reading_gives_way_to_sure_labelled_reviews() -> None:
    text = "洗脸巾一擦就掉屑，用着很难受"  # no aspect word: the goods by default
    assert classify_review(text, RULES_ONLY).by_default
    sure = [(text, Cause.BUYER), (text + "!", Cause.BUYER), ("质量差", Cause.PRODUCT)]
    found = classify_review(text, attrs.evolve(DEFAULT_CAUSE_RULES, model=train(sure)))
    assert found.cause is Cause.BUYER
    assert not found.by_default  # the labelled reviews decided, not the default
    assert found.overruled is Cause.PRODUCT


def test_a_model_trained_on_nothing_leaves_the_rules_alone() -> None:
    empty = train_cause_model([])
    assert empty.probabilities(TIED) == {}
    found = classify_review(TIED, attrs.evolve(DEFAULT_CAUSE_RULES, model=empty))
    assert found.cause is Cause.PRODUCT
    assert found.tie
    assert found.probability is None


def test_the_answer_is_deterministic() -> None:
    first = classify_review(TIED)
    assert classify_review(TIED) == first
    shuffled = list(reversed(corpus()))
    assert train_cause_model(shuffled) == default_cause_model()
    assert train_cause_model(shuffled).to_json() == default_cause_model().to_json()
    chances = default_cause_model().probabilities(TIED)
    assert math.isclose(sum(chances.values()), 1.0)
    assert set(chances) == set(Cause)


def test_the_shipped_model_is_the_labelled_sets_counted() -> None:
    trained = train_cause_model(corpus())
    assert default_cause_model() == trained
    # byte for byte: regenerate with python -m aftersales.reviews._ngrams build ...
    assert SHIPPED.read_text(encoding="utf-8") == trained.to_json() + "\n"


def test_the_build_command_writes_the_shipped_file(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    assert build_model(["build", *map(str, CORPORA), "--out", str(out)]) == 0
    assert out.read_bytes() == SHIPPED.read_bytes()
    assert build_model(["train"]) == 2
    assert build_model(["build", "--out", str(out)]) == 2  # no corpus


def test_a_shop_adds_its_own_labelled_reviews() -> None:
    own = [("顺丰小哥把箱子扔在门口就走了", Cause.LOGISTICS), ("开胶了", Cause.PRODUCT)]
    retrained = default_cause_model().trained(own)
    assert retrained == train_cause_model(corpus() + own)
    assert retrained.texts[Cause.LOGISTICS] == default_cause_model().texts[Cause.LOGISTICS] + 1
    # the shop's model travels with its rules: extended words keep it
    rules = attrs.evolve(DEFAULT_CAUSE_RULES, model=retrained).extended(product=["开胶"])
    assert rules.model is retrained
    assert classify_review(TIED, rules).probability is not None


def test_a_model_reads_back_what_it_wrote() -> None:
    model = train(SLOW_SHIPPING)
    assert CauseModel.from_json(model.to_json()) == model
    with pytest.raises(InvalidInput, match="not a cause model"):
        CauseModel.from_json('{"texts": {}}')
    with pytest.raises(InvalidInput, match="format"):
        CauseModel.from_json(model.to_json().replace('"format":1', '"format":9'))


@pytest.mark.parametrize(
    "call",
    [
        lambda: attrs.evolve(DEFAULT_CAUSE_RULES, model={"product": 1}),  # type: ignore[arg-type]
        lambda: train_cause_model([("质量差", "product")]),  # type: ignore[list-item]
        lambda: CauseModel({Cause.PRODUCT: -1}, {}),
        lambda: DEFAULT_CAUSE_RULES.extended(model=["x"]),
    ],
    ids=["not a model", "a cause as text", "a negative count", "model is no word list"],
)
def test_bad_models_are_refused(call: object) -> None:
    with pytest.raises(InvalidInput):
        call()  # type: ignore[operator]


def test_the_review_report_carries_what_the_labelled_reviews_read() -> None:
    document = json.loads(REVIEW.read_text(encoding="utf-8"))
    document["content"] = "失望，不推荐"
    document["events"] = []  # the buyer's replies are read with the review
    plain = review_report(document, base=REVIEW.parent)["classification"]
    assert plain["cause"] == "unknown"
    assert plain["labelled_reviews"] is None
    document["content"] = TIED
    read = review_report(document, base=REVIEW.parent)["classification"]["labelled_reviews"]
    assert CONFIDENT <= read["probability"] <= 1
    assert read["evidence"]
    assert read["overruled"] in (None, "product")


def test_the_shipped_model_is_not_read_for_a_review_with_nothing_to_go_on() -> None:
    script = (
        "from aftersales.reviews import classify_review, _ngrams\n"
        "classify_review('失望，不推荐')\n"  # unknown: the listening step asks (REV-LISTEN)
        "print(_ngrams.default_cause_model.cache_info().currsize)\n"
        f"classify_review({TIED!r})\n"
        "print(_ngrams.default_cause_model.cache_info().currsize)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "1"]


def test_the_evidence_names_stretches_of_the_text_a_person_reads() -> None:
    text = "The courier threw the box over my fence and the lamp shade cracked"
    found = classify_review(text)
    assert found.evidence
    words = set(re.findall(r"\w+", text.lower()))
    assert set(found.evidence) <= words  # whole words, never "our" or "rie"
    chinese = classify_review("充电宝标两万毫安，手机充一次半就没电了，虚标严重")
    assert chinese.evidence
    assert all(
        0 < len(run) <= 10 and run in "充电宝标两万毫安,手机充一次半就没电了,虚标严重"
        for run in chinese.evidence
    )


#: Review-like text: Chinese (simplified and traditional), Latin letters, digits,
#: punctuation and emoji, in any mix.
REVIEW_TEXT = st.text(
    alphabet=st.sampled_from(
        list("质量差快递员摔坏客服不回退款我自己买错了尺码偏小但是就是可惜物流很慢發貨")
        + list("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789，。！？,.!?~ 😅👍")
    ),
    max_size=80,
)


@given(REVIEW_TEXT)
def test_any_text_gets_a_cause_and_an_explanation_of_its_own_words(text: str) -> None:
    found = classify_review(text)
    assert found.cause in Cause
    assert "\n" not in found.why
    plain = normal(text)
    if found.probability is None:
        assert found.evidence == ()
        assert found.overruled is None
    else:
        assert CONFIDENT <= found.probability <= 1
        assert found.cause is not Cause.UNKNOWN or found.overruled is not None
        assert found.overruled is not found.cause
        # the evidence is what the buyer wrote: stretches of the text as read
        assert all(run and run in plain for run in found.evidence)
        assert len(set(found.evidence)) == len(found.evidence)
    if found.cause is Cause.UNKNOWN and found.overruled is None:
        assert found.probability is None  # nothing to go on: the labelled reviews not asked
