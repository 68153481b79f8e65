"""The segments area's buttons: a group's customers (sl) and back to the summary (sg).

Both carry the summary's filters as their last field, encoded ('c上海|s r'), or '~' when the
filters are too long for a button and wait in the chat's dialog instead.
"""

from __future__ import annotations

from typing import Annotated

from crm_store.analytics.segments import GROUP_KEYS, SEGMENTS, STAGES, SegmentFilters
from handlers.callbacks import Callback, OneOf, Tail

MAX_VALUE = 60
STORED = "~"
GROUP_CODES = {"rfm": "r", "tier": "t", "class": "v", "stage": "l"}
KEY_CODES = {
    "rfm": dict(zip((*SEGMENTS, "none"), ("ch", "lo", "pl", "ne", "pr", "na", "as", "ar", "cl",
                                          "hi", "ls", "np"), strict=True)),
    "tier": {"A": "a", "B": "b", "C": "c", "none": "np"},
    "class": {"strategic": "s", "general": "g", "none": "np"},
    "stage": dict(zip(STAGES, ("p", "n", "a", "r", "l"), strict=True)),
}
STAGE_CODES = KEY_CODES["stage"]
_GROUPS = {code: group for group, code in GROUP_CODES.items()}
_KEYS = {group: {code: key for key, code in codes.items()} for group, codes in KEY_CODES.items()}


def encode(filters: SegmentFilters) -> str | None:
    """Filters as the tail of callback data ('c上海|s r'), or None if they cannot be."""
    parts = []
    for code, value in (("c", filters.city), ("i", filters.industry), ("t", filters.tag)):
        if value:
            if "|" in value:
                return None
            parts.append(code + value)
    if filters.owner_id is not None:
        parts.append(f"o{filters.owner_id}")
    if filters.stage:
        parts.append("s" + STAGE_CODES[filters.stage])
    return "|".join(parts)


def decode(blob: str) -> SegmentFilters | None:
    """The filters `encode` wrote, or None if the data is malformed (a forged button)."""
    found: dict[str, str] = {}
    stages = {code: stage for stage, code in STAGE_CODES.items()}
    names = {"c": "city", "i": "industry", "t": "tag", "o": "owner_id", "s": "stage"}
    for part in blob.split("|") if blob else []:
        name, value = names.get(part[:1]), part[1:]
        if name is None or name in found or not value or len(value) > MAX_VALUE:
            return None
        if name == "owner_id":
            if not (value.isascii() and value.isdigit()) or len(value) > 12:  # not '²'
                return None
            found[name] = value
        elif name == "stage":
            if value not in stages:
                return None
            found[name] = stages[value]
        else:
            found[name] = value
    owner_id = found.get("owner_id")
    return SegmentFilters(city=found.get("city"), industry=found.get("industry"),
                          tag=found.get("tag"), stage=found.get("stage"),
                          owner_id=None if owner_id is None else int(owner_id))


def _readable(blob: str) -> bool:
    return blob == STORED or decode(blob) is not None


class SegmentList(Callback, prefix="sl"):
    """One page (0 is the first) of the customers of a segment, tier, class or stage."""

    group: Annotated[str, OneOf(tuple(GROUP_CODES.values()))]
    key: str
    page: int
    filters: Tail

    @classmethod
    def first_page(cls, group: str, key: str, filters: str) -> SegmentList:
        """The list of `key` in `group` ('rfm', 'champions'), from its first page."""
        return cls(GROUP_CODES[group], KEY_CODES[group][key], 0, filters)

    def segment(self) -> tuple[str, str]:
        """The group and key the codes name ('rfm', 'champions'); KeyError if none."""
        group = _GROUPS[self.group]
        return group, _KEYS[group][self.key]

    def valid(self) -> bool:
        """The key is one of the group's, and the filters can be read."""
        try:
            group, key = self.segment()
        except KeyError:
            return False
        return key in GROUP_KEYS[group] and _readable(self.filters)


class SegmentsSummary(Callback, prefix="sg"):
    """Back from a list to the summary, with the same filters."""

    filters: Tail

    def valid(self) -> bool:
        """The filters can be read."""
        return _readable(self.filters)


def fits(blob: str) -> bool:
    """Whether the longest list button with these filters fits in a button's 64 bytes."""
    try:
        SegmentList(GROUP_CODES["rfm"], KEY_CODES["rfm"]["none"], 99999, blob).pack()
    except ValueError:
        return False
    return True
