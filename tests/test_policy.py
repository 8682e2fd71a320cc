from __future__ import annotations

import attrs
import pytest

from aftersales import Duration, Policy, PolicyError, preset
from aftersales.core import RULES
from aftersales.core._policy import policy_fields


def test_every_platform_number_cites_a_known_rule() -> None:
    fields = policy_fields()
    assert len(fields) >= 10
    for field in fields:
        assert field.metadata["rule"] in RULES, field.name
        assert field.metadata["doc"]


def test_presets_differ_where_the_rules_differ() -> None:
    classic, current = preset("taobao"), preset("taobao-current")
    assert classic.pre_seller_response == Duration.days(2)
    assert current.pre_seller_response == Duration.hours(24)
    assert current.only_not_received_response == Duration.hours(36)
    assert current.refused_buyer_window == Duration.days(5)
    assert preset("tmall").name == "tmall"


def test_overrides_parse_durations_and_refuse_unknown_fields() -> None:
    shop = preset("taobao", ret_seller_response="3d", refuse_before_shipment=False)
    assert shop.ret_seller_response == Duration.days(3)
    assert shop.refuse_before_shipment is False
    with pytest.raises(PolicyError, match="unknown policy field"):
        preset("taobao", ret_seller_respons="3d")
    with pytest.raises(PolicyError, match="duration"):
        preset("taobao", ret_seller_response=5)
    with pytest.raises(PolicyError, match="true or false"):
        preset("taobao", refuse_before_shipment="no")
    with pytest.raises(PolicyError, match="unknown policy preset"):
        preset("jd")
    with pytest.raises(PolicyError, match="time zone"):
        Policy(timezone="Mars/Olympus")


def test_policy_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        preset("taobao").ret_seller_response = Duration.days(1)  # type: ignore[misc]
