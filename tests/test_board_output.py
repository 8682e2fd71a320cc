"""The board as a page and as a spreadsheet: what a shop's staff read and open."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pendulum
import pytest
from click.testing import CliRunner

from aftersales import Money
from aftersales.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "examples" / "shop"
AT = "2026-03-31T18:00:00+08:00"
#: A return request waiting for the seller: its message names the refund, yet a miss
#: moves no money (the platform agrees the return; ADVICE seller_response/return_and_refund).
RETURN = "2121433107526266555"


def _board(*args: str) -> str:
    outcome = CliRunner().invoke(cli, ["board", str(SHOP), "--at", AT, *args])
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


@pytest.fixture(scope="module")
def page() -> str:
    return _board("--format", "html")


def _row(page: str, case_id: str) -> str:
    rows: list[str] = re.findall(rf"<tr>(?:(?!</tr>).)*{case_id}(?:(?!</tr>).)*</tr>", page, re.S)
    assert len(rows) == 1, rows
    return rows[0]


def test_the_header_gives_the_instant_in_words_and_its_zone(page: str) -> None:
    assert (
        'as of <time datetime="2026-03-31T18:00:00+08:00">Tue 31 Mar 2026, 18:00 (UTC+08:00)'
        in page
    )


def test_due_times_and_rule_ids_are_kept_on_one_line(page: str) -> None:
    row = _row(page, RETURN)
    assert '<span class="when">2026-04-02 15:20</span>' in row
    assert '<span class="rule-id">RET-RESPOND-5D</span>' in row
    # rule IDs in the advice too: "(<span class="rule-id">SHIP-ESCALATION</span>)"
    late = _row(page, "4092577288149589819")
    assert '(<span class="rule-id">SHIP-ESCALATION</span>)' in late
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert re.search(r"\.due \.when, \.rule, \.rule-id[^{]*\{ white-space: nowrap; \}", css)


def test_the_message_to_the_buyer_is_labelled(page: str) -> None:
    row = _row(page, RETURN)
    assert '<div class="label">message to the buyer (return/agreed.txt)</div>' in row
    assert "¥239.00" in row.split('<div class="message">', 1)[1]


def test_a_row_whose_message_is_not_rendered_names_its_template(page: str) -> None:
    review = _row(page, "4043359202202899433")  # a review follow-up: no case to render from
    assert '<div class="template">message template: review/contact.txt</div>' in review
    assert '<div class="message">' not in review


def test_a_row_whose_miss_moves_no_money_says_so_beside_the_amount(page: str) -> None:
    cell = _row(page, RETURN).split('data-label="at stake">', 1)[1].split("</td>", 1)[0]
    assert "¥239.00 asked; a miss does not pay it out" in cell
    doc = json.loads(_board("--format", "json"))
    (row,) = (a for a in doc["actions"] if a["case_id"] == RETURN)
    assert (row["at_stake"], row["requested"]) == ("0.00", "239.00")


def test_the_owner_column_shows_only_when_owners_are_given(page: str, tmp_path: Path) -> None:
    assert "<th>owner</th>" not in page
    owners = tmp_path / "owners.json"
    owners.write_text(json.dumps({RETURN: "小王"}), encoding="utf-8")
    assigned = _board("--format", "html", "--assignees", str(owners))
    assert "<th>owner</th>" in assigned
    assert '<td data-label="owner">小王</td>' in _row(assigned, RETURN)
    assert '<td data-label="owner"></td>' in _row(assigned, "2164343337807941939")  # no "None"


def test_the_page_is_made_for_phones_and_needs_no_network(page: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media (max-width: 720px)" in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)


def test_a_page_escapes_what_the_records_say() -> None:
    from aftersales.board import Action, Band, Board
    from aftersales.board._output import board_to_html

    at = pendulum.datetime(2026, 3, 31, 18, tz="Asia/Shanghai")
    expiry, step = "<i>late</i>", "<img src=x> (RET-REFUSE)"
    action = Action(
        "<b>1</b>",
        "refund_only",
        "S",
        "seller",
        None,
        None,
        Band.WATCH,
        expiry,
        Money.ZERO,
        "R",
        step,
    )
    html = board_to_html(Board(at, (action,)), messages={"<b>1</b>": "<script>x</script>"})
    assert "<script>x</script>" not in html
    assert "<i>" not in html
    assert "<img" not in html
    assert '&lt;img src=x&gt; (<span class="rule-id">RET-REFUSE</span>)' in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "&lt;b&gt;1&lt;/b&gt;" in html


def test_excel_csv_has_a_bom_ids_as_text_and_dates_excel_reads(tmp_path: Path) -> None:
    out = tmp_path / "board.csv"
    _board("--excel", "--output", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfcase_id,")
    assert b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    (row,) = (r for r in rows if RETURN in r["case_id"])
    assert row["case_id"] == f'="{RETURN}"'  # text: a number would lose its last digits
    assert row["due"] == "2026-04-02 15:20:31"  # no "T", no offset: Excel reads it as a date
    assert row["requested"] == "239.00"
    assert "小林家居" not in data.decode("utf-8-sig")  # messages are not in the CSV


def test_plain_csv_is_unchanged_for_programs() -> None:
    text = _board("--format", "csv")
    assert text.startswith("case_id,")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["case_id"] == RETURN)
    assert row["due"] == "2026-04-02T15:20:31+08:00"


def test_excel_is_csv_only() -> None:
    outcome = CliRunner().invoke(cli, ["board", str(SHOP), "--excel", "--format", "json"])
    assert outcome.exit_code == 2
    assert "--excel writes CSV" in outcome.output
