"""Natural dates in Chinese and English, read in the member's time zone.

Chinese goes to jionlp (dateparser returns nothing for 明天下午3点, 下周二上午, 下个月5号).
English: the time of day is read here and the day by dateparser (which ignores "at 3").
Rules shared by both: a day without a time of day means 09:00 — or the next full hour when
that day is today and 09:00 has passed; 上午 / 下午 / 晚上 (morning / afternoon / evening)
without an hour mean 09:00 / 14:00 / 19:00; a bare hour from 1 to 6 without am/pm or
上午/下午 means the afternoon (a sales call "at 3" or "3点" is at 15:00, not at night).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import ModuleType
from zoneinfo import ZoneInfo

MAX_WHEN = 60
MAX_SCAN = 500
MAX_CANDIDATES = 12
_ZH_WINDOW, _ZH_OVERLAP = 40, 12
DEFAULT_HOUR = 9
AFTERNOON_GUESS = range(1, 7)
_CJK = re.compile(r"[\u4e00-\u9fff]")

# --- Chinese ---------------------------------------------------------------------------------
_ZH_NUM = "[\\d一二三四五六七八九十两]"
_ZH_SHORTHANDS = (  # colloquial forms jionlp does not know, rewritten into ones it does
    (re.compile(r"([今明])早(?![上晨])"), r"\1天早上"),
    (re.compile(r"([今明])晚(?!上)"), r"\1天晚上"),
    (re.compile(r"(?<![本这下个])月底"), "本月底"),
    (re.compile(r"(下个?月)$"), r"\g<1>1号"),
)
_ZH_RELATIVE = re.compile(f"(?:{_ZH_NUM}+|半)\\s*个?\\s*(?:分钟|小时|钟头)[以之]?后")
_ZH_HOUR = re.compile(f"\\d+\\s*[点时:：]|{_ZH_NUM}+\\s*点|中午|半夜")
_ZH_DIGIT_HOUR = re.compile(r"(\d+)\s*[点时]")
_ZH_PERIOD = re.compile("凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|半夜|夜里")
_ZH_PARTS = (("凌晨", 6), ("早上", 9), ("早晨", 9), ("上午", 9), ("中午", 12), ("下午", 14),
             ("傍晚", 18), ("晚上", 19))
# Phrases jionlp's extractor misses, found by hand so find_when sees them too.
_ZH_EXTRA = re.compile(
    f"[今明后]天?[早晚]上?(?:{_ZH_NUM}+点半?)?|(?:本|这个?|下个?)?月底|下个?月初?(?!{_ZH_NUM})")

# --- English ---------------------------------------------------------------------------------
_WD_FULL = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_WD_ABBR = r"mon|tues?|wed|thu(?:rs?)?|fri|sat|sun"
_MONTH = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_COUNT = r"\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|half\s+an"
_CLOCK = (r"(?:at\s+)?(?:\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}|noon|midday|midnight)"
          r"(?![\w:])|at\s+\d{1,2}(?![\w:./])")
_TOD = rf"(?:{_CLOCK}|(?:in\s+the\s+)?(?:morning|afternoon|evening))"
_DAY = (rf"today|tonight|tomorrow|yesterday|tmrw?|day\s+after\s+tomorrow|"
        rf"(?:(?:next|this|coming)\s+|on\s+)?(?:{_WD_FULL})|"
        rf"(?:next|this|coming|on)\s+(?:{_WD_ABBR})|(?:{_WD_ABBR})(?=\s+{_TOD})|"
        rf"next\s+(?:week|month)|\d{{4}}-\d{{1,2}}-\d{{1,2}}|"
        rf"(?:on\s+)?(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d)|"
        rf"(?:on\s+)?(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH})")
_UNIT = r"minutes?|mins?|hours?|hrs?|days?|weeks?|months?"
_EN_PHRASE = re.compile(
    rf"\b(?:(?:{_TOD})\s+)?(?:{_DAY})\b(?:,?\s+(?:{_TOD}))?"
    rf"|\bin\s+(?:{_COUNT})\s+(?:{_UNIT})\b|\b(?:{_COUNT})\s+(?:{_UNIT})\s+(?:from\s+now|later)\b"
    rf"|\b(?:{_CLOCK})",
    re.IGNORECASE)
_EN_REWRITES = (
    (re.compile(r"\btmrw?\b|\btomoz\b"), "tomorrow"),
    (re.compile(r"\bhalf an hour\b"), "30 minutes"),
    (re.compile(r"\b(?:an|one) hour\b"), "1 hour"),
    (re.compile(r"\b(?:this\s+)?coming\s+"), ""),
    (re.compile(r"\b(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                r"(\w+)\s+(?:from now|later)\b"), r"in \1 \2"),
)
_EN_RELATIVE_TIME = re.compile(r"\bin\s+\S+\s+(?:minutes?|mins?|hours?|hrs?)\b")
_EN_CLOCK = re.compile(
    r"(?:\bat\s+)?\b(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>am|pm)(?!\w)"
    r"|(?:\bat\s+)?\b(?P<h2>\d{1,2}):(?P<m2>\d{2})\b|\bat\s+(?P<h3>\d{1,2})\b(?![:./\d])"
    r"|\b(?:at\s+)?(?P<word>noon|midday|midnight)\b")
_EN_PARTS = (("morning", 9), ("afternoon", 14), ("evening", 19), ("tonight", 19))
_EN_PART_WORDS = re.compile(r"\b(?:in\s+the\s+|this\s+)?(?:morning|afternoon|evening)\b")


@lru_cache(maxsize=1)
def _jionlp() -> ModuleType:
    """jionlp, imported on first use (slow); it has no type information."""
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        return importlib.import_module("jionlp")


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """Return the moment `text` names (aware, UTC), or None if it names none."""
    text = text.strip()
    if not text or len(text) > MAX_WHEN:
        return None
    local_now = now.astimezone(tz).replace(tzinfo=None, microsecond=0)
    try:
        local = _chinese(text, local_now) if _CJK.search(text) else _english(text, local_now)
        if local is None:
            return None
        return local.replace(tzinfo=tz).astimezone(UTC)
    except Exception:  # noqa: BLE001 - both libraries raise assorted errors on odd input
        return None


def find_when(text: str, *, now: datetime, tz: ZoneInfo) -> tuple[datetime, str] | None:
    """Find a date phrase in a longer message: (moment, phrase as written); future ones first."""
    past: tuple[datetime, str] | None = None
    for phrase in _candidates(text[:MAX_SCAN], now.astimezone(tz).replace(tzinfo=None)):
        moment = parse_when(phrase, now=now, tz=tz)
        if moment is not None and moment > now:
            return moment, phrase
        past = past or ((moment, phrase) if moment is not None else None)
    return past  # only past moments: the caller can say so (周一鸣 names a person, not Monday)


def _candidates(text: str, local_now: datetime) -> list[str]:
    """Date phrases in `text`, in reading order (Chinese ones first when both match)."""
    found: list[tuple[int, int, str]] = []
    if _CJK.search(text):
        found += [(start, 0, phrase) for start, phrase in _chinese_spans(text, local_now)]
        found += [(m.start(), 0, m.group(0)) for m in _ZH_EXTRA.finditer(text)]
    found += [(m.start(), 1, m.group(0).strip()) for m in _EN_PHRASE.finditer(text)]
    ordered = sorted(found, key=lambda item: item[:2])
    return [phrase for _, _, phrase in ordered[:MAX_CANDIDATES]]


def _chinese_spans(text: str, local_now: datetime) -> list[tuple[int, str]]:
    """Time phrases jionlp finds, read window by window: its extractor slows down with the
    square of the number of time words, so a hostile message must not reach it whole."""
    found: dict[int, str] = {}
    pos = 0
    while pos < len(text) and len(found) < MAX_CANDIDATES:
        window = text[pos : pos + _ZH_WINDOW]
        at_end = pos + len(window) >= len(text)
        following = pos + _ZH_WINDOW - _ZH_OVERLAP
        for start, end, phrase in _extract_time(window, local_now):
            if end >= len(window) and not at_end:  # maybe cut short: read it again whole
                following = min(following, pos + start)
            elif len(phrase) > len(found.get(pos + start, "")):
                found[pos + start] = phrase
        if at_end:
            break
        pos = max(following, pos + 1)
    return sorted(found.items())


def _extract_time(text: str, local_now: datetime) -> list[tuple[int, int, str]]:
    if not _CJK.search(text):
        return []
    try:
        spans = _jionlp().ner.extract_time(text, time_base=local_now, with_parsing=False)
        return [(int(s["offset"][0]), int(s["offset"][1]), str(s["text"])) for s in spans
                if s.get("text")]
    except Exception:  # noqa: BLE001 - jionlp raises assorted errors on odd input
        return []


def _at_day(day: date, hour: int | None, local_now: datetime) -> datetime:
    """A day at `hour`; with no hour, 09:00 — or the next full hour if that is today and past."""
    if hour is not None:
        return datetime.combine(day, time(hour))
    moment = datetime.combine(day, time(DEFAULT_HOUR))
    if day == local_now.date() and moment <= local_now:
        return local_now.replace(minute=0, second=0) + timedelta(hours=1)
    return moment


def _chinese(text: str, local_now: datetime) -> datetime | None:
    text = "".join(text.split())
    for pattern, replacement in _ZH_SHORTHANDS:
        text = pattern.sub(replacement, text)
    if any(int(hour) > 24 for hour in _ZH_DIGIT_HOUR.findall(text)):
        return None  # "99点": jionlp would quietly make it 09:00
    result = _jionlp().parse_time(text, time_base=local_now)
    if not result or result.get("type") not in ("time_point", "time_span"):
        return None
    start = datetime.strptime(result["time"][0], "%Y-%m-%d %H:%M:%S")
    if "底" in text:  # 月底: jionlp gives the last week; the last day is meant
        start = datetime.strptime(result["time"][1], "%Y-%m-%d %H:%M:%S")
    if _ZH_RELATIVE.search(text):
        return start
    if _ZH_HOUR.search(text):
        if not _ZH_PERIOD.search(text) and start.hour in AFTERNOON_GUESS:
            start += timedelta(hours=12)
        return start
    hour = next((h for word, h in _ZH_PARTS if word in text), None)
    return _at_day(start.date(), hour, local_now)


def _english(text: str, local_now: datetime) -> datetime | None:
    text = " ".join(text.lower().replace(",", " ").split())
    for pattern, replacement in _EN_REWRITES:
        text = pattern.sub(replacement, text)
    if _EN_RELATIVE_TIME.search(text):
        return _dateparser(text, local_now)
    clock = _EN_CLOCK.search(text)
    hour_minute = _clock(clock) if clock else None
    if clock and hour_minute is None:
        return None  # "25:00", "13pm"
    part = next((h for word, h in _EN_PARTS if word in text), None)
    rest = _EN_CLOCK.sub(" ", text) if clock else text
    rest = _EN_PART_WORDS.sub(" ", rest.replace("tonight", "today"))
    rest = " ".join(w for w in rest.split() if w not in ("at", "on", "the"))
    if not rest and hour_minute is None and part is None:
        return None
    found = _dateparser(rest, local_now) if rest else local_now
    if found is None:
        return None
    day = found.date()
    if hour_minute is not None:
        return datetime.combine(day, time(*hour_minute))
    return _at_day(day, part, local_now)


def _dateparser(text: str, local_now: datetime) -> datetime | None:
    from dateparser import parse

    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": local_now,
                "RETURN_AS_TIMEZONE_AWARE": False}
    return parse(text, languages=["en"], settings=settings)


def _clock(match: re.Match[str]) -> tuple[int, int] | None:
    """(hour, minute) from a clock match, or None if it is not a time of day."""
    word = match.group("word")
    if word:
        return (0, 0) if word == "midnight" else (12, 0)
    hour = int(match.group("h") or match.group("h2") or match.group("h3"))
    minute = int(match.group("m") or match.group("m2") or 0)
    suffix = match.group("ap")
    if minute > 59 or (suffix and not 1 <= hour <= 12) or hour > 23:
        return None
    if suffix:
        return (hour % 12 + (12 if suffix == "pm" else 0), minute)
    return (hour + 12 if hour in AFTERNOON_GUESS else hour, minute)
