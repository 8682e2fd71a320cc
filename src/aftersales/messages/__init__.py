"""Messages to buyers: sandboxed, strict Jinja2 templates, zh_CN first, en second.

A shell around the pure core: the engine's ``NotifyBuyer`` effects name a
template; this package builds its variables from the case
(:func:`context_for`), renders it for a locale and a channel
(:func:`environment`, :func:`messages_for`), and lints templates for review
inducement (REV-NO-INDUCE, :func:`lint_templates`). A shop's template runs bounded
(:class:`TemplateLimits`) and reads only inside its folder. See docs/messages.md.
"""

from __future__ import annotations

from ._catalog import OTHER_TEMPLATES, shipped_templates
from ._channels import (
    CHANNELS,
    CHAT_LIMIT,
    SMS_LONG_SEGMENT,
    SMS_MAX_SEGMENTS,
    SMS_SEGMENT,
    Channel,
    sms_segments,
    sms_units,
)
from ._context import (
    REMINDERS,
    Message,
    Reminder,
    context_for,
    messages_for,
    reminders_due,
    step_context,
)
from ._env import FALLBACK_LOCALE, PACKAGE_TEMPLATES, MessageEnvironment, environment
from ._errors import (
    MessageTooLong,
    MissingTranslationWarning,
    TemplateError,
    TemplateSecurityError,
    TemplateUndefinedError,
)
from ._filters import LOCALES, format_date, format_datetime, format_money, format_time_left
from ._limits import TemplateLimits
from ._lint import INDUCEMENT_PATTERNS, LintFinding, lint_templates
from ._shop import EXAMPLE_SHOP, ReturnAddress, ShopInfo, read_shop, shop_from_dict

__all__ = [
    "CHANNELS",
    "CHAT_LIMIT",
    "EXAMPLE_SHOP",
    "FALLBACK_LOCALE",
    "INDUCEMENT_PATTERNS",
    "LOCALES",
    "OTHER_TEMPLATES",
    "PACKAGE_TEMPLATES",
    "REMINDERS",
    "SMS_LONG_SEGMENT",
    "SMS_MAX_SEGMENTS",
    "SMS_SEGMENT",
    "Channel",
    "LintFinding",
    "Message",
    "MessageEnvironment",
    "MessageTooLong",
    "MissingTranslationWarning",
    "Reminder",
    "ReturnAddress",
    "ShopInfo",
    "TemplateError",
    "TemplateLimits",
    "TemplateSecurityError",
    "TemplateUndefinedError",
    "context_for",
    "environment",
    "format_date",
    "format_datetime",
    "format_money",
    "format_time_left",
    "lint_templates",
    "messages_for",
    "read_shop",
    "reminders_due",
    "shipped_templates",
    "shop_from_dict",
    "sms_segments",
    "sms_units",
    "step_context",
]
