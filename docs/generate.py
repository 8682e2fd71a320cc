"""Regenerate the reference pages from the code: ``python docs/generate.py``.

The workflow pages and the rules page come from the tables, the API page from the
public namespaces. The layer map (``layer_map``) is written by ``conf.py`` at every
docs build instead, from the import contract and the modules as they are.
"""

from __future__ import annotations

import importlib
import itertools
import re
import tomllib
from pathlib import Path

from aftersales import Kind
from aftersales.diagrams._diagram import (
    follow_up_dot,
    graphviz_block,
    malicious_dot,
    rules_markdown,
    table_page,
    workflow_markdown,
)

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
SRC = ROOT / "src" / "aftersales"


def layers() -> list[list[str]]:
    """The layer contract of pyproject.toml, top first: each layer's packages."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = (c for c in contracts if c["type"] == "layers")
    return [[name.strip() for name in layer.split("|")] for layer in contract["layers"]]


def _summary(package: str) -> str:
    """The first line of a package's docstring, without the name it repeats."""
    doc = importlib.import_module(f"aftersales.{package}").__doc__ or ""
    first = doc.strip().splitlines()[0].rstrip(".")
    return re.sub(r"\s*\(`+aftersales\.[a-z]+`+\)", "", first)


def _modules(package: str) -> list[str]:
    folder = SRC / package
    return sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")


def _package_imports() -> set[tuple[str, str]]:
    """Which top-level packages import which, read from the code itself (grimp)."""
    import grimp

    graph = grimp.build_graph("aftersales", cache_dir=None)
    packages = [name for layer in layers() for name in layer]
    edges = set()
    for importer in packages:
        for imported in packages:
            if importer != imported and graph.direct_import_exists(
                importer=f"aftersales.{importer}",
                imported=f"aftersales.{imported}",
                as_packages=True,
            ):
                edges.add((importer, imported))
    return edges


def layer_map() -> str:
    """docs/design.md's opening map: the layers, the folder of each, and who imports whom."""
    table = layers()
    lines = [
        "## The map",
        "",
        "Each folder of `src/aftersales/` is one concern. The layers run from the shells",
        "on top to the pure core at the bottom; a module imports only from layers below",
        "its own, and packages side by side in one layer do not import each other.",
        "`lint-imports` checks this contract (`[tool.importlinter]` in `pyproject.toml`)",
        "on every run of the test command. This map is generated from that contract and",
        "from the code at each docs build, so it cannot drift.",
        "",
        "| layer | folder | what it holds | modules |",
        "|---|---|---|---|",
    ]
    for depth, layer in enumerate(table):
        level = len(table) - depth
        for package in layer:
            modules = ", ".join(f"`{m}`" for m in _modules(package))
            lines.append(f"| {level} | `{package}/` | {_summary(package)} | {modules} |")
    lines += [
        "",
        "Imports between the folders, as the code has them (drawn at the docs build):",
        "",
    ]
    dot = [
        "digraph layers {",
        "    rankdir=TB; nodesep=0.2; ranksep=0.3; newrank=true;",
        '    node [shape=box, style=rounded, fontname="sans-serif", fontsize=11];',
        '    edge [color="#777777", arrowsize=0.6];',
    ]
    for depth, layer in enumerate(table):
        level = len(table) - depth
        dot.append(f"    subgraph cluster_{level} {{")
        dot.append(
            f'        label="layer {level}"; labeljust=l; fontname="sans-serif"; '
            'fontsize=10; color="#cccccc";'
        )
        dot.extend(f'        "{package}" [label="{package}/"];' for package in layer)
        same = "; ".join(f'"{package}"' for package in layer)
        dot.append(f"        {{rank=same; {same}}}")
        dot.append("    }")
    # invisible edges keep the layers stacked in their order, top to bottom
    dot.extend(
        f'    "{upper[0]}" -> "{lower[0]}" [style=invis, weight=10];'
        for upper, lower in itertools.pairwise(table)
    )
    dot.extend(f'    "{a}" -> "{b}";' for a, b in sorted(_package_imports()))
    dot.append("}")
    lines.append(graphviz_block("\n".join(dot), "the layers and the imports between them"))
    return "\n".join(lines)


def api_markdown() -> str:
    """docs/api.md: every public namespace, top of the layers last, the everyday one first."""
    lines = [
        "# API reference",
        "",
        "Generated from the public namespaces (`python docs/generate.py`). `aftersales`",
        "holds what a shop's code uses every day; each concern has its own namespace, in",
        "the layer order of [the map](design.md#the-map), core first. Every name listed",
        "here is in its namespace's `__all__`; modules whose names start with `_` are",
        "private and may change without notice.",
        "",
    ]
    namespaces = ["aftersales"] + [
        f"aftersales.{package}"
        for layer in reversed(layers())
        for package in layer
        if package != "cli"
    ]
    # the adapters package holds one public module per platform
    namespaces = [n.replace(".adapters", ".adapters.taobao") for n in namespaces]
    for namespace in namespaces:
        lines += [
            f"## `{namespace}`",
            "",
            "```{eval-rst}",
            f".. automodule:: {namespace}",
            "   :members:",
            "   :imported-members:",
            "   :no-index:",
            "```",
            "",
        ]
    lines += [
        "## The command line",
        "",
        "`aftersales.cli.main` is the `aftersales` command; see [the CLI page](cli.md).",
        "",
    ]
    return "\n".join(lines)


def pages() -> dict[Path, str]:
    result = {DOCS / "rules.md": rules_markdown(), DOCS / "api.md": api_markdown()}
    for kind in Kind:
        result[DOCS / "workflows" / f"{kind.value}.md"] = workflow_markdown(kind)
    result[DOCS / "workflows" / "malicious_order.md"] = table_page(
        "Malicious-order handling table",
        "The handling table of `aftersales.orders` (MAL-*): events move a case between "
        "states; timers are the platform's. See [malicious orders](../malicious.md).",
        malicious_dot(),
    )
    result[DOCS / "workflows" / "review_follow_up.md"] = table_page(
        "Review follow-up table",
        "The follow-up table of `aftersales.reviews` (REV-*): each row is a trigger, the "
        "guard that must hold and the rule it follows. See [review follow-up](../reviews.md).",
        follow_up_dot(),
    )
    return result


if __name__ == "__main__":
    for path, text in pages().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(DOCS.parent)}")
