"""Large refund exports, read a record at a time (ijson) and handed on a page at a time.

Shell code (it reads files), beside the adapter whose pages it feeds: ingest reads
it without the shop folder's readers (reviews, scenarios). The board (``load_shop``)
and the casebook's ingest read a large ``taobao.refunds.receive.get`` export the
same way: its records one by one, never the whole document, named by their place
in the file as a whole-file import names them (``refunds.json[41]``), in pages the
adapter's ``import_refund_page`` imports together. Any other file, and a smaller
one, is read whole.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import ijson

__all__ = ["STREAM_FROM", "STREAM_PAGE", "BrokenExport", "refund_pages", "streamed_prefix"]

#: Exports at least this large are read a record at a time (ijson), a page at a time.
STREAM_FROM = 8 * 2**20
#: Records per page of a streamed export: imported by the adapter together.
STREAM_PAGE = 2000
#: The responses read a record at a time, and where their records are.
_STREAMED = {"refunds_receive_get_response": "refunds_receive_get_response.refunds.refund.item"}


class BrokenExport(Exception):
    """A streamed export that turned out not to be JSON part-way, after ``records`` records."""

    def __init__(self, records: int, cause: Exception) -> None:
        super().__init__(records, cause)
        self.records = records
        self.cause = cause

    def __str__(self) -> str:
        return f"cannot be read as JSON after {self.records} records: {self.cause}"


def streamed_prefix(path: Path, *, smallest: int | None = None) -> str | None:
    """Where a refund export's records are, to read them one at a time; None for any
    other file, and for an export under ``smallest`` bytes (``STREAM_FROM``): read whole."""
    smallest = STREAM_FROM if smallest is None else smallest
    try:
        if not path.is_file() or path.stat().st_size < smallest:
            return None
        with path.open("rb") as f:
            events = ijson.parse(f, use_float=True)  # a huge integer: an error, not a crash
            first, second = next(events), next(events)
    except (OSError, ijson.JSONError, StopIteration):
        return None  # the whole-file path reports it
    if first[1] == "start_map" and second[1] == "map_key":
        return _STREAMED.get(str(second[2]))
    return None


def refund_pages(
    source: str, path: Path, prefix: str, page: int | None = None
) -> Iterator[list[tuple[str, object]]]:
    """The export's records, each named ``source[i]``, ``page`` (``STREAM_PAGE``) at a time.

    Money stays as the file wrote it: a float stays a float, for the adapter to
    refuse. Raises :class:`BrokenExport` after the pages read before a break (a file
    that is not JSON, or not UTF-8, part-way).
    """
    size = STREAM_PAGE if page is None else page
    count = 0
    try:
        with path.open("rb") as f:
            records = ijson.items(f, prefix, use_float=True)
            while chunk := list(itertools.islice(records, size)):
                yield [(f"{source}[{count + i}]", r) for i, r in enumerate(chunk)]
                count += len(chunk)
    except (OSError, ijson.JSONError, UnicodeDecodeError) as exc:
        raise BrokenExport(count, exc) from exc
