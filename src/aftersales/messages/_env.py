"""The Jinja2 environment messages are rendered in: sandboxed, strict, plain text.

Layout: ``<root>/<locale>/<path>``, e.g. ``zh_CN/return/agreed.txt``; the SMS
variant of a template sits next to it as ``zh_CN/return/agreed.sms.txt``.
Two roots are searched in order: the shop's folder, then the package's
templates, so a shop file overrides the shipped file of the same name and
nothing else. A template is looked up as (locale, sms variant), (locale),
(zh_CN, sms variant), (zh_CN); falling back to zh_CN warns. What a template may
compute, and where it may read from, is bounded (``_limits``).
"""

from __future__ import annotations

import re
import types
import warnings
from collections.abc import Callable, Iterable, Mapping
from functools import partial, update_wrapper
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import (
    ImmutableSandboxedEnvironment,
    SandboxedEscapeFormatter,
    SandboxedFormatter,
)
from jinja2.utils import Namespace

from ..core._case import Deadline
from ..core._errors import AfterSalesError, InvalidInput
from ..core._money import Money
from ._channels import (
    CHANNELS,
    CHAT_LIMIT,
    SMS_MAX_SEGMENTS,
    Channel,
    sms_segments,
    sms_units,
)
from ._errors import (
    MessageTooLong,
    MissingTranslationWarning,
    TemplateError,
    TemplateSecurityError,
    TemplateUndefinedError,
)
from ._filters import (
    SHANGHAI,
    check_locale,
    format_date,
    format_datetime,
    format_money,
    format_time_left,
)
from ._limits import (
    CONTAINERS,
    GROWING,
    ConfinedLoader,
    GuardedCodeGenerator,
    LimitExceeded,
    OutsideFolder,
    TemplateLimits,
    active_budget,
    bounded_filters,
    check_binop,
    check_method,
    check_printable,
    check_size,
    check_spec,
    concat_values,
    end_budget,
    guarded,
    start_budget,
)
from ._shop import ReturnAddress, ShopInfo

__all__ = ["FALLBACK_LOCALE", "PACKAGE_TEMPLATES", "MessageEnvironment", "environment"]

#: The templates shipped with the library.
PACKAGE_TEMPLATES: Final = Path(__file__).resolve().parent / "templates"
FALLBACK_LOCALE: Final = "zh_CN"

_UNDEFINED = re.compile(r"^'(?P<name>[^']+)' is undefined$")
_NO_ATTRIBUTE = re.compile(r"has no (?:attribute|element) (?P<name>.+)$")


class _PrintedNone(Exception):
    """``{{ value }}`` was None: a hole in a customer's message."""


class _Namespace(Namespace):
    """``namespace()`` whose private names cannot be set: ``{% set ns.__class__ = ... %}``
    touches only the namespace's own dict, but a sandbox refuses rather than explains."""

    def __setitem__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            raise SecurityError(f"setting the private attribute {name!r} of a namespace is unsafe")
        super().__setitem__(name, value)


def _strict(function: Callable[..., str]) -> Callable[..., str]:
    """A filter handed an undefined value reports the undefined name, not a type error."""

    def strict(*args: Any, **kwargs: Any) -> str:
        for value in (*args, *kwargs.values()):
            if isinstance(value, jinja2.Undefined):
                value._fail_with_undefined_error()
        return function(*args, **kwargs)

    return strict


def variant_name(name: str, channel: Channel) -> str:
    """``return/agreed.txt`` -> ``return/agreed.sms.txt`` (chat is the plain name)."""
    if channel == "chat":
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or "/" in ext:
        return f"{name}.{channel}"
    return f"{stem}.{channel}.{ext}"


def _check_name(name: str) -> str:
    parts = name.split("/")
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise InvalidInput(
            f"{name!r} is not a template name; write it like return/agreed.txt "
            "(relative, no locale folder)"
        )
    return name


#: Frozen values of the library's own that contexts carry: plain data, no public
#: attribute that reaches Python internals or changes state.
_VALUE_TYPES: Final = frozenset({ShopInfo, ReturnAddress, Money, Deadline})


class _BoundedFormatter(SandboxedFormatter):
    """``str.format`` in a template: no field wider than the limits, and the whole
    result no longer than ``max_text``."""

    def __init__(self, env: jinja2.Environment, limits: TemplateLimits, **kwargs: Any) -> None:
        super().__init__(env, **kwargs)
        self._limits = limits
        self._built = 0

    def vformat(self, format_string: str, args: Any, kwargs: Any) -> str:
        self._built = 0
        return str(super().vformat(format_string, args, kwargs))

    def format_field(self, value: Any, format_spec: str) -> Any:
        check_spec(format_spec, self._limits)
        if isinstance(value, CONTAINERS):
            check_printable(value, self._limits, "the formatted value")
        text = super().format_field(value, format_spec)
        self._built += len(text)
        if self._built > self._limits.max_text:
            raise LimitExceeded(
                f"the formatted text would be over {self._limits.max_text:,} characters long"
            )
        return text


class _BoundedEscapeFormatter(_BoundedFormatter, SandboxedEscapeFormatter):
    pass


class MessageEnvironment(ImmutableSandboxedEnvironment):
    """A sandboxed, strict Jinja2 environment bound to one locale and channel.

    Use :func:`environment` to make one and :meth:`render` to render a template
    by its locale-free name; rendering problems come out as
    :class:`~aftersales.messages.TemplateError` subclasses. What a template may
    compute is bounded by ``limits`` (:class:`~aftersales.messages.TemplateLimits`).
    """

    code_generator_class = GuardedCodeGenerator
    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(
        self,
        *,
        shop_templates: Path | None = None,
        locale: str = "zh_CN",
        channel: Channel = "chat",
        tz: str = SHANGHAI,
        chat_limit: int = CHAT_LIMIT,
        sms_max_segments: int = SMS_MAX_SEGMENTS,
        limits: TemplateLimits | None = None,
    ) -> None:
        if channel not in CHANNELS:
            raise InvalidInput(f"unknown channel {channel!r}; choose one of {', '.join(CHANNELS)}")
        if chat_limit < 1 or sms_max_segments < 1:
            raise InvalidInput("chat_limit and sms_max_segments must be at least 1")
        roots = [PACKAGE_TEMPLATES]
        if shop_templates is not None:
            folder = Path(shop_templates).resolve()
            if not folder.is_dir():
                raise InvalidInput(f"shop template folder {shop_templates} is not a directory")
            roots.insert(0, folder)
        self.roots: tuple[Path, ...] = tuple(roots)
        self.locale = check_locale(locale)
        self.channel: Channel = channel
        self.tz = tz
        self.chat_limit = chat_limit
        self.sms_max_segments = sms_max_segments
        self.limits = TemplateLimits() if limits is None else limits
        super().__init__(
            loader=ConfinedLoader(roots, self.limits),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            finalize=self._finalize,
            # Templates are read once per environment; a shop that edits its folder
            # makes a new environment (a stat of every file on every render is the
            # single largest cost otherwise).
            auto_reload=False,
        )
        self.globals["namespace"] = _Namespace
        self.globals["range"] = self._range
        del self.globals["lipsum"]  # paragraphs of lorem ipsum: never in a message, and unbounded
        self._resolved: dict[str, tuple[jinja2.Template, bool]] = {}
        # Jinja's filters bounded; the library's own below format one value each
        self.filters = bounded_filters(self.filters, self.limits)
        self.filters["money"] = _strict(partial(format_money, locale=locale))
        self.filters["datetime"] = _strict(partial(format_datetime, locale=locale, tz=tz))
        self.filters["date"] = _strict(partial(format_date, locale=locale, tz=tz))
        self.filters["time_left"] = _strict(partial(format_time_left, locale=locale))

    # -- lookup -------------------------------------------------------------------------

    def candidates(self, name: str) -> tuple[str, ...]:
        """The full names tried for ``name``, in order."""
        _check_name(name)
        found: list[str] = []
        for locale in dict.fromkeys((self.locale, FALLBACK_LOCALE)):
            if self.channel != "chat":
                found.append(f"{locale}/{variant_name(name, self.channel)}")
            found.append(f"{locale}/{name}")
        return tuple(found)

    def resolve(self, name: str) -> jinja2.Template:
        """The compiled template for ``name``; warns when it is the zh_CN fallback."""
        known = self._resolved.get(name)
        if known is not None:  # templates are loaded once (auto_reload is off)
            template, fallback = known
            if fallback:
                self._warn_fallback(name, template.name or name)
            return template
        tried = self.candidates(name)
        for full in tried:
            try:
                template = self.get_template(full)
            except jinja2.TemplateNotFound as exc:
                if exc.name == full:
                    continue
                raise self._translate(exc, full) from None
            except (jinja2.TemplateSyntaxError, SecurityError, RecursionError, MemoryError) as exc:
                raise self._translate(exc, full) from None
            fallback = not full.startswith(f"{self.locale}/")
            if fallback:
                self._warn_fallback(name, full)
            self._resolved[name] = (template, fallback)
            return template
        raise TemplateError(
            f"no such template (looked for {', '.join(tried)} in "
            f"{', '.join(str(r) for r in self.roots)})",
            template=name,
        )

    def _warn_fallback(self, name: str, full: str) -> None:
        warnings.warn(
            f"{name} has no {self.locale} text; using {full}",
            MissingTranslationWarning,
            stacklevel=4,
        )

    # -- rendering ----------------------------------------------------------------------

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # The library's own frozen values (the shop, money, deadlines, cases) have no
        # public attribute that reaches Python internals or changes state: their
        # public names skip the sandbox's slower general checks. Every other object,
        # and every underscore name, still gets the full check.
        if type(obj) in _VALUE_TYPES and not attr.startswith("_"):
            return True
        return bool(super().is_safe_attribute(obj, attr, value))

    # -- the bounds (see _limits) ----------------------------------------------------------

    def _finalize(self, value: object) -> object:
        # {{ value }}: never None (a hole in the message), never a list that prints as
        # gigabytes
        if value is None:
            raise _PrintedNone
        if isinstance(value, CONTAINERS):
            check_printable(value, self.limits, "the printed value")
        return value

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        try:
            count = len(numbers)
        except OverflowError:
            count = self.limits.max_range + 1
        if count > self.limits.max_range:
            raise LimitExceeded(
                f"range() of more than {self.limits.max_range:,} numbers; a template "
                f"counts to at most {self.limits.max_range:,}"
            )
        return numbers

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = active_budget()
        if budget is not None:
            budget.step()
        check_binop(self.limits, operator, left, right)
        result = self.binop_table[operator](left, right)
        check_size(result, self.limits, budget, f"the result of {operator}")
        return result

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own signature
        limits = __self.limits
        if (
            isinstance(__obj, types.BuiltinMethodType)
            and isinstance(getattr(__obj, "__self__", None), (str, bytes))
            and __obj.__name__ in GROWING
        ):
            args = check_method(__obj, args, kwargs, limits)
        budget = active_budget()
        if budget is None:
            result = super().call(__context, __obj, *args, **kwargs)
        else:
            budget.step()
            if budget.depth >= limits.max_depth:
                raise LimitExceeded(
                    f"calls nest more than {limits.max_depth} deep (a macro or a recursive "
                    "loop that calls itself without end?)"
                )
            budget.depth += 1
            try:
                result = super().call(__context, __obj, *args, **kwargs)
            finally:
                budget.depth -= 1
        check_size(result, limits, budget, "the call's result")
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # Jinja's own, with a formatter that bounds widths and the result's length.
        if not isinstance(
            value, (types.MethodType, types.BuiltinMethodType)
        ) or value.__name__ not in (
            "format",
            "format_map",
        ):
            return None
        owner: Any = value.__self__
        if not isinstance(owner, str):
            return None
        kind: type[str] = type(owner)
        is_map = value.__name__ == "format_map"
        formatter: _BoundedFormatter
        if hasattr(owner, "__html__"):  # Markup (|safe): escapes what it formats
            markup: Any = owner
            formatter = _BoundedEscapeFormatter(self, self.limits, escape=markup.escape)
        else:
            formatter = _BoundedFormatter(self, self.limits)

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_map:
                if kwargs:
                    raise TypeError("format_map() takes no keyword arguments")
                if len(args) != 1:
                    raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
                kwargs = args[0]
                args = ()
            return kind(formatter.vformat(owner, args, kwargs))

        return update_wrapper(wrapper, value)

    def guard_iter(self, iterable: Iterable[Any]) -> Iterable[Any]:
        """A ``for`` loop's iterable: each item a step of the render."""
        budget = active_budget()
        return iterable if budget is None else guarded(iterable, budget)

    def concat_values(self, escape: bool, values: tuple[Any, ...]) -> str:
        """``a ~ b ~ c``, checked before it is built."""
        return concat_values(escape, values, self.limits, active_budget())

    def concat(self, parts: Iterable[str]) -> str:
        """Joins a render's output (the outermost call starts its budget) and every
        macro's or block's buffer, each at most ``max_text`` long."""
        budget = active_budget()
        if budget is not None:
            pieces = parts if isinstance(parts, list) else list(parts)
            size = sum(map(len, pieces))
            if size > self.limits.max_text:
                raise LimitExceeded(
                    f"a macro or block would print {size:,} characters; at most "
                    f"{self.limits.max_text:,}"
                )
            budget.built(size)
            return "".join(pieces)
        start_budget(self.limits)
        try:
            return self._collect(parts)
        finally:
            end_budget()

    def _collect(self, parts: Iterable[str]) -> str:
        limit = self.limits.max_text
        out: list[str] = []
        append = out.append
        size = 0
        for piece in parts:
            size += len(piece)
            if size > limit:
                exc = LimitExceeded(
                    f"the message grows past {limit:,} characters; a message is far shorter"
                )
                if isinstance(parts, types.GeneratorType):
                    parts.throw(exc)  # raised where the template printed it: its line
                raise exc
            append(piece)
        return "".join(out)

    def get_template(self, *args: Any, **kwargs: Any) -> jinja2.Template:
        # {% include %}, {% import %} and {% extends %} come here: each is a step.
        budget = active_budget()
        if budget is not None:
            budget.step()
        return super().get_template(*args, **kwargs)

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Render ``name`` for this environment's locale and channel.

        The text is stripped; SMS gets the shop's signature (``context["shop"]``)
        appended as 【signature】; both channels are length-checked.
        """
        template = self.resolve(name)
        try:
            text = template.render(context).strip()
        except TemplateError:
            raise
        except Exception as exc:  # anything a template does wrong is the template's error
            raise self._translate(exc, template.name or name) from None
        if not text:
            raise TemplateError("the message rendered empty", template=template.name or name)
        if self.channel == "sms":
            text = f"{text}【{_signature(context, name)}】"
        self._check_length(template.name or name, text)
        return text

    def _check_length(self, name: str, text: str) -> None:
        if self.channel == "sms":
            segments = sms_segments(text)
            if segments > self.sms_max_segments:
                raise MessageTooLong(
                    template=name,
                    channel="sms",
                    length=segments,
                    limit=self.sms_max_segments,
                    unit=f"segments ({sms_units(text)} UCS-2 characters with the signature)",
                )
        elif len(text) > self.chat_limit:
            raise MessageTooLong(
                template=name,
                channel="chat",
                length=len(text),
                limit=self.chat_limit,
                unit="characters",
            )

    # -- errors -------------------------------------------------------------------------

    def _template_name(self, filename: str) -> str | None:
        if filename == "<template>":
            return "<template>"
        path = Path(filename)
        for root in self.roots:
            if path.is_relative_to(root):
                return path.relative_to(root).as_posix()
        return None

    def _where(self, tb: TracebackType | None) -> tuple[str | None, int | None]:
        """The innermost template frame of a traceback Jinja rewrote."""
        name: str | None = None
        line: int | None = None
        while tb is not None:
            found = self._template_name(tb.tb_frame.f_code.co_filename)
            if found is not None:
                name, line = found, tb.tb_lineno
            tb = tb.tb_next
        return name, line

    def _translate(self, exc: BaseException, template: str) -> TemplateError:  # noqa: PLR0911 - one branch per kind of failure
        if isinstance(exc, jinja2.TemplateSyntaxError):
            return TemplateError(
                f"syntax error: {exc.message}", template=exc.name or template, line=exc.lineno
            )
        where, line = self._where(exc.__traceback__)
        name = where or template
        if isinstance(exc, (LimitExceeded, OutsideFolder)):
            return TemplateSecurityError(str(exc), template=name, line=line)
        if isinstance(exc, SecurityError):
            return TemplateSecurityError(f"refused by the sandbox: {exc}", template=name, line=line)
        if isinstance(exc, RecursionError):
            return TemplateSecurityError(
                "nested too deeply (a template that includes itself, or a macro that calls "
                "itself without end?)",
                template=name,
                line=line,
            )
        if isinstance(exc, MemoryError):
            return TemplateSecurityError("ran out of memory", template=name, line=line)
        if isinstance(exc, jinja2.UndefinedError):
            text = str(exc)
            match = _UNDEFINED.match(text) or _NO_ATTRIBUTE.search(text)
            variable = match["name"].strip("'") if match else None
            reason = f"undefined variable {variable!r}" if _UNDEFINED.match(text) else text
            return TemplateUndefinedError(reason, template=name, line=line, variable=variable)
        if isinstance(exc, jinja2.TemplateNotFound):
            return TemplateError(f"includes a missing template {exc.name!r}", template=name)
        if isinstance(exc, _PrintedNone):
            return TemplateError(
                "a variable printed as None; guard it with {% if ... %}", template=name, line=line
            )
        if isinstance(exc, AfterSalesError):
            return TemplateError(exc.message, template=name, line=line)
        return TemplateError(f"{type(exc).__name__}: {exc}", template=name, line=line)


def _signature(context: Mapping[str, Any], name: str) -> str:
    shop = context.get("shop")
    if not isinstance(shop, ShopInfo):
        raise TemplateError(
            "an SMS ends with the shop's signature: the context needs shop (a ShopInfo)",
            template=name,
        )
    return shop.sms_signature


def environment(
    *,
    shop_templates: Path | None = None,
    locale: str = "zh_CN",
    channel: Channel = "chat",
    tz: str = SHANGHAI,
    chat_limit: int = CHAT_LIMIT,
    sms_max_segments: int = SMS_MAX_SEGMENTS,
    limits: TemplateLimits | None = None,
) -> MessageEnvironment:
    """A message environment: the shop's folder over the package's templates.

    ``locale`` is ``zh_CN`` (the default) or ``en``; ``channel`` is ``chat``
    (Wangwang) or ``sms``. Instants are shown in ``tz``. ``limits`` bounds what
    a template may compute (the defaults when not given).
    """
    return MessageEnvironment(
        shop_templates=shop_templates,
        locale=locale,
        channel=channel,
        tz=tz,
        chat_limit=chat_limit,
        sms_max_segments=sms_max_segments,
        limits=limits,
    )
