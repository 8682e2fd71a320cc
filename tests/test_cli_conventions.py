"""The command line's conventions: - is standard input, --format json, AFTERSALES_CASEBOOK,
and exit codes that mean the same everywhere (0 done, 1 refused, 2 usage, 3 runtime failure)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from aftersales.cli import main
from aftersales.cli._exit import FAILURE, OK, REFUSED, USAGE, code_for, mask_secrets

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "examples" / "scenarios" / "return-seller-silent.json"
ORDER = ROOT / "examples" / "orders" / "never-collected.json"
REVIEW = ROOT / "examples" / "reviews" / "bad-cracked-mug.json"
SHOP = ROOT / "examples" / "shop"
REFUNDS = SHOP / "refunds_receive_get.json"
AT = "2026-03-31T18:00:00+08:00"
UNREACHABLE = "postgresql://shop:s3cret-pw@127.0.0.1:1/aftersales"
ENV = "AFTERSALES_CASEBOOK"


@pytest.fixture(autouse=True)
def _no_casebook_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)


def run(*args: str | Path, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin)


def as_json(result: Result) -> Any:
    """The command's standard output (never its messages on standard error) as JSON."""
    return json.loads(result.stdout)


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_exit_codes() -> None:
    assert (OK, REFUSED, USAGE, FAILURE) == (0, 1, 2, 3)


# -- standard input --------------------------------------------------------------------------


def test_timeline_reads_standard_input() -> None:
    from_file = run("timeline", SCENARIO)
    from_stdin = run("timeline", "-", stdin=text(SCENARIO))
    assert from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout
    assert as_json(from_stdin)["status"] == "SUCCESS"


def test_timeline_from_standard_input_finds_files_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = json.loads(text(SCENARIO))
    doc["policy"] = {"preset": "taobao", "calendar": {"file": "holidays-2027.toml"}}
    monkeypatch.chdir(tmp_path)
    missing = run("timeline", "-", stdin=json.dumps(doc))
    assert missing.exit_code == REFUSED
    assert str(tmp_path / "holidays-2027.toml") in missing.stderr
    assert missing.stderr.startswith("error: <stdin>: ")
    (tmp_path / "holidays-2027.toml").write_text(
        '[years.2027]\nsource = "illustrative"\nholidays = ["2027-01-01"]\n', encoding="utf-8"
    )
    found = run("timeline", "-", stdin=json.dumps(doc))
    assert found.exit_code == 0, found.output
    assert as_json(found)["status"] == "SUCCESS"


def test_a_refused_scenario_from_standard_input_is_named_stdin() -> None:
    refused = ROOT / "examples" / "scenarios" / "return-late-agreement-refused.json"
    result = run("timeline", "-", stdin=text(refused))
    assert result.exit_code == REFUSED
    assert "<stdin>" in result.stderr
    assert "events[0]" in result.stderr
    broken = run("timeline", "-", stdin="{not json")
    assert broken.exit_code == REFUSED
    assert "not valid JSON" in broken.stderr


def test_review_reads_standard_input() -> None:
    from_file = run("review", REVIEW)
    from_stdin = run("review", "-", stdin=text(REVIEW))
    assert from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout


def test_render_reads_the_case_or_the_context_from_standard_input(tmp_path: Path) -> None:
    from_file = run("render", "refund/done.txt", "--case", SCENARIO)
    from_stdin = run("render", "refund/done.txt", "--case", "-", stdin=text(SCENARIO))
    assert from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout
    context = tmp_path / "context.json"
    context.write_text('{"extra": "x"}', encoding="utf-8")
    with_context = run(
        "render", "refund/done.txt", "--case", SCENARIO, "--context", "-", stdin="{}"
    )
    assert with_context.exit_code == 0, with_context.output
    both = run("render", "refund/done.txt", "--case", "-", "--context", "-", stdin="{}")
    assert both.exit_code == USAGE


def test_ingest_reads_one_document_from_standard_input(tmp_path: Path) -> None:
    book = tmp_path / "stdin.sqlite"
    result = run("ingest", "--casebook", book, "-", stdin=text(REFUNDS))
    assert result.exit_code == REFUSED  # the one float amount of the example shop
    assert "14 new, 0 duplicate, 1 rejected" in result.stdout
    assert "  rejected: <stdin>[8]: refund_fee" in result.stdout
    again = run("ingest", "--casebook", book, "--format", "json", "-", stdin=text(REFUNDS))
    report = as_json(again)
    assert (report["new"], report["duplicate"], report["rejected"]) == (0, 14, 1)
    assert all("aftersales-" not in o["source"] for o in report["outcomes"])  # no temp path
    twice = run("ingest", "--casebook", book, "-", "-", stdin="{}")
    assert twice.exit_code == USAGE


# -- --format json -----------------------------------------------------------------------------


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A SQLite casebook holding the example shop's refunds."""
    book = tmp_path / "shop.sqlite"
    assert run("ingest", "--casebook", book, SHOP).exit_code == REFUSED  # one rejected record
    return book


@pytest.mark.parametrize(
    "args",
    [
        ("rules", "--format", "json"),
        ("timeline", SCENARIO, "--format", "json"),
        ("timeline", ORDER, "--format", "json"),
        ("review", REVIEW, "--format", "json"),
        ("board", SHOP, "--at", AT, "--format", "json"),
        ("lint-templates", "--format", "json"),
    ],
    ids=lambda args: " ".join(Path(a).name if isinstance(a, Path) else a for a in args[:2]),
)
def test_format_json_prints_json(args: tuple[str | Path, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert isinstance(as_json(result), (dict, list))


def test_the_casebook_commands_print_json(filled: Path) -> None:
    ingest = run("ingest", "--casebook", filled, "--format", "json", SHOP)
    assert ingest.exit_code == REFUSED
    report = as_json(ingest)
    assert report["duplicate"] == 14
    assert [o["result"] for o in report["outcomes"]].count("rejected") == report["rejected"] == 1
    worker = run("worker", "--casebook", filled, "--once", "--at", AT, "--format", "json")
    assert worker.exit_code == 0, worker.output
    stats = as_json(worker)  # the audit trail went to standard error
    assert stats["parked"] == 0
    assert stats["handed"] == stats["done"]
    outbox = run("outbox", "--casebook", filled, "--format", "json")
    assert outbox.exit_code == 0, outbox.output
    assert as_json(outbox) == []


def test_timeline_text_is_for_a_person() -> None:
    case = run("timeline", SCENARIO, "--format", "text")
    assert case.exit_code == 0, case.output
    assert case.stdout.startswith("case R-2026030202 (return_and_refund)")
    assert "RET-CONFIRM-10D" in case.stdout
    assert "final: engine state SUCCESS (platform status SUCCESS), refunded 129.00" in case.stdout
    order = run("timeline", ORDER, "--format", "text")
    assert order.exit_code == 0, order.output
    assert "fake shipment: never_collected (SHIP-FAKE)" in order.stdout


def test_the_deprecated_json_flag_still_works_and_is_hidden() -> None:
    for command, args in (("rules", ()), ("review", (REVIEW,))):
        old = run(command, *args, "--json")
        new = run(command, *args, "--format", "json")
        assert old.exit_code == new.exit_code == 0
        assert old.stdout == new.stdout
        assert "--json" not in run(command, "--help").output


def test_board_takes_text_as_its_table() -> None:
    table = run("board", SHOP, "--at", AT, "--format", "table")
    plain = run("board", SHOP, "--at", AT)
    assert run("board", SHOP, "--at", AT, "--format", "text").stdout == table.stdout == plain.stdout


# -- AFTERSALES_CASEBOOK -----------------------------------------------------------------------


def test_the_casebook_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = tmp_path / "from-env.sqlite"
    monkeypatch.setenv(ENV, str(book))
    result = run("ingest", REFUNDS)
    assert result.exit_code == REFUSED
    assert "14 new" in result.stdout
    assert book.exists()
    assert run("outbox").exit_code == 0
    board = run("board", "--at", AT, "--format", "json")  # no PATHS: the casebook alone
    assert board.exit_code == 0, board.output
    assert as_json(board)["actions"]
    worker = run("worker", "--once", "--at", AT)
    assert worker.exit_code == 0, worker.output


@pytest.mark.parametrize("command", ["ingest", "worker", "outbox", "board"])
def test_help_names_the_environment_variable(command: str) -> None:
    assert ENV in run(command, "--help").output


def test_without_a_casebook_it_is_a_usage_error() -> None:
    result = run("outbox")
    assert result.exit_code == USAGE
    assert "--casebook" in result.output


# -- exit codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("ingest", "--casebook", UNREACHABLE, str(REFUNDS)),
        ("worker", "--casebook", UNREACHABLE, "--once"),
        ("outbox", "--casebook", UNREACHABLE),
        ("board", "--casebook", UNREACHABLE, "--at", AT),
    ],
    ids=lambda args: args[0],
)
def test_an_unreachable_database_exits_3_without_its_password(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == FAILURE, result.output
    assert "s3cret-pw" not in result.output
    assert result.stderr.startswith("error: --casebook postgresql://shop:***@127.0.0.1:1/")


def test_an_unreachable_database_from_the_environment_exits_3(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV, UNREACHABLE)
    result = run("outbox")
    assert result.exit_code == FAILURE
    assert "s3cret-pw" not in result.output


def test_a_casebook_of_a_newer_schema_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        db.execute("INSERT INTO schema_version VALUES (999)")
    db.close()
    result = run("outbox", "--casebook", path)
    assert result.exit_code == FAILURE
    assert "upgrade aftersales" in result.stderr


def test_a_casebook_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    result = run("ingest", "--casebook", tmp_path / "no" / "such" / "x.sqlite", REFUNDS)
    assert result.exit_code == REFUSED
    assert "error: --casebook" in result.stderr


def test_a_board_that_cannot_be_written_exits_3(tmp_path: Path) -> None:
    result = run("board", SHOP, "--at", AT, "--output", tmp_path / "no" / "board.html")
    assert result.exit_code == FAILURE
    assert result.stderr.startswith("error: ")


def test_a_casebook_opened_under_another_policy_is_refused(filled: Path) -> None:
    result = run("outbox", "--casebook", filled, "--policy", "tmall")
    assert result.exit_code == REFUSED
    assert "another policy" in result.stderr


def test_rejected_records_exit_1_after_the_full_report(tmp_path: Path) -> None:
    result = run("ingest", "--casebook", tmp_path / "shop.sqlite", SHOP)
    assert result.exit_code == REFUSED
    assert "14 new, 0 duplicate, 1 rejected, 2 skipped" in result.stdout
    assert "the float 12.8" in result.stdout


def test_parked_effects_exit_1_after_the_report(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "conventions_unsure_handler.py").write_text(
        "from aftersales.casebook import OutcomeUnknown\n"
        "def handle(effect, case):\n"
        "    raise OutcomeUnknown('the refund call timed out')\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    result = run(
        "worker",
        "--casebook",
        filled,
        "--once",
        "--at",
        AT,
        "--handler",
        "conventions_unsure_handler:handle",
        "--format",
        "json",
    )
    assert result.exit_code == REFUSED, result.output
    stats = as_json(result)
    assert stats["parked"] == stats["unknown"] > 0
    outbox = as_json(run("outbox", "--casebook", filled, "--format", "json"))
    assert len(outbox) == stats["parked"]
    assert {e["status"] for e in outbox} == {"unknown"}


@pytest.mark.parametrize(
    "args",
    [
        ("timeline",),  # neither a file nor --schema
        ("timeline", "no-such-file.json"),
        ("timeline", SCENARIO, "--format", "yaml"),
        ("rules", "--no-such-option"),
        ("review", REVIEW, "--at", "tomorrow"),
        ("ingest", "--casebook", "x.sqlite", "--policy", "amazon", str(REFUNDS)),
        ("worker", "--casebook", "x.sqlite", "--handler", "no_colon"),
        ("board", SHOP, "--format", "pdf"),
    ],
    ids=lambda args: " ".join(Path(a).name if isinstance(a, Path) else a for a in args),
)
def test_usage_errors_exit_2(args: tuple[str | Path, ...]) -> None:
    assert run(*args).exit_code == USAGE


# -- the mapping and the mask ------------------------------------------------------------------


def test_errors_map_to_codes_by_kind() -> None:
    from aftersales.casebook import CasebookError, PolicyMismatch, SchemaError
    from aftersales.core import InvalidInput

    assert code_for(InvalidInput("bad")) == REFUSED
    assert code_for(PolicyMismatch("other policy")) == REFUSED
    assert code_for(SchemaError("newer")) == FAILURE
    assert code_for(CasebookError("down")) == FAILURE
    assert code_for(PermissionError(13, "denied")) == FAILURE
    assert code_for(sqlite3.OperationalError("locked")) == FAILURE
    assert code_for(KeyError("a bug")) is None  # a bug shows its traceback


@pytest.mark.parametrize(
    ("shown", "masked"),
    [
        ("postgresql://shop:pw@db/aftersales", "postgresql://shop:***@db/aftersales"),
        ("at postgres://u:p@ss@h:5432/db: down", "at postgres://u:***@h:5432/db: down"),
        (
            "postgresql://u@h/db?password=pw&sslmode=require",
            "postgresql://u@h/db?password=***&sslmode=require",
        ),
        ("postgresql://u@h/db?password=pw: down", "postgresql://u@h/db?password=***: down"),
        ("shop.sqlite", "shop.sqlite"),
    ],
)
def test_passwords_are_masked(shown: str, masked: str) -> None:
    assert mask_secrets(shown) == masked
