"""Follow-ups by chat: /followup, /today, /tasks, /done, Done buttons and the card button."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.models import (
    AuditLog,
    Contact,
    Deal,
    DealStatus,
    Member,
    Role,
    Task,
    TaskStatus,
)
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")


def local_today(tz: ZoneInfo = SHANGHAI) -> date:
    return utcnow().astimezone(tz).date()


def at_local(day: date, hour: int, minute: int = 0, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def label(day: date, hm: str) -> str:
    """The English label the confirmation uses: 'Tue 24 Nov 10:00'."""
    return f"{day:%a} {day.day} {day:%b} {hm}"


def open_tasks(engine: Engine) -> list[Task]:
    with Session(engine) as s:
        return list(s.exec(select(Task).where(Task.status == TaskStatus.OPEN)
                           .order_by(col(Task.due_at))))


def add_task(engine: Engine, *, owner: Member, contact: Contact | None, due: datetime,
             text: str = "call back") -> Task:
    """A task row at any due time (past ones too), as the scheduler would find it."""
    with unit_of_work(engine) as s:
        task = Task(team_id=owner.team_id, owner_id=owner.id or 0,
                    contact_id=contact.id if contact else None, text=text, due_at=due)
        s.add(task)
        s.flush()
        return task


def set_timezone(engine: Engine, member: Member, name: str) -> None:
    with unit_of_work(engine) as s:
        row = s.get(Member, member.id)
        assert row is not None
        row.timezone = name
        s.add(row)


def rep_chat(chat: Chat, admin: Member, *, role: Role = Role.REP, user_id: int = 2002,
             name: str = "Rep", by: Member | None = None) -> tuple[Chat, Member]:
    member = make_member(chat.engine, by=by or admin, role=role, name=name,
                         telegram_user_id=user_id)
    return Chat(chat.engine, user_id=user_id), member


# --- /followup -------------------------------------------------------------------------------

async def test_followup_in_english_confirms_local_time_with_weekday(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="John Smith", company="Acme")
    await chat.send("/followup John Smith tomorrow 3pm send the quote")
    tomorrow = local_today() + timedelta(days=1)
    assert f"Follow-up with <b>John Smith</b> on {label(tomorrow, '15:00')}" in chat.text()
    assert "send the quote" in chat.text()
    [task] = open_tasks(chat.engine)
    assert task.due_at == at_local(tomorrow, 15) and task.text == "send the quote"


async def test_followup_in_chinese_replies_in_chinese(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟", company="华东机械")
    await chat.send("/lang zh")
    await chat.send("/followup 张伟 后天上午10点 发报价")
    day = local_today() + timedelta(days=2)
    assert "已安排跟进 <b>张伟</b>" in chat.text() and f"{day.month}月{day.day}日" in chat.text()
    [task] = open_tasks(chat.engine)
    assert task.due_at == at_local(day, 10) and task.text == "发报价"


@pytest.mark.parametrize("args", [
    "张伟 明天下午3点 发报价",
    "张伟 发报价 明天下午3点",
    "张伟发报价 明天下午3点",
    "明天下午3点 张伟 发报价",
])
async def test_followup_finds_contact_and_text_around_a_chinese_date(
    chat: Chat, args: str
) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    make_contact(chat.engine, owner=admin, name="王芳")
    await chat.send(f"/followup {args}")
    [task] = open_tasks(chat.engine)
    assert task.text == "发报价"
    assert task.due_at == at_local(local_today() + timedelta(days=1), 15)


@pytest.mark.parametrize("args", [
    "John Smith next tue 10am send the quote",
    "John Smith send the quote next tue 10am",
])
async def test_followup_finds_contact_and_text_around_an_english_date(
    chat: Chat, args: str
) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="John Smith")
    make_contact(chat.engine, owner=admin, name="John Doe")
    await chat.send(f"/followup {args}")
    [task] = open_tasks(chat.engine)
    assert task.text == "send the quote"
    assert task.due_at.astimezone(SHANGHAI).strftime("%a %H:%M") == "Tue 10:00"
    assert "John Smith" in chat.text()


async def test_followup_without_text_uses_a_default_in_each_language(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/followup 张伟 in 3 days")
    await chat.send("/lang zh")
    await chat.send("/followup 张伟 3天后")
    assert [t.text for t in open_tasks(chat.engine)] == ["Follow up", "跟进"]


async def test_followup_is_read_in_the_members_time_zone(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    set_timezone(chat.engine, admin, "Europe/London")
    make_contact(chat.engine, owner=admin, name="John Smith")
    await chat.send("/followup John Smith tomorrow 3pm call")
    tomorrow = local_today(LONDON) + timedelta(days=1)
    [task] = open_tasks(chat.engine)
    assert task.due_at == at_local(tomorrow, 15, tz=LONDON)
    assert label(tomorrow, "15:00") in chat.text()


@pytest.mark.parametrize(("language", "args", "expected"), [
    ("en", "张伟 yesterday call", "already passed"),
    ("en", "张伟 call him soon", "couldn't find a time"),
    ("zh", "张伟 昨天 打电话", "已经过去"),
    ("zh", "张伟 发报价", "没有找到时间"),
])
async def test_past_or_missing_time_is_refused_with_an_example(
    chat: Chat, language: str, args: str, expected: str
) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send(f"/lang {language}")
    await chat.send(f"/followup {args}")
    assert expected in chat.text() and "<code>" in chat.text()
    assert open_tasks(chat.engine) == []


async def test_followup_without_arguments_shows_usage(chat: Chat) -> None:
    await chat.send("/followup")
    assert "Usage" in chat.text()
    await chat.send("/lang zh")
    await chat.send("/followup")
    assert "用法" in chat.text()


async def test_followup_with_only_a_date_asks_for_the_contact(chat: Chat) -> None:
    make_admin(chat.engine)
    await chat.send("/followup tomorrow 3pm")
    assert "With whom" in chat.text()
    assert open_tasks(chat.engine) == []


async def test_unknown_contact_is_named_and_nothing_saved(chat: Chat) -> None:
    make_admin(chat.engine)
    await chat.send("/followup Nobody tomorrow 3pm call")
    assert "No contact matches" in chat.text()
    assert open_tasks(chat.engine) == []


async def test_ambiguous_contact_asks_with_buttons_then_saves(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟", company="华东机械")
    make_contact(chat.engine, owner=admin, name="张伟", company="南方贸易")
    await chat.send("/followup 张伟 明天下午3点 发报价")
    assert "Several contacts" in chat.text() and open_tasks(chat.engine) == []
    await chat.press("南方贸易")
    assert "Follow-up with <b>张伟</b>" in chat.text()
    [task] = open_tasks(chat.engine)
    assert task.text == "发报价"


async def test_html_and_sql_looking_text_is_stored_verbatim_and_shown_escaped(
    chat: Chat
) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/followup 张伟 tomorrow 3pm <b>quote</b>'; DROP TABLE task;--")
    assert "&lt;b&gt;quote&lt;/b&gt;" in chat.text()
    [task] = open_tasks(chat.engine)
    assert task.text == "<b>quote</b>'; DROP TABLE task;--"


async def test_overlong_text_is_refused_and_nothing_saved(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/followup 张伟 明天 " + "很长" * 2500)
    assert "too long" in chat.text()
    await chat.send("/followup 张伟 明天 " + "x" * 1001)
    assert "limit 1000" in chat.text()
    assert open_tasks(chat.engine) == []


async def test_rep_cannot_follow_up_another_reps_contact(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    other, other_member = rep_chat(chat, admin, user_id=2003, name="Other")
    make_contact(chat.engine, owner=other_member, name="李娜")
    rep, _ = rep_chat(chat, admin)
    await rep.send("/followup 李娜 明天 回访")
    assert "No contact matches" in rep.text()
    assert open_tasks(chat.engine) == []


# --- /today ----------------------------------------------------------------------------------

async def test_today_shows_overdue_due_today_and_deals_closing_soon(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    client = make_contact(chat.engine, owner=admin, name="张伟")
    today = local_today()
    add_task(chat.engine, owner=admin, contact=client, due=at_local(today, 0) - timedelta(days=2),
             text="send the contract")
    add_task(chat.engine, owner=admin, contact=client, due=at_local(today, 0, 1),
             text="first call of the day")
    add_task(chat.engine, owner=admin, contact=client, due=at_local(today, 0) + timedelta(days=2),
             text="next week's visit")
    with unit_of_work(chat.engine) as s:
        for title, days, status in [("Pumps", 3, DealStatus.OPEN), ("Far", 10, DealStatus.OPEN),
                                    ("Closed", 1, DealStatus.WON)]:
            s.add(Deal(team_id=admin.team_id, owner_id=admin.id or 0,
                              contact_id=client.id or 0, title=title, amount_minor=5_000_000,
                              stage="proposal", status=status,
                              expected_close=today + timedelta(days=days)))
    await chat.send("/today")
    text = chat.text()
    assert "Overdue" in text and "send the contract" in text and "d late" in text
    assert "Due today" in text and "first call of the day" in text
    assert "next week's visit" not in text
    assert "Pumps" in text and "¥50,000" in text and "Far" not in text and "Closed" not in text
    assert len(chat.buttons()) == 2 and all(b.startswith("✅") for b in chat.buttons())


async def test_today_is_kind_when_empty_in_both_languages(chat: Chat) -> None:
    make_admin(chat.engine)
    await chat.send("/today")
    assert "clear day" in chat.text() and chat.buttons() == []
    await chat.send("/lang zh")
    await chat.send("/today")
    assert "轻松的一天" in chat.text()


# --- Done buttons, /tasks, /done -------------------------------------------------------------

async def test_done_button_closes_the_task_once_and_writes_audit(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    client = make_contact(chat.engine, owner=admin, name="张伟")
    task = add_task(chat.engine, owner=admin, contact=client, due=utcnow() - timedelta(hours=1))
    await chat.send("/today")
    await chat.press("call back")
    assert "Done" in chat.text() and chat.last[0].toast
    assert open_tasks(chat.engine) == []
    with Session(chat.engine) as s:
        stored = s.get(Task, task.id)
        assert stored is not None and stored.done_at is not None
        assert s.exec(select(AuditLog).where(AuditLog.entity == "task",
                                             AuditLog.entity_id == task.id)).first()
    await chat.press_data(f"td:{task.id}")
    assert "already done" in chat.text()


@pytest.mark.parametrize("data", ["td:999999", "td:abc", "td:", "tl:x:m", "tl:0:zz", "tf:999999",
                                  "td:" + "9" * 40])
async def test_forged_buttons_get_a_short_reply(chat: Chat, data: str) -> None:
    make_admin(chat.engine)
    replies = await chat.press_data(data)
    assert len(replies) == 1 and len(replies[0].text) < 120


async def test_rep_cannot_close_or_see_another_reps_task(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    _, other = rep_chat(chat, admin, user_id=2003, name="Other")
    theirs = add_task(chat.engine, owner=other, contact=None, due=utcnow())
    rep, _ = rep_chat(chat, admin)
    await rep.press_data(f"td:{theirs.id}")
    assert "not yours" in rep.text()
    await rep.send(f"/done #{theirs.id}")
    assert "not yours" in rep.text()
    await rep.send("/tasks")
    assert "No open follow-ups" in rep.text()
    assert [t.id for t in open_tasks(chat.engine)] == [theirs.id]


async def test_tasks_are_sorted_by_due_time_and_paged_by_ten(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    client = make_contact(chat.engine, owner=admin, name="张伟")
    start = utcnow() + timedelta(days=1)
    for n in reversed(range(12)):
        add_task(chat.engine, owner=admin, contact=client, due=start + timedelta(hours=n),
                 text=f"step {n:02d}")
    await chat.send("/tasks")
    text = chat.text()
    assert "(12)" in text and text.index("step 00") < text.index("step 09")
    assert "step 10" not in text and "1–10 of 12" in text
    assert len([b for b in chat.buttons() if b.startswith("✅")]) == 10
    await chat.press("Next")
    assert "step 10" in chat.text() and "step 11" in chat.text() and chat.last[0].edit
    await chat.press("Back")
    assert "step 00" in chat.text()


async def test_team_tasks_are_for_managers_and_cover_their_reps(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    manager_chat, manager = rep_chat(chat, admin, role=Role.MANAGER, user_id=2010, name="Mia")
    rep, rep_member = rep_chat(chat, admin, user_id=2011, name="Ray", by=manager)
    _, outsider = rep_chat(chat, admin, user_id=2012, name="Olga")
    add_task(chat.engine, owner=rep_member, contact=None, due=utcnow(), text="rep's call")
    add_task(chat.engine, owner=outsider, contact=None, due=utcnow(), text="outsider's call")
    await manager_chat.send("/tasks team")
    assert "rep's call" in manager_chat.text() and "Ray" in manager_chat.text()
    assert "outsider's call" not in manager_chat.text()
    await manager_chat.press("rep's call")
    assert "Done" in manager_chat.text()
    await rep.send("/tasks team")
    assert "Only managers" in rep.text()
    await rep.send("/tasks whatever")
    assert "/tasks team" in rep.text()
    await rep.press_data("tl:0:t")
    assert "Only managers" in rep.text()


async def test_done_without_argument_lists_open_tasks_as_buttons(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    await chat.send("/done")
    assert "nothing to close" in chat.text()
    client = make_contact(chat.engine, owner=admin, name="张伟")
    add_task(chat.engine, owner=admin, contact=client, due=utcnow(), text="发报价")
    add_task(chat.engine, owner=admin, contact=client, due=utcnow(), text="寄样品")
    await chat.send("/done")
    assert "Which follow-up" in chat.text() and len(chat.buttons()) == 2
    await chat.press("寄样品")
    assert [t.text for t in open_tasks(chat.engine)] == ["发报价"]


async def test_done_by_contact_closes_the_only_task_or_asks_between_several(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    wang = make_contact(chat.engine, owner=admin, name="王芳")
    zhang = make_contact(chat.engine, owner=admin, name="张伟")
    add_task(chat.engine, owner=admin, contact=wang, due=utcnow(), text="回访")
    add_task(chat.engine, owner=admin, contact=zhang, due=utcnow(), text="发报价")
    add_task(chat.engine, owner=admin, contact=zhang, due=utcnow(), text="寄样品")
    await chat.send("/done 王芳")
    assert "Done" in chat.text() and "回访" in chat.text()
    await chat.send("/done 张伟")
    assert "Which follow-up" in chat.text() and len(chat.buttons()) == 2
    await chat.send("/done 王芳")
    assert "no open follow-ups" in chat.text()
    assert sorted(t.text for t in open_tasks(chat.engine)) == ["发报价", "寄样品"]


async def test_done_by_task_number(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    task = add_task(chat.engine, owner=admin, contact=None, due=utcnow(), text="renewal")
    await chat.send("/lang zh")
    await chat.send(f"/done #{task.id}")
    assert "已完成" in chat.text()
    await chat.send(f"/done #{task.id}")
    assert "已经完成" in chat.text()


# --- the contact card ------------------------------------------------------------------------

async def test_card_lists_open_follow_ups_and_its_button_asks_when_and_what(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/contact 张伟")
    assert "Open follow-ups" not in chat.text()
    await chat.press("Follow-up")
    assert "when and what" in chat.text()
    await chat.send("sometime soon")
    assert "couldn't find a time" in chat.text() and open_tasks(chat.engine) == []
    await chat.send("明天下午3点 发报价")
    assert "Follow-up with <b>张伟</b>" in chat.text()
    assert "Open follow-ups" in chat.text() and "发报价" in chat.text()
    [task] = open_tasks(chat.engine)
    assert task.due_at == at_local(local_today() + timedelta(days=1), 15)
    await chat.send("明天 再来一条")  # the form is closed: plain text is not a follow-up
    assert len(open_tasks(chat.engine)) == 1


async def test_card_follow_up_button_for_a_foreign_contact_is_refused(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    _, other = rep_chat(chat, admin, user_id=2003, name="Other")
    theirs = make_contact(chat.engine, owner=other, name="李娜")
    rep, _ = rep_chat(chat, admin)
    await rep.press_data(f"tf:{theirs.id}")
    assert "not yours to see" in rep.text()
