"""Rows of a report's figures and its period (a calendar week or month in a member's zone).

crm_store.analytics.report_data fills them from the analytics areas' own functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from crm_store.team.worktime import iso_week, zone

WEEK, MONTH = "week", "month"
KINDS = ("call", "visit", "meeting", "message", "email", "note")


@dataclass(frozen=True)
class Period:
    """A calendar week or month in the member's zone, as [start_utc, end_utc) capped at now."""

    kind: str  # WEEK | MONTH
    label: str  # "2026-11" or "2026-W47"
    start_utc: datetime
    end_utc: datetime


@dataclass(frozen=True)
class StageRow:
    """Open deals in one stage, or (funnel) deals that reached it and how many moved on."""

    stage: str
    count: int
    amount_minor: int = 0
    weighted_minor: int | None = None
    moved_on: int | None = None


@dataclass(frozen=True)
class RepActivity:
    """Interactions one member logged in the period, by kind."""

    member_id: int
    name: str
    by_kind: dict[str, int]
    more: dict[str, int] = field(default_factory=dict)  # other figures the area function gives

    @property
    def total(self) -> int:
        """All interactions of the member."""
        return sum(self.by_kind.values())


@dataclass(frozen=True)
class SegmentCount:
    """Customers in one group: an RFM segment, ABC tier, value class or lifecycle stage."""

    group: str  # "rfm" | "tier" | "class" | "lifecycle"
    key: str
    customers: int
    revenue_minor: int | None = None
    share: float | None = None  # of the value (tiers)


def period_of(kind: str, day: date, tz: str, now: datetime) -> Period:
    """The week (Monday on) or month holding the local date `day`, its end capped at `now`."""
    if kind == WEEK:
        first = day - timedelta(days=day.weekday())
        after, label = first + timedelta(days=7), iso_week(first)
    else:
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        label = f"{first:%Y-%m}"
    start = datetime.combine(first, time(0), tzinfo=zone(tz)).astimezone(UTC)
    end = datetime.combine(after, time(0), tzinfo=zone(tz)).astimezone(UTC)
    return Period(kind, label, start, min(end, max(now, start)))
