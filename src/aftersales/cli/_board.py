"""``aftersales board PATH... [--casebook PATH|URL]``: the action board of a shop's files
and casebook at an instant."""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click
import pendulum

from ..board._board import Board, CaseSummary, board
from ..board._output import board_to_csv, board_to_html, board_to_json, board_to_table
from ..core._case import Case
from ..core._document import DocumentError, json_document
from ..core._errors import AfterSalesError
from ..core._policy import Policy
from ..shopfolder._load import ShopData, load_shop, shown_cases
from ._casebook import open_casebook
from ._example import find_example
from ._exit import exits_by_kind, mask_url, naming
from ._options import (
    at_option,
    calendar_options,
    casebook_option,
    daily_policy,
    format_option,
    locale_option,
    policy_option,
    shop_option,
)

if TYPE_CHECKING:
    from ..messages import ShopInfo

__all__ = ["board_command"]

#: Show a progress bar from this many files on (and only on a terminal).
_PROGRESS_FROM = 50

P = ParamSpec("P")
R = TypeVar("R")


def _unfreezing(command: Callable[P, R]) -> Callable[P, R]:
    """The rows the command freezes (``gc.freeze()``) back in the collector's sight once it
    is done: a caller in the same process (a test, a shop's script) keeps its collector."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        finally:
            gc.unfreeze()

    return run


def _assignees(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        doc = json_document(path.read_bytes(), f"--assignees {path}")
    except OSError as exc:
        raise click.UsageError(f"--assignees {path}: {exc}") from None
    except DocumentError as exc:
        raise click.UsageError(str(exc)) from None
    if not isinstance(doc, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in doc.items()
    ):
        raise click.UsageError(
            f'--assignees {path}: give an object of ID -> staff name, like {{"2164...": "小王"}}'
        )
    return doc


def _excel_format(fmt: str) -> str:
    """--excel is CSV: it stands in for the default format, and refuses another one."""
    given = click.get_current_context().get_parameter_source("fmt")
    if given is not click.core.ParameterSource.DEFAULT and fmt != "csv":
        raise click.UsageError(f"--excel writes CSV; it cannot be used with --format {fmt}")
    return "csv"


def _format(
    fmt: str,
    result: Board,
    problems: Sequence[Mapping[str, object]],
    messages: Mapping[str, str],
    limit: int,
    group_by: str | None = None,
    excel: bool = False,
) -> str:
    if fmt == "json":
        return board_to_json(result, problems, messages)
    if fmt == "csv":
        return board_to_csv(result, excel=excel)
    if fmt == "html":
        return board_to_html(result, problems, messages)
    text = board_to_table(result, limit=limit, messages=messages, group_by=group_by)
    if problems:
        count = len(problems)
        text += f"\n{count} record{'' if count == 1 else 's'} could not be used:"
        for problem in problems:
            text += "\n  " + "; ".join(f"{k}: {v}" for k, v in problem.items())
    return text


def render_shown(
    result: Board,
    items: Iterable[object],
    policy: Policy,
    info: ShopInfo,
    *,
    locale: str,
    limit: int,
) -> dict[str, str]:
    """The message for each of the first ``limit`` rows that names a template."""
    from ..messages import context_for, environment  # only with --shop: Jinja is slow to load

    cases = {item.id: item for item in items if isinstance(item, Case)}
    env = environment(locale=locale)
    messages: dict[str, str] = {}
    for action in result.actions[:limit]:
        case = cases.get(action.case_id)
        if action.template is None or case is None:
            continue
        try:
            context = context_for(case, policy, shop=info, now=result.at)
            messages[action.case_id] = env.render(action.template, context)
        except AfterSalesError as exc:  # one bad template must not hide the board
            messages[action.case_id] = f"(not rendered: {exc})"
    return messages


@click.command("board")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@casebook_option(
    required=False,
    help="Also show the open cases of this casebook (a SQLite file or a postgresql:// URL).",
)
@at_option("now")
@format_option(
    "text",
    "table",
    "json",
    "csv",
    "html",
    help="text (or table): the board for a person; json, csv, html: every field.",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option(
    "--excel",
    is_flag=True,
    help="CSV for Excel (implies --format csv): a UTF-8 BOM, IDs kept as text, "
    "due times as Excel reads them, in the board's zone.",
)
@policy_option("A preset for files that do not name one.")
@calendar_options
@click.option(
    "--limit",
    type=int,
    default=40,
    show_default=True,
    help="Rows shown in the table, and rows whose message is rendered.",
)
@shop_option("without it, shop.toml in the first folder given, if there is one.")
@locale_option
@click.option(
    "--group-by",
    type=click.Choice(["band", "workflow", "assignee"]),
    help="Group the table's rows (the other formats carry every field to group by).",
)
@click.option(
    "--assignees",
    "assignees_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='A JSON object of case or order ID -> staff member, e.g. {"2164343337807941939": "小王"}.',
)
@exits_by_kind
@_unfreezing
def board_command(
    paths: tuple[Path, ...],
    casebook: str | None,
    at: pendulum.DateTime | None,
    fmt: str,
    output: Path | None,
    excel: bool,
    policy: Policy,
    calendar_file: Path | None,
    strict_calendar: bool,
    limit: int,
    shop_file: Path | None,
    locale: str,
    group_by: str | None,
    assignees_file: Path | None,
) -> None:
    """Every action due across the files in PATHS, most urgent first.

    PATHS are files or folders of .json: Taobao Open Platform exports (refunds,
    trades, rate records), cases saved by case_to_json, timeline scenarios and
    review files. Records that cannot be used are listed as problems with their
    reason; the rest still shows. Exit codes: 0 success, 1 nothing could be read,
    2 usage, 3 the casebook could not be read or --output not written.

    With --casebook (or AFTERSALES_CASEBOOK) the open cases stored there are
    shown too (PATHS may then be left out). A deadline counted through a year
    whose holiday notice is not loaded is provisional: marked * and noted
    (--strict-calendar refuses it instead; --calendar loads a notice's file).

    \b
    Without --at the board is as of now; an example folder's example.toml gives
    its own instant instead (as_of), named on standard error.

    \b
    Examples:
      aftersales board examples/shop --at 2026-03-31T18:00:00+08:00
      aftersales board --casebook shop.sqlite
      aftersales board examples/shop --format html --output board.html
      aftersales board examples/shop --excel --output board.csv
      aftersales board exports/ --format json --policy tmall
    """
    if not paths and casebook is None:
        raise click.UsageError("give PATHS, --casebook, or both")
    fmt = _excel_format(fmt) if excel else fmt
    policy = daily_policy(policy, calendar_file, strict_calendar)
    example = find_example(paths)
    if at is None and example is not None and example.as_of is not None:
        at = example.as_of  # an example folder's own instant, named on standard error
        example.say_as_of()
    if at is None:  # the shell, not the core: without --at the board is as of now
        at = pendulum.now(policy.timezone)  # noqa: TID251

    def progress(files: Iterable[Path]) -> Iterator[Path]:
        listed = list(files)
        if len(listed) < _PROGRESS_FROM or not sys.stderr.isatty():
            yield from listed
            return
        with click.progressbar(listed, label="reading", file=sys.stderr) as bar:
            yield from bar

    if shop_file is None and paths and paths[0].is_dir() and (paths[0] / "shop.toml").is_file():
        shop_file = paths[0] / "shop.toml"
    shop = load_shop(list(paths), policy, at, progress=progress)
    items = list(shop.items)
    problems = list(shop.problems)
    if example is not None:  # a record an example holds on purpose says so
        problems = [_labelled(p, example.label(p.get("source"))) for p in problems]
    if casebook is not None:
        stored, refused = _casebook_items(casebook, policy, at)
        items.extend(stored)
        problems.extend(refused)
    result = board(items, at, policy=policy, assignees=_assignees(assignees_file))
    # The rows live until the command ends and hold no cycles: out of the collector's
    # sight, or each collection while the output is written walks every one of them
    # (0.7 s of a million cases' table).
    gc.freeze()
    messages = {}
    if shop_file is not None:
        from ..messages import read_shop

        try:
            info = read_shop(shop_file)
        except AfterSalesError as exc:
            raise click.UsageError(f"--shop {shop_file}: {exc}") from None
        # the rows shown that are summaries (a large export's, the casebook's projection's):
        # their full cases, for the messages
        shown = [*items, *_shop_shown(shop, policy, at, result, limit)]
        if casebook is not None:
            shown += _casebook_shown(casebook, policy, at, result, items, limit)
        messages = render_shown(result, shown, policy, info, locale=locale, limit=limit)
    text = _format(fmt, result, problems, messages, limit, group_by, excel)
    if output is not None:
        ending = "" if text.endswith("\n") else "\n"
        output.write_text(text + ending, encoding="utf-8", newline="")
        click.echo(f"wrote {output} ({len(result.actions)} actions)", err=True)
    else:
        click.echo(text)
    if not items and problems:
        sys.exit(1)


def _labelled(problem: Mapping[str, object], label: str | None) -> dict[str, object]:
    return dict(problem) if label is None else {"note": label, **problem}


def _casebook_items(
    where: str, policy: Policy, at: pendulum.DateTime
) -> tuple[list[Case | CaseSummary], list[dict[str, object]]]:
    """The casebook's open cases as of ``at`` (timers due by then fired, not stored), and a
    problem row for each case that cannot be brought there (a deadline in a year the
    calendar does not know, with --strict-calendar): one case never hides the others.

    The board's projection gives one summary per case; only the cases whose timers
    fall due by ``at`` are read whole and advanced.
    """
    from ..core._engine import advance

    source = f"--casebook {mask_url(where)}"
    with open_casebook(where, policy, board_only=True) as book, naming(source):
        summaries, cases = book.board_items(at)
    gc.freeze()  # the summaries, as the rows below (see board_command)
    items: list[Case | CaseSummary] = list(summaries)
    problems: list[dict[str, object]] = []
    for case in cases:
        try:
            items.append(case if case.changed_at >= at else advance(case, at, policy)[0])
        except AfterSalesError as exc:
            problems.append(
                {
                    "source": source,
                    "case_id": case.id,
                    "problem": str(exc),
                    "allowed": "a case whose deadlines the loaded calendar can count "
                    "(--calendar FILE, or leave out --strict-calendar)",
                }
            )
    return items, problems


def _shop_shown(
    shop: ShopData, policy: Policy, at: pendulum.DateTime, result: Board, limit: int
) -> list[Case]:
    """The cases of the shown rows that came from large exports read a record at a
    time (kept as summaries), as of ``at``: those exports read again for them."""
    if not shop.streamed:
        return []
    templated = {a.case_id for a in result.actions[:limit] if a.template is not None}
    wanted = [
        item.case_id
        for item in shop.items
        if isinstance(item, CaseSummary) and item.case_id in templated
    ]
    return shown_cases(shop, wanted, policy, at) if wanted else []


def _casebook_shown(
    where: str,
    policy: Policy,
    at: pendulum.DateTime,
    result: Board,
    items: Sequence[object],
    limit: int,
) -> list[Case]:
    """The cases of the shown rows that came from the projection, as of ``at``."""
    from ..core._engine import advance

    summarized = {item.case_id for item in items if isinstance(item, CaseSummary)}
    wanted = [
        a.case_id
        for a in result.actions[:limit]
        if a.template is not None and a.case_id in summarized
    ]
    if not wanted:
        return []
    source = f"--casebook {mask_url(where)}"
    with open_casebook(where, policy, board_only=True) as book, naming(source):
        cases = book.cases_by_id(wanted)
    shown = []
    for case in cases.values():
        try:
            shown.append(case if case.changed_at >= at else advance(case, at, policy)[0])
        except AfterSalesError:
            continue  # its problem row is on the board already
    return shown
