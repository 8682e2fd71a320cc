"""Generated Taobao refund exports for the ingest benchmarks (and the ingest tests).

Every record is a copy of one of ``examples/taobao/refunds_receive_get.json``'s
records (all six statuses, with and without returns, intervention, a closed and a
succeeded refund, and the four the adapter rejects) with its own 19-digit
``refund_id``, ``tid`` and ``oid`` and its times moved by a whole number of weeks
and a few minutes. IDs come as strings, and every seventh as a JSON integer, as
the platform sends both. Deterministic: the same ``n`` and ``seed`` give the same
bytes.

``python -m benchmarks.exports N OUT.json [--seed S]`` writes one.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parent.parent / "examples/taobao/refunds_receive_get.json"
_FORMAT = "%Y-%m-%d %H:%M:%S"
_TIMES = ("created", "modified", "good_return_time")
#: One record in this many is a copy of one the adapter rejects (bad money, status, date).
_BAD_EVERY = 50


def _templates() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    records: list[dict[str, Any]] = doc["refunds_receive_get_response"]["refunds"]["refund"]
    good = [r for r in records if "created" in r and r["created"] != "2026-02-30 10:00:00"]
    good = [r for r in good if isinstance(r.get("refund_fee"), str) and "MODIFY" not in r["status"]]
    bad = [r for r in records if r not in good]
    return good, bad


def _shift(text: str, by: _dt.timedelta) -> str:
    # Beijing time has no daylight saving: wall-clock arithmetic is exact
    return (_dt.datetime.strptime(text, _FORMAT) + by).strftime(_FORMAT)  # noqa: DTZ007


def records(n: int, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """``n`` refund records with unique IDs, in a stable order."""
    good, bad = _templates()
    rng = random.Random(seed)
    for i in range(n):
        template = bad[i // _BAD_EVERY % len(bad)] if i % _BAD_EVERY == 17 else rng.choice(good)
        record = copy.deepcopy(template)
        # whole weeks keep each template's working days; the minutes move the instants apart
        by = _dt.timedelta(weeks=rng.randrange(-8, 9), minutes=rng.randrange(0, 600))
        for field in _TIMES:
            if isinstance(record.get(field), str) and record[field] != "2026-02-30 10:00:00":
                record[field] = _shift(record[field], by)
        remind = record.get("refund_remind_timeout")
        if isinstance(remind, dict) and isinstance(remind.get("timeout"), str):
            remind["timeout"] = _shift(remind["timeout"], by)
        refund_id = 2051000000000000000 + i
        tid = 4011000000000000000 + i
        record["refund_id"] = refund_id if i % 7 == 3 else str(refund_id)
        record["tid"] = str(tid)
        record["oid"] = str(tid)
        yield record


def write(path: Path, n: int, seed: int = 2026) -> Path:
    """A ``taobao.refunds.receive.get`` response of ``n`` records, written a record at a time."""
    with path.open("w", encoding="utf-8") as out:
        out.write(f'{{"refunds_receive_get_response": {{"total_results": {n}, "has_next": false, ')
        out.write('"refunds": {"refund": [\n')
        for i, record in enumerate(records(n, seed)):
            if i:
                out.write(",\n")
            out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n]}}}\n")
    return path


if __name__ == "__main__":
    args = sys.argv[1:]
    seed = 2026
    if "--seed" in args:
        at = args.index("--seed")
        seed = int(args[at + 1])
        del args[at : at + 2]
    out = write(Path(args[1]), int(args[0]), seed)
    print(f"{out}: {out.stat().st_size / 2**20:.1f} MiB")
