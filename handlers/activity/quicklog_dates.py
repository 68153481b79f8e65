"""Find when a quick-log message says to follow up: the first future date, instructed first."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.when import find_when, parse_when

PUNCTUATION = r"[,，。;；!！?？\n、]+|\.(?=\s|$)"
_SPLIT = re.compile(  # also "... 50 units follow up next friday"
    PUNCTUATION + r"|\s+(?=(?:follow[\s-]*up|remind|(?:call|ring)\s+(?:\w+\s+)?back)"
    r"(?![A-Za-z]))", re.IGNORECASE)
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")  # 报价5万 周五跟进
_PAST = re.compile(
    r"(?<![A-Za-z])(?:yesterday|last\s+\w+|(?:a|an|\d+|\w+)\s+(?:days?|weeks?|months?)\s+ago|"
    r"earlier\s+today|this\s+morning)(?![A-Za-z])|大?前天|昨[天晚日]|去年|刚才|刚刚|今早|前几天|"
    r"上个?(?:周|星期|礼拜)[一二三四五六日天末]?|上个?月(?:\d+[号日])?|"
    r"(?:\d+|[一二两三四五六七八九十]+)\s*天前", re.IGNORECASE)
_PAST_TENSE = re.compile(r"(?<![A-Za-z])(?:\w+ed|met|rang|spoke|saw|went|sent|had|was|were|"
                         r"told|said)(?![A-Za-z])|了|过", re.IGNORECASE)
_WEEKDAY = re.compile(r"^(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
                      r"^(?:这|本)?(?:(?:周|星期|礼拜)[一二三四五六日天]|周末)", re.IGNORECASE)
_BEFORE = re.compile(r"(?<=[一二三四五六日天末底号点])(?:之|以)?前")  # jionlp: 周五前 = from now
_MONTH_DAY = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3})月")  # 1月5号 with no year
_TODAY = re.compile(r"^(?:today|tonight|今天|今晚)$", re.IGNORECASE)
_NUM = "一二两三四五六七八九十"
_ZH_TIME = (r"(?:\s*(?:上午|下午|晚上|早上|中午|傍晚)?\s*(?:\d{1,2}|[一二两三四五六七八九十]{1,3})"
            r"\s*[点:：](?:\d{1,2}分?|半)?|\s*(?:上午|下午|晚上|早上|中午|傍晚))?")
_OWN_DATES = re.compile(
    rf"(?P<n>\d{{1,3}}|[{_NUM}]{{1,3}})\s*(?P<unit>个月|个?(?:周|星期|礼拜)|天)\s*(?:之后|以后|后)"
    rf"(?P<time>{_ZH_TIME})|过(?P<guo>[{_NUM}几])天(?P<time2>{_ZH_TIME})|"
    r"(?<![A-Za-z])end\s+of\s+(?:the\s+)?(?P<end>month|week)(?![A-Za-z])", re.IGNORECASE)


def find_follow_up(message: str, triggers: list[tuple[int, int]], now: datetime,
                   tz: ZoneInfo) -> tuple[datetime, str, tuple[int, int]] | None:
    """The first future date, looked for in the clauses holding a trigger word first."""
    masked = _PAST.sub(lambda m: " " * len(m.group()), message)
    masked = _BEFORE.sub(lambda m: " " * len(m.group()), masked)
    clauses = split_clauses(message)
    instructed = [c for c in clauses if any(s < c[1] and c[0] < e for s, e in triggers)]
    for clause in instructed + [c for c in clauses if c not in instructed]:
        piece = masked[clause[0]:clause[1]]
        parts = [piece] + (_CJK_GAP.split(piece) if _CJK_GAP.search(piece) else [])
        for found in filter(None, (_date_in(part, now, tz) for part in parts)):
            moment, phrase = found
            if clause not in instructed and _TODAY.match(phrase):
                continue  # "今天和王芳吃饭": when the rep did it, not when to follow up
            if _WEEKDAY.match(phrase):
                if clause not in instructed and _PAST_TENSE.search(piece):
                    continue
                while moment <= now:
                    moment = _local_shift(moment, tz, weeks=1)
            if _MONTH_DAY.match(phrase) and moment <= now and clause in instructed:
                moment = _local_shift(moment, tz, years=1)
            if moment > now:
                return moment, phrase, clause
    return None


def split_clauses(text: str, splitter: re.Pattern[str] = _SPLIT) -> list[tuple[int, int]]:
    """The (start, end) spans of the text's non-blank parts between `splitter` matches."""
    bounds = [0] + [i for m in splitter.finditer(text) for i in m.span()] + [len(text)]
    return [(a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=True) if text[a:b].strip()]


def _date_in(piece: str, now: datetime, tz: ZoneInfo) -> tuple[datetime, str] | None:
    match = _OWN_DATES.search(piece)
    if match:
        moment = _own_date(match, now, tz)
        if moment is not None:
            return moment, match.group().strip()
    try:
        return find_when(piece, now=now, tz=tz)
    except Exception:  # noqa: BLE001 - the date libraries raise assorted errors on odd input
        return None


def _own_date(match: re.Match[str], now: datetime, tz: ZoneInfo) -> datetime | None:
    """A day find_when misreads (两周后 → Monday, 过两天 → nothing); parse_when adds the time."""
    today, g = now.astimezone(tz).date(), match.groupdict()
    if g["n"]:
        count, unit = _count(g["n"]), g["unit"]
        day = (_add_months(today, count) if unit == "个月"
               else today + timedelta(days=count if unit == "天" else 7 * count))
    elif g["guo"]:
        day = today + timedelta(days=3 if g["guo"] == "几" else _count(g["guo"]))
    elif g["end"].lower() == "week":
        day = today + timedelta(days=(4 - today.weekday()) % 7)
    else:
        day = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    time_words = (g["time"] or g["time2"] or "").strip()
    return parse_when(f"{day.year}年{day.month}月{day.day}日{time_words}", now=now, tz=tz)


def _count(word: str) -> int:
    if word.isdigit():
        return int(word)
    digits = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"两": 2}
    tens, _, ones = word.partition("十")
    if "十" not in word:
        return digits.get(word, 1)
    return digits.get(tens, 1) * 10 + digits.get(ones, 0)


def _local_shift(moment: datetime, tz: ZoneInfo, *, weeks: int = 0, years: int = 0) -> datetime:
    """Move by wall-clock time in `tz` (09:00 stays 09:00 across a DST change)."""
    local = moment.astimezone(tz).replace(tzinfo=None) + timedelta(weeks=weeks)
    try:
        local = local.replace(year=local.year + years)
    except ValueError:  # 29 February
        local += timedelta(days=365 * years)
    return local.replace(tzinfo=tz).astimezone(UTC)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
