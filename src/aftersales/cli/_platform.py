"""``aftersales sync``: the Taobao Open Platform's refunds into the casebook.

Shell code: it reads the environment (``AFTERSALES_TOP_*``: secrets never on the
command line) and the clock, and talks to the platform's gateway. Register it in
``_main.py`` with ``main.add_command(sync_command)`` (or lazily, by name ``sync``).

``aftersales act``: seller actions written back to the platform (agree, refuse,
message), checked by the rules before any call and recorded in the casebook.
Register it lazily: ``"act": LazyCommand("._platform", "act_group", ...)``.
"""

from __future__ import annotations

import datetime as _dt
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from ..core._policy import Policy
from ._casebook import _CASEBOOK, _POLICY, open_casebook
from ._exit import FAILURE, REFUSED, exits_by_kind, failure
from ._options import echo_json, format_option

if TYPE_CHECKING:
    from ..platform import (
        ActionResult,
        CallStats,
        SyncReport,
        SyncWindow,
        TaobaoSettings,
        TopConfig,
    )

__all__ = ["act_group", "sync_command"]

_BEIJING = "Asia/Shanghai"


def _instant(ctx: click.Context, param: click.Parameter, value: str | None) -> _dt.datetime | None:
    """ISO 8601; without an offset (``2026-03-01``, ``2026-03-01 09:30:00``) Beijing time."""
    if value is None:
        return None
    from zoneinfo import ZoneInfo

    try:
        at = _dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time (2026-03-01, 2026-03-01T09:30:00+08:00; "
            "without an offset it is Beijing time)"
        ) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(_BEIJING))
    return at


#: ``--shop FILE`` (or ``AFTERSALES_SHOP``): the shop file, whose ``[taobao]`` table
#: holds the platform's non-secret settings.
_SHOP = click.option(
    "--shop",
    "shop_file",
    envvar="AFTERSALES_SHOP",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The shop's shop.toml (or AFTERSALES_SHOP): its [taobao] table's non-secret "
    "settings (gateway, app_key, sign_method, tmall, return_address_id, "
    "sync_margin_minutes); the environment overrides them.",
)


def _settings(shop_file: Path | None) -> tuple[TaobaoSettings, TopConfig]:
    """The shop file's settings with the environment over them, and the connection;
    a secret in the file or a missing variable is a usage error (2)."""
    from ..platform import ConfigurationMissing, read_settings

    try:
        settings = read_settings(shop_file).with_env()
        return settings, settings.config()
    except ConfigurationMissing as exc:
        raise click.UsageError(str(exc)) from None


def _summary(report: SyncReport, stats: CallStats) -> dict[str, Any]:
    rate = report.listed / report.seconds if report.seconds else 0.0
    return {
        "since": None if report.start is None else report.start.isoformat(),
        "until": None if report.end is None else report.end.isoformat(),
        "windows": report.windows,
        "pages": report.pages,
        "listed": report.listed,
        "details": report.details,
        "new": report.new,
        "duplicate": report.duplicate,
        "rejected": report.rejected,
        "calls": stats.calls,
        "calls_by_method": dict(stats.by_method),
        "retries": stats.retries,
        "call_limit_waits": stats.waits,
        "seconds_waited": round(stats.waited, 3),
        "seconds": round(report.seconds, 3),
        "records_per_second": round(rate, 1),
        "rejections": [attrs.asdict(o) for o in report.rejections],
        "disagreements": [str(d) for d in report.disagreements],
        "actions_settled": [
            {k: a.get(k) for k in ("action_id", "refund_id", "kind", "status", "detail")}
            for a in report.settled
        ],
    }


def _print_text(summary: dict[str, Any]) -> None:
    click.echo(
        f"synced {summary['since']} .. {summary['until']}: {summary['windows']} windows, "
        f"{summary['pages']} pages, {summary['listed']} records listed, "
        f"{summary['details']} read whole"
    )
    click.echo(
        f"{summary['new']} new, {summary['duplicate']} duplicate, {summary['rejected']} rejected"
    )
    click.echo(
        f"{summary['calls']} calls ({summary['retries']} retries, "
        f"{summary['call_limit_waits']} call-limit waits, {summary['seconds_waited']:g} s "
        f"waited) in {summary['seconds']:g} s ({summary['records_per_second']:g} records/s)"
    )
    for outcome in summary["rejections"]:
        click.echo(f"  rejected: {outcome['source']}: {outcome['reason']}")
    for text in summary["disagreements"]:
        click.echo(f"  deadline: {text}")
    for action in summary["actions_settled"]:
        click.echo(f"  action {action['action_id']}: {action['status']}: {action['detail']}")


class _Progress:
    """Pages, records and the rate on a terminal's standard error, one line redrawn."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown = False

    def window(self, window: SyncWindow, report: SyncReport) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        click.echo(
            f"\r{window.method} to {window.end:%Y-%m-%d %H:%M:%S}: {report.pages} pages, "
            f"{report.listed} records, {report.listed / elapsed:.0f}/s   ",
            err=True,
            nl=False,
        )
        self.shown = True

    def note(self, text: str) -> None:
        if self.shown:
            click.echo("", err=True)
            self.shown = False
        click.echo(f"  {text}", err=True)

    def done(self) -> None:
        if self.shown:
            click.echo("", err=True)


@click.command("sync")
@_CASEBOOK
@_POLICY
@click.option(
    "--since",
    callback=_instant,
    metavar="ISO",
    help="Start of the first sync (ISO 8601; without an offset, Beijing time). Later syncs "
    "resume from the casebook's cursor; --since overrides it.",
)
@click.option(
    "--until",
    callback=_instant,
    metavar="ISO",
    help="End of the sync (default: now).",
)
@click.option(
    "--tmall",
    is_flag=True,
    help="A Tmall shop: also read tmall.dispute.receive.get (refunds, returns, exchanges).",
)
@_SHOP
@format_option("text", "json", help="text: the counts, then each rejected record.")
@exits_by_kind
def sync_command(
    casebook: str,
    policy: Policy,
    since: _dt.datetime | None,
    until: _dt.datetime | None,
    tmall: bool,
    shop_file: Path | None,
    fmt: str,
) -> None:
    """Pull the shop's refunds changed since the last sync from the Taobao Open Platform.

    Reads taobao.refunds.receive.get by modified windows (and each refund whole with
    taobao.refund.get), and stores them as `aftersales ingest` stores an export.
    The cursor lives in the casebook: a sync stopped at any point and run again
    loses nothing and doubles nothing. The first sync needs --since.

    The connection comes from the environment, never the command line:
    AFTERSALES_TOP_APP_KEY, AFTERSALES_TOP_APP_SECRET, AFTERSALES_TOP_SESSION,
    AFTERSALES_TOP_GATEWAY (default the platform's), AFTERSALES_TOP_SIGN_METHOD
    (md5, hmac or hmac-sha256). Needs the taobao extra: pip install 'aftersales[taobao]'.

    Exit codes: 0 done, 1 some records rejected (after the full report), 2 usage
    (no --since on a first sync, a missing AFTERSALES_TOP_* variable), 3 a runtime
    failure (the gateway unreachable or failing, the platform refusing the
    credentials, a call limit longer than the sync waits, the casebook).

    \b
    Examples:
      aftersales sync --casebook shop.sqlite --since 2026-03-01
      aftersales sync --casebook shop.sqlite --format json
    """
    from ..platform import (
        CallerError,
        ConfigurationMissing,
        PlatformError,
        SyncUsage,
        TopClient,
        sync,
    )

    settings, config = _settings(shop_file)
    tty = fmt == "text" and sys.stderr.isatty()
    progress = _Progress() if tty else None
    try:
        client = TopClient(config, notify=None if progress is None else progress.note)
    except ConfigurationMissing as exc:
        raise failure(str(exc), FAILURE) from None
    with client, open_casebook(casebook, policy) as book:
        try:
            report = sync(
                book,
                client,
                since=since,
                until=until,
                tmall=tmall or settings.tmall,
                margin=settings.sync_margin,
                progress=None if progress is None else progress.window,
            )
        except SyncUsage as exc:
            raise click.UsageError(str(exc)) from None
        except CallerError as exc:
            raise failure(f"the platform refused the call: {exc}", FAILURE) from None
        except PlatformError as exc:
            raise failure(str(exc), FAILURE) from None
        finally:
            if progress is not None:
                progress.done()
    summary = _summary(report, client.stats)
    if fmt == "json":
        echo_json(summary)
    else:
        _print_text(summary)
    if report.rejected:
        sys.exit(REFUSED)


# -- act ----------------------------------------------------------------------------------------


@attrs.frozen
class _ActOptions:
    casebook: str
    policy: Policy
    tmall: bool
    fmt: str
    shop_file: Path | None = None


#: Hidden: the rules judge an action at this time instead of now, which only a test or
#: a demo against the fake gateway (whose data lies in the past) should want.
_AT = click.option(
    "--at",
    callback=_instant,
    metavar="ISO",
    hidden=True,
    help="For tests and demos only: judge the action at this time instead of now.",
)


@click.group("act")
@_CASEBOOK
@_POLICY
@click.option(
    "--tmall", is_flag=True, help="A Tmall shop: Tmall's batch limits (30 refunds, ¥10,000)."
)
@_SHOP
@format_option("text", "json", help="text: one line per action.")
@click.pass_context
def act_group(
    ctx: click.Context,
    casebook: str,
    policy: Policy,
    tmall: bool,
    shop_file: Path | None,
    fmt: str,
) -> None:
    """Act on a refund on the Taobao Open Platform: agree, agree to a return, refuse,
    leave a message.

    A refusal may upload a proof image (refuse --proof); `settle` settles an
    action whose outcome is unknown by hand.

    The rules come first: an action the case does not allow now (its state, a
    deadline passed, an amount above the refund, a text outside 2-200 characters)
    is refused naming the rule, and nothing is sent. Otherwise the refund is read
    (its refund_version), the action recorded in the casebook, sent once, and
    settled by the platform's answer. An answer lost on the way leaves the action
    unknown: the next `aftersales sync` settles it from the refund's status, and
    nothing else is sent on that refund meanwhile.

    The connection comes from the environment (AFTERSALES_TOP_*), as for `sync`;
    the shop file (--shop or AFTERSALES_SHOP) may hold the non-secret settings.

    Exit codes: 0 done, 1 refused (by the rules or the platform) or unknown,
    2 usage, 3 a runtime failure (the gateway, the credentials, the casebook).

    \b
    Examples:
      aftersales act --casebook shop.sqlite agree 2051000000000000003
      aftersales act --casebook shop.sqlite agree 2051000000000000003 --amount 12.50
      aftersales act --casebook shop.sqlite agree-return 2051000000000000004 \\
        --shop shop.toml --address-id 889
      aftersales act --casebook shop.sqlite refuse 2051000000000000003 --message "已发货"
      aftersales act --casebook shop.sqlite refuse 2051000000000000003 --message "已签收" \\
        --proof proof.png
      aftersales act --casebook shop.sqlite message 2051000000000000003 --text "已补发"
      aftersales act --casebook shop.sqlite settle ACTION_ID done --note "后台已退款" --by 小林
    """
    ctx.obj = _ActOptions(casebook, policy, tmall, fmt, shop_file)


def _act(ctx: click.Context, run: Any) -> None:
    from ..platform import (
        ActionRefused,
        CallerError,
        ConfigurationMissing,
        PlatformError,
        TopClient,
    )

    options = ctx.find_object(_ActOptions)
    if options is None:  # the subcommand was invoked without its group
        raise click.UsageError("give --casebook to `aftersales act`")
    settings, config = _settings(options.shop_file)
    try:
        client = TopClient(config)
    except ConfigurationMissing as exc:
        raise failure(str(exc), FAILURE) from None
    with client, open_casebook(options.casebook, options.policy) as book:
        try:
            done = run(book, client, options.tmall or settings.tmall)
            results: list[ActionResult] = done if isinstance(done, list) else [done]
        except ActionRefused as exc:
            raise failure(f"refused by the rules, nothing sent: {exc}", REFUSED) from None
        except CallerError as exc:
            raise failure(f"the platform refused the call: {exc}", FAILURE) from None
        except PlatformError as exc:
            raise failure(str(exc), FAILURE) from None
    if options.fmt == "json":
        echo_json([attrs.asdict(result) for result in results])
    else:
        for result in results:
            click.echo(
                f"{result.kind} {result.refund_id}: {result.status} ({result.method}, action "
                f"{result.action_id}): {result.detail}"
            )
    if any(result.status != "done" for result in results):
        sys.exit(REFUSED)


@act_group.command("agree")
@click.argument("refund_ids", metavar="REFUND_ID...", nargs=-1, required=True)
@click.option("--amount", metavar="YUAN", help="Refund this much (default: the whole refund).")
@click.option(
    "--code",
    metavar="CODE",
    help="The verification code the platform texted the seller, to complete a parked agree.",
)
@_AT
@click.pass_context
@exits_by_kind
def act_agree(
    ctx: click.Context,
    refund_ids: tuple[str, ...],
    amount: str | None,
    code: str | None,
    at: _dt.datetime | None,
) -> None:
    """Agree to refunds (taobao.rp.refunds.agree): several in batches within the
    platform's limits, each settled from the platform's per-refund result."""
    from ..platform import agree, agree_many

    if len(refund_ids) > 1 and amount is not None:
        raise click.UsageError("--amount is for one refund; give one REFUND_ID with it")
    if len(refund_ids) == 1:
        _act(
            ctx,
            lambda book, client, tmall: agree(
                book, client, refund_ids[0], amount=amount, tmall=tmall, code=code, at=at
            ),
        )
    else:
        _act(
            ctx,
            lambda book, client, tmall: agree_many(
                book, client, refund_ids, tmall=tmall, code=code, at=at
            ),
        )


@act_group.command("agree-return")
@click.argument("refund_id")
@click.option(
    "--shop",
    "shop_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The shop's TOML or JSON: its return_address (recipient, phone, address) is sent "
    "(default: act's --shop or AFTERSALES_SHOP).",
)
@click.option(
    "--address-id",
    type=int,
    help="The platform's ID of that address (seller_address_id, from the seller's address "
    "book on the platform; default: the shop file's [taobao] return_address_id).",
)
@click.option("--post", metavar="ZIP", help="The return address's post code.")
@click.option("--remark", default="", help="A word to the buyer (required on Tmall).")
@_AT
@click.pass_context
@exits_by_kind
def act_agree_return(
    ctx: click.Context,
    refund_id: str,
    shop_file: Path | None,
    address_id: int | None,
    post: str | None,
    remark: str,
    at: _dt.datetime | None,
) -> None:
    """Agree to a return (taobao.rp.returngoods.agree), to the shop's return address."""
    from ..core._errors import InvalidInput
    from ..messages import read_shop
    from ..platform import agree_return

    options = ctx.find_object(_ActOptions)
    shop_file = shop_file or (options.shop_file if options is not None else None)
    if shop_file is None:
        raise click.UsageError("give the shop's file (--shop or AFTERSALES_SHOP): its address")
    try:
        shop = read_shop(shop_file)
    except InvalidInput as exc:
        raise click.BadParameter(str(exc), param_hint="--shop") from None
    if address_id is None:
        address_id = _settings(shop_file)[0].return_address_id
    if address_id is None:
        raise click.UsageError(
            "give --address-id, or return_address_id in the shop file's [taobao] table"
        )
    seller_address_id = address_id
    _act(
        ctx,
        lambda book, client, tmall: agree_return(
            book,
            client,
            refund_id,
            address=shop.return_address,
            seller_address_id=seller_address_id,
            post=post,
            remark=remark,
            tmall=tmall,
            at=at,
        ),
    )


@act_group.command("refuse")
@click.argument("refund_id")
@click.option("--message", "text", required=True, help="Why, for the buyer (2-200 characters).")
@click.option(
    "--proof",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A proof image (GIF, JPEG or PNG; at most 130,000 bytes for taobao.refund.refuse, "
    "5 MB for Tmall's taobao.rp.returngoods.refuse). Required on Tmall (TOP-PROOF).",
)
@click.option("--reason-id", type=int, help="A refusal reason ID (taobao.refund.refusereason.get).")
@_AT
@click.pass_context
@exits_by_kind
def act_refuse(
    ctx: click.Context,
    refund_id: str,
    text: str,
    proof: Path | None,
    reason_id: int | None,
    at: _dt.datetime | None,
) -> None:
    """Refuse a refund (taobao.refund.refuse; on Tmall, returned goods with
    taobao.rp.returngoods.refuse), with a proof image uploaded as the platform's SDKs do."""
    from ..platform import refuse

    _act(
        ctx,
        lambda book, client, tmall: refuse(
            book, client, refund_id, text=text, reason_id=reason_id, proof=proof, tmall=tmall, at=at
        ),
    )


@act_group.command("message")
@click.argument("refund_id")
@click.option("--text", required=True, help="The message (2-200 characters).")
@_AT
@click.pass_context
@exits_by_kind
def act_message(ctx: click.Context, refund_id: str, text: str, at: _dt.datetime | None) -> None:
    """Leave a message on a refund (taobao.refund.message.add)."""
    from ..platform import message

    _act(ctx, lambda book, client, _tmall: message(book, client, refund_id, text=text, at=at))


@act_group.command("settle")
@click.argument("action_id")
@click.argument("outcome", type=click.Choice(["done", "not_done"]))
@click.option("--note", required=True, help="What you saw (the seller centre, the buyer's chat).")
@click.option("--by", "by", required=True, help="Who settles it (kept in the record).")
@click.pass_context
@exits_by_kind
def act_settle(ctx: click.Context, action_id: str, outcome: str, note: str, by: str) -> None:
    """Settle an action whose outcome is unknown (or left sending, or parked for a
    verification code) by hand: done (it happened) or not_done (it did not: act again
    if still wanted). Nothing is sent; needs no connection. Unknown actions left alone
    are settled by the next `aftersales sync` from the refund's status."""
    from ..core._errors import InvalidInput
    from ..platform import settle_action

    options = ctx.find_object(_ActOptions)
    if options is None:
        raise click.UsageError("give --casebook to `aftersales act`")
    with open_casebook(options.casebook, options.policy) as book:
        try:
            entry = settle_action(book, action_id, outcome, note=note, by=by)
        except InvalidInput as exc:
            raise click.BadParameter(str(exc), param_hint="ACTION_ID") from None
    if options.fmt == "json":
        echo_json(entry)
    else:
        click.echo(f"{entry['kind']} {entry['refund_id']}: {outcome} (action {action_id})")
