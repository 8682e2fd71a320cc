"""A click group whose commands are imported when one of them runs, not when it is listed.

Each command is named in a table (``_main.COMMANDS``) by its module, its attribute and
its one-line help. ``aftersales --help`` lists the table without importing any command,
and ``aftersales rules`` imports the rules command alone: not the casebook, Jinja2 or
the scenario runner the other commands need. A test holds each stored help equal to
the command's own.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, NamedTuple

import click

__all__ = ["LazyCommand", "LazyGroup"]


class LazyCommand(NamedTuple):
    """Where a command lives (a module of ``aftersales.cli``) and what ``--help`` says of it."""

    module: str
    attribute: str
    #: The command's short help, as click derives it from its docstring (first sentence).
    short_help: str


class LazyGroup(click.Group):
    """A group that imports a command from its :class:`LazyCommand` on first use."""

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.lazy.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        command = getattr(importlib.import_module(entry.module, __package__), entry.attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry.module}.{entry.attribute} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own version imports every command for its short help: the table has it.
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            entry = self.lazy.get(name)
            if entry is not None:
                # a stand-in with the stored line shortens it as click would the command's
                stand_in = click.Command(name, help=entry.short_help)
                rows.append((name, stand_in.get_short_help_str(limit)))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
