"""An example folder's own instant and its deliberate bad records: ``example.toml``.

The shipped examples are a month of 2026. Judged against today every timer in them
would have run out long ago, so a folder of examples carries the instant its exports
were pulled (``as_of``), which ``board`` uses when ``--at`` is absent and names on
standard error. A record kept in an example on purpose, to show how a record the
library cannot use is reported, is listed under ``[deliberately_rejected]`` with
why, and labelled so wherever it is reported::

    as_of = 2026-03-31T18:00:00+08:00
    [deliberately_rejected]
    "refunds_receive_get.json[8]" = "a float refund_fee: money must be text"
"""

from __future__ import annotations

import datetime as _dt
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs
import click
import pendulum

from ..core._errors import AfterSalesError
from ..core._instant import parse_instant
from ._exit import REFUSED, failure

__all__ = ["EXAMPLE_FILE", "Example", "find_example"]

EXAMPLE_FILE = "example.toml"

_KEYS = {"as_of", "deliberately_rejected"}


@attrs.frozen
class Example:
    """What an example folder says of itself."""

    path: Path
    as_of: pendulum.DateTime | None
    #: record source (as reports name it: ``folder/file.json[8]``) -> why it is there
    deliberate: Mapping[str, str]

    def label(self, source: object) -> str | None:
        """The label of a reported record that is in the example on purpose, or None."""
        why = self.deliberate.get(str(source))
        if why is None:
            return None
        return f"a deliberate example of a rejected record ({self.path}): {why}"

    def say_as_of(self) -> None:
        """Name the instant on standard error, where it came from and how to change it."""
        if self.as_of is not None:
            click.echo(
                f"as of {self.as_of.isoformat()} from {self.path} (--at to judge at another "
                "instant)",
                err=True,
            )


def _refused(path: Path, what: str) -> Exception:
    allowed = (
        "as_of = an instant with its offset (2026-03-31T18:00:00+08:00), and a "
        '[deliberately_rejected] table of "file.json[N]" = "why"'
    )
    return failure(f"{path}: {what}; allowed: {allowed}", REFUSED)


def _read(path: Path) -> Example:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _refused(path, str(exc)) from None
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise _refused(path, f"unknown key {unknown[0]!r}")
    as_of = None
    if "as_of" in doc:
        value = doc["as_of"]
        text = value.isoformat() if isinstance(value, _dt.datetime) else value
        if not isinstance(text, str):
            raise _refused(path, f"as_of is {value!r}")
        try:
            as_of = parse_instant(text)
        except AfterSalesError as exc:
            raise _refused(path, f"as_of: {exc}") from None
    table = doc.get("deliberately_rejected", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise _refused(path, "deliberately_rejected is not a table of text")
    deliberate = {str(path.parent / record): why for record, why in table.items()}
    return Example(path, as_of, deliberate)


def find_example(paths: Iterable[Path]) -> Example | None:
    """The ``example.toml`` of the first of ``paths`` (a folder, or a file's folder) that
    has one; None when none has (a shop's own exports)."""
    for path in paths:
        if str(path) == "-":
            continue
        folder = path if path.is_dir() else path.parent
        candidate = folder / EXAMPLE_FILE
        if candidate.is_file():
            return _read(candidate)
    return None
