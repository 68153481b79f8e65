"""/team in chat: the per-rep table, drill-down buttons, visibility, the /complaints summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from crm_store.analytics.team_activity import period_bounds
from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.models import (
    Contact,
    Deal,
    DealStatus,
    Feedback,
    FeedbackKind,
    Interaction,
    InteractionKind,
    Member,
    Role,
    StageChange,
    Task,
)
from tests.builders import make_admin, make_member
from tests.handlers.conftest import Chat

MANAGER_ID, WANG_ID, LI_ID, SUN_ID, CHEN_ID = 3001, 3002, 3003, 3004, 3005


def mid_today() -> datetime:
    """Halfway between local midnight (Shanghai, every member's zone here) and now."""
    now = utcnow()
    start, _ = period_bounds("d", now=now, tz="Asia/Shanghai")
    return start + (now - start) / 2


@dataclass
class People:
    manager: Member
    wang: Member
    li: Member
    chen: Member


def build(engine: Engine, wang_name: str = "Rep Wang") -> People:
    """Wang: a new contact, 2 calls, a visit, a ¥50,000 deal opened and won today.
    Li: a call and an overdue follow-up. Chen (Manager Sun's rep): 3 calls."""
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Manager Zhou",
                          telegram_user_id=MANAGER_ID)
    wang = make_member(engine, by=manager, name=wang_name, telegram_user_id=WANG_ID)
    li = make_member(engine, by=manager, name="Rep Li", telegram_user_id=LI_ID)
    sun = make_member(engine, by=admin, role=Role.MANAGER, name="Manager Sun",
                      telegram_user_id=SUN_ID)
    chen = make_member(engine, by=sun, name="Rep Chen", telegram_user_id=CHEN_ID)
    when = mid_today()
    with unit_of_work(engine) as s:
        def contact(owner: Member, name: str, created: datetime) -> Contact:
            row = Contact(team_id=owner.team_id, owner_id=owner.id, name=name,
                          created_at=created)
            s.add(row)
            s.flush()
            return row

        def touch(member: Member, where: Contact, kind: InteractionKind, text: str) -> None:
            s.add(Interaction(team_id=member.team_id, contact_id=where.id, member_id=member.id,
                              kind=kind, text=text, occurred_at=when))

        zhang = contact(wang, "张伟", when)
        touch(wang, zhang, InteractionKind.CALL, "asked for a quote")
        touch(wang, zhang, InteractionKind.CALL, "<b>sent</b> the quote")
        touch(wang, zhang, InteractionKind.VISIT, "signed")
        deal = Deal(team_id=wang.team_id, owner_id=wang.id, contact_id=zhang.id,
                           title="50 pumps", amount_minor=5_000_000, stage="won",
                           status=DealStatus.WON, created_at=when, closed_at=when)
        s.add(deal)
        s.flush()
        s.add(StageChange(team_id=wang.team_id, deal_id=deal.id, from_stage="lead",
                          to_stage="won", member_id=wang.id, at=when))
        li_na = contact(li, "李娜", when - timedelta(days=40))
        touch(li, li_na, InteractionKind.CALL, "no answer")
        s.add(Task(team_id=li.team_id, owner_id=li.id, contact_id=li_na.id, text="call back",
                   due_at=utcnow() - timedelta(days=1)))
        liu = contact(chen, "刘洋", when - timedelta(days=40))
        for _ in range(3):
            touch(chen, liu, InteractionKind.CALL, "hello")
    return People(manager, wang, li, chen)


async def test_manager_sees_each_rep_with_figures_totals_and_drill_buttons(
    engine: Engine,
) -> None:
    build(engine)
    chat = Chat(engine, user_id=MANAGER_ID)
    await chat.send("/team")
    text = chat.text()
    assert "<b>Team activity — this week" in text
    assert ("1. <b>Rep Wang</b> — won ¥50,000 (1)\n"
            "📞 2 · 🚗 1 · 🤝 0 · 👤 1 · 💼 1 · ↗ 1 · ⏰ 0 · ⚠️ 0") in text
    assert ("2. <b>Rep Li</b> — won ¥0 (0)\n"
            "📞 1 · 🚗 0 · 🤝 0 · 👤 0 · 💼 0 · ↗ 0 · ⏰ 1 · ⚠️ 0") in text
    assert "3. <b>Manager Zhou</b> — won ¥0 (0)" in text
    assert "<b>Total</b> (3 members) — won ¥50,000 (1)\n" \
           "📞 3 · 🚗 1 · 🤝 0 · 👤 1 · 💼 1 · ↗ 1 · ⏰ 1 · ⚠️ 0" in text
    assert "Rep Chen" not in text and "Manager Sun" not in text
    assert chat.buttons() == ["🔍 Rep Wang", "🔍 Rep Li", "🔍 Manager Zhou", "Today",
                              "• This week", "This month"]


async def test_drill_down_shows_the_reps_figures_latest_touches_and_back(engine: Engine) -> None:
    people = build(engine)
    chat = Chat(engine, user_id=MANAGER_ID)
    await chat.send("/team today")
    assert "<b>Team activity — today (" in chat.text()
    await chat.press("Rep Wang")
    text = chat.text()
    assert chat.last[0].edit and "<b>Rep Wang</b> — today (" in text
    for line in ("📞 Calls: 2", "🚗 Visits: 1", "👤 New contacts: 1", "💼 New deals: 1",
                 "↗ Stage moves: 1", "🏆 Deals won ¥50,000 (1)", "⏰ Overdue follow-ups now: 0",
                 "📂 Open deals now: 0 (¥0)", "<b>Latest interactions</b>"):
        assert line in text, line
    assert "call · <b>张伟</b>: &lt;b&gt;sent&lt;/b&gt; the quote" in text
    assert text.count("<b>张伟</b>") == 3
    await chat.press("This month")
    assert f"tm:{people.wang.id}:m" in [b.action for r in chat.last for row in r.buttons
                                        for b in row]
    assert "<b>Rep Wang</b> — this month (" in chat.text()
    await chat.press("Team")
    assert "<b>Team activity — this month (" in chat.text()


async def test_team_in_chinese_with_period_words(engine: Engine) -> None:
    build(engine)
    chat = Chat(engine, user_id=MANAGER_ID)
    await chat.send("/lang zh")
    await chat.send("/team 本月")
    text = chat.text()
    assert "<b>团队活动 — 本月（" in text
    assert "1. <b>Rep Wang</b> — 赢单 ¥50,000（1 单）" in text
    assert "<b>合计</b>（3 人）— 赢单 ¥50,000（1 单）" in text
    assert "• 本月" in chat.buttons()
    await chat.press("Rep Li")
    assert "⏰ 当前逾期跟进：1" in chat.text() and "<b>李娜</b>：no answer" in chat.text()
    await chat.send("/team 今天")
    assert "<b>团队活动 — 今天（" in chat.text()
    await chat.send("/team 明年")
    assert "用法：<code>/team 今天</code>" in chat.text()


async def test_rep_sees_only_their_own_figures_even_with_forged_buttons(engine: Engine) -> None:
    people = build(engine)
    chat = Chat(engine, user_id=LI_ID)
    await chat.send("/team month")
    text = chat.text()
    assert "<b>Rep Li</b> — this month (" in text and "⏰ Overdue follow-ups now: 1" in text
    assert "Rep Wang" not in text and "Manager Zhou" not in text and "Total" not in text
    assert not any("🔍" in label or "Team" in label for label in chat.buttons())
    await chat.press_data(f"tm:{people.wang.id}:w")
    assert chat.text() == "No such member in your team."
    await chat.press_data("tm:0:w")  # "the whole team" is the rep's own card
    assert "<b>Rep Li</b> — this week (" in chat.text() and "Rep Wang" not in chat.text()


async def test_manager_cannot_drill_into_another_managers_rep(engine: Engine) -> None:
    people = build(engine)
    chat = Chat(engine, user_id=MANAGER_ID)
    await chat.press_data(f"tm:{people.chen.id}:w")
    assert chat.text() == "No such member in your team." and "Rep Chen" not in chat.text()
    sun = Chat(engine, user_id=SUN_ID)
    await sun.send("/team")
    assert "1. <b>Rep Chen</b>" in sun.text() and "📞 3 · " in sun.text()
    assert "Rep Wang" not in sun.text()


async def test_bad_arguments_and_forged_data_get_a_short_reply(engine: Engine) -> None:
    build(engine)
    chat = Chat(engine, user_id=MANAGER_ID)
    for args in ("yesterday", "<b>week</b>", "week'; DROP TABLE member; --", "-1", "99999"):
        await chat.send(f"/team {args}")
        assert chat.text().startswith("Usage: <code>/team today</code>"), args
    await chat.send("/team " + "w" * 5000)
    assert "too long" in chat.text()
    for data in ("tm:abc:w", "tm:1:x", "tm:", "tm:1", "tm:-1:w", "tm:" + "9" * 40 + ":w"):
        replies = await chat.press_data(data)
        assert len(replies) == 1 and len(replies[0].text) < 120, data
    await chat.press_data("tm:999999:w")
    assert chat.text() == "No such member in your team."
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Member)).one() == 6


async def test_names_with_html_are_escaped_in_the_table(engine: Engine) -> None:
    build(engine, wang_name="<i>Wang</i> & Co")
    chat = Chat(engine, user_id=MANAGER_ID)
    await chat.send("/team")
    assert "<b>&lt;i&gt;Wang&lt;/i&gt; &amp; Co</b>" in chat.text()
    assert "🔍 <i>Wang</i> & Co" in chat.buttons()  # labels are plain text, not HTML


def add_service_data(engine: Engine, people: People) -> None:
    """Wang: one complaint answered after 2 h and resolved after 5 h, one unanswered for 6 h;
    CSAT 5 and 3; NPS 10 and 0."""
    now = utcnow()
    with unit_of_work(engine) as s:
        zhang = s.exec(select(Contact).where(Contact.name == "张伟")).one()
        common = dict(team_id=zhang.team_id, contact_id=zhang.id, owner_id=people.wang.id,
                      member_id=people.wang.id)
        earlier = now - timedelta(hours=10)
        s.add(Feedback(**common, kind=FeedbackKind.COMPLAINT, severity="low", text="late",
                       status="resolved", created_at=earlier,
                       first_response_at=earlier + timedelta(hours=2),
                       resolved_at=earlier + timedelta(hours=5)))
        s.add(Feedback(**common, kind=FeedbackKind.COMPLAINT, severity="high", text="broken",
                       status="open", created_at=now - timedelta(hours=6)))
        for csat, nps in ((5, 10), (3, 0)):
            s.add(Feedback(**common, kind=FeedbackKind.RATING, status="closed", csat=csat,
                           created_at=earlier))
            s.add(Feedback(**common, kind=FeedbackKind.RATING, status="closed", nps=nps,
                           created_at=earlier))


async def test_complaints_shows_managers_the_service_summary_above_the_list(
    engine: Engine,
) -> None:
    people = build(engine)
    add_service_data(engine, people)
    chat = Chat(engine, user_id=MANAGER_ID)
    await chat.send("/complaints")
    text = chat.text()
    assert text.startswith(
        "<b>Service, last 90 days</b>\n"
        "Open complaints: 1 · SLA breaches: 1 (first response over 4 h)\n"
        "Median first response: 2 h · median resolution: 5 h\n"
        "CSAT: 50% satisfied (2 ratings) · NPS: 0 (2 ratings)\n\n"
        "<b>Open complaints</b> (1–1 of 1")
    assert "<b>张伟</b> · 🟠 high · 6 h · Rep Wang" in text
    await chat.send("/lang zh")
    await chat.send("/complaints")
    assert chat.text().startswith(
        "<b>近 90 天服务情况</b>\n"
        "未处理投诉：1 · 超时未响应：1（首次响应超过 4 小时）\n"
        "首次响应中位数：2 小时 · 处理时长中位数：5 小时\n"
        "满意度（CSAT）：50% 满意（2 个评分）· NPS：0（2 个评分）\n\n<b>未处理的投诉</b>")


async def test_reps_complaints_list_has_no_summary_and_empty_summary_shows_dashes(
    engine: Engine,
) -> None:
    people = build(engine)
    add_service_data(engine, people)
    rep = Chat(engine, user_id=WANG_ID)
    await rep.send("/complaints")
    assert rep.text().startswith("<b>Open complaints</b>") and "Service" not in rep.text()
    sun = Chat(engine, user_id=SUN_ID)
    await sun.send("/complaints")
    assert sun.text() == (
        "<b>Service, last 90 days</b>\n"
        "Open complaints: 0 · SLA breaches: 0 (first response over 4 h)\n"
        "Median first response: — · median resolution: —\n"
        "CSAT: — satisfied (0 ratings) · NPS: — (0 ratings)\n\n"
        "No open complaints. 🎉")
