"""Pure contact search: ranking and confidence over keys from crm_store.contacts.search_keys.

No database and no I/O. Callers store ``name_keys()`` / ``phone_digits()`` on each
contact row, load them as :class:`SearchKey` values and call :func:`rank`.

Scoring tiers (higher wins; one hit per contact, its best field):

* 100  exact name / pinyin_full / initials / company / email, or exact phone digits
* 95   prefix of one of those fields
* 93   Chinese query whose pinyin equals pinyin_full (homophone, e.g. 张为 -> 张伟)
* 92   phone digits contain the query digits (query has >= 4 digits)
* 90   substring (initials: only for queries of >= 2 letters)
* 88   Chinese query whose pinyin is a prefix of pinyin_full
* <=89 fuzzy ``fuzz.ratio`` on name, pinyin_full and company (capped below the exact tiers)

Ties are broken by name, then contact_id.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, NamedTuple

from cachetools import LRUCache
from rapidfuzz import fuzz, process

from crm_store.contacts.search_keys import HAN, name_keys, normalise_query, phone_digits

__all__ = [
    "INDEXES",
    "Hit",
    "IndexCache",
    "SearchIndex",
    "SearchKey",
    "is_confident",
    "name_keys",
    "normalise_query",
    "phone_digits",
    "rank",
]

MAX_QUERY_CHARS = 100
MIN_PHONE_QUERY_DIGITS = 4
MIN_FUZZY_QUERY_CHARS = 2
FUZZY_CAP = 89.0

SCORE_EXACT = 100.0
SCORE_PREFIX = 95.0
SCORE_HOMOPHONE = 93.0
SCORE_PHONE_PART = 92.0
SCORE_SUBSTRING = 90.0
SCORE_HOMOPHONE_PREFIX = 88.0

# Field names reported in Hit.matched, in tie-break priority order.
FIELDS = ("name", "pinyin", "initials", "company", "phone", "email")
_FIELD_PRIORITY = {field: i for i, field in enumerate(FIELDS)}

_HAN_RE = re.compile(f"[{HAN}]")
_PHONE_QUERY_RE = re.compile(r"[\d\s+\-().]+")
_SEP = "\x00"


class SearchKey(NamedTuple):
    """Precomputed searchable fields of one contact.

    A NamedTuple, not a frozen dataclass: every search builds one per visible contact and
    the index cache compares the whole sequence with the cached one, both several times
    faster on a tuple (pyinstrument on /find over 100k contacts: __init__ and __eq__ were
    about a tenth of the handler's time).
    """

    contact_id: int
    name: str
    company: str
    pinyin_full: str
    pinyin_initials: str
    phone: str
    email: str


@dataclass(frozen=True)
class Hit:
    """One ranked contact: its id, score (0-100) and the field that matched best."""

    contact_id: int
    score: float
    matched: str


def _norm_field(value: str | None) -> str:
    """Normalise a stored field the same way as a query (fast path for printable ASCII)."""
    if not value:
        return ""
    if value.isascii() and value.isprintable():
        return " ".join(value.lower().split())
    return normalise_query(value)


class _Column:
    """One searchable field: values in index order joined into one separator-delimited blob."""

    __slots__ = ("values", "blob", "starts")

    def __init__(self, values: list[str]) -> None:
        self.values = values
        # starts[i] is the blob offset of values[i]; each value is preceded by _SEP.
        lengths = (len(v) + 1 for v in values[:-1])
        self.starts = list(accumulate(lengths, initial=1)) if values else []
        self.blob = _SEP + _SEP.join(values) + _SEP

    def _entry(self, offset: int) -> int:
        """Position of the value containing blob offset."""
        return bisect_right(self.starts, offset) - 1

    def equal(self, needle: str, limit: int) -> list[int]:
        """First `limit` positions whose value equals needle."""
        found: list[int] = []
        probe = _SEP + needle + _SEP
        start = self.blob.find(probe)
        while start >= 0 and len(found) < limit:
            found.append(self._entry(start + 1))
            start = self.blob.find(probe, start + len(probe) - 1)
        return found

    def prefixed(self, needle: str, limit: int) -> list[int]:
        """First `limit` positions whose value starts with (but is not) needle."""
        found: list[int] = []
        probe = _SEP + needle
        start = self.blob.find(probe)
        while start >= 0 and len(found) < limit:
            pos = self._entry(start + 1)
            if len(self.values[pos]) != len(needle):
                found.append(pos)
            start = self.blob.find(probe, start + 1)
        return found

    def containing(self, needle: str, limit: int) -> list[int]:
        """First `limit` positions containing needle anywhere but at the start."""
        found: list[int] = []
        blob, starts = self.blob, self.starts
        start = blob.find(needle)
        while start >= 0 and len(found) < limit:
            pos = self._entry(start)
            if start != starts[pos]:
                found.append(pos)
                next_entry = starts[pos + 1] if pos + 1 < len(starts) else len(blob)
            else:
                next_entry = start + 1
            start = blob.find(needle, next_entry)
        return found


class _FuzzyChoices:
    """Distinct values of a column with the (ascending) positions holding each."""

    __slots__ = ("values", "positions")

    def __init__(self, grouped: dict[str, list[int]]) -> None:
        self.values = list(grouped)
        self.positions = list(grouped.values())

    @classmethod
    def of(cls, values: list[str]) -> _FuzzyChoices:
        """Group a column's non-empty values."""
        grouped: dict[str, list[int]] = {}
        for pos, value in enumerate(values):
            if value:
                grouped.setdefault(value, []).append(pos)
        return cls(grouped)

    def where(self, keep: Callable[[str], bool]) -> _FuzzyChoices:
        """The subset of distinct values for which keep(value) is true."""
        return _FuzzyChoices(
            {v: p for v, p in zip(self.values, self.positions, strict=True) if keep(v)}
        )

    def best(self, needle: str, limit: int, cutoff: float) -> list[tuple[float, int]]:
        """First `limit` (capped score, position) pairs by score desc, then position."""
        if not self.values:
            return []
        found: list[tuple[float, int]] = []
        for _, score, slot in process.extract(
            needle,
            self.values,
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=cutoff,
            limit=None,
        ):
            capped = min(float(score), FUZZY_CAP)
            found.extend((-capped, pos) for pos in self.positions[slot][:limit])
        found.sort()
        return [(-neg, pos) for neg, pos in found[:limit]]


def _has_han(text: str) -> bool:
    """True when text contains at least one Han character."""
    return _HAN_RE.search(text) is not None


def _has_non_han(text: str) -> bool:
    """True when text contains a non-space character that is not Han."""
    return _HAN_RE.sub("", text).strip() != ""


class SearchIndex:
    """Immutable, precomputed columns for a fixed sequence of SearchKeys."""

    def __init__(self, keys: Iterable[SearchKey]) -> None:
        given = list(keys)
        # Index order is the tie-break order: normalised name, then contact_id.
        items = sorted((_norm_field(k.name), k.contact_id, i) for i, k in enumerate(given))
        self.keys: tuple[SearchKey, ...] = tuple(given[i] for _, _, i in items)
        # Structures derived from these keys by other readers (the quick log's name tables):
        # they live exactly as long as the index, so they are as current as it is.
        self.memo: dict[str, Any] = {}
        self.ids = [k.contact_id for k in self.keys]
        self.columns: dict[str, _Column] = {
            "name": _Column([name for name, _, _ in items]),
            "pinyin": _Column([_norm_field(k.pinyin_full).replace(" ", "") for k in self.keys]),
            "initials": _Column([_norm_field(k.pinyin_initials) for k in self.keys]),
            "company": _Column([_norm_field(k.company) for k in self.keys]),
            "phone": _Column([phone_digits(k.phone) for k in self.keys]),
            "email": _Column([_norm_field(k.email) for k in self.keys]),
        }
        # A Han-free query scores 0 against Han-only names (and vice versa): split them.
        self.fuzzy_names_all = _FuzzyChoices.of(self.columns["name"].values)
        self.fuzzy_names_han = self.fuzzy_names_all.where(_has_han)
        self.fuzzy_names_other = self.fuzzy_names_all.where(_has_non_han)
        self.fuzzy_pinyin = _FuzzyChoices.of(self.columns["pinyin"].values)
        self.fuzzy_company = _FuzzyChoices.of(self.columns["company"].values)

    def __len__(self) -> int:
        return len(self.keys)


class IndexCache:
    """Indexes built from key sequences, reused when an equal sequence comes again (LRU).

    Callers that rebuild their keys for every question (deals, erasure, restore) build the
    index once per distinct sequence. Owned by this module (`INDEXES`); tests `clear()` it.
    """

    def __init__(self, size: int = 8) -> None:
        self._indexes: LRUCache[tuple[SearchKey, ...], SearchIndex] = LRUCache(maxsize=size)
        self._lock = threading.Lock()  # cachetools caches are not thread-safe

    def index(self, keys: Sequence[SearchKey]) -> SearchIndex:
        """The index of `keys`, built now or reused from an equal sequence."""
        source = keys if isinstance(keys, tuple) else tuple(keys)
        with self._lock:
            found = self._indexes.get(source)
        if found is None:
            found = SearchIndex(source)
            with self._lock:
                self._indexes[source] = found
        return found

    def clear(self) -> None:
        """Forget every index."""
        with self._lock:
            self._indexes.clear()


INDEXES = IndexCache()


def _bounded(query: str) -> str:
    """Normalise a query and cap its length so hostile input stays cheap."""
    return normalise_query((query or "")[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS].strip()


def rank(
    keys: Sequence[SearchKey] | SearchIndex,
    query: str,
    *,
    limit: int = 8,
    cutoff: float = 70.0,
) -> list[Hit]:
    """Rank contacts for a free-text query: best hit per contact, score desc then name."""
    q = _bounded(query)
    if not q or limit <= 0:
        return []
    index = keys if isinstance(keys, SearchIndex) else INDEXES.index(keys)
    if not len(index):
        return []
    cols = index.columns
    compact = q.replace(" ", "")
    best: dict[int, tuple[float, int]] = {}

    def add(positions: Iterable[int], score: float, field: str) -> None:
        if score < cutoff:
            return
        priority = _FIELD_PRIORITY[field]
        for pos in positions:
            current = best.get(pos)
            if current is None or (score, -priority) > (current[0], -current[1]):
                best[pos] = (score, priority)

    def tiers(field: str, needle: str, scores: tuple[float, float, float]) -> None:
        column = cols[field]
        add(column.equal(needle, limit), scores[0], field)
        add(column.prefixed(needle, limit), scores[1], field)
        if scores[2]:
            add(column.containing(needle, limit), scores[2], field)

    direct = (SCORE_EXACT, SCORE_PREFIX, SCORE_SUBSTRING)
    tiers("name", q, direct)
    tiers("pinyin", compact, direct)
    if compact.isascii() and compact.isalpha():
        tiers("initials", compact, direct if len(compact) >= 2 else direct[:2] + (0.0,))
    tiers("company", q, direct)
    tiers("email", q, direct)

    if _PHONE_QUERY_RE.fullmatch(q):
        digits = phone_digits(q)
        if len(digits) >= MIN_PHONE_QUERY_DIGITS:
            tiers("phone", digits, (SCORE_EXACT, SCORE_PHONE_PART, SCORE_PHONE_PART))

    if _has_han(q):
        spoken = name_keys(q, person=True)[0]
        if spoken:
            tiers("pinyin", spoken, (SCORE_HOMOPHONE, SCORE_HOMOPHONE_PREFIX, 0.0))

    if len(compact) >= MIN_FUZZY_QUERY_CHARS and cutoff <= FUZZY_CAP:
        if any(ch.isalpha() for ch in compact):
            han, other = _has_han(q), _has_non_han(q)
            if han and other:
                name_choices = index.fuzzy_names_all
            else:
                name_choices = index.fuzzy_names_han if han else index.fuzzy_names_other
            fuzzy = [("name", name_choices, q), ("company", index.fuzzy_company, q)]
            if not han:
                fuzzy.append(("pinyin", index.fuzzy_pinyin, compact))
            floor = max(cutoff, 1.0)
            for field, choices, needle in fuzzy:
                for score, pos in choices.best(needle, limit, floor):
                    add((pos,), score, field)

    ordered = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    return [
        Hit(contact_id=index.ids[pos], score=round(score, 2), matched=FIELDS[priority])
        for pos, (score, priority) in ordered
    ]


def is_confident(hits: list[Hit]) -> bool:
    """True when the top hit is unambiguous enough to act on without asking."""
    if not hits:
        return False
    if len(hits) == 1:
        return True
    top, second = hits[0].score, hits[1].score
    if top >= SCORE_EXACT and second < SCORE_EXACT:
        return True
    return top >= SCORE_SUBSTRING and top - second >= 10
