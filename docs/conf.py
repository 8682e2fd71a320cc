"""Sphinx configuration: the docs site is built from these Markdown pages (MyST).

Built by ``python3 tasks.py test`` (and so by CI) with warnings as errors.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

project = "aftersales"
author = "aftersales maintainers"
copyright = "2026, aftersales maintainers"
release = importlib.metadata.version("aftersales")

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxcontrib.mermaid",
    "sphinx_click",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_generated", "generate.py"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# ```mermaid fences in the pages are diagrams, rendered in the browser.
myst_fence_as_directive = ["mermaid"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}
html_theme = "furo"
html_title = "aftersales"


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


_write_layer_map()
