"""The worker's platform handler: the buyer's notifications, left on the refund.

``aftersales worker --handler aftersales.platform:handler`` hands every effect to
:data:`handler`; the worker binds it to its casebook and its clock first
(:meth:`PlatformHandler.bind_casebook`). A ``NotifyBuyer`` effect is rendered (the
shop's templates, the short ``sms`` variant by default: the platform takes 2-200
characters) and left on the refund with ``taobao.refund.message.add``, through the
same action record as ``aftersales act message`` (kind ``notify``): recorded before
the call, settled by the answer. Other effects need nothing from the platform.

Only a notification still current is sent (:func:`why_stale`): the change it reports
is still the case's latest (a later change that moved the case on makes it
stale: the buyer would read about a stage already over), and it is at most
:data:`NOTIFY_WINDOW` old. The shop's service target is to answer within five
minutes (SVC-5MIN); an hour covers a sync every ten minutes (the sync's margin)
and a worker's passes, and a notice later than that is no answer any more: the
platform has shown the buyer the change itself meanwhile. A first sync brings in
months of history: none of it is sent. A stale notification is done with the
reason as its note, never sent.

How each ends in the outbox: sent (``done``, the action's ID in the note); the
answer lost (:class:`~aftersales.casebook.OutcomeUnknown`: parked ``unknown``, the
next sync cannot tell a message from a status, a person settles it:
``aftersales act settle``); refused by the platform or by the rules
(:class:`~aftersales.casebook.EffectNotSent`: parked ``failed`` with the reason,
never retried by itself); the refund unreadable before sending (an exception:
retried by the worker, nothing was sent).
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pendulum

from ..casebook import Casebook, EffectNotSent, OutcomeUnknown
from ..core._case import Case
from ..core._effects import Effect, NotifyBuyer
from ..core._errors import InvalidInput
from ..messages import environment, messages_for, read_shop
from ..messages._channels import Channel
from ..messages._shop import ShopInfo
from ._act import ActionRefused, notify
from ._client import TopClient
from ._errors import ConfigurationMissing
from ._settings import SHOP_VARIABLE, read_settings

__all__ = ["NOTIFY_RULE", "NOTIFY_WINDOW", "PlatformHandler", "handler", "why_stale"]

#: The rule the notification window rests on: answer within five minutes.
NOTIFY_RULE = "SVC-5MIN"
#: How long after the change it reports a notification is still sent (SVC-5MIN).
NOTIFY_WINDOW = _dt.timedelta(hours=1)


def why_stale(
    effect: NotifyBuyer, case: Case, now: _dt.datetime, window: _dt.timedelta = NOTIFY_WINDOW
) -> str | None:
    """Why ``effect`` is no longer worth sending at ``now``, or None while it is current.

    The change it reports is the case's latest transition with the effect's rule, or,
    when none carries it (a notification may cite the rule of its stage, not of the
    transition: RET-REFUSE on a refusal before shipment, PRE-INTERVENE-3D), the
    case's latest move. A later transition to another state moved the case on (one
    that stays in its state, a message or evidence, does not).
    """
    history = case.history
    moves = [i for i, t in enumerate(history) if t.source is not t.target] or [0]
    ruled = [i for i, t in enumerate(history) if t.rule == effect.rule]
    made = ruled[-1] if ruled else moves[-1]
    later = [i for i in moves if i > made]
    if later:
        moved = history[later[0]]
        return (
            f"the case moved on to {moved.target.value} ({moved.trigger}, "
            f"{moved.at.isoformat()}): {effect.template} is about a stage already over"
        )
    age = pendulum.instance(now) - history[made].at
    if age.total_seconds() > window.total_seconds():
        hours = age.total_seconds() / 3600
        return (
            f"{hours:.1f} h after the change it reports ({history[made].at.isoformat()}); "
            f"notifications are sent within {window} ({NOTIFY_RULE})"
        )
    return None


class PlatformHandler:
    """``handler(effect, case)`` for :func:`~aftersales.casebook.run_worker`, bound to a
    casebook and a platform client. :data:`handler` is an unbound one: the worker
    binds it (:meth:`bind_casebook`) to its casebook and clock."""

    def __init__(
        self,
        book: Casebook | None = None,
        client: TopClient | None = None,
        *,
        shop: ShopInfo | None = None,
        channel: Channel = "sms",
        locale: str = "zh_CN",
        shop_templates: Path | None = None,
        window: _dt.timedelta = NOTIFY_WINDOW,
        now: Callable[[], _dt.datetime] | None = None,
    ) -> None:
        self.book = book
        self.client = client
        self.shop = shop
        self.window = window
        self.env = environment(channel=channel, locale=locale, shop_templates=shop_templates)
        self._now = now

    def bind_casebook(
        self,
        book: Casebook,
        *,
        now: Callable[[], _dt.datetime] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> PlatformHandler:
        """A handler for ``book``: the connection from ``AFTERSALES_TOP_*``, the shop
        from ``AFTERSALES_SHOP`` (its shop.toml). :class:`ConfigurationMissing` names
        what is missing."""
        env = os.environ if environ is None else environ
        named = env.get(SHOP_VARIABLE, "").strip()
        if not named:
            raise ConfigurationMissing(
                f"set {SHOP_VARIABLE} to the shop's shop.toml: the buyer's notifications "
                "name the shop (its name, hours and return address)"
            )
        settings = read_settings(Path(named)).with_env(env)
        try:
            shop = read_shop(Path(named))
        except InvalidInput as exc:
            raise ConfigurationMissing(f"{SHOP_VARIABLE}: {exc}") from None
        client = TopClient(settings.config(env))
        window = settings.notify_window
        return PlatformHandler(book, client, shop=shop, window=window, now=now or self._now)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    def __enter__(self) -> PlatformHandler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _clock(self) -> _dt.datetime:
        if self._now is not None:
            return self._now()
        return pendulum.now("Asia/Shanghai")  # noqa: TID251  (the worker's shell reads it)

    def __call__(self, effect: Effect, case: Case) -> str:
        if not isinstance(effect, NotifyBuyer):
            return ""  # nothing to do on the platform
        if self.book is None or self.client is None or self.shop is None:
            raise ConfigurationMissing(
                "aftersales.platform.handler is not bound to a casebook: the worker binds "
                "it (`aftersales worker --handler aftersales.platform:handler`), or call "
                "handler.bind_casebook(book)"
            )
        now = self._clock()
        stale = why_stale(effect, case, now, self.window)
        if stale is not None:
            return f"not sent: {stale}"
        book, at = self.book, pendulum.instance(now)
        shop = self.shop
        (rendered,) = messages_for([effect], case, book.policy, env=self.env, shop=shop, now=at)
        about = {"template": effect.template, "rule": effect.rule}
        try:
            result = notify(book, self.client, case.id, text=rendered.text, about=about, at=at)
        except ActionRefused as exc:
            raise EffectNotSent(f"refused by the rules: {exc}") from None
        said = f"{effect.template} (action {result.action_id}): {result.detail}"
        if result.status == "done":
            return f"sent: {said}"
        if result.status == "unknown":
            raise OutcomeUnknown(said)
        raise EffectNotSent(said)


#: The worker's platform handler (unbound; ``aftersales worker`` binds it).
handler = PlatformHandler()
