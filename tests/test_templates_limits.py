"""A shop's template cannot hang or exhaust the renderer, nor read outside its folder.

Every hostile template here is bounded by the library, not by the test: each
breach must come out as a ``TemplateSecurityError`` naming the template and the
line, quickly, whatever thread renders it.
"""

from __future__ import annotations

import codecs
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.cli._render import lint_templates_command, render_command
from aftersales.messages import (
    EXAMPLE_SHOP,
    TemplateError,
    TemplateLimits,
    TemplateSecurityError,
    TemplateUndefinedError,
    environment,
    lint_templates,
)

NAME = "zh_CN/x.txt"


def folder_with(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "shop"
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    (folder / "zh_CN").mkdir(parents=True, exist_ok=True)
    return folder


def render(folder: Path, limits: TemplateLimits | None = None, **context: Any) -> str:
    env = environment(shop_templates=folder, limits=limits)
    return env.render("x.txt", {"shop": EXAMPLE_SHOP, **context})


def refused(tmp_path: Path, line: str, limits: TemplateLimits | None = None) -> TemplateError:
    """Render ``line`` as the template's line 2; it must be refused, quickly."""
    folder = folder_with(tmp_path, {NAME: f"亲，您好\n{line}\n"})
    started = time.monotonic()
    with pytest.raises(TemplateSecurityError) as caught:
        render(folder, limits)
    assert time.monotonic() - started < 5
    assert caught.value.template == NAME
    assert caught.value.line == 2, caught.value
    assert str(caught.value).startswith(f"{NAME}, line 2: ")
    return caught.value


# -- what a template may compute -----------------------------------------------------------

HOSTILE = {
    # pow
    "literal huge power": ("{{ 10 ** 100000000 }}", "bits"),
    "power of a variable": ("{% set n = 100000000 %}{{ 9 ** n }}", "bits"),
    "repeated squaring": (
        (
            "{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}"
            "{% endfor %}{{ ns.x > 0 }}"
        ),
        "bits",
    ),
    # range
    "huge range": ("{{ range(10**9)|list|length }}", "range()"),
    "range past the limit": ("{{ range(1001)|length }}", "range()"),
    "range too large for len()": ("{{ range(10**30)|length }}", "range()"),
    # string repetition
    "string times a billion": ("{{ 'x' * 1000000000 }}", "repetition"),
    "list times a billion": ("{{ ([1] * 1000000000)|length }}", "repetition"),
    "doubling with ~": (
        (
            "{% set ns = namespace(s='xx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
            "{% endfor %}{{ ns.s|length }}"
        ),
        "concatenation",
    ),
    "doubling with +": (
        (
            "{% set ns = namespace(s='xx') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
            "{% endfor %}{{ ns.s|length }}"
        ),
        "sum",
    ),
    # padding and format widths
    "ljust": ("{{ 'x'.ljust(1000000000) }}", "ljust()"),
    "center method": ("{{ 'x'.center(999999999) }}", "center()"),
    "zfill": ("{{ '1'.zfill(1000000000) }}", "zfill()"),
    "expandtabs": ("{{ '\t'.expandtabs(1000000000) }}", "expandtabs()"),
    "replace growing": ("{{ ('x' * 50000).replace('x', 'y' * 50000)|length }}", "replace()"),
    "join growing": ("{{ ('x' * 50000).join('y' * 50000)|length }}", "join()"),
    "translate growing": (
        "{{ ('x' * 50000).translate({120: 'y' * 50000})|length }}",
        "translate()",
    ),
    "format width": ("{{ '{:>999999999}'.format('x') }}", "format spec"),
    "format nested width": ("{{ '{:>{}}'.format('x', 999999999) }}", "format spec"),
    "format repeated fields": ("{{ ('{0}' * 3000).format('y' * 60000)|length }}", "formatted"),
    "format a huge list": ("{{ '{}'.format(['y' * 60000] * 60000)|length }}", "formatted value"),
    "percent width": ("{{ '%999999999d' % 1 }}", "% format"),
    "percent star width": ("{{ '%*d' % (1000000000, 1) }}", "(*)"),
    "percent precision": ("{{ '%.999999999f' % 1 }}", "% format"),
    "percent of a long value": ("{{ ('%s' * 3000) % (('y' * 60000,) * 3000) }}", "formatted"),
    # filters
    "center filter": ("{{ 'x'|center(999999999) }}", "center"),
    "indent width": ("{{ ('a\\n' * 30000)|indent(100000)|length }}", "indent"),
    "indent string": ("{{ ('a\\n' * 30000)|indent('x' * 50000)|length }}", "indent"),
    "wordwrap": ("{{ ('a ' * 30000)|wordwrap(1, wrapstring='x' * 30000)|length }}", "wordwrap"),
    "format filter": ("{{ '%999999999d'|format(1) }}", "% format"),
    "replace filter": ("{{ ('x' * 50000)|replace('x', 'y' * 50000)|length }}", "replace"),
    "round precision": ("{{ 1.5|round(999999999, 'floor') }}", "round"),
    "tojson indent": ("{{ {'a': 1}|tojson(indent=999999999) }}", "tojson"),
    "batch": ("{{ [1]|batch(999999999, 0)|list|length }}", "batch"),
    "slice": ("{{ [1]|slice(999999999)|list|length }}", "slice"),
    "join filter": ("{{ (['x' * 60000] * 60000)|join|length }}", "join"),
    "join filter by attribute": (
        "{{ ([{'a': 'x' * 60000}] * 60000)|join(attribute='a')|length }}",
        "join",
    ),
    "sum of lists": ("{{ [[1] * 60000] * 60000|sum(start=[]) }}", "sum"),
    "upper of a huge list": ("{{ (['x' * 60000] * 60000)|upper|length }}", "upper filter"),
    # printing
    "print a huge list": ("{{ ['x' * 60000] * 60000 }}", "printed value"),
    "concatenate a huge list": ("{{ '' ~ ['x' * 60000] * 60000 }}", "concatenation"),
    # recursion
    "macro calls itself": ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "nest"),
    "macro doubling": (
        (
            "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% else %}x{% endif %}"
            "{% endmacro %}{{ m(60)|length }}"
        ),
        "nest",
    ),
    "macro doubling, shallow": (
        (
            "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}"
            "{% endmacro %}{{ m(25) }}x"
        ),
        "steps|longer than",  # 100,000 macro calls take about a second
    ),
    "loop() recursion": ("{% for x in [[1]] recursive %}{{ loop([x]) }}{% endfor %}", "nest"),
    "caller recursion": (
        "{% macro m() %}{% call m() %}{{ caller() }}{% endcall %}{% endmacro %}{{ m() }}",
        "nest",
    ),
    # loops and time
    "three nested loops": (
        (
            "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
            "{% endfor %}{% endfor %}{% endfor %}done"
        ),
        "steps",
    ),
    "loops over a long string": (
        "{% set s = 'x' * 60000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}ok",
        "steps",
    ),
    "many long strings": (
        "{% for i in range(1000) %}{% set s = 'x' * 60000 %}{% endfor %}ok",
        "characters in all",
    ),
    # output size
    "long output": ("{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}", "message grows"),
    "long output from two loops": (
        "{% for a in range(1000) %}{% for b in range(1000) %}x{% endfor %}{% endfor %}",
        "message grows",
    ),
    "long macro output": (
        (
            "{% macro m() %}{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}{% endmacro %}"
            "{{ m()|length }}"
        ),
        "macro or block",
    ),
}


@pytest.mark.parametrize("line", [v[0] for v in HOSTILE.values()], ids=list(HOSTILE))
def test_a_hostile_template_is_refused_naming_template_and_line(tmp_path: Path, line: str) -> None:
    (_, words) = next(v for v in HOSTILE.values() if v[0] == line)
    error = refused(tmp_path, line)
    assert any(word in error.reason for word in words.split("|")), error.reason


def test_the_clock_stops_a_render_of_slow_steps_in_any_thread(tmp_path: Path) -> None:
    slow = TemplateLimits(max_seconds=0.05, max_steps=10**9)
    line = (
        "{% set s = 'ab' * 30000 %}{% for a in range(1000) %}{% for b in range(1000) %}"
        "{{ s.count('b') and '' }}{% endfor %}{% endfor %}"
    )
    errors: list[BaseException] = []

    def run() -> None:
        try:
            refused(tmp_path, line, slow)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(10)
    assert not worker.is_alive()
    assert not errors, errors


def test_lipsum_is_gone(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {NAME: "亲\n{{ lipsum(1000000) }}"})
    with pytest.raises(TemplateUndefinedError, match="lipsum"):
        render(folder)


HONEST = {
    "{% for i in range(3) %}{{ i }}{% endfor %}": "012",
    "{{ '%05d|%-4s|%.2f' % (42, 'ab', 1.5) }}": "00042|ab  |1.50",
    "|{{ '{:>6}|{:.1f}'.format('ab', 2.25) }}": "|    ab|2.2",
    "{{ 'ab'.ljust(4, '.') ~ 'x' * 3 ~ [1, 2]|join('-') }}": "ab..xxx1-2",
    "{{ 'a b c'|wordwrap(3) }}": "a b\nc",
    "{{ 'x'|center(5) }}|": "x  |",
    "{{ 2 ** 10 + 1 }}": "1025",
    "{{ 1.23456|round(2, 'floor') }}": "1.23",
    "{% macro m(n) %}{% if n %}{{ n }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(5) }}": "54321",
    "{% for x in [[1, [2]], 3] recursive %}{% if x is iterable %}{{ loop(x) }}{% else %}{{ x }}"
    "{% endif %}{% endfor %}": "123",
    "{% for x in 'abc' %}{{ loop.index }}/{{ loop.length }} {% else %}none{% endfor %}": (
        "1/3 2/3 3/3"
    ),
    "{% for x in [] %}x{% else %}none{% endfor %}": "none",
    "{% autoescape true %}{{ '<' ~ 'b' }}{% endautoescape %}": "&lt;b",
    "{{ ['a', 'b'] }} {{ {'k': 1} }}": "['a', 'b'] {'k': 1}",
    "{{ 'x'|truncate(10**18) }}": "x",
}


@pytest.mark.parametrize("line", list(HONEST))
def test_honest_templates_still_render(tmp_path: Path, line: str) -> None:
    folder = folder_with(tmp_path, {NAME: line})
    assert render(folder) == HONEST[line]


def test_limits_are_checked() -> None:
    with pytest.raises(Exception, match="max_text must be a positive number"):
        TemplateLimits(max_text=0)
    assert TemplateLimits().max_text == 65_536


# -- where a template may be read from -----------------------------------------------------


def test_include_through_a_symlinked_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET", encoding="utf-8")
    folder = folder_with(tmp_path, {NAME: "亲\n{% include 'zh_CN/etc/secret.txt' %}"})
    os.symlink(outside, folder / "zh_CN" / "etc")
    with pytest.raises(TemplateSecurityError) as caught:
        render(folder)
    assert caught.value.template == NAME
    assert caught.value.line == 2
    assert "outside the templates folder" in caught.value.reason
    assert "SECRET" not in str(caught.value)


def test_a_template_file_that_links_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("SECRET", encoding="utf-8")
    folder = folder_with(tmp_path, {})
    os.symlink(outside, folder / "zh_CN" / "x.txt")
    with pytest.raises(TemplateSecurityError, match="outside the templates folder") as caught:
        render(folder)
    assert caught.value.template == NAME


def test_a_locale_folder_that_links_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("SECRET", encoding="utf-8")
    folder = tmp_path / "shop"
    folder.mkdir()
    os.symlink(outside, folder / "zh_CN")
    with pytest.raises(TemplateSecurityError, match="outside the templates folder"):
        render(folder)


def test_links_inside_the_folder_and_a_linked_folder_itself_are_fine(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {"zh_CN/real.txt": "内部"})
    os.symlink("real.txt", folder / "zh_CN" / "x.txt")
    assert render(folder) == "内部"
    linked = tmp_path / "linked-shop"
    os.symlink(folder, linked)
    assert render(linked) == "内部"


def test_a_gbk_template_is_a_clear_error_naming_file_and_line(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {NAME: "Hi\n您好".encode("gbk")})
    with pytest.raises(TemplateError, match="not UTF-8") as caught:
        render(folder)
    assert (caught.value.template, caught.value.line) == (NAME, 2)
    assert "save it as UTF-8" in caught.value.reason


def test_an_included_gbk_template_is_named_itself(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path, {NAME: "{% include 'zh_CN/gbk.txt' %}", "zh_CN/gbk.txt": "您好".encode("gbk")}
    )
    with pytest.raises(TemplateError, match="not UTF-8") as caught:
        render(folder)
    assert (caught.value.template, caught.value.line) == ("zh_CN/gbk.txt", 1)


def test_utf16_is_named_and_a_utf8_bom_is_dropped(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {NAME: "您好".encode("utf-16")})
    with pytest.raises(TemplateError, match="UTF-16"):
        render(folder)
    folder = folder_with(tmp_path / "bom", {NAME: codecs.BOM_UTF8 + "您好".encode()})
    assert render(folder) == "您好"


def test_a_huge_template_file_is_refused(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {NAME: "x" * 300_000})
    with pytest.raises(TemplateSecurityError, match="300,000 bytes"):
        render(folder)


def test_a_template_nested_too_deeply_to_compile_is_refused(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {NAME: "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"})
    with pytest.raises(TemplateSecurityError, match="nested too deeply"):
        render(folder)


# -- the command line ----------------------------------------------------------------------


def test_cli_render_refuses_a_hostile_template_in_one_line(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {NAME: "亲\n{{ 'x' * 1000000000 }}"})
    context = tmp_path / "context.json"
    context.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(
        render_command, ["x.txt", "--context", str(context), "--templates", str(folder)]
    )
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.strip().splitlines() == [
        (
            f"error: {NAME}, line 2: the repetition would be 1,000,000,000 characters long; a "
            "template may build at most 65,536"
        )
    ]


def test_lint_flags_templates_that_cannot_render(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET", encoding="utf-8")
    folder = folder_with(
        tmp_path,
        {
            "zh_CN/gbk.txt": "Hi\n您好".encode("gbk"),
            "zh_CN/syntax.txt": "亲\n{% if %}",
            "zh_CN/fine.txt": "亲，您好",
        },
    )
    os.symlink(outside / "secret.txt", folder / "zh_CN" / "link.txt")
    os.symlink(outside, folder / "zh_CN" / "etc")
    os.symlink(folder / "zh_CN", folder / "zh_CN" / "loop")  # inside: not walked, not flagged
    found = {(f.template, f.line, f.rule) for f in lint_templates(folder)}
    assert found == {
        ("zh_CN/etc", 0, "TEMPLATE-LINK-OUT"),
        ("zh_CN/gbk.txt", 2, "TEMPLATE-NOT-UTF8"),
        ("zh_CN/link.txt", 0, "TEMPLATE-LINK-OUT"),
        ("zh_CN/syntax.txt", 2, "TEMPLATE-SYNTAX"),
    }
    result = CliRunner().invoke(lint_templates_command, [str(folder)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "TEMPLATE-LINK-OUT, TEMPLATE-NOT-UTF8, TEMPLATE-SYNTAX" in result.output
    assert "SECRET" not in result.output


# -- generated hostile snippets ------------------------------------------------------------

_BIG = st.one_of(st.integers(0, 50), st.integers(1_000, 10**12))
_PIECES = [
    "{{{{ 'x' * {a} }}}}",
    "{{{{ {a} ** {b} }}}}",
    "{{{{ [1, 2] * {a} }}}}",
    "{{{{ 'ab'.ljust({a}) }}}}",
    "{{{{ 'ab'.center({a}) }}}}",
    "{{{{ '%{a}d' % 1 }}}}",
    "{{{{ '%.{b}f' % 1.5 }}}}",
    "{{{{ '{{:>{a}}}'.format(1) }}}}",
    "{{{{ 'x'|center({a}) }}}}",
    "{{{{ 'a\\nb'|indent({a}) }}}}",
    "{{{{ 'a b'|wordwrap(1, wrapstring='-' * {a}) }}}}",
    "{{{{ 'abc'|truncate({a}) }}}}",
    "{{{{ 1.5|round({b}) }}}}",
    "{{{{ [1]|batch({a}, 0)|list|length }}}}",
    "{{{{ range({a})|sum }}}}",
    "{{% for i in range({a}) %}}{{% for j in range({b}) %}}.{{% endfor %}}{{% endfor %}}",
    (
        "{{% macro m(n) %}}{{% if n > 0 %}}{{{{ m(n - 1) }}}}{{{{ m(n - 1) }}}}{{% endif %}}"
        "{{% endmacro %}}{{{{ m({b}) }}}}"
    ),
    (
        "{{% set ns = namespace(s='ab') %}}{{% for i in range({b}) %}}"
        "{{% set ns.s = ns.s ~ ns.s %}}{{% endfor %}}{{{{ ns.s|length }}}}"
    ),
]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pieces=st.lists(
        st.tuples(st.sampled_from(_PIECES), _BIG, st.integers(0, 10**9)), min_size=1, max_size=3
    )
)
def test_generated_hostile_snippets_render_or_are_refused_quickly(
    tmp_path: Path, pieces: list[tuple[str, int, int]]
) -> None:
    line = "".join(piece.format(a=a, b=b % 64 if "range" in piece else b) for piece, a, b in pieces)
    folder = folder_with(tmp_path, {NAME: f"亲\n{line}x\n"})
    limits = TemplateLimits(max_seconds=0.5, max_steps=20_000)
    env = environment(shop_templates=folder, limits=limits, chat_limit=70_000)
    started = time.monotonic()
    error: TemplateError | None = None
    try:
        text = env.render("x.txt", {"shop": EXAMPLE_SHOP})
    except TemplateError as exc:  # a limit, or e.g. an int too long to print
        error = exc
    else:
        assert len(text) <= limits.max_text
    assert time.monotonic() - started < 3
    if error is not None:
        assert error.template == NAME, error
        if isinstance(error, TemplateSecurityError):
            # Jinja prints a line's text and expressions in one piece, marked with the
            # line the piece starts on: an oversized message may be named on line 1.
            assert error.line in (1, 2), error
