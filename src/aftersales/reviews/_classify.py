"""What a medium or negative review is about (REV-TYPES), read aspect by aspect.

The seed names four causes: the product (poor quality, damaged packaging, not as
described), the shop's service (late shipment, missing or wrong items,
after-sales attitude, slow replies), the logistics (the courier: rude, slow,
mis-delivered, lost, left carelessly) and the buyer's own reasons (not as
expected, ordered by mistake). The cause decides how a follow-up opens, so it is
read the way a customer-service lead reads a review: which aspect (the goods,
the shop, the courier, the buyer) carries the complaint. The words are data
(``_lexicon``), a shop adds its own (:meth:`CauseRules.extended`), and every
answer says which words decided it.

Reading, in order:

1. The text is normalised: NFKC, case folded, written Cantonese folded to
   Mandarin, traditional script and Taiwan words folded to simplified mainland
   ones with OpenCC (寫著 is 写着), emoji read as clause ends, runs of spaces
   made one.
2. It is cut into words by a maintained segmenter (rjieba, with the rule set's
   own words added) and split into clauses at punctuation, emoji and contrast
   words (可惜, 就是, 但是, 不过, but, however). Whatever follows a contrast
   weighs double: "快递很快，可惜质量不行" is about the goods.
3. A keyword matches as a substring; ``A…B`` matches the parts in order within
   one clause, gaps of at most :data:`MAX_GAP` characters with no negation. An
   English part matches at the start of a word. The longer of two overlapping
   matches wins, then a blame phrase over a problem phrase over a topic word.
4. Shapes with no list of their own words: a goods function negated ("不保温",
   "doesn't seal") and goods used then failing ("用了三天就") are the product's;
   a verdict ("太坑") takes its clause's aspect ("快递太坑了"), else the goods'.
5. Polarity: a match right after a negation in its clause counts nothing
   ("不是质量问题"); a topic word in a clause that praises counts nothing
   ("物流很快", "质量没问题"). In a clause with a complaint, other aspects'
   topic words are context; in a clause of topic words only, the first is the
   subject.
6. Blame: damage the buyer blames on the courier ("被快递摔坏") is logistics;
   an agent blaming the buyer ("客服说是我自己弄坏的") is service, and what it
   disputes does not count; the buyer owning up ("是我的问题") is the buyer's.
   Manners ("态度差") belong to the clause's subject, or the last aspect named.
   What the courier or an agent says is their claim ("快递员说我地址写错了"); a
   slip someone did is theirs ("仓库把我的地址打错了"). Rough handling after any
   carrier word ("货运…摔") is the buyer blaming the courier. A slip in the
   delivery details ("我手机号填错了") makes the courier's failures its
   consequence ("包裹被退回了"). The buyer doing the courier's errand ("自己扛着
   箱子爬了五楼", "had to collect") is the courier's, where the courier is named.
7. Points: blame phrase 3, problem phrase 2, topic word 1, doubled after a
   contrast. The cause with most points wins; on a tie the stronger words win
   (the buyer's blame, then a complaint, then a mention: "物流…不动" over "问客服"),
   then the first in :data:`TIE_ORDER`. A describing review with nothing
   counted is the goods' (or, if it clears the goods, not only their wrapping,
   the buyer's), flagged ``by_default``; one that only says how the buyer feels
   is :attr:`Cause.UNKNOWN`, and the listening step (REV-LISTEN) finds the
   cause out.
8. Labelled reviews decide: unless the words found nothing to go on (UNKNOWN: the
   listening step asks, REV-LISTEN), reviews a person has labelled (``_ngrams``:
   naive Bayes over character pieces, trained on the development set and reviews
   labelled for it alone; a shop adds its own) give the cause when they are at
   least :data:`CONFIDENT` sure. They know context no word list holds: the
   buyer's own feet, a courier's 碎碎念, a size chart measured against the goods.
   The words still say what the review blames, and stand when the labelled
   reviews are unsure.

``docs/reviews.md`` walks through each step with examples.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..core._errors import InvalidInput
from ..core._script import to_traditional
from . import _lexicon
from ._cause import Cause
from ._ngrams import CauseModel, default_cause_model
from ._normal import normal as _normal
from ._segment import tokens

__all__ = [
    "BLAME_POINTS",
    "CONFIDENT",
    "CONTRAST_WEIGHT",
    "DEFAULT_CAUSE_RULES",
    "MAX_GAP",
    "MIN_DESCRIPTION",
    "PHRASE_POINTS",
    "TIE_ORDER",
    "TOPIC_POINTS",
    "Cause",
    "CauseMatch",
    "CauseRules",
    "Classification",
    "ClassifierReport",
    "classify_review",
    "evaluate_classifier",
]


#: REV-TYPES: ties go to the cause the shop can act on first.
TIE_ORDER: tuple[Cause, ...] = (Cause.PRODUCT, Cause.SERVICE, Cause.LOGISTICS, Cause.BUYER)
#: Most characters between the parts of a ``A…B`` keyword.
MAX_GAP = 12
#: A problem phrase ("质量太差") says what went wrong: two points.
PHRASE_POINTS = 2
#: A topic word ("质量") only says what the buyer talks about: one point.
TOPIC_POINTS = 1
#: The buyer says whose fault it was ("快递的锅"): three points.
BLAME_POINTS = 3
#: What follows a contrast word ("可惜", "but") is what the buyer means.
CONTRAST_WEIGHT = 2
#: The labelled reviews' probability at which their cause stands over the words'. Read
#: on held-out sets 1 to 5 among 0.5 to 0.99 (docs/reviews.md, "How good is it?").
CONFIDENT = 0.9

# A clause ends at punctuation (after NFKC: "，" is ",", "！" is "!").
_BREAKS = frozenset(",.!?;:。、~\n()[]")
_WORD = re.compile(r"[a-z][a-z ]*")
_GAP_NEGATIONS = ("不", "没", "无", "非", "not ", "n't", "no ", "never")
# A count of days, uses or washes: "三天", "两次", "一水", "不到一个月".
_COUNT = "[一二两三四五六七八九十几半0-9]+(?:个)?(?:天|次|周|星期|礼拜|月|下|晚|小时|回|水|遍)"
_EN_COUNT = "a|an|one|two|three|four|five|a few|a couple of|[0-9]+"
_EN_UNIT = "uses?|washes|wash|nights?|wears?|times|(?:days?|weeks?|months?) of (?:use|using|wear)"
# Most characters between what was ordered and what came, one clause break allowed.
_SWAP_GAP = 16
#: Characters (or English words) beyond vague words that make a review describe something.
MIN_DESCRIPTION = 8
_ENGLISH_WORD = re.compile(r"[a-z][a-z'-]+")
# A praise word right before one of these is part of a complaint ("态度好差").
_SPOILERS = frozenset("差烂坏慢糟")
# A praise word right after one of these is negated ("不一样").
_NOT = frozenset("不没无非")
# English negations before a goods function ("doesn't seal") and what may stand between.
_EN_NOT = "doesn't|does not|won't|will not|didn't|did not|can't|cannot|couldn't|isn't|wouldn't"
_EN_DEGREE = "even |really |properly |fully |actually |always "
# A pattern that matches nothing (an empty word list).
_NEVER = "(?!)"
# Degree words that may stand between a negation and a goods function ("不太亮").
_DEGREE = "(?:太|很|怎么|够|是很|是太|大|能|会|再|咋|好|是|那么|咋么|太能)?"


def _parts(word: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in _normal(word).split("..."))


def _keywords(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        # a bare string would otherwise become one keyword per character
        raise InvalidInput(f"keywords must be a list of words, not the single text {value!r}")
    words = tuple(value)
    for word in words:
        if not isinstance(word, str) or not all(_parts(word)):
            # an empty keyword (or an empty part of A…B) would match every review
            raise InvalidInput(f"a cause keyword must be non-empty text, got {word!r}")
    return words


class _Kind(enum.Enum):
    TOPIC = "topic"
    PHRASE = "phrase"
    BLAME = "blame"


_POINTS = {_Kind.TOPIC: TOPIC_POINTS, _Kind.PHRASE: PHRASE_POINTS, _Kind.BLAME: BLAME_POINTS}


@attrs.frozen
class CauseMatch:
    """One keyword found in the text (an aspect), where, and whether it counted.

    A blame phrase scores :data:`BLAME_POINTS`, a problem phrase
    :data:`PHRASE_POINTS`, a topic word :data:`TOPIC_POINTS`, times ``weight``
    (:data:`CONTRAST_WEIGHT` after a contrast word). A match right after a
    negation scores nothing, nor does a topic word in a clause that praises, nor
    the buyer's own words an agent put on the buyer (``quoted``). ``moved``: the
    damage the buyer blamed on the courier, counted for logistics.
    """

    cause: Cause
    keyword: str
    start: int
    end: int
    topic: bool = False
    negated: bool = False
    praised: bool = False
    blame: bool = False
    weight: int = 1
    quoted: bool = False
    moved: bool = False
    vague: bool = False
    context: bool = False

    @property
    def points(self) -> int:
        if self.negated or self.quoted or self.vague or self.context:
            return 0
        if self.topic and self.praised:
            return 0
        kind = _Kind.BLAME if self.blame else _Kind.TOPIC if self.topic else _Kind.PHRASE
        return _POINTS[kind] * self.weight

    @property
    def kind(self) -> int:
        """How strong the evidence is: 2 the buyer's own blame, 1 a problem phrase (an
        agent's blame is a complaint about the agent), 0 a topic word, -1 the goods
        named as a thing handled ("东西直接给了楼下开店的")."""
        if self.blame and self.cause is not Cause.SERVICE:
            return 2
        if self.topic:
            return -1 if self.keyword in _lexicon.OBJECTS else 0
        return 1

    @property
    def not_counted(self) -> str:
        """Why a match scores nothing ("" when it counts)."""
        if self.negated:
            return "negated"
        if self.quoted:
            return "disputed, or someone else's claim"
        if self.vague:
            return "no aspect of its own"
        if self.context:
            return "context of another complaint"
        return "praised" if self.topic and self.praised else ""

    @property
    def label(self) -> str:
        """The keyword as staff read it: ``碎了→logistics``, ``质量差×2``."""
        mark = f"→{self.cause.value}" if self.moved else ""
        return f"{self.keyword}{mark}" + (f"×{self.weight}" if self.weight > 1 else "")


_FIELDS = {
    Cause.PRODUCT: "product",
    Cause.SERVICE: "service",
    Cause.LOGISTICS: "logistics",
    Cause.BUYER: "buyer",
}
# Lists that are not a cause's words: a word added to them moves nothing.
_CUES = (
    "negations",
    "praise",
    "contrasts",
    "functions",
    "transit_damage",
    "rough",
    "errands",
    "slips",
    "details",
    "uses",
    "vague",
    "moods",
    "manners",
    "ordered",
    "received",
    "unsent",
    "advice",
)


def _model_or_none(_rules: object, _field: object, value: Any) -> None:
    if value is not None and not isinstance(value, CauseModel):
        raise InvalidInput(f"a cause model must be a CauseModel, got {type(value).__name__}")


@attrs.frozen(kw_only=True)
class CauseRules:
    """Keyword lists per cause (REV-TYPES), and the words that steer them.

    ``product`` ... ``buyer`` hold problem phrases, ``*_topics`` topic words,
    ``courier_blame`` the buyer blaming the courier (logistics; damage named in
    the same review then counts for logistics too, if it is in
    ``transit_damage``; ``rough`` handling after any logistics topic word,
    "货运…摔", is such blame too), ``agent_blame`` an agent blaming the buyer (service),
    ``buyer_blame`` the buyer owning up ("是我的问题": buyer).
    ``negations`` cancel the match right after them, ``praise`` cancels the
    topic words of its clause, ``contrasts`` end a clause and double what
    follows, ``functions`` are what goods should do ("保温"): negated, they are
    a product complaint. ``uses`` are what a buyer does with goods: "用了三天就"
    (used, then something went wrong) is a product complaint. ``verdicts`` are
    complaints with no aspect of their own ("太差"): they count for the goods
    when nothing else in the clause names the aspect and no ``vague`` word
    ("体验太差") says the buyer means the whole purchase. ``moods`` say how the
    buyer feels and nothing of the cause ("失望", "不推荐"): a review made of
    them and vague words is UNKNOWN. ``manners`` are words
    about how someone behaved ("态度", "rude"): in a clause about the courier
    they are the courier's, not the shop's. ``ordered`` say what the buyer
    ordered ("订的是") and ``received`` what came ("收到"): the two in order,
    even across one clause ("我订的是长袖，收到短袖"), are a wrong item sent,
    the shop's service. ``errands`` are what the courier should have done: after
    自己 or "i had to" ("自己扛着箱子爬了五楼"), in a review that names the courier,
    a logistics complaint. ``details`` are delivery details ("地址", "电话"): a slip
    in them, the buyer's or the shop's, makes the courier's failures in the same
    review its consequence. ``unsent`` say the shop never sent the parcel ("打了单没发",
    "fake tracking"): the shop's service, and the courier's failures in the same review
    are its consequence. ``advice`` is an agent's instruction ("客服叫我", "按客服"):
    the goods' failure after it is the agent's wrong advice, the shop's service.

    ``model`` holds the labelled reviews that decide when sure (:data:`CONFIDENT`);
    None is the shipped one (:func:`default_cause_model`). A shop's own:
    ``attrs.evolve(rules, model=default_cause_model().trained(labelled))``.
    """

    product: tuple[str, ...] = attrs.field(converter=_keywords)
    service: tuple[str, ...] = attrs.field(converter=_keywords)
    logistics: tuple[str, ...] = attrs.field(converter=_keywords)
    buyer: tuple[str, ...] = attrs.field(converter=_keywords)
    product_topics: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    service_topics: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    logistics_topics: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    buyer_topics: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    courier_blame: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    agent_blame: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    buyer_blame: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    negations: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    praise: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    contrasts: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    functions: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    transit_damage: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    rough: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    errands: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    slips: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    details: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    uses: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    verdicts: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    vague: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    moods: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    manners: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    ordered: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    received: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    unsent: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    advice: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    # compared, not hashed: a model's counts are dicts
    model: CauseModel | None = attrs.field(
        default=None, repr=False, hash=False, validator=_model_or_none
    )

    def words(self, cause: Cause, *, topics: bool = False) -> tuple[str, ...]:
        """The problem phrases (or, with ``topics``, the topic words) of a cause."""
        if cause is Cause.UNKNOWN:
            return ()
        name = _FIELDS[cause] + ("_topics" if topics else "")
        words: tuple[str, ...] = getattr(self, name)
        return words

    def extended(self, **added: Iterable[str]) -> CauseRules:
        """A copy with a shop's own words added; keywords are the field names.

        ``rules.extended(product=["开胶"], logistics_topics=["顺丰"])``. A word
        added to one cause list leaves all the other cause lists (phrases, topics
        and blame alike), so a shop can move a word: a shop whose size chart is
        known to be right may move ``偏小`` to ``buyer``. The new words also join
        the segmenter's dictionary.
        """
        fields = [name for name in attrs.fields_dict(CauseRules) if name != "model"]
        unknown = sorted(set(added) - set(fields))
        if unknown:
            raise InvalidInput(
                f"unknown keyword list(s) {', '.join(unknown)}; lists: {', '.join(fields)}"
            )
        new = {name: _keywords(words) for name, words in added.items()}
        moving = {
            name: {_normal(w) for other, ws in new.items() if other != name for w in ws}
            for name in fields
        }
        changes: dict[str, Any] = {}  # keyword lists only: the model stays
        for name in fields:
            kept = list(getattr(self, name))
            if name not in _CUES:
                kept = [w for w in kept if _normal(w) not in moving[name]]
            known = {_normal(k) for k in kept}
            for word in new.get(name, ()):
                if _normal(word) not in known:
                    kept.append(word)
                    known.add(_normal(word))
            changes[name] = tuple(kept)
        return attrs.evolve(self, **changes)

    def match(self, text: str) -> tuple[CauseMatch, ...]:
        """Every keyword that matched, overlaps resolved, in text order."""
        if not isinstance(text, str):
            raise InvalidInput(f"a review's text must be text, got {type(text).__name__}")
        normal = _normal(text)
        compiled = _compiled(self)
        clauses = _clauses(normal, compiled)
        found = [
            (kind, CauseMatch(cause, word, start, end, topic=kind is _Kind.TOPIC, blame=blame))
            for first, group in compiled.keywords
            if first in normal  # most keywords' first part is not in a review
            for kind, cause, word, parts, blame in group
            for start, end in _find(normal, parts)
            # A…B stays in one clause: "质量还行但是客服态度差" is no "质量…差"
            if len(parts) == 1 or _clause_at(clauses, start) is _clause_at(clauses, end - 1)
        ]
        found += [
            (_Kind.PHRASE, CauseMatch(Cause.PRODUCT, m.group(0), m.start(), m.end()))
            for m in compiled.functions.finditer(normal)
        ]
        # "用了三天就…": goods that failed soon, a topic until the rest says what failed
        found += [
            (_Kind.TOPIC, CauseMatch(Cause.PRODUCT, m.group(0), m.start(), m.end(), topic=True))
            for m in compiled.worn.finditer(normal)
        ]
        # "自己扛着箱子爬了五楼": the buyer did the courier's errand
        found += [
            (_Kind.PHRASE, CauseMatch(Cause.LOGISTICS, m.group(0), m.start(), m.end()))
            for m in compiled.errands.finditer(normal)
        ]
        # "订的是长袖，收到短袖": what was ordered, then what came, is a wrong item sent
        found += [
            (_Kind.PHRASE, CauseMatch(Cause.SERVICE, m.group(0), m.start(), m.end()))
            for m in compiled.swapped.finditer(normal)
            if m.group("gap").count(",") <= 1
            and _gap_ok(m.group("gap").replace(",", ""), longest=_SWAP_GAP)
        ]
        # the longer match wins an overlap, then blame > phrase > topic, then the earlier
        rank = {_Kind.BLAME: 0, _Kind.PHRASE: 1, _Kind.TOPIC: 2}
        found.sort(
            key=lambda f: (
                -(f[1].end - f[1].start),
                rank[f[0]],
                f[1].start,
                TIE_ORDER.index(f[1].cause),
            )
        )
        taken: list[CauseMatch] = []
        for _, candidate in found:
            if all(candidate.end <= m.start or m.end <= candidate.start for m in taken):
                taken.append(candidate)
        matches = [
            attrs.evolve(
                m,
                negated=_negated(normal, m.start, clauses, compiled.negations),
                praised=m.topic and _praised(normal, m.start, clauses, compiled.praise),
                weight=_weight(m.start, clauses),
            )
            for m in sorted(taken, key=lambda m: m.start)
        ]
        judged = _subjectless(tuple(matches), compiled, normal, clauses)
        judged = _whose(judged, normal, clauses, compiled)
        return _in_context(judged, normal, clauses, compiled)


def _subjectless(
    matches: tuple[CauseMatch, ...], compiled: _Compiled, text: str, clauses: tuple[_Clause, ...]
) -> tuple[CauseMatch, ...]:
    """A verdict ("太差") is about its clause's aspect ("快递太坑了"), else the goods'."""

    def judged(m: CauseMatch) -> CauseMatch:
        if m.cause is not Cause.PRODUCT or _normal(m.keyword) not in compiled.verdicts:
            return m
        clause = _clause_at(clauses, m.start)
        others = [o for o in matches if o is not m and clause.start <= o.start < clause.end]
        before = text[clause.start : m.start]
        if any(not o.topic for o in others) or any(word in before for word in compiled.vague):
            return attrs.evolve(m, vague=True)  # the clause's complaint says it already
        topics = [o for o in others if o.points]
        if topics:
            aspect = topics[0].cause
            return attrs.evolve(m, cause=aspect, topic=False, moved=aspect is not Cause.PRODUCT)
        return m

    return tuple(judged(m) for m in matches)


def _describes(text: str, moods: tuple[str, ...]) -> bool:
    """Whether a review says more than its mood ("不满意，中评" says nothing of the cause)."""
    rest = _normal(text)
    for word in sorted(moods, key=len, reverse=True):
        if word.isascii():
            rest = re.sub(rf"\b{re.escape(word)}\b", " ", rest)
        else:
            rest = rest.replace(word, " ")
    hanzi = sum(1 for ch in rest if "\u4e00" <= ch <= "\u9fff")
    english = len(_ENGLISH_WORD.findall(rest))
    return hanzi >= MIN_DESCRIPTION or english >= MIN_DESCRIPTION


def _in_context(
    matches: tuple[CauseMatch, ...], text: str, clauses: tuple[_Clause, ...], compiled: _Compiled
) -> tuple[CauseMatch, ...]:
    """A clause with a complaint is about that complaint's aspect: other topics are context.

    "the package was missing the remote pictured in the listing": the missing
    remote is the complaint; the package and the listing only say where. A slip
    in the delivery details, the buyer's or the shop's ("我手机号填错了"), makes
    what the courier then could not do its consequence ("包裹被退回了"), and so does
    a parcel the shop never sent ("是商家打了单没发").
    """
    slip = any(
        m.points
        and not m.topic
        and m.cause in (Cause.BUYER, Cause.SERVICE)
        and (
            any(word in text[m.start : m.end] for word in compiled.details)
            or m.keyword in compiled.unsent
        )
        for m in matches
    )

    couriers = [m for m in matches if m.points and m.cause is Cause.LOGISTICS]

    def judged(m: CauseMatch) -> CauseMatch:
        if couriers == [m] and compiled.errands.fullmatch(m.keyword):
            # "我自己跑去实体店看了": an errand is the courier's only where the courier is named
            return attrs.evolve(m, vague=True)
        if slip and m.points and m.cause is Cause.LOGISTICS and not m.blame:
            return attrs.evolve(m, context=True)
        if not (m.topic and m.points):
            return m
        clause = _clause_at(clauses, m.start)
        near = [o for o in matches if o.points and clause.start <= o.start < clause.end]
        complaints = [o for o in near if not o.topic]
        if any(o.cause is m.cause for o in complaints):
            return m  # its own aspect complains here too
        # with no complaint phrase, the clause's first aspect is its subject:
        # "快递把我的东西给了邻居" is about the courier, not the goods
        subject = next((o for o in near if o.topic and o.keyword not in _lexicon.OBJECTS), m)
        if complaints or (all(o.topic for o in near) and subject.cause is not m.cause):
            return attrs.evolve(m, context=True)
        return m

    return tuple(judged(m) for m in matches)


@attrs.frozen
class _Clause:
    start: int
    end: int
    weight: int


def _forms(word: str) -> tuple[tuple[str, ...], ...]:
    """A keyword's parts, and its parts as a Taiwan or Hong Kong buyer's text folds them.

    Folding is phrase-aware and not a round trip: "想像" stays "想像", "複製" becomes
    "拷贝"; so "想象的不一样" also matches as "想像的不一样".
    """
    forms = [_parts(word)]
    for written in to_traditional(word):
        parts = _parts(written)
        if parts not in forms:
            forms.append(parts)
    return tuple(forms)


def _alternatives(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first."""
    return "|".join(sorted((re.escape(_normal(w)) for w in words), key=len, reverse=True))


@attrs.frozen
class _Compiled:
    #: The keywords grouped by their first part.
    keywords: tuple[tuple[str, tuple[tuple[_Kind, Cause, str, tuple[str, ...], bool], ...]], ...]
    functions: re.Pattern[str]
    worn: re.Pattern[str]
    errands: re.Pattern[str]
    swapped: re.Pattern[str]
    verdicts: frozenset[str]
    vague: tuple[str, ...]
    moods: tuple[str, ...]
    manners: tuple[str, ...]
    negations: tuple[str, ...]
    praise: tuple[tuple[str, ...], ...]
    contrasts: frozenset[str]
    transit: frozenset[str]
    details: tuple[str, ...]
    unsent: frozenset[str]
    advice: frozenset[str]
    segmenter_words: frozenset[str]


_COMPILED: dict[int, tuple[CauseRules, _Compiled]] = {}


def _compiled(rules: CauseRules) -> _Compiled:
    """The rule set's words prepared once (cached per rule set)."""
    cached = _COMPILED.get(id(rules))
    if cached is not None and cached[0] is rules:
        return cached[1]
    listed: list[tuple[_Kind, Cause, str, bool]] = []
    for cause in TIE_ORDER:
        listed += [(_Kind.PHRASE, cause, w, False) for w in rules.words(cause)]
        listed += [(_Kind.TOPIC, cause, w, False) for w in rules.words(cause, topics=True)]
    listed += [(_Kind.BLAME, Cause.LOGISTICS, w, True) for w in rules.courier_blame]
    # "货运…摔": any carrier word, then rough handling, is the buyer blaming the courier
    listed += [
        (_Kind.BLAME, Cause.LOGISTICS, f"{carrier}…{verb}", True)
        for carrier in rules.logistics_topics
        for verb in rules.rough
        if "…" not in carrier and carrier.isascii() == verb.isascii()
    ]
    # "crushed by the courier": the passive, in English
    listed += [
        (_Kind.BLAME, Cause.LOGISTICS, f"{verb} by…{carrier}", True)
        for carrier in rules.logistics_topics
        for verb in rules.rough
        if "…" not in carrier and carrier.isascii() and verb.isascii()
    ]
    # "手机号填错了", "填错了地址": a slip in the delivery details, the buyer's own
    listed += [
        (_Kind.BLAME, Cause.BUYER, pair, True)
        for detail in rules.details
        for slip in rules.slips
        if not detail.isascii() and not slip.isascii()
        for pair in (f"{detail}…{slip}", f"{slip}…{detail}")
    ]
    listed += [(_Kind.PHRASE, Cause.SERVICE, w, False) for w in (*rules.unsent, *rules.advice)]
    listed += [(_Kind.BLAME, Cause.SERVICE, w, True) for w in rules.agent_blame]
    listed += [(_Kind.BLAME, Cause.BUYER, w, True) for w in rules.buyer_blame]
    listed += [(_Kind.TOPIC, Cause.PRODUCT, w, False) for w in rules.verdicts]
    keywords = [
        (kind, cause, w, parts, blame) for kind, cause, w, blame in listed for parts in _forms(w)
    ]
    by_first: dict[str, list[tuple[_Kind, Cause, str, tuple[str, ...], bool]]] = {}
    for keyword in keywords:
        by_first.setdefault(keyword[3][0], []).append(keyword)
    chinese = _alternatives(w for w in rules.functions if not w.isascii())
    english = _alternatives(w for w in rules.functions if w.isascii())
    negated = (
        "|".join(
            [f"(?:不|没有|没|无法|不能){_DEGREE}(?:{chinese})"] * bool(chinese)
            + [rf"\b(?:{_EN_NOT}) (?:{_EN_DEGREE})?(?:{english})\b"] * bool(english)
        )
        or _NEVER
    )
    uses = "|".join(sorted((re.escape(_normal(w)) for w in rules.uses), key=len, reverse=True))
    worn = (
        f"(?:{uses})了?(?:不到|没|才)?{_COUNT}(?:就|后就|之后就)"
        f"|after (?:{_EN_COUNT}) (?:{_EN_UNIT})"
        if uses
        else _NEVER
    )
    chinese = _alternatives(w for w in rules.errands if not w.isascii())
    english = _alternatives(w for w in rules.errands if w.isascii())
    errands = (
        "|".join(
            [f"(?:还是|是)?我?(?:自己|亲自)[^,.!?;:]{{0,3}}?(?:{chinese})"] * bool(chinese)
            + [rf"\b(?:i )?had to (?:{english})|\b(?:{english})\w* it myself"] * bool(english)
        )
        or _NEVER
    )
    ordered, received = _alternatives(rules.ordered), _alternatives(rules.received)
    # the gap holds no second "ordered" word: "订的不一样，我订的是长袖，收到" is one swap
    stops = re.escape("".join(sorted(_BREAKS - {","})))
    swapped = (
        f"(?:{ordered})(?P<gap>(?:(?!{ordered})[^{stops}])*?)(?:{received})"
        if ordered and received
        else f"(?P<gap>{_NEVER})"
    )
    contrasts = frozenset(_normal(w) for w in rules.contrasts)
    words = frozenset(
        part for *_, parts, _ in keywords for part in parts if not part[0].isascii()
    ) | frozenset(w for w in contrasts if not w[0].isascii())
    compiled = _Compiled(
        keywords=tuple((first, tuple(group)) for first, group in by_first.items()),
        functions=re.compile(negated),
        worn=re.compile(worn),
        errands=re.compile(errands),
        swapped=re.compile(swapped),
        verdicts=frozenset(_normal(w) for w in rules.verdicts),
        vague=tuple(_normal(w) for w in rules.vague),
        moods=tuple(_normal(w) for w in (*rules.vague, *rules.moods)),
        manners=tuple(_normal(w) for w in rules.manners),
        negations=tuple(_normal(cue) for cue in rules.negations),
        praise=tuple(_parts(word) for word in rules.praise),
        contrasts=contrasts,
        transit=frozenset(_normal(w) for w in rules.transit_damage),
        details=tuple(_normal(w) for w in rules.details),
        unsent=frozenset(rules.unsent),
        advice=frozenset(rules.advice),
        segmenter_words=words,
    )
    if len(_COMPILED) > 32:
        _COMPILED.clear()
    _COMPILED[id(rules)] = (rules, compiled)
    return compiled


def _clauses(text: str, compiled: _Compiled) -> tuple[_Clause, ...]:
    """Clauses at punctuation and contrast words; after a contrast, double weight."""
    cuts: list[tuple[int, int, bool]] = []  # (where the clause starts, skip, contrast)
    for word, start, end in tokens(text, compiled.segmenter_words):
        if word.strip() in compiled.contrasts:
            cuts.append((start, end - start, True))
        elif len(word) == 1 and word in _BREAKS:
            cuts.append((start, 1, False))
    clauses = []
    at, weight = 0, 1
    for start, skip, contrast in cuts:
        clauses.append(_Clause(at, start, weight))
        if contrast:
            weight = CONTRAST_WEIGHT
        at = start + skip
    clauses.append(_Clause(at, len(text), weight))
    return tuple(clauses)


def _clause_at(clauses: tuple[_Clause, ...], at: int) -> _Clause:
    for clause in clauses:
        if clause.start <= at < clause.end or (at == clause.end == clause.start):
            return clause
    return next((c for c in clauses if c.start > at), clauses[-1])


def _weight(at: int, clauses: tuple[_Clause, ...]) -> int:
    return _clause_at(clauses, at).weight


def _praised(
    text: str, at: int, clauses: tuple[_Clause, ...], praise: tuple[tuple[str, ...], ...]
) -> bool:
    clause = _clause_at(clauses, at)
    part = text[clause.start : clause.end]
    # "态度好差" is no praise: a praise word right before a complaint word is part of
    # it; nor is a negated one ("不一样")
    return any(
        part[end : end + 1] not in _SPOILERS and part[start - 1 : start] not in _NOT
        for parts in praise
        for start, end in _find(part, parts)
    )


def _starts_word(text: str, at: int, part: str) -> bool:
    if not part[0].isascii() or not part[0].isalpha():
        return True
    return at == 0 or not (text[at - 1].isascii() and text[at - 1].isalpha())


def _gap_ok(gap: str, longest: int = MAX_GAP) -> bool:
    if len(gap) > longest or any(ch in _BREAKS for ch in gap):
        return False
    padded = f"{gap} "
    return not any(neg in padded for neg in _GAP_NEGATIONS)


def _find(text: str, parts: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans where ``parts`` occur in order (A…B: each gap short, in one clause)."""
    spans = []
    first = parts[0]
    start = text.find(first)
    while start != -1:
        end: int | None = start + len(first) if _starts_word(text, start, first) else None
        for part in parts[1:]:
            if end is None:
                break
            nxt = text.find(part, end)
            while nxt != -1 and not _starts_word(text, nxt, part):
                nxt = text.find(part, nxt + 1)
            end = nxt + len(part) if nxt != -1 and _gap_ok(text[end:nxt]) else None
        if end is not None:
            spans.append((start, end))
        start = text.find(first, start + 1)
    return spans


def _negated(text: str, start: int, clauses: tuple[_Clause, ...], cues: tuple[str, ...]) -> bool:
    clause = _clause_at(clauses, start)
    before = text[clause.start : start].rstrip()
    after = text[start : clause.end].rstrip()
    for cue in cues:
        if cue == "不是" and after.endswith(("吗", "嘛")):
            continue  # "这不是坑人吗" asks, it does not deny
        if before.endswith(cue):
            head = before[: len(before) - len(cue)]
            # "no" negates; the end of "piano" does not
            if not (_WORD.fullmatch(cue) and head[-1:].isascii() and head[-1:].isalpha()):
                return True
    return False


def _subject(
    m: CauseMatch,
    matches: tuple[CauseMatch, ...],
    clauses: tuple[_Clause, ...],
    manners: tuple[str, ...],
) -> bool:
    """A complaint about manners whose clause is about the courier ("送货的师傅态度恶劣")."""
    if not any(word in _normal(m.keyword) for word in manners):
        return False
    index = clauses.index(_clause_at(clauses, m.start))
    # a clause with no aspect of its own goes on about the last aspect named
    # ("快递员把包裹塞在电表箱里，也不说一声")
    for clause in clauses[index::-1]:
        near = [o for o in matches if o.topic and clause.start <= o.start < clause.end]
        near = [o for o in near if o.start < m.start and o.keyword not in _lexicon.OBJECTS]
        if near:
            return near[0].cause is Cause.LOGISTICS and not any(
                o.cause is Cause.SERVICE for o in near
            )
    return False


_SAYS = ("说", "讲", "称", "提醒", "says", "said", "claimed", "claims", "told me", "warned")


def _whose(
    matches: tuple[CauseMatch, ...], text: str, clauses: tuple[_Clause, ...], compiled: _Compiled
) -> tuple[CauseMatch, ...]:
    """Whose complaint each match is: whom the buyer blames, who speaks, who did it.

    Damage the buyer blames on the courier ("被快递摔坏") is the courier's. What an
    agent claims ("客服说是我自己弄坏的"), or the courier or an agent says ("快递员说件
    太大放不进车", "快递员说我地址写错了"), is their claim, not the buyer's complaint.
    A slip someone else did ("仓库把我的地址打错了") and manners in a clause about the
    courier ("送货的师傅态度恶劣") are theirs.
    """
    courier = any(m.blame and m.cause is Cause.LOGISTICS and m.points for m in matches)
    agent = any(m.blame and m.cause is Cause.SERVICE and m.points for m in matches)
    advised = min((m.end for m in matches if m.keyword in compiled.advice), default=len(text))

    def judged(m: CauseMatch) -> CauseMatch:
        damage = _normal(m.keyword) in compiled.transit
        if agent and (m.cause is Cause.BUYER or damage):
            return attrs.evolve(m, quoted=True)  # the buyer disputes the agent's claim
        if m.start >= advised and m.cause is Cause.PRODUCT and not (m.topic or m.blame):
            # "客服叫我用热水泡，结果变形了": the agent's wrong advice
            return attrs.evolve(m, cause=Cause.SERVICE, moved=True)
        if courier and m.cause is Cause.PRODUCT and damage:
            return attrs.evolve(m, cause=Cause.LOGISTICS, moved=True)
        # "courier says they never got it from the seller" is the evidence, not his claim
        sent = m.keyword not in compiled.unsent
        shop_side = m.cause is Cause.SERVICE and not (m.topic or m.blame) and sent
        if m.points and shop_side and _subject(m, matches, clauses, compiled.manners):
            return attrs.evolve(m, cause=Cause.LOGISTICS, moved=True)
        owned = m.cause is Cause.BUYER or (m.cause is Cause.PRODUCT and not m.blame)
        if m.points and (owned or shop_side or (m.blame and m.cause is Cause.LOGISTICS)):
            return _said_or_done(m, matches, text, clauses)
        return m

    return tuple(judged(m) for m in matches)


# Who did it, named before the slip: "仓库把我的地址打错了", "卖家寄错地址是他们自己打错".
_DOERS = ("把", "他们", "他自己", "她自己", "人家")
# The buyer as the subject between: "客服说我…", "快递员联系不上我，我…".
_BUYER_SUBJECT = re.compile(r"我|自己|\bi\b")


def _said_or_done(
    m: CauseMatch, matches: tuple[CauseMatch, ...], text: str, clauses: tuple[_Clause, ...]
) -> CauseMatch:
    """Words after the courier or an agent in their clause: what they say ("说") is
    their claim, or the courier's own demand; the buyer's words they did ("快递员一直
    打错电话号码", "seller printed the wrong postcode") are theirs."""
    clause = _clause_at(clauses, m.start)
    for o in matches:
        if o.topic and o.cause in (Cause.SERVICE, Cause.LOGISTICS):
            if not clause.start <= o.start < o.end <= m.start:
                continue
            said = any(say in text[o.end : m.end] for say in _SAYS)
            if said and m.cause is Cause.LOGISTICS:
                # "客服说东西发出去是好的": the shop's claim that the courier did it
                if o.cause is Cause.SERVICE:
                    return attrs.evolve(m, quoted=True)
                continue
            if m.cause is Cause.LOGISTICS:
                continue
            if said and m.cause is Cause.SERVICE:
                # "集运仓说要补运费": what the courier demands is the courier's
                if o.cause is Cause.LOGISTICS:
                    return attrs.evolve(m, cause=Cause.LOGISTICS, moved=True)
                continue
            if said and o.cause is Cause.LOGISTICS and m.blame and m.cause is Cause.BUYER:
                # "快递员说是我自己没在家", "说不关他的事": the courier's excuse is the courier's
                return attrs.evolve(m, cause=Cause.LOGISTICS, moved=True)
            if said:
                return attrs.evolve(m, quoted=True)
            between = text[o.end : m.start]
            done = any(w in text[o.end : m.end] for w in _DOERS)
            if m.cause is Cause.BUYER and (done or not _BUYER_SUBJECT.search(between)):
                return attrs.evolve(m, cause=o.cause, moved=True)
    return m


@attrs.frozen
class Classification:
    """The cause of a review, the aspects (keywords) that decided it, and how."""

    cause: Cause
    matches: tuple[CauseMatch, ...]
    #: True when two causes had the same score and the same strongest kind of words
    #: (blame, a complaint, a mention), and TIE_ORDER decided.
    tie: bool
    #: True when no aspect word decided: a describing review read as the goods, or as
    #: the buyer's own when it clears the goods and blames no one.
    by_default: bool = False
    #: When labelled reviews decided (:data:`CONFIDENT`): their probability of the cause.
    probability: float | None = None
    #: When labelled reviews decided: the stretches of text that weighed most for the cause.
    evidence: tuple[str, ...] = ()
    #: When labelled reviews decided against the words: the words' own choice.
    overruled: Cause | None = None

    @property
    def scores(self) -> Mapping[Cause, int]:
        """Points per cause, causes with points only."""
        result: dict[Cause, int] = {}
        for m in self.matches:
            if m.points:
                result[m.cause] = result.get(m.cause, 0) + m.points
        return result

    @property
    def keywords(self) -> Mapping[Cause, tuple[str, ...]]:
        """The keywords that counted, per cause."""
        result: dict[Cause, tuple[str, ...]] = {}
        for m in self.matches:
            if m.points:
                result[m.cause] = (*result.get(m.cause, ()), m.keyword)
        return result

    @property
    def ignored(self) -> tuple[str, ...]:
        """Keywords that matched but did not count (negated, praised, or an agent's claim)."""
        return tuple(m.keyword for m in self.matches if not m.points)

    @property
    def brief(self) -> str:
        """The cause and its deciding words in a few characters, for the board."""
        if self.cause is Cause.UNKNOWN:
            return "unknown: ask the buyer (REV-LISTEN)"
        if self.by_default:
            return f"{self.cause.value}? no aspect word: confirm while listening"
        words = ", ".join(m.label for m in self.matches if m.points and m.cause is self.cause)
        if self.probability is not None:
            words = words or ", ".join(self.evidence)
            return f"{self.cause.value}: {words} (labelled reviews {self.probability:.2f})"
        return f"{self.cause.value}: {words}"

    @property
    def labelled_note(self) -> str:
        """What the labelled reviews decided, in one line ("" when the words did)."""
        if self.probability is None:
            return ""
        lean = f"{self.probability:.2f}"
        if self.evidence:
            lean += "; " + ", ".join(self.evidence)
        note = f"labelled reviews read {self.cause.value} ({lean})"
        if self.overruled is not None:
            note += f" over the words' {self.overruled.value}"
        return note

    @property
    def why(self) -> str:
        """One line a member of staff can check against the review."""
        scores = self.scores
        parts = [
            f"{cause.value} {scores[cause]} ("
            + ", ".join(m.label for m in self.matches if m.points and m.cause is cause)
            + ")"
            for cause in sorted(scores, key=lambda c: (-scores[c], TIE_ORDER.index(c)))
        ]
        if self.probability is not None:
            parts.insert(0, self.labelled_note)
        elif self.tie:
            parts.append("tie broken by the order product > service > logistics > buyer")
        elif self.cause in scores and sorted(scores.values())[-2:] == [scores[self.cause]] * 2:
            parts.append(
                "tie broken by the stronger words: blame > a complaint > a mention > the goods"
            )
        ignored = [f"{m.keyword} ({m.not_counted})" for m in self.matches if not m.points]
        if ignored:
            parts.append("not counted: " + ", ".join(ignored))
        if self.by_default and self.cause is Cause.BUYER:
            parts.insert(
                0,
                "the goods cleared and no one else blamed: read as the buyer's own "
                "(REV-TYPES); confirm while listening (REV-LISTEN)",
            )
        elif self.by_default:
            parts.insert(
                0,
                "no aspect word counted, but the review describes something: read as the "
                "goods, the usual cause (REV-TYPES); confirm while listening (REV-LISTEN)",
            )
        elif self.cause is Cause.UNKNOWN:
            parts.insert(0, "no cause keyword counted; ask the buyer what was wrong (REV-LISTEN)")
        return "; ".join(parts)


def classify_review(text: str, rules: CauseRules | None = None) -> Classification:
    """The cause a review's text names (REV-TYPES).

    Nothing counted: the goods if the review still describes something (at least
    :data:`MIN_DESCRIPTION` characters, or English words, besides its ``vague``
    words: "洗脸巾一擦就掉屑") and does not clear the goods ("质量没问题"), else
    UNKNOWN ("失望", "不推荐"). A describing review that clears the goods and
    blames no one ("东西没问题，就是跟我家风格不搭") is the buyer's own.
    """
    rules = DEFAULT_CAUSE_RULES if rules is None else rules
    matches = rules.match(text)
    scores = dict.fromkeys(TIE_ORDER, 0)
    for m in matches:
        scores[m.cause] += m.points
    best = max(scores.values())
    # "包装完好" clears the parcel's wrapping, not the goods
    cleared = any(
        m.cause is Cause.PRODUCT and (m.negated or m.praised) and m.keyword not in _lexicon.WRAPPING
        for m in matches
    )
    complained = any(m.points and not m.topic for m in matches)
    if cleared and not complained and _describes(text, _compiled(rules).moods):
        # "东西没问题，就是跟我家风格不搭": the goods cleared, no one else blamed
        found = Classification(Cause.BUYER, matches, tie=False, by_default=True)
        return _labelled(found, text, rules)
    if best == 0:
        if not cleared and _describes(text, _compiled(rules).moods):
            found = Classification(Cause.PRODUCT, matches, tie=False, by_default=True)
            return _labelled(found, text, rules)
        return Classification(Cause.UNKNOWN, matches, tie=False)
    leaders = [cause for cause in TIE_ORDER if scores[cause] == best]
    # on a tie, whom the buyer blames beats a named complaint ("手机号填错了" over "被退回"),
    # which beats an aspect only mentioned ("物流…不动" over "问客服")
    strength = {
        c: max((m.kind for m in matches if m.cause is c and m.points), default=0) for c in leaders
    }
    leaders = [c for c in leaders if strength[c] == max(strength.values())]
    return _labelled(Classification(leaders[0], matches, tie=len(leaders) > 1), text, rules)


def _labelled(found: Classification, text: str, rules: CauseRules) -> Classification:
    """The labelled reviews' cause when they are :data:`CONFIDENT`, else the words'.

    What follows the first contrast word is read twice, as the words weigh it double.
    """
    model = default_cause_model() if rules.model is None else rules.model
    plain = _normal(text)
    stressed = [c for c in _clauses(plain, _compiled(rules)) if c.weight > 1]
    then = plain[stressed[0].start :] if stressed else ""
    chances = model.probabilities(text, then)
    likeliest = max(chances, key=lambda c: (chances[c], c is found.cause), default=None)
    if likeliest is None or chances[likeliest] < CONFIDENT:
        return found
    against = found.cause
    if likeliest is found.cause:  # what set it apart from the next likeliest
        others = [c for c in chances if c is not likeliest]
        against = max(others, key=chances.__getitem__, default=likeliest)
    return attrs.evolve(
        found,
        cause=likeliest,
        tie=False,
        by_default=False,
        probability=chances[likeliest],
        evidence=model.evidence(then or text, likeliest, against),
        overruled=None if likeliest is found.cause else found.cause,
    )


@attrs.frozen
class ClassifierReport:
    """How a rule set does on labelled texts: accuracy and what it got wrong."""

    total: int
    correct: int
    #: (text, expected, got, why) for every miss.
    misclassified: tuple[tuple[str, Cause, Cause, str], ...]

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def unanswered(self) -> int:
        """Misses left UNKNOWN: staff find the cause by listening (REV-LISTEN)."""
        return sum(1 for _, _, got, _ in self.misclassified if got is Cause.UNKNOWN)

    @property
    def wrong_cause(self) -> int:
        """Misses that named a wrong cause: the costly kind."""
        return len(self.misclassified) - self.unanswered

    def render(self, title: str = "review cause classifier (REV-TYPES)") -> str:
        head = (
            f"{title}: {self.correct}/{self.total} correct, accuracy {self.accuracy:.1%} "
            f"({self.unanswered} left unknown, {self.wrong_cause} wrong cause)"
        )
        lines = [head]
        lines += [
            f"  MISS expected {expected.value}, got {got.value}: {text}  [{why}]"
            for text, expected, got, why in self.misclassified
        ]
        return "\n".join(lines)


def evaluate_classifier(
    samples: Iterable[tuple[str, Cause]], rules: CauseRules | None = None
) -> ClassifierReport:
    """Classify labelled texts and count the hits; a shop can check its own extensions."""
    total = correct = 0
    misses = []
    for text, expected in samples:
        result = classify_review(text, rules)
        total += 1
        if result.cause is expected:
            correct += 1
        else:
            misses.append((text, expected, result.cause, result.why))
    return ClassifierReport(total, correct, tuple(misses))


#: The default words (``_lexicon``), from the seed's list of causes (REV-TYPES).
DEFAULT_CAUSE_RULES = CauseRules(
    product=_lexicon.PRODUCT,
    service=_lexicon.SERVICE,
    logistics=_lexicon.LOGISTICS,
    buyer=_lexicon.BUYER,
    product_topics=_lexicon.PRODUCT_TOPICS,
    service_topics=_lexicon.SERVICE_TOPICS,
    logistics_topics=_lexicon.LOGISTICS_TOPICS,
    buyer_topics=_lexicon.BUYER_TOPICS,
    courier_blame=_lexicon.COURIER_BLAME,
    agent_blame=_lexicon.AGENT_BLAME,
    buyer_blame=_lexicon.BUYER_BLAME,
    negations=_lexicon.NEGATIONS,
    praise=_lexicon.PRAISE,
    contrasts=_lexicon.CONTRASTS,
    functions=_lexicon.FUNCTIONS,
    transit_damage=_lexicon.TRANSIT_DAMAGE,
    rough=_lexicon.ROUGH,
    errands=_lexicon.ERRANDS,
    slips=_lexicon.SLIPS,
    details=_lexicon.DETAILS,
    uses=_lexicon.USES,
    verdicts=_lexicon.VERDICTS,
    vague=_lexicon.VAGUE,
    moods=_lexicon.MOODS,
    manners=_lexicon.MANNERS,
    ordered=_lexicon.ORDERED,
    received=_lexicon.RECEIVED,
    unsent=_lexicon.UNSENT,
    advice=_lexicon.ADVICE,
)
