"""``python -m benchmarks.platform_sync N``: the platform connection, shown end to end.

Everything runs against the fake gateway (``aftersales.testing.FakeGateway``), a real
HTTP server on loopback, with N generated refunds (``exports.py``: one in 50 a record
the adapter rejects):

1. **sync with faults on**: call limits (a ban of 0.05 s) and ``isp`` timeouts at
   random on 2 % of calls, a record modified while its window is read and a record
   inserted between pages; the client's backoff starts at 0.05 s (the default 0.5 s
   would only make the demo longer). Printed: calls, retries, call-limit waits,
   records new/duplicate/rejected, time.
2. **kill -9 and resume**: ``aftersales sync`` in a child process, SIGKILLed three
   times mid-run and run again until it ends, against an uninterrupted run over the
   same data and faults: the two casebooks are compared case by case.
3. **an agree and a refuse with proof**: the request the gateway received, as it
   recorded it (the session masked; the app secret is never sent).
4. **a lost answer reconciled**: an agree whose answer is dropped after it took
   effect is ``unknown``; the next sync settles it from the refund's status.

Timings share the machine with whatever else runs: read them as orders of size.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.casebook import Casebook
from aftersales.core._case import Case
from aftersales.platform import TopClient, TopConfig, agree, refuse, sync
from aftersales.testing import FakeGateway

from . import exports

SH = ZoneInfo("Asia/Shanghai")
SINCE = _dt.datetime(2025, 12, 1, tzinfo=SH)
UNTIL = _dt.datetime(2026, 6, 1, tzinfo=SH)
ROOT = Path(__file__).resolve().parent.parent
_SYNC = "from aftersales.cli._platform import sync_command; sync_command()"
#: A small PNG header and padding: the proof uploaded in part 3.
PROOF = b"\x89PNG\r\n\x1a\n" + bytes(2040)


def _client(gw: FakeGateway) -> TopClient:
    return TopClient(TopConfig.from_env(gw.environment()), backoff=0.05, timeout=10)


def _gateway(n: int, seed: int) -> FakeGateway:
    return FakeGateway(refunds=list(exports.records(n, seed)), fault_rate=0.02, ban_seconds=0.05)


def part_sync(n: int, seed: int, folder: Path) -> None:
    with _gateway(n, seed) as gw, Casebook.open(str(folder / "faults.sqlite")) as book:
        gw.inject("modify")
        gw.inject("shift")
        with _client(gw) as client:
            started = time.perf_counter()
            report = sync(book, client, since=SINCE, until=UNTIL)
            seconds = time.perf_counter() - started
            stats = client.stats
        print(f"1. sync of {n} generated refunds, faults on (2 % of calls; a modify, a shift)")
        print(
            f"   calls {stats.calls} ({', '.join(f'{m} {c}' for m, c in stats.by_method.items())})"
        )
        print(
            f"   retries {stats.retries}, call-limit waits {stats.waits} "
            f"({stats.waited:.2f} s waited), faults answered by the gateway "
            f"{sum(1 for c in gw.calls if c.error)}"
        )
        print(
            f"   windows {report.windows}, pages {report.pages}, listed {report.listed}, "
            f"read whole {report.details}"
        )
        print(
            f"   records new {report.new}, duplicate {report.duplicate}, rejected "
            f"{report.rejected}; cases {book.count()} (refunds on the gateway {len(gw.refunds)})"
        )
        print(f"   time {seconds:.2f} s ({report.listed / seconds:.0f} records/s)")


def _spawn(gw: FakeGateway, db: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, **gw.environment(), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", _SYNC, "--casebook", str(db), "--until", "2026-06-01"]
    return subprocess.Popen(
        [*command, "--format", "json", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _cases(db: Path) -> dict[str, Any]:
    with Casebook.open(str(db)) as book:
        return {case.id: book.get(case.id) for case in book.cases()}


def part_kill(n: int, seed: int, folder: Path) -> None:
    with _gateway(n, seed) as gw:
        reference = folder / "reference.sqlite"
        started = time.perf_counter()
        whole = _spawn(gw, reference, "--since", "2025-12-01")
        _, err = whole.communicate(timeout=3600)
        uninterrupted = time.perf_counter() - started
        killed = folder / "killed.sqlite"
        kills = 0
        started = time.perf_counter()
        for at in (n // 5, n // 3, n // 4):  # calls into each run
            calls = len(gw.calls)
            run = _spawn(gw, killed, *(() if kills else ("--since", "2025-12-01")))
            while len(gw.calls) < calls + at and run.poll() is None:
                time.sleep(0.005)
            if run.poll() is None:
                run.send_signal(signal.SIGKILL)
                kills += 1
            run.communicate(timeout=600)
        final = _spawn(gw, killed)
        final.communicate(timeout=3600)
        resumed = time.perf_counter() - started
        ours, theirs = _cases(killed), _cases(reference)
        print(f"2. kill -9 and resume ({n} refunds, the same faults)")
        print(
            f"   uninterrupted: {len(theirs)} cases in {uninterrupted:.2f} s "
            f"(exit {whole.returncode})"
        )
        print(
            f"   killed {kills} times (SIGKILL) and resumed: {len(ours)} cases in {resumed:.2f} s "
            f"(exit {final.returncode})"
        )
        print(f"   casebooks identical case by case: {ours == theirs}")
        secrets = (gw.app_secret, gw.session)
        leaked = [s for s in secrets for db in (killed, reference) if s.encode() in db.read_bytes()]
        print(
            f"   secrets in either casebook: {len(leaked)}; "
            f"in the outputs: {any(s in err for s in secrets)}"
        )


def _waiting(book: Casebook, gw: FakeGateway, skip: set[str]) -> Case:
    case = next(
        c
        for c in book.cases(open_only=True)
        if c.state.value == "WAIT_SELLER_AGREE"
        and c.kind.value in ("refund_only", "refund_before_shipment")
        and c.id not in skip
        and c.deadline is not None
    )
    gw.refunds[case.id].setdefault("refund_version", 1772503920000)
    gw.data_now = case.changed_at.add(minutes=1)
    return case


def _shown(call: Any) -> str:
    lines = [f"   {call.method} ({'multipart/form-data' if call.multipart else 'form'}):"]
    lines += [f"     {k} = {v}" for k, v in sorted(call.received.items())]
    lines += [f"     {k} = <file {u.describe()}>" for k, u in call.files.items()]
    return "\n".join(lines)


def part_act(n: int, seed: int) -> None:
    with _gateway(min(n, 300), seed) as gw, Casebook.open(":memory:") as book:
        gw.fault_rate = 0.0
        with _client(gw) as client:
            sync(book, client, since=SINCE, until=UNTIL)
            used: set[str] = set()
            one = _waiting(book, gw, used)
            used.add(one.id)
            done = agree(book, client, one.id, at=one.changed_at.add(minutes=1))
            print(f"3. agree {one.id}: {done.status}; the request the gateway received:")
            print(_shown(gw.writes[-1]))
            two = _waiting(book, gw, used)
            used.add(two.id)
            no = refuse(
                book, client, two.id, text="商品已发出，请拒收", proof=PROOF, reason_id=7,
                at=two.changed_at.add(minutes=1),
            )  # fmt: skip
            print(f"   refuse {two.id} with a proof: {no.status}; the request received:")
            print(_shown(gw.writes[-1]))
            print(f"   the casebook's record of the proof: {no.params['refuse_proof']}")
            three = _waiting(book, gw, used)
            gw.inject("lost_answer")
            lost = agree(book, client, three.id, at=three.changed_at.add(minutes=1))
            print(f"4. agree {three.id} with its answer lost: {lost.status}")
            report = sync(book, client, until=UNTIL)
            for entry in report.settled:
                print(f"   the next sync settled {entry['action_id']}: {entry['status']}")
                print(f"     {entry['detail']}")
            writes = sum(1 for w in gw.writes if three.id in str(w.params))
            print(f"   writes sent for {three.id}: {writes} (never a second)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.platform_sync")
    parser.add_argument("n", type=int, nargs="?", default=3000, help="generated refunds")
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, N={args.n}, seed {args.seed}")
    with tempfile.TemporaryDirectory(prefix="platform-sync-") as folder:
        part_sync(args.n, args.seed, Path(folder))
        part_kill(args.n, args.seed, Path(folder))
    part_act(args.n, args.seed)


if __name__ == "__main__":
    main()
