"""The worker's platform handler: current notifications left on the refund, over real HTTP."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from aftersales.casebook import Casebook, EffectNotSent, OutcomeUnknown
from aftersales.cli._casebook import worker_command
from aftersales.core._effects import NotifyBuyer
from aftersales.messages import EXAMPLE_SHOP
from aftersales.platform import PlatformHandler, handler, refuse, sync, why_stale
from aftersales.platform._errors import ConfigurationMissing
from aftersales.testing import FakeGateway

from .test_platform_act import (
    ROOT,
    SINCE,
    UNTIL,
    _at,
    _client,
    _waiting,
    serve_refunds,
    synced_book,
)

REFUSED = NotifyBuyer("refund/refused.txt", "RET-REFUSE")
SHOP = ROOT / "examples" / "shop" / "shop.toml"


gateway = pytest.fixture(serve_refunds, name="gateway")
book = pytest.fixture(synced_book, name="book")


def _refused(book: Casebook, gateway: FakeGateway) -> tuple[str, _dt.datetime]:
    """A case the seller has just refused (through the platform): its notification is new."""
    case = _waiting(book, gateway)
    with _client(gateway) as client:
        assert refuse(book, client, case.id, text="不同意退款", at=_at(case)).status == "done"
    gateway.writes.clear()
    gateway.calls.clear()
    return case.id, _at(case)


def _handler(book: Casebook, gateway: FakeGateway, at: _dt.datetime) -> PlatformHandler:
    return PlatformHandler(book, _client(gateway), shop=EXAMPLE_SHOP, now=lambda: at)


def test_a_current_notification_is_left_on_the_refund_through_the_action_record(
    gateway: FakeGateway, book: Casebook
) -> None:
    refund_id, at = _refused(book, gateway)
    with _handler(book, gateway, at + _dt.timedelta(minutes=5)) as handle:
        said = handle(REFUSED, book.case(refund_id))
    assert said.startswith("sent: refund/refused.txt")
    (write,) = gateway.writes
    assert write.method == "taobao.refund.message.add"
    assert write.params["refund_id"] == refund_id
    assert 2 <= len(write.params["content"]) <= 200
    (action,) = book.actions("done", refund_id=refund_id)[-1:]
    assert action["kind"] == "notify"
    assert action["template"] == "refund/refused.txt"


def test_a_stale_notification_is_not_sent(gateway: FakeGateway, book: Casebook) -> None:
    refund_id, at = _refused(book, gateway)
    case = book.case(refund_id)
    late = at + _dt.timedelta(hours=2)
    assert "SVC-5MIN" in (why_stale(REFUSED, case, late) or "")
    received = NotifyBuyer("refund/received.txt", "PRE-APPLY")
    assert "moved on to SELLER_REFUSE_BUYER" in (why_stale(received, case, at) or "")
    assert why_stale(REFUSED, case, at + _dt.timedelta(minutes=59)) is None
    with _handler(book, gateway, late) as handle:
        said = handle(REFUSED, case)
    assert said.startswith("not sent: ")
    assert gateway.calls == []


def test_a_lost_answer_is_parked_unknown_and_a_refusal_not_sent(
    gateway: FakeGateway, book: Casebook
) -> None:
    refund_id, at = _refused(book, gateway)
    gateway.inject("lost_answer")
    with _handler(book, gateway, at) as handle, pytest.raises(OutcomeUnknown):
        handle(REFUSED, book.case(refund_id))
    assert book.actions("unknown", refund_id=refund_id)[0]["kind"] == "notify"
    other, other_at = _refused(book, gateway)
    gateway.message_fails = {other}
    with _handler(book, gateway, other_at) as handle, pytest.raises(EffectNotSent, match="留言"):
        handle(REFUSED, book.case(other))
    assert book.actions("refused", refund_id=other)[0]["kind"] == "notify"


def test_the_unbound_handler_says_how_to_bind_it(book: Casebook) -> None:
    with pytest.raises(ConfigurationMissing, match="bind"):
        handler(REFUSED, next(iter(book.cases())))
    with pytest.raises(ConfigurationMissing, match="AFTERSALES_SHOP"):
        handler.bind_casebook(book, environ={})


def test_the_worker_runs_the_platform_handler(gateway: FakeGateway, tmp_path: Path) -> None:
    db = tmp_path / "shop.sqlite"
    with Casebook.open(str(db)) as opened, _client(gateway) as client:
        sync(opened, client, since=SINCE, until=UNTIL)
        refund_id, at = _refused(opened, gateway)
    env = {**gateway.environment(), "AFTERSALES_SHOP": str(SHOP)}
    args = ["--casebook", str(db), "--handler", "aftersales.platform:handler", "--once"]
    ran = CliRunner().invoke(
        worker_command, [*args, "--at", (at + _dt.timedelta(minutes=3)).isoformat()], env=env
    )
    assert ran.exit_code == 0, ran.output
    sent = [w.params["refund_id"] for w in gateway.writes]
    assert refund_id in sent
    with Casebook.open(str(db)) as opened:
        notes = [e.note for e in opened.outbox("done") if isinstance(e.effect, NotifyBuyer)]
        assert sum(n.startswith("sent: ") for n in notes) == len(sent)
        assert sum(n.startswith("not sent: ") for n in notes) > 100  # the synced history
    assert gateway.session not in ran.output
    missing = CliRunner().invoke(worker_command, args, env=gateway.environment())
    assert missing.exit_code == 2
    assert "AFTERSALES_SHOP" in missing.output
