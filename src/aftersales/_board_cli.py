"""``aftersales board PATH...``: the action board of a shop's files at an instant."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import click
import pendulum

from ._board import board
from ._board_output import board_to_csv, board_to_html, board_to_json, board_to_table
from ._errors import AfterSalesError
from ._scenario import load_policy
from ._serialize import parse_instant
from ._shop_files import load_shop

__all__ = ["board_command"]

#: Show a progress bar from this many files on (and only on a terminal).
_PROGRESS_FROM = 50


@click.command("board")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--at",
    "at_text",
    metavar="ISO",
    help="The instant to judge at, e.g. 2026-03-31T18:00:00+08:00 (default: now).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "html"]),
    default="table",
    show_default=True,
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option(
    "--policy",
    "policy_name",
    default="taobao",
    show_default=True,
    help="A preset (taobao, taobao-current, tmall) for files that do not name one.",
)
@click.option("--limit", type=int, default=40, show_default=True, help="Rows in the table.")
def board_command(
    paths: tuple[Path, ...],
    at_text: str | None,
    fmt: str,
    output: Path | None,
    policy_name: str,
    limit: int,
) -> None:
    """Every action due across the files in PATHS, most urgent first.

    PATHS are files or folders of .json: Taobao Open Platform exports (refunds,
    trades, rate records), cases saved by case_to_json, timeline scenarios and
    review files. Records that cannot be used are listed as problems with their
    reason; the rest still shows. Exit codes: 0 success, 1 nothing could be read,
    2 usage.

    \b
    Examples:
      aftersales board examples/shop --at 2026-03-31T18:00:00+08:00
      aftersales board examples/shop --format html --output board.html
      aftersales board exports/ --format json --policy tmall
    """
    try:
        policy = load_policy(policy_name)
        # The shell, not the core: without --at the board is as of now.
        at = pendulum.now(policy.timezone) if at_text is None else parse_instant(at_text)  # noqa: TID251
    except AfterSalesError as exc:
        raise click.UsageError(str(exc)) from None

    def progress(files: Iterable[Path]) -> Iterator[Path]:
        listed = list(files)
        if len(listed) < _PROGRESS_FROM or not sys.stderr.isatty():
            yield from listed
            return
        with click.progressbar(listed, label="reading", file=sys.stderr) as bar:
            yield from bar

    shop = load_shop(list(paths), policy, at, progress=progress)
    result = board(shop.items, at, policy=policy)
    if fmt == "json":
        text = board_to_json(result, shop.problems)
    elif fmt == "csv":
        text = board_to_csv(result)
    elif fmt == "html":
        text = board_to_html(result, shop.problems)
    else:
        text = board_to_table(result, limit=limit)
        if shop.problems:
            text += f"\n{len(shop.problems)} records could not be used:"
            for problem in shop.problems:
                text += "\n  " + "; ".join(f"{k}: {v}" for k, v in problem.items())
    if output is not None:
        output.write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
        click.echo(f"wrote {output} ({len(result.actions)} actions)", err=True)
    else:
        click.echo(text)
    if not shop.items and shop.problems:
        sys.exit(1)
