"""Options several commands share, declared once so their words and checks agree.

``--casebook`` (``AFTERSALES_CASEBOOK``), ``--policy``, ``--at``, ``--format`` (with
the deprecated ``--json``), ``--shop`` and ``--locale``; and the one-file input
that reads standard input for ``-`` (:func:`read_input`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click

from ..core._calendar import Fallback, WorkCalendar
from ..core._document import document_text, json_document
from ..core._errors import AfterSalesError
from ..core._instant import parse_instant
from ..core._policy import PRESETS, Policy, preset

__all__ = [
    "CALENDAR_ENV",
    "CASEBOOK_ENV",
    "INPUT_FILE",
    "STDIN",
    "Input",
    "at_option",
    "calendar_options",
    "casebook_option",
    "chosen_format",
    "daily_calendar",
    "daily_policy",
    "echo_json",
    "format_option",
    "is_stdin",
    "json_alias_option",
    "locale_option",
    "parse_json",
    "policy_option",
    "read_input",
    "read_json_input",
    "shop_option",
    "stdin_text",
]

F = TypeVar("F", bound=Callable[..., Any])

#: ``--casebook`` defaults from this variable: a URL's password stays off the command line.
CASEBOOK_ENV = "AFTERSALES_CASEBOOK"

#: ``--calendar`` defaults from this variable: every command of a shop reads the same years.
CALENDAR_ENV = "AFTERSALES_CALENDAR"

#: How standard input is named in messages and reports.
STDIN = "<stdin>"

#: One input file; ``-`` is standard input.
INPUT_FILE = click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)


def locale_option(f: F) -> F:
    """``--locale`` (into ``locale``): the language of the messages."""
    from ..messages import LOCALES  # the messages package: only for a command that has them

    return click.option(
        "--locale",
        type=click.Choice(LOCALES),
        default="zh_CN",
        show_default=True,
        help="The language of the messages.",
    )(f)


def shop_option(without: str) -> Callable[[F], F]:
    """``--shop FILE`` (into ``shop_file``); ``without`` says what happens when it is left out."""
    return click.option(
        "--shop",
        "shop_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="The shop's TOML or JSON (name, signature, contact_hours, return_address); " + without,
    )


def casebook_option(*, required: bool, help: str) -> Callable[[F], F]:
    """``--casebook PATH|URL`` (into ``casebook``), defaulting from ``AFTERSALES_CASEBOOK``."""
    return click.option(
        "--casebook",
        "casebook",
        envvar=CASEBOOK_ENV,
        show_envvar=True,
        required=required,
        metavar="PATH|URL",
        help=help + " Set it in the environment to keep a database password off the command line.",
    )


def _policy(ctx: click.Context, param: click.Parameter, value: str) -> Policy:
    try:
        return preset(value)  # a name: the scenario reader is not needed
    except AfterSalesError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def policy_option(help: str) -> Callable[[F], F]:
    """``--policy NAME`` (into ``policy``, the loaded :class:`Policy`)."""
    return click.option(
        "--policy",
        "policy",
        type=click.Choice(list(PRESETS)),
        default="taobao",
        show_default=True,
        callback=_policy,
        help=help,
    )


def calendar_options(f: F) -> F:
    """``--calendar FILE`` and ``--strict-calendar``, for the commands of daily operations.

    They count deadlines in a year without its notice provisionally (statutory
    holidays only, marked) rather than stop the day's work; ``--strict-calendar``
    restores the horizon error. See :func:`daily_policy` and docs/calendar.md.
    """
    f = click.option(
        "--strict-calendar",
        is_flag=True,
        help="Refuse a deadline in a year whose holiday notice is not loaded (the horizon "
        "error) instead of counting it provisionally with the statutory holidays.",
    )(f)
    return click.option(
        "--calendar",
        "calendar_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        envvar=CALENDAR_ENV,
        show_envvar=True,
        help="A calendar file with the years the packaged data lacks "
        "(aftersales calendar import writes one).",
    )(f)


def daily_calendar(calendar_file: Path | None, strict: bool) -> WorkCalendar:
    """The packaged calendar, the shop's file, and the fallback ``--strict-calendar`` chose."""
    fallback = Fallback.RAISE if strict else Fallback.PROVISIONAL
    try:
        return WorkCalendar.china(extra=calendar_file, fallback=fallback)
    except AfterSalesError as exc:
        raise click.BadParameter(str(exc), param_hint="--calendar") from None


def daily_policy(policy: Policy, calendar_file: Path | None, strict: bool) -> Policy:
    """``policy`` counting with :func:`daily_calendar`."""
    return attrs.evolve(policy, calendar=daily_calendar(calendar_file, strict))


def _instant(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        return parse_instant(value)
    except AfterSalesError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def at_option(default: str) -> Callable[[F], F]:
    """``--at ISO`` (into ``at``, a DateTime or None); ``default`` says what it is without."""
    return click.option(
        "--at",
        "at",
        metavar="ISO",
        callback=_instant,
        help=f"The instant to judge at, e.g. 2026-03-31T18:00:00+08:00 (default: {default}).",
    )


def format_option(*choices: str, default: str = "text", help: str = "") -> Callable[[F], F]:
    """``--format`` (into ``fmt``) among ``choices``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help=help or "How to print the report.",
    )


#: ``--json``: kept working, hidden, as ``--format json`` (see :func:`chosen_format`).
json_alias_option: Callable[[F], F] = click.option(
    "--json", "as_json", is_flag=True, hidden=True, help="Deprecated: --format json."
)


def chosen_format(fmt: str, as_json: bool) -> str:
    """``--format``, or ``json`` when the deprecated ``--json`` was given."""
    return "json" if as_json else fmt


def echo_json(value: object, *, err: bool = False) -> None:
    """Print ``value`` as indented JSON, Chinese as it is (on standard error with ``err``)."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str), err=err)


# -- one input file, or standard input -------------------------------------------------------


@attrs.frozen
class Input:
    """A file's text, its name for messages, and the folder its relative paths start from."""

    text: str
    name: str
    base: Path


def is_stdin(path: Path | None) -> bool:
    return path is not None and str(path) == "-"


def stdin_text() -> str:
    """Standard input as UTF-8 text, whatever the terminal's encoding (a BOM is dropped)."""
    raw = getattr(sys.stdin, "buffer", None)
    if raw is None:
        return sys.stdin.read().removeprefix("\ufeff")
    return document_text(bytes(raw.read()), STDIN)


def read_input(path: Path) -> Input:
    """``path``'s text (UTF-8, a BOM dropped); ``-`` reads standard input, whose relative
    paths start from here."""
    if is_stdin(path):
        return Input(stdin_text(), STDIN, Path.cwd())
    return Input(document_text(path.read_bytes(), str(path)), str(path), path.parent)


def parse_json(text: str, name: str) -> Any:
    """JSON whose numbers with a fraction become Decimal, never float: 59.9 is exact.

    Too deep a document or too long a number is refused (:func:`json_document`)."""
    return json_document(text, name)


def read_json_input(path: Path) -> tuple[Any, Input]:
    """The JSON document in ``path`` (``-``: standard input) and where it came from."""
    source = read_input(path)
    return parse_json(source.text, source.name), source
