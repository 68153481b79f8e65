"""/campaign form, /campaigns, a rep's drafts with outcome buttons, the results in chat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm_store.analytics import segments
from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.errors import Invalid
from crm_store.models import CampaignTarget, Contact, Member, Order, Role
from crm_store.outreach.campaigns import Audience
from handlers.campaigns.commands import parse_audience
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat

MANAGER_ID, REP_A, REP_B = 4401, 4402, 4403


@pytest.mark.parametrize(("text", "expected"), [
    ("At risk, tier A, Shanghai", Audience(segment="at_risk", tier="A", city="Shanghai")),
    ("有流失风险，tier b，上海", Audience(segment="at_risk", tier="B", city="上海")),
    ("champions", Audience(segment="champions")),
    ("industry 阀门, tag vip, stage active, birthday 5",
     Audience(industry="阀门", tag="vip", stage="active", birthday_month=5)),
    ("all", Audience()),
])
def test_audience_words(text: str, expected: Audience) -> None:
    assert parse_audience(text) == expected


@pytest.mark.parametrize("text", ["tier D", "stage sleepy", "birthday may", "segment vips"])
def test_bad_audience_words(text: str) -> None:
    with pytest.raises(Invalid):
        parse_audience(text)


@pytest.fixture
def team(engine: Engine):  # type: ignore[no-untyped-def]
    """Two reps under a manager; each owns two Shanghai customers who bought long ago."""
    segments.forget()
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Mia",
                          telegram_user_id=MANAGER_ID)
    reps = [make_member(engine, by=manager, name=name, telegram_user_id=uid)
            for name, uid in (("Ray", REP_A), ("Rita", REP_B))]
    names = [("张伟", "<b>华东</b>"), ("李娜", None), ("John Smith", None), ("王芳", None)]
    for n, (name, company) in enumerate(names):
        contact = make_contact(engine, owner=reps[n % 2], name=name, company=company)
        with unit_of_work(engine) as s:
            row = s.get(Contact, contact.id)
            assert row is not None
            row.city = "Shanghai"
            s.add(Order(team_id=row.team_id, owner_id=row.owner_id, contact_id=row.id or 0,
                        amount_minor=100_000 * (n + 1), note=f"valves-{n}",
                        ordered_at=utcnow() - timedelta(days=200)))
    return admin, manager, reps


async def _create(chat: Chat, audience: str = "Shanghai", timing: str = "30 30 0") -> None:
    await chat.send("/campaign")
    await chat.send("Spring push: reorders")
    replies = await chat.send(audience)
    assert "4 customers match" in replies[0].text
    await chat.press("Call")
    await chat.send("Hi {name} ({company}), last time: {last_product}. {points} pts")
    replies = await chat.send(timing)
    assert "<b>4</b> customers" in replies[0].text and "Spring push" in replies[0].text
    await chat.press("Confirm")


async def test_manager_creates_and_reps_work_their_drafts(engine: Engine, team) -> None:
    manager = Chat(engine, user_id=MANAGER_ID)
    await _create(manager)
    assert "4 customers for 2 reps" in manager.text()
    rep = Chat(engine, user_id=REP_A)
    replies = await rep.send("/campaigns Spring push")
    draft = replies[1].text  # the biggest customer first: John Smith, then 张伟
    assert "1/2" in draft and "Hi John Smith (), last time: valves-2. 0 pts" in draft
    assert "李娜" not in draft and "王芳" not in draft  # Rita's customers
    replies = await rep.press("Responded", replies)
    draft = replies[0].text
    assert replies[0].edit and "Hi 张伟 (&lt;b&gt;华东&lt;/b&gt;)" in draft  # escaped values
    assert "valves-0" in draft and "<b>华东</b>" not in draft
    with Session(engine) as s:
        outcomes = {t.outcome for t in s.exec(select(CampaignTarget))}
    assert outcomes == {"responded", "pending"}
    report = await manager.send("/campaigns Spring")
    assert "reached 1" in report[0].text and "responded 1" in report[0].text
    assert "Ray" in report[0].text and "Rita" in report[0].text


async def test_an_order_in_the_window_shows_as_a_conversion(engine: Engine, team) -> None:
    manager = Chat(engine, user_id=MANAGER_ID)
    await _create(manager)
    await Chat(engine, user_id=REP_B).send("/order 李娜 8000")
    report = await manager.send("/campaigns Spring push")
    assert "converted 1 (25%)" in report[0].text and "¥8,000" in report[0].text


async def test_reps_cannot_start_campaigns_or_press_other_reps_targets(
    engine: Engine, team
) -> None:
    rep = Chat(engine, user_id=REP_A)
    replies = await rep.send("/campaign")
    assert "not available for your role" in replies[0].text
    await _create(Chat(engine, user_id=MANAGER_ID))
    with Session(engine) as s:
        theirs = s.exec(select(CampaignTarget).join(Member, Member.id == CampaignTarget.owner_id)
                        .where(Member.telegram_user_id == REP_B)).first()
    assert theirs is not None
    replies = await rep.press_data(f"co:{theirs.id}:c:0")
    assert "not one of your campaign targets" in replies[0].text


async def test_form_refuses_bad_answers_and_lists_campaigns(engine: Engine, team) -> None:
    manager = Chat(engine, user_id=MANAGER_ID)
    assert "No campaigns yet" in (await manager.send("/campaigns"))[0].text
    await manager.send("/campaign")
    await manager.send("X")
    assert "not a value tier" in (await manager.send("tier Z"))[0].text
    await manager.send("Beijing")
    await manager.press("Visit")
    await manager.send("-")
    assert "Three numbers" in (await manager.send("soon"))[0].text
    assert "No customer matches" in (await manager.press_data("cf:def"))[0].text
    await _create(manager)
    listed = await manager.send("/campaigns")
    assert "Spring push" in listed[0].text and "4 customers" in listed[0].text
    await manager.send("/campaign")
    assert "already a campaign" in (await manager.send("Spring push"))[0].text


async def test_control_group_is_reported(engine: Engine, team) -> None:
    manager = Chat(engine, user_id=MANAGER_ID)
    await _create(manager, timing="30 30 50")
    report = await manager.send("/campaigns Spring push")
    with Session(engine) as s:
        held = len([t for t in s.exec(select(CampaignTarget)) if t.control])
    if held:
        assert f"Control group: {held} held out" in report[0].text
    else:
        assert "No control group" in report[0].text


async def test_chinese_form(engine: Engine, team) -> None:
    manager = Chat(engine, user_id=MANAGER_ID, language_code="zh-CN")
    await manager.send("/lang zh-CN")
    replies = await manager.send("/campaign")
    assert "活动<b>名称</b>" in replies[0].text
    replies = await manager.send("春季")
    assert "目标客户" in replies[0].text


async def test_the_standard_text_greets_each_customer_in_their_language(
    engine: Engine, team
) -> None:
    manager = Chat(engine, user_id=MANAGER_ID)
    await manager.send("/campaign")
    await manager.send("Greetings")
    await manager.send("Shanghai")
    await manager.press("Call")
    await manager.send("-")
    await manager.press("no control group")
    await manager.press("Confirm")
    rep = Chat(engine, user_id=REP_A)
    first = (await rep.send("/campaigns Greetings"))[1]
    assert "Hello John Smith, thank you" in first.text
    second = await rep.press("Skip", [first])
    assert "张伟您好" in second[0].text


def test_the_notice_to_reps_renders_with_a_drafts_button() -> None:
    from crm_store.messaging import reminder_kinds as rk
    from handlers.reminders.views import render_reminder

    payload = {"campaign_id": 7, "name": "<b>Spring</b>", "channel": "call", "customers": 3,
               "by_name": "Mia"}
    for language, words in (("en", "3 of your customers"), ("zh-CN", "3 位客户")):
        reply = render_reminder(kind=rk.CAMPAIGN_ASSIGNED, payload=payload, outbox_id=1,
                                language=language, timezone="Asia/Shanghai")
        assert words in reply.text and "&lt;b&gt;Spring&lt;/b&gt;" in reply.text
        assert [b.action for row in reply.buttons for b in row] == ["cg:7:0"]


def _next_week() -> str:
    from zoneinfo import ZoneInfo

    return (utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()
            + timedelta(days=7)).isoformat()


async def test_a_campaign_from_next_week_is_scheduled_and_waits(engine: Engine, team) -> None:
    manager = Chat(engine, user_id=MANAGER_ID)
    start = _next_week()
    await manager.send("/campaign")
    await manager.send("Spring push")
    await manager.send("Shanghai")
    await manager.press("Call")
    await manager.send("-")
    assert "has passed" in (await manager.send("30 30 0 from 2020-01-01"))[0].text
    assert "cannot read" in (await manager.send("30 30 0 from someday"))[0].text
    preview = await manager.send(f"30 30 0 from {start}")
    assert f"Runs {start} →" in preview[0].text
    await manager.press("Confirm")
    assert f"scheduled from {start}" in manager.text()
    listed = await manager.send("/campaigns")
    assert "Spring push" in listed[0].text and "scheduled" in listed[0].text
    rep = Chat(engine, user_id=REP_B)
    replies = await rep.send("/campaigns Spring push")
    assert f"starts on {start}: your drafts open then" in replies[1].text
    assert "Responded" not in str(replies[1].buttons)
    await rep.send("/order 李娜 8000")  # before the start: not a conversion
    report = await manager.send("/campaigns Spring push")
    assert "converted 0" in report[0].text
    # Without a start it begins now, as before.
    await manager.send("/campaign")
    await manager.send("Now push")
    await manager.send("Shanghai")
    await manager.press("Call")
    await manager.send("-")
    await manager.send("30 30 0 from today")
    await manager.press("Confirm")
    assert "started" in manager.text()
    assert "scheduled" not in (await manager.send("/campaigns"))[0].text.split("\n")[1]


async def test_a_scheduled_campaign_in_chinese(engine: Engine, team) -> None:
    manager = Chat(engine, user_id=MANAGER_ID, language_code="zh-CN")
    await manager.send("/lang zh-CN")
    start = _next_week()
    await manager.send("/campaign")
    await manager.send("春季")
    await manager.send("Shanghai")
    await manager.press_data("cf:ch:call")
    replies = await manager.send("-")
    assert "<code>从</code>" in replies[0].text
    assert "已经过去" in (await manager.send("30 30 0 从 2020-01-01"))[0].text
    preview = await manager.send(f"30 30 0 从 {start}")
    assert f"{start} →" in preview[0].text
    await manager.press_data("cc")
    assert f"已排期，{start} 开始" in manager.text()
    assert "已排期" in (await manager.send("/campaigns"))[0].text
    rep = Chat(engine, user_id=REP_A, language_code="zh-CN")
    await rep.send("/lang zh-CN")
    replies = await rep.send("/campaigns 春季")
    assert f"将于 {start} 开始，届时可查看您的草稿" in replies[1].text
    # A date word the parser reads: 下周一 is a start day after today.
    await manager.send("/campaign")
    await manager.send("春季二")
    await manager.send("Shanghai")
    await manager.press_data("cf:ch:call")
    await manager.send("-")
    preview = await manager.send("30 30 0 从下周一")
    from zoneinfo import ZoneInfo

    today = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()
    monday = today + timedelta(days=7 - today.weekday())
    assert f"{monday.isoformat()} → {(monday + timedelta(days=30)).isoformat()}（30 天）" in (
        preview[0].text)
