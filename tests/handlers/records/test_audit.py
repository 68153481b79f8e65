"""/audit, /delete and /restore in chat: history with actors, visibility, round trips."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store.contacts import contacts
from crm_store.db import unit_of_work
from crm_store.models import AuditLog, Contact, Member, Role, Team
from crm_store.records import restore
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat

REP_ID, OTHER_REP_ID, MANAGER_ID = 3001, 3002, 3003


@pytest.fixture
def admin(engine: Engine) -> Member:
    return make_admin(engine)


@pytest.fixture
def manager(engine: Engine, admin: Member) -> Member:
    return make_member(engine, by=admin, role=Role.MANAGER, name="Mia Manager",
                       telegram_user_id=MANAGER_ID)


@pytest.fixture
def rep(engine: Engine, manager: Member) -> Member:
    return make_member(engine, by=manager, name="Rex Rep", telegram_user_id=REP_ID)


@pytest.fixture
def other_rep(engine: Engine, admin: Member) -> Member:
    return make_member(engine, by=admin, name="Olga Other", telegram_user_id=OTHER_REP_ID)


def chat_of(engine: Engine, user_id: int, language: str = "en") -> Chat:
    return Chat(engine, user_id=user_id, language_code=language)


def audit_actions(engine: Engine, entity: str, entity_id: int) -> list[str]:
    with Session(engine) as s:
        stmt = select(AuditLog.action).where(AuditLog.entity == entity,
                                             AuditLog.entity_id == entity_id)
        return list(s.exec(stmt.order_by(col(AuditLog.id))))


def contact_named(engine: Engine, name: str) -> Contact:
    with Session(engine) as s:
        found = s.exec(select(Contact).where(Contact.name == name)).first()
        assert found is not None
        return found


def foreign_deleted_contact(engine: Engine) -> int:
    """A deleted contact of another team, and that team's admin."""
    with unit_of_work(engine) as s:
        team = Team(name="Rivals")
        s.add(team)
        s.flush()
        boss = Member(team_id=team.id or 0, telegram_user_id=9009, display_name="Boss",
                      role=Role.ADMIN)
        s.add(boss)
        s.flush()
        contact = contacts.create_contact(s, actor=boss, data=contacts.NewContact(name="秘密客户"))
        restore.delete_contact(s, actor=boss, contact_id=contact.id or 0)
        return contact.id or 0


async def test_history_lists_chat_commands_newest_first_with_actors(
    engine: Engine, rep: Member
) -> None:
    rex, mia = chat_of(engine, REP_ID), chat_of(engine, MANAGER_ID)
    await rex.send("/add 张伟, 华东机械, 13800138000")
    await rex.send("/edit 张伟 city 上海")
    await rex.send("/deal 张伟 阀门 50000")
    await mia.send("/order 张伟 10000")
    replies = await mia.send("/audit 张伟")
    text = replies[0].text
    assert "History of 张伟" in text
    lines = text.splitlines()[1:]
    assert "Mia Manager · created order" in lines[0]
    assert "Rex Rep · created deal" in lines[1]
    assert "Rex Rep · changed contact" in lines[2] and "city: 上海" in lines[2]
    assert "Rex Rep · created contact" in lines[3]
    assert lines[0][:4].isdigit()  # local time first


async def test_more_button_pages_through_older_changes(engine: Engine, admin: Member) -> None:
    chat = chat_of(engine, 1001)
    await chat.send("/add 王芳, 华南贸易")
    for number in range(16):
        await chat.send(f"/edit 王芳 title 经理{number}")
    first = await chat.send("/audit 王芳")
    assert first[0].text.count("\n") == 15  # title + 15 lines
    assert "经理15" in first[0].text and "created contact" not in first[0].text
    more = first[0].buttons[0][0]
    assert more.action.startswith("au:") and len(more.action.encode()) <= 64
    second = await chat.press("More")
    assert "created contact" in second[0].text and "经理0" in second[0].text
    assert not second[0].buttons


async def test_rep_cannot_read_another_reps_contact_history(
    engine: Engine, rep: Member, other_rep: Member
) -> None:
    secret = make_contact(engine, owner=other_rep, name="李秘密")
    rex = chat_of(engine, REP_ID)
    replies = await rex.send("/audit 李秘密")
    assert "李秘密" in replies[0].text and "History" not in replies[0].text  # no match
    replies = await rex.send(f"/audit #{secret.id}")
    assert "not yours to see" in replies[0].text
    replies = await rex.press_data(f"au:{secret.id}:999999")
    assert "not yours to see" in replies[0].text and "Olga" not in replies[0].text


async def test_forged_buttons_for_another_teams_record_show_nothing(
    engine: Engine, admin: Member
) -> None:
    foreign = foreign_deleted_contact(engine)
    chat = chat_of(engine, 1001)
    replies = await chat.press_data(f"au:{foreign}:999999")
    assert "秘密客户" not in replies[0].text and "not yours to see" in replies[0].text
    replies = await chat.press_data(f"av:c:{foreign}")
    assert "nothing to restore" in replies[0].text
    replies = await chat.press_data(f"ax:{foreign}")
    assert "秘密客户" not in replies[0].text
    for junk in ("av:z:1", "av:c:abc", "au:1", "av:c:99999999999999"):
        replies = await chat.press_data(junk)
        assert "no longer valid" in replies[0].text
    await chat.send("/restore")
    assert "秘密客户" not in chat.text()
    with Session(engine) as s:
        assert (s.get(Contact, foreign) or Contact()).deleted_at is not None


async def test_delete_then_restore_round_trip(engine: Engine, rep: Member) -> None:
    rex = chat_of(engine, REP_ID)
    await rex.send("/add 赵敏, 明教, 13700137000")
    cid = contact_named(engine, "赵敏").id or 0
    await rex.send("/delete 赵敏")
    assert "Delete <b>赵敏</b>?" in rex.text()
    await rex.press("Delete")
    assert "赵敏 is deleted" in rex.text()
    await rex.send("/find 赵敏")
    assert "赵敏" not in "".join(rex.buttons())
    await rex.send("/restore")
    assert "赵敏" in rex.text()
    await rex.press("赵敏")
    assert "赵敏 is back" in rex.text()
    await rex.send("/find 赵敏")
    assert "赵敏" in rex.text()
    assert audit_actions(engine, "contact", cid) == ["create", "delete", "restore"]
    await rex.send("/audit 赵敏")
    lines = rex.text().splitlines()
    assert "Rex Rep · restored contact" in lines[1] and "Rex Rep · deleted contact" in lines[2]


async def test_restore_by_name_and_the_duplicate_refusal(
    engine: Engine, rep: Member, other_rep: Member
) -> None:
    gone = make_contact(engine, owner=rep, name="周芷若", phone="13600136000")
    with unit_of_work(engine) as s:
        me = s.get(Member, rep.id)
        assert me is not None
        restore.delete_contact(s, actor=me, contact_id=gone.id or 0)
    rex = chat_of(engine, REP_ID)
    replies = await rex.send("/restore 张三丰")
    assert "No customer deleted" in replies[0].text
    make_contact(engine, owner=other_rep, name="新客户", phone="13600136000")
    replies = await rex.send("/restore 周芷若")
    assert "Cannot restore 周芷若" in replies[0].text and "another customer" in replies[0].text
    assert audit_actions(engine, "contact", gone.id or 0) == ["create", "delete"]


async def test_replies_in_chinese(engine: Engine, admin: Member) -> None:
    chat = Chat(engine, language_code="zh-CN")
    with unit_of_work(engine) as s:  # the admin prefers Chinese
        me = s.get(Member, admin.id)
        assert me is not None
        me.language = "zh-CN"
        s.add(me)
    await chat.send("/add 张伟, 华东机械")
    replies = await chat.send("/audit 张伟")
    assert "张伟 的修改记录" in replies[0].text and "创建了联系人" in replies[0].text
    replies = await chat.send("/restore")
    assert "最近 30 天没有" in replies[0].text
    replies = await chat.send("/audit")
    assert "用法" in replies[0].text


async def test_names_are_escaped(engine: Engine, admin: Member) -> None:
    make_contact(engine, owner=admin, name="<b>Bad</b> & Co")
    chat = chat_of(engine, 1001)
    replies = await chat.send("/audit Bad")
    assert "&lt;b&gt;Bad&lt;/b&gt; &amp; Co" in replies[0].text
    assert "<b>Bad</b>" not in replies[0].text
