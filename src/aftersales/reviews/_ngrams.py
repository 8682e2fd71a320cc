"""Labelled reviews: which cause texts like this one were given.

The rules (``_classify``) read a review aspect by aspect and say which words it
names; whom the buyer blames often lies in context no word list holds (their own
feet, a courier's 碎碎念). Reviews a person has already labelled know it, and decide
when they are sure (``CONFIDENT``). The model is naive Bayes
over characters: for each labelled text, its distinct 1-, 2- and 3-character
pieces (grams) after the classifier's own normalisation (寫著 counts as 写着),
counted per cause. No segmenter and no word list: "摔" and "快递员" weigh for
logistics because labelled logistics reviews hold them.

The counts are data: the shipped model (``cause_model.json``) is trained on the
development set, ``tests/data/reviews.json``, and the reviews labelled for the model
alone, ``tests/data/reviews_labelled.json``, and loaded on first use; a shop adds its
own labelled reviews (:meth:`CauseModel.trained`). Regenerate the shipped file after
either changes::

    python -m aftersales.reviews._ngrams build \
        tests/data/reviews.json tests/data/reviews_labelled.json
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from ..core._errors import InvalidInput
from ._cause import Cause
from ._normal import normal

__all__ = ["GRAM_SIZES", "SMOOTHING", "CauseModel", "default_cause_model", "train_cause_model"]

#: Pieces of one, two and three characters: a character ("摔"), a word ("快递"), a phrase.
GRAM_SIZES = (1, 2, 3)
#: Added to every count (add-half): a gram a cause's texts never held still counts a little.
SMOOTHING = 0.5
#: Most grams :meth:`CauseModel.evidence` names: enough to check, few enough to read.
EVIDENCE = 3
# How many of the heaviest pieces the evidence is picked from.
_READ = 12
# The longest stretch of text the evidence names.
_LONGEST = 10
_FILE = "cause_model.json"
_FORMAT = 1


def _grams(plain: str) -> tuple[str, ...]:
    """The distinct grams of ``plain`` (a text already normalised), in text order."""
    return tuple(
        dict.fromkeys(plain[i : i + n] for n in GRAM_SIZES for i in range(len(plain) - n + 1))
    )


def _texts(value: Mapping[Cause, int]) -> dict[Cause, int]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"texts per cause must be a mapping, got {type(value).__name__}")
    for cause, count in value.items():
        if not isinstance(cause, Cause) or not isinstance(count, int) or count < 0:
            raise InvalidInput(f"texts per cause: {cause!r}: {count!r} is no cause and count")
    return {cause: value[cause] for cause in Cause if value.get(cause)}


def _counts(value: Mapping[Cause, Mapping[str, int]]) -> dict[Cause, dict[str, int]]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"gram counts per cause must be a mapping, got {type(value).__name__}")
    result: dict[Cause, dict[str, int]] = {}
    for cause in Cause:
        counts = value.get(cause, {})
        if not isinstance(counts, Mapping):
            raise InvalidInput(f"gram counts of {cause.value} must be a mapping")
        for gram, count in counts.items():
            if not isinstance(gram, str) or not isinstance(count, int) or count < 0:
                raise InvalidInput(f"gram counts of {cause.value}: {gram!r}: {count!r}")
        if counts:
            result[cause] = {gram: counts[gram] for gram in sorted(counts) if counts[gram]}
    return result


@attrs.frozen(unsafe_hash=False)  # counts are dicts: compared by value, never hashed
class CauseModel:
    """Labelled reviews counted per cause: how many texts, and per gram how many held it.

    A review's probability per cause is naive Bayes with add-half smoothing:
    log(texts) plus, for each distinct gram of the review that any cause's texts
    held, log((count + 0.5) / (all of the cause's counts + 0.5 × grams known)),
    then normalised. A cause with no labelled texts gets no probability. A model
    trained on nothing (``train_cause_model([])``) decides nothing: every review
    stays with the words.
    """

    #: Labelled texts per cause (causes with none left out).
    texts: Mapping[Cause, int] = attrs.field(converter=_texts)
    #: Per cause, per gram: how many of the cause's labelled texts held it.
    grams: Mapping[Cause, Mapping[str, int]] = attrs.field(converter=_counts, repr=False)

    @functools.cached_property
    def _weights(self) -> tuple[frozenset[str], dict[Cause, float], dict[Cause, float]]:
        """Grams known, and per cause the log prior and the smoothed denominator."""
        known = frozenset(gram for counts in self.grams.values() for gram in counts)
        prior = {cause: math.log(n) for cause, n in self.texts.items()}
        below = {
            cause: sum(self.grams.get(cause, {}).values()) + SMOOTHING * len(known)
            for cause in self.texts
        }
        return known, prior, below

    def _scores(self, grams: Iterable[str]) -> dict[Cause, dict[str, float]]:
        """Per cause, each known gram's log weight."""
        vocabulary, _, below = self._weights
        known = [g for g in grams if g in vocabulary]
        return {
            cause: {
                g: math.log((self.grams.get(cause, {}).get(g, 0) + SMOOTHING) / below[cause])
                for g in known
            }
            for cause in self.texts
        }

    def probabilities(self, text: str, then: str = "") -> dict[Cause, float]:
        """The probability of each cause with labelled texts, given ``text``.

        ``then`` is the part after a contrast word ("质量还行，就是物流太慢了": 物流太慢了),
        read a second time: what the buyer means, as the rules weigh it double.
        """
        _, prior, _ = self._weights
        weights = self._scores(_grams(normal(text)))
        scores = {cause: prior[cause] + sum(weights[cause].values()) for cause in weights}
        if then:
            stressed = self._scores(_grams(normal(then)))
            scores = {c: score + sum(stressed[c].values()) for c, score in scores.items()}
        if not scores:
            return {}
        top = max(scores.values())
        exp = {cause: math.exp(score - top) for cause, score in scores.items()}
        total = sum(exp.values())
        return {cause: value / total for cause, value in exp.items()}

    def evidence(self, text: str, winner: Cause, against: Cause) -> tuple[str, ...]:
        """The stretches of ``text`` that weighed most for ``winner`` against ``against``.

        For explanations ("虚标严重, 就没电了"): the :data:`_READ` pieces of letters or
        characters that weighed most are marked in the text as the model reads it
        (normalised), and the runs they cover are named, heaviest first, at most
        :data:`EVIDENCE` of them and :data:`_LONGEST` characters each (the heaviest
        window of a longer run), English words whole: words a person reads, not
        "wro, ron, ong".
        """
        plain = normal(text)
        weights = self._scores(_grams(plain))
        if winner not in weights or against not in weights:
            return ()
        lean = {g: weights[winner][g] - weights[against][g] for g in weights[winner]}
        heaviest = sorted((g for g in lean if lean[g] > 0 and g.isalnum()), key=lambda g: -lean[g])
        mass = [0.0] * len(plain)  # each character's share of the heavy pieces over it
        for gram in heaviest[:_READ]:
            at = plain.find(gram)
            while at != -1:
                for i in range(at, at + len(gram)):
                    mass[i] += lean[gram] / len(gram)
                at = plain.find(gram, at + 1)
        runs: list[tuple[float, str]] = []
        start = None
        for i, weight in enumerate([*mass, 0.0]):
            if weight and start is None:
                start = i
            elif not weight and start is not None:
                runs.append(_heaviest_window(plain, mass, start, i))
                start = None
        named: list[str] = []
        for _, run in sorted(runs, key=lambda r: -r[0]):
            if len(named) < EVIDENCE and not any(run in n or n in run for n in named):
                named.append(run)
        return tuple(named)

    def trained(self, examples: Iterable[tuple[str, Cause]]) -> CauseModel:
        """This model with more labelled reviews counted: a shop's own, on top of the defaults."""
        more = train_cause_model(examples)
        texts = {c: self.texts.get(c, 0) + more.texts.get(c, 0) for c in Cause}
        grams: dict[Cause, dict[str, int]] = {}
        for cause in Cause:
            counts = dict(self.grams.get(cause, {}))
            for gram, n in more.grams.get(cause, {}).items():
                counts[gram] = counts.get(gram, 0) + n
            grams[cause] = counts
        return CauseModel(texts, grams)

    def to_json(self) -> str:
        """The model as compact JSON (the shipped file's format): grams sorted, one line."""
        data = {
            "format": _FORMAT,
            "gram_sizes": list(GRAM_SIZES),
            "texts": {cause.value: n for cause, n in self.texts.items()},
            "grams": {cause.value: dict(counts) for cause, counts in self.grams.items()},
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> CauseModel:
        """A model written by :meth:`to_json`."""
        try:
            data: Any = json.loads(text)
            fmt, sizes = data["format"], data["gram_sizes"]
            texts = {Cause(c): n for c, n in data["texts"].items()}
            grams = {Cause(c): counts for c, counts in data["grams"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidInput(f"not a cause model: {exc}") from exc
        if fmt != _FORMAT or sizes != list(GRAM_SIZES):
            raise InvalidInput(f"a cause model of format {fmt} with grams {sizes}: not this one")
        return cls(texts, grams)


def _heaviest_window(plain: str, mass: list[float], start: int, end: int) -> tuple[float, str]:
    """The run ``plain[start:end]`` with its weight, cut to its heaviest :data:`_LONGEST`
    characters; a cut inside an English word takes the whole word ("ength" is "length")."""
    width = min(_LONGEST, end - start)
    best = max(range(start, end - width + 1), key=lambda i: sum(mass[i : i + width]))
    start, end = best, best + width
    while start > 0 and _letter(plain[start - 1]) and _letter(plain[start]):
        start -= 1
    while end < len(plain) and _letter(plain[end - 1]) and _letter(plain[end]):
        end += 1
    return sum(mass[start:end]), plain[start:end].strip()


def _letter(char: str) -> bool:
    return char.isascii() and char.isalnum()


def train_cause_model(examples: Iterable[tuple[str, Cause]]) -> CauseModel:
    """A model counted from labelled reviews: ``(text, cause)`` pairs."""
    texts: dict[Cause, int] = {}
    grams: dict[Cause, dict[str, int]] = {}
    for text, cause in examples:
        if not isinstance(text, str) or not isinstance(cause, Cause):
            raise InvalidInput(f"a labelled review is (text, Cause), got ({text!r}, {cause!r})")
        texts[cause] = texts.get(cause, 0) + 1
        counts = grams.setdefault(cause, {})
        for gram in _grams(normal(text)):
            counts[gram] = counts.get(gram, 0) + 1
    return CauseModel(texts, grams)


@functools.cache
def default_cause_model() -> CauseModel:
    """The shipped model, trained on the labelled sets; read on first use."""
    text = (importlib.resources.files(__package__) / _FILE).read_text(encoding="utf-8")
    return CauseModel.from_json(text)


def _corpus(path: Path) -> list[tuple[str, Cause]]:
    """A labelled set (``samples`` or ``items`` of ``{"text", "cause"}``) as examples."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data["samples"] if "samples" in data else data["items"]
    return [(item["text"], Cause(item["cause"])) for item in items]


def main(argv: list[str]) -> int:
    """``build CORPUS... [--out OUT.json]``: train on labelled sets, write the model."""
    out = Path(__file__).with_name(_FILE)
    if "--out" in argv[:-1]:
        at = argv.index("--out")
        out, argv = Path(argv[at + 1]), argv[:at] + argv[at + 2 :]
    if len(argv) < 2 or argv[0] != "build" or "--out" in argv:
        sys.stderr.write(
            "usage: python -m aftersales.reviews._ngrams build CORPUS... [--out OUT]\n"
        )
        return 2
    model = train_cause_model(example for path in argv[1:] for example in _corpus(Path(path)))
    out.write_text(model.to_json() + "\n", encoding="utf-8")
    sys.stdout.write(f"{out}: {sum(model.texts.values())} texts, {out.stat().st_size} bytes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
