"""``aftersales render`` and ``aftersales lint-templates``: the message shell on the command line.

``render TEMPLATE --case FILE`` renders one template (``return/agreed.txt``)
for a case: FILE is a stored case (``case_to_json``) or a timeline scenario,
which is run to its end first. ``--context`` adds or overrides variables from
a JSON object (the shipping and review templates take theirs this way). Either
file may be ``-``, standard input (not both). The command never reads the
clock: ``time_left`` counts from ``--now``, or from the case's last change.

Exit codes: 0 success; 1 the template failed (the message names the template,
the line and the reason; a template past its limits or reading outside its
folder is one too), the case could not be read, or the lint found inducement or
a template that cannot render; 2 usage errors (click's own); 3 a file that
cannot be read.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import click

from ..core._errors import AfterSalesError, InvalidInput
from ..core._policy import Policy, preset
from ..core._serialize import case_from_json, parse_instant
from ..messages import (
    CHANNELS,
    EXAMPLE_SHOP,
    ShopInfo,
    context_for,
    environment,
    lint_templates,
    read_shop,
)
from ..scenarios._scenario import scenario_case
from ._exit import REFUSED, exits_by_kind, fail
from ._options import (
    INPUT_FILE,
    echo_json,
    format_option,
    is_stdin,
    locale_option,
    read_json_input,
    shop_option,
)

__all__ = ["lint_templates_command", "render_command"]


def _load_case(path: Path) -> tuple[Any, Policy]:
    document, source = read_json_input(path)
    if isinstance(document, Mapping) and "case" in document:
        return scenario_case(document, base=source.base)
    return case_from_json(source.text), preset("taobao")


def _context(
    case_file: Path | None, context_file: Path | None, shop: ShopInfo, now: str | None
) -> dict[str, Any]:
    at = None if now is None else parse_instant(now)
    context: dict[str, Any] = {"shop": shop}
    if case_file is not None:
        case, policy = _load_case(case_file)
        context = context_for(case, policy, shop=shop, now=at)
    elif at is not None:
        context["now"] = at
    if context_file is not None:
        extra, source = read_json_input(context_file)
        if not isinstance(extra, Mapping):
            raise InvalidInput(f"{source.name}: the context is a JSON object of variables")
        context.update({str(k): v for k, v in extra.items()})
    return context


@click.command("render")
@click.argument("template")
@click.option(
    "--case", "case_file", type=INPUT_FILE, help="A case JSON file or a scenario file (- stdin)."
)
@click.option(
    "--context", "context_file", type=INPUT_FILE, help="Extra variables, a JSON object (- stdin)."
)
@locale_option
@click.option("--channel", type=click.Choice(CHANNELS), default="chat", show_default=True)
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The shop's template folder; its files override the shipped ones.",
)
@shop_option("without it, a sample shop, plainly marked as one.")
@click.option("--now", help="The instant time_left counts from (ISO 8601 with offset).")
@exits_by_kind
def render_command(
    template: str,
    case_file: Path | None,
    context_file: Path | None,
    locale: str,
    channel: str,
    templates_dir: Path | None,
    shop_file: Path | None,
    now: str | None,
) -> None:
    """Render TEMPLATE (e.g. return/agreed.txt) for a case and print the message.

    \b
    Example:
      aftersales render return/agreed.txt --case examples/scenarios/return-seller-silent.json
      aftersales render return/agreed.txt --case case.json --locale en --channel sms
      aftersales render shipping/late_apology.txt --context late.json --shop shop.json
      aftersales render refund/done.txt --case - < case.json
    """
    if case_file is None and context_file is None:
        raise click.UsageError("give --case FILE, --context FILE, or both")
    if is_stdin(case_file) and is_stdin(context_file):
        raise click.UsageError("only one of --case and --context can be - (standard input)")
    try:
        shop = EXAMPLE_SHOP if shop_file is None else read_shop(shop_file)
        context = _context(case_file, context_file, shop, now)
        env = environment(
            shop_templates=templates_dir,
            locale=locale,
            channel="sms" if channel == "sms" else "chat",
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            text = env.render(template, context)
    except AfterSalesError as exc:
        fail(str(exc), REFUSED)
    for warning in caught:
        click.echo(f"warning: {warning.message}", err=True)
    click.echo(text)


@click.command("lint-templates")
@click.argument(
    "folder", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False
)
@format_option("text", "json", help="text: a line per finding; json: the findings as data.")
@exits_by_kind
def lint_templates_command(folder: Path | None, fmt: str) -> None:
    """Flag template wording that ties a benefit to a review (REV-NO-INDUCE), and
    templates that cannot render: a link out of the folder, a file that is not
    UTF-8 or too large, a syntax error.

    Lints the shop's FOLDER, or the shipped templates when none is given.

    \b
    Example:
      aftersales lint-templates shop-templates/
    """
    findings = lint_templates(folder if folder is not None else environment())
    if fmt == "json":
        echo_json([attrs.asdict(finding) for finding in findings])
        if findings:
            sys.exit(REFUSED)
        return
    for finding in findings:
        click.echo(str(finding))
    if findings:
        rules = ", ".join(sorted({finding.rule for finding in findings}))
        click.echo(f"{len(findings)} finding(s): {rules}", err=True)
        sys.exit(REFUSED)
    click.echo("no inducement found, every template readable")
