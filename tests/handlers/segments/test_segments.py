"""/segments in chat: the summary, filters, the customer lists behind it, the card section."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from crm_store.analytics import profiles, segments
from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.models import AuditLog, Company, Contact, Member, Order, Role
from handlers.callbacks import StaleButton
from handlers.segments.buttons import SegmentList
from handlers.segments.commands import decode, encode, parse_filters
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat

REP_ID, OTHER_ID = 2001, 2002


@dataclass
class Team:
    """Who is who, and the contact ids by name."""

    admin: Member
    rep: Member
    other: Member
    ids: dict[str, int]


def _buy(s: Session, contact: Contact, days: tuple[int, ...], yuan: int) -> None:
    for day in days:
        s.add(Order(team_id=contact.team_id, owner_id=contact.owner_id,
                    contact_id=contact.id or 0, amount_minor=yuan * 100,
                    margin_minor=yuan * 30, status="paid",
                    ordered_at=utcnow() - timedelta(days=day, hours=1)))


def build(engine: Engine, *, language: str = "en", prospects: int = 0) -> Team:
    """Five buyers of the rep in 上海 / 制造, three of the other rep, and some prospects."""
    segments.forget()
    admin = make_admin(engine, language=language)
    rep = make_member(engine, by=admin, name="李明", telegram_user_id=REP_ID, language=language)
    other = make_member(engine, by=admin, name="Olga", telegram_user_id=OTHER_ID)
    buyers = {  # name: (owner, days ago of each order, yuan per order, city, industry, tags)
        "张伟": (rep, (3, 33, 63, 93), 20000, "上海", "制造", ["VIP"]),
        "王芳": (rep, (200, 250, 300), 9000, "上海", "贸易", []),
        "<b>Bold</b> Ltd": (rep, (20,), 800, "北京", None, []),
        "陈杰": (rep, (40, 140), 5000, "北京", "制造", ["VIP"]),
        "刘洋": (rep, (320,), 1200, "广州", None, []),
        "Sun Li": (other, (10, 70, 130), 7000, "上海", None, []),
        "Ma Tao": (other, (190,), 3000, None, None, []),
        "Hu Yan": (other, (60,), 1500, None, None, []),
    }
    ids = {name: make_contact(engine, owner=spec[0], name=name, company="华东机械").id or 0
           for name, spec in buyers.items()}
    for n in range(prospects):
        name = f"Prospect {n:02d}"
        ids[name] = make_contact(engine, owner=admin, name=name).id or 0
    with unit_of_work(engine) as s:
        for name, (_, days, yuan, city, industry, tags) in buyers.items():
            contact = s.get(Contact, ids[name])
            assert contact is not None
            contact.city, contact.industry, contact.tags = city, industry, tags
            s.add(contact)
            _buy(s, contact, days, yuan)
        company = s.exec(select(Company)).one()
        company.industry_position = 4
        s.add(company)
    return Team(admin, rep, other, ids)


def contact_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(Contact)).one())


def audit_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(AuditLog)).one())


async def test_admin_sees_segments_tiers_value_classes_and_stages(chat: Chat) -> None:
    build(chat.engine)
    await chat.send("/segments")
    text = chat.text()
    assert "Customer segments" in text and "Customers: <b>8</b>" in text
    assert "Champions: 1 · ¥80,000" in text  # 张伟: the latest, most frequent, biggest buyer
    assert "Top 20% of buyers (2) make" in text and "A: 3 · 88.6%" in text
    assert "Strategic:" in text and "Lifecycle" in text
    assert "No purchases in the window: 0" in text
    assert any(label.startswith("Champions (1)") for label in chat.buttons())
    assert any(label.startswith("Tier A") for label in chat.buttons())


async def test_segments_answer_in_chinese_for_a_chinese_member(chat: Chat) -> None:
    build(chat.engine, language="zh-CN")
    await chat.send("/segments")
    text = chat.text()
    assert "客户分群" in text and "重要价值客户：1" in text and "价值分级" in text
    assert "生命周期" in text and "战略客户" in text
    await chat.send("/segments 城市 火星")
    assert "没有符合 城市/地区 火星 的客户" in chat.text()


@pytest.mark.parametrize(("language", "note"), [("en", "Figures as of "), ("zh-CN", "数据截至 ")])
async def test_a_big_team_is_told_when_its_stored_figures_were_computed(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, language: str, note: str
) -> None:
    build(chat.engine, language=language)
    await chat.send("/segments")
    live = chat.text()
    assert note not in live
    monkeypatch.setattr(profiles, "LIVE_LIMIT", 5)  # 8 customers make a "big" team now
    await chat.send("/segments")
    stored = chat.text()
    assert note in stored
    assert stored.replace(stored[stored.index("<i>"):stored.index("</i>") + 5], "") == live


@pytest.mark.parametrize(("line", "count", "shown"), [
    ("/segments city 上海 industry 制造", 1, "city/region 上海 · industry 制造"),
    ("/segments 城市 上海", 3, "city/region 上海"),
    ("/segments 城市:上海 标签：VIP", 1, "tag VIP"),
    ("/segments owner 李明", 5, "owner 李明"),
    ("/segments 负责人 Olga", 3, "owner Olga"),
    ("/segments stage at_risk", 3, "stage At risk"),
    ("/segments 阶段 有风险", 3, "stage At risk"),
    ("/segments tag VIP", 2, "tag VIP"),
])
async def test_filters_in_english_or_chinese_narrow_the_summary(
    chat: Chat, line: str, count: int, shown: str
) -> None:
    build(chat.engine)
    await chat.send(line)
    assert f"Customers: <b>{count}</b>" in chat.text()
    assert shown in chat.text()


@pytest.mark.parametrize(("line", "reply"), [
    ("/segments foo bar", "“foo” is not a filter"),
    ("/segments city", "Put a value after “city”"),
    ("/segments city 上海 city 北京", "“city” is given twice"),
    ("/segments stage sometimes", "“sometimes” is not a lifecycle stage"),
    ("/segments owner Nobody", "Nobody you can see in the team is called “Nobody”"),
    ("/segments city " + "长" * 3000, "at most 60 characters"),
    ("/segments city " + "x" * 5000, "too long"),
])
async def test_bad_filters_get_a_specific_reply_and_change_nothing(
    chat: Chat, line: str, reply: str
) -> None:
    build(chat.engine)
    before = (contact_count(chat.engine), audit_count(chat.engine))
    await chat.send(line)
    assert reply in chat.text()
    assert not chat.buttons()
    assert (contact_count(chat.engine), audit_count(chat.engine)) == before


async def test_html_and_sql_looking_filters_are_plain_text(chat: Chat) -> None:
    build(chat.engine)
    before = contact_count(chat.engine)
    await chat.send("/segments city <b>x</b>")
    assert "No customers match city/region &lt;b&gt;x&lt;/b&gt;." in chat.text()
    await chat.send("/segments city '; DROP TABLE contact; --")
    assert "No customers match" in chat.text()
    assert contact_count(chat.engine) == before


async def test_segment_button_lists_its_customers_with_cards_to_open(chat: Chat) -> None:
    team = build(chat.engine)
    await chat.send("/segments")
    await chat.press("Champions (1)")
    reply = chat.last[0]
    assert reply.edit and "<b>Champions</b> · customers: 1 · page 1/1" in reply.text
    assert "张伟" in reply.text and "R5 F5 M5" in reply.text and "李明" in reply.text
    assert f"ct:{team.ids['张伟']}" in [b.action for row in reply.buttons for b in row]
    await chat.press("Segments")
    assert "Customer segments" in chat.text() and chat.last[0].edit


async def test_customer_names_in_lists_are_escaped(chat: Chat) -> None:
    build(chat.engine)
    await chat.send("/segments owner 李明")
    await chat.press("Tier C")
    assert "&lt;b&gt;Bold&lt;/b&gt; Ltd" in chat.text()


async def test_long_groups_come_ten_per_page(chat: Chat) -> None:
    build(chat.engine, prospects=12)
    await chat.send("/segments")
    await chat.press("No purchases (12)")
    first = chat.text()
    assert "page 1/2" in first and first.count("Prospect ") == 10
    await chat.press("Next")
    assert "page 2/2" in chat.text() and chat.text().count("Prospect ") == 2
    await chat.press("Previous")
    assert chat.text() == first


async def test_filters_survive_into_the_lists_and_back(chat: Chat) -> None:
    build(chat.engine)
    await chat.send("/segments city 北京")
    await chat.press("Tier B")  # tier B of the team: 陈杰 (北京) and Ma Tao (no city)
    assert "陈杰" in chat.text() and "Ma Tao" not in chat.text()
    await chat.press("Segments")
    assert "Filters: city/region 北京" in chat.text()


async def test_filters_too_long_for_a_button_are_kept_with_the_chat(chat: Chat) -> None:
    team = build(chat.engine)
    place = "上海市浦东新区张江高科技园区"
    with unit_of_work(chat.engine) as s:
        zhang = s.get(Contact, team.ids["张伟"])
        assert zhang is not None
        zhang.city = place
        s.add(zhang)
    await chat.send(f"/segments city {place} industry 制造")
    data = [b.action for row in chat.last[0].buttons for b in row]
    assert data and all(d.endswith(":~") and len(d.encode()) <= 64 for d in data)
    await chat.press("Champions (1)")
    assert "张伟" in chat.text()
    await chat.press("Segments")
    assert f"Filters: city/region {place}" in chat.text()
    await chat.send("/segments")  # another command: the long filters are gone
    await chat.press_data(data[0])
    assert "no longer valid" in chat.text()


async def test_rep_counts_only_their_own_customers(chat: Chat) -> None:
    build(chat.engine)
    rep = Chat(chat.engine, user_id=REP_ID)
    await rep.send("/segments")
    assert "Customers: <b>5</b>" in rep.text()
    other = Chat(chat.engine, user_id=OTHER_ID)
    await other.send("/segments owner 李明")
    assert "Nobody you can see in the team is called “李明”" in other.text()


async def test_forged_buttons_show_nothing_of_another_reps_customers(chat: Chat) -> None:
    team = build(chat.engine)
    rep = Chat(chat.engine, user_id=REP_ID)
    await rep.press_data(f"sl:l:a:0:o{team.other.id}")
    assert "Sun Li" not in rep.text() and "Nobody is in this group" in rep.text()
    await rep.press_data("sl:l:a:0:")
    assert "Sun Li" not in rep.text()
    for forged in ("sl:zz:ch:0:", "sl:r:zz:0:", "sl:r:ch:x:", "sl:r:ch:0:q1", "sl:r:ch:0",
                   "sl:r:ch:99:", "sg:o12345678901234", "sg:~", "sl:r:ch:0:s9"):
        await rep.press_data(forged)
        assert "no longer valid" in rep.text(), forged


async def test_contact_card_shows_segment_scores_tier_and_stage(chat: Chat) -> None:
    team = build(chat.engine)
    await chat.press_data(f"ct:{team.ids['张伟']}")
    text = chat.text()
    assert "<b>Segment</b>" in text and "RFM: Champions (R5 F5 M5) · tier A" in text
    assert "Value score:" in text and "Lifecycle: Active" in text


async def test_contact_card_of_a_prospect_says_no_purchases_in_chinese(chat: Chat) -> None:
    team = build(chat.engine, language="zh-CN", prospects=1)
    await chat.press_data(f"ct:{team.ids['Prospect 00']}")
    assert "RFM：最近 365 天没有购买" in chat.text() and "生命周期：潜在客户" in chat.text()


async def test_manager_without_reps_is_told_there_are_no_customers_yet(chat: Chat) -> None:
    team = build(chat.engine)
    make_member(chat.engine, by=team.admin, role=Role.MANAGER, name="Boss",
                telegram_user_id=3001)
    boss = Chat(chat.engine, user_id=3001)
    await boss.send("/segments")
    assert "No customers yet" in boss.text()


@pytest.mark.parametrize(("args", "found"), [
    ("city 上海 industry 制造", {"city": "上海", "industry": "制造"}),
    ("CITY: New York", {"city": "New York"}),
    ("负责人 李 明 阶段 at risk", {"owner": "李 明", "stage": "at risk"}),
    ("", {}),
])
def test_filter_words_split_into_filters(args: str, found: dict[str, str]) -> None:
    assert parse_filters(args) == found


def test_filters_round_trip_through_button_data() -> None:
    filters = segments.SegmentFilters(city="上海", industry="制造", tag="VIP", owner_id=12,
                                      stage="at_risk")
    assert decode(encode(filters) or "") == filters
    assert encode(segments.SegmentFilters(city="a|b")) is None
    assert decode("c") is None and decode("x1") is None and decode("c1|c2") is None
    assert decode("o²") is None  # a digit to str.isdigit, not to int(): a forged button


def test_forged_owner_in_segment_button_is_stale() -> None:
    with pytest.raises(StaleButton):
        SegmentList.unpack("sl:r:ch:0:o²")
