"""Working hours and local days: when a reminder may reach a member, in their own time zone.

Wall-clock times are built from local dates through zoneinfo (never by adding hours to UTC),
so a 09:00 start stays 09:00 across daylight-saving changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FALLBACK_ZONE = "UTC"


def zone(name: str) -> ZoneInfo:
    """The named time zone; an unknown name falls back to UTC rather than failing a job."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(FALLBACK_ZONE)


def local_date(when_utc: datetime, tz: str) -> date:
    """The calendar date `when_utc` falls on in the zone `tz`."""
    return when_utc.astimezone(zone(tz)).date()


def at_local(day: date, hour: int, tz: str) -> datetime:
    """`hour`:00 on `day` in the zone `tz`, as an aware UTC datetime."""
    hour = min(max(hour, 0), 23)
    return datetime.combine(day, time(hour), tzinfo=zone(tz)).astimezone(UTC)


def iso_week(day: date) -> str:
    """The ISO year and week of `day`, e.g. "2024-W43" (weeks start on Monday)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _working(hour: int, start: int, end: int) -> bool:
    if start == end:  # no limits set: any time suits
        return True
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end  # an overnight shift, e.g. 22 → 6


def into_working_hours(when_utc: datetime, *, tz: str, work_start: int, work_end: int) -> datetime:
    """`when_utc` if it falls in the member's working hours, else their next start (UTC)."""
    start, end = min(max(work_start, 0), 23), min(max(work_end, 0), 24)
    local = when_utc.astimezone(zone(tz))
    if _working(local.hour, start, end):
        return when_utc
    day = local.date()
    if start < end and local.hour >= end:  # at or after the end: tomorrow's start
        day += timedelta(days=1)
    return at_local(day, start, tz)


def next_work_start(now: datetime, *, tz: str, work_start: int) -> datetime:
    """The member's next start of working hours at or after `now` (UTC)."""
    today = local_date(now, tz)
    start = at_local(today, work_start, tz)
    return start if start >= now else at_local(today + timedelta(days=1), work_start, tz)
