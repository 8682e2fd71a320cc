"""Exit codes, and the one place library errors become them.

Every command means the same by its exit code:

- ``0`` (:data:`OK`): done;
- ``1`` (:data:`REFUSED`): the input was read but refused (an illegal event, a
  malformed file, a template that failed), or some records were rejected (the
  full report is printed first);
- ``2`` (:data:`USAGE`): a usage error, click's own (an unknown option, a missing
  file, a bad option value);
- ``3`` (:data:`FAILURE`): a runtime failure: an unreachable database, a file
  that cannot be written, a casebook whose schema this library does not know.

:func:`exits_by_kind` wraps a command; :func:`code_for` says which code an
error means. Messages never show a database password (:func:`mask_secrets`, one
function with the casebook's), and a database's message is shown on one line.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, NoReturn, TypeVar

import click

from ..core._errors import AfterSalesError

__all__ = [
    "FAILURE",
    "OK",
    "REFUSED",
    "USAGE",
    "CommandFailed",
    "InputRefused",
    "RuntimeFailure",
    "code_for",
    "exits_by_kind",
    "fail",
    "failure",
    "mask_secrets",
    "mask_url",
    "naming",
]

OK = 0
REFUSED = 1
USAGE = 2
FAILURE = 3

F = TypeVar("F", bound=Callable[..., Any])


# The casebook's masking functions are imported where they are called: importing them
# imports the casebook package, which a command that opens no casebook never needs.


def mask_secrets(text: str, *secrets: str) -> str:
    """``text`` with every password shown as ``***`` (the casebook's one function)."""
    from ..casebook._secrets import mask_secrets

    return mask_secrets(text, *secrets)


def mask_url(url: str) -> str:
    """``postgresql://shop:secret@db/aftersales`` as ``postgresql://shop:***@db/aftersales``."""
    from ..casebook._secrets import url_secrets

    return mask_secrets(url, *url_secrets(url))


def _known_secrets() -> tuple[str, ...]:
    """The passwords of a ``--casebook`` URL given to the running command, if any."""
    from ..casebook._secrets import url_secrets

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return ()
    return tuple(s for v in ctx.params.values() if isinstance(v, str) for s in url_secrets(v))


def code_for(exc: BaseException) -> int | None:
    """The exit code ``exc`` means, or ``None`` for an error that is a bug (let it show)."""
    from ..casebook._errors import (  # only on errors
        CasebookError,
        DatabaseDamaged,
        DatabaseFailure,
        NotACasebook,
        PolicyMismatch,
        UnknownCase,
    )

    # the casebook refused what was asked of it (given --policy or an ID), or --casebook
    # names a folder, a read-only, damaged or foreign file
    if isinstance(exc, (PolicyMismatch, UnknownCase, NotACasebook, DatabaseDamaged)):
        return REFUSED
    if isinstance(exc, (CasebookError, DatabaseFailure)):
        # unreachable database, a server gone mid-run, schema error, conflicts that did
        # not settle: try again later
        return FAILURE
    if isinstance(exc, (AfterSalesError, UnicodeError)):
        return REFUSED  # the input was read and refused
    if isinstance(exc, OSError):
        return FAILURE
    # A database's own errors: its driver is loaded only if a casebook was opened.
    for driver in ("sqlite3", "psycopg"):
        module = sys.modules.get(driver)
        if module is not None and isinstance(exc, module.Error):
            return FAILURE
    return None


class CommandFailed(click.ClickException):
    """A command stopped: shown as ``error: ...``, with no password in it."""

    def __init__(self, message: str) -> None:
        super().__init__(mask_secrets(message, *_known_secrets()))

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file, err=file is None)


class InputRefused(CommandFailed):
    """The input was read and refused: exit 1."""

    exit_code = REFUSED


class RuntimeFailure(CommandFailed):
    """The command could not do its work (database, file system): exit 3."""

    exit_code = FAILURE


def failure(message: str, code: int) -> CommandFailed:
    """The exception that stops a command with ``error: message`` and ``code`` (1 or 3)."""
    return RuntimeFailure(message) if code == FAILURE else InputRefused(message)


def fail(message: str, code: int = REFUSED) -> NoReturn:
    """Stop the command with ``error: message`` and ``code``."""
    raise failure(message, code)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, AfterSalesError):  # a database's message: one line
        text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return text


@contextmanager
def naming(source: str | None = None) -> Iterator[None]:
    """Turn a library error, an OSError or a database error into its exit code.

    ``source`` (a file name, ``<stdin>``) starts the message when given.
    """
    try:
        yield
    except click.ClickException:
        raise
    except Exception as exc:
        code = code_for(exc)
        if code is None:
            raise
        message = _describe(exc)
        if source is not None:
            message = f"{source}: {message}"
        raise failure(message, code) from None


def exits_by_kind(command: F) -> F:
    """Wrap a command's function: errors it lets out leave with their code (:func:`code_for`)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with naming():
            return command(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
