"""What a newcomer meets on the command line: examples judged at their own instant, the
deliberate bad record labelled, a readable timeline, a rules legend, a worker that says
what it is doing."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pendulum
import pytest
from click.testing import CliRunner, Result

from aftersales.casebook import Casebook, run_worker
from aftersales.cli import main
from aftersales.cli._rules import LEGEND
from aftersales.core._rules import RULES, SOURCES

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "examples" / "shop"
SCENARIO = ROOT / "examples" / "scenarios" / "intervention-national-day.json"
AS_OF = "2026-03-31T18:00:00+08:00"


@pytest.fixture(autouse=True)
def _no_casebook_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AFTERSALES_CASEBOOK", raising=False)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_an_example_folder_is_judged_at_its_own_instant_and_says_so() -> None:
    board = run("board", SHOP, "--format", "json")
    assert board.exit_code == 0, board.output
    assert json.loads(board.stdout)["at"] == AS_OF
    assert f"as of {AS_OF} from {SHOP / 'example.toml'}" in board.stderr
    earlier = run("board", SHOP, "--format", "json", "--at", "2026-03-30T09:00:00+08:00")
    assert json.loads(earlier.stdout)["at"] == "2026-03-30T09:00:00+08:00"
    assert "example.toml" not in earlier.stderr  # --at wins, silently


def test_the_platform_exports_example_labels_each_of_its_malformed_records() -> None:
    board = run("board", ROOT / "examples" / "taobao", "--format", "json")
    assert json.loads(board.stdout)["at"] == "2026-03-14T12:00:00+08:00"
    rejected = [p for p in json.loads(board.stdout)["problems"] if "field" in p]
    assert len(rejected) == 10
    assert all(p["note"].startswith("a deliberate example") for p in rejected)


def test_a_shop_s_own_folder_is_judged_as_of_now(tmp_path: Path) -> None:
    shutil.copy(SHOP / "refunds_receive_get.json", tmp_path)
    board = run("board", tmp_path, "--format", "json")
    assert board.exit_code == 0, board.output
    assert "as of" not in board.stderr
    assert json.loads(board.stdout)["at"] > "2026-04"  # not the example's month
    assert all("note" not in p for p in json.loads(board.stdout)["problems"])


def test_the_deliberate_bad_record_is_labelled_where_it_is_reported(tmp_path: Path) -> None:
    board = json.loads(run("board", SHOP, "--format", "json").stdout)
    (problem,) = board["problems"]
    assert problem["source"] == f"{SHOP}/refunds_receive_get.json[8]"
    assert problem["note"].startswith("a deliberate example of a rejected record")
    ingest = run("ingest", "--casebook", tmp_path / "shop.sqlite", SHOP)
    assert ingest.exit_code == 1  # as for any rejected record, and documented so
    assert "a deliberate example of a rejected record" in ingest.stdout
    again = run("ingest", "--casebook", tmp_path / "again.sqlite", SHOP, "--format", "json")
    (rejected,) = [o for o in json.loads(again.stdout)["outcomes"] if o["result"] == "rejected"]
    assert rejected["note"].startswith("a deliberate example of a rejected record")
    assert [o for o in json.loads(again.stdout)["outcomes"] if "note" in o] == [rejected]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("as_of = 2026-03-31T18:00:00\n", "offset"),
        ('as_of = "tomorrow"\n', "as_of"),
        ("when = 2026-03-31T18:00:00+08:00\n", "unknown key 'when'"),
        ("as_of = [\n", "example.toml"),
    ],
)
def test_a_bad_example_file_is_refused_naming_it(tmp_path: Path, text: str, says: str) -> None:
    shutil.copy(SHOP / "refunds_receive_get.json", tmp_path)
    (tmp_path / "example.toml").write_text(text, encoding="utf-8")
    board = run("board", tmp_path)
    assert board.exit_code == 1
    assert str(tmp_path / "example.toml") in board.stderr
    assert says in board.stderr
    assert "allowed: as_of = an instant with its offset" in board.stderr


def test_timeline_is_text_on_a_terminal_and_json_when_piped() -> None:
    piped = run("timeline", SCENARIO)
    assert json.loads(piped.stdout)["state"] == "INTERVENTION_REVIEW"
    leader, follower = pty.openpty()
    aftersales = Path(sys.executable).parent / "aftersales"
    done = subprocess.run(
        [str(aftersales), "timeline", str(SCENARIO)],
        stdout=follower,
        stderr=subprocess.PIPE,
        check=False,
        timeout=60,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: all was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0, done.stderr
    screen = shown.decode("utf-8")
    assert screen.startswith("case R-2026092401 (return_and_refund)")
    assert "timeout:evidence" in screen
    assert "INT-EVIDENCE-3D" in screen
    assert "must act by 2026-10-13T00:00:00+08:00 or flag_overdue (INT-REVIEW-4WD)" in screen


def test_engine_state_and_platform_status_are_labelled_apart() -> None:
    text = run("timeline", SCENARIO, "--format", "text").stdout
    assert "engine state INTERVENTION_REVIEW (platform status SELLER_REFUSE_BUYER)" in text
    demo = run("demo", ROOT / "examples" / "scenarios")
    assert "engine state INTERVENTION_REVIEW (platform status SELLER_REFUSE_BUYER)" in demo.stdout
    assert "now SELLER_REFUSE_BUYER" not in demo.stdout


def test_rules_has_a_header_and_a_legend_for_every_source_code() -> None:
    shown = run("rules")
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[0].split()[:3] == ["rule", "source", "summary"]
    assert LEGEND in shown.stdout
    codes = {c for r in RULES.values() for c in re.findall(r"ext \(law\)|ext|\b\d{3}\b", r.source)}
    assert codes == set(SOURCES)  # every code a rule cites is explained, and no other
    for code in codes:
        assert re.search(rf"^  {re.escape(code)} +{re.escape(SOURCES[code])}$", LEGEND, re.M)


def test_the_worker_says_what_it_watches_and_when_the_next_case_is_due(tmp_path: Path) -> None:
    book = tmp_path / "shop.sqlite"
    run("ingest", "--casebook", book, SHOP)
    at = "2026-03-20T09:00:00+08:00"
    worker = run("worker", "--casebook", book, "--once", "--at", at)
    assert worker.exit_code == 0, worker.output
    start = worker.stderr.splitlines()[0]
    assert start.startswith(f"worker: watching --casebook {book}: 14 cases; next due: case ")
    assert "--once: what is due now, then it exits" in start
    with Casebook.open(str(book)) as opened:
        soonest = opened.next_due(1)[0]
    assert f"case {soonest.case_id} at {soonest.due.in_timezone('Asia/Shanghai').isoformat()}" in (
        start
    )


class _Lines:
    """A structlog-like logger that keeps what it was told."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, dict[str, Any]]] = []

    def info(self, event: str, **fields: Any) -> None:
        self.lines.append((event, fields))

    debug = warning = info


def test_a_worker_falling_idle_names_the_next_case_due(tmp_path: Path) -> None:
    book_path = tmp_path / "shop.sqlite"
    run("ingest", "--casebook", book_path, SHOP)
    stop = threading.Event()
    at = pendulum.parse("2026-03-20T09:00:00+08:00")
    passes = iter(range(3))

    def now() -> Any:
        if next(passes, None) is None:
            stop.set()
        return at

    log = _Lines()
    with Casebook.open(str(book_path)) as book:
        run_worker(book, now=now, handle=lambda e, c: None, stop=stop, idle=0, logger=log)
        soonest = book.next_due(1)[0]
    idle = [fields for event, fields in log.lines if event == "worker_idle"]
    assert idle == [
        {
            "next_case": soonest.case_id,
            "next_due": soonest.due.isoformat(),
            "checking_every": "0 s",
        }
    ]
