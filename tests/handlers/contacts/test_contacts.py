"""Contacts by chat: add (line, form, shared card), duplicates, find, card, edit."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from crm_store.models import Contact, Role
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat


def contact_count(chat: Chat) -> int:
    with Session(chat.engine) as s:
        return int(s.exec(select(func.count()).select_from(Contact)).one())


async def test_add_one_line_normalises_phone_and_email(chat: Chat) -> None:
    await chat.send("/add 张伟, 华东机械, 138 0013 8000, ZW@HD.cn")
    assert "Added <b>张伟</b>" in chat.text()
    assert "+8613800138000" in chat.text() and "zw@hd.cn" in chat.text()
    assert "华东机械" in chat.text()


async def test_add_form_walks_through_fields_and_skips(chat: Chat) -> None:
    await chat.send("/add")
    assert "name" in chat.text()
    await chat.send("John Smith")
    await chat.send("Acme Ltd")
    await chat.press("Skip")
    assert "Email" in chat.text()
    await chat.send("john@acme.com")
    assert "Added <b>John Smith</b>" in chat.text()
    assert "Acme Ltd" in chat.text() and "john@acme.com" in chat.text()


async def test_form_rejects_bad_phone_and_stays_on_the_step(chat: Chat) -> None:
    await chat.send("/add")
    await chat.send("李娜")
    await chat.send("星河科技")
    await chat.send("12345")
    assert "not a valid phone number" in chat.text()
    await chat.send("13912345678")
    assert "Email" in chat.text()


async def test_cancel_closes_the_form_and_writes_nothing(chat: Chat) -> None:
    await chat.send("/add")
    await chat.send("王芳")
    await chat.send("/cancel")
    assert "Cancelled" in chat.text()
    await chat.send("瑞达贸易")
    assert "/log" in chat.text()  # plain text again, not a form answer
    assert contact_count(chat) == 0


async def test_same_phone_shows_duplicate_with_open_and_create_anyway(chat: Chat) -> None:
    await chat.send("/add 张伟, 华东机械, 13800138000")
    await chat.send("/add 张 伟, 其他公司, +86 138-0013-8000")
    assert "may already be in the CRM" in chat.text()
    assert any(label.startswith("Open 张伟") for label in chat.buttons())
    assert contact_count(chat) == 1
    await chat.press("Create anyway")
    assert "Added" in chat.text()
    assert contact_count(chat) == 2


async def test_similar_name_at_same_company_is_a_likely_duplicate(chat: Chat) -> None:
    await chat.send("/add John Smith, Acme Ltd")
    await chat.send("/add Jon Smith, ACME LTD")
    assert "may already be in the CRM" in chat.text()


async def test_duplicate_owned_by_a_colleague_is_not_revealed(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    rep_a = make_member(chat.engine, by=admin, telegram_user_id=700)
    make_member(chat.engine, by=admin, telegram_user_id=701)
    make_contact(chat.engine, owner=rep_a, name="陈静", phone="13955556666")
    other = Chat(chat.engine, user_id=701)
    await other.send("/add 陈静, 广州陈记食品, 13955556666")
    assert "owned by a colleague" in other.text()
    assert not any(label.startswith("Open") for label in other.buttons())


async def test_shared_telegram_contact_becomes_a_contact(chat: Chat) -> None:
    await chat.share_contact("8613711112222", "欧阳", "娜娜")
    assert "Added <b>欧阳 娜娜</b>" in chat.text() and "+8613711112222" in chat.text()


@pytest.mark.parametrize("query", ["张伟", "zhangwei", "zw", "Zhang Wei", "zhangwie", "张为",
                                   "13800138000", "hdjx"])
async def test_find_reaches_zhang_wei_by_any_key(chat: Chat, query: str) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟", company="华东机械", phone="13800138000",
                 email="zw@hdjx.cn")
    make_contact(chat.engine, owner=admin, name="李娜", company="星河科技")
    await chat.send(f"/find {query}")
    assert "张伟" in chat.text() and "李娜" not in chat.text()
    await chat.press("张伟")
    assert "华东机械" in chat.text() and "Owner" in chat.text()


async def test_ambiguous_name_asks_with_buttons_never_guesses(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟", company="华东机械")
    make_contact(chat.engine, owner=admin, name="张伟", company="南方重工")
    await chat.send("/log 张伟 call asked for a quote")
    assert "Several contacts match" in chat.text()
    assert len([b for b in chat.buttons() if "张伟" in b]) == 2
    await chat.press("南方重工")
    assert "call logged" in chat.text() and "南方重工" in chat.text()


async def test_unknown_contact_gets_a_clear_reply(chat: Chat) -> None:
    await chat.send("/contact Nobody Atall")
    assert "No contact matches “Nobody Atall”" in chat.text()


async def test_edit_by_buttons_and_inline(chat: Chat) -> None:
    await chat.send("/add 李娜, 星河科技")
    await chat.press("Edit")
    await chat.press("Phone")
    await chat.send("139 1234 5678")
    assert "Phone updated" in chat.text() and "+8613912345678" in chat.text()
    await chat.send("/edit 李娜 city 杭州")
    assert "City: 杭州" in chat.text()
    await chat.send("/edit 李娜 email not-an-email")
    assert "not a valid email" in chat.text()


async def test_html_and_sql_looking_names_are_escaped_and_stored_verbatim(chat: Chat) -> None:
    await chat.send("/add <b>Bob</b> & ' OR 1=1 DROP TABLE contact --, Evil <i>Corp</i>")
    assert "&lt;b&gt;Bob&lt;/b&gt; &amp; ' OR 1=1 DROP TABLE contact --" in chat.text()
    assert "Evil &lt;i&gt;Corp&lt;/i&gt;" in chat.text()
    await chat.send("/find drop table")
    assert "DROP TABLE" in chat.text()
    assert contact_count(chat) == 1


async def test_rep_sees_only_own_contacts_manager_sees_team(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    manager = make_member(chat.engine, by=admin, role=Role.MANAGER, telegram_user_id=800)
    rep = make_member(chat.engine, by=manager, telegram_user_id=801)
    other_rep = make_member(chat.engine, by=admin, telegram_user_id=802)
    make_contact(chat.engine, owner=rep, name="王芳")
    hidden = make_contact(chat.engine, owner=other_rep, name="王芳芳")
    rep_chat, manager_chat = Chat(chat.engine, user_id=801), Chat(chat.engine, user_id=800)
    await rep_chat.send("/find 王芳")
    assert "王芳" in rep_chat.text() and "王芳芳" not in rep_chat.text()
    await manager_chat.send("/find 王芳")
    assert "王芳芳" not in manager_chat.text() and "王芳" in manager_chat.text()
    await rep_chat.press_data(f"ct:{hidden.id}")
    assert "not yours to see" in rep_chat.text()
    await chat.send("/find 王芳")
    assert "王芳芳" in chat.text()


async def test_form_continues_after_a_restart(sqlite_chat: Chat) -> None:
    await sqlite_chat.send("/add")
    await sqlite_chat.send("曾志伟")
    from crm_store.db import make_engine

    restarted = Chat(make_engine(str(sqlite_chat.engine.url)))  # a new process, same database
    await restarted.send("深圳曾氏电子")
    assert "Phone" in restarted.text()
    await restarted.press("Skip", restarted.last)
    await restarted.press("Skip", restarted.last)
    assert "Added <b>曾志伟</b>" in restarted.text() and "深圳曾氏电子" in restarted.text()
