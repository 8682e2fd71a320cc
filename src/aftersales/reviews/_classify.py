"""What a medium or negative review is about (REV-TYPES).

The seed names four causes: the product (poor quality, damaged packaging, not as
described), the shop's service (late shipment, missing or wrong items,
after-sales attitude, slow replies), the logistics (the courier: rude, slow,
mis-delivered, lost, left carelessly) and the buyer's own reasons (not as
expected, ordered by mistake). The cause decides how a follow-up opens, so it is
read with transparent keyword lists a shop can read and extend, in the style of
``_postage.ReasonRules``; every answer says which words decided it.

Matching, in order:

1. The text is normalised: NFKC (full-width letters; "…" becomes "..."), case
   folded, traditional script folded to simplified with OpenCC (the seed itself is
   traditional), runs of spaces made one.
2. A keyword matches as a substring. A keyword with ``…`` (or ``...``) between
   parts matches the parts in order within one clause, each gap at most
   :data:`MAX_GAP` characters with no negation in it: ``物流…慢`` matches
   "物流也太慢了" but not "物流不慢". A part that starts with an English letter
   matches at the start of a word ("rust" does not match "trust").
3. Where two matches overlap, the longer one wins (then a phrase over a topic
   word, then the earlier): in "快递员态度很差" the courier's ``快递员态度``
   beats the shop's ``态度很差``.
4. A problem phrase ("质量太差") scores 2, a topic word ("质量") 1. A match
   right after a negation (``不是``, ``没有``, "not", "isn't"...) in the same
   clause scores nothing: "不是质量问题，是我自己买错了" is the buyer's own. A
   topic word in a clause that praises ("快递很快") scores nothing either.
5. The cause with the most points wins. A tie goes to the first in
   :data:`TIE_ORDER` (product, service, logistics, buyer): what the shop can
   fix comes first, and the buyer's own reason, rare by the seed's account,
   wins only outright.
6. Nothing scored: :attr:`Cause.UNKNOWN`. The cause is not guessed: a wrong one
   would open with the wrong apology, and the listening step (REV-LISTEN)
   finds it out.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping

import attrs

from ..core._errors import InvalidInput
from ..core._script import to_simplified

__all__ = [
    "DEFAULT_CAUSE_RULES",
    "MAX_GAP",
    "TIE_ORDER",
    "Cause",
    "CauseMatch",
    "CauseRules",
    "Classification",
    "ClassifierReport",
    "classify_review",
    "evaluate_classifier",
]


class Cause(enum.Enum):
    """What a medium or negative review blames (REV-TYPES)."""

    PRODUCT = "product"
    SERVICE = "service"
    LOGISTICS = "logistics"
    BUYER = "buyer"
    UNKNOWN = "unknown"


#: REV-TYPES: ties go to the cause the shop can act on first.
TIE_ORDER: tuple[Cause, ...] = (Cause.PRODUCT, Cause.SERVICE, Cause.LOGISTICS, Cause.BUYER)
#: Most characters between the parts of a ``A…B`` keyword.
MAX_GAP = 12

# A clause ends at punctuation (after NFKC: "，" is ",", "！" is "!").
_BREAKS = frozenset(",.!?;:。、~\n")
_WORD = re.compile(r"[a-z][a-z ]*")
_GAP_NEGATIONS = ("不", "没", "无", "非", "not ", "n't", "no ", "never")


def _normal(text: str) -> str:
    folded = to_simplified(unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


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


@attrs.frozen
class CauseMatch:
    """One keyword found in the text, where, and whether it counted.

    A problem phrase scores :data:`PHRASE_POINTS`, a topic word
    :data:`TOPIC_POINTS`; a match right after a negation scores nothing, and so
    does a topic word in a clause that praises.
    """

    cause: Cause
    keyword: str
    start: int
    end: int
    topic: bool = False
    negated: bool = False
    praised: bool = False

    @property
    def points(self) -> int:
        if self.negated or (self.topic and self.praised):
            return 0
        return TOPIC_POINTS if self.topic else PHRASE_POINTS


#: A problem phrase ("质量太差") says what went wrong: two points.
PHRASE_POINTS = 2
#: A topic word ("质量") only says what the buyer talks about: one point.
TOPIC_POINTS = 1

_FIELDS = {
    Cause.PRODUCT: "product",
    Cause.SERVICE: "service",
    Cause.LOGISTICS: "logistics",
    Cause.BUYER: "buyer",
}


@attrs.frozen(kw_only=True)
class CauseRules:
    """Keyword lists per cause (REV-TYPES), and the words that cancel a match.

    ``product`` ... ``buyer`` hold problem phrases, ``*_topics`` topic words;
    ``negations`` cancel the match right after them, ``praise`` cancels the
    topic words of its clause ("快递很快" is not about a courier problem).
    """

    product: tuple[str, ...] = attrs.field(converter=_keywords)
    service: tuple[str, ...] = attrs.field(converter=_keywords)
    logistics: tuple[str, ...] = attrs.field(converter=_keywords)
    buyer: tuple[str, ...] = attrs.field(converter=_keywords)
    product_topics: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    service_topics: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    logistics_topics: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    buyer_topics: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    negations: tuple[str, ...] = attrs.field(converter=_keywords, default=())
    praise: tuple[str, ...] = attrs.field(converter=_keywords, default=())

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
        added to one cause list leaves all the other cause lists (phrases and
        topics alike), so a shop can move a word: a shop whose size chart is
        known to be right may move ``偏小`` to ``buyer``.
        """
        fields = attrs.fields_dict(CauseRules)
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
        changes: dict[str, tuple[str, ...]] = {}
        for name in fields:
            kept = list(getattr(self, name))
            if name not in ("negations", "praise"):
                kept = [w for w in kept if _normal(w) not in moving[name]]
            known = {_normal(k) for k in kept}
            for word in new.get(name, ()):
                if _normal(word) not in known:
                    kept.append(word)
                    known.add(_normal(word))
            changes[name] = tuple(kept)
        return CauseRules(**changes)

    def match(self, text: str) -> tuple[CauseMatch, ...]:
        """Every keyword that matched, overlaps resolved, in text order."""
        if not isinstance(text, str):
            raise InvalidInput(f"a review's text must be text, got {type(text).__name__}")
        normal = _normal(text)
        found = [
            CauseMatch(cause, word, start, end, topic=topic)
            for topic in (False, True)
            for cause in TIE_ORDER
            for word in self.words(cause, topics=topic)
            for start, end in _find(normal, _parts(word))
        ]
        # the longer match wins an overlap, then a phrase over a topic word,
        # then the earlier, then the tie order
        found.sort(key=lambda m: (-(m.end - m.start), m.topic, m.start, TIE_ORDER.index(m.cause)))
        taken: list[CauseMatch] = []
        for candidate in found:
            if all(candidate.end <= m.start or m.end <= candidate.start for m in taken):
                taken.append(candidate)
        cues = tuple(_normal(cue) for cue in self.negations)
        praise = tuple(_parts(word) for word in self.praise)
        return tuple(
            attrs.evolve(
                m,
                negated=_negated(normal, m.start, cues),
                praised=m.topic and _praised(normal, m.start, praise),
            )
            for m in sorted(taken, key=lambda m: m.start)
        )


def _clause(text: str, at: int) -> tuple[int, int]:
    start = max((text.rfind(ch, 0, at) for ch in _BREAKS), default=-1) + 1
    ends = [i for i in (text.find(ch, at) for ch in _BREAKS) if i != -1]
    return start, min(ends, default=len(text))


def _praised(text: str, at: int, praise: tuple[tuple[str, ...], ...]) -> bool:
    start, end = _clause(text, at)
    clause = text[start:end]
    return any(_find(clause, parts) for parts in praise)


def _starts_word(text: str, at: int, part: str) -> bool:
    if not part[0].isascii() or not part[0].isalpha():
        return True
    return at == 0 or not (text[at - 1].isascii() and text[at - 1].isalpha())


def _gap_ok(gap: str) -> bool:
    if len(gap) > MAX_GAP or any(ch in _BREAKS for ch in gap):
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


def _negated(text: str, start: int, cues: tuple[str, ...]) -> bool:
    clause_start, _ = _clause(text, start)
    before = text[clause_start:start].rstrip()
    for cue in cues:
        if before.endswith(cue):
            head = before[: len(before) - len(cue)]
            # "no" negates; the end of "piano" does not
            if not (_WORD.fullmatch(cue) and head[-1:].isascii() and head[-1:].isalpha()):
                return True
    return False


@attrs.frozen
class Classification:
    """The cause of a review, the keywords that decided it, and how."""

    cause: Cause
    matches: tuple[CauseMatch, ...]
    #: True when two causes had the same score and TIE_ORDER decided.
    tie: bool

    @property
    def scores(self) -> Mapping[Cause, int]:
        """Points per cause (phrases 2, topic words 1), causes with points only."""
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
        """Keywords that matched but did not count (after a negation, or praised)."""
        return tuple(m.keyword for m in self.matches if not m.points)

    @property
    def why(self) -> str:
        """One line a member of staff can check against the review."""
        if self.cause is Cause.UNKNOWN:
            return "no cause keyword counted; ask the buyer what was wrong (REV-LISTEN)"
        scores, counted = self.scores, self.keywords
        parts = [
            f"{cause.value} {scores[cause]} ({', '.join(counted[cause])})"
            for cause in sorted(scores, key=lambda c: (-scores[c], TIE_ORDER.index(c)))
        ]
        how = "tie broken by the order product > service > logistics > buyer" if self.tie else ""
        return "; ".join(parts) + (f"; {how}" if how else "")


def classify_review(text: str, rules: CauseRules | None = None) -> Classification:
    """The cause a review's text names (REV-TYPES); nothing counted: UNKNOWN."""
    matches = (DEFAULT_CAUSE_RULES if rules is None else rules).match(text)
    scores = dict.fromkeys(TIE_ORDER, 0)
    for m in matches:
        scores[m.cause] += m.points
    best = max(scores.values())
    if best == 0:
        return Classification(Cause.UNKNOWN, matches, tie=False)
    leaders = [cause for cause in TIE_ORDER if scores[cause] == best]
    return Classification(leaders[0], matches, tie=len(leaders) > 1)


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


#: The default words, from the seed's list of causes (REV-TYPES): Chinese first,
#: then English. Phrases name a problem; topic words only what the buyer talks about.
DEFAULT_CAUSE_RULES = CauseRules(
    product=(
        # poor quality
        "质量差",
        "质量太差",
        "质量很差",
        "质量不好",
        "质量不行",
        "质量一般",
        "质量问题",
        "质量有问题",
        "质量…差",
        "质量…不行",
        "质量…不好",
        "做工差",
        "做工粗糙",
        "做工…差",
        "粗糙",
        "劣质",
        "次品",
        "残次",
        "瑕疵",
        "破洞",
        "破了",
        "裂了",
        "裂开",
        "裂缝",
        "是裂的",
        "缺口",
        "划痕",
        "坏了",
        "坏的",
        "坏掉",
        "断了",
        "开胶",
        "脱胶",
        "掉色",
        "褪色",
        "起球",
        "开线",
        "脱线",
        "线头",
        "起皱",
        "变形",
        "缩水",
        "太薄",
        "很薄",
        "掉漆",
        "脱落",
        "掉了",
        "松了",
        "生锈",
        "锈了",
        "漏水",
        "漏气",
        "漏液",
        "异味",
        "味道大",
        "味道很大",
        "刺鼻",
        "发霉",
        "霉了",
        "烂了",
        "腐烂",
        "变质",
        "过期",
        "不新鲜",
        "不好用",
        "没效果",
        "没有效果",
        "不能用",
        "用不了",
        "无法使用",
        "故障",
        "失灵",
        "卡顿",
        "死机",
        "杂音",
        "没声音",
        "充不进电",
        "充不上电",
        "不充电",
        "过敏",
        "红疹",
        # damaged packaging
        "破损",
        "包装…破",
        "包装…简陋",
        "压扁",
        "压坏",
        "碎了",
        # not as described
        "色差",
        "描述不符",
        "描述…不符",
        "描述…差别",
        "描述…不一样",
        "货不对板",
        "图片…不一样",
        "图片…不符",
        "图上…两样",
        "图…不一样",
        "实物…不符",
        "实物…差",
        "尺码表…对不上",
        "尺码…不准",
        "偏小",
        "偏大",
        "假货",
        "假的",
        "仿品",
        "山寨",
        "不是正品",
        "专柜…不一样",
        "像化纤",
        # English
        "poor quality",
        "bad quality",
        "low quality",
        "cheap quality",
        "quality is bad",
        "quality is poor",
        "looks cheap",
        "feels cheap",
        "flimsy",
        "broke",
        "damaged",
        "defect",
        "faulty",
        "cracked",
        "scratched",
        "leaking",
        "leaked",
        "torn",
        "ripped",
        "rusted",
        "rusty",
        "faded",
        "peeling",
        "came off",
        "fell off",
        "fell apart",
        "falls apart",
        "stopped working",
        "doesn't work",
        "does not work",
        "not working",
        "won't turn on",
        "doesn't charge",
        "dead on arrival",
        "smells",
        "bad smell",
        "odor",
        "odour",
        "rotten",
        "mouldy",
        "moldy",
        "expired",
        "crushed",
        "dented",
        "not as described",
        "not as pictured",
        "different from the picture",
        "nowhere near what",
        "listing claims",
        "colour is…off",
        "color is…off",
        "off from the photo",
        "runs small",
        "runs large",
        "fake",
        "counterfeit",
        "knock-off",
    ),
    service=(
        # late shipment (and a shipment that only exists on paper, SHIP-FAKE)
        "发货慢",
        "发货太慢",
        "发货…慢",
        "才发货",
        "才发出",
        "才给发",
        "迟迟不发",
        "不发货",
        "没发货",
        "未发货",
        "延迟发货",
        "拖…发货",
        "没有及时发货",
        "虚假发货",
        "假发货",
        "才有物流信息",
        # missing or wrong items
        "漏发",
        "少发",
        "少件",
        "缺件",
        "少了一个",
        "少了一件",
        "少了…个",
        "只有一只",
        "只有一个",
        "只收到",
        "另一只呢",
        "发错",
        "错发",
        "发来的不是",
        "赠品没",
        "赠品…没收到",
        "没有赠品",
        "没给赠品",
        "没送赠品",
        # after-sales attitude, slow replies
        "客服态度",
        "态度差",
        "态度很差",
        "态度极差",
        "态度恶劣",
        "态度不好",
        "说话…冲",
        "没耐心",
        "耐心…没有",
        "不耐烦",
        "爱答不理",
        "爱理不理",
        "不理人",
        "不回复",
        "没回复",
        "不回消息",
        "没人回",
        "回复慢",
        "回复太慢",
        "回复…慢",
        "客服…慢",
        "只会说",
        "不处理",
        "拖着",
        "推脱",
        "推卸",
        "踢皮球",
        "售后差",
        "售后太差",
        "售后…差",
        "不给退",
        "不给换",
        "不退不换",
        "不同意…退",
        "不同意也不拒绝",
        "拒绝退款",
        # English
        "slow to ship",
        "shipped late",
        "late shipment",
        "late dispatch",
        "took…to ship",
        "took…to send",
        "never shipped",
        "didn't ship",
        "not shipped",
        "hasn't shipped",
        "wrong item",
        "wrong…sent",
        "sent the wrong",
        "sent me the wrong",
        "missing",
        "not in the box",
        "received one",
        "only received",
        "only got one",
        "never answered",
        "never replied",
        "no reply",
        "no response",
        "no answer",
        "didn't reply",
        "didn't respond",
        "slow to reply",
        "slow to respond",
        "waited…for a reply",
        "ignored me",
        "ignored my",
        "unhelpful",
        "seller…rude",
        "shop…rude",
        "staff…rude",
        "customer service…rude",
        "refused to refund",
        "refused to exchange",
        "refused to return",
    ),
    logistics=(
        # slow
        "物流慢",
        "物流太慢",
        "物流…慢",
        "快递慢",
        "快递太慢",
        "快递…慢",
        "配送慢",
        "送货慢",
        "运输慢",
        "到货慢",
        "才到",
        "还在中转",
        "中转…天",
        "物流…不更新",
        "不更新",
        "物流…不动",
        "快递…不动",
        # the courier's attitude, careless delivery
        "快递员态度",
        "快递员…态度",
        "快递态度",
        "快递小哥态度",
        "送货员…态度",
        "扔在门口",
        "扔门口",
        "放门口",
        "丢在门口",
        "丢在楼下",
        "放在楼下",
        "乱放",
        "暴力分拣",
        "摔坏",
        "不送货上门",
        "没送货上门",
        "不送上门",
        "没送上门",
        "不打…电话",
        "不打招呼",
        "去驿站",
        "快递柜",
        "什么快递",
        "破快递",
        "垃圾快递",
        "差评给快递",
        "快递…差",
        # mis-delivered, lost
        "送错",
        "派错",
        "错送",
        "冒签",
        "代签",
        "签收…没给",
        "没收到",
        "找不到地址",
        "被退回",
        "给退回",
        "丢件",
        "丢了",
        "包裹丢",
        "快递丢",
        # English
        "courier…rude",
        "driver…rude",
        "delivery took",
        "took…to arrive",
        "took…to deliver",
        "slow delivery",
        "delivery was slow",
        "shipping was slow",
        "slow shipping",
        "shipping took",
        "tracking…didn't update",
        "tracking…not updated",
        "tracking never updated",
        "stuck at",
        "stuck in",
        "sat at the",
        "lost in transit",
        "parcel was lost",
        "package was lost",
        "never arrived",
        "never delivered",
        "not delivered",
        "delivered to the wrong",
        "wrong address",
        "left at the door",
        "left outside",
        "left…in the rain",
        "thrown",
        "threw",
    ),
    buyer=(
        # ordered by mistake
        "拍错",
        "买错",
        "下错单",
        "点错",
        "点成",
        "选错",
        "手滑",
        "填错…地址",
        "地址填错",
        "写错地址",
        "买多了",
        "拍多了",
        "多拍",
        # not as expected, the buyer's own choice
        "不喜欢",
        "不太喜欢",
        "想象的不一样",
        "想象…不一样",
        "没有我期待",
        "不是我想要的",
        "不适合我",
        "不适合自己",
        "肤质问题",
        "用不上",
        "用不到",
        "后悔",
        "冲动",
        "已经有一个",
        "不想要",
        "懒得退",
        "自己的原因",
        "个人原因",
        "自己的问题",
        "七天无理由",
        "无理由",
        # English
        "by mistake",
        "my mistake",
        "my fault",
        "my own fault",
        "ordered the wrong",
        "bought the wrong",
        "gave the wrong address",
        "not what i expected",
        "not…what i wanted",
        "not my style",
        "not for me",
        "changed my mind",
        "change of mind",
        "don't like",
        "didn't like",
        "do not like",
        "doesn't want it",
        "don't want it",
        "no longer need",
        "don't need",
        "regret",
    ),
    product_topics=(
        "质量",
        "做工",
        "面料",
        "材质",
        "材料",
        "用料",
        "描述",
        "图片",
        "实物",
        "包装",
        "味道",
        "效果",
        "尺码",
        "quality",
        "material",
        "fabric",
        "stitching",
        "listing",
        "photo",
        "picture",
        "battery",
        "packaging",
    ),
    service_topics=(
        "发货",
        "客服",
        "商家",
        "卖家",
        "店家",
        "掌柜",
        "售后",
        "回复",
        "退货",
        "退款",
        "换货",
        "赠品",
        "少了",
        "seller",
        "customer service",
        "the shop",
        "the store",
        "refund",
        "reply",
        "dispatch",
    ),
    logistics_topics=(
        "快递",
        "物流",
        "派送",
        "配送",
        "送货",
        "签收",
        "驿站",
        "中转",
        "快递员",
        "小哥",
        "顺丰",
        "中通",
        "圆通",
        "申通",
        "韵达",
        "邮政",
        "courier",
        "delivery",
        "shipping",
        "parcel",
        "package",
        "tracking",
        "depot",
        "driver",
    ),
    buyer_topics=(
        "自己",
        "个人",
        "期待",
        "期望",
        "预期",
        "想象",
        "本来想",
        "myself",
        "expected",
        "expectation",
        "anymore",
    ),
    negations=(
        "不是",
        "不是因为",
        "并非",
        "没有",
        "没",
        "无",
        "不怪",
        "不算",
        "not",
        "no",
        "n't",
        "never",
        "not the",
        "n't the",
        "no problem with the",
        "nothing wrong with the",
    ),
    praise=(
        "很快",
        "挺快",
        "速度快",
        "不错",
        "很好",
        "挺好",
        "还好",
        "还行",
        "还可以",
        "可以",
        "满意",
        "热情",
        "耐心",
        "没问题",
        "没毛病",
        "好评",
        "fast",
        "quick",
        "great",
        "good",
        "fine",
        "friendly",
        "helpful",
        "no problem",
    ),
)
