"""Working hours: reminders outside them wait for the member's next start, in their zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_store.team.worktime import at_local, into_working_hours, iso_week, next_work_start

LONDON, SHANGHAI = "Europe/London", "Asia/Shanghai"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def nine_to_six(when: datetime, tz: str) -> datetime:
    return into_working_hours(when, tz=tz, work_start=9, work_end=18)


@pytest.mark.parametrize(("when", "expected"), [
    # Inside working hours: unchanged (10:15 Shanghai).
    (utc(2024, 10, 26, 2, 15), utc(2024, 10, 26, 2, 15)),
    # 07:00 Shanghai: the same day's 09:00.
    (utc(2024, 10, 25, 23, 0), utc(2024, 10, 26, 1, 0)),
    # 19:00 Shanghai: the next day's 09:00.
    (utc(2024, 10, 26, 11, 0), utc(2024, 10, 27, 1, 0)),
    # Exactly 18:00 counts as after the end.
    (utc(2024, 10, 26, 10, 0), utc(2024, 10, 27, 1, 0)),
    # Exactly 09:00 is inside.
    (utc(2024, 10, 26, 1, 0), utc(2024, 10, 26, 1, 0)),
])
def test_shanghai_reminders_move_to_the_next_local_nine(when: datetime, expected: datetime):
    assert nine_to_six(when, SHANGHAI) == expected


def test_london_evening_before_the_clocks_go_back_waits_for_nine_gmt():
    # Saturday 26 Oct 2024, 19:00 BST; the clocks go back overnight, so Sunday 09:00 is GMT.
    moved = nine_to_six(utc(2024, 10, 26, 18, 0), LONDON)
    assert moved == utc(2024, 10, 27, 9, 0)
    assert moved.astimezone(ZoneInfo(LONDON)).hour == 9


def test_london_night_of_the_clock_change_waits_for_nine_the_same_day():
    # 01:30 BST on Sunday 27 Oct (00:30 UTC), before the change at 02:00 BST.
    assert nine_to_six(utc(2024, 10, 27, 0, 30), LONDON) == utc(2024, 10, 27, 9, 0)


def test_london_summer_morning_uses_british_summer_time():
    # 07:00 BST on Friday 25 Oct is 06:00 UTC; 09:00 BST is 08:00 UTC.
    assert nine_to_six(utc(2024, 10, 25, 6, 0), LONDON) == utc(2024, 10, 25, 8, 0)


def test_weekends_are_ordinary_days():
    saturday_noon_shanghai = utc(2024, 10, 26, 4, 0)
    assert nine_to_six(saturday_noon_shanghai, SHANGHAI) == saturday_noon_shanghai


def test_overnight_shift_waits_for_the_evening_start():
    # Hours 22 → 6 in Shanghai; 10:00 local waits for 22:00 local the same day.
    moved = into_working_hours(utc(2024, 10, 26, 2, 0), tz=SHANGHAI, work_start=22, work_end=6)
    assert moved == utc(2024, 10, 26, 14, 0)
    night = utc(2024, 10, 26, 19, 0)  # 03:00 local, inside the shift
    assert into_working_hours(night, tz=SHANGHAI, work_start=22, work_end=6) == night


def test_unknown_time_zone_falls_back_to_utc():
    assert into_working_hours(utc(2024, 10, 26, 5, 0), tz="Mars/Olympus", work_start=9,
                              work_end=18) == utc(2024, 10, 26, 9, 0)


def test_next_work_start_is_today_before_it_and_tomorrow_after_it():
    early = utc(2024, 10, 25, 23, 0)  # 07:00 Shanghai on the 26th
    late = utc(2024, 10, 26, 2, 0)  # 10:00 Shanghai
    assert next_work_start(early, tz=SHANGHAI, work_start=9) == utc(2024, 10, 26, 1, 0)
    assert next_work_start(late, tz=SHANGHAI, work_start=9) == utc(2024, 10, 27, 1, 0)


def test_local_hours_and_iso_weeks():
    assert at_local(date(2024, 10, 27), 9, LONDON) == utc(2024, 10, 27, 9, 0)
    assert at_local(date(2024, 10, 26), 9, LONDON) == utc(2024, 10, 26, 8, 0)
    assert iso_week(date(2024, 12, 30)) == "2025-W01"


@given(
    when=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                      timezones=st.just(UTC)),
    tz=st.sampled_from([LONDON, SHANGHAI, "America/New_York", "Australia/Sydney", "UTC"]),
    start=st.integers(0, 22),
    length=st.integers(1, 12),
)
def test_moved_time_is_never_earlier_and_lands_inside_working_hours(
    when: datetime, tz: str, start: int, length: int
):
    end = min(start + length, 24)
    moved = into_working_hours(when, tz=tz, work_start=start, work_end=end)
    assert when <= moved < when + timedelta(hours=26)
    local_hour = moved.astimezone(ZoneInfo(tz)).hour
    # A start hour skipped by a DST jump lands an hour later.
    assert start <= local_hour < end or (moved != when and local_hour == start + 1)
