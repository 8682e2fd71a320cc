"""``aftersales ingest``, ``worker`` and ``outbox``: the casebook from the command line.

Shell code: it reads files (``-``: standard input), reads the clock (the worker's
``now``) and handles SIGTERM. ``--casebook`` takes a SQLite path or a
``postgresql://`` URL, or ``AFTERSALES_CASEBOOK``. A database that cannot be
reached or written exits 3; rejected records or parked effects exit 1 after
the full report (``_exit``).
"""

from __future__ import annotations

import functools
import importlib
import logging
import math
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click
import pendulum

from ..core._case import Case
from ..core._effects import Effect
from ..core._errors import AfterSalesError, InvalidInput
from ..core._policy import Policy
from ._example import Example, find_example
from ._exit import REFUSED, exits_by_kind, failure, mask_url, naming
from ._options import (
    STDIN,
    at_option,
    calendar_options,
    casebook_option,
    daily_policy,
    echo_json,
    format_option,
    is_stdin,
    policy_option,
    stdin_text,
)

if TYPE_CHECKING:
    from ..casebook import Casebook, IngestReport, Outcome

__all__ = ["ingest_command", "open_casebook", "outbox_command", "worker_command"]

#: Most cases a worker pass takes, or effects a hand-over marks: one transaction each, so
#: a larger number is a mistake (and past SQLite's integers, a crash), not a wish.
_MOST_BATCH = 1_000_000
#: Most ingest processes: far beyond any machine's cores, short of a fork bomb.
_MOST_JOBS = 256

_CASEBOOK = casebook_option(
    required=True, help="A SQLite file (created if missing) or a postgresql:// URL."
)


def _POLICY(command: Callable[..., None]) -> Callable[..., None]:  # noqa: N802
    """``--policy`` with ``--calendar``/``--strict-calendar``: the policy every change uses.

    The casebook serves daily operations: a deadline in a year whose notice is not
    loaded is counted provisionally unless ``--strict-calendar`` (docs/calendar.md).
    """

    @functools.wraps(command)
    def with_calendar(
        *args: Any, policy: Policy, calendar_file: Path | None, strict_calendar: bool, **kw: Any
    ) -> None:
        command(*args, policy=daily_policy(policy, calendar_file, strict_calendar), **kw)

    options = calendar_options(with_calendar)
    return policy_option("The preset every change is computed with.")(options)


def open_casebook(where: str, policy: Policy, *, board_only: bool = False) -> Casebook:
    """The casebook at ``where``; a failure names it (its password masked).
    ``board_only``: see :meth:`Casebook.open` (the board reads, never writes).

    ``""`` and ``:memory:`` are usage errors (2): the casebook would be gone when the
    command ends, so "2 new" would be a lie. A path that cannot hold a casebook (a
    folder, a missing or read-only folder, a read-only, empty, damaged or foreign
    file) is refused (1); a database that cannot be reached exits 3.
    """
    from ..casebook import Casebook, NotACasebook

    if where.strip() in ("", ":memory:"):
        raise click.BadParameter(
            f"{where!r} keeps nothing after the command ends: give a SQLite file or a "
            "postgresql:// URL",
            param_hint="--casebook",
        )
    if "://" in where:
        # psycopg's own warnings about a lost connection ("error ignored terminating
        # <psycopg.Pipeline [BAD]>") would print around the one-line error
        logging.getLogger("psycopg").addHandler(logging.NullHandler())
    shown = mask_url(where)
    with naming(f"--casebook {shown}"):
        try:
            return Casebook.open(where, policy=policy, board_only=board_only)
        except NotACasebook as exc:  # its message starts with the path: once is enough
            text = str(exc).removeprefix(f"{where}: ")
            raise failure(f"--casebook {shown}: {text}", REFUSED) from None


@contextmanager
def _with_stdin(files: tuple[Path, ...]) -> Iterator[tuple[list[Path], Callable[[str], str]]]:
    """FILES with ``-`` read into a temporary file, and how to name that file back as <stdin>."""
    if sum(is_stdin(f) for f in files) > 1:
        raise click.UsageError("- (standard input) can be given once")
    if not any(is_stdin(f) for f in files):
        yield list(files), lambda text: text
        return
    with tempfile.TemporaryDirectory(prefix="aftersales-") as folder:
        held = Path(folder) / "stdin.json"
        held.write_text(stdin_text(), encoding="utf-8")
        yield (
            [held if is_stdin(f) else f for f in files],
            lambda text: text.replace(str(held), STDIN),
        )


def _ingest_json(report: IngestReport, example: Example | None) -> dict[str, Any]:
    def outcome(o: Outcome) -> dict[str, Any]:
        label = example.label(o.source) if example is not None else None
        return {**attrs.asdict(o), **({"note": label} if label else {})}

    return {
        "new": report.new,
        "duplicate": report.duplicate,
        "rejected": report.rejected,
        "skipped": report.skipped,
        "ignored": report.ignored,
        "outcomes": [outcome(o) for o in report.outcomes],
    }


def _cpus() -> int:
    """The CPUs this process may run on (its affinity where the system says)."""
    import os

    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@click.command("ingest")
@_CASEBOOK
@_POLICY
@format_option("text", "json", help="text: the counts, then each skipped and rejected record.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=_MOST_JOBS),
    default=None,
    help="Processes that work a refund export of more than one page (500 records) side by "
    "side, written in file order with the same outcomes as one. Default: one per CPU this "
    "process may use.",
)
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, allow_dash=True, path_type=Path),
)
@exits_by_kind
def ingest_command(
    casebook: str, policy: Policy, fmt: str, jobs: int | None, files: tuple[Path, ...]
) -> None:
    """Store what FILES add: Taobao Open Platform exports or the library's event JSON.

    FILES are .json files or folders of them; - reads one JSON document from
    standard input. Each refund record or event is new (stored), a duplicate
    (already stored: re-ingesting changes nothing) or rejected, with the reason
    (it conflicts with the stored history). The library's other files in a shop
    folder (order scenarios, malicious-order files, review follow-ups) are
    skipped and named. Exit codes: 0 nothing rejected, 1 some records rejected
    (after the full report), 2 usage, 3 the casebook could not be opened or
    written.

    \b
    Examples:
      aftersales ingest --casebook shop.sqlite exports/
      AFTERSALES_CASEBOOK=postgresql://shop@db/aftersales aftersales ingest events.json
      aftersales ingest --casebook shop.sqlite --format json - < events.json
    """
    from ..casebook import IngestReport, Outcome

    example = find_example(files)
    with _with_stdin(files) as (paths, named), open_casebook(casebook, policy) as book:
        report = book.ingest_files(paths, jobs=jobs or _cpus())
    report = IngestReport(
        tuple(
            Outcome(named(o.source), o.case_id, o.result, named(o.reason), o.events)
            for o in report.outcomes
        ),
        report.ignored,
    )
    if fmt == "json":
        echo_json(_ingest_json(report, example))
    else:
        click.echo(str(report))
        for outcome in report.skips:
            click.echo(f"  skipped: {outcome.source}: {outcome.reason}")
        for outcome in report.rejections:
            label = example.label(outcome.source) if example is not None else None
            note = f"\n    ({label})" if label else ""
            click.echo(f"  rejected: {outcome.source}: {outcome.reason}{note}")
    if report.rejected:
        sys.exit(REFUSED)


def _load_handler(spec: str) -> Any:
    module_name, sep, name = spec.partition(":")
    if not sep or not module_name or not name:
        raise click.UsageError(f"--handler {spec!r}: write it as module:function")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # the shop's own module, run from its folder
    try:
        handler = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise click.UsageError(f"--handler {spec!r}: {exc}") from None
    if not callable(handler) or isinstance(handler, type(importlib)):
        what = type(handler).__name__
        raise click.UsageError(
            f"--handler {spec!r}: {name} is a {what}, not a function "
            "(it is called as handler(effect, case))"
        )
    return handler


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value) or value < 0 or value > 86400:
        raise click.BadParameter(f"{value} is not a number of seconds from 0 to 86400")
    return value


#: Effects per hand-over step with the default handler (nothing happens outside).
_LOG_ONLY_HAND_BATCH = 100


def _log_only(log: Any) -> Callable[[Effect, Case], None]:
    """The default handler: the effect goes to the audit trail, nothing else happens."""
    bind = getattr(log, "bind", None)
    if bind is not None:
        log = bind()  # once: structlog's lazy proxy binds itself again on every call

    def handle(effect: Effect, case: Case) -> None:
        log.debug("effect_logged", case=case.id, effect=type(effect).__name__)

    return handle


def _audit_log(fmt: str, verbose: bool = False) -> Any:
    """The worker's structlog logger; with --format json, off standard output (kept for the JSON).

    Only structlog's own printing to standard output is moved to standard error,
    with the configured processors; a shop that set up another logger factory
    (the logging module, a file) keeps it.
    """
    import structlog  # the worker's only: the board and ingest do without its imports

    factory = structlog.get_config()["logger_factory"]
    to_stdout = isinstance(factory, structlog.PrintLoggerFactory) and getattr(
        factory, "_file", None
    ) in (None, sys.stdout)
    # One line per pass at the default level; per-transition and per-effect lines at
    # debug (--verbose). A shop that configured structlog keeps its own filtering.
    level = structlog.make_filtering_bound_logger(logging.DEBUG if verbose else logging.INFO)
    wrapper = None if structlog.is_configured() else level
    if fmt != "json" or not to_stdout:
        return structlog.wrap_logger(
            None, wrapper_class=wrapper, logger_factory_args=("aftersales.worker",)
        )
    return structlog.wrap_logger(structlog.PrintLogger(sys.stderr), wrapper_class=wrapper)


@click.command("worker")
@_CASEBOOK
@_POLICY
@click.option(
    "--handler",
    "handler_spec",
    metavar="MODULE:FUNCTION",
    help="The shop's effect handler, called as handler(effect, case); "
    "raise aftersales.casebook.OutcomeUnknown when unsure. Default: log each effect.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1, max=_MOST_BATCH),
    default=500,
    show_default=True,
    help="Cases per pass.",
)
@click.option(
    "--hand-batch",
    type=click.IntRange(min=1, max=_MOST_BATCH),
    default=None,
    help="Effects marked handing per transaction. Default: 1 with --handler (a worker "
    "killed mid-hand-over leaves only the effect being handed over in doubt), "
    f"{_LOG_ONLY_HAND_BATCH} without (the default handler only logs, so a kill costs at most "
    "logging a batch again). N is faster and leaves up to N for a person to settle.",
)
@click.option(
    "--verbose", "-v", is_flag=True, help="Log every transition and effect (debug), not each pass."
)
@click.option(
    "--idle",
    type=float,
    default=5.0,
    show_default=True,
    callback=_seconds,
    help="Seconds to wait when idle.",
)
@click.option("--once", is_flag=True, help="Process what is due now, then exit.")
@at_option("the clock, read at each pass")
@format_option(
    "text",
    "json",
    help="text: a summary on standard error; json: the counts on standard output "
    "(the audit trail then goes to standard error).",
)
@exits_by_kind
def worker_command(
    casebook: str,
    policy: Policy,
    handler_spec: str | None,
    batch: int,
    hand_batch: int | None,
    verbose: bool,
    idle: float,
    once: bool,
    at: pendulum.DateTime | None,
    fmt: str,
) -> None:
    """Advance due cases and hand their effects to the shop's handler, until SIGTERM.

    Each transition is written to the structlog audit trail. Each effect is
    recorded in the outbox before it is handed over and marked done after; an
    effect whose outcome is unknown is parked for a person, never retried.
    SIGTERM or Ctrl-C stops after the effect being handed over. Exit codes: 0
    done, 1 some effects were parked for a person (after the report), 2 usage,
    3 the casebook could not be opened or written.

    \b
    Examples:
      aftersales worker --casebook shop.sqlite --handler shop_effects:handle
      aftersales worker --casebook shop.sqlite --once
      AFTERSALES_CASEBOOK=shop.sqlite aftersales worker --once --format json
    """
    from ..casebook import run_worker

    log = _audit_log(fmt, verbose)
    handle = _load_handler(handler_spec) if handler_spec else _log_only(log)
    if hand_batch is None:
        # A real handler acts outside (a refund, a message): one effect per step, so a
        # kill repeats at most one outside call. The default one only logs: a kill
        # mid-batch costs a batch's log lines again, nothing a buyer sees.
        hand_batch = 1 if handler_spec else _LOG_ONLY_HAND_BATCH
    book = open_casebook(casebook, policy)

    def now() -> pendulum.DateTime:
        # the shell, not the core, reads the clock
        return at if at is not None else pendulum.now("UTC")  # noqa: TID251

    bind = getattr(handle, "bind_casebook", None)  # a handler that needs the casebook
    if bind is not None:
        try:
            handle = bind(book, now=now)
        except AfterSalesError as exc:
            raise click.UsageError(f"--handler {handler_spec}: {exc}") from None

    stop = None if once else threading.Event()
    if stop is not None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    with book:
        _say_start(book, casebook, policy, once=once, idle=idle, at=now())
        stats = run_worker(
            book,
            now=now,
            handle=handle,
            stop=stop,
            batch=batch,
            hand_batch=hand_batch,
            idle=idle,
            logger=log,
        )
    getattr(handle, "close", lambda: None)()  # a bound handler's connection
    parked = stats.unknown + stats.failed
    if fmt == "json":
        echo_json({**attrs.asdict(stats), "parked": parked})
    else:
        if stats.recounted:
            click.echo(
                f"counted {stats.recounted} provisional deadlines again with the loaded "
                "holiday notice (logged as deadline_recounted)",
                err=True,
            )
        click.echo(
            f"advanced {stats.advanced} cases; handed over {stats.handed} effects: "
            f"{stats.done} done, {stats.unknown} outcome unknown, {stats.failed} failed",
            err=True,
        )
        if parked:
            click.echo(f"{parked} effects parked for a person (Casebook.parked())", err=True)
    if parked:
        sys.exit(REFUSED)


def _say_start(
    book: Casebook, where: str, policy: Policy, *, once: bool, idle: float, at: pendulum.DateTime
) -> None:
    """On standard error: what the worker watches, when the next case is due, how it stops."""
    soonest = book.next_due(1)
    if soonest:
        due = soonest[0].due.in_timezone(policy.timezone)
        late = " (overdue: it runs now)" if due <= at else ""
        nxt = f"next due: case {soonest[0].case_id} at {due.isoformat()}{late}"
    else:
        nxt = "no case has a deadline running"
    how = (
        "--once: what is due now, then it exits"
        if once
        else f"checks every {idle:g} s when idle; Ctrl-C or SIGTERM stops it "
        "(--once: what is due now, then exit)"
    )
    click.echo(
        f"worker: watching --casebook {mask_url(where)}: {book.count()} cases; {nxt}; {how}",
        err=True,
    )


@click.command("outbox")
@_CASEBOOK
@_POLICY
@click.option(
    "--resolve",
    "entry_id",
    type=click.IntRange(min=1, max=2**63 - 1),
    metavar="ID",
    help="Settle the parked (or stuck) effect ID after checking what really happened.",
)
@click.option(
    "--happened/--did-not-happen",
    default=None,
    help="With --resolve: it happened (done), or it did not (hand it over again).",
)
@click.option("--note", default="", help="With --resolve: what the person found.")
@format_option("text", "json", help="text: a line per effect; json: the entries as data.")
@exits_by_kind
def outbox_command(
    casebook: str,
    policy: Policy,
    entry_id: int | None,
    happened: bool | None,
    note: str,
    fmt: str,
) -> None:
    """List the effects waiting for a person, or settle one of them.

    An effect is parked when its outcome is unknown (the shop's handler said so: a
    refund call that timed out) or when the handler kept failing; one left
    "handing" was being handed over when a worker stopped. None is retried
    automatically: a person checks, then says whether it happened. An ID that
    is not parked or in doubt is a usage error (2).

    \b
    Examples:
      aftersales outbox --casebook shop.sqlite
      aftersales outbox --casebook shop.sqlite --format json
      aftersales outbox --casebook shop.sqlite --resolve 42 --happened --note "在后台看到已退款"
      aftersales outbox --casebook shop.sqlite --resolve 43 --did-not-happen
    """
    if entry_id is not None and happened is None:
        raise click.UsageError("--resolve needs --happened or --did-not-happen")
    with open_casebook(casebook, policy) as book:
        if entry_id is not None:
            try:
                book.resolve(entry_id, happened=bool(happened), note=note)
            except InvalidInput as exc:
                raise click.BadParameter(str(exc), param_hint="--resolve") from None
            status = "done" if happened else "pending"
            if fmt == "json":
                echo_json({"id": entry_id, "status": status, "note": note})
            else:
                click.echo(f"outbox entry {entry_id}: {'done' if happened else 'pending again'}")
            return
        waiting = [*book.parked(), *book.outbox("handing")]
    if fmt == "json":
        echo_json(
            [
                {
                    "id": e.id,
                    "status": e.status,
                    "case_id": e.case_id,
                    "version": e.version,
                    "effect": type(e.effect).__name__,
                    "attempts": e.attempts,
                    "note": e.note,
                }
                for e in waiting
            ]
        )
        return
    if not waiting:
        click.echo("nothing waits for a person")
        return
    for entry in waiting:
        effect = type(entry.effect).__name__
        click.echo(
            f"{entry.id:>6}  {entry.status:<8} case {entry.case_id} (v{entry.version})  "
            f"{effect}  attempts {entry.attempts}  {entry.note}"
        )
