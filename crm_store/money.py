"""Money as integer minor units: parse what reps type (5万, 50k, ¥12,000.50), format it back."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from crm_store.errors import Invalid

MAX_AMOUNT_MINOR = 10**15  # one trillion in major units: beyond any real order
MULTIPLIERS = {
    "": 1, "k": 1_000, "千": 1_000, "w": 10_000, "万": 10_000, "m": 1_000_000,
    "mn": 1_000_000, "百万": 1_000_000, "亿": 100_000_000, "元": 1, "块": 1, "rmb": 1,
    "cny": 1, "yuan": 1,
}
CURRENCY_SIGNS = {"¥": "CNY", "￥": "CNY", "$": "USD", "€": "EUR", "£": "GBP"}
SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "¥"}
AMOUNT = re.compile(
    r"^(?P<sign>[¥￥$€£])?\s*(?P<number>[-+]?\d[\d,，]*(?:\.\d+)?)\s*"
    r"(?P<unit>k|千|w|万|mn|m|百万|亿|元|块|rmb|cny|yuan)?(?:元|块|rmb|cny|yuan)?$",
    re.IGNORECASE,
)


def parse_amount(text: str, *, allow_zero: bool = False) -> int:
    """'5万' → 5_000_000 (minor units); raise Invalid for anything that is not a positive sum."""
    cleaned = text.strip().lower().replace(" ", "")
    match = AMOUNT.match(cleaned) if len(cleaned) <= 40 else None
    if match is None:
        raise Invalid("error.amount", value=text[:40])
    number = match["number"].replace(",", "").replace("，", "")
    try:
        value = Decimal(number) * MULTIPLIERS[(match["unit"] or "").lower()] * 100
    except InvalidOperation as exc:
        raise Invalid("error.amount", value=text[:40]) from exc
    minor = int(value.to_integral_value())
    if minor < 0 or (minor == 0 and not allow_zero) or value != minor:
        raise Invalid("error.amount", value=text[:40])
    if minor > MAX_AMOUNT_MINOR:
        raise Invalid("error.amount_too_large", value=text[:40])
    return minor


def looks_like_amount(text: str) -> bool:
    """Tell whether a word is an amount (used to split free-form arguments)."""
    try:
        parse_amount(text)
    except Invalid:
        return False
    return True


def format_money(minor: int, currency: str = "CNY") -> str:
    """12345600 → '¥123,456'; cents only when there are any."""
    sign = "-" if minor < 0 else ""
    major, cents = divmod(abs(minor), 100)
    body = f"{major:,}" + (f".{cents:02d}" if cents else "")
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency}"
