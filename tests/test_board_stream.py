"""``board`` and ``load_shop`` on a large refund export, read a record at a time.

The streaming threshold is lowered here so that a small generated export takes the
streaming path; the whole-file path on the same files is the reference: the same
board, the same problem rows, every record accounted for.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pendulum
import pytest
from benchmarks import exports
from click.testing import CliRunner

from aftersales import preset
from aftersales.adapters import _stream
from aftersales.board import CaseSummary, board, summarize
from aftersales.cli import main as cli
from aftersales.core._case import Case
from aftersales.shopfolder._load import ShopData, load_shop

SHOP = Path(__file__).resolve().parent.parent / "examples" / "shop"
AT_TEXT = "2026-03-31T18:00:00+08:00"
AT = pendulum.datetime(2026, 3, 31, 18, tz="Asia/Shanghai")


def _records(n: int, seed: int) -> list[dict[str, Any]]:
    """Generated refunds; every fifth a second after-sale refund on the order before it
    (AFTER-ONCE across records and pages), and a refund listed twice in one page."""
    records = list(exports.records(n, seed))
    for i in range(5, n, 5):
        for r in (records[i - 1], records[i]):
            r["refund_phase"] = "aftersale"
        records[i]["tid"] = records[i - 1]["tid"]
    j = next(i for i, r in enumerate(records) if i >= 30 and r["modified"] > r.get("created", "~"))
    older = copy.deepcopy(records[j])
    older["modified"] = older["created"]
    records.insert(j + 1, older)  # the same refund, an older snapshot: one duplicate problem
    return records


def _export(folder: Path, n: int, seed: int) -> Path:
    body = {"refunds_receive_get_response": {"refunds": {"refund": _records(n, seed)}}}
    path = folder / f"refunds-{n}-{seed}.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def _key(problem: dict[str, Any]) -> str:
    return json.dumps(problem, sort_keys=True)


def _streaming(monkeypatch: pytest.MonkeyPatch, page: int = 7) -> None:
    monkeypatch.setattr(_stream, "STREAM_FROM", 0)
    monkeypatch.setattr(_stream, "STREAM_PAGE", page)


@pytest.mark.parametrize(("n", "seed", "page"), [(240, 1, 7), (150, 2, 2000)])
def test_a_streamed_export_gives_the_whole_files_board_and_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int, seed: int, page: int
) -> None:
    path = _export(tmp_path, n, seed)
    policy = preset("taobao")
    whole = load_shop([path], policy, AT)
    assert not whole.streamed
    _streaming(monkeypatch, page)
    streamed = load_shop([path], policy, AT)
    assert [e.path for e in streamed.streamed] == [path]
    assert board(streamed.items, AT).actions == board(whole.items, AT).actions
    # the same problem rows; each kind in the same order, but the records the engine
    # refuses (found after a page's reading, not the file's) come a page at a time
    assert sorted(map(_key, streamed.problems)) == sorted(map(_key, whole.problems))
    if page >= n:
        assert streamed.problems == whole.problems
    # the streamed export's open cases are board rows, its finished ones are not kept
    assert all(isinstance(item, CaseSummary) for item in streamed.items)
    cases = [item for item in whole.items if isinstance(item, Case)]
    assert list(streamed.items) == [s for c in cases if (s := summarize(c)) is not None]
    assert len(streamed.items) < len(cases)  # some finished: no row
    # every record accounted for: a case (open or finished) or one problem row
    refused = [p for p in streamed.problems if p.get("kind") == "refund"]
    assert len(cases) + len(refused) == n + 1
    assert any("duplicate" in p["problem"] for p in refused)
    assert any(p["problem"] for p in refused if p["field"] != "refund_id")


def _board_json(folder: Path, *args: str) -> dict[str, Any]:
    outcome = CliRunner().invoke(
        cli, ["board", str(folder), "--at", AT_TEXT, "--format", "json", *args]
    )
    assert outcome.exit_code == 0, outcome.output
    doc: dict[str, Any] = json.loads(outcome.output)
    return doc


def test_board_on_a_streamed_export_with_the_shop_renders_the_shown_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example shop's files beside a generated export: trades, reviews and the
    shop's own refunds; the messages of the shown rows come from the full cases."""
    folder = tmp_path / "shop"
    shutil.copytree(SHOP, folder)
    _export(folder, 300, 3)
    expected = _board_json(folder, "--limit", "60")
    _streaming(monkeypatch)
    got = _board_json(folder, "--limit", "60")
    assert got["actions"] == expected["actions"]
    # two exports streamed now, each one's problems together: the same rows
    assert sorted(map(_key, got["problems"])) == sorted(map(_key, expected["problems"]))
    generated = {a["case_id"] for a in got["actions"][:60] if a["case_id"].startswith("2051")}
    assert any("message" in a for a in got["actions"] if a["case_id"] in generated)


def test_an_export_broken_part_way_shows_the_records_before_the_break(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _export(tmp_path, 60, 4)
    text = path.read_text(encoding="utf-8")
    cut = text.index('{"refund_id"', len(text) // 2)
    path.write_text(text[:cut] + "{oops", encoding="utf-8")
    _streaming(monkeypatch, 10)
    shop: ShopData = load_shop([path], preset("taobao"), AT)
    broken = [p for p in shop.problems if p["source"] == str(path)]
    assert len(broken) == 1
    assert "cannot be read as JSON after" in broken[0]["problem"]
    assert shop.items  # the pages before the break are on the board
