"""The board page and a docs page as a browser shows them: headless Chromium.

Debian's ``/usr/bin/chromium`` (or ``AFTERSALES_CHROMIUM``) with a CJK font
(``fonts-noto-cjk``), driven by Playwright. Screenshots go to ``build/screenshots/``
for a person to look at; the assertions are what a reader relies on. Without a
browser the tests skip, unless ``AFTERSALES_BROWSER_REQUIRED=1`` (CI sets it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from aftersales.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "screenshots"
SHOP = ROOT / "examples" / "shop"
AT = "2026-03-31T18:00:00+08:00"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _missing() -> list[str]:
    missing = []
    if _chromium() is None:
        missing.append("Chromium (apt-get install chromium, or set AFTERSALES_CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright (pip install playwright)")
    fonts = shutil.which("fc-list")
    if (
        fonts is None
        or not subprocess.run(
            [fonts, ":lang=zh", "family"], capture_output=True, text=True, check=False
        ).stdout.strip()
    ):
        missing.append("a CJK font (apt-get install fonts-noto-cjk)")
    return missing


def _chromium() -> str | None:
    return os.environ.get("AFTERSALES_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("AFTERSALES_BROWSER_REQUIRED") == "1":
            pytest.fail("the browser test must run here; missing: " + "; ".join(missing))
        pytest.skip("no browser to look with: " + "; ".join(missing))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        # file pages may read each other (the docs' diagram is an <object> of an .svg file)
        args = ["--no-sandbox", "--allow-file-access-from-files"]
        launched = driver.chromium.launch(executable_path=_chromium(), args=args)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def board_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("board")
    owners = folder / "owners.json"
    owners.write_text(json.dumps({"2121433107526266555": "小王"}), encoding="utf-8")
    page = folder / "board.html"
    args = ["board", str(SHOP), "--at", AT, "--format", "html", "--output", str(page)]
    outcome = CliRunner().invoke(cli, [*args, "--assignees", str(owners)])
    assert outcome.exit_code == 0, outcome.output
    return page


def _open(browser: Any, url: str, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    """A page opened with the network cut off; the URLs it tried to fetch from outside."""
    page = browser.new_page(viewport=viewport)
    outside: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(("file:", "data:", "about:")):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    return page, outside


#: Per inline element: its text and the number of line boxes it is laid out on.
_LINES = """(selector) => [...document.querySelectorAll(selector)].map(
    e => [e.textContent.trim(), e.getClientRects().length])"""


def _one_line(page: Any, selector: str) -> None:
    measured = page.evaluate(_LINES, selector)
    assert measured, f"nothing matches {selector}"
    wrapped = [(text, lines) for text, lines in measured if lines != 1]
    assert not wrapped, f"{selector} wraps: {wrapped}"


def _overflow(page: Any) -> int:
    """How far the page scrolls sideways, in CSS pixels."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _fonts(page: Any, selector: str) -> dict[str, int]:
    """The fonts Chromium drew ``selector``'s text with: family -> glyphs drawn."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"]: font["glyphCount"] for font in fonts}


def test_the_board_on_a_desktop(browser: Any, board_file: Path) -> None:
    page, outside = _open(browser, board_file.as_uri(), DESKTOP)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "board-desktop.png", full_page=True)
    assert outside == []
    assert _overflow(page) <= 0
    # the whole table fits a desktop window: no column is pushed out of sight
    hidden = "(e => e.scrollWidth - e.clientWidth)(document.querySelector('.rows'))"
    assert page.evaluate(hidden) <= 0
    _one_line(page, "td.due .when")  # a date and time, not three lines of it
    _one_line(page, ".rule-id")  # RET-RESPOND-5D, not RET- / RESPOND- / 5D, in text too
    assert page.is_visible("th:text('owner')")
    labels = page.locator(".message .label").all_inner_texts()
    assert labels, "no message shown"
    assert all(label.startswith("message to the buyer") for label in labels)
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.message p')).fontSize)"
    )
    assert size >= 13  # read, not squinted at
    # the Chinese of the messages is drawn with a font that has the glyphs (no tofu boxes)
    fonts = _fonts(page, ".message p")
    assert any("CJK" in family and glyphs > 20 for family, glyphs in fonts.items()), fonts


def test_the_board_on_a_phone(browser: Any, board_file: Path) -> None:
    page, outside = _open(browser, board_file.as_uri(), PHONE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "board-phone.png", full_page=True)
    assert outside == []
    assert _overflow(page) <= 0  # nothing to scroll sideways to: every row is a card
    _one_line(page, "td.due .when")
    _one_line(page, ".rule-id")
    widths = page.evaluate(
        "[...document.querySelectorAll('tbody tr')].map(r => r.getBoundingClientRect().width)"
    )
    assert widths
    assert max(widths) <= PHONE["width"]
    assert not page.is_visible("thead")  # each card labels its own fields
    fonts = _fonts(page, ".message p")
    assert any("CJK" in family and glyphs > 20 for family, glyphs in fonts.items()), fonts


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("dot") is None:
        pytest.fail("Graphviz's dot is missing (apt-get install graphviz)")
    out = tmp_path_factory.mktemp("docs")
    sphinx = Path(sys.executable).with_name("sphinx-build")
    done = subprocess.run(
        [str(sphinx), "-q", "-b", "html", "docs", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


def test_a_workflow_page_offline_shows_its_diagram(browser: Any, docs_site: Path) -> None:
    url = (docs_site / "workflows" / "return_and_refund.html").as_uri()
    page, outside = _open(browser, url, DESKTOP)
    page.wait_for_function("document.querySelector('object.graphviz').contentDocument !== null")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "docs-workflow.png", full_page=True)
    assert outside == []  # no CDN, no web font: the page is whole offline
    drawn = page.evaluate(
        """() => {
        const svg = document.querySelector('object.graphviz').contentDocument.querySelector('svg');
        const box = document.querySelector('object.graphviz').getBoundingClientRect();
        return [svg.textContent, box.width, box.height];
    }"""
    )
    text, width, height = drawn
    assert "WAIT_SELLER_AGREE" in text
    assert "timeout:seller_response" in text
    assert width > 500
    assert height > 500
    assert "stateDiagram" not in page.inner_text("body")  # no diagram source left as text
    # the diagram scrolls in its own box; the page itself does not scroll sideways
    assert _overflow(page) <= 0
    # table cells break at spaces only: an identifier stays on one line
    _one_line(page, "table.docutils code.literal")


def test_a_workflow_page_on_a_phone_shows_the_whole_diagram(browser: Any, docs_site: Path) -> None:
    url = (docs_site / "workflows" / "return_and_refund.html").as_uri()
    page, outside = _open(browser, url, PHONE)
    page.wait_for_function("document.querySelector('object.graphviz').contentDocument !== null")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "docs-workflow-phone.png")
    assert outside == []
    assert _overflow(page) <= 0
    box = page.evaluate(
        "(r => [r.left, r.right, r.height])"
        "(document.querySelector('object.graphviz').getBoundingClientRect())"
    )
    left, right, height = box
    assert left >= 0
    assert right <= PHONE["width"]  # all of it in view, to pinch and zoom
    assert height > 300  # scaled as a picture, not squashed
