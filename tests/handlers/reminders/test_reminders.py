"""Reminders as members see them, their buttons, and /settings away | back | digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.messaging import reminder_kinds as rk
from crm_store.messaging.outbox import enqueue
from crm_store.models import (
    AuditLog,
    Contact,
    DialogState,
    Interaction,
    InteractionKind,
    Member,
    Outbox,
    OutboxStatus,
    Role,
    Task,
    TaskStatus,
)
from handlers.reminders.views import render_reminder
from handlers.types import MAX_CALLBACK_BYTES, Reply
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Mon 11:00 in Shanghai
EVIL = "<b>Bad & Co</b>"

PAYLOADS: dict[str, dict[str, Any]] = {
    rk.FOLLOWUP_DUE: {"task_id": 1, "contact_id": 2, "contact_name": "张伟", "text": "发报价",
                      "due_at": "2026-11-23T07:00:00+00:00"},
    rk.FOLLOWUP_OVERDUE: {"task_id": 1, "contact_id": 2, "contact_name": "张伟", "text": "发报价",
                          "due_at": "2026-11-21T07:00:00+00:00", "days_late": 2},
    rk.STALE_DEAL: {"deal_id": 1, "contact_id": 2, "contact_name": "张伟", "title": "Pumps",
                    "stage": "proposal", "days": 16, "amount": 5_000_000},
    rk.SLA_FIRST_RESPONSE: {"feedback_id": 1, "contact_id": 2, "contact_name": "张伟",
                            "severity": "high", "hours": 5, "escalated": True, "owner": "Rep"},
    rk.SLA_RESOLUTION: {"feedback_id": 1, "contact_id": 2, "contact_name": "张伟",
                        "severity": "critical", "hours": 50, "escalated": False,
                        "owner": "Rep"},
    rk.BIRTHDAY: {"contact_id": 2, "contact_name": "张伟", "lunar": True, "date": "2026-11-23",
                  "tier": "A"},
    rk.ANNIVERSARY: {"contact_id": 3, "contact_name": "John Smith", "years": 3,
                     "since": "2023-11-23", "tier": "B"},
    rk.HOLIDAY: {"holiday": "Mid-Autumn", "date": "2026-11-24", "contacts": [
        {"contact_id": 2, "contact_name": "张伟", "tier": "A"},
        {"contact_id": 3, "contact_name": "John Smith", "tier": "B"}]},
    rk.CHURN: {"contact_id": 2, "contact_name": "张伟", "days_since": 95, "usual_gap_days": 30,
               "reasons": ["gap", "complaint_open", "low_csat"], "score": 0.8,
               "value_minor": 12_000_000},
    rk.DIGEST: {"period": "day", "date": "2026-11-23",
                "figures": {"new_contacts": 3, "won_minor": 5_000_000}},
    rk.CATCH_UP: {"items": [{"kind": rk.FOLLOWUP_DUE, "contact_name": "张伟",
                             "summary": "发报价"}]},
    rk.LOYALTY_EXPIRING: {"contact_id": 2, "contact_name": "张伟", "points": 300,
                          "points_at": "2026-11-24T02:00:00+00:00",
                          "coupons": [{"code": "AB12CD34", "value_minor": 20_000,
                                       "currency": "CNY",
                                       "expires_at": "2026-11-23T09:00:00+00:00"}]},
}
EXPECTED = {  # what each kind says, in English and in Chinese
    rk.FOLLOWUP_DUE: ("⏰ Follow up with <b>张伟</b>: 发报价 (due 15:00)",
                      "⏰ 跟进 <b>张伟</b>：发报价（15:00 到期）"),
    rk.FOLLOWUP_OVERDUE: ("(was due Sat 21 Nov 15:00) — 2 days late", "已逾期 2 天"),
    rk.STALE_DEAL: ("no activity for 16 days\nStage: Proposal · ¥50,000",
                    "已 16 天没有进展\n阶段：方案 · ¥50,000"),
    rk.SLA_FIRST_RESPONSE: ("(high): no first response after 5 h.\n⬆️ Escalated to you",
                            "（高）已 5 小时未首次响应。\n⬆️ 已升级给您"),
    rk.SLA_RESOLUTION: ("(critical) is still unresolved after 50 h.", "已 50 小时仍未解决"),
    rk.BIRTHDAY: ("Lunar-calendar birthday today: ⭐ <b>张伟</b>\n💬 Suggested: <i>张伟您好，",
                  "今天农历生日：⭐ <b>张伟</b>\n💬 建议话术：<i>张伟您好，"),
    rk.ANNIVERSARY: ("our customer for 3 years (since 2023-11-23)",
                     "已满 3 年（自 2023-11-23 起）"),
    rk.HOLIDAY: ("<b>Mid-Autumn Festival</b> tomorrow — customers to greet (2):\n• ⭐ <b>张伟</b>",
                 "<b>中秋节</b>（明天）— 需要问候的客户（2）：\n• ⭐ <b>张伟</b>"),
    rk.CHURN: ("• no order for 95 days — usually every 30\n• open complaint\n• low satisfaction",
               "• 已 95 天没有下单——通常每 30 天一单\n• 有未解决的投诉\n• 满意度低"),
    rk.DIGEST: ("<pre>New contacts  3\nWon           ¥50,000</pre>",
                "<pre>新增客户  3\n赢单金额  ¥50,000</pre>"),
    rk.CATCH_UP: ("While you were away</b> — 1 reminder(s):\n"
                  "• ⏰ Follow-up · <b>张伟</b> — 发报价",
                  "您不在期间</b>共有 1 条提醒：\n• ⏰ 跟进 · <b>张伟</b> — 发报价"),
    rk.LOYALTY_EXPIRING: ("<b>张伟</b>: loyalty rewards about to lapse\n"
                          "• 300 points lapse tomorrow\n"
                          "• coupon <code>AB12CD34</code> (¥200) lapses today",
                          "• 300 积分将于明天过期\n"
                          "• 优惠券 <code>AB12CD34</code>（¥200）将于今天过期"),
}


def render(kind: str, payload: dict[str, Any], language: str = "en",
           timezone: str = "Asia/Shanghai", outbox_id: int = 12) -> Reply:
    return render_reminder(kind=kind, payload=payload, outbox_id=outbox_id, language=language,
                           timezone=timezone, now=NOW)


def actions(reply: Reply) -> list[str]:
    return [b.action for row in reply.buttons for b in row]


# --- rendering -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", rk.KINDS)
@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_every_kind_renders_in_both_languages(kind: str, language: str) -> None:
    expected = EXPECTED[kind][0 if language == "en" else 1]
    assert expected in render(kind, PAYLOADS[kind], language).text


@pytest.mark.parametrize("kind", rk.KINDS)
def test_user_data_in_every_kind_is_html_escaped(kind: str) -> None:
    payload = dict(PAYLOADS[kind], contact_name=EVIL, text=EVIL, title=EVIL, owner=EVIL,
                   holiday=EVIL)
    payload["contacts"] = [{"contact_id": 2, "contact_name": EVIL, "tier": "A"}]
    payload["items"] = [{"kind": rk.STALE_DEAL, "contact_name": EVIL, "summary": EVIL}]
    payload["figures"] = {EVIL: EVIL}
    text = render(kind, payload).text
    assert "&lt;b&gt;Bad &amp; Co&lt;/b&gt;" in text
    assert EVIL not in text


def test_due_time_is_shown_in_the_members_time_zone() -> None:
    payload = PAYLOADS[rk.FOLLOWUP_DUE]
    assert "(due 07:00)" in render(rk.FOLLOWUP_DUE, payload, timezone="Europe/London").text
    later = dict(payload, due_at="2026-11-24T07:00:00+00:00")
    assert "(due Tue 24 Nov 15:00)" in render(rk.FOLLOWUP_DUE, later).text


def test_greetings_follow_the_customers_name_not_the_members_language() -> None:
    english = dict(PAYLOADS[rk.BIRTHDAY], contact_name="John Smith", lunar=False)
    text = render(rk.BIRTHDAY, english, "zh-CN").text
    assert "今天生日" in text and "Happy birthday, John Smith!" in text
    assert "祝您生日快乐" in render(rk.BIRTHDAY, PAYLOADS[rk.BIRTHDAY], "en").text
    holiday = render(rk.HOLIDAY, PAYLOADS[rk.HOLIDAY]).text  # a Chinese and an English name
    assert "Happy Mid-Autumn Festival!" in holiday and "祝您中秋节快乐" in holiday


def test_a_catch_up_longer_than_the_list_says_how_many_more() -> None:
    items = [{"kind": rk.CHURN, "contact_name": f"C{i}", "summary": "90"} for i in range(40)]
    text = render(rk.CATCH_UP, {"items": items}).text
    assert "40 reminder(s)" in text and "…and 15 more" in text


@pytest.mark.parametrize(("kind", "expected"), [
    (rk.FOLLOWUP_DUE, ["rd:12", "rl:12", "rs:12:h", "rs:12:t"]),
    (rk.FOLLOWUP_OVERDUE, ["rd:12", "rl:12", "rs:12:h", "rs:12:t"]),
    (rk.STALE_DEAL, ["rs:12:h", "rs:12:t", "rl:12", "ct:2"]),
    (rk.SLA_FIRST_RESPONSE, ["rs:12:h", "rs:12:t", "rl:12", "ct:2"]),
    (rk.BIRTHDAY, ["rs:12:h", "rs:12:t", "rl:12", "ct:2"]),
    (rk.CHURN, ["rs:12:h", "rs:12:t", "rl:12", "ct:2"]),
    (rk.LOYALTY_EXPIRING, ["rs:12:h", "rs:12:t", "rl:12", "ct:2"]),
    (rk.HOLIDAY, ["ct:2", "ct:3"]),
    (rk.DIGEST, ["ro:12"]),
    (rk.CATCH_UP, ["ro:12"]),
])
def test_each_kind_carries_its_buttons(kind: str, expected: list[str]) -> None:
    assert actions(render(kind, PAYLOADS[kind])) == expected


def test_a_followup_without_a_contact_offers_no_log_button() -> None:
    payload = dict(PAYLOADS[rk.FOLLOWUP_DUE], contact_id=None, contact_name="")
    reply = render(rk.FOLLOWUP_DUE, payload)
    assert "Follow up with <b>(no contact)</b>" in reply.text
    assert actions(reply) == ["rd:12", "rs:12:h", "rs:12:t"]


def test_button_data_stays_within_telegrams_limit_for_large_ids() -> None:
    payload = dict(PAYLOADS[rk.STALE_DEAL], contact_id=10**12)
    for kind in rk.KINDS:
        reply = render(kind, dict(PAYLOADS[kind], **payload), outbox_id=10**15)
        assert all(len(a.encode()) <= MAX_CALLBACK_BYTES for a in actions(reply))


# --- buttons in a chat -----------------------------------------------------------------------

def deliver(engine: Engine, member: Member, kind: str, payload: dict[str, Any],
            key: str | None = None) -> tuple[int, Reply]:
    """A reminder the dispatcher sent to `member`: its outbox id and the message they see."""
    key = key or f"test:{kind}:{utcnow().timestamp()}"
    with unit_of_work(engine) as s:
        row_member = s.get(Member, member.id)
        assert row_member is not None
        enqueue(s, member=row_member, kind=kind, dedupe_key=key, due_at=utcnow(),
                payload=payload)
        row = s.exec(select(Outbox).where(Outbox.dedupe_key == key)).one()
        row.status = OutboxStatus.SENT
        s.add(row)
        s.flush()
        reply = render_reminder(kind=kind, payload=payload, outbox_id=row.id or 0,
                                language=row_member.language, timezone=row_member.timezone)
        return row.id or 0, reply


def add_task(engine: Engine, owner: Member, contact: Contact, due: datetime) -> Task:
    with unit_of_work(engine) as s:
        task = Task(team_id=owner.team_id, owner_id=owner.id or 0, contact_id=contact.id,
                    text="发报价", due_at=due)
        s.add(task)
        s.flush()
        return task


def followup(engine: Engine, member: Member, contact: Contact) -> tuple[Task, int, Reply]:
    task = add_task(engine, member, contact, utcnow())
    outbox_id, reply = deliver(engine, member, rk.FOLLOWUP_DUE, {
        "task_id": task.id, "contact_id": contact.id, "contact_name": contact.name,
        "text": task.text, "due_at": task.due_at.isoformat()})
    return task, outbox_id, reply


def stale_deal(engine: Engine, member: Member, contact: Contact) -> tuple[int, Reply]:
    return deliver(engine, member, rk.STALE_DEAL, dict(PAYLOADS[rk.STALE_DEAL],
                                                      contact_id=contact.id))


def get(engine: Engine, model: type, row_id: int | None) -> Any:
    with Session(engine) as s:
        return s.get(model, row_id)


def snoozed_copies(engine: Engine) -> list[Outbox]:
    with Session(engine) as s:
        return list(s.exec(select(Outbox).where(col(Outbox.dedupe_key).startswith("snooze:"))))


def tomorrow_at(hour: int, tz: ZoneInfo = SHANGHAI) -> datetime:
    day = utcnow().astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


async def test_done_closes_the_task_and_edits_the_reminder(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    task, _, reply = followup(chat.engine, admin, contact)
    await chat.press("Done", [reply])
    assert get(chat.engine, Task, task.id).status == TaskStatus.DONE
    [edited] = chat.last
    assert edited.edit and edited.buttons == []
    assert "Follow up with <b>张伟</b>" in edited.text and edited.text.endswith("<b>✅ Done</b>")
    await chat.press("Done", [reply])  # pressed again: said once, nothing changes
    assert "already done" in chat.text()


async def test_snooze_an_hour_moves_the_followup(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    task, _, reply = followup(chat.engine, admin, contact)
    before = utcnow()
    await chat.press("1 h", [reply])
    due = get(chat.engine, Task, task.id).due_at
    assert before + timedelta(hours=1) <= due <= utcnow() + timedelta(hours=1)
    assert f"💤 Snoozed until {due.astimezone(SHANGHAI):%a} " in chat.text()
    assert f"{due.astimezone(SHANGHAI):%H:%M}</b>" in chat.text() and chat.last[0].edit
    assert snoozed_copies(chat.engine) == []  # the producer reminds again at the new time


async def test_snooze_tomorrow_uses_the_members_zone_and_working_day(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    with unit_of_work(chat.engine) as s:
        row = s.get(Member, admin.id)
        assert row is not None
        row.timezone, row.work_start = "Europe/London", 8
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    _, reply = stale_deal(chat.engine, admin, contact)
    await chat.press("Tomorrow", [reply])
    [copy] = snoozed_copies(chat.engine)
    london = ZoneInfo("Europe/London")
    assert copy.due_at == tomorrow_at(8, london) and copy.kind == rk.STALE_DEAL
    assert f"{tomorrow_at(8, london).astimezone(london):%a} " in chat.text()
    assert "08:00" in chat.text()
    with Session(chat.engine) as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "snooze")).first() is not None


async def test_snooze_in_chinese_says_so_in_chinese(chat: Chat) -> None:
    admin = make_admin(chat.engine, language="zh-CN")
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    _, reply = stale_deal(chat.engine, admin, contact)
    await chat.press("明天", [reply])
    assert "💤 已推迟到" in chat.text() and "09:00" in chat.text()
    assert snoozed_copies(chat.engine)[0].due_at == tomorrow_at(9)


@pytest.mark.parametrize(("answer", "kind", "text"), [
    ("call: wants the quote by Friday", InteractionKind.CALL, "wants the quote by Friday"),
    ("电话 他说下周下单", InteractionKind.CALL, "他说下周下单"),
    ("called him, no answer", InteractionKind.CALL, "called him, no answer"),
    ("'; DROP TABLE contact; --", InteractionKind.NOTE, "'; DROP TABLE contact; --"),
])
async def test_log_asks_what_happened_and_logs_it_with_the_contact(
        chat: Chat, answer: str, kind: InteractionKind, text: str) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    _, _, reply = followup(chat.engine, admin, contact)
    await chat.press("Log", [reply])
    assert "What happened with <b>张伟</b>" in chat.text()
    await chat.send(answer)
    assert "logged" in chat.text() and "👤 <b>张伟</b>" in chat.text()
    with Session(chat.engine) as s:
        [item] = s.exec(select(Interaction)).all()
    assert (item.contact_id, item.kind, item.text) == (contact.id, kind, text)


async def test_log_with_nothing_said_or_too_much_logs_nothing(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    _, reply = stale_deal(chat.engine, admin, contact)
    await chat.press("Log", [reply])
    await chat.send("call:")
    assert "add a few words" in chat.text()
    await chat.send("x" * 5000)
    assert "too long" in chat.text()
    with Session(chat.engine) as s:
        assert s.exec(select(Interaction)).all() == []


async def test_card_and_holiday_buttons_open_the_contacts_card(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟", company="华东机械")
    _, reply = stale_deal(chat.engine, admin, contact)
    await chat.press("Card", [reply])
    assert "👤 <b>张伟</b>" in chat.text() and "华东机械" in chat.text()
    _, holiday = deliver(chat.engine, admin, rk.HOLIDAY, {
        "holiday": "Double 11", "date": "2026-11-11",
        "contacts": [{"contact_id": contact.id, "contact_name": "张伟", "tier": "A"}]})
    chat.last = []
    await chat.press("👤 张伟", [holiday])
    assert "👤 <b>张伟</b>" in chat.text()


async def test_today_button_on_a_digest_shows_the_agenda(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    _, reply = deliver(chat.engine, admin, rk.DIGEST, PAYLOADS[rk.DIGEST])
    await chat.press("Today", [reply])
    assert "📅 <b>Today," in chat.text()


async def test_someone_elses_reminder_buttons_change_nothing(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    rep = make_member(chat.engine, by=admin, role=Role.REP, telegram_user_id=2002)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    task, outbox_id, _ = followup(chat.engine, admin, contact)
    rep_chat = Chat(chat.engine, user_id=2002)
    for data in (f"rd:{outbox_id}", f"rs:{outbox_id}:h", f"rs:{outbox_id}:t",
                 f"rl:{outbox_id}", f"ro:{outbox_id}"):
        await rep_chat.press_data(data)
        assert "not yours" in rep_chat.text() and rep_chat.last[0].toast
    stored = get(chat.engine, Task, task.id)
    assert stored.status == TaskStatus.OPEN and stored.due_at == task.due_at
    assert snoozed_copies(chat.engine) == []
    with Session(chat.engine) as s:
        assert s.exec(select(DialogState).where(DialogState.user_id == rep.telegram_user_id)
                      ).first() is None


@pytest.mark.parametrize("data", ["rd:abc", "rs:1", "rs:1:x", "rs:1:h:extra", "rl:", "rd:-1",
                                  "rs:99999999:h"])
async def test_forged_reminder_buttons_get_a_short_answer(chat: Chat, data: str) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    task, _, _ = followup(chat.engine, admin, contact)
    await chat.press_data(data)
    assert "no longer valid" in chat.text() or "not yours" in chat.text()
    assert get(chat.engine, Task, task.id).status == TaskStatus.OPEN


async def test_done_is_not_offered_and_refused_on_a_reminder_without_a_task(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    outbox_id, reply = stale_deal(chat.engine, admin, contact)
    assert f"rd:{outbox_id}" not in actions(reply)
    await chat.press_data(f"rd:{outbox_id}")
    assert "no longer valid" in chat.text()


# --- /settings away | back | digest ----------------------------------------------------------

def local_today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize(("args", "days"), [("away 3 days", 3), ("ooo until in 10 days", 10)])
async def test_away_sets_out_of_office_to_the_end_of_that_local_day(
        chat: Chat, args: str, days: int) -> None:
    admin = make_admin(chat.engine)
    await chat.send(f"/settings {args}")
    assert "Out of office until the end of" in chat.text()
    assert get(chat.engine, Member, admin.id).out_of_office_until == end_of(
        local_today() + timedelta(days=days))
    await chat.send("/settings")
    assert "Out of office: until the end of" in chat.text()


async def test_away_to_an_iso_date_and_in_chinese(chat: Chat) -> None:
    admin = make_admin(chat.engine, language="zh-CN")
    day = local_today() + timedelta(days=20)
    await chat.send(f"/settings away {day.isoformat()}")
    assert "已设置外出" in chat.text()
    assert get(chat.engine, Member, admin.id).out_of_office_until == end_of(day)
    await chat.send("/settings 外出 3天")
    assert get(chat.engine, Member, admin.id).out_of_office_until == end_of(
        local_today() + timedelta(days=3))


@pytest.mark.parametrize(("args", "expected"), [
    ("away 2020-01-01", "already passed"),
    ("away <b>someday</b>", "couldn't read “&lt;b&gt;someday&lt;/b&gt;”"),
    (f"away {date.today() + timedelta(days=400)}", "more than a year"),
    ("away", "/settings away 2026-12-01"),
])
async def test_bad_away_days_are_refused_and_change_nothing(chat: Chat, args: str,
                                                            expected: str) -> None:
    admin = make_admin(chat.engine)
    await chat.send(f"/settings {args}")
    assert expected in chat.text()
    assert get(chat.engine, Member, admin.id).out_of_office_until is None


async def test_back_ends_out_of_office_and_folds_what_was_held(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    await chat.send("/settings away 3 days")
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    outbox_id, _ = stale_deal(chat.engine, admin, contact)
    with unit_of_work(chat.engine) as s:
        held = s.get(Outbox, outbox_id)
        assert held is not None
        held.status = OutboxStatus.HELD
    await chat.send("/settings back")
    assert "Welcome back" in chat.text() and "as one list" in chat.text()
    assert get(chat.engine, Member, admin.id).out_of_office_until is None
    assert get(chat.engine, Outbox, outbox_id).status == OutboxStatus.CANCELLED
    with Session(chat.engine) as s:
        [catch] = s.exec(select(Outbox).where(Outbox.kind == rk.CATCH_UP)).all()
    assert catch.payload["items"] == [{"kind": rk.STALE_DEAL, "contact_name": "张伟",
                                       "summary": "Pumps"}]
    await chat.send("/settings back")
    assert "Reminders are on again" in chat.text()


async def test_digest_hour_for_managers_only(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    await chat.send("/settings")
    assert "Daily digest: 18:00" in chat.text() and "Out of office: no" in chat.text()
    await chat.send("/settings digest 7")
    assert "7:00" in chat.text() and get(chat.engine, Member, admin.id).digest_hour == 7
    for bad in ("25", "abc", "-1"):
        await chat.send(f"/settings digest {bad}")
        assert "is not an hour" in chat.text()
    assert get(chat.engine, Member, admin.id).digest_hour == 7
    rep = make_member(chat.engine, by=admin, role=Role.REP, telegram_user_id=2002)
    rep_chat = Chat(chat.engine, user_id=2002)
    await rep_chat.send("/settings digest 9")
    assert "Only managers" in rep_chat.text()
    assert get(chat.engine, Member, rep.id).digest_hour is None
    await rep_chat.send("/settings")
    assert "Daily digest" not in rep_chat.text()


async def test_unknown_setting_lists_the_reminder_settings_too(chat: Chat) -> None:
    make_admin(chat.engine)
    await chat.send("/settings colour blue")
    assert "/settings hours 9-18" in chat.text() and "/settings back" in chat.text()
