"""The timeline simulator, through the CLI as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from aftersales.cli import main
from aftersales.scenarios import ScenarioError, run_scenario, scenario_schema

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "scenarios"


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def test_return_seller_silent_ends_in_success_on_day_ten_of_the_return() -> None:
    result = _run("timeline", str(EXAMPLES / "return-seller-silent.json"))
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["status"] == "SUCCESS"
    assert out["refunded"] == "129.00"
    assert out["deadline"] is None
    assert [(h["at"], h["to"], h["rule"]) for h in out["history"]] == [
        ("2026-03-02T10:00:00+08:00", "WAIT_SELLER_AGREE", "PRE-APPLY"),
        ("2026-03-07T10:00:00+08:00", "WAIT_BUYER_RETURN_GOODS", "RET-AUTO-AGREE"),
        ("2026-03-08T09:00:00+08:00", "WAIT_SELLER_CONFIRM_GOODS", "RET-BUYER-SHIPS"),
        ("2026-03-18T09:00:00+08:00", "SUCCESS", "RET-CONFIRM-10D"),
    ]


def test_illegal_event_exits_non_zero_naming_position_state_and_allowed() -> None:
    result = _run("timeline", str(EXAMPLES / "return-late-agreement-refused.json"))
    assert result.exit_code == 1
    message = result.output
    assert "events[0]" in message
    assert "WAIT_BUYER_RETURN_GOODS" in message
    assert "buyer_shipped_return" in message


def test_output_is_in_shanghai_time_whatever_the_input_offset() -> None:
    doc = _load("refund-before-shipment-seller-silent.json")
    doc["case"]["opened_at"] = "2026-03-02T02:00:00Z"
    doc["at"] = "2026-03-04T02:00:00+00:00"
    out = run_scenario(doc)
    assert out["status"] == "SUCCESS"
    assert out["history"][-1]["at"] == "2026-03-04T10:00:00+08:00"


def test_open_case_reports_its_running_deadline() -> None:
    doc = _load("refund-before-shipment-refused.json")
    out = run_scenario(doc)
    assert out["status"] == "SELLER_REFUSE_BUYER"
    assert out["deadline"] == {
        "name": "buyer_response",
        "due": "2026-10-08T10:00:00+08:00",
        "on_expiry": "close",
        "rule": "REFUSED-BUYER-7D",
        "waits_for": "buyer",
        "provisional": False,
    }
    assert out["intervention_available_from"] == "2026-10-01T10:00:00+08:00"


def test_policy_overrides_in_a_scenario() -> None:
    doc = _load("return-seller-silent.json")
    doc["policy"] = {"preset": "taobao", "ret_seller_response": "3d"}
    doc["events"] = []
    doc["at"] = "2026-03-05T10:00:00+08:00"
    assert run_scenario(doc)["status"] == "WAIT_BUYER_RETURN_GOODS"
    doc["policy"] = {"preset": "taobao", "overrides": {"ret_seller_response": "6d"}}
    assert run_scenario(doc)["status"] == "WAIT_SELLER_AGREE"


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"case": {"kind": "exchange_maybe"}}, "case.kind"),
        ({"case": {"amount": "12.345"}}, "more than two decimal places"),
        ({"case": {"opened_at": "2026-03-02 10:00"}}, "case.opened_at"),
        ({"policy": "jd"}, "unknown policy preset"),
        ({"events": [{"type": "seller_danced", "at": "2026-03-03T10:00:00+08:00"}]}, "events[0]"),
    ],
)
def test_bad_scenarios_say_what_is_wrong(patch: dict[str, Any], message: str) -> None:
    doc = _load("return-seller-silent.json")
    for key, value in patch.items():
        if isinstance(value, dict):
            doc[key].update(value)
        else:
            doc[key] = value
    with pytest.raises(ScenarioError) as caught:
        run_scenario(doc)
    assert message in str(caught.value)


def test_schema_is_valid_and_every_example_conforms() -> None:
    result = _run("timeline", "--schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema == scenario_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(EXAMPLES.glob("*.json"))
    assert files
    for path in files:
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert errors == [], (path.name, [e.message for e in errors])


def test_schema_rejects_what_the_runner_rejects() -> None:
    validator = jsonschema.Draft202012Validator(scenario_schema())
    doc = _load("return-seller-silent.json")
    doc["case"]["amount"] = "129.001"
    assert list(validator.iter_errors(doc))
    doc["case"]["amount"] = "-1"
    assert list(validator.iter_errors(doc))


def test_demo_runs_every_example() -> None:
    result = CliRunner().invoke(main, ["demo", str(EXAMPLES)])
    assert result.exit_code == 0, result.output
    assert "return-seller-silent.json" in result.output
    assert "refused" in result.output  # the late-agreement example is refused on purpose


def test_rules_lists_ids_with_their_policy_fields() -> None:
    result = _run("rules")
    assert result.exit_code == 0
    assert "RET-CONFIRM-10D" in result.output
    assert "ret_seller_confirm" in result.output
    rows = json.loads(_run("rules", "--json").output)
    assert {r["id"] for r in rows} >= {"PRE-AUTO-2D", "INT-REVIEW-4WD", "REV-NO-INDUCE"}


def _working_day_scenario() -> dict[str, Any]:
    """A refund whose seller window is counted in working days, opened in 2027."""
    doc = _load("refund-before-shipment-seller-silent.json")
    doc["case"]["opened_at"] = "2027-03-01T10:00:00+08:00"
    doc["case"]["order"]["paid_at"] = "2027-02-28T10:00:00+08:00"
    del doc["at"]
    return doc


def test_a_year_the_calendar_does_not_know_is_a_clear_error(tmp_path: Path) -> None:
    doc = _working_day_scenario()
    doc["policy"] = {"preset": "taobao", "pre_seller_response": "2wd"}
    with pytest.raises(ScenarioError, match="2027"):
        run_scenario(doc)
    doc["policy"]["calendar"] = {"fallback": "weekends"}
    out = run_scenario(doc)
    assert out["deadline"]["due"] == "2027-03-03T10:00:00+08:00"


def test_shop_calendar_file_from_a_scenario(tmp_path: Path) -> None:
    # Test-only data in the file format: one made-up day off, to see it counted.
    (tmp_path / "shop-2027.toml").write_text(
        '[years.2027]\nsource = "test data"\nholidays = ["2027-03-02"]\nworkdays = []\n',
        encoding="utf-8",
    )
    doc = _working_day_scenario()
    doc["policy"] = {
        "preset": "taobao",
        "pre_seller_response": "2wd",
        "calendar": {"file": "shop-2027.toml"},
    }
    out = run_scenario(doc, base=tmp_path)
    assert out["deadline"]["due"] == "2027-03-04T10:00:00+08:00"


def test_calendar_days_need_no_holiday_data() -> None:
    doc = _working_day_scenario()
    out = run_scenario(doc)
    assert out["deadline"]["due"] == "2027-03-03T10:00:00+08:00"


def test_intervention_scenario_reports_the_review_deadline() -> None:
    out = run_scenario(_load("intervention-national-day.json"))
    assert out["status"] == "SELLER_REFUSE_BUYER"
    assert out["state"] == "INTERVENTION_REVIEW"
    assert out["deadline"] == {
        "name": "platform_review",
        "due": "2026-10-13T00:00:00+08:00",
        "on_expiry": "flag_overdue",
        "rule": "INT-REVIEW-4WD",
        "waits_for": "platform",
        "provisional": False,
    }


def test_ruling_for_buyer_in_a_scenario_uses_the_json_word_for() -> None:
    doc = _load("intervention-national-day.json")
    doc["events"].append(
        {
            "type": "platform_ruled",
            "at": "2026-10-09T10:00:00+08:00",
            "for": "buyer",
            "mode": "jury",
        }
    )
    out = run_scenario(doc)
    assert out["status"] == "SUCCESS"
    assert out["refunded"] == "268.00"
    assert out["history"][-1]["rule"] == "INT-OUTCOME"


def test_after_sale_day_sixteen_scenario_is_refused_with_the_rule() -> None:
    result = _run("timeline", str(EXAMPLES / "after-sale-day-16.json"))
    assert result.exit_code == 1
    assert "AFTER-15D" in result.output


def test_express_appeal_scenario_keeps_the_seller_whole() -> None:
    out = run_scenario(_load("express-refund-appeal.json"))
    assert out["status"] == "SUCCESS"
    assert out["refunded"] == "89.00"
    assert out["charged_to_seller"] == "0.00"


def test_json_numbers_for_money_are_read_exactly(tmp_path: Path) -> None:
    doc = json.loads((EXAMPLES / "refund-before-shipment-seller-silent.json").read_text("utf-8"))
    text = json.dumps(doc).replace('"amount": "59.9"', '"amount": 59.9')
    assert '"amount": 59.9' in text
    (tmp_path / "s.json").write_text(text, encoding="utf-8")
    result = _run("timeline", str(tmp_path / "s.json"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["refunded"] == "59.90"
