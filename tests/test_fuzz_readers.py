"""The readers fuzzed the way an attacker would: bytes, and JSON that is almost right.

Every outcome of every command and loader is exit 0, 1 or 2 with at most a one-line
``error:`` message: never a traceback, never a hang (each run is bounded by the
document limits, and the examples are few so CI stays fast).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.adapters import taobao
from aftersales.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"
AT = "2026-03-31T18:00:00+08:00"
BOUNDED = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _load(path: str) -> Any:
    return json.loads((EXAMPLES / path).read_text(encoding="utf-8"))


SEEDS: dict[str, Any] = {
    "case": _load("scenarios/return-seller-silent.json"),
    "order": _load("orders/late-before-spring-festival.json"),
    "review": _load("reviews/bad-cracked-mug.json"),
    "malicious": _load("shop/malicious/4031000000000000001-promo-phone-cases.json"),
    "refund": _load("taobao/refund_get.json"),
    "trades": _load("taobao/trades_sold_get.json"),
}

#: Values an attacker puts where a field was: the families of the hardening issue.
NASTY: st.SearchStrategy[Any] = st.sampled_from(
    [
        None,
        True,
        -1,
        0,
        10**30,
        2**63,
        1.5,
        "",
        " ",
        "1e30",
        "1e999999999",
        "9" * 5000,
        "²",
        "７９",
        "7_9",
        "NaN",
        "-0.01",
        "2026-02-30 25:61:00",
        "2026-03-02T10:00:00",
        "9999-12-31T23:59:59+08:00",
        [],
        {},
        [[[[]]]],
        {"a": {"b": {}}},
        "\x00",
        "\ud800x",
    ]
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found.extend(_paths(value, (*prefix, i)))
    return found


@st.composite
def almost_right(draw: st.DrawFn) -> bytes:
    """A seed document with one to three fields replaced, dropped or misspelt."""
    doc = copy.deepcopy(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)[1:]))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "drop", "misspell"]))
        if action == "replace":
            parent[path[-1]] = draw(NASTY)
        elif isinstance(parent, dict):
            value = parent.pop(path[-1])
            if action == "misspell":
                parent[f"{path[-1]}_"] = value
        break
    text = json.dumps(doc, ensure_ascii=False)
    return text.encode("utf-8", errors="surrogatepass")


RAW = st.one_of(
    st.binary(max_size=300),
    almost_right(),
    almost_right().map(lambda b: b"\xef\xbb\xbf" + b),
    almost_right().map(lambda b: b.decode("utf-8", "replace").encode("gb18030", "replace")),
    st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),
)


def _check(result: Any) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert result.exit_code in (0, 1, 2), result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) <= 1
    if result.exit_code != 0 and errors:
        assert result.stderr.strip().count("\n") == 0 or result.exit_code == 2


@pytest.mark.parametrize(
    "command",
    [
        ["timeline", "{}"],
        ["review", "{}"],
        ["render", "return/agreed.txt", "--case", "{}"],
        ["board", "{}", "--at", AT],
        ["board", "{}", "--at", AT, "--strict-calendar", "--format", "json"],
        ["calendar", "import", "{}", "--year", "2027"],
    ],
    ids=["timeline", "review", "render", "board", "board-strict", "calendar-import"],
)
def test_every_command_answers_bad_input_with_a_code_and_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    @BOUNDED
    @given(data=RAW)
    def run(data: bytes) -> None:
        path = tmp_path / "input.json"
        path.write_bytes(data)
        _check(CliRunner().invoke(main, [a.replace("{}", str(path)) for a in command]))

    run()


def test_the_python_loaders_report_and_go_on(tmp_path: Path) -> None:
    good = tmp_path / "a-good.json"
    good.write_text(json.dumps(SEEDS["refund"]), encoding="utf-8")

    @BOUNDED
    @given(data=RAW)
    def run(data: bytes) -> None:
        (tmp_path / "b-bad.json").write_bytes(data)
        result = taobao.load_exports(tmp_path)  # never raises for a bad file
        assert result.imported + len(result.problems) == result.records_in
        assert "205112233445566715" in {c.case.id for c in result.cases} | {
            p.record_id for p in result.problems
        }

    run()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_traceback_from_the_installed_command(tmp_path: Path, seed: int) -> None:
    """A real process, a few inputs: what a shop's script sees."""
    data = [b"\xff\xfe{\x00}\x00", b"[" * 100_000, b'{"case": {"amount": "1e999999999"}}'][seed]
    path = tmp_path / "input.json"
    path.write_bytes(data)
    for args in (["timeline", str(path)], ["board", str(tmp_path), "--at", AT]):
        done = subprocess.run(
            [sys.executable, "-c", "from aftersales.cli import main; main()", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode in (0, 1, 2), done.stderr
        assert "Traceback" not in done.stderr
