"""/pipeline, /forecast, /funnel and /atrisk in chat: figures, filters, paging, visibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.models import AuditLog, Contact, DialogState, Member, Order, Role
from crm_store.team.worktime import local_date
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat
from tests.store.analytics.test_pipeline_stats import DAY, K, add_deal, ten_deals

NOW = utcnow()


async def team(chat: Chat, language: str = "en") -> tuple[Member, Member, Contact]:
    """The admin, a rep 李明 and the rep's customer 张伟."""
    admin = make_admin(chat.engine, language=language)
    rep = make_member(chat.engine, by=admin, name="李明", telegram_user_id=2002,
                      language=language)
    return admin, rep, make_contact(chat.engine, owner=rep, name="张伟", company="Acme")


def open_deals(engine: Engine, rep: Member, contact: Contact) -> None:
    """Lead 100 K, proposal 40 K, negotiation 200 K (closing today), proposal 10 K (no date)."""
    today = local_date(NOW, "Asia/Shanghai")
    created = NOW - 20 * DAY
    add_deal(engine, rep, contact, [("lead", created)], amount=100 * K,
             close=today - timedelta(days=3))
    add_deal(engine, rep, contact, [("lead", created), ("proposal", created + DAY)],
             amount=40 * K, close=today + timedelta(days=400))
    add_deal(engine, rep, contact, [("lead", created), ("negotiation", created + DAY)],
             amount=200 * K, close=today)
    add_deal(engine, rep, contact, [("lead", created), ("proposal", created + DAY)],
             amount=10 * K)


def counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as s:
        return (s.exec(select(func.count()).select_from(AuditLog)).one(),
                s.exec(select(func.count()).select_from(DialogState)).one())


# ------------------------------------------------------------------------------- /pipeline
async def test_pipeline_lists_stages_with_weighted_totals_and_owners_for_the_admin(
        chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    open_deals(chat.engine, rep, zhang)
    await chat.send("/pipeline")
    text = chat.text()
    # 100 + 40 + 200 + 10 = ¥350,000; weighted 10 + 25 + 160 = ¥195,000
    assert "<b>Pipeline</b>: 4 open deals · ¥350,000 · weighted ¥195,000" in text
    lines = text.splitlines()
    assert lines[1:5] == ["Lead (10%): 1 · ¥100,000 · weighted ¥10,000",
                          "Qualified (20%): —",
                          "Proposal (50%): 2 · ¥50,000 · weighted ¥25,000",
                          "Negotiation (80%): 1 · ¥200,000 · weighted ¥160,000"]
    assert "<b>By owner</b>\n李明: 4 · ¥350,000 · weighted ¥195,000" in text
    assert "Weighted = amount × stage probability." in text


async def test_pipeline_owner_filter_shows_one_persons_deals(chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    open_deals(chat.engine, rep, zhang)
    other = make_member(chat.engine, by=admin, name="王强")
    add_deal(chat.engine, other, make_contact(chat.engine, owner=other, name="赵六"),
             [("lead", NOW - DAY)], amount=5 * K)
    await chat.send("/pipeline owner 王强")
    assert "<b>Pipeline of 王强</b>: 1 open deals · ¥5,000 · weighted ¥500" in chat.text()
    assert "By owner" not in chat.text()
    await chat.send("/pipeline 李明")
    assert "<b>Pipeline of 李明</b>: 4 open deals" in chat.text()


@pytest.mark.parametrize(("args", "reply"), [
    ("owner Nobody", "No team member called “Nobody” among the people you can see."),
    ("owner <b>x</b>", "No team member called “&lt;b&gt;x&lt;/b&gt;”"),
    ("'; DROP TABLE deal; --", "No team member called “'; DROP TABLE deal; --”"),
    ("owner", "Use /pipeline, or /pipeline owner &lt;name&gt;"),
])
async def test_pipeline_bad_owner_gets_a_short_reply_and_changes_nothing(
        chat: Chat, args: str, reply: str) -> None:
    admin, rep, zhang = await team(chat)
    open_deals(chat.engine, rep, zhang)
    before = counts(chat.engine)
    await chat.send(f"/pipeline {args}")
    assert reply in chat.text()
    assert counts(chat.engine) == before
    await chat.send("/pipeline")  # the table survived the SQL-looking name
    assert "4 open deals" in chat.text()


async def test_a_5000_character_argument_is_refused(chat: Chat) -> None:
    await team(chat)
    await chat.send("/pipeline " + "x" * 5000)
    assert "That message is too long (5000 characters; the limit is 4000)." in chat.text()
    await chat.send("/funnel " + "9" * 5000)
    assert "That message is too long (5000 characters" in chat.text()


async def test_rep_sees_only_own_pipeline_and_cannot_filter_to_another_rep(chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    open_deals(chat.engine, rep, zhang)
    other = make_member(chat.engine, by=admin, name="王强", telegram_user_id=3003)
    add_deal(chat.engine, other, make_contact(chat.engine, owner=other, name="赵六"),
             [("lead", NOW - DAY)], amount=5 * K)
    wang = Chat(chat.engine, user_id=3003)
    await wang.send("/pipeline")
    assert "1 open deals · ¥5,000" in wang.text()
    assert "By owner" not in wang.text()
    await wang.send("/pipeline owner 李明")
    assert "No team member called “李明”" in wang.text()
    await wang.send("/forecast owner 李明")
    assert "No team member called “李明”" in wang.text()


async def test_manager_sees_their_reps_and_not_the_rest(chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    open_deals(chat.engine, rep, zhang)
    boss = make_member(chat.engine, by=admin, role=Role.MANAGER, name="Mia", telegram_user_id=4004)
    under = make_member(chat.engine, by=boss, name="Ray")
    add_deal(chat.engine, under, make_contact(chat.engine, owner=under, name="钱七"),
             [("lead", NOW - DAY)], amount=7 * K)
    mia = Chat(chat.engine, user_id=4004)
    await mia.send("/pipeline")
    assert "1 open deals · ¥7,000" in mia.text()
    assert "Ray: 1 · ¥7,000 · weighted ¥700" in mia.text()
    assert "李明" not in mia.text()


async def test_pipeline_in_chinese(chat: Chat) -> None:
    admin, rep, zhang = await team(chat, language="zh-CN")
    open_deals(chat.engine, rep, zhang)
    await chat.send("/pipeline")
    text = chat.text()
    assert "<b>销售管道</b>：4 个进行中商机 · ¥350,000 · 加权 ¥195,000" in text
    assert "谈判（80%）：1 · ¥200,000 · 加权 ¥160,000" in text
    assert "李明：4 · ¥350,000 · 加权 ¥195,000" in text


async def test_empty_team_gets_plain_answers(chat: Chat) -> None:
    await team(chat)
    assert "No open deals." in (await chat.send("/pipeline"))[0].text
    assert "No open deals to forecast." in (await chat.send("/forecast"))[0].text
    assert "No deal moved through the pipeline or closed in the last 180 days." in (
        await chat.send("/funnel"))[0].text
    assert "No customer is at risk of churning right now." in (await chat.send("/atrisk"))[0].text


# ------------------------------------------------------------------------------- /forecast
async def test_forecast_buckets_overdue_this_month_later_and_no_date(chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    open_deals(chat.engine, rep, zhang)
    await chat.send("/forecast")
    text = chat.text()
    this_month = local_date(NOW, "Asia/Shanghai").strftime("%Y-%m")
    assert "⏰ Overdue: 1 · weighted ¥10,000 · best case ¥100,000 · committed ¥0" in text
    assert (f"{this_month}: 1 · weighted ¥160,000 · best case ¥200,000 · committed ¥200,000"
            in text)
    assert "Later: 1 · weighted ¥20,000 · best case ¥40,000 · committed ¥0" in text
    assert "No close date: 1 · weighted ¥5,000 · best case ¥10,000 · committed ¥0" in text
    assert ("<b>Total</b>: 4 deals · weighted ¥195,000 · best case ¥350,000 · "
            "committed ¥200,000") in text
    assert "committed = Negotiation and later" in text
    assert text.count(": —") == 5  # the five following months have nothing yet


async def test_forecast_in_chinese(chat: Chat) -> None:
    admin, rep, zhang = await team(chat, language="zh-CN")
    open_deals(chat.engine, rep, zhang)
    await chat.send("/forecast")
    today = local_date(NOW, "Asia/Shanghai")
    assert (f"{today.year}年{today.month:02d}月：1 · 加权 ¥160,000 · 最佳情况 ¥200,000 · "
            "确定 ¥200,000") in chat.text()
    assert "确定 = 谈判及之后阶段" in chat.text()


# --------------------------------------------------------------------------------- /funnel
async def test_funnel_shows_conversion_win_rate_cycle_and_velocity_formula(chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    ten_deals(chat.engine, rep, zhang, base=NOW - 100 * DAY)
    await chat.send("/funnel")
    text = chat.text()
    for line in ("<b>Funnel, last 180 days</b>", "Lead: 10 reached → 80% moved on (8)",
                 "Qualified: 8 reached → 62.5% moved on (5)",
                 "Proposal: 5 reached → 60% moved on (3)",
                 "Negotiation: 3 reached → 66.7% moved on (2)", "Won: 2",
                 "Win rate: <b>40%</b> (2 won of 5 closed)", "Average won deal: ¥75,000",
                 "Average cycle: 45 days", "Open deals now: 5",
                 # 5 × ¥75,000 × 40% ÷ 45 = ¥3,333.33 a day; × 30 = ¥100,000 a month
                 "Sales velocity: <b>¥3,333.33</b> a day · ¥100,000 a month",
                 "Velocity = open deals × average won deal × win rate ÷ average cycle days",
                 "= 5 × ¥75,000 × 40% ÷ 45"):
        assert line in text, line


async def test_funnel_window_leaves_older_history_out(chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    ten_deals(chat.engine, rep, zhang, base=NOW - 100 * DAY)
    await chat.send("/funnel 30天")  # everything happened 40 or more days ago
    assert "No deal moved through the pipeline or closed in the last 30 days." in chat.text()
    await chat.send("/funnel 50")  # only the second win, 39 days ago
    assert "Won: 1" in chat.text() and "Win rate: <b>100%</b> (1 won of 1 closed)" in chat.text()


@pytest.mark.parametrize(("args", "reply"), [
    ("abc", "“abc” is not a number of days."), ("-5", "“-5” is not a number of days."),
    ("0", "The period must be between 1 and 3650 days."),
    ("99999", "The period must be between 1 and 3650 days."),
    ("<i>9</i>", "“&lt;i&gt;9&lt;/i&gt;” is not a number of days."),
])
async def test_funnel_bad_days_get_a_short_reply(chat: Chat, args: str, reply: str) -> None:
    await team(chat)
    await chat.send(f"/funnel {args}")
    assert reply in chat.text()


async def test_funnel_in_chinese(chat: Chat) -> None:
    admin, rep, zhang = await team(chat, language="zh-CN")
    ten_deals(chat.engine, rep, zhang, base=NOW - 100 * DAY)
    await chat.send("/funnel")
    for line in ("<b>最近 180 天的销售漏斗</b>", "线索：到达 10 → 推进 80%（8）",
                 "赢单率：<b>40%</b>（已结束 5 个，赢 2 个）", "平均成交周期：45 天",
                 "销售速度：<b>每天 ¥3,333.33</b> · 每月 ¥100,000"):
        assert line in chat.text(), line


# --------------------------------------------------------------------------------- /atrisk
def quiet_customers(engine: Engine, owner: Member, names: list[str], base: int = 100) -> None:
    """Monthly buyers silent for 100 days; the n-th buys (base − n) K a month."""
    for n, name in enumerate(names):
        contact = make_contact(engine, owner=owner, name=name)
        with unit_of_work(engine) as s:
            for k in range(4):
                s.add(Order(team_id=owner.team_id, owner_id=owner.id or 0,
                            contact_id=contact.id or 0, amount_minor=(base - n) * K,
                            ordered_at=NOW - (100 + 30 * k) * DAY))


async def test_atrisk_lists_reasons_owner_and_value_most_first_in_pages_of_ten(
        chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    quiet_customers(chat.engine, rep, [f"客户{n:02d}" for n in range(12)])
    await chat.send("/atrisk")
    text = chat.text()
    # 12 customers × 4 orders: 4 × (100 + 99 + … + 89) K = 4 × 1,134 K = ¥4,536,000
    assert "<b>Customers at risk</b>: 12 · value at risk ¥4,536,000 (page 1/2)" in text
    assert "1. <b>客户00</b> · 李明 · ¥400,000 at risk · score" in text
    assert "silent 100 days (usually orders every 30 days)" in text
    assert "10. <b>客户09</b>" in text and "客户10" not in text
    assert "Value at risk = the customer's orders over the last 365 days." in text
    assert "👤 客户00" in chat.buttons() and "Next ▶" in chat.buttons()
    [reply] = await chat.press("Next ▶")
    assert reply.edit and "(page 2/2)" in reply.text and "12. <b>客户11</b>" in reply.text
    assert chat.buttons() == ["👤 客户10", "👤 客户11", "◀ Previous"]
    await chat.press("👤 客户11")
    assert "👤 <b>客户11</b>" in chat.text()


async def test_atrisk_names_open_complaints_and_low_csat(chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    quiet_customers(chat.engine, rep, ["王芳"])
    await chat.send("/feedback 王芳 complaint late again")
    await chat.press("high")
    await chat.send("/csat 王芳 1")
    await chat.send("/atrisk")
    assert ("silent 100 days (usually orders every 30 days) · open complaint · "
            "low satisfaction (last CSAT ≤ 2)") in chat.text()


async def test_atrisk_forged_and_stale_pages(chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    quiet_customers(chat.engine, rep, ["王芳"])
    await chat.press_data("ar:999")
    assert "(page 1/1)" in chat.text()
    await chat.press_data("ar:abc")
    assert chat.text() == "This button is no longer valid."


async def test_rep_sees_only_own_customers_at_risk_and_cannot_open_others(chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    quiet_customers(chat.engine, rep, ["王芳"])
    other = make_member(chat.engine, by=admin, name="王强", telegram_user_id=3003)
    quiet_customers(chat.engine, other, ["大客户"], base=900)
    await chat.send("/atrisk")
    assert chat.text().index("大客户") < chat.text().index("王芳")  # more value first
    wang = Chat(chat.engine, user_id=3003)
    await wang.send("/atrisk")
    assert "大客户" in wang.text() and "王芳" not in wang.text()
    with Session(chat.engine) as s:
        hidden = s.exec(select(Contact.id).where(Contact.name == "王芳")).one()
    await wang.press_data(f"ct:{hidden}")
    assert "王芳" not in wang.text()


async def test_atrisk_in_chinese(chat: Chat) -> None:
    admin, rep, zhang = await team(chat, language="zh-CN")
    quiet_customers(chat.engine, rep, ["王芳"])
    await chat.send("/atrisk")
    assert "<b>有流失风险的客户</b>：1 位 · 风险金额 ¥400,000（第 1/1 页）" in chat.text()
    assert "已 100 天未下单（通常每 30 天一次）" in chat.text()


async def test_reading_figures_writes_nothing(chat: Chat) -> None:
    admin, rep, zhang = await team(chat)
    open_deals(chat.engine, rep, zhang)
    quiet_customers(chat.engine, rep, ["王芳"])
    before = counts(chat.engine)
    for command in ("/pipeline", "/forecast", "/funnel", "/atrisk"):
        await chat.send(command)
    assert counts(chat.engine) == before
