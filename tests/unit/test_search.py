"""Table-driven tests for the pure contact search in crm_store.contacts.search."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_store.contacts.search import (
    Hit,
    SearchIndex,
    SearchKey,
    is_confident,
    name_keys,
    normalise_query,
    phone_digits,
    rank,
)

# (contact_id, name, company, phone, email)
DIRECTORY_ROWS = [
    (1, "张伟", "华东机械", "+86 138 0013 8000", "zhangwei@huadong.example"),
    (2, "张薇", "上海贸易", "+86 139 1111 2222", "vivian@shmy.example"),
    (3, "李娜", "", "+86 137 0000 1111", ""),
    (4, "王芳", "", "", ""),
    (5, "曾志伟", "", "", ""),
    (6, "单田芳", "", "", ""),
    (7, "解晓东", "", "", ""),
    (8, "区永强", "", "", ""),
    (9, "仇英", "", "", ""),
    (10, "朴树", "", "", ""),
    (11, "查良镛", "", "", ""),
    (12, "欧阳娜娜", "", "", ""),
    (13, "John Smith", "Acme Ltd", "+1 (415) 555-0100", "john.smith@acme.example"),
    (14, "Jane Smithers", "Globex", "", "jane@globex.example"),
    (15, "Zhang Wei", "Northwind Traders", "+44 20 7946 0958", "zw@northwind.example"),
]


def make_key(contact_id: int, name: str, company: str, phone: str, email: str) -> SearchKey:
    full, initials = name_keys(name)
    return SearchKey(contact_id, name, company, full, initials, phone_digits(phone), email)


DIRECTORY = [make_key(*row) for row in DIRECTORY_ROWS]
NAMES = {row[0]: row[1] for row in DIRECTORY_ROWS}


def names_of(hits: list[Hit]) -> list[str]:
    return [NAMES[hit.contact_id] for hit in hits]


# --- name_keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张伟", ("zhangwei", "zw")),
        ("欧阳娜娜", ("ouyangnana", "oynn")),
        ("曾志伟", ("zengzhiwei", "zzw")),
        ("单田芳", ("shantianfang", "stf")),
        ("解晓东", ("xiexiaodong", "xxd")),
        ("区永强", ("ouyongqiang", "oyq")),
        ("仇英", ("qiuying", "qy")),
        ("朴树", ("piaoshu", "ps")),
        ("查良镛", ("zhaliangyong", "zly")),
        ("盖聂", ("genie", "gn")),
        ("覃海", ("qinhai", "qh")),
        ("缪可", ("miaoke", "mk")),
        ("乐嘉", ("yuejia", "yj")),
        ("召忽", ("shaohu", "sh")),
        ("尉迟恭", ("yuchigong", "ycg")),
        ("万俟卨", ("moqixie", "mqx")),
        ("长孙无忌", ("zhangsunwuji", "zswj")),
        ("重阳", ("chongyang", "cy")),
        ("翟天临", ("zhaitianlin", "ztl")),
        ("秘书", ("bishu", "bs")),
        ("繁漪", ("poyi", "py")),
        ("任盈盈", ("renyingying", "ryy")),
        ("华罗庚", ("hualuogeng", "hlg")),
        ("曾 志伟", ("zengzhiwei", "zzw")),
    ],
)
def test_name_keys_reads_first_character_as_surname(name: str, expected: tuple[str, str]) -> None:
    assert name_keys(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("John Smith", ("johnsmith", "js")),
        ("  JOHN   smith ", ("johnsmith", "js")),
        ("Li Na (Lina)", ("linalina", "lnl")),
        ("José García", ("josegarcia", "jg")),
        ("张伟 David", ("zhangweidavid", "zwd")),
        ("Dr. 曾志伟", ("drcengzhiwei", "dczw")),
        ("Ｊｏｈｎ", ("john", "j")),
        ("", ("", "")),
        ("😀 <b>", ("b", "b")),
    ],
)
def test_name_keys_handles_latin_and_mixed_names(name: str, expected: tuple[str, str]) -> None:
    assert name_keys(name) == expected


@pytest.mark.parametrize(
    ("company", "expected"),
    [
        ("解放军医院", ("jiefangjunyiyuan", "jfjyy")),
        ("华东机械", ("huadongjixie", "hdjx")),
        ("曾经科技", ("cengjingkeji", "cjkj")),
    ],
)
def test_name_keys_for_companies_does_not_apply_surname_readings(
    company: str, expected: tuple[str, str]
) -> None:
    assert name_keys(company, person=False) == expected


# --- phone_digits / normalise_query ------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+86 138 0013 8000", "8613800138000"),
        ("+1 (415) 555-0100", "14155550100"),
        ("＋８６１３８", "86138"),
        ("", ""),
        (None, ""),
        ("call me", ""),
    ],
)
def test_phone_digits_keeps_only_ascii_digits(phone: str | None, expected: str) -> None:
    assert phone_digits(phone) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("  Zhang   Wei ", "zhang wei"),
        ("ＪＯＨＮ　ＳＭＩＴＨ", "john smith"),
        ("１３８００", "13800"),
        ("a\tb\nc", "a b c"),
        ("ab\x00c\u200b", "abc"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise_query_casefolds_nfkc_and_collapses_whitespace(
    query: str, expected: str
) -> None:
    assert normalise_query(query) == expected


# --- rank: who is found, and whether the answer is confident ------------------------------------

CONFIDENT = "confident"
AMBIGUOUS = "ambiguous"


@pytest.mark.parametrize(
    ("query", "expected_top", "must_include", "outcome"),
    [
        # Exact Chinese name beats homophones (张薇, Zhang Wei score 93) -> act on 张伟.
        ("张伟", "张伟", ["张伟", "Zhang Wei", "张薇"], CONFIDENT),
        # Pinyin / initials / romanised name are shared by 张伟, 张薇 and Zhang Wei -> choices.
        ("zhangwei", None, ["张伟", "张薇", "Zhang Wei"], AMBIGUOUS),
        ("ＺＨＡＮＧＷＥＩ", None, ["张伟", "张薇", "Zhang Wei"], AMBIGUOUS),
        ("zw", None, ["张伟", "张薇", "Zhang Wei", "曾志伟"], AMBIGUOUS),
        ("Zhang Wei", None, ["张伟", "张薇", "Zhang Wei"], AMBIGUOUS),
        # One-letter typos are fuzzy hits (capped at 89) for all three -> choices.
        ("zhangwie", None, ["张伟", "张薇", "Zhang Wei"], AMBIGUOUS),
        ("zhnagwei", None, ["张伟", "张薇", "Zhang Wei"], AMBIGUOUS),
        # Homophone typo: 张为 reads zhangwei -> all three homophones, none exact.
        ("张为", None, ["张伟", "张薇", "Zhang Wei"], AMBIGUOUS),
        ("张", None, ["张伟", "张薇", "Zhang Wei"], AMBIGUOUS),
        # Surname readings.
        ("zengzhiwei", "曾志伟", ["曾志伟"], CONFIDENT),
        ("shantianfang", "单田芳", ["单田芳"], CONFIDENT),
        ("stf", "单田芳", ["单田芳"], CONFIDENT),
        ("xiexiaodong", "解晓东", ["解晓东"], CONFIDENT),
        ("xxd", "解晓东", ["解晓东"], CONFIDENT),
        ("ouyongqiang", "区永强", ["区永强"], CONFIDENT),
        ("qiuying", "仇英", ["仇英"], CONFIDENT),
        ("piaoshu", "朴树", ["朴树"], CONFIDENT),
        ("zhaliangyong", "查良镛", ["查良镛"], CONFIDENT),
        ("zha liang yong", "查良镛", ["查良镛"], CONFIDENT),
        ("oynn", "欧阳娜娜", ["欧阳娜娜"], CONFIDENT),
        ("曾志伟", "曾志伟", ["曾志伟"], CONFIDENT),
        # Latin names and companies.
        ("john", "John Smith", ["John Smith"], CONFIDENT),
        ("JOHN SMITH", "John Smith", ["John Smith"], CONFIDENT),
        ("smith", None, ["John Smith", "Jane Smithers"], AMBIGUOUS),
        ("Jhon Smith", "John Smith", ["John Smith"], CONFIDENT),
        ("acme", "John Smith", ["John Smith"], CONFIDENT),
        ("华东机械", "张伟", ["张伟"], CONFIDENT),
        ("northwind", "Zhang Wei", ["Zhang Wei"], CONFIDENT),
        # Phones: >= 4 digits match as a substring of the stored digits.
        ("13800138000", "张伟", ["张伟"], CONFIDENT),
        ("138 0013 8000", "张伟", ["张伟"], CONFIDENT),
        ("+86 138-0013-8000", "张伟", ["张伟"], CONFIDENT),
        ("8000", "张伟", ["张伟"], CONFIDENT),
        ("(415) 555-0100", "John Smith", ["John Smith"], CONFIDENT),
        # Email.
        ("john.smith@acme.example", "John Smith", ["John Smith"], CONFIDENT),
        ("JANE@GLOBEX.EXAMPLE", "Jane Smithers", ["Jane Smithers"], CONFIDENT),
    ],
)
def test_rank_finds_expected_contacts(
    query: str, expected_top: str | None, must_include: list[str], outcome: str
) -> None:
    hits = rank(DIRECTORY, query)
    found = names_of(hits)
    assert set(must_include) <= set(found), found
    if expected_top is not None:
        assert found[0] == expected_top
    assert is_confident(hits) is (outcome == CONFIDENT), hits


@pytest.mark.parametrize(
    ("query", "contact", "score", "matched"),
    [
        ("张伟", "张伟", 100.0, "name"),
        ("张为", "张伟", 93.0, "pinyin"),
        ("zhangwei", "张伟", 100.0, "pinyin"),
        ("zw", "张伟", 100.0, "initials"),
        ("zw", "曾志伟", 90.0, "initials"),
        ("zhangw", "张伟", 95.0, "pinyin"),
        ("john", "John Smith", 95.0, "name"),
        ("smith", "John Smith", 90.0, "name"),
        ("acme ltd", "John Smith", 100.0, "company"),
        ("acme", "John Smith", 95.0, "company"),
        ("8613800138000", "张伟", 100.0, "phone"),
        ("13800138000", "张伟", 92.0, "phone"),
        ("john.smith@acme.example", "John Smith", 100.0, "email"),
        ("john.smith@", "John Smith", 95.0, "email"),
        ("jhon smith", "John Smith", 89.0, "name"),
    ],
)
def test_rank_scores_by_tier(query: str, contact: str, score: float, matched: str) -> None:
    hits = {NAMES[hit.contact_id]: hit for hit in rank(DIRECTORY, query)}
    assert hits[contact].score == score
    assert hits[contact].matched == matched


@pytest.mark.parametrize("query", ["zhangwie", "zhnagwei", "jhon smith", "zengzhiwie"])
def test_fuzzy_hits_never_reach_exact_tiers(query: str) -> None:
    hits = rank(DIRECTORY, query)
    assert hits
    assert all(hit.score <= 89.0 for hit in hits)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "\t\n",
        "80",
        "138",
        "'; DROP TABLE contacts;--",
        "<b>x</b>",
        "<script>alert(1)</script>",
        "😀",
        "😀😀😀",
        "\x00",
        "%",
        "_",
    ],
)
def test_rank_returns_nothing_for_empty_short_or_hostile_queries(query: str) -> None:
    assert rank(DIRECTORY, query) == []


def test_short_digit_query_does_not_match_phone_numbers() -> None:
    # "80" occurs in 张伟's number, but fewer than 4 digits never match phones.
    assert "80" in DIRECTORY[0].phone
    assert rank(DIRECTORY, "80") == []
    assert names_of(rank(DIRECTORY, "8000")) == ["张伟"]


@pytest.mark.parametrize(
    "query",
    ["x" * 5000, "张" * 5000, "zhangwei " * 600, "😀" * 5000, "a" * 5000, "8" * 5000],
)
def test_very_long_query_is_bounded_and_fast(query: str) -> None:
    started = time.perf_counter()
    hits = rank(DIRECTORY, query)
    assert time.perf_counter() - started < 0.5
    assert len(hits) <= 8


@pytest.mark.parametrize("limit", [0, 1, 2, 3])
def test_rank_respects_limit(limit: int) -> None:
    assert len(rank(DIRECTORY, "z", limit=limit)) <= limit


def test_rank_sorts_by_score_then_name_and_keeps_one_hit_per_contact() -> None:
    hits = rank(DIRECTORY, "zw", limit=20)
    ids = [hit.contact_id for hit in hits]
    assert len(ids) == len(set(ids))
    order = [(-hit.score, NAMES[hit.contact_id].casefold()) for hit in hits]
    assert order == sorted(order)


def test_rank_cutoff_drops_weaker_hits() -> None:
    assert rank(DIRECTORY, "zhangwie", cutoff=90.0) == []
    assert names_of(rank(DIRECTORY, "张为", cutoff=95.0)) == []


def test_rank_accepts_prebuilt_index_and_sees_directory_changes() -> None:
    index = SearchIndex(DIRECTORY)
    assert rank(index, "zhangwei") == rank(DIRECTORY, "zhangwei")
    keys = list(DIRECTORY)
    assert names_of(rank(keys, "oynn")) == ["欧阳娜娜"]
    keys[11] = make_key(12, "欧阳娜", "", "", "")
    assert rank(keys, "oynn") == []
    assert rank(keys, "ouyangna") == [Hit(contact_id=12, score=100.0, matched="pinyin")]


def test_rank_on_empty_directory_is_empty() -> None:
    assert rank([], "zhangwei") == []


# --- is_confident ----------------------------------------------------------------------------


def _hits(*scores: float) -> list[Hit]:
    return [Hit(contact_id=i, score=s, matched="name") for i, s in enumerate(scores)]


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ((), False),
        ((75.0,), True),
        ((100.0, 95.0), True),
        ((100.0, 99.9), True),
        ((100.0, 100.0), False),
        ((95.0, 85.0), True),
        ((90.0, 80.0), True),
        ((95.0, 90.0), False),
        ((89.0, 70.0), False),
        ((93.0, 93.0, 93.0), False),
    ],
)
def test_is_confident_only_for_clear_winners(scores: tuple[float, ...], expected: bool) -> None:
    assert is_confident(_hits(*scores)) is expected


# --- property --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(query=st.text(max_size=300), limit=st.integers(min_value=0, max_value=20))
def test_rank_never_raises_and_respects_limit(query: str, limit: int) -> None:
    hits = rank(DIRECTORY, query, limit=limit)
    assert len(hits) <= limit
    assert len({hit.contact_id for hit in hits}) == len(hits)
    assert all(0.0 < hit.score <= 100.0 for hit in hits)
    assert is_confident(hits) in (True, False)
