"""Search keys of a contact: toneless pinyin of names, phone digits and normalised queries."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import lazy_pinyin

# Surname readings where pypinyin's everyday reading is wrong for a family name.
# Checked against pypinyin 0.55: 万俟/尉迟/长孙/任/华 are already right; they are pinned
# anyway so phrase segmentation with the given name cannot change them. A lone 尉 is left
# to pypinyin ("wei", e.g. 尉缭): the "yu" reading belongs to the compound 尉迟 only.
_COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"),
    "长孙": ("zhang", "sun"),
}
_SURNAMES: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "区": "ou",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "覃": "qin",
    "缪": "miao",
    "乐": "yue",
    "召": "shao",
    "重": "chong",
    "翟": "zhai",
    "秘": "bi",
    "繁": "po",
    "任": "ren",
    "华": "hua",
}

# Han characters (ideographs and their extensions), as the body of a regex character class.
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A run of Han characters, or a word of any other script (letters/digits, no underscore).
_TOKEN_RE = re.compile(f"([{HAN}]+)|((?:(?![{HAN}])[^\\W_])+)")
_NOT_ASCII_DIGIT_RE = re.compile(r"[^0-9]+")


def _strip_marks(text: str) -> str:
    """Remove combining diacritics (José -> jose) after canonical decomposition."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def _han_syllables(run: str, *, surname: bool) -> list[str]:
    """Toneless pinyin syllables for a run of Han characters, optionally surname-first."""
    head: list[str] = []
    if surname:
        if run[:2] in _COMPOUND_SURNAMES:
            head, run = list(_COMPOUND_SURNAMES[run[:2]]), run[2:]
        elif run[:1] in _SURNAMES:
            head, run = [_SURNAMES[run[:1]]], run[1:]
    tail = lazy_pinyin(run) if run else []
    return head + [syllable.casefold() for syllable in tail if syllable]


# Lengths of Contact.pinyin_full and Contact.pinyin_initials: a 120-character Chinese name
# reads as up to ~840 letters of pinyin, which PostgreSQL would refuse (SQLite keeps it).
FULL_MAX, INITIALS_MAX = 400, 120


def name_keys(name: str, *, person: bool = True) -> tuple[str, str]:
    """Return (pinyin_full, pinyin_initials) for a contact or company name, within limits."""
    text = _strip_marks(unicodedata.normalize("NFKC", name or "")).casefold()
    syllables: list[str] = []
    first = True
    for match in _TOKEN_RE.finditer(text):
        han, word = match.group(1), match.group(2)
        if han:
            syllables.extend(_han_syllables(han, surname=person and first))
        else:
            syllables.append(word)
        first = False
    return "".join(syllables)[:FULL_MAX], "".join(s[0] for s in syllables)[:INITIALS_MAX]


def phone_digits(phone: str | None) -> str:
    """Return only the decimal digits of a phone number, as ASCII (E.164 without '+')."""
    if not phone:
        return ""
    if phone.isascii():
        return phone if phone.isdigit() else _NOT_ASCII_DIGIT_RE.sub("", phone)
    return "".join(str(unicodedata.decimal(ch)) for ch in phone if ch.isdecimal())


def normalise_query(query: str) -> str:
    """NFKC-normalise, casefold, drop control chars, strip and collapse whitespace."""
    text = unicodedata.normalize("NFKC", query or "").casefold()
    if not text.isprintable():  # rare slow path: tabs, newlines, control/format chars
        text = "".join(
            " " if ch.isspace() else ch
            for ch in text
            if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
        )
    return " ".join(text.split())
