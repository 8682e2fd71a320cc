from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales import InvalidInput, Money
from aftersales.testing import money


@pytest.mark.parametrize("text", ["59.9", "59.90", " 59.90 ", Decimal("59.9")])
def test_parses_yuan_with_or_without_the_trailing_zero(text: str | Decimal) -> None:
    assert Money(text) == Money("59.90")
    assert str(Money(text)) == "59.90"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "negative"),
        ("59.901", "more than two decimal places"),
        (59.9, "not float"),
        ("abc", "not an amount"),
        ("Infinity", "finite"),
        (True, "not bool"),
    ],
)
def test_bad_amounts_are_typed_errors(value: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Money(value)


def test_subtraction_never_goes_below_zero() -> None:
    assert Money("10") - Money("0.01") == Money("9.99")
    with pytest.raises(InvalidInput, match="below zero"):
        Money("1.00") - Money("1.01")


@given(money(), money())
def test_addition_is_exact_in_fen(a: Money, b: Money) -> None:
    assert (a + b).fen == a.fen + b.fen
    assert Money.from_fen(a.fen) == a
    assert a + b - b == a


@given(st.integers(0, 10**9))
def test_string_round_trip(fen: int) -> None:
    value = Money.from_fen(fen)
    assert Money(str(value)) == value


@given(
    st.one_of(
        st.integers(0, 99_999_999_999_999),
        st.decimals(0, Decimal("999999999999.99"), places=2).map(str),
        st.decimals(0, 10**12 - 1, places=0),
        st.sampled_from(["-0", "-0.0", "-0.00", Decimal("-0"), Decimal("-0E+3")]),
    )
)
def test_text_is_always_two_places_without_an_exponent(value: int | str | Decimal) -> None:
    text = str(Money(value) if not isinstance(value, int) else Money.from_fen(value))
    # what a buyer reads and the casebook stores: yuan, a point, two digits; never 1E+2
    whole, _, fen = text.partition(".")
    assert whole.isdigit()
    assert len(fen) == 2
    assert fen.isdigit()
    assert Decimal(text) == Money(text).amount
