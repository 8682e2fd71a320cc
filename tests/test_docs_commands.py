"""Every command and Python block shown in README.md and docs/*.md runs as written.

Each document's snippets run in order in a temporary folder holding a copy of
``examples/`` (so a casebook made by an earlier command of the same page is there
for a later one), and each must exit 0, or the code its line documents with an
``# exit N`` comment. ``aftersales ...`` runs in-process through click's runner;
``python ...`` in a subprocess. A placeholder stays visibly marked in the docs
(``<refund-id>``) and is filled from :data:`PLACEHOLDERS`; a block that uses names
the page only describes gets its setup from :data:`PRELUDES`. A snippet that cannot
run here is in :data:`SKIPS` with the reason; ``python tests/test_docs_commands.py``
runs every page and lists what it ran and skipped. A file the commands write must be
one the repository's .gitignore ignores: following the README leaves nothing untracked.
"""

from __future__ import annotations

import contextlib
import glob
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks, run as a script
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "examples").glob("*/README.md")),
]

_FENCE = re.compile(
    r"^(?P<fence>`{3,})(?P<lang>[\w{}-]*)[^\n]*\n(?P<body>.*?)^(?P=fence)\s*$", re.M | re.S
)
_SHELL = {"sh", "bash", "shell", "console"}
_EXIT = re.compile(r"#\s*exit (\d+)\b")
_PLACEHOLDER = re.compile(r"<[a-z][a-z0-9._-]*>")

#: Fills a placeholder the docs keep visibly marked.
PLACEHOLDERS: dict[str, str | Callable[[], str]] = {
    "<notice.txt>": str(ROOT / "tests" / "data" / "notices" / "2026.txt"),
    "<owners.json>": "owners.json",
    "<case.json>": "examples/scenarios/return-seller-silent.json",
    "<late.json>": "late.json",
    "<shop-templates>": "shop-templates",
    "<events.json>": "events.json",
    "<folder>": "regenerated",
    "<calendar-2027.toml>": "holidays-2027.toml",
}

_README_CASE = """
import pendulum
from aftersales import Kind, Order, RefundRequested, SellerAgreed, open_case, preset, step

policy = preset("taobao")
sh = pendulum.timezone("Asia/Shanghai")
order = Order(id="4012345678901234568", paid="129.00",
              paid_at=pendulum.datetime(2026, 2, 24, 20, tz=sh),
              shipped_at=pendulum.datetime(2026, 2, 25, 16, tz=sh),
              signed_at=pendulum.datetime(2026, 2, 27, 11, tz=sh))
request = RefundRequested(
    id="req-1", at=pendulum.datetime(2026, 3, 2, 10, tz=sh), case_id="R-1",
    kind=Kind.RETURN_AND_REFUND, order=order, amount="129.00", reason="质量问题")
case, effects = open_case(request, policy)
t = now = pendulum.datetime(2026, 3, 3, 9, tz=sh)
event = SellerAgreed(id="e1", at=t)
"""


def _events_json() -> str:
    """A case saved by ``case_to_json``, for ``ingest``."""
    from aftersales.core import case_to_json

    namespace: dict[str, Any] = {}
    exec(_README_CASE.replace('"R-1"', '"R-DOCS-1"'), namespace)
    return case_to_json(namespace["case"])


#: Files a page names as the shop's own, written into the folder before its snippets run.
FILES: dict[str, Any] = {
    "owners.json": lambda: '{"2164343337807941939": "小王", "4043359202202899433": "小李"}',
    "late.json": lambda: (
        '{"order_id": "4012345678901234567", "ship_by": "2026-02-15T22:00:00+08:00",'
        ' "compensation": "6.45"}'
    ),
    "shop-templates/refund/done.txt": lambda: "亲，退款 {{ amount|money }} 已经退回，请查收。\n",
    "events.json": _events_json,
    "holidays-2027.toml": lambda: (
        '[years.2027]\nsource = "illustrative"\n'
        'holidays = ["2027-01-01", "2027-02-06..2027-02-12"]\nworkdays = ["2027-02-20"]\n'
    ),
}

#: Why a snippet cannot run here, by a pattern its text matches.
SKIPS: dict[str, str] = {
    r"^git clone ": "clones the repository this test already runs in",
    r"^python3 tasks\.py test": "the whole check, which runs this test",
    r"tasks\.py bench|benchmarks|/usr/bin/time": (
        "a benchmark: minutes of CPU, measured in benchmarks/ (docs/performance.md has the figures)"
    ),
    r"^createdb |postgresql://shop@": (
        "needs the shop's PostgreSQL server (tests/test_casebook.py runs the casebook on one)"
    ),
    r"^curl ": "downloads the shop's export from $EXPORT_URL, which is the shop's own",
    r"^aftersales worker (?!.*--once)": "runs until SIGTERM; the --once line beside it runs",
    r"^run_worker\(book, now=": (
        "a sketch of the shop's handler (bank is the shop's payment code) in a worker that "
        "runs until stopped; tests/test_casebook.py runs run_worker"
    ),
    r"^mkdir -p /tmp/(startup-base|before)": "a benchmark's baseline (docs/performance.md)",
    r"aftersales\.reviews\._ngrams build": (
        "rewrites the shipped review model in the source tree; tests/test_review_model.py "
        "runs the build into a temporary file and checks it equals the shipped one"
    ),
}

_SHOP = """
import pendulum
from aftersales import Case, preset
from pathlib import Path
from aftersales.shopfolder import load_shop

_at = pendulum.datetime(2026, 3, 31, 18, tz="Asia/Shanghai")
cases = [i for i in load_shop([Path("examples/shop")], preset("taobao"), _at).items
         if isinstance(i, Case)]
"""

#: Setup for a Python block that uses names its page only describes, by a line it holds.
PRELUDES: dict[str, str] = {
    "result = board(cases,": _SHOP,
    'written = book.append("R-1", [request])': (
        _README_CASE
        + 'from aftersales.casebook import Casebook\nbook = Casebook.open("shop.sqlite")\n'
    ),
    "dispute_months(cases, policy)          # per calendar month": (
        _SHOP + "open_cases = [c for c in cases if not c.is_final]\n"
        "period_end = pendulum.datetime(2026, 4, 1, tz='Asia/Shanghai')\n"
    ),
    "risk = assess_risk(order, shop_history,": (
        "import json\nfrom aftersales.orders._malicious import _record\n"
        "from pathlib import Path\n"
        "_doc = json.loads(next(Path('examples/shop/malicious').glob('*.json'))"
        ".read_text(encoding='utf-8'))\n"
        "order = _record(_doc['malicious_order'], 'order')\n"
        "shop_history = [_record(h, 'history') for h in _doc['history']]\n"
    ),
    "env = messages.environment(shop_templates=": _README_CASE
    + "from pathlib import Path\nsend = print\n",
    "refunds=records, fault_rate=0.02": (
        "from benchmarks import exports\nrecords = list(exports.records(20, 11))\n"
    ),
    'result = agree(book, client, "2051000000000000014", amount="12.50")': (
        "from aftersales.casebook import Casebook\n"
        "for _name in ('client', 'book'):  # an earlier block's, closed as its page would\n"
        "    if _name in globals():\n"
        "        globals()[_name].close()\n"
        "book = Casebook.open('shop.sqlite')\n"
    ),
    "report = ingest_refunds(book, client, refund_ids_from_tmc(messages))": (
        "import json, os\n"
        "from aftersales.casebook import Casebook\n"
        "from aftersales.platform import TopClient, TopConfig\n"
        "book = Casebook.open('shop.sqlite')\n"
        "client = TopClient(TopConfig.from_env(os.environ))\n"
        "messages = [{'topic': 'taobao_refund_RefundCreated',"
        " 'content': json.dumps({'refund_id': 2051000000000000007})},"
        " {'topic': 'taobao_trade_TradeClose', 'content': '{}'}]\n"
    ),
    "result = postage_liability(case)": _README_CASE
    + "uploaded_at = pendulum.datetime(2026, 3, 2, 12, tz=sh)\n",
    "review = review_from_dict(rate_record)": (
        "import json, pendulum\n"
        "from pathlib import Path\n"
        "_rates = json.loads(Path('examples/shop/traderates_get.json').read_text('utf-8'))\n"
        "rate_record = next(r for r in _rates['traderates_get_response']['trade_rates']"
        "['trade_rate'] if r['result'] == 'bad')\n"
        "t1, t2, t3, t4, t5 = (pendulum.parse(rate_record['created'].replace(' ', 'T') + '+08:00')"
        ".add(hours=h) for h in (1, 2, 3, 4, 5))\n"
    ),
    "late_shipment_points(upheld_at,": (
        "import pendulum\n_sh = pendulum.timezone('Asia/Shanghai')\n"
        "upheld_at = [pendulum.datetime(2026, 3, d, 10, tz=_sh) for d in (2, 9)]\n"
        "now = pendulum.datetime(2026, 3, 20, tz=_sh)\n"
    ),
    "self.ledger = MyLedger()": (
        "class MyLedger:\n    def apply(self, effects: object) -> None:\n        pass\n"
    ),
}


class Snippet(NamedTuple):
    """A command or a Python block, where it is written, and the exit code it documents."""

    document: str
    line: int
    kind: str  # "shell" or "python"
    text: str
    exit: int = 0

    @property
    def where(self) -> str:
        return f"{self.document}:{self.line}"


def _commands(body: str, console: bool) -> Iterator[tuple[int, str]]:
    """The commands of a shell block, with their line offsets: a console block's after
    ``$ ``; backslash continuations joined; comment lines and output left out."""
    pending: list[str] = []
    start = 0
    for offset, raw in enumerate(body.splitlines()):
        line = raw
        if not pending:
            if console:
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            start = offset
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1])
            continue
        pending.append(line)
        yield start, " ".join(part.strip() for part in pending)
        pending = []


def snippets(path: Path) -> list[Snippet]:
    """Every command and Python block of a document, in order."""
    text = path.read_text(encoding="utf-8")
    name = str(path.relative_to(ROOT))
    found: list[Snippet] = []
    for match in _FENCE.finditer(text):
        lang, body = match["lang"], match["body"]
        first = text.count("\n", 0, match.start("body")) + 1
        if lang == "python":
            found.append(Snippet(name, first, "python", body))
        elif lang in _SHELL:
            for offset, command in _commands(body, lang == "console"):
                code = _EXIT.search(command)
                found.append(
                    Snippet(name, first + offset, "shell", command, int(code[1]) if code else 0)
                )
    return found


def skip_reason(snippet: Snippet) -> str | None:
    for pattern, reason in SKIPS.items():
        if re.search(pattern, _unprefixed(snippet.text), re.M):
            return reason
    return None


def _unprefixed(command: str) -> str:
    return re.sub(r"^(\.venv/bin/|\$B/)(?=aftersales )", "", command)


def _filled(text: str) -> str:
    def fill(match: re.Match[str]) -> str:
        if match[0] not in PLACEHOLDERS:
            raise AssertionError(f"placeholder {match[0]} has no value in PLACEHOLDERS")
        value = PLACEHOLDERS[match[0]]
        return value if isinstance(value, str) else value()  # found when the line runs

    return _PLACEHOLDER.sub(fill, text)


class Outcome(NamedTuple):
    code: int
    output: str


def _run_shell(command: str, env: dict[str, str]) -> Outcome:
    """One command line in the current folder; ``export`` sets ``env`` for the next."""
    command = _filled(_unprefixed(command))
    stdin: str | None = None
    if " < " in command:
        command, _, source = command.partition(" < ")
        source, _, _ = source.partition("#")
        stdin = Path(source.strip()).read_text(encoding="utf-8")
    words = shlex.split(command, comments=True)
    if all(re.fullmatch(r"[A-Z_]+=.*", w) for w in words):  # B=.venv/bin
        words.insert(0, "export")
    if words[0] == "export":
        for word in words[1:]:
            key, _, value = word.partition("=")
            env[key] = value
        return Outcome(0, "")
    extra = dict(env)
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        key, _, value = words.pop(0).partition("=")
        extra[key] = value
    args = [expanded for word in words[1:] for expanded in (sorted(glob.glob(word)) or [word])]
    if words[0] == "aftersales":
        from aftersales.cli import main

        result = CliRunner().invoke(main, args, input=stdin, env=extra)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Outcome(result.exit_code, result.output)
    if words[0] in ("python", "python3"):
        completed = subprocess.run(
            [sys.executable, *args],
            # tasks.py runs the project's own commands from its folder
            cwd=ROOT if args[:1] == ["tasks.py"] else None,
            input=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, **extra},
            check=False,
        )
        return Outcome(completed.returncode, completed.stdout + completed.stderr)
    raise AssertionError(f"no way to run {words[0]!r}: add a SKIPS entry with the reason")


def _prelude(text: str) -> str:
    return next((code for line, code in PRELUDES.items() if line in text), "")


def _run_python(snippet: Snippet, namespace: dict[str, Any]) -> Outcome:
    code = _prelude(snippet.text) + "\n" + _filled(snippet.text)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, snippet.where, "exec"), namespace)
    return Outcome(0, out.getvalue())


class Tally(NamedTuple):
    ran: list[Snippet]
    skipped: list[tuple[Snippet, str]]


@contextlib.contextmanager
def _folder() -> Iterator[Path]:
    """A temporary folder holding a copy of examples/, as the current folder."""
    before = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="aftersales-docs-") as made:
        folder = Path(made)
        shutil.copytree(ROOT / "examples", folder / "examples")
        for name, text in FILES.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text(), encoding="utf-8")
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(before)


#: The refunds docs/platform.md acts on: refund ID -> (the record of
#: ``exports.records(60, 11)`` it copies, changes). Each is waiting for the seller an
#: hour before the real clock, so that each action of the page is legal when it runs:
#: 3 agree, 5 agree in part, 6 and 9 agree together, 4 agree to a return, 7 and 8
#: refuse, 10 (in the platform's intervention) a message, 11 and 12 answers lost then
#: settled by hand, 13 an agree that needs the seller's verification code, 14 the
#: Python API's agree.
_ACTED: dict[int, tuple[int, dict[str, str]]] = {
    3: (5, {}),
    4: (3, {}),
    5: (5, {}),
    6: (6, {}),
    7: (5, {}),
    8: (5, {}),
    9: (6, {}),
    10: (10, {}),
    11: (5, {}),
    12: (5, {}),
    13: (5, {"refund_fee": "3999.00", "total_fee": "3999.00", "payment": "3999.00"}),
    14: (5, {}),
}
_CODE_ABOVE = 300_000  # fen: only refund 13's agree asks for a verification code


def _waiting_now(
    template: dict[str, Any], refund_id: int, changes: dict[str, str]
) -> dict[str, Any]:
    """A copy of ``template`` as ``refund_id``, its times moved to end an hour before now."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    form = "%Y-%m-%d %H:%M:%S"
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)  # noqa: TID251
    last = now.replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    by = last - dt.datetime.strptime(template["modified"], form)  # noqa: DTZ007  (Beijing time)

    def moved(text: str) -> str:
        return (dt.datetime.strptime(text, form) + by).strftime(form)  # noqa: DTZ007

    record = {**template, **changes, "refund_id": str(2051000000000000000 + refund_id)}
    record["tid"] = record["oid"] = str(4011000000000000000 + refund_id)
    record.setdefault("refund_version", 1772503920000)  # the platform's lock, for a write
    for field in ("created", "modified", "good_return_time"):
        if isinstance(record.get(field), str):
            record[field] = moved(record[field])
    remind = record.get("refund_remind_timeout")
    if isinstance(remind, dict) and isinstance(remind.get("timeout"), str):
        record["refund_remind_timeout"] = {**remind, "timeout": moved(remind["timeout"])}
    return record


def _latest_unsettled() -> str:
    """``<action-id>``: the ID of the one action of shop.sqlite whose outcome is unknown
    (the one the line before it left so), as its line printed it."""
    from aftersales.casebook import Casebook

    with Casebook.open("shop.sqlite") as book:
        (action,) = book.actions("unknown")
    return str(action["action_id"])


PLACEHOLDERS["<action-id>"] = _latest_unsettled


@contextlib.contextmanager
def _platform(path: Path) -> Iterator[dict[str, str]]:
    """For docs/platform.md, the fake gateway with refunds of 2026 and those the page acts
    on (:data:`_ACTED`), and its variables."""
    if path.name != "platform.md":
        yield {}
        return
    from benchmarks import exports

    from aftersales.testing import FakeGateway

    templates = list(exports.records(60, 11))
    records = list(templates)
    for refund_id, (template, changes) in _ACTED.items():
        records[refund_id] = _waiting_now(templates[template], refund_id, changes)
    with FakeGateway(refunds=records) as gateway:
        gateway.code_above = _CODE_ABOVE
        for lost in (11, 12):
            gateway.inject("lost_answer", refund_id=str(2051000000000000000 + lost))
        env = gateway.environment()
        # Python blocks read the connection from the environment, as a shop's code would.
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        try:
            yield env
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _not_ignored(folder: Path, before: set[Path]) -> list[str]:
    """The files the commands wrote that git would show as untracked in the repository
    (a user's own folder named by a placeholder aside); [] where git is not at hand."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return []
    chosen = {Path(v) for v in PLACEHOLDERS.values() if isinstance(v, str)}
    written = sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file()
        and p not in before
        and not any(p.relative_to(folder).is_relative_to(c) for c in chosen)
    )
    if not written:
        return []
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT,
        input="\n".join(written),
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return [name for name in written if name not in ignored]


def run_document(path: Path, failures: list[str] | None = None) -> Tally:
    """Run every snippet of ``path`` in order in a fresh folder; raise on the first failure
    (or, given ``failures``, add each there and go on)."""
    tally = Tally([], [])
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    with _folder() as folder, _platform(path) as shell_env:
        before = {p for p in folder.rglob("*") if p.is_file()}
        for snippet in snippets(path):
            reason = skip_reason(snippet)
            if reason is not None:
                tally.skipped.append((snippet, reason))
                continue
            try:
                if snippet.kind == "python":
                    outcome = _run_python(snippet, namespace)
                else:
                    outcome = _run_shell(snippet.text, shell_env)
                if outcome.code != snippet.exit:
                    raise AssertionError(
                        f"{snippet.where}: {snippet.text}\nexited {outcome.code}, the docs say "
                        f"{snippet.exit}:\n{outcome.output}"
                    )
            except Exception as exc:
                if failures is None:
                    raise
                failures.append(f"{snippet.where}: {type(exc).__name__}: {exc}")
            tally.ran.append(snippet)
        for value in namespace.values():  # what the blocks opened, as their page would close it
            if type(value).__name__ in ("Casebook", "TopClient"):
                value.close()
        left = _not_ignored(folder, before)
        if left:
            where = path.relative_to(ROOT)
            message = f"{where}: its commands leave untracked files in the repository: {left}"
            if failures is None:
                raise AssertionError(message)
            failures.append(message)
    return tally


#: What the runs counted (pytest's summary prints it; see conftest.py).
COUNTS: dict[str, Tally] = {}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_snippet_runs_as_written(document: Path) -> None:
    COUNTS[str(document.relative_to(ROOT))] = run_document(document)


def test_every_skip_and_setup_is_still_used() -> None:
    every = [s for path in DOCUMENTS for s in snippets(path)]
    for pattern in SKIPS:
        assert any(re.search(pattern, _unprefixed(s.text), re.M) for s in every), pattern
    for line in PRELUDES:
        assert sum(line in s.text for s in every if s.kind == "python") == 1, line
    shown = {p for s in every for p in _PLACEHOLDER.findall(s.text)}
    assert set(PLACEHOLDERS) <= shown


def summary() -> str:
    ran = sum(len(t.ran) for t in COUNTS.values())
    skipped = [item for t in COUNTS.values() for item in t.skipped]
    shell = sum(s.kind == "shell" for t in COUNTS.values() for s in t.ran)
    head = f"docs snippets: {ran} ran ({shell} commands, {ran - shell} Python blocks), "
    lines = [head + f"{len(skipped)} skipped"]
    lines += [f"  skipped {s.where}: {s.text.splitlines()[0]}\n      ({why})" for s, why in skipped]
    return "\n".join(lines)


if __name__ == "__main__":
    failed: list[str] = []
    for document in DOCUMENTS:
        COUNTS[str(document.relative_to(ROOT))] = run_document(document, failed)
    sys.stdout.write(summary() + "\n")
    sys.stdout.write("\n".join([f"{len(failed)} failed", *failed]) + "\n")
    sys.exit(1 if failed else 0)
