"""``aftersales ingest`` and ``aftersales worker``: the casebook from the command line.

Shell code: it reads files, reads the clock (the worker's ``now``) and handles
SIGTERM. ``--casebook`` takes a SQLite path or a ``postgresql://`` URL.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click
import pendulum
import structlog

from ..core._case import Case
from ..core._effects import Effect
from ..core._errors import AfterSalesError
from ..core._serialize import parse_instant
from ..scenarios._scenario import load_policy

__all__ = ["ingest_command", "outbox_command", "worker_command"]

_CASEBOOK = click.option(
    "--casebook",
    "where",
    required=True,
    metavar="PATH|URL",
    help="A SQLite file (created if missing) or a postgresql:// URL.",
)
_POLICY = click.option(
    "--policy",
    "policy_name",
    default="taobao",
    show_default=True,
    help="The preset every change is computed with (taobao, taobao-current, tmall).",
)


@click.command("ingest")
@_CASEBOOK
@_POLICY
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def ingest_command(where: str, policy_name: str, files: tuple[Path, ...]) -> None:
    """Store what FILES add: Taobao Open Platform exports or the library's event JSON.

    FILES are .json files or folders of them. Each refund record or event is
    new (stored), a duplicate (already stored: re-ingesting changes nothing) or
    rejected, with the reason (it conflicts with the stored history). The
    library's other files in a shop folder (order scenarios, malicious-order
    files, review follow-ups) are skipped and named. Exit codes: 0 nothing
    rejected, 1 some records rejected, 2 usage.

    \b
    Examples:
      aftersales ingest --casebook shop.sqlite exports/
      aftersales ingest --casebook postgresql://shop@db/aftersales events.json
    """
    from ..casebook import Casebook

    try:
        with Casebook.open(where, policy=load_policy(policy_name)) as book:
            report = book.ingest_files(list(files))
    except AfterSalesError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(str(report))
    for outcome in report.skips:
        click.echo(f"  skipped: {outcome.source}: {outcome.reason}")
    for outcome in report.rejections:
        click.echo(f"  rejected: {outcome.source}: {outcome.reason}")
    if report.rejected:
        sys.exit(1)


def _load_handler(spec: str) -> Any:
    module_name, sep, name = spec.partition(":")
    if not sep or not module_name or not name:
        raise click.UsageError(f"--handler {spec!r}: write it as module:function")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # the shop's own module, run from its folder
    try:
        return getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise click.UsageError(f"--handler {spec!r}: {exc}") from None


def _log_only(effect: Effect, case: Case) -> None:
    """The default handler: the effect goes to the audit trail, nothing else happens."""
    structlog.get_logger("aftersales.worker").info(
        "effect_logged", case=case.id, effect=type(effect).__name__
    )


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
@click.option("--batch", type=int, default=100, show_default=True, help="Cases per pass.")
@click.option(
    "--idle", type=float, default=5.0, show_default=True, help="Seconds to wait when idle."
)
@click.option("--once", is_flag=True, help="Process what is due now, then exit.")
@click.option("--at", "at_text", metavar="ISO", help="Judge at this instant, not the clock.")
def worker_command(
    where: str,
    policy_name: str,
    handler_spec: str | None,
    batch: int,
    idle: float,
    once: bool,
    at_text: str | None,
) -> None:
    """Advance due cases and hand their effects to the shop's handler, until SIGTERM.

    Each transition is written to the structlog audit trail. Each effect is
    recorded in the outbox before it is handed over and marked done after; an
    effect whose outcome is unknown is parked for a person, never retried.
    SIGTERM or Ctrl-C stops after the effect being handed over.

    \b
    Examples:
      aftersales worker --casebook shop.sqlite --handler shop_effects:handle
      aftersales worker --casebook shop.sqlite --once
    """
    from ..casebook import Casebook, run_worker

    handle = _load_handler(handler_spec) if handler_spec else _log_only
    try:
        policy = load_policy(policy_name)
        fixed = None if at_text is None else parse_instant(at_text)
        book = Casebook.open(where, policy=policy)
    except AfterSalesError as exc:
        raise click.UsageError(str(exc)) from None

    def now() -> pendulum.DateTime:
        # the shell, not the core, reads the clock
        return fixed if fixed is not None else pendulum.now("UTC")  # noqa: TID251

    stop = None if once else threading.Event()
    if stop is not None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    with book:
        stats = run_worker(book, now=now, handle=handle, stop=stop, batch=batch, idle=idle)
    click.echo(
        f"advanced {stats.advanced} cases; handed over {stats.handed} effects: "
        f"{stats.done} done, {stats.unknown} outcome unknown, {stats.failed} failed",
        err=True,
    )
    parked = stats.unknown + stats.failed
    if parked:
        click.echo(f"{parked} effects parked for a person (Casebook.parked())", err=True)


@click.command("outbox")
@_CASEBOOK
@_POLICY
@click.option(
    "--resolve",
    "entry_id",
    type=int,
    metavar="ID",
    help="Settle the parked (or stuck) effect ID after checking what really happened.",
)
@click.option(
    "--happened/--did-not-happen",
    default=None,
    help="With --resolve: it happened (done), or it did not (hand it over again).",
)
@click.option("--note", default="", help="With --resolve: what the person found.")
def outbox_command(
    where: str, policy_name: str, entry_id: int | None, happened: bool | None, note: str
) -> None:
    """List the effects waiting for a person, or settle one of them.

    An effect is parked when its outcome is unknown (the shop's handler said so: a
    refund call that timed out) or when the handler kept failing; one left
    "handing" was being handed over when a worker stopped. None is retried
    automatically: a person checks, then says whether it happened.

    \b
    Examples:
      aftersales outbox --casebook shop.sqlite
      aftersales outbox --casebook shop.sqlite --resolve 42 --happened --note "在后台看到已退款"
      aftersales outbox --casebook shop.sqlite --resolve 43 --did-not-happen
    """
    from ..casebook import Casebook

    if entry_id is not None and happened is None:
        raise click.UsageError("--resolve needs --happened or --did-not-happen")
    try:
        with Casebook.open(where, policy=load_policy(policy_name)) as book:
            if entry_id is not None:
                book.resolve(entry_id, happened=bool(happened), note=note)
                click.echo(f"outbox entry {entry_id}: {'done' if happened else 'pending again'}")
                return
            waiting = [*book.parked(), *book.outbox("handing")]
    except AfterSalesError as exc:
        raise click.UsageError(str(exc)) from None
    if not waiting:
        click.echo("nothing waits for a person")
        return
    for entry in waiting:
        effect = type(entry.effect).__name__
        click.echo(
            f"{entry.id:>6}  {entry.status:<8} case {entry.case_id} (v{entry.version})  "
            f"{effect}  attempts {entry.attempts}  {entry.note}"
        )
