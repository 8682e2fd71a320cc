"""shop.toml's ``[taobao]`` table: non-secret settings, the environment over them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks import exports
from click.testing import CliRunner

from aftersales.casebook import Casebook
from aftersales.cli._platform import sync_command
from aftersales.messages import read_shop
from aftersales.platform import (
    SecretInShopFile,
    TaobaoSettings,
    read_settings,
    settings_from,
    sync,
)
from aftersales.platform._errors import ConfigurationMissing
from aftersales.testing import FakeGateway

from .test_platform_act import ROOT, SINCE, UNTIL, _act, _at, _client, _waiting

SHOP = (ROOT / "examples" / "shop" / "shop.toml").read_text(encoding="utf-8")


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    with FakeGateway(refunds=list(exports.records(120, 11))) as gw:
        yield gw


def _shop(tmp_path: Path, taobao: str) -> Path:
    path = tmp_path / "shop.toml"
    path.write_text(f"{SHOP}\n[taobao]\n{taobao}\n", encoding="utf-8")
    return path


def _secretless(gw: FakeGateway) -> dict[str, str]:
    return {
        "AFTERSALES_TOP_APP_SECRET": gw.app_secret,
        "AFTERSALES_TOP_SESSION": gw.session,
    }


def test_the_file_names_the_gateway_sign_method_and_tmall_and_the_environment_wins(
    gateway: FakeGateway, tmp_path: Path
) -> None:
    shop = _shop(
        tmp_path,
        f'gateway = "{gateway.url}"\napp_key = "{gateway.app_key}"\n'
        'sign_method = "hmac-sha256"\ntmall = true\nsync_margin_minutes = 5',
    )
    db = tmp_path / "shop.sqlite"
    args = ["--casebook", str(db), "--since", "2025-12-01", "--until", "2026-06-01"]
    ran = CliRunner().invoke(sync_command, [*args, "--shop", str(shop)], env=_secretless(gateway))
    assert ran.exit_code in (0, 1), ran.output
    methods = {c.received.get("sign_method") for c in gateway.calls}
    assert methods == {"hmac-sha256"}
    assert any(c.method == "tmall.dispute.receive.get" for c in gateway.calls)  # tmall = true
    gateway.calls.clear()
    env = {
        **_secretless(gateway),
        "AFTERSALES_SHOP": str(shop),
        "AFTERSALES_TOP_SIGN_METHOD": "md5",
    }
    again = CliRunner().invoke(sync_command, ["--casebook", str(db)], env=env)
    assert again.exit_code in (0, 1), again.output
    assert {c.received.get("sign_method") for c in gateway.calls} == {"md5"}
    assert read_shop(shop).name == "小林家居"  # the message side reads the same file


def test_a_secret_in_the_shop_file_is_refused_with_where_it_belongs(
    gateway: FakeGateway, tmp_path: Path
) -> None:
    shop = _shop(tmp_path, 'app_key = "12345678"\napp_secret = "s3cr3t-in-a-file"')
    ran = CliRunner().invoke(
        sync_command,
        ["--casebook", str(tmp_path / "b.sqlite"), "--shop", str(shop)],
        env=gateway.environment(),
    )
    assert ran.exit_code == 2
    assert "AFTERSALES_TOP_APP_SECRET" in ran.output
    assert "environment" in ran.output
    assert "s3cr3t-in-a-file" not in ran.output
    with pytest.raises(SecretInShopFile):
        settings_from({"session": "x"})
    with pytest.raises(ConfigurationMissing, match="unknown key"):
        settings_from({"gatway": "x"})
    with pytest.raises(ConfigurationMissing, match="whole number"):
        settings_from({"return_address_id": "889"})


def test_the_environment_overrides_the_file() -> None:
    settings = settings_from({"tmall": True, "sync_margin_minutes": 5, "sign_method": "hmac"})
    merged = settings.with_env({"AFTERSALES_TOP_TMALL": "0", "AFTERSALES_TOP_SYNC_MARGIN": "15"})
    assert (merged.tmall, merged.sync_margin_minutes, merged.sign_method) == (False, 15, "hmac")
    assert read_settings(None) == TaobaoSettings()


def test_agree_return_takes_the_address_id_from_the_shop_file(
    gateway: FakeGateway, tmp_path: Path
) -> None:
    db = tmp_path / "shop.sqlite"
    with Casebook.open(str(db)) as opened, _client(gateway) as client:
        sync(opened, client, since=SINCE, until=UNTIL)
        case = _waiting(opened, gateway, kinds=("return_and_refund",))
    shop = _shop(tmp_path, "return_address_id = 889")
    env_shop = ["--shop", str(shop)]
    done = _act(gateway, db, *env_shop, "agree-return", case.id, "--at", _at(case).isoformat())
    assert done.exit_code == 0, done.output
    assert gateway.writes[0].params["seller_address_id"] == "889"
