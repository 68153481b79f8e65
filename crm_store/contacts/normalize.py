"""Normalise what people type: phone numbers to E.164, emails, names."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from crm_store.errors import Invalid

MAX_NAME = 120
_SPACES = re.compile(r"\s+")
_INLINE_SPACES = re.compile(r"[^\S\n]+")


def clean_text(value: str, *, limit: int, multiline: bool = False, fold: bool = False) -> str:
    """Drop control characters, collapse spaces, bound the length; `fold` full-width forms."""
    if fold:  # only for machine-like values: NFKC would turn Chinese "，" into ","
        value = unicodedata.normalize("NFKC", value)
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch == "\n")
    spaces = _INLINE_SPACES if multiline else _SPACES
    return spaces.sub(" ", value).strip()[:limit]


def normalise_phone(raw: str, region: str = "CN") -> str:
    """Return the number in E.164, or raise Invalid with an example in the message."""
    text = clean_text(raw, limit=40, fold=True)
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException as exc:
        raise Invalid("error.phone", value=text) from exc
    if not phonenumbers.is_valid_number(number):
        raise Invalid("error.phone", value=text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(text: str) -> bool:
    """Tell whether a piece of text is mostly a phone number."""
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 6 and digits >= len(re.sub(r"[\s\-()+.]", "", text)) - 1


def normalise_email(raw: str) -> str:
    """Return the normalised address, or raise Invalid."""
    text = clean_text(raw, limit=254, fold=True)
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid("error.email", value=text) from exc


def company_key(name: str) -> str:
    """Key under which two spellings of a company count as the same company."""
    return clean_text(name, limit=200, fold=True).casefold()[:200]  # casefold may lengthen
