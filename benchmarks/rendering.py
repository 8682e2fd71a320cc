"""Messages per second: the return address after agreeing (``return/agreed.txt``).

A typical chat message: money, a deadline with the time left, the shop's
address, all through the sandboxed environment with its Babel filters. Two
workloads: 100 cases rendered over and over (the formatting caches warm, as
on a board re-rendered through the day), and 6,000 cases with distinct
deadlines, each rendered once per pass (more distinct values than the caches
hold: every amount, instant and "time left" is formatted afresh). Building the
context (``context_for``) is measured with the cold workload.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aftersales import Case, SellerAgreed, open_case, step
from aftersales.messages import EXAMPLE_SHOP, MessageEnvironment, context_for, environment

from . import engine
from ._timing import Figure, side_by_side

TEMPLATE = "return/agreed.txt"


def _agreed(n: int) -> list[Case]:
    cases = []
    for req, evs, _ in engine.scripts(n):
        case, _ = open_case(req, engine.POLICY)
        agreed = evs[0]
        assert isinstance(agreed, SellerAgreed)
        cases.append(step(case, agreed, engine.POLICY)[0])
    return cases


def run(*, quick: bool) -> list[Figure]:
    warm_cases, cold_cases = _agreed(100), _agreed(6_000)
    repeats = 5 if quick else 15
    contenders: dict[str, Callable[[], int]] = {}
    for locale in ("zh_CN", "en"):
        env = environment(locale=locale)

        def contexts(cases: Sequence[Case]) -> list[Any]:
            return [
                context_for(c, engine.POLICY, shop=EXAMPLE_SHOP, now=c.changed_at) for c in cases
            ]

        warm, cold = contexts(warm_cases), contexts(cold_cases)
        assert all("¥" in env.render(TEMPLATE, ctx) for ctx in warm)

        def render(env: MessageEnvironment = env, contexts: list[Any] = warm) -> int:
            for ctx in contexts:
                env.render(TEMPLATE, ctx)
            return len(contexts)

        def render_cold(env: MessageEnvironment = env, contexts: list[Any] = cold) -> int:
            for ctx in contexts:
                env.render(TEMPLATE, ctx)
            return len(contexts)

        def build_and_render(env: MessageEnvironment = env) -> int:
            for c in cold_cases:
                ctx = context_for(c, engine.POLICY, shop=EXAMPLE_SHOP, now=c.changed_at)
                env.render(TEMPLATE, ctx)
            return len(cold_cases)

        contenders[f"chat {locale}, 100 cases (caches warm)"] = render
        contenders[f"chat {locale}, 6,000 cases (caches cold)"] = render_cold
        contenders[f"context_for + render {locale}, 6,000 cases"] = build_and_render
    rates = side_by_side(contenders, repeats=repeats)
    return [Figure("rendering", name, rate, "messages/s", repeats) for name, rate in rates.items()]
