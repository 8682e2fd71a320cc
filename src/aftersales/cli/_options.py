"""Options several commands share, declared once so their words and checks agree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..messages import LOCALES

__all__ = ["locale_option", "shop_option"]

F = TypeVar("F", bound=Callable[..., Any])

locale_option: Callable[[F], F] = click.option(
    "--locale",
    type=click.Choice(LOCALES),
    default="zh_CN",
    show_default=True,
    help="The language of the messages.",
)


def shop_option(without: str) -> Callable[[F], F]:
    """``--shop FILE`` (into ``shop_file``); ``without`` says what happens when it is left out."""
    return click.option(
        "--shop",
        "shop_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="The shop's TOML or JSON (name, signature, contact_hours, return_address); " + without,
    )
