"""What can go wrong between a template and a buyer's screen.

A message to a customer is either right or not sent: a missing variable, a
syntax slip or a sandbox violation in a template staff wrote becomes one typed
error naming the template, the line and the reason, never a hole in the text.
"""

from __future__ import annotations

from ..core._errors import AfterSalesError

__all__ = [
    "MessageTooLong",
    "MissingTranslationWarning",
    "TemplateError",
    "TemplateSecurityError",
    "TemplateUndefinedError",
]


class TemplateError(AfterSalesError):
    """A template could not be found, compiled or rendered.

    ``template`` is the file that failed (an included template's own name when
    the failure is inside it), ``line`` its line number when known, ``reason``
    what went wrong in words.
    """

    def __init__(self, reason: str, *, template: str, line: int | None = None) -> None:
        where = template if line is None else f"{template}, line {line}"
        super().__init__(f"{where}: {reason}")
        self.template = template
        self.line = line
        self.reason = reason


class TemplateUndefinedError(TemplateError):
    """The template used a variable (or attribute) its context does not have."""

    def __init__(
        self, reason: str, *, template: str, line: int | None = None, variable: str | None = None
    ) -> None:
        super().__init__(reason, template=template, line=line)
        self.variable = variable


class TemplateSecurityError(TemplateError):
    """The sandbox refused what the template tried: private attributes, mutating a
    value, reaching Python internals. Shop staff write templates; they run with
    no more power than formatting a message needs."""


class MessageTooLong(AfterSalesError):
    """The rendered message exceeds its channel's limit: characters in chat, segments
    in SMS (see ``aftersales.messages.CHAT_LIMIT`` and ``SMS_MAX_SEGMENTS``)."""

    def __init__(self, *, template: str, channel: str, length: int, limit: int, unit: str) -> None:
        super().__init__(
            f"{template}: the {channel} message takes {length} {unit}, over the limit of "
            f"{limit}; shorten the template or add a {channel} variant"
        )
        self.template = template
        self.channel = channel
        self.length = length
        self.limit = limit


class MissingTranslationWarning(UserWarning):
    """A template has no text in the requested locale; the zh_CN text was used."""
