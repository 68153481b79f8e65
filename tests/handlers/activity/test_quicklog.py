"""Quick log: free text → proposal → Confirm writes, Undo removes; Edit and Cancel."""

from __future__ import annotations

from sqlmodel import Session, col, select

from crm_store.models import Interaction, InteractionKind, Task, TaskStatus
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat


def live_interactions(chat: Chat) -> list[Interaction]:
    with Session(chat.engine) as s:
        return list(s.exec(select(Interaction).where(col(Interaction.deleted_at).is_(None))))


def open_tasks(chat: Chat) -> list[Task]:
    with Session(chat.engine) as s:
        return list(s.exec(select(Task).where(Task.status == TaskStatus.OPEN)))


async def test_english_message_becomes_a_proposal_and_nothing_is_written(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("called 张伟 about 50 units, follow up next friday")
    assert "Log a <b>call</b> with <b>张伟</b>" in chat.text()
    assert "Follow-up:" in chat.text()
    assert chat.buttons() == ["✅ Confirm", "✏️ Edit", "✖ Cancel"]
    assert live_interactions(chat) == [] and open_tasks(chat) == []


async def test_confirm_writes_interaction_and_follow_up_then_undo_removes_both(
    chat: Chat,
) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="李娜")
    await chat.send("/lang zh")
    await chat.send("拜访了李娜，她想要报价，下周三跟进")
    assert "拜访" in chat.text() and "李娜" in chat.text()
    await chat.press("确认")
    assert "已记录拜访，并设置了跟进提醒" in chat.text()
    [visit] = live_interactions(chat)
    assert visit.kind == InteractionKind.VISIT and "报价" in visit.text
    assert len(open_tasks(chat)) == 1
    await chat.press("撤销")
    assert "已撤销" in chat.text()
    assert live_interactions(chat) == [] and open_tasks(chat) == []
    await chat.send("/contact 李娜")
    assert "还没有任何记录" in chat.text() and "最近联系：—" in chat.text()


async def test_edit_changes_kind_and_drops_follow_up(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="John Smith")
    await chat.send("met John Smith at the expo, follow up tomorrow 3pm")
    await chat.press("Edit")
    await chat.press("qk:visit")
    assert "Log a <b>visit</b>" in chat.text()
    await chat.press("Edit")
    await chat.press("No follow-up")
    assert "Follow-up" not in chat.text()
    await chat.press("Confirm")
    assert "visit logged." in chat.text() and open_tasks(chat) == []


async def test_edit_text_replaces_the_note(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="王芳")
    await chat.send("给王芳打电话，确认交期")
    await chat.press("Edit")
    await chat.press("Text")
    await chat.send("确认交期：12月10日发货")
    assert "12月10日发货" in chat.text()
    await chat.press("Confirm")
    assert live_interactions(chat)[0].text == "确认交期：12月10日发货"


async def test_cancel_writes_nothing(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("visited 张伟 today")
    await chat.press("Cancel")
    assert "Cancelled" in chat.text() and live_interactions(chat) == []


async def test_two_contacts_named_asks_which_one(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    make_contact(chat.engine, owner=admin, name="李娜")
    await chat.send("met 张伟 and 李娜 for lunch")
    assert "Which customer" in chat.text() and set(chat.buttons()[:2]) == {"张伟", "李娜"}
    await chat.press("李娜")
    assert "with <b>李娜</b>" in chat.text()


async def test_message_without_a_known_contact_or_verb(chat: Chat) -> None:
    await chat.send("hello there")
    assert "Tell me what happened" in chat.text()
    await chat.send("called someone about the order")
    assert "couldn't tell which customer" in chat.text()


async def test_undo_is_only_for_the_author(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_member(chat.engine, by=admin, telegram_user_id=950)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("called 张伟 about the invoice")
    await chat.press("Confirm")
    undo = next(b.action for r in chat.last for row in r.buttons for b in row if "Undo" in b.label)
    other = Chat(chat.engine, user_id=950)
    await other.press_data(undo)
    assert "nothing left to undo" in other.text() or "not yours" in other.text()
    assert len(live_interactions(chat)) == 1
    await chat.press_data(undo)
    await chat.press_data(undo)
    assert "nothing left to undo" in chat.text()


async def test_rep_quick_log_never_matches_another_reps_contact(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_member(chat.engine, by=admin, telegram_user_id=951)
    make_contact(chat.engine, owner=admin, name="陈静")
    rep = Chat(chat.engine, user_id=951)
    await rep.send("called 陈静 about the contract")
    assert "couldn't tell which customer" in rep.text()
