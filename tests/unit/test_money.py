"""Amounts as reps type them, in minor units; anything else is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_store.errors import Invalid
from crm_store.money import format_money, parse_amount


@pytest.mark.parametrize(("text", "minor"), [
    ("50000", 5_000_000), ("5万", 5_000_000), ("5万元", 5_000_000), ("3千块", 300_000),
    ("50k", 5_000_000), ("50K", 5_000_000), ("¥12,000.50", 1_200_050), ("1.2m", 120_000_000),
    ("0.5w", 500_000), ("12元", 1_200), ("2亿", 20_000_000_000), ("$99.99", 9_999),
])
def test_amounts_parse_to_minor_units(text: str, minor: int) -> None:
    assert parse_amount(text) == minor


@pytest.mark.parametrize("text", ["abc", "-5", "0", "1.234", "1e9", "50 units", "", "5万万",
                                  "10000000000000000", "１２３abc", "'; DROP TABLE x"])
def test_non_amounts_are_refused(text: str) -> None:
    with pytest.raises(Invalid):
        parse_amount(text)


@pytest.mark.parametrize(("minor", "shown"), [
    (5_000_000, "¥50,000"), (1_200_050, "¥12,000.50"), (0, "¥0"), (-150, "-¥1.50")])
def test_money_is_shown_with_symbol_and_separators(minor: int, shown: str) -> None:
    assert format_money(minor) == shown


@given(st.text(max_size=60))
def test_parse_amount_only_ever_raises_invalid(text: str) -> None:
    try:
        assert parse_amount(text) > 0
    except Invalid:
        pass
