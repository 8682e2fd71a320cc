"""Sphinx configuration: the docs site is built from these Markdown pages (MyST).

Built by ``python3 tasks.py test`` (and so by CI) with warnings as errors.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path
from typing import Any

project = "aftersales"
author = "aftersales maintainers"
copyright = "2026, aftersales maintainers"
release = importlib.metadata.version("aftersales")

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.graphviz",
    "sphinx_click",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_generated", "generate.py"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# ```{graphviz} blocks are drawn to SVG files at build time by Graphviz's `dot`
# (apt-get install graphviz): the pages show them with no script and no network.
graphviz_output_format = "svg"
graphviz_dot_args = ["-Gfontname=sans-serif", "-Nfontname=sans-serif", "-Efontname=sans-serif"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}
html_theme = "furo"
html_title = "aftersales"
html_static_path = ["_static"]
html_css_files = ["aftersales.css"]


def _write_layer_map() -> None:
    """docs/design.md includes the layer map, generated here so that it cannot drift."""
    here = Path(__file__).resolve().parent
    spec = importlib.util.spec_from_file_location("generate", here / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    out = here / "_generated" / "layers.md"
    out.parent.mkdir(exist_ok=True)
    text = generate.layer_map()
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")


#: A page that loads a script, a style sheet or a font from the network does not work
#: offline (or on a machine without one): the build fails instead.
_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)=["']?(?:https?:)?//""", re.I
)


def _check_offline(app: Any, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    found = [
        f"{page.relative_to(out)}: {match.group(0)}"
        for page in sorted(out.rglob("*.html"))
        for match in _EXTERNAL.finditer(page.read_text(encoding="utf-8"))
    ]
    found += [
        f"{sheet.relative_to(out)}: {url}"
        for sheet in sorted(out.rglob("*.css"))
        for url in re.findall(r"url\(\s*[\"']?((?:https?:)?//[^)\"']+)", sheet.read_text("utf-8"))
    ]
    if found:
        raise RuntimeError("the docs load from the network:\n" + "\n".join(found))


def setup(app: Any) -> None:
    app.connect("build-finished", _check_offline)


_write_layer_map()
