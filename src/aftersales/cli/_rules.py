"""``aftersales rules``: the rule registry, with the policy field holding each rule's number."""

from __future__ import annotations

import click

from ..core._policy import policy_fields
from ..core._rules import RULES, SOURCES
from ._exit import exits_by_kind
from ._options import chosen_format, echo_json, format_option, json_alias_option

__all__ = ["LEGEND", "rules"]

#: What the source column's codes mean, printed after the table.
LEGEND = "\n".join(
    [
        "sources (002 C.1: seed article 002, section C.1; several when the articles agree):",
        *(f"  {code:<10} {meaning}" for code, meaning in SOURCES.items()),
        "docs/rules.md lists the same with the workflows that cite each rule.",
    ]
)


@click.command()
@format_option("text", "json", help="text: a line per rule; json: the registry as data.")
@json_alias_option
@exits_by_kind
def rules(fmt: str, as_json: bool) -> None:
    """Print the rule registry: ID, source and summary, with the policy field holding its number.

    A legend after the table says what the source codes (002 C.1, ext, ext (law)) mean.

    \b
    Example:
      aftersales rules
      aftersales rules --format json
    """
    fields: dict[str, list[str]] = {}
    for field in policy_fields():
        fields.setdefault(field.metadata["rule"], []).append(field.name)
    if chosen_format(fmt, as_json) == "json":
        echo_json(
            [
                {
                    "id": r.id,
                    "source": r.source,
                    "summary": r.summary,
                    "policy_fields": fields.get(r.id, []),
                }
                for r in RULES.values()
            ]
        )
        return
    click.echo(f"{'rule':<24} {'source':<14} summary  [the policy field holding its number]")
    for r in RULES.values():
        where = f"  [policy: {', '.join(fields[r.id])}]" if r.id in fields else ""
        click.echo(f"{r.id:<24} {r.source:<14} {r.summary}{where}")
    click.echo(f"\n{LEGEND}")
