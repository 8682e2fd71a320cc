"""``aftersales board`` of a generated refund export: streamed against read whole.

Each size is a generated ``taobao.refunds.receive.get`` export (``exports.py``).
Two contenders, each the command a shop runs, in a child process of its own (wall
time of the whole process, start-up included; peak resident size from ``wait4``):

- ``streamed``: ``aftersales board FILE --at ...``, as it runs: an export of 8 MiB
  or more is read a record at a time, its open cases kept as board rows.
- ``whole file``: the same command with the streaming threshold raised out of reach
  (the path every export took before): the file parsed whole, every case kept.

Both print the same board (the table); the suite checks that. ``board-stream`` runs
only when named: 100,000 and 376,054 records (a 215 MiB export), 20,000 with
``--quick``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from . import exports
from ._timing import Figure
from .ingest import STREAM_RECORDS, _child

AT = "2026-03-31T18:00:00+08:00"
_MAIN = "import sys; from aftersales.cli import main; sys.exit(main())"
_WHOLE = "import aftersales.adapters._stream as s; s.STREAM_FROM = 2**62; " + _MAIN


def _board(export: Path, *, whole: bool) -> tuple[float, float, str]:
    return _child(["-c", _WHOLE if whole else _MAIN, "board", str(export), "--at", AT])


def _figures(n: int, export: Path) -> list[Figure]:
    size = export.stat().st_size / 2**20
    label = f"{n:,} records ({size:.0f} MiB)"
    figures = []
    texts = []
    for name, whole in (("streamed", False), ("whole file", True)):
        seconds, rss, text = _board(export, whole=whole)
        texts.append(sorted(text.splitlines()))  # problem rows: each kind a page at a time
        rows = text.splitlines()[0] if text else ""  # board at ...: N actions
        figures.append(
            Figure(
                "board-stream",
                f"{name}, {label}",
                n / seconds,
                "records/s",
                1,
                f"{seconds:.1f} s, peak {rss:.0f} MiB; {rows}",
            )
        )
    if texts[0] != texts[1]:
        raise AssertionError(f"board of {export}: streamed and whole-file boards differ")
    return figures


def run(*, quick: bool, sizes: tuple[int, ...] | None = None) -> list[Figure]:
    sizes = sizes or ((20_000,) if quick else (100_000, STREAM_RECORDS))  # 11 MiB: streamed
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            export = exports.write(Path(folder) / f"refunds-{n}.json", n)
            figures += _figures(n, export)
            export.unlink()
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure)
