"""Public names: unique, importable, listed by ``dir()``; and importing the package or the
command line imports only what is used (the core's names are read lazily, ``core._lazy``)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import aftersales
import aftersales.board
import aftersales.core
import aftersales.messages
import aftersales.orders
import aftersales.reviews
import aftersales.scenarios
import aftersales.testing

REFUNDS = (
    Path(__file__).resolve().parent.parent / "examples" / "taobao" / "refunds_receive_get.json"
)

MODULES = (
    aftersales,
    aftersales.core,
    aftersales.testing,
    aftersales.reviews,
    aftersales.orders,
    aftersales.board,
    aftersales.scenarios,
)
#: The packages whose names are read lazily, each from its table (``core._lazy``).
LAZY = (aftersales.core, aftersales.orders, aftersales.scenarios, aftersales.board)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_public_names_are_unique_and_importable(module: types.ModuleType) -> None:
    names = list(module.__all__)
    assert len(names) == len(set(names))
    for name in names:
        assert getattr(module, name) is not None, name
    assert set(names) <= set(dir(module))
    public = {n for n in vars(module) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(names) | {"annotations", "TYPE_CHECKING"}, public - set(names)


@pytest.mark.parametrize("package", LAZY, ids=lambda m: m.__name__)
def test_a_lazy_table_is_the_public_names(package: types.ModuleType) -> None:
    table: dict[str, tuple[str, ...]] = package._EXPORTS
    listed = [name for names in table.values() for name in names]
    assert sorted(listed) == sorted(package.__all__)
    for module, names in table.items():
        defined = vars(importlib.import_module(f"{package.__name__}.{module}"))
        for name in names:
            assert getattr(package, name) is defined[name], (module, name)


def test_the_top_level_names_are_the_cores() -> None:
    for name in aftersales.__all__:
        assert getattr(aftersales, name) is getattr(aftersales.core, name), name


def test_an_unknown_name_is_an_attribute_error() -> None:
    missing = "Nope"
    for module in (aftersales, *LAZY):
        with pytest.raises(AttributeError, match="no attribute 'Nope'"):
            getattr(module, missing)


#: What neither ``import aftersales.cli`` nor ``aftersales rules`` imports: each is
#: for the commands that use it (a behaviour guard; start-up time is benchmarks/startup.py).
NOT_AT_START = (
    "aftersales.board",
    "aftersales.casebook",
    "aftersales.core._case",
    "aftersales.core._engine",
    "aftersales.core._serialize",
    "aftersales.messages",
    "aftersales.scenarios",
    "asyncio",
    "babel",
    "cattrs",
    "chinese_calendar",
    "ijson",
    "jinja2",
    "lunar_python",
    "opencc",
    "psycopg",
    "rjieba",
    "sqlite3",
    "structlog",
)


def _imported_by(code: str) -> list[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return list(json.loads(done.stderr.splitlines()[-1]))


@pytest.mark.parametrize(
    "code",
    [
        "import aftersales",
        "import aftersales.cli",
        "from aftersales.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit: pass",
        "from aftersales.cli import main\ntry:\n    main(['rules'])\nexcept SystemExit: pass",
    ],
    ids=["import aftersales", "import aftersales.cli", "aftersales --help", "aftersales rules"],
)
def test_start_up_imports_only_what_is_used(code: str) -> None:
    modules = _imported_by(code)
    assert not [m for m in NOT_AT_START if m in modules]


def test_the_help_imports_no_command() -> None:
    modules = _imported_by(
        "from aftersales.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit: pass"
    )
    core = [m for m in modules if m.startswith("aftersales.core.")]
    assert core == ["aftersales.core._lazy"]
    assert "pendulum" not in modules
    assert "attrs" not in modules


def test_ingest_leaves_the_worker_s_logging_alone(tmp_path: Path) -> None:
    # structlog (and asyncio under it) is the worker's: an ingest does without it
    modules = _imported_by(
        "from aftersales.casebook import Casebook\n"
        f"book = Casebook.open({str(tmp_path / 'book.sqlite')!r})\n"
        f"assert book.ingest_files([{str(REFUNDS)!r}]).new"
    )
    assert "aftersales.casebook._worker" in modules
    assert "structlog" not in modules


def test_ingest_of_an_export_reads_no_review_or_order_code(tmp_path: Path) -> None:
    # the casebook keeps the board's summary of a case (board._summary), not the board
    export = tmp_path / "refunds.json"
    export.write_text(REFUNDS.read_text(encoding="utf-8"), encoding="utf-8")
    modules = _imported_by(
        "from aftersales.cli import main\ntry:\n"
        f"    main(['ingest', '--casebook', {str(tmp_path / 'book.sqlite')!r}, {str(export)!r}])\n"
        "except SystemExit: pass"  # 1: the example's records the adapter rejects
    )
    assert "aftersales.board._summary" in modules
    assert "aftersales.casebook._store" in modules
    read = [m for m in modules if m.startswith(_NOT_FOR_INGEST)]
    assert not read


#: Packages an ingest of a refund export has no use for (a board, a review, a scenario).
_NOT_FOR_INGEST = (
    "aftersales.board._board",
    "aftersales.orders",
    "aftersales.reviews",
    "aftersales.scenarios",
    "aftersales.shopfolder",
)
