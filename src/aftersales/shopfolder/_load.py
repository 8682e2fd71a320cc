"""Reading a shop's files for the board: platform exports and the library's own JSON.

Shell code (it reads files). Each ``.json`` file is recognised by its shape:
a Taobao Open Platform export (refunds, trades, rate records), a case saved
with ``case_to_json``, a timeline scenario (case or order), or a review file.
A file or record that cannot be used becomes a problem with its reason; the
rest still loads. Nothing is dropped silently.

A refund export of ``STREAM_FROM`` bytes or more is read a record at a time, a
page at a time (``adapters._stream``, the casebook's ingest's reader too): each open case
is kept as the board's small row (``CaseSummary``), a finished one not at all,
so the board of a 200 MB export holds no whole-file list. ``shown_cases`` reads
the full cases of the rows a board shows again, for their messages.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import pendulum

from ..adapters._stream import BrokenExport, refund_pages, streamed_prefix
from ..adapters._taobao_fields import FieldError, read_id
from ..adapters.taobao import ImportResult, TradeRecord, import_exports, import_refund_page
from ..board._board import Item, summarize
from ..core._case import Case
from ..core._document import DocumentError, json_document
from ..core._engine import advance
from ..core._errors import AfterSalesError
from ..core._policy import Policy
from ..core._serialize import case_from_json
from ..orders._malicious import malicious_case_from_dict
from ..orders._shipping import watch_order
from ..reviews._followup import FollowUpNotNeeded, advance_follow_up, open_follow_up
from ..scenarios._reviews import follow_up_from_document
from ..scenarios._scenario import load_policy, order_scenario_watch, scenario_case

__all__ = [
    "LibraryFile",
    "ShopData",
    "StreamedExport",
    "library_file_kind",
    "load_shop",
    "shown_cases",
]


@attrs.frozen
class StreamedExport:
    """A refund export read a record at a time, and the trades its refunds were matched with."""

    source: str
    path: Path
    prefix: str
    trades: tuple[TradeRecord, ...] = ()


@attrs.frozen
class ShopData:
    """What the board reads: the items, and what could not be used.

    The open cases of a streamed export are the board's rows (``CaseSummary``), not
    full cases; ``streamed`` names those exports, for :func:`shown_cases`.
    """

    items: tuple[Item, ...]
    problems: tuple[dict[str, Any], ...]
    files: int
    streamed: tuple[StreamedExport, ...] = ()


_A_JSON_FILE = "a JSON file in UTF-8 (with or without a BOM)"


def _problem(source: str, problem: str, allowed: str, **more: Any) -> dict[str, Any]:
    return {"source": source, **more, "problem": problem, "allowed": allowed}


def _json_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        else:
            files.append(path)
    return files


def _is_export(doc: object) -> bool:
    if isinstance(doc, Mapping):
        if any(str(k).endswith("_response") for k in doc):
            return True
        return any(k in doc for k in ("refund_id", "trade_rates", "refunds", "trades"))
    if isinstance(doc, list):
        return bool(doc) and all(
            isinstance(r, Mapping) and ("refund_id" in r or "tid" in r) for r in doc
        )
    return False


def load_shop(
    paths: Sequence[Path],
    policy: Policy,
    at: pendulum.DateTime,
    *,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
) -> ShopData:
    """Every item the files describe, as of ``at`` (timers due by then have fired)."""
    files = _json_files(paths)
    items: list[Item] = []
    problems: list[dict[str, Any]] = []
    exports: list[tuple[str, object]] = []
    streamed: list[tuple[str, Path, str]] = []
    for path in progress(files) if progress is not None else files:
        source = str(path)
        prefix = streamed_prefix(path)
        if prefix is not None:  # read after the other exports: its refunds find their trades
            streamed.append((source, path, prefix))
            continue
        try:
            data = path.read_bytes()
            doc = json_document(data, source, exact=False)
        except OSError as exc:
            problems.append(_problem(source, f"cannot be read: {exc}", _A_JSON_FILE))
            continue
        except DocumentError as exc:
            problems.append(_problem(source, exc.problem, _A_JSON_FILE))
            continue
        if _is_export(doc):
            exports.append((source, doc))  # the adapter reports float money itself
            continue
        try:
            # the library's own files: money never through a float
            item = _library_item(json_document(data, source), path, policy, at)
        except FollowUpNotNeeded:
            continue  # a good review needs no follow-up: read, nothing to do
        except AfterSalesError as exc:
            problems.append(_problem(source, str(exc), "see docs/board.md for the file kinds"))
            continue
        if item is None:
            problems.append(
                _problem(
                    source,
                    "not a file the board knows",
                    "a Taobao Open Platform export, a case saved by case_to_json, "
                    "a timeline scenario, a review file, or a malicious-order file",
                )
            )
            continue
        items.append(item)
    trades: tuple[TradeRecord, ...] = ()
    if exports:
        trades = _from_exports(exports, policy, at, items, problems)
    read: list[StreamedExport] = []
    for source, path, prefix in streamed:
        read.append(StreamedExport(source, path, prefix, trades))
        _from_stream(read[-1], policy, at, items, problems)
    return ShopData(tuple(items), tuple(problems), len(files), tuple(read))


#: Problem rows by kind, in the order the board lists them: cases that could not be
#: brought to the board's instant, records the adapter refused, deadline disagreements.
_Found = tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]


def _from_exports(
    exports: list[tuple[str, object]],
    policy: Policy,
    at: pendulum.DateTime,
    items: list[Item],
    problems: list[dict[str, Any]],
) -> tuple[TradeRecord, ...]:
    """Refunds, trades waiting to ship and reviews from platform exports, read together
    so that refunds find their trades; the trades, for the streamed exports' refunds."""
    result = import_exports(exports, policy=policy)
    found: _Found = ([], [], [])
    _from_result(result, policy, at, items, found)
    problems.extend(itertools.chain(*found))
    return result.trades


def _from_stream(
    export: StreamedExport,
    policy: Policy,
    at: pendulum.DateTime,
    items: list[Item],
    problems: list[dict[str, Any]],
) -> None:
    """A large refund export, a page of records at a time: each open case kept as its
    board row, each record that cannot be used a problem, as the whole file would give.
    A file broken part-way is one more problem, after the records read before the break.
    The problems come in the whole file's order, each kind in record order."""
    found: _Found = ([], [], [])
    try:
        for page in refund_pages(export.source, export.path, export.prefix):
            result = import_refund_page(page, trades=export.trades, policy=policy)
            _from_result(result, policy, at, items, found, rows=True)
    except BrokenExport as exc:
        found[1].append(_problem(export.source, str(exc), _A_JSON_FILE))
    problems.extend(itertools.chain(*found))


def _from_result(
    result: ImportResult,
    policy: Policy,
    at: pendulum.DateTime,
    items: list[Item],
    found: _Found,
    *,
    rows: bool = False,
) -> None:
    """What an import found, as the board's items and problem rows; with ``rows``, each
    case as its board row (``CaseSummary``; a finished case gives none), not in full."""
    for imported in result.cases:
        case = imported.case
        try:
            case = case if case.changed_at >= at else _advance(case, at, policy)
        except AfterSalesError as exc:  # a deadline past the calendar: one row, not the board
            found[0].append(
                _problem(
                    case.id,
                    str(exc),
                    "a case whose deadlines the loaded calendar can count",
                    kind="refund",
                )
            )
            continue
        if not rows:
            items.append(case)
        elif (summary := summarize(case)) is not None:
            items.append(summary)
    for review in result.reviews:
        try:
            follow = open_follow_up(review, policy)
        except FollowUpNotNeeded:
            continue
        items.append(advance_follow_up(follow, max(at, follow.changed_at), policy))
    for trade in result.trades:
        order = trade.order
        if order is None or order.paid_at > at:
            continue
        if trade.partly_shipped:
            # the shipped lines count as shipped; the rest still runs to the ship-by
            lines = {
                line.oid: when
                for line in trade.lines
                if line.shipped and (when := line.consign_time or trade.consign_time)
            }
            unshipped = attrs.evolve(order, shipped_at=None, signed_at=None, finished_at=None)
            items.append(watch_order(unshipped, [], policy, at=at, shipped=lines))
        elif trade.status == "WAIT_SELLER_SEND_GOODS" and order.shipped_at is None:
            items.append(watch_order(order, [], policy, at=at))
    found[1].extend(
        {"source": p.source, **attrs.asdict(p, filter=lambda a, _: a.name != "source")}
        for p in result.problems
    )
    found[2].extend(
        _problem(
            d.case_id,
            str(d),
            "the platform's own deadline is the one that will act; check the case",
            kind="deadline_disagreement",
        )
        for d in result.disagreements
    )


def _advance(case: Case, at: pendulum.DateTime, policy: Policy) -> Case:
    return advance(case, at, policy)[0]


def shown_cases(
    shop: ShopData, case_ids: Collection[str], policy: Policy, at: pendulum.DateTime
) -> list[Case]:
    """The full cases, as of ``at``, of the rows ``case_ids`` that came from streamed
    exports (the rows a board shows, for their messages): the exports read again, and
    only those records imported, a page at a time as before (a refund's outcome
    depends only on its own records and the trades, so it is the same case).
    A case that could not be brought to ``at`` is left out: its problem row is on the
    board already."""
    wanted = set(case_ids)
    found: list[Case] = []
    for export in shop.streamed if wanted else ():
        try:
            for page in refund_pages(export.source, export.path, export.prefix):
                mine = [(name, record) for name, record in page if _refund_id(record) in wanted]
                if not mine:
                    continue
                result = import_refund_page(mine, trades=export.trades, policy=policy)
                for imported in result.cases:
                    case = imported.case
                    try:
                        found.append(case if case.changed_at >= at else _advance(case, at, policy))
                    except AfterSalesError:
                        continue
        except BrokenExport:
            continue  # its problem row is on the board already
    return found


def _refund_id(record: object) -> str | None:
    if not isinstance(record, Mapping):
        return None
    try:
        return read_id(record, "refund_id", required=False)
    except FieldError:
        return None


#: The library's own file kinds, by the keys that mark them (docs/scenarios.md).
LibraryFile = Literal["case scenario", "order scenario", "malicious order", "review", "case"]


#: Each kind and the keys that mark it, checked in this order.
_MARKS: tuple[tuple[LibraryFile, tuple[str, ...]], ...] = (
    ("case scenario", ("case",)),
    ("order scenario", ("order", "events")),
    ("malicious order", ("malicious_order",)),
    ("review", ("result", "content")),
    ("case", ("log", "kind", "state")),
)


def library_file_kind(doc: object) -> LibraryFile | None:
    """Which of the library's own files ``doc`` is, by its marking keys; None if none."""
    if isinstance(doc, Mapping):
        for kind, keys in _MARKS:
            if all(key in doc for key in keys):
                return kind
    return None


def _library_item(doc: object, path: Path, policy: Policy, at: pendulum.DateTime) -> Item | None:
    """The item a library file describes; None if the document is none of them."""
    kind = library_file_kind(doc)
    if kind is None:
        return None
    assert isinstance(doc, Mapping)
    base = path.parent
    item: Item
    if kind == "case scenario":
        case, case_policy = scenario_case(doc, base=base, calendar=policy.calendar)
        item = _advance(case, max(at, case.changed_at), case_policy)
    elif kind == "order scenario":
        item = order_scenario_watch(doc, base=base, at=at)[0]
    elif kind == "malicious order":
        own = load_policy(doc.get("policy"), base=base) if "policy" in doc else policy
        item = malicious_case_from_dict(doc, own, until=at)
    elif kind == "review":
        follow, review_policy = follow_up_from_document(doc, base=base)
        item = advance_follow_up(follow, max(at, follow.changed_at), review_policy)
    else:
        case = case_from_json(json.dumps(doc, default=str))
        item = _advance(case, max(at, case.changed_at), policy)
    return item
