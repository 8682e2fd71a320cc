"""Sphinx configuration: the docs site is built from these Markdown pages (MyST).

Built by ``python3 tasks.py test`` (and so by CI) with warnings as errors.
"""

from __future__ import annotations

import importlib.metadata

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
exclude_patterns = ["_build", "generate.py"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# ```mermaid fences in the pages are diagrams, rendered in the browser.
myst_fence_as_directive = ["mermaid"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}
html_theme = "furo"
html_title = "aftersales"
