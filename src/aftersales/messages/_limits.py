"""What a shop's template may compute, and where it may read from.

Shop staff write templates, and a template is a small program: the sandbox stops
it reaching Python's internals, and this module stops it hanging or exhausting
the process that renders it. Every bound is in :class:`TemplateLimits`; a
template that goes past one stops with a
:class:`~aftersales.messages.TemplateSecurityError` naming the template and the
line.

How the bounds are kept, cheapest first:

- sizes are checked **before** the work, from the operands: ``'x' * n``,
  ``2 ** n``, ``s.ljust(n)``, ``'%*d'``, ``'{:>{}}'.format``, the filters that
  pad, indent, wrap or join, and ``~``; every string or list a template builds
  is at most :attr:`TemplateLimits.max_text` long, and one render builds at most
  :attr:`TemplateLimits.max_work` characters in all;
- a render counts its **steps** (loop iterations, calls, filters, operators,
  includes) and checks the clock at each, so a loop of cheap operations stops
  too, in any thread (no signals);
- the rendered text is collected piece by piece and stops at
  :attr:`TemplateLimits.max_text`;
- :class:`ConfinedLoader` reads a template only from inside its folder (its real
  path, after symbolic links) and only as UTF-8.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import attrs
import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.loaders import split_template_path
from jinja2.runtime import markup_join

from ..core._errors import InvalidInput
from ._errors import TemplateError, TemplateSecurityError

__all__ = [
    "Budget",
    "ConfinedLoader",
    "GuardedCodeGenerator",
    "LimitExceeded",
    "OutsideFolder",
    "TemplateLimits",
    "active_budget",
    "bounded_filters",
    "check_binop",
    "check_method",
    "check_percent",
    "check_printable",
    "check_spec",
    "text_size",
]


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise InvalidInput(
            f"TemplateLimits.{attribute.name} must be a positive number, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class TemplateLimits:
    """The bounds one render runs under; the defaults are far above any message.

    ``max_text``: characters (or items) in any one string or list a template
    builds, and in the rendered text (64 KiB; a chat message is at most
    ``CHAT_LIMIT``). ``max_range``: numbers in a ``range()``. ``max_int_bits``:
    bits in an integer a template computes (``2 ** 4096`` fits). ``max_depth``:
    nested calls of macros, ``caller()`` and recursive loops. ``max_steps``: loop
    iterations, calls, filters, operators and includes in one render.
    ``max_work``: characters built in one render, all values together.
    ``max_seconds``: wall-clock time of one render. ``max_file_bytes``: the size
    of a template file.
    """

    max_text: int = attrs.field(default=65_536, validator=_positive)
    max_range: int = attrs.field(default=1_000, validator=_positive)
    max_int_bits: int = attrs.field(default=4_096, validator=_positive)
    max_depth: int = attrs.field(default=32, validator=_positive)
    max_steps: int = attrs.field(default=100_000, validator=_positive)
    max_work: int = attrs.field(default=4 * 1024 * 1024, validator=_positive)
    max_seconds: float = attrs.field(default=1.0, validator=_positive)
    max_file_bytes: int = attrs.field(default=256 * 1024, validator=_positive)


class LimitExceeded(SecurityError):
    """A template went past one of its :class:`TemplateLimits` (internal; it
    reaches callers as a ``TemplateSecurityError`` with the template and line)."""


class OutsideFolder(SecurityError):
    """A template's real path is outside its templates folder (a symbolic link out)."""


# -- the render's budget -------------------------------------------------------------------


class Budget:
    """Steps, characters built, call depth and the deadline of one render."""

    __slots__ = ("deadline", "depth", "limits", "max_steps", "steps", "work")

    def __init__(self, limits: TemplateLimits) -> None:
        self.limits = limits
        self.max_steps = limits.max_steps
        self.steps = 0
        self.work = 0
        self.depth = 0
        self.deadline = time.monotonic() + limits.max_seconds

    def step(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise LimitExceeded(
                f"the template takes more than {self.limits.max_steps:,} steps (loop "
                "iterations, calls, operators, includes); a message needs far fewer"
            )
        if time.monotonic() > self.deadline:
            raise LimitExceeded(
                f"the template takes longer than {self.limits.max_seconds:g} s to render"
            )

    def built(self, size: int) -> None:
        self.work += size
        if self.work > self.limits.max_work:
            raise LimitExceeded(
                f"the template builds more than {self.limits.max_work:,} characters in all"
            )


class _Active(threading.local):
    budget: Budget | None = None


_ACTIVE: Final = _Active()


def active_budget() -> Budget | None:
    """The budget of the render running in this thread, if any."""
    return _ACTIVE.budget


def start_budget(limits: TemplateLimits) -> Budget:
    budget = Budget(limits)
    _ACTIVE.budget = budget
    return budget


def end_budget() -> None:
    _ACTIVE.budget = None


def _too_long(size: int, limits: TemplateLimits, what: str) -> LimitExceeded:
    return LimitExceeded(
        f"{what} would be {size:,} characters long; a template may build at most "
        f"{limits.max_text:,}"
    )


def check_size(value: object, limits: TemplateLimits, budget: Budget | None, what: str) -> None:
    """A value a template built: at most ``max_text`` long, and counted."""
    if isinstance(value, (str, bytes, list, tuple)):
        size = len(value)
        if size > limits.max_text:
            raise _too_long(size, limits, what)
        if budget is not None:
            budget.built(size)


def _want(size: int, limits: TemplateLimits, what: str) -> None:
    if size > limits.max_text:
        raise _too_long(size, limits, what)


CONTAINERS: Final = (list, tuple, dict, set, frozenset)


def text_size(value: object, limit: int) -> int:
    """About how many characters ``str(value)`` has, counted up to just past ``limit``.

    A list can hold the same long string 60,000 times for the cost of 60,000
    references; printing it would build gigabytes. Containers are walked (one
    iterator per level, so the walk's memory is its depth) and the walk stops as
    soon as the count is over ``limit``."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if not isinstance(value, CONTAINERS):
        return _scalar_size(value)
    total = 0
    stack: list[Iterator[Any]] = [_children(value)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, (str, bytes)):
                total += len(item) + 4
            elif isinstance(item, CONTAINERS):
                total += 2
                stack.append(_children(item))
                break
            else:
                total += _scalar_size(item) + 2
            if total > limit:
                return total
        else:
            stack.pop()
            total += 2
        if total > limit:
            return total
    return total


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        return itertools.chain.from_iterable(value.items())
    return iter(value)


def _scalar_size(value: object) -> int:
    if isinstance(value, int):
        return value.bit_length() // 3 + 2
    if isinstance(value, float):
        return 24
    return len(str(value))


def check_printable(value: object, limits: TemplateLimits, what: str) -> None:
    """A container (or long text) about to be turned into text: at most ``max_text``."""
    size = text_size(value, limits.max_text)
    if size > limits.max_text:
        raise LimitExceeded(
            f"{what} would be over {limits.max_text:,} characters long; a template may "
            f"build at most {limits.max_text:,}"
        )


# -- operators -----------------------------------------------------------------------------

_SEQUENCES: Final = (str, bytes, list, tuple)


def _bits(value: int) -> int:
    return abs(value).bit_length()


def check_binop(limits: TemplateLimits, operator: str, left: Any, right: Any) -> None:
    """Refuse ``**``, ``*``, ``+`` and ``%`` whose result would be over a limit."""
    if operator == "**":
        _check_power(limits, left, right)
    elif operator == "*":
        _check_product(limits, left, right)
    elif operator == "+":
        if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
            _want(len(left) + len(right), limits, "the sum")
    elif operator == "%" and isinstance(left, str):
        check_percent(left, right, limits)


def _too_many_bits(limits: TemplateLimits, what: str) -> LimitExceeded:
    return LimitExceeded(
        f"{what} has more than {limits.max_int_bits:,} bits; a template computes with "
        f"integers of at most {limits.max_int_bits:,} bits"
    )


def _check_power(limits: TemplateLimits, left: Any, right: Any) -> None:
    if not (isinstance(left, int) and isinstance(right, int)) or right <= 0 or abs(left) <= 1:
        return  # a float overflows at once; a Decimal is held to its context's precision
    if right > limits.max_int_bits or (_bits(left) - 1) * right > limits.max_int_bits:
        raise _too_many_bits(limits, f"{left} ** {right}")


def _check_product(limits: TemplateLimits, left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if _bits(left) + _bits(right) > limits.max_int_bits:
            raise _too_many_bits(limits, "the product")
    elif isinstance(left, _SEQUENCES) and isinstance(right, int):
        _want(len(left) * right, limits, "the repetition")
    elif isinstance(right, _SEQUENCES) and isinstance(left, int):
        _want(len(right) * left, limits, "the repetition")


# %[(key)][flags][width][.precision][length]type
_PERCENT: Final = re.compile(
    r"%(?:\([^)]*\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?[hlL]?(?P<type>.)?",
    re.DOTALL,
)


def check_percent(template: str, args: object, limits: TemplateLimits) -> None:
    """``'%10s' % args``: refuse ``*`` widths, widths and precisions over ``max_text``
    and a result that would be longer than ``max_text``."""
    directives = 0
    widest = 0
    for match in _PERCENT.finditer(template):
        if match["type"] == "%":
            continue
        directives += 1
        for part in (match["width"], match["precision"]):
            if part == "*":
                raise LimitExceeded(
                    "a % format takes its width or precision from the values (*); "
                    "write the number in the format"
                )
            if part:
                number = int(part) if len(part) <= 9 else limits.max_text + 1
                if number > limits.max_text:
                    raise LimitExceeded(
                        f"a % format width or precision of {number:,} is over {limits.max_text:,}"
                    )
                widest += number
    if not directives:
        return
    if isinstance(args, Mapping):
        values: Iterable[object] = args.values()
    elif isinstance(args, tuple):
        values = args
    else:
        values = (args,)
    longest = max((text_size(v, limits.max_text) for v in values), default=0)
    _want(len(template) + directives * (longest + 32) + widest, limits, "the formatted text")


_SPEC_NUMBER: Final = re.compile(r"\d+")


def check_spec(spec: str, limits: TemplateLimits) -> None:
    """A ``str.format`` field's spec (``>10``, ``.2f``): no width or precision over
    ``max_text``."""
    for number in _SPEC_NUMBER.findall(spec):
        if len(number) > 9 or int(number) > limits.max_text:
            raise LimitExceeded(
                f"the format spec {spec[:40]!r} asks for a width or precision over "
                f"{limits.max_text:,}"
            )


# -- string methods ------------------------------------------------------------------------

#: str methods whose result can be much longer than the string; ``format`` and
#: ``format_map`` are bounded in the sandbox's formatter instead.
GROWING: Final = frozenset(
    {"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "translate"}
)


def _arg(
    args: Sequence[Any], kwargs: Mapping[str, Any], index: int, name: str, default: Any
) -> Any:
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def check_method(  # noqa: PLR0912 - one branch per method
    method: types.BuiltinMethodType,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    limits: TemplateLimits,
) -> tuple[Any, ...]:
    """Refuse a call of a growing ``str`` method whose result would be over
    ``max_text``; returns the arguments to call it with (``join``'s iterable, read
    once into a list)."""
    owner: Any = method.__self__
    name = method.__name__
    what = f"the result of {name}()"
    if name in ("center", "ljust", "rjust", "zfill"):
        width = _arg(args, kwargs, 0, "width", 0)
        if isinstance(width, int):
            _want(width, limits, what)
    elif name == "expandtabs":
        size = _arg(args, kwargs, 0, "tabsize", 8)
        if isinstance(size, int):
            tab = "\t" if isinstance(owner, str) else b"\t"
            _want(len(owner) + owner.count(tab) * max(size, 0), limits, what)
    elif name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        if isinstance(old, (str, bytes)) and isinstance(new, (str, bytes)):
            times = owner.count(old) if old else len(owner) + 1
            count = _arg(args, kwargs, 2, "count", -1)
            if isinstance(count, int) and count >= 0:
                times = min(times, count)
            _want(len(owner) + times * max(len(new) - len(old), 0), limits, what)
    elif name == "join" and args:
        items = []
        size = 0
        for item in args[0]:
            items.append(item)
            size += len(item) + len(owner) if isinstance(item, (str, bytes)) else 0
            _want(size, limits, what)
            if len(items) > limits.max_text:
                raise _too_long(len(items), limits, "the joined list")
        return (items, *args[1:])
    elif name == "translate" and args:
        table = args[0]
        if isinstance(owner, str):
            if not isinstance(table, Mapping):
                raise LimitExceeded("str.translate takes a dict in a template")
            longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
            _want(len(owner) * max(longest, 1), limits, what)
    return args


# -- filters -------------------------------------------------------------------------------


def bounded_filters(
    filters: Mapping[str, Callable[..., Any]], limits: TemplateLimits
) -> dict[str, Callable[..., Any]]:
    """``filters`` with the ones that can grow their input checked first, and every
    filter's arguments and result size-checked. (A filter is not a step: only
    loops, calls and includes repeat, and they count.)"""
    checks: dict[str, Callable[[tuple[Any, ...], dict[str, Any]], None]] = {
        "center": lambda a, k: _want_int(_arg(a, k, 1, "width", 80), limits, "center"),
        "indent": lambda a, k: _check_indent(a, k, limits),
        "wordwrap": lambda a, k: _check_wordwrap(a, k, limits),
        "format": lambda a, k: check_percent(str(a[0]), k or tuple(a[1:]), limits) if a else None,
        "replace": lambda a, k: _check_replace(a, k, limits),
        "batch": lambda a, k: _want_int(_arg(a, k, 1, "linecount", 0), limits, "batch"),
        "slice": lambda a, k: _want_int(_arg(a, k, 1, "slices", 0), limits, "slice"),
        "round": lambda a, k: _check_round(a, k, limits),
        "tojson": _check_tojson,
        "sum": _check_sum,
    }
    bounded: dict[str, Callable[..., Any]] = {}
    for name, function in filters.items():
        if name == "join":
            bounded[name] = _guard_filter(_bounded_join(function, limits), None, limits, name)
        else:
            bounded[name] = _guard_filter(function, checks.get(name), limits, name)
    return bounded


def _guard_filter(
    function: Callable[..., Any],
    check: Callable[[tuple[Any, ...], dict[str, Any]], None] | None,
    limits: TemplateLimits,
    name: str,
) -> Callable[..., Any]:
    what = f"the result of the {name} filter"
    passes = hasattr(function, "jinja_pass_arg")
    max_text, max_work = limits.max_text, limits.max_work
    active = _ACTIVE

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = active.budget
        for arg in args:
            if isinstance(arg, CONTAINERS) and text_size(arg, max_work) > max_work:
                raise LimitExceeded(
                    f"the {name} filter is given a value of more than {max_work:,} characters"
                )
        if check is not None:
            check(args[1:] if passes else args, kwargs)
        result = function(*args, **kwargs)
        if isinstance(result, (str, list, tuple)):
            size = len(result)
            if size > max_text:
                raise _too_long(size, limits, what)
            if budget is not None:
                budget.built(size)
        return result

    return guarded


def _want_int(value: object, limits: TemplateLimits, name: str) -> None:
    if isinstance(value, int) and value > limits.max_text:
        raise LimitExceeded(f"the {name} filter's argument {value:,} is over {limits.max_text:,}")


def _check_indent(args: tuple[Any, ...], kwargs: dict[str, Any], limits: TemplateLimits) -> None:
    text = str(args[0]) if args else ""
    width = _arg(args, kwargs, 1, "width", 4)
    pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    _want_int(pad, limits, "indent")
    _want(len(text) + (text.count("\n") + 1) * pad, limits, "the result of the indent filter")


def _check_wordwrap(args: tuple[Any, ...], kwargs: dict[str, Any], limits: TemplateLimits) -> None:
    text = str(args[0]) if args else ""
    wrap = _arg(args, kwargs, 3, "wrapstring", None)
    if isinstance(wrap, str):
        _want(len(text) * (len(wrap) + 1), limits, "the result of the wordwrap filter")


def _check_replace(args: tuple[Any, ...], kwargs: dict[str, Any], limits: TemplateLimits) -> None:
    if len(args) < 3:
        return
    text, old, new = str(args[0]), str(args[1]), str(args[2])
    times = text.count(old) if old else len(text) + 1
    count = _arg(args, kwargs, 3, "count", None)
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    _want(len(text) + times * max(len(new) - len(old), 0), limits, "the result of replace")


def _check_round(args: tuple[Any, ...], kwargs: dict[str, Any], limits: TemplateLimits) -> None:
    precision = _arg(args, kwargs, 1, "precision", 0)
    if isinstance(precision, int) and abs(precision) > limits.max_int_bits // 4:
        raise LimitExceeded(f"round to {precision:,} digits is over {limits.max_int_bits // 4:,}")


_MAX_JSON_INDENT: Final = 16


def _check_tojson(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    indent = _arg(args, kwargs, 1, "indent", None)
    width = len(indent) if isinstance(indent, str) else indent if isinstance(indent, int) else 0
    if width > _MAX_JSON_INDENT:
        raise LimitExceeded(f"tojson indents by at most {_MAX_JSON_INDENT}")


def _check_sum(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    start = _arg(args, kwargs, 2, "start", 0)
    if isinstance(start, _SEQUENCES):
        raise LimitExceeded("the sum filter adds numbers; join lists with ~ or +")


def _bounded_join(function: Callable[..., Any], limits: TemplateLimits) -> Callable[..., Any]:
    @jinja2.pass_eval_context
    def join(
        eval_ctx: nodes.EvalContext, value: Iterable[Any], d: str = "", attribute: Any = None
    ) -> Any:
        items: list[Any] = []
        size = 0
        if attribute is not None:
            value = map(make_attrgetter(eval_ctx.environment, attribute), value)
        for item in value:
            items.append(item)
            size += text_size(item, limits.max_text) + len(d)
            if size > limits.max_text or len(items) > limits.max_text:
                raise _too_long(size, limits, "the result of the join filter")
        return function(eval_ctx, items, d)

    return join


# -- the generated code --------------------------------------------------------------------


_GUARD: Final = "guard_iter"


def _is_guard(node: nodes.Node) -> bool:
    return (
        isinstance(node, nodes.Call)
        and isinstance(node.node, nodes.EnvironmentAttribute)
        and node.node.name == _GUARD
    )


class GuardedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every ``for`` loop's iterable guarded and every
    ``~`` concatenation size-checked before it is built."""

    def visit_Template(  # noqa: N802 - Jinja's visitor names
        self, node: nodes.Template, frame: Frame | None = None
    ) -> None:
        # Custom node types are not allowed: the guard is a call of an environment
        # attribute, which the parser never makes, written out in visit_Call.
        for loop in node.find_all(nodes.For):
            if not _is_guard(loop.iter):
                guard = nodes.EnvironmentAttribute(_GUARD, lineno=loop.iter.lineno)
                loop.iter = nodes.Call(guard, [loop.iter], [], None, None, lineno=loop.iter.lineno)
        super().visit_Template(node, frame)

    def visit_Call(  # noqa: N802 - Jinja's visitor names
        self, node: nodes.Call, frame: Frame, forward_caller: bool = False
    ) -> None:
        if _is_guard(node):
            self.write(f"environment.{_GUARD}(")
            self.visit(node.args[0], frame)
            self.write(")")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)

    @optimizeconst
    def visit_Concat(  # noqa: N802 - Jinja's visitor names
        self, node: nodes.Concat, frame: Frame
    ) -> None:
        if frame.eval_ctx.volatile:
            escape = "context.eval_ctx.volatile"
        else:
            escape = "True" if frame.eval_ctx.autoescape else "False"
        self.write(f"environment.concat_values({escape}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def guarded(iterable: Iterable[Any], budget: Budget) -> Iterator[Any]:
    for item in iterable:
        budget.step()
        yield item


def concat_values(
    escape: bool, values: tuple[Any, ...], limits: TemplateLimits, budget: Budget | None
) -> str:
    """``a ~ b``: the parts' total length checked before they are joined."""
    for value in values:
        if isinstance(value, CONTAINERS):
            check_printable(value, limits, "the ~ concatenation")
    texts = [v if isinstance(v, str) else str(v) for v in values]
    size = sum(map(len, texts))
    _want(size, limits, "the ~ concatenation")
    if budget is not None:
        budget.step()
        budget.built(size)
    if escape:
        return str(markup_join(values))
    return "".join(texts)


# -- the loader ----------------------------------------------------------------------------

_UTF8_BOM: Final = b"\xef\xbb\xbf"
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")


class ConfinedLoader(jinja2.BaseLoader):
    """Templates from the first of ``roots`` that has the file, read only from
    inside that root (its real path, symbolic links followed) and only as UTF-8
    (a leading byte-order mark is dropped)."""

    has_source_access = True

    def __init__(self, roots: Sequence[os.PathLike[str] | str], limits: TemplateLimits) -> None:
        self.roots = tuple((os.fspath(r), os.path.realpath(r)) for r in roots)
        self.limits = limits

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for root, real_root in self.roots:
            path = os.path.join(root, *pieces)
            if not os.path.isfile(path):
                continue
            real = os.path.realpath(path)
            if os.path.commonpath([real, real_root]) != real_root:
                raise OutsideFolder(
                    f"{template} leads outside the templates folder {root} (to {real}) "
                    "through a symbolic link; copy the file into the folder instead"
                )
            text = self._read(template, real)
            mtime = os.path.getmtime(real)

            def uptodate(real: str = real, mtime: float = mtime) -> bool:
                try:
                    return os.path.getmtime(real) == mtime
                except OSError:
                    return False

            return text, os.path.normpath(path), uptodate
        raise jinja2.TemplateNotFound(template)

    def _read(self, template: str, path: str) -> str:
        size = os.path.getsize(path)
        if size > self.limits.max_file_bytes:
            raise TemplateSecurityError(
                f"the file is {size:,} bytes; a message template is at most "
                f"{self.limits.max_file_bytes:,}",
                template=template,
            )
        with open(path, "rb") as file:
            data = file.read(self.limits.max_file_bytes + 1)
        if data.startswith(_UTF8_BOM):
            data = data[len(_UTF8_BOM) :]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            hint = "UTF-16" if data.startswith(_UTF16_BOMS) else "perhaps GBK or GB18030"
            raise TemplateError(
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x}; {hint}); "
                "save it as UTF-8",
                template=template,
                line=line,
            ) from None
