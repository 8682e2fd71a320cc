"""The project's two everyday commands, runnable with nothing but ``python3``.

``python3 tasks.py demo``   creates ``.venv`` (once), installs the project and runs
                            the main job: the action board of the example shop.
``python3 tasks.py test``   the whole check: ruff, mypy --strict, the layer contract,
                            pytest, the docs site.
``python3 tasks.py bench``  the benchmarks (``python -m benchmarks``; ``--quick``, ``--json``).

Both install what they need into ``.venv`` by themselves; the install is redone
only when ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".aftersales-installed"


def _run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, check=False)
    if completed.returncode != 0:
        raise SystemExit(completed.returncode)


def _ensure_env() -> None:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    python = BIN / "python"
    # dependency groups need pip >= 25.1
    _run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip>=25.1")
    _run(python, "-m", "pip", "install", "--quiet", "-e", ".[testing]", "--group", "dev")
    STAMP.write_text(digest)


def demo(args: list[str]) -> None:
    _ensure_env()
    # examples/shop/example.toml gives the instant: the month's last evening, 2026-03-31 18:00
    _run(BIN / "aftersales", "board", "examples/shop", *args)


def _require_dot() -> None:
    """The docs draw their diagrams with Graphviz at build time (docs/conf.py)."""
    if shutil.which("dot") is None:
        print(
            "Graphviz's `dot` is missing: the docs site draws its diagrams with it.\n"
            "Install it with `sudo apt-get install graphviz` (Debian, Ubuntu),\n"
            "`brew install graphviz` (macOS) or from https://graphviz.org/download/.",
            file=sys.stderr,
        )
        raise SystemExit(2)


def test(args: list[str]) -> None:
    _require_dot()
    _ensure_env()
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "ruff", "format", "--check", ".")
    _run(BIN / "mypy")
    # the layer contract: imports run one way, no cycles (pyproject.toml, docs/design.md)
    _run(BIN / "lint-imports", "--no-cache")
    _run(BIN / "python", "-m", "pytest", *args)
    # the docs site, warnings as errors, into build/docs (open build/docs/index.html)
    _run(BIN / "sphinx-build", "-q", "-W", "--keep-going", "-b", "html", "docs", "build/docs")


def bench(args: list[str]) -> None:
    _ensure_env()
    _run(BIN / "python", "-m", "benchmarks", *args)


COMMANDS = {"demo": demo, "test": test, "bench": bench}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        raise SystemExit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
