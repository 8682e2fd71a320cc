"""Messages per second: the return address after agreeing (``return/agreed.txt``).

A typical chat message: money, a deadline with the time left, the shop's
address, all through the sandboxed environment with its Babel filters. The
context is built once per case, as a shell would; both steps are measured.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aftersales import SellerAgreed, open_case, step
from aftersales.messages import EXAMPLE_SHOP, MessageEnvironment, context_for, environment

from . import engine
from ._timing import Figure, side_by_side

TEMPLATE = "return/agreed.txt"


def run(*, quick: bool) -> list[Figure]:
    cases = []
    for req, evs, _ in engine.scripts(100):
        case, _ = open_case(req, engine.POLICY)
        agreed = evs[0]
        assert isinstance(agreed, SellerAgreed)
        cases.append(step(case, agreed, engine.POLICY)[0])
    repeats = 5 if quick else 15
    contenders: dict[str, Callable[[], int]] = {}
    for locale in ("zh_CN", "en"):
        env = environment(locale=locale)
        contexts = [
            context_for(c, engine.POLICY, shop=EXAMPLE_SHOP, now=c.changed_at) for c in cases
        ]
        assert all("¥" in env.render(TEMPLATE, ctx) for ctx in contexts)

        def render(env: MessageEnvironment = env, contexts: list[Any] = contexts) -> int:
            for ctx in contexts:
                env.render(TEMPLATE, ctx)
            return len(contexts)

        def build_and_render(env: MessageEnvironment = env) -> int:
            for c in cases:
                ctx = context_for(c, engine.POLICY, shop=EXAMPLE_SHOP, now=c.changed_at)
                env.render(TEMPLATE, ctx)
            return len(cases)

        contenders[f"{TEMPLATE} chat, {locale}"] = render
        contenders[f"context_for + render, {locale}"] = build_and_render
    rates = side_by_side(contenders, repeats=repeats)
    return [Figure("rendering", name, rate, "messages/s", repeats) for name, rate in rates.items()]
