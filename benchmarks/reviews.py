"""Review causes per second (issue 19: "a review in well under 10 ms").

The development set's texts (``tests/data/reviews.json``, all scripts) classified
over and over by ``classify_review`` with the default words, side by side with its
parts: the normalisation alone (NFKC, Cantonese, OpenCC) and the segmenter alone
(rjieba, the rule set's words added). The one-off costs are measured in fresh
processes: ``import aftersales.reviews`` (the segmenter not yet loaded), the
first classification of a review with nothing to go on (segmenter loaded, words
compiled, the model not read) and the first of a review that names something (the
shipped model of labelled reviews read as well). ``python -m benchmarks reviews``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from aftersales.reviews import DEFAULT_CAUSE_RULES, classify_review
from aftersales.reviews._classify import _compiled
from aftersales.reviews._normal import normal as _normal
from aftersales.reviews._segment import tokens

from ._timing import Figure, side_by_side

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "reviews.json"
COLD = {
    "fresh process: import aftersales.reviews": "import aftersales.reviews",
    # only a mood: UNKNOWN, the listening step asks (REV-LISTEN), no model read
    "fresh process: import + first classify_review, unknown": (
        "from aftersales.reviews import classify_review; classify_review('失望，不推荐')"
    ),
    # the words name the goods: the shipped model of labelled reviews is read too
    "fresh process: import + first classify_review, the model read": (
        "from aftersales.reviews import classify_review; classify_review('质量太差')"
    ),
}


def texts() -> list[str]:
    return [item["text"] for item in json.loads(CORPUS.read_text(encoding="utf-8"))["samples"]]


def _cold(code: str, rounds: int) -> float:
    """Median seconds of ``python -c code`` (a fresh interpreter each time)."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(*, quick: bool) -> list[Figure]:
    corpus = texts()
    words = _compiled(DEFAULT_CAUSE_RULES).segmenter_words
    normal = [_normal(t) for t in corpus]

    def classify() -> int:
        for text in corpus:
            classify_review(text)
        return len(corpus)

    def normalise() -> int:
        for text in corpus:
            _normal(text)
        return len(corpus)

    def segment() -> int:
        for text in normal:
            tokens(text, words)
        return len(corpus)

    repeats = 5 if quick else 15
    rates = side_by_side(
        {
            f"classify_review, {len(corpus)} reviews": classify,
            "normalise only (NFKC, Cantonese, OpenCC)": normalise,
            "segment only (rjieba)": segment,
        },
        repeats=repeats,
    )
    figures = [
        Figure("reviews", name, rate, "reviews/s", repeats, f"{1000 / rate:.3f} ms each")
        for name, rate in rates.items()
    ]
    rounds = 3 if quick else 7
    python = _cold("pass", rounds)
    for name, code in COLD.items():
        seconds = _cold(code, rounds)
        note = f"{seconds * 1000:.0f} ms, {(seconds - python) * 1000:.0f} ms over python -c pass"
        figures.append(Figure("reviews", name, 1 / seconds, "starts/s", rounds, note))
    return figures
