"""Messages: templates for every effect, both locales and channels, the sandbox,
the REV-NO-INDUCE lint, the filters and the render CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pendulum
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales import (
    AfterSalesError,
    BuyerShippedReturn,
    Case,
    EvidenceSubmitted,
    InterventionRequested,
    Kind,
    Money,
    NotifyBuyer,
    Policy,
    SellerRefused,
    SellerResent,
    SellerResolved,
    advance,
    open_case,
    preset,
    step,
)
from aftersales.cli._render import lint_templates_command, render_command
from aftersales.core import WORKFLOWS, case_to_json
from aftersales.messages import (
    CHANNELS,
    LOCALES,
    PACKAGE_TEMPLATES,
    REMINDERS,
    MessageTooLong,
    MissingTranslationWarning,
    ReturnAddress,
    ShopInfo,
    TemplateError,
    TemplateSecurityError,
    TemplateUndefinedError,
    context_for,
    environment,
    format_date,
    format_datetime,
    format_money,
    format_time_left,
    lint_templates,
    messages_for,
    reminders_due,
    shipped_templates,
    shop_from_dict,
    sms_segments,
    step_context,
)
from aftersales.reviews._followup import TEMPLATES as REVIEW_TEMPLATES
from aftersales.reviews._followup import follow_up_plan, open_follow_up, review_from_dict
from aftersales.testing.strategies import case_histories

from .helpers import request, sh

GOLDEN = Path(__file__).parent / "golden" / "messages"
SRC = Path(__file__).parent.parent / "src" / "aftersales" / "core"
POLICY = preset("taobao")
SHOP = ShopInfo(
    name="小林家居旗舰店",
    signature="小林家居",
    contact_hours="9:00–23:00",
    return_address=ReturnAddress(
        recipient="小林家居售后部",
        phone="0571-88886666",
        address="浙江省杭州市余杭区仓前街道文一西路 1001 号 2 号仓",
    ),
)
SLOW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def env_for(locale: str = "zh_CN", channel: str = "chat", **kw: Any) -> Any:
    return environment(locale=locale, channel="sms" if channel == "sms" else "chat", **kw)


def shop_folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


# -- which templates exist --------------------------------------------------------------


def test_declared_templates_cover_every_notify_in_the_sources() -> None:
    """Every NotifyBuyer("...") literal in the engine and tables is declared as data."""
    declared = set().union(*(w.templates for w in WORKFLOWS.values()))
    literals = set()
    for name in ("_workflows.py", "_engine.py"):
        literals |= set(re.findall(r'NotifyBuyer\(\s*"([^"]+)"', (SRC / name).read_text("utf-8")))
    assert literals
    assert literals == declared


@SLOW
@given(case_histories())
def test_emitted_templates_are_declared_by_their_workflow(
    history: tuple[Policy, Any, list[Any]],
) -> None:
    policy, opening, events = history
    case, effects = open_case(opening, policy)
    emitted = [e.template for e in effects if isinstance(e, NotifyBuyer)]
    for event in events:
        try:
            case, effects = step(case, event, policy)
        except AfterSalesError:
            continue
        emitted += [e.template for e in effects if isinstance(e, NotifyBuyer)]
    assert set(emitted) <= WORKFLOWS[case.kind].templates


def test_every_shipped_template_has_both_locales_and_both_channels() -> None:
    names = shipped_templates()
    assert set(REVIEW_TEMPLATES.values()) <= names
    assert {"shipping/late_apology.txt", "malicious/evidence_contact.txt"} <= names
    assert set(REMINDERS.values()) <= names
    for name in names:
        stem, ext = name.rsplit(".", 1)
        for locale in LOCALES:
            assert (PACKAGE_TEMPLATES / locale / name).is_file(), (locale, name)
            assert (PACKAGE_TEMPLATES / locale / f"{stem}.sms.{ext}").is_file(), (locale, name)
    on_disk = {
        p.relative_to(PACKAGE_TEMPLATES / "zh_CN").as_posix().replace(".sms.", ".")
        for p in (PACKAGE_TEMPLATES / "zh_CN").rglob("*.txt")
    }
    assert on_disk == names


# -- rendering every template from generated contexts ----------------------------------

_CASE_TEMPLATES = sorted(
    set().union(*(w.templates for w in WORKFLOWS.values()))
    | set(REMINDERS.values())
    | {"refund/agreed.txt", "quality/photos_request.txt"}
)


@SLOW
@given(
    history=case_histories(max_events=8),
    locale=st.sampled_from(LOCALES),
    channel=st.sampled_from(CHANNELS),
    hours=st.integers(0, 24 * 20),
)
def test_case_templates_render_from_any_case(
    history: tuple[Policy, Any, list[Any]], locale: str, channel: str, hours: int
) -> None:
    policy, opening, events = history
    case, _ = open_case(opening, policy)
    for event in events:
        try:
            case, _ = step(case, event, policy)
        except AfterSalesError:
            continue
    env = env_for(locale, channel)
    context = context_for(case, policy, shop=SHOP, now=case.changed_at.add(hours=hours))
    for name in _CASE_TEMPLATES:
        text = env.render(name, {**context, "rule": "PRE-APPLY"})
        assert text.strip()
        assert "None" not in text
        assert case.order.id in text or name.startswith("review/")


_IDS = st.text("0123456789", min_size=10, max_size=19).filter(lambda s: s[0] != "0")
_TEXT = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), min_size=1, max_size=30
).filter(str.strip)
_MONEY = st.integers(1, 99_999_99).map(Money.from_fen)
_INSTANT = st.integers(0, 600 * 86400).map(
    lambda s: pendulum.datetime(2025, 1, 1, tz="Asia/Shanghai").add(seconds=s)
)


@SLOW
@given(
    order_id=_IDS,
    ship_by=_INSTANT,
    compensation=st.one_of(st.just(Money.ZERO), _MONEY),
    locale=st.sampled_from(LOCALES),
    channel=st.sampled_from(CHANNELS),
)
def test_shipping_and_malicious_templates_render(
    order_id: str, ship_by: pendulum.DateTime, compensation: Money, locale: str, channel: str
) -> None:
    env = env_for(locale, channel)
    late = env.render(
        "shipping/late_apology.txt",
        {"order_id": order_id, "ship_by": ship_by, "compensation": compensation, "shop": SHOP},
    )
    assert order_id in late
    assert (format_money(compensation, locale=locale) in late) == bool(compensation)
    contact = env.render("malicious/evidence_contact.txt", {"order_id": order_id, "shop": SHOP})
    assert order_id in contact


@SLOW
@given(
    nick=_TEXT,
    title=_TEXT,
    content=_TEXT,
    price=st.integers(1, 5000_00).map(Money.from_fen),
    result=st.sampled_from(["bad", "neutral"]),
    locale=st.sampled_from(LOCALES),
    channel=st.sampled_from(CHANNELS),
)
def test_review_templates_render_from_plan_steps(
    nick: str, title: str, content: str, price: Money, result: str, locale: str, channel: str
) -> None:
    review = review_from_dict(
        {
            "tid": "4012345678901234567",
            "oid": "4012345678901234568",
            "nick": nick,
            "result": result,
            "created": "2026-03-02 21:47:13",
            "item_title": title,
            "item_price": str(price),
            "content": content,
        }
    )
    plan = follow_up_plan(open_follow_up(review, POLICY), POLICY)
    env = env_for(locale, channel)
    for plan_step in plan.steps:
        assert env.render(plan_step.template, step_context(plan_step, shop=SHOP)).strip()


def test_a_cheap_items_plan_uses_every_review_template() -> None:
    review = review_from_dict(
        {
            "tid": "4012345678901234567",
            "oid": "4012345678901234568",
            "nick": "t**_8",
            "result": "bad",
            "created": "2026-03-02 21:47:13",
            "item_title": "陶瓷马克杯",
            "item_price": "19.90",
            "content": "杯口有裂缝，倒热水就渗出来",
        }
    )
    plan = follow_up_plan(open_follow_up(review, POLICY), POLICY)
    assert {s.template for s in plan.steps} == set(REVIEW_TEMPLATES.values())


# -- golden texts -----------------------------------------------------------------------


def _return_case() -> tuple[Case, tuple[Any, ...]]:
    opening = request(
        Kind.RETURN_AND_REFUND,
        "2026-03-02 10:00",
        amount="129.00",
        paid="129.00",
        shipped="2026-02-26 16:40",
        signed="2026-02-27 11:05",
    )
    return open_case(opening, POLICY)


def _golden_cases() -> dict[str, Callable[[], tuple[Case, tuple[Any, ...], pendulum.DateTime]]]:
    def received() -> tuple[Case, tuple[Any, ...], pendulum.DateTime]:
        case, effects = _return_case()
        return case, effects, case.changed_at

    def agreed() -> tuple[Case, tuple[Any, ...], pendulum.DateTime]:
        case, _ = _return_case()
        case, effects = advance(case, sh("2026-03-07 12:00"), POLICY)  # auto-agreed 10:00
        return case, effects, sh("2026-03-08 09:30")

    def refused() -> tuple[Case, tuple[Any, ...], pendulum.DateTime]:
        case, _ = _return_case()
        refusal = SellerRefused(
            id="e1", at=sh("2026-03-03 15:00"), reason="商品吊牌已剪，影响二次销售"
        )
        case, effects = step(case, refusal, POLICY)
        return case, effects, case.changed_at

    def done() -> tuple[Case, tuple[Any, ...], pendulum.DateTime]:
        case, _ = _return_case()
        case, _ = advance(case, sh("2026-03-07 12:00"), POLICY)
        shipped = BuyerShippedReturn(
            id="e1", at=sh("2026-03-08 09:00"), carrier="中通快递", tracking="78912345678901"
        )
        case, _ = step(case, shipped, POLICY)
        case, effects = advance(case, sh("2026-03-19 00:00"), POLICY)
        return case, effects, case.changed_at

    def evidence() -> tuple[Case, tuple[Any, ...], pendulum.DateTime]:
        case, _, _ = refused()
        asked = InterventionRequested(id="e2", at=sh("2026-03-04 09:00"))
        case, effects = step(case, asked, POLICY)
        return case, effects, sh("2026-03-05 09:00")

    def resent() -> tuple[Case, tuple[Any, ...], pendulum.DateTime]:
        opening = request(
            Kind.EXCHANGE, "2026-03-02 10:00", shipped="2026-02-26 16:40", signed="2026-02-27 11:05"
        )
        case, _ = open_case(opening, POLICY)
        case, _ = advance(case, sh("2026-03-07 12:00"), POLICY)
        case, _ = step(
            case,
            BuyerShippedReturn(id="e1", at=sh("2026-03-08 09:00"), carrier="圆通", tracking="YT1"),
            POLICY,
        )
        case, effects = step(
            case,
            SellerResent(
                id="e2", at=sh("2026-03-10 14:00"), carrier="顺丰速运", tracking="SF1234567890"
            ),
            POLICY,
        )
        return case, effects, case.changed_at

    def discount() -> tuple[Case, tuple[Any, ...], pendulum.DateTime]:
        opening = request(
            Kind.QUALITY_CLAIM,
            "2026-03-01 10:00",
            amount="59.00",
            paid="59.00",
            shipped="2026-02-26 16:40",
            signed="2026-02-28 11:05",
        )
        case, _ = open_case(opening, POLICY)
        photos = EvidenceSubmitted(id="e0", at=sh("2026-03-01 12:00"), party="buyer", note="裂缝")
        case, _ = step(case, photos, POLICY)
        resolved = SellerResolved(
            id="e1", at=sh("2026-03-01 15:00"), remedy="discount", amount="15.00"
        )
        case, effects = step(case, resolved, POLICY)
        return case, effects, case.changed_at

    return {
        "received": received,
        "agreed": agreed,
        "refused": refused,
        "done": done,
        "evidence": evidence,
        "resent": resent,
        "discount": discount,
    }


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", sorted(_golden_cases()))
def test_golden_messages(name: str, locale: str, channel: str) -> None:
    case, effects, now = _golden_cases()[name]()
    messages = messages_for(effects, case, POLICY, env=env_for(locale, channel), shop=SHOP, now=now)
    assert messages, f"{name}: no NotifyBuyer among {effects}"
    text = "\n\n".join(f"# {m.template} ({m.rule})\n{m.text}" for m in messages) + "\n"
    golden = GOLDEN / locale / f"{name}.{channel}.txt"
    if os.environ.get("AFTERSALES_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


# -- strictness and errors ---------------------------------------------------------------


def test_an_undefined_variable_fails_loudly_naming_it(tmp_path: Path) -> None:
    folder = shop_folder(tmp_path, {"zh_CN/custom/hello.txt": "亲，您好！\n订单 {{ order_idd }}"})
    env = environment(shop_templates=folder)
    with pytest.raises(TemplateUndefinedError) as caught:
        env.render("custom/hello.txt", {"order_id": "1", "shop": SHOP})
    error = caught.value
    assert error.variable == "order_idd"
    assert error.template == "zh_CN/custom/hello.txt"
    assert error.line == 2
    assert "order_idd" in str(error)
    assert isinstance(error, AfterSalesError)


def test_a_missing_attribute_names_it(tmp_path: Path) -> None:
    folder = shop_folder(tmp_path, {"zh_CN/custom/a.txt": "{{ shop.fax }}"})
    with pytest.raises(TemplateUndefinedError, match="fax") as caught:
        environment(shop_templates=folder).render("custom/a.txt", {"shop": SHOP})
    assert caught.value.line == 1


def test_a_syntax_error_names_template_and_line(tmp_path: Path) -> None:
    folder = shop_folder(tmp_path, {"zh_CN/custom/bad.txt": "第一行\n第二行\n{% if %}\n"})
    with pytest.raises(TemplateError) as caught:
        environment(shop_templates=folder).render("custom/bad.txt", {"shop": SHOP})
    assert caught.value.template == "zh_CN/custom/bad.txt"
    assert caught.value.line == 3
    assert "syntax error" in caught.value.reason


def test_printing_none_is_an_error_not_a_hole(tmp_path: Path) -> None:
    folder = shop_folder(tmp_path, {"zh_CN/custom/n.txt": "原因：{{ refusal_reason }}"})
    with pytest.raises(TemplateError, match="None"):
        environment(shop_templates=folder).render("custom/n.txt", {"refusal_reason": None})


def test_an_unknown_template_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="no such template"):
        environment().render("refund/nope.txt", {"shop": SHOP})


@pytest.mark.parametrize("name", ["/etc/passwd", "../secrets.txt", "a/../../b.txt", ""])
def test_template_names_cannot_escape(name: str) -> None:
    with pytest.raises(AfterSalesError):
        environment().render(name, {"shop": SHOP})


@pytest.mark.parametrize(
    "attempt",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ joiner.__init__.__globals__.os }}",
        "{{ [].append(1) }}",
        "{{ {}.update(a=1) }}",
        "{% set d = dict() %}{{ d.setdefault('a', 1) }}",
        "{% set ns = namespace() %}{{ ns.__class__.__init__ }}",
        "{% set ns = namespace() %}{% set ns.__class__ = 1 %}x",
        "{{ self._TemplateReference__context }}",
        "{{ range.__func__.__globals__ }}",
        "{{ '{0.__class__}'.format(1) }}",
        "{% for c in ''.__class__.__base__.__subclasses__() %}{% endfor %}",
        "{{ shop.__class__.__init__.__globals__ }}",
        "{{ case.__attrs_attrs__ }}",
    ],
)
def test_template_injection_is_contained(tmp_path: Path, attempt: str) -> None:
    folder = shop_folder(tmp_path, {"zh_CN/custom/evil.txt": f"亲，您好\n{attempt}\n"})
    case, _ = _return_case()
    context = context_for(case, POLICY, shop=SHOP)
    with pytest.raises(TemplateSecurityError) as caught:
        environment(shop_templates=folder).render("custom/evil.txt", context)
    assert caught.value.template == "zh_CN/custom/evil.txt"
    assert caught.value.line == 2


# -- overrides, locales, channels --------------------------------------------------------


def test_a_shop_template_overrides_the_shipped_one(tmp_path: Path) -> None:
    folder = shop_folder(tmp_path, {"zh_CN/refund/done.txt": "退款 {{ refunded|money }} 已到账～"})
    case, _ = _return_case()
    context = context_for(case, POLICY, shop=SHOP)
    assert environment(shop_templates=folder).render("refund/done.txt", context) == (
        "退款 ¥0.00 已到账～"
    )
    # the shop overrode only that file: the en text and the SMS variant are still shipped
    assert "refund" in environment(shop_templates=folder, locale="en").render(
        "refund/done.txt", context
    )


def test_a_missing_translation_falls_back_to_zh_cn_with_a_warning(tmp_path: Path) -> None:
    folder = shop_folder(tmp_path, {"zh_CN/custom/only.txt": "亲，订单 {{ order_id }} 已处理。"})
    env = environment(shop_templates=folder, locale="en")
    with pytest.warns(MissingTranslationWarning, match="custom/only.txt"):
        text = env.render("custom/only.txt", {"order_id": "42", "shop": SHOP})
    assert text == "亲，订单 42 已处理。"


def test_sms_uses_its_variant_and_appends_the_signature() -> None:
    case, _ = _return_case()
    context = context_for(case, POLICY, shop=SHOP)
    text = environment(channel="sms").render("refund/received.txt", context)
    assert text.endswith("【小林家居】")
    assert "\n" not in text
    assert sms_segments(text) == 1


def test_sms_falls_back_to_the_chat_text_and_checks_its_length(tmp_path: Path) -> None:
    folder = shop_folder(
        tmp_path,
        {
            "zh_CN/custom/short.txt": "订单{{ order_id }}已发货。",
            "zh_CN/custom/long.txt": "长" * 140,
        },
    )
    env = environment(shop_templates=folder, channel="sms")
    assert env.render("custom/short.txt", {"order_id": "1", "shop": SHOP}) == (
        "订单1已发货。【小林家居】"
    )
    with pytest.raises(MessageTooLong) as caught:
        env.render("custom/long.txt", {"shop": SHOP})
    assert caught.value.channel == "sms"
    assert caught.value.length == 3
    assert caught.value.limit == 2


def test_chat_length_is_checked(tmp_path: Path) -> None:
    loop = "{% for i in range(30) %}您好{% endfor %}"
    folder = shop_folder(tmp_path, {"zh_CN/custom/x.txt": loop})
    env = environment(shop_templates=folder, chat_limit=50)
    with pytest.raises(MessageTooLong, match="60 characters"):
        env.render("custom/x.txt", {})


def test_sms_needs_a_shop_for_its_signature(tmp_path: Path) -> None:
    folder = shop_folder(tmp_path, {"zh_CN/custom/s.txt": "您好"})
    with pytest.raises(TemplateError, match="signature"):
        environment(shop_templates=folder, channel="sms").render("custom/s.txt", {})


def test_sms_segments_count_ucs2_units() -> None:
    assert sms_segments("字" * 70) == 1
    assert sms_segments("字" * 71) == 2
    assert sms_segments("字" * 134) == 2
    assert sms_segments("字" * 135) == 3
    assert sms_segments("😀" * 35) == 1  # two UTF-16 units each
    assert sms_segments("😀" * 36) == 2


@pytest.mark.parametrize(
    "kwargs", [{"locale": "fr"}, {"channel": "email"}, {"chat_limit": 0}, {"sms_max_segments": 0}]
)
def test_bad_environment_settings_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(AfterSalesError):
        environment(**kwargs)


def test_shop_info_from_json_and_its_checks() -> None:
    shop = shop_from_dict(
        {
            "name": "小林家居旗舰店",
            "contact_hours": "9:00–23:00",
            "return_address": {"recipient": "售后", "phone": "1", "address": "杭州"},
        }
    )
    assert shop.sms_signature == "小林家居旗舰店"
    with pytest.raises(AfterSalesError, match="brackets"):
        ShopInfo(name="a", contact_hours="b", return_address=SHOP.return_address, signature="【a】")
    with pytest.raises(AfterSalesError, match="unknown fields"):
        shop_from_dict({"name": "a", "contact_hours": "b", "fax": 1, "return_address": {}})


# -- filters -------------------------------------------------------------------------------


def test_money_filter() -> None:
    assert format_money(Money("59"), locale="zh_CN") == "¥59.00"
    assert format_money("1259.5", locale="zh_CN") == "¥1,259.50"
    assert format_money(Money("59"), locale="en") == "CN¥59.00"
    with pytest.raises(AfterSalesError):
        format_money(59.0, locale="en")  # type: ignore[arg-type]


def test_datetime_and_date_filters_show_shanghai_time() -> None:
    at = pendulum.datetime(2026, 3, 7, 2, tz="UTC")  # 10:00 in Shanghai
    assert format_datetime(at, locale="zh_CN") == "2026年3月7日 10:00"
    assert format_datetime(at, locale="en") == "Mar 7, 2026, 10:00\u202fAM"
    assert format_date(at, locale="zh_CN") == "2026年3月7日"
    assert format_date("2026-03-07T10:00:00+08:00", locale="en") == "Mar 7, 2026"
    assert format_datetime(at, "full", locale="zh_CN").startswith("2026年3月7日星期六")
    with pytest.raises(AfterSalesError):
        format_datetime(dt.datetime(2026, 3, 7, 10), locale="zh_CN")  # noqa: DTZ001


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [
        (27 * 3600 + 59 * 60, "还剩1天3小时", "1 day 3 hours left"),
        (2 * 86400, "还剩2天", "2 days left"),
        (5 * 3600 + 30 * 60, "还剩5小时30分钟", "5 hours 30 minutes left"),
        (45 * 60 + 59, "还剩45分钟", "45 minutes left"),
        (30, "还剩不到1分钟", "less than a minute left"),
        (0, "已到期", "time is up"),
        (-60, "已到期", "time is up"),
    ],
)
def test_time_left(seconds: int, zh: str, en: str) -> None:
    now = sh("2026-03-02 10:00")
    due = now.add(seconds=seconds)
    assert format_time_left(due, now, locale="zh_CN") == zh
    assert format_time_left(due, now, locale="en") == en


def test_filters_inside_templates_follow_the_environment_locale(tmp_path: Path) -> None:
    text = "{{ amount|money }} {{ at|date }} {{ at|time_left(now) }}"
    folder = shop_folder(tmp_path, {"zh_CN/custom/f.txt": text, "en/custom/f.txt": text})
    context = {"amount": "5.00", "at": "2026-03-03T12:00:00+08:00", "now": sh("2026-03-02 10:00")}
    assert environment(shop_templates=folder).render("custom/f.txt", context) == (
        "¥5.00 2026年3月3日 还剩1天2小时"
    )
    assert environment(shop_templates=folder, locale="en").render("custom/f.txt", context) == (
        "CN¥5.00 Mar 3, 2026 1 day 2 hours left"
    )


# -- reminders -----------------------------------------------------------------------------


def test_reminders_due_for_the_buyers_return_shipment() -> None:
    case, _ = _return_case()
    assert list(reminders_due(case, case.changed_at, dt.timedelta(days=30))) == []  # seller's
    case, _ = advance(case, sh("2026-03-07 12:00"), POLICY)
    assert case.deadline is not None
    due = case.deadline.due
    assert list(reminders_due(case, due.subtract(days=2), dt.timedelta(days=1))) == []
    (reminder,) = reminders_due(case, due.subtract(hours=20), dt.timedelta(days=1))
    assert reminder.template == "return/reminder_ship.txt"
    assert reminder.rule == case.deadline.rule
    assert list(reminders_due(case, due, dt.timedelta(days=1))) == []  # already run out
    text = environment().render(
        reminder.template, context_for(case, POLICY, shop=SHOP, now=due.subtract(hours=20))
    )
    assert "还剩20小时" in text


def test_every_reminder_deadline_waits_on_the_buyer() -> None:
    names = {
        timer.name: timer.waits_for.value
        for workflow in WORKFLOWS.values()
        for timer in workflow.timers.values()
    }
    assert {names[n] for n in REMINDERS} <= {"buyer", "both"}


# -- the REV-NO-INDUCE lint ----------------------------------------------------------------

_INDUCING = [
    "亲，改好评返现5元哦",
    "好评返现，五星好评送运费险",
    "追评送小礼品",
    "删除差评后我们给您发红包",
    "麻烦您修改一下评价，我们马上退款",
    "红包已发，麻烦您改成好评",
    "If you change your review to 5 stars we will send you a coupon.",
    "Update your review and get a refund today!",
    "We will send you a gift once you delete your review.",
    "Cash back for a five-star review.",
]


@pytest.mark.parametrize("line", _INDUCING)
def test_lint_flags_inducement_in_both_languages(tmp_path: Path, line: str) -> None:
    folder = shop_folder(tmp_path, {"zh_CN/review/offer.txt": f"{{{{ nick }}}}您好\n{line}\n"})
    (finding,) = lint_templates(folder)
    assert finding.template == "zh_CN/review/offer.txt"
    assert finding.line == 2
    assert finding.rule == "REV-NO-INDUCE"
    assert finding.text in line


def test_lint_passes_the_shipped_templates_and_lints_the_shops_too(tmp_path: Path) -> None:
    assert lint_templates(environment()) == []
    folder = shop_folder(tmp_path, {"en/review/ask_update.txt": "Update your review for a coupon"})
    findings = lint_templates(environment(shop_templates=folder))
    assert [f.template for f in findings] == ["en/review/ask_update.txt"]


# -- the CLI -------------------------------------------------------------------------------

SCENARIO = Path(__file__).parent.parent / "examples" / "scenarios" / "return-seller-silent.json"


def test_cli_renders_a_scenario_in_both_locales() -> None:
    runner = CliRunner()
    result = runner.invoke(render_command, ["refund/done.txt", "--case", str(SCENARIO)])
    assert result.exit_code == 0, result.output
    assert "¥129.00" in result.output
    result = runner.invoke(
        render_command,
        ["refund/done.txt", "--case", str(SCENARIO), "--locale", "en", "--channel", "sms"],
    )
    assert result.exit_code == 0, result.output
    assert "CN¥129.00" in result.output
    assert "【示例旗舰店】" in result.output


def test_cli_renders_a_stored_case_with_shop_and_context(tmp_path: Path) -> None:
    case, _ = _return_case()
    case_file = tmp_path / "case.json"
    case_file.write_text(case_to_json(case), encoding="utf-8")
    shop_file = tmp_path / "shop.json"
    shop_file.write_text(
        json.dumps(
            {
                "name": "小林家居旗舰店",
                "signature": "小林家居",
                "contact_hours": "9:00–23:00",
                "return_address": {"recipient": "售后部", "phone": "0571-1", "address": "杭州"},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    extra = tmp_path / "late.json"
    extra.write_text(
        json.dumps({"ship_by": "2026-03-01T16:00:00+08:00", "compensation": "5.00"}),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        render_command,
        [
            "shipping/late_apology.txt",
            "--case",
            str(case_file),
            "--context",
            str(extra),
            "--shop",
            str(shop_file),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "4000000000000000001" in result.output
    assert "¥5.00" in result.output
    assert "2026年3月1日 16:00" in result.output


def test_cli_reports_a_template_error_with_line_and_reason(tmp_path: Path) -> None:
    folder = shop_folder(tmp_path, {"zh_CN/refund/done.txt": "您好\n{{ refundd|money }}\n"})
    result = CliRunner().invoke(
        render_command, ["refund/done.txt", "--case", str(SCENARIO), "--templates", str(folder)]
    )
    assert result.exit_code == 1
    assert "zh_CN/refund/done.txt, line 2" in result.output
    assert "refundd" in result.output


def test_cli_warns_on_a_missing_translation(tmp_path: Path) -> None:
    folder = shop_folder(tmp_path, {"zh_CN/custom/x.txt": "订单 {{ order_id }}"})
    result = CliRunner().invoke(
        render_command,
        ["custom/x.txt", "--case", str(SCENARIO), "--templates", str(folder), "--locale", "en"],
    )
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output
    assert "订单 4012345678901234568" in result.output


def test_cli_needs_a_case_or_a_context() -> None:
    assert CliRunner().invoke(render_command, ["refund/done.txt"]).exit_code == 2


def test_cli_lint_templates(tmp_path: Path) -> None:
    runner = CliRunner()
    clean = runner.invoke(lint_templates_command, [])
    assert clean.exit_code == 0, clean.output
    folder = shop_folder(tmp_path, {"zh_CN/review/x.txt": "亲，好评返现3元"})
    flagged = runner.invoke(lint_templates_command, [str(folder)])
    assert flagged.exit_code == 1
    assert "zh_CN/review/x.txt:1: REV-NO-INDUCE" in flagged.output
