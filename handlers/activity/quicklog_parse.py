"""Read a free-typed activity message: which contact, what kind, when to follow up, how much.

Pure: no database, no network. Dates go through handlers.when.find_when, one clause at a
time with past phrases blanked out; what it misreads or misses (两周后 → Monday, 两周后下午3点,
过两天, 下周五前, "end of the month", a bare 周五 said on a Sunday, "报价5万 周五跟进") is
handled in handlers.activity.quicklog_dates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rapidfuzz import process, utils
from rapidfuzz.distance import OSA

from crm_store.errors import Invalid
from crm_store.models import InteractionKind
from crm_store.money import parse_amount
from handlers.activity.quicklog_dates import PUNCTUATION, find_follow_up, split_clauses

MAX_MESSAGE = 1000
MAX_CANDIDATES = 10
_K = InteractionKind


@dataclass(frozen=True)
class QuickLog:
    """What a plain message logs: contact candidates, kind, note, follow-up and amount."""

    contact_ids: tuple[int, ...]
    contact_phrase: str
    kind: InteractionKind
    text: str
    follow_up_at: datetime | None
    follow_up_phrase: str
    amount_minor: int | None


@dataclass(frozen=True)
class _Hit:
    contact_id: int
    score: int
    start: int
    end: int


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LETTER = r"A-Za-z0-9\u00c0-\u024f"
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f](?:[A-Za-z\u00c0-\u024f'’-]*[A-Za-z\u00c0-\u024f])?")
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
             "万俟", "夏侯", "令狐", "宇文", "司徒", "端木", "独孤", "南宫", "西门", "澹台")
_FORMS = ("老{}", "小{}", "{}总", "{}经理", "{}工", "{}老师", "{}姐", "{}哥", "{}董",
          "{}老板", "{}主任", "{}先生", "{}女士", "{}小姐", "{}师傅", "{}总监")
_NOT_NAMES = frozenset("小时 老师 小说 小组 小心 老是 老公 小区 小孩 小学 老大 小型 小于 老实 "
                       "小吃 老板 老人 老外 小计 老乡 小米 明天 今天 后天 国庆 春节 中秋 "
                       "文件 东西 发展 建设 工作".split())
_COMMON = frozenset("will may mark bill grace hope joy rose june april art pat sue don chase "
                    "frank rich guy max sky sun long young king amber summer page hunter "
                    "white black brown green gray grey price cash love".split())
_DATE_START = re.compile(r"明[天早晚日年]|后天|今[天早晚]|[上下]午|晚上")
_TRIGGER = re.compile(
    r"(?<![A-Za-z])(?:follow[\s-]*up|followup|f/u|remind(?:\s+me)?|reminder|"
    r"(?:call|ring)\s+(?:\w+\s+)?back|check\s+back|get\s+back\s+to|touch\s+base"
    r"|reply|answer)(?![A-Za-z])|跟进|提醒|回访|再联系|再约|回个?电话|再打个?电话|再沟通|回复|答复",
    re.IGNORECASE)
_VERBS = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in (
    (_K.CALL, r"(?<![A-Za-z])(?:called|calling|call|phoned|phone\s+call|rang|on\s+the\s+phone)"
              r"(?![A-Za-z])|打了?电话|电话|打给|致电|通话|通了电话|来电"),
    (_K.VISIT, r"(?<![A-Za-z])(?:visited|visiting|visit|dropped\s+by|stopped\s+by)(?![A-Za-z])|"
               r"拜访|上门|去了(?!解)|走访|到访|登门"),
    (_K.MEETING, r"(?<![A-Za-z])(?:met|meet|meeting|meetings)(?![A-Za-z])|"
                 r"开会|开了会|见面|会议|会面|面谈|见了|约见|碰面"),
    (_K.EMAIL, r"(?<![A-Za-z])(?:e-?mailed|e-?mail|e-?mails|mailed)(?![A-Za-z])|邮件|电邮"),
    (_K.MESSAGE, r"(?<![A-Za-z])(?:messaged|message|texted|text\s+message|wechat(?:ted|ed)?|"
                 r"whatsapp(?:ed)?|sms|dm'?d)(?![A-Za-z])|微信|发消息|短信|发信息|留言"),
))


def parse_quick_log(text: str, *, names: Sequence[tuple[int, str, str]] | NameTables,
                    now: datetime, tz: ZoneInfo) -> QuickLog | None:
    """Read a plain message as a log; None if it names no contact and no activity."""
    message = text.strip()
    if not message or len(message) > MAX_MESSAGE:
        return None
    hits = _contact_hits(message, names)
    triggers = [m.span() for m in _TRIGGER.finditer(message)]
    kind = _kind(_blank(message, triggers))
    if not hits and kind is None:
        return None
    follow = find_follow_up(message, triggers, now, tz)
    note = _note(message, follow, hits, triggers) if follow else message
    return QuickLog(
        contact_ids=tuple(dict.fromkeys(hit.contact_id for hit in hits)),
        contact_phrase=message[hits[0].start:hits[0].end] if hits else "",
        kind=kind or _K.NOTE, text=note,
        follow_up_at=follow[0] if follow else None, follow_up_phrase=follow[1] if follow else "",
        amount_minor=find_amount(message))


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _kind(text: str) -> InteractionKind | None:
    found = [(m.start(), -len(m.group()), kind) for kind, rx in _VERBS if (m := rx.search(text))]
    return min(found)[2] if found else None


# --- contacts ---------------------------------------------------------------------------

@dataclass(frozen=True)
class NameTables:
    """The visible contacts' names prepared for reading free text (built once per roster)."""

    cjk: list[tuple[int, str]]  # lower-cased Chinese names of 2+ characters
    full: dict[str, set[int]]  # latin full names and long single names
    words: dict[str, set[int]]  # latin first and last words
    pinyins: dict[str, set[int]]  # a Chinese name's pinyin, spaces removed
    forms: dict[str, set[int]]  # 老张 / 张总 / 小张 / 伟明
    fuzzy: list[tuple[int, str, int]]  # latin names long enough for a one-typo match


def name_tables(names: Sequence[tuple[int, str, str]]) -> NameTables:
    """Prepare (id, name, pinyin) rows for `parse_quick_log`; reuse the result while the
    contacts are unchanged (handlers/quicklog.py keeps it with the search index)."""
    cjk: list[tuple[int, str]] = []
    full: dict[str, set[int]] = {}
    words: dict[str, set[int]] = {}
    pinyins: dict[str, set[int]] = {}
    forms: dict[str, set[int]] = {}
    fuzzy: list[tuple[int, str, int]] = []
    for cid, raw_name, raw_pinyin in names:
        name = _lower(" ".join(str(raw_name or "").split()))
        if _CJK.search(name):
            if len(name) >= 2:
                cjk.append((cid, name))
            _chinese_forms(cid, name, forms)
            pinyin = "".join(str(raw_pinyin or "").lower().split())
            if len(pinyin) >= 4 and pinyin.isascii() and pinyin.isalpha():
                pinyins.setdefault(pinyin, set()).add(cid)
            continue
        tokens = [w.lower() for w in _WORD.findall(name)]
        key = " ".join(tokens)
        if len(tokens) > 1 or len(key) >= 3:
            full.setdefault(key, set()).add(cid)
        for word in {tokens[0], tokens[-1]} if len(tokens) > 1 else ():
            if len(word) >= 3:
                words.setdefault(word, set()).add(cid)
        if len(key.replace(" ", "")) >= 5 and len(tokens) <= 4:
            fuzzy.append((cid, key, len(tokens)))
    return NameTables(cjk, full, words, pinyins, forms, fuzzy)


def _contact_hits(text: str, names: Sequence[tuple[int, str, str]] | NameTables) -> list[_Hit]:
    """Every way the text names a contact, best first, one hit per contact."""
    tables = names if isinstance(names, NameTables) else name_tables(names)
    lowered, hits = _lower(text), []
    windows = _windows(text)
    for cid, name in tables.cjk:
        if name in lowered:
            hits += [_Hit(cid, 100, s, e) for s, e in _occurrences(lowered, name)]
    for size, spans in windows.items():
        for start, end, key in spans:
            hits += [_Hit(cid, 100, start, end) for cid in tables.full.get(key, ())]
            hits += [_Hit(cid, 95, start, end)
                     for cid in tables.pinyins.get(key.replace(" ", ""), ())]
            owners = tables.words.get(key, set()) if size == 1 else set()
            if owners and (key not in _COMMON or text[start].isupper()):
                hits += [_Hit(cid, 80 if len(owners) == 1 else 65, start, end) for cid in owners]
    for form, owners in tables.forms.items():
        if form in text:
            for start, end in _occurrences(text, form):
                hits += [_Hit(cid, 75 if len(owners) == 1 else 60, start, end) for cid in owners]
    hits += _fuzzy_hits(text, windows, tables.fuzzy)
    return _rank(hits, text)


def _lower(text: str) -> str:
    """Lower-case without changing the length (so spans stay valid)."""
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def _windows(text: str) -> dict[int, list[tuple[int, int, str]]]:
    """Runs of 1-4 latin words separated by spaces: (start, end, 'lowercase words')."""
    tokens = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    windows: dict[int, list[tuple[int, int, str]]] = {}
    for i in range(len(tokens)):
        for size in range(1, 5):
            run = tokens[i:i + size]
            gaps = (text[a[1]:b[0]] for a, b in zip(run, run[1:], strict=False))
            if len(run) < size or any(gap.strip(" .") for gap in gaps):
                break
            if _bounded(text, run[0][0], run[-1][1]):
                windows.setdefault(size, []).append(
                    (run[0][0], run[-1][1], " ".join(t[2] for t in run)))
    return windows


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (re.match(f"[{_LETTER}]", before) and re.match(f"[{_LETTER}]", text[start])
                or re.match(f"[{_LETTER}]", after) and re.match(f"[{_LETTER}]", text[end - 1]))


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(needle)
    while start >= 0 and needle:
        if _bounded(text, start, start + len(needle)):
            spans.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return spans


def _chinese_forms(cid: int, name: str, forms: dict[str, set[int]]) -> None:
    """老张 / 张总 / 小张 and a two-character given name (张伟明 → 伟明)."""
    if not (2 <= len(name) <= 4 and all(_CJK.match(ch) for ch in name)):
        return
    surname = name[:2] if name[:2] in _COMPOUND else name[0]
    keys = [form.format(surname) for form in _FORMS]
    if len(name) - len(surname) == 2:
        keys.append(name[len(surname):])
    for key in keys:
        if key not in _NOT_NAMES and key != name:
            forms.setdefault(key, set()).add(cid)


def _fuzzy_hits(text: str, windows: dict[int, list[tuple[int, int, str]]],
                names: list[tuple[int, str, int]]) -> list[_Hit]:
    """Latin names one typo away (Jhon Smith); single words only when capitalised.

    Each window of the text is compared with the names of its word count (a few windows,
    many names: one rapidfuzz call per window, not per name)."""
    hits = []
    for size, spans in windows.items():
        group = [(cid, key) for cid, key, words in names if words == size]
        if not group:
            continue
        keys = [key for _cid, key in group]
        for start, end, window in spans:
            if size == 1 and not text[start].isupper():
                continue
            found = process.extract(window, keys, scorer=OSA.distance,
                                    processor=utils.default_process, score_cutoff=1,
                                    limit=None)
            hits += [_Hit(group[index][0], 85, start, end)
                     for _choice, distance, index in found if distance == 1]
    return hits


def _rank(hits: list[_Hit], text: str) -> list[_Hit]:
    """Best hit per contact, dropping one inside a longer or stronger hit of another contact
    (张伟 inside 张伟明) unless a date word may start there (张伟明天来: 张伟 + 明天)."""
    owners: dict[tuple[int, int], dict[int, int]] = {}
    for hit in hits:
        scores = owners.setdefault((hit.start, hit.end), {})
        scores[hit.contact_id] = max(scores.get(hit.contact_id, 0), hit.score)
    tops = {span: sorted(scores.items(), key=lambda item: -item[1])[:2]
            for span, scores in owners.items()}

    def covered(hit: _Hit) -> bool:
        if _DATE_START.match(text, hit.end):
            return False
        for (start, end), top in tops.items():
            if start <= hit.start and hit.end <= end:
                others = [score for cid, score in top if cid != hit.contact_id]
                longer = end - start > hit.end - hit.start
                if others and (longer or others[0] > hit.score):
                    return True
        return False

    best: dict[int, _Hit] = {}
    for hit in sorted(hits, key=lambda h: (-h.score, h.start - h.end, h.start, h.contact_id)):
        if len(best) >= MAX_CANDIDATES:
            break
        if hit.contact_id not in best and not covered(hit):
            best[hit.contact_id] = hit
    return list(best.values())


# --- note text ---------------------------------------------------------------------------

_FILLER = re.compile(
    r"(?<![A-Za-z])(?:me|to|with|him|her|them|on|at|by|the|again|please|pls|and|then|about|"
    r"it|us|up|back|in|next|by)(?![A-Za-z])|我|再|他们|他|她|一下|要|记得|请|在|和|跟|给|时候|"
    r"之?前|吧|了|的|再次|需要|一起|然后|就|[\s\W_]", re.IGNORECASE)


def _note(message: str, follow: tuple[datetime, str, tuple[int, int]], hits: list[_Hit],
          triggers: list[tuple[int, int]]) -> str:
    """The message without a sentence part that only says when to follow up."""
    clauses = split_clauses(message, re.compile(PUNCTUATION))
    index = next(i for i, (s, e) in enumerate(clauses) if s <= follow[2][0] < e)
    start, end = clauses[index]
    residue = _blank(message, [(h.start, h.end) for h in hits] + triggers)[start:end]
    residue = residue.replace(follow[1], " ")
    if _FILLER.sub("", residue) or len(clauses) == 1:
        return message
    if index + 1 < len(clauses):
        note = message[:start] + message[clauses[index + 1][0]:]
    else:
        note = message[:clauses[index - 1][1]] + message[end:]
    return note.strip(" ,，。;；、\n") or message


# --- amount ------------------------------------------------------------------------------

_AMOUNT_NUM = r"\d[\d,，]*(?:\.\d+)?"
_UNIT = r"百万|万(?:\d(?![\d.,，]))?|千|亿|k|w"  # 3万5 = 35,000
_AMOUNT = re.compile(
    rf"(?P<sign>[¥￥$€£]|(?<![A-Za-z])(?:rmb|cny|usd|eur|hkd)(?![A-Za-z]))\s*"
    rf"(?P<n1>{_AMOUNT_NUM})(?P<u1>{_UNIT}|mn|m)?(?:元|块钱?)?|"
    rf"(?<![\d.,，A-Za-z])(?P<n2>{_AMOUNT_NUM})(?:(?P<u2>{_UNIT})(?:元|块钱?)?"
    rf"(?![A-Za-z])|\s?(?P<u3>元|块钱?|rmb|cny|yuan)(?![A-Za-z]))|"
    rf"(?<![A-Za-z])(?P<kw>quote[ds]?|quotation|price[ds]?|priced|amount|budget|total|"
    rf"报价|价格|总价|金额|合同额?|预算|单价)(?![A-Za-z])\s*(?:(?:of|is|at|was|about|around|="
    rf"|:|：|为|是|约|大约|大概|共|总共|~)\s*)*(?P<n3>{_AMOUNT_NUM})(?P<u4>{_UNIT})?"
    rf"(?:元|块钱?)?(?![A-Za-z\d.万千亿])", re.IGNORECASE)
_QUANTITY = re.compile(
    r"\s*(?:units?|pcs|pieces?|sets?|people|persons?|boxes|cartons?|tons?|kg|km|items?|"
    r"orders?|days?|weeks?|months?|years?|%|/\d|[件个台套只箱吨米片张支条份人位次天号日月年点斤瓶包盒辆家股])",
    re.IGNORECASE)


def find_amount(text: str) -> int | None:
    """The first sum of money in the text, in minor units ('报价5万' → 5_000_000)."""
    for match in _AMOUNT.finditer(text[:MAX_MESSAGE]):
        number = match["n1"] or match["n2"] or match["n3"]
        unit = match["u1"] or match["u2"] or match["u4"] or ""
        plain = not (match["sign"] or match["u3"] or unit)
        if (plain or unit) and not match["u3"] and _QUANTITY.match(text, match.end()):
            continue
        if plain and len(number.replace(",", "")) >= 11:
            continue  # a phone number after 合同 / quote, not a sum
        sign = match["sign"] if match["sign"] and not match["sign"].isalpha() else ""
        if len(unit) == 2 and unit[0] == "万" and "." not in number:
            number, unit = f"{number.replace(',', '')}.{unit[1]}", "万"
        try:
            return parse_amount(f"{sign}{number}{unit}")
        except Invalid:
            continue
    return None
