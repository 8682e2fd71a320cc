"""Lazy re-exports (PEP 562): a package names its public values without importing them.

``import aftersales`` used to import every module of the core, building each value
class (attrs writes their methods with ``compile``), the JSON converter and the
calendar data, before a command had done anything. A package now lists which of its
modules defines each name; the module is imported when the name is first read, and
the value is then kept in the package's namespace, so later reads cost nothing.

The package keeps its ``__all__`` and imports the same names under
``if TYPE_CHECKING:``, so mypy and editors see them as before.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose ``exports`` map each of its
    modules (relative, e.g. ``"_case"``) to the names it defines."""
    where = {name: module for module, names in exports.items() for name in names}
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> object:  # noqa: N807 (the module hook's own name)
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted({*namespace, *where})

    return __getattr__, __dir__
