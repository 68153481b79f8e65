"""Natural dates in English and Chinese, read in the member's time zone (hand-checked table)."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.when import find_when, parse_when

# Wednesday 18 Nov 2026, 06:30 UTC: 14:30 in Shanghai (UTC+8), 06:30 in London (UTC+0).
NOW = datetime(2026, 11, 18, 6, 30, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")


def local(text: str, tz: ZoneInfo, now: datetime = NOW) -> str | None:
    moment = parse_when(text, now=now, tz=tz)
    return None if moment is None else moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M")


SHANGHAI_TABLE = [
    ("tomorrow 3pm", "Thu 2026-11-19 15:00"),
    ("next tue 10am", "Tue 2026-11-24 10:00"),
    ("in 3 days", "Sat 2026-11-21 09:00"),
    ("friday 4pm", "Fri 2026-11-20 16:00"),
    ("at 3pm tomorrow", "Thu 2026-11-19 15:00"),
    ("tomorrow at 3", "Thu 2026-11-19 15:00"),  # a bare 3 is a sales call at 15:00
    ("tonight", "Wed 2026-11-18 19:00"),
    ("in 2 hours", "Wed 2026-11-18 16:30"),
    ("in half an hour", "Wed 2026-11-18 15:00"),
    ("today", "Wed 2026-11-18 15:00"),  # 09:00 has passed: the next full hour
    ("Nov 30", "Mon 2026-11-30 09:00"),
    ("30 Nov 2pm", "Mon 2026-11-30 14:00"),
    ("2026-12-01", "Tue 2026-12-01 09:00"),
    ("tmr 9:30am", "Thu 2026-11-19 09:30"),
    ("明天下午3点", "Thu 2026-11-19 15:00"),
    ("下周二上午", "Tue 2026-11-24 09:00"),
    ("后天上午10点", "Fri 2026-11-20 10:00"),
    ("下个月5号", "Sat 2026-12-05 09:00"),
    ("3天后", "Sat 2026-11-21 09:00"),
    ("明天3点", "Thu 2026-11-19 15:00"),
    ("明天凌晨3点", "Thu 2026-11-19 03:00"),
    ("明晚", "Thu 2026-11-19 19:00"),
    ("月底", "Mon 2026-11-30 09:00"),
    ("下个月", "Tue 2026-12-01 09:00"),
    ("半小时后", "Wed 2026-11-18 15:00"),
    ("周五下午", "Fri 2026-11-20 14:00"),
    ("今天", "Wed 2026-11-18 15:00"),
    ("明天下午三点半", "Thu 2026-11-19 15:30"),
]

LONDON_TABLE = [
    ("tomorrow 3pm", "Thu 2026-11-19 15:00"),
    ("next tue 10am", "Tue 2026-11-24 10:00"),
    ("today", "Wed 2026-11-18 09:00"),  # 06:30 in London: 09:00 is still ahead
    ("3pm", "Wed 2026-11-18 15:00"),
    ("in 2 hours", "Wed 2026-11-18 08:30"),
    ("tonight", "Wed 2026-11-18 19:00"),
    ("明天下午3点", "Thu 2026-11-19 15:00"),
    ("下午3点", "Wed 2026-11-18 15:00"),
    ("今天", "Wed 2026-11-18 09:00"),
    ("3天后", "Sat 2026-11-21 09:00"),
]


@pytest.mark.parametrize(("text", "expected"), SHANGHAI_TABLE)
def test_phrase_is_read_in_shanghai_time(text: str, expected: str) -> None:
    assert local(text, SHANGHAI) == expected


@pytest.mark.parametrize(("text", "expected"), LONDON_TABLE)
def test_phrase_is_read_in_london_time(text: str, expected: str) -> None:
    assert local(text, LONDON) == expected


def test_the_same_words_are_different_utc_moments_in_two_zones() -> None:
    shanghai = parse_when("tomorrow 3pm", now=NOW, tz=SHANGHAI)
    london = parse_when("tomorrow 3pm", now=NOW, tz=LONDON)
    assert shanghai == datetime(2026, 11, 19, 7, 0, tzinfo=UTC)
    assert london == datetime(2026, 11, 19, 15, 0, tzinfo=UTC)


def test_tomorrow_means_the_members_own_tomorrow() -> None:
    late = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)  # Thu 04:00 in Shanghai, Wed 20:00 London
    assert local("tomorrow 9am", SHANGHAI, late) == "Fri 2026-11-20 09:00"
    assert local("明天上午9点", LONDON, late) == "Thu 2026-11-19 09:00"


def test_summer_time_is_applied_when_converting_to_utc() -> None:
    before_change = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # Friday; BST starts Sun 29 Mar
    assert parse_when("monday 10am", now=before_change, tz=LONDON) == datetime(
        2026, 3, 30, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday", "昨天", "上周二", "today 10am", "上午10点",
                                  "yesterday 5pm"])
def test_past_phrases_give_a_past_moment_so_callers_can_refuse(text: str) -> None:
    moment = parse_when(text, now=NOW, tz=SHANGHAI)
    assert moment is not None and moment < NOW


@pytest.mark.parametrize("text", ["", "   ", "hello", "asdf qwerty", "send the quote", "x" * 61,
                                  "25:00 tomorrow", "13pm", "99点", "明天99点", "<b>", "发报价"])
def test_unreadable_phrases_give_none(text: str) -> None:
    assert parse_when(text, now=NOW, tz=SHANGHAI) is None


FIND_TABLE = [
    ("张伟 明天下午3点 发报价", "明天下午3点", "Thu 2026-11-19 15:00"),
    ("张伟 发报价 明天下午3点", "明天下午3点", "Thu 2026-11-19 15:00"),
    ("张伟明天下午3点发报价", "明天下午3点", "Thu 2026-11-19 15:00"),
    ("李娜 下个月5号 续约", "下个月5号", "Sat 2026-12-05 09:00"),
    ("王芳 3天后 打电话", "3天后", "Sat 2026-11-21 09:00"),
    ("张伟 明早 发报价", "明早", "Thu 2026-11-19 09:00"),
    ("周一鸣 明天 发报价", "明天", "Thu 2026-11-19 09:00"),  # 周一 here is part of a name
    ("John Smith tomorrow 3pm send the quote", "tomorrow 3pm", "Thu 2026-11-19 15:00"),
    ("John Smith send the quote tomorrow 3pm", "tomorrow 3pm", "Thu 2026-11-19 15:00"),
    ("Mary Jones on friday demo", "on friday", "Fri 2026-11-20 09:00"),
    ("Tom at 3pm tomorrow call", "at 3pm tomorrow", "Thu 2026-11-19 15:00"),
    ("Sun Wei next week send samples", "next week", "Wed 2026-11-25 09:00"),
    ("Li Na 明天下午3点 send quote", "明天下午3点", "Thu 2026-11-19 15:00"),
    ("张伟 tomorrow 3pm 发报价", "tomorrow 3pm", "Thu 2026-11-19 15:00"),
]


@pytest.mark.parametrize(("text", "phrase", "expected"), FIND_TABLE)
def test_find_when_returns_the_phrase_as_written(text: str, phrase: str, expected: str) -> None:
    found = find_when(text, now=NOW, tz=SHANGHAI)
    assert found is not None
    assert found[1] == phrase and phrase in text
    assert found[0].astimezone(SHANGHAI).strftime("%a %Y-%m-%d %H:%M") == expected


def test_find_when_reports_a_past_phrase_when_there_is_no_future_one() -> None:
    found = find_when("张伟 昨天 打过电话", now=NOW, tz=SHANGHAI)
    assert found is not None and found[1] == "昨天" and found[0] < NOW


@pytest.mark.parametrize("text", ["张伟 发报价", "John Smith call back", "", "价格 5万"])
def test_find_when_without_a_date_gives_none(text: str) -> None:
    assert find_when(text, now=NOW, tz=SHANGHAI) is None


def test_hostile_message_full_of_dates_is_read_quickly() -> None:
    started = clock.monotonic()
    assert find_when("明天" * 2000, now=NOW, tz=SHANGHAI) is not None
    assert find_when("昨天" * 2000 + " at 1" * 500, now=NOW, tz=SHANGHAI) is not None
    assert clock.monotonic() - started < 5


DATE_WORDS = list("明天后下周一二三五个月号点半上午晚早底 0123456789:") + [
    "tomorrow", " next ", "tue", "3pm", " at ", "in ", "days", "hours", "nov", "30"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80),
                 st.lists(st.sampled_from(DATE_WORDS), max_size=20).map("".join)),
       st.sampled_from([SHANGHAI, LONDON]))
def test_parse_and_find_never_raise_on_arbitrary_text(text: str, tz: ZoneInfo) -> None:
    moment = parse_when(text, now=NOW, tz=tz)
    assert moment is None or moment.utcoffset() is not None
    found = find_when(text, now=NOW, tz=tz)
    assert found is None or (found[0].utcoffset() is not None and found[1] in text)
