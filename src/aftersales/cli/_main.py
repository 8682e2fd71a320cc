"""The ``aftersales`` command line: the group, and where each of its commands lives.

A command's module is imported only when that command runs (``_group``), so
``aftersales --help`` and ``aftersales rules`` start without importing what the other
commands need. The commands themselves: ``timeline`` and ``demo`` (``_timeline``),
``rules``, ``diagram``, ``review``, ``render`` and ``lint-templates``, ``calendar``,
``board``, the casebook's ``ingest``, ``worker`` and ``outbox``, and ``sync`` and ``act``.
"""

from __future__ import annotations

import click

from ._group import LazyCommand, LazyGroup

__all__ = ["COMMANDS", "main"]


#: Every command: its module, its attribute and the one line ``--help`` lists for it.
#: Only the command that runs is imported (``_group``); keep the line equal to the first
#: sentence of the command's docstring (tests/test_cli.py checks it).
COMMANDS: dict[str, LazyCommand] = {
    "board": LazyCommand(
        "._board", "board_command", "Every action due across the files in PATHS, most urgent first."
    ),
    "calendar": LazyCommand(
        "._calendar",
        "calendar_group",
        "The work calendar: import a holiday notice, show a year.",
    ),
    "demo": LazyCommand(
        "._timeline",
        "demo",
        "Run every scenario in FOLDER (default: examples/scenarios) and show each timeline.",
    ),
    "diagram": LazyCommand(
        "._diagram",
        "diagram",
        "Print WORKFLOW's state diagram, generated from its table, as Mermaid or Graphviz dot.",
    ),
    "ingest": LazyCommand(
        "._casebook",
        "ingest_command",
        "Store what FILES add: Taobao Open Platform exports or the library's event JSON.",
    ),
    "lint-templates": LazyCommand(
        "._render",
        "lint_templates_command",
        "Flag template wording that ties a benefit to a review (REV-NO-INDUCE), and templates"
        " that cannot render: a link out of the folder, a file that is not UTF-8 or too"
        " large, a syntax error.",
    ),
    "outbox": LazyCommand(
        "._casebook",
        "outbox_command",
        "List the effects waiting for a person, or settle one of them.",
    ),
    "render": LazyCommand(
        "._render",
        "render_command",
        "Render TEMPLATE (e.g. return/agreed.txt) for a case and print the message.",
    ),
    "review": LazyCommand(
        "._review",
        "review_command",
        "Classify a medium/negative review and show its follow-up state, deadlines, plan and"
        " scripts.",
    ),
    "rules": LazyCommand(
        "._rules",
        "rules",
        "Print the rule registry: ID, source and summary, with the policy field holding its"
        " number.",
    ),
    "act": LazyCommand(
        "._platform",
        "act_group",
        "Act on a refund on the Taobao Open Platform: agree, agree to a return, refuse, leave a"
        " message.",
    ),
    "sync": LazyCommand(
        "._platform",
        "sync_command",
        "Pull the shop's refunds changed since the last sync from the Taobao Open Platform.",
    ),
    "timeline": LazyCommand(
        "._timeline",
        "timeline",
        "Run a what-if SCENARIO (JSON; - reads standard input) and print where the case ends up.",
    ),
    "worker": LazyCommand(
        "._casebook",
        "worker_command",
        "Advance due cases and hand their effects to the shop's handler, until SIGTERM.",
    ),
}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="aftersales")
def main() -> None:
    """After-sales timers for Taobao/Tmall shops, computed right.

    Exit codes, the same for every command: 0 done; 1 input refused or some
    records rejected; 2 usage; 3 a runtime failure (an unreachable database, a
    file that cannot be written). --casebook defaults from AFTERSALES_CASEBOOK;
    a one-file input may be - (standard input).
    """
