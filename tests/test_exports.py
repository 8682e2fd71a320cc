from __future__ import annotations

import aftersales
import aftersales.board
import aftersales.messages
import aftersales.orders
import aftersales.reviews
import aftersales.testing


def test_public_names_are_unique_and_importable() -> None:
    for module in (
        aftersales,
        aftersales.testing,
        aftersales.reviews,
        aftersales.orders,
        aftersales.board,
    ):
        names = list(module.__all__)
        assert len(names) == len(set(names))
        for name in names:
            assert hasattr(module, name), name
        public = {n for n in vars(module) if not n.startswith("_") and n[0].isupper()}
        assert public <= set(names) | {"annotations"}, public - set(names)
