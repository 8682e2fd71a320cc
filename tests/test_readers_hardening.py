"""One record, one problem: each family of bad input the readers meet, refused clearly.

Every family from the hardening issue has a test here: amounts that overflow or are
not plain ASCII decimals, files that are not UTF-8 or nest too deep, unknown keys in
scenario files, impossible orderings, IDs as numbers and as text, and a deadline past
the calendar on ``board --casebook``. The fuzz suite (test_fuzz_readers.py) throws
random and almost-right input at the same readers.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest
from click.testing import CliRunner

from aftersales import Money
from aftersales.adapters import taobao
from aftersales.cli import main
from aftersales.core import InvalidInput
from aftersales.core._document import DocumentError, json_document
from aftersales.core._policy import preset
from aftersales.scenarios import ScenarioError, run_scenario, scenario_schema
from aftersales.shopfolder import load_shop

EXAMPLES = Path(__file__).parent.parent / "examples"
AT = "2026-03-31T18:00:00+08:00"
AT_INSTANT = pendulum.datetime(2026, 3, 31, 18, tz="Asia/Shanghai")
SCENARIO: dict[str, Any] = json.loads(
    (EXAMPLES / "scenarios/return-seller-silent.json").read_text(encoding="utf-8")
)
ORDER: dict[str, Any] = json.loads(
    (EXAMPLES / "orders/late-before-spring-festival.json").read_text(encoding="utf-8")
)
REFUND: dict[str, Any] = json.loads(
    (EXAMPLES / "taobao/refund_get.json").read_text(encoding="utf-8")
)["refund_get_response"]["refund"]

#: Amounts Decimal() reads (or overflows on) that are not money.
BAD_AMOUNTS = ["1e30", 10**30, "9" * 5000, "1e999999999", "²", "7_9", "７９", "٧٩", "59.9e0"]


def _open_case() -> dict[str, Any]:
    """A case scenario still waiting for the seller at AT: it shows on the board."""
    doc = copy.deepcopy(SCENARIO)
    doc["case"]["id"] = "R-GOOD"
    doc["case"]["opened_at"] = "2026-03-30T10:00:00+08:00"
    doc["events"] = []
    del doc["at"]
    return doc


def _board(folder: Path, *more: str) -> Any:
    result = CliRunner().invoke(main, ["board", str(folder), "--at", AT, "--format", "json", *more])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.mark.parametrize("value", BAD_AMOUNTS, ids=repr)
def test_money_refuses_overflow_and_non_ascii_digits(value: object) -> None:
    with pytest.raises(InvalidInput, match=r"not an amount|too large") as caught:
        Money(value)
    assert len(str(caught.value)) < 200  # a 5000-digit string is not echoed whole


def test_money_still_reads_plain_yuan() -> None:
    assert str(Money(" 59.9 ")) == "59.90"
    assert str(Money(Decimal("999999999999.99"))) == "999999999999.99"
    assert str(Money(59)) == "59.00"


@pytest.mark.parametrize("value", BAD_AMOUNTS, ids=repr)
def test_a_bad_amount_is_one_problem_row_on_the_board(tmp_path: Path, value: object) -> None:
    (tmp_path / "good.json").write_text(json.dumps(_open_case()), encoding="utf-8")
    bad = copy.deepcopy(SCENARIO)
    bad["case"]["amount"] = value
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    doc = json.loads(_board(tmp_path).output)
    assert [a["case_id"] for a in doc["actions"]] == ["R-GOOD"]
    (problem,) = doc["problems"]
    assert problem["source"].endswith("bad.json")
    assert "case.amount" in problem["problem"]  # the error names its field


def test_json_numbers_too_long_or_too_large_are_refused(tmp_path: Path) -> None:
    for literal in ("9" * 5000, "1e999999999"):
        text = json.dumps(SCENARIO).replace('"129.00"', literal, 1)
        path = tmp_path / "s.json"
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["timeline", str(path)])
        assert result.exit_code == 1, result.output
        assert result.output.startswith("error: ")
        assert result.output.count("\n") == 1


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (json.dumps(SCENARIO, ensure_ascii=False).encode("gbk"), "GB18030/GBK"),
        (json.dumps(SCENARIO, ensure_ascii=False).encode("utf-16"), "UTF-16"),
        (bytes(range(256)), "not text"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
    ],
    ids=["gbk", "utf-16", "binary", "deep"],
)
def test_files_that_are_not_utf8_json_are_refused_by_every_reader(
    tmp_path: Path, data: bytes, says: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    with pytest.raises(DocumentError, match=says):
        json_document(data, "bad.json")
    for args in (["timeline", str(path)], ["review", str(path)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, result.output
        assert says in result.output
        assert result.output.count("\n") == 1
    (tmp_path / "good.json").write_text(json.dumps(_open_case()), encoding="utf-8")
    doc = json.loads(_board(tmp_path).output)
    assert [a["case_id"] for a in doc["actions"]] == ["R-GOOD"]
    assert says in doc["problems"][0]["problem"]
    shop = load_shop([tmp_path], preset("taobao"), AT_INSTANT)
    assert len(shop.items) == 1
    assert len(shop.problems) == 1
    (problem,) = taobao.load_exports(path).problems
    assert problem.kind == "export"
    assert says in str(problem)


def test_a_utf8_bom_is_accepted_by_the_cli_and_the_python_loaders(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_open_case()).encode())
    assert CliRunner().invoke(main, ["timeline", str(path)]).exit_code == 0
    shop = load_shop([path], preset("taobao"), AT_INSTANT)
    assert len(shop.items) == 1
    assert shop.problems == ()
    export = tmp_path / "exports" / "refund.json"
    export.parent.mkdir()
    export.write_bytes(
        b"\xef\xbb\xbf" + json.dumps({"refund_get_response": {"refund": REFUND}}).encode()
    )
    assert taobao.load_exports(export).problems == ()


def test_a_deeply_nested_export_is_one_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_bytes(b"[" * 50_000)
    (tmp_path / "refund.json").write_text(json.dumps({"refund_get_response": {"refund": REFUND}}))
    result = taobao.load_exports(tmp_path)
    assert len(result.cases) == 1
    (problem,) = result.problems
    assert "deep.json" in str(problem)


def _export(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"refunds_receive_get_response": {"refunds": {"refund": records}}}


def test_a_bad_refund_fee_costs_only_its_record() -> None:
    other = dict(REFUND, refund_id="205112233445566799", refund_fee="1e30")
    result = taobao.import_exports([("refunds.json", _export([REFUND, other]))])
    assert [c.case.id for c in result.cases] == [REFUND["refund_id"]]
    (problem,) = result.problems
    assert (problem.record_id, problem.field) == ("205112233445566799", "refund_fee")


@pytest.mark.parametrize("value", ["²", "١٢", "7_9"])
def test_whole_number_fields_take_ascii_digits_only(value: str) -> None:
    bad = dict(REFUND, refund_id="205112233445566799", cs_status=value)
    result = taobao.import_exports([("refunds.json", _export([REFUND, bad]))])
    assert len(result.cases) == 1
    (problem,) = result.problems
    assert problem.field == "cs_status"


@pytest.mark.parametrize("refund_id", [0, "0", 2**63, str(2**63), -5, "-5"], ids=repr)
def test_an_id_is_held_to_one_rule_as_a_number_or_as_text(refund_id: object) -> None:
    result = taobao.import_exports([("r.json", dict(REFUND, refund_id=refund_id))])
    (problem,) = result.problems
    assert problem.field == "refund_id"
    good = taobao.import_exports([("r.json", dict(REFUND, refund_id=2**63 - 1))])
    assert good.problems == ()
    assert good.cases[0].case.id == str(2**63 - 1)
    assert taobao.import_exports([("r.json", dict(REFUND, refund_id=str(2**63 - 1)))]).cases[
        0
    ].case.id == str(2**63 - 1)


# -- say no instead of guessing ------------------------------------------------------------


def _with(doc: dict[str, Any], path: list[str | int], key: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    target: Any = doc
    for step in path:
        target = target[step]
    target[key] = "2026-02-28T00:00:00+08:00"
    return doc


@pytest.mark.parametrize(
    ("doc", "path", "where"),
    [
        (SCENARIO, [], "case scenario"),
        (SCENARIO, ["case"], "case"),
        (SCENARIO, ["case", "order"], "case.order"),
        (ORDER, [], "order scenario"),
        (ORDER, ["order"], "order"),
    ],
)
def test_unknown_keys_are_refused_where_the_schema_closes_the_object(
    doc: dict[str, Any], path: list[str | int], where: str
) -> None:
    schema: Any = scenario_schema()
    node = schema
    for step in path:
        node = node["properties"][step]
    assert node["additionalProperties"] is False  # the schema says closed ...
    with pytest.raises(ScenarioError) as caught:
        run_scenario(_with(doc, path, "evnets"))  # ... and the loader agrees
    message = str(caught.value)
    assert where in message
    assert "'evnets'" in message
    assert "allowed:" in message
    allowed = message.split("allowed: ")[1].split(", ")
    # the keys the loader names are exactly the schema's for that object
    assert set(allowed) <= set(node["properties"])
    for key in allowed:  # and each of them is one the loader reads without complaint
        assert key in node["properties"]


def test_a_misspelt_finished_at_is_refused_not_ignored() -> None:
    doc = _with(SCENARIO, ["case", "order"], "finish_at")
    with pytest.raises(ScenarioError, match=r"finish_at.*finished_at"):
        run_scenario(doc)


def test_an_order_item_with_an_unknown_key_is_refused() -> None:
    doc = copy.deepcopy(SCENARIO)
    doc["case"]["order"]["items"] = [{"oid": "1", "paid": "129.00", "titel": "x"}]
    with pytest.raises(ScenarioError, match=r"items\[0\].*'titel'"):
        run_scenario(doc)


def test_signed_before_shipped_is_refused() -> None:
    doc = copy.deepcopy(ORDER)
    events = doc["events"]
    signed = events.pop()
    events.insert(1, dict(signed, at="2026-02-15T19:30:00+08:00"))
    with pytest.raises(ScenarioError, match="signed before any shipped"):
        run_scenario(doc)
    case = copy.deepcopy(SCENARIO)
    case["case"]["order"]["signed_at"] = "2026-02-25T10:00:00+08:00"  # before shipped_at
    with pytest.raises(ScenarioError, match="signed_at is before shipped_at"):
        run_scenario(case)


def test_the_schema_and_the_loader_agree_on_the_examples() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = scenario_schema()
    for path in [*EXAMPLES.glob("scenarios/*.json"), *EXAMPLES.glob("orders/*.json")]:
        doc = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)
        refused = ""
        try:
            run_scenario(doc, base=path.parent)
        except ScenarioError as exc:  # an example may show a refusal, never a bad file
            refused = str(exc)
        assert "unknown key" not in refused


# -- board --casebook: a deadline past the calendar -----------------------------------------


def test_board_casebook_strict_calendar_shows_a_problem_row(tmp_path: Path) -> None:
    from aftersales.casebook import Casebook
    from aftersales.core import case_to_json
    from aftersales.scenarios import scenario_case

    good = json.loads((EXAMPLES / "shop-december/return-seller-to-answer.json").read_text())
    late = json.loads((EXAMPLES / "shop-december/intervention-into-2027.json").read_text())
    for name, doc in (("good", good), ("late", late)):
        case, _ = scenario_case(doc)
        (tmp_path / f"{name}.json").write_text(case_to_json(case), encoding="utf-8")
    book_path = str(tmp_path / "shop.sqlite")
    with Casebook.open(book_path) as book:
        report = book.ingest_files([tmp_path / "good.json", tmp_path / "late.json"])
        assert report.rejected == 0, str(report)
    args = ["board", "--casebook", book_path, "--at", "2026-12-31T18:00:00+08:00"]
    result = CliRunner().invoke(main, [*args, "--format", "json", "--strict-calendar"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [a["case_id"] for a in doc["actions"]] == ["R-2026122902"]
    (problem,) = doc["problems"]
    assert problem["case_id"] == "R-2026122201"
    assert "no holiday data for 2027" in problem["problem"]
    text = CliRunner().invoke(main, [*args, "--strict-calendar"]).output
    assert "1 record could not be used" in text


def test_two_snapshots_with_the_same_modified_but_different_content_conflict() -> None:
    other = dict(REFUND, refund_fee="100.00")  # same refund_id, same modified
    result = taobao.import_exports([("a.json", REFUND), ("b.json", other)])
    assert result.cases == ()
    assert [p.field for p in result.problems] == ["modified", "modified"]
    assert all("conflict" in p.problem for p in result.problems)
    same = taobao.import_exports([("a.json", REFUND), ("b.json", dict(REFUND))])
    assert len(same.cases) == 1  # the very same snapshot twice is a duplicate, as before
    assert "duplicate" in same.problems[0].problem


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("deep", b"[" * 5000 + b"]" * 5000),
        ("long-int", b'{"refund_id": ' + b"9" * 5000 + b"}"),
        ("gbk", '{"reason": "不想要了"}'.encode("gbk")),
        ("binary", bytes(range(256))),
    ],
)
def test_ingest_reports_an_unreadable_file_and_stores_the_rest(
    tmp_path: Path, name: str, data: bytes
) -> None:
    from aftersales.casebook import Casebook

    good = EXAMPLES / "taobao"
    (tmp_path / f"{name}.json").write_bytes(data)
    with Casebook.open(":memory:") as book:
        alone = book.ingest_files([good])
        with Casebook.open(":memory:") as other:
            mixed = other.ingest_files([good, tmp_path / f"{name}.json"])
            assert other.count() == book.count() > 0  # the good records all stored
    assert mixed.new == alone.new
    assert mixed.rejected == alone.rejected + 1
    (bad,) = [o for o in mixed.outcomes if o.source.endswith(f"{name}.json")]
    assert bad.result == "rejected"
    assert "\n" not in bad.reason


def test_ingest_reads_a_utf8_file_with_a_bom(tmp_path: Path) -> None:
    from aftersales.casebook import Casebook

    text = (EXAMPLES / "taobao" / "refunds_receive_get.json").read_text(encoding="utf-8")
    plain, marked = tmp_path / "plain.json", tmp_path / "bom.json"
    plain.write_text(text, encoding="utf-8")
    marked.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    with Casebook.open(":memory:") as a, Casebook.open(":memory:") as b:
        assert a.ingest_files([plain]).new == b.ingest_files([marked]).new > 0
