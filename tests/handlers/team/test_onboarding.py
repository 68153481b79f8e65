"""Onboarding: admins from settings, invites, strangers, language, help by role."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlmodel import Session, select

from crm_store.models import Inbox, Member, Role
from handlers import dispatch
from handlers.types import ChatRequest, Kind
from tests.builders import make_admin, make_member
from tests.handlers.conftest import Chat


def invite_token(text: str) -> str:
    match = re.search(r"start=([\w-]+)", text)
    assert match, text
    return match.group(1)


async def test_listed_admin_is_welcomed_and_can_invite(chat: Chat) -> None:
    await chat.send("/start")
    assert "Welcome" in chat.text() and "admin" in chat.text()
    await chat.send("/invite manager")
    assert "https://t.me/crm_test_bot?start=" in chat.text()


async def test_invite_link_onboards_a_rep_once(chat: Chat) -> None:
    await chat.send("/invite rep")
    token = invite_token(chat.text())
    rep = Chat(chat.engine, user_id=555, first_name="Li", language_code="zh-hans")
    await rep.send(f"/start {token}")
    assert "欢迎" in rep.text() and "销售" in rep.text()
    other = Chat(chat.engine, user_id=556, first_name="Eve")
    await other.send(f"/start {token}")
    assert "not valid or was already used" in other.text()
    with Session(chat.engine) as s:
        assert s.exec(select(Member).where(Member.telegram_user_id == 556)).first() is None


async def test_expired_invite_is_refused(chat: Chat) -> None:
    from datetime import timedelta

    from crm_store.clock import utcnow
    from crm_store.models import Invite

    await chat.send("/invite rep")
    token = invite_token(chat.text())
    with Session(chat.engine) as s:
        invite = s.exec(select(Invite).where(Invite.token == token)).one()
        invite.expires_at = utcnow() - timedelta(minutes=1)
        s.add(invite)
        s.commit()
    late = Chat(chat.engine, user_id=557)
    await late.send(f"/start {token}")
    assert "expired" in late.text()


async def test_stranger_gets_one_polite_refusal_and_nothing_is_stored(chat: Chat) -> None:
    dispatch._refused.clear()
    req = ChatRequest(user_id=4242, chat_id=4242, kind=Kind.TEXT, text="hello, I'm Mallory",
                      first_name="Mallory", update_id=77, language_code="en")
    from crm_store.db import unit_of_work
    from crm_store.messaging import inbox

    with unit_of_work(chat.engine) as s:
        inbox.store(s, update_id=77, payload={"update_id": 77, "message": {"text": "secret"}})
    replies = await dispatch.handle(req, engine=chat.engine, settings=chat.settings)
    assert len(replies) == 1 and "invite" in replies[0].text
    with unit_of_work(chat.engine) as s:  # a second message a moment later
        inbox.store(s, update_id=78, payload={"update_id": 78, "message": {"text": "hello?"}})
    again = await dispatch.handle(replace(req, update_id=78), engine=chat.engine,
                                  settings=chat.settings)
    assert again == []
    with Session(chat.engine) as s:
        assert s.exec(select(Member).where(Member.telegram_user_id == 4242)).first() is None
        row = s.get(Inbox, 77)
        assert row is not None and row.payload is None


async def test_stranger_refusal_speaks_chinese(chat: Chat) -> None:
    dispatch._refused.clear()
    stranger = Chat(chat.engine, user_id=4343, language_code="zh-CN")
    await stranger.send("/find 张伟")
    assert "邀请" in stranger.text()


async def test_help_depends_on_role(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_member(chat.engine, by=admin, role=Role.REP, telegram_user_id=600)
    rep = Chat(chat.engine, user_id=600)
    await rep.send("/help")
    assert "/find" in rep.text() and "/invite" not in rep.text()
    await chat.send("/help")
    assert "/invite" in chat.text()


async def test_rep_cannot_invite(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_member(chat.engine, by=admin, role=Role.REP, telegram_user_id=601)
    rep = Chat(chat.engine, user_id=601)
    await rep.send("/invite rep")
    assert "not available for your role" in rep.text()


async def test_manager_may_invite_reps_only(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_member(chat.engine, by=admin, role=Role.MANAGER, telegram_user_id=602)
    manager = Chat(chat.engine, user_id=602)
    await manager.send("/invite admin")
    assert "cannot invite" in manager.text()
    await manager.send("/invite rep")
    assert "start=" in manager.text()


async def test_lang_switches_every_reply(chat: Chat) -> None:
    await chat.send("/lang")
    assert chat.buttons() == ["English", "简体中文"]
    await chat.press("简体中文")
    assert "语言已设置" in chat.text()
    await chat.send("/nope")
    assert "我不认识 /nope" in chat.text()
    await chat.send("/lang en")
    await chat.send("/nope")
    assert "I don't know /nope" in chat.text()


async def test_settings_change_time_zone_and_hours(chat: Chat) -> None:
    await chat.send("/settings tz Europe/Berlin")
    assert "Saved" in chat.text()
    await chat.send("/settings hours 8-17")
    await chat.send("/settings")
    assert "Europe/Berlin" in chat.text() and "8:00–17:00" in chat.text()
    await chat.send("/settings tz Mars/Olympus")
    assert "not a time zone" in chat.text()
    await chat.send("/settings hours 18-9")
    assert "not a range of hours" in chat.text()
    await chat.send("/settings lang zh")
    assert "语言已设置为 简体中文" in chat.text()


async def test_settings_changes_are_audited_and_refused_ones_are_not(chat: Chat) -> None:
    from crm_store.models import AuditLog

    await chat.send("/settings tz Europe/Berlin")
    await chat.send("/settings hours 8-17")
    await chat.send("/settings tz Mars/Olympus")  # refused: nothing recorded
    with Session(chat.engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.entity == "member",
                                             AuditLog.action == "update")
                      .order_by(AuditLog.id)).all()
    changes = [(r.before, r.after) for r in rows
               if {"timezone", "work_start"} & set(r.after or {})]
    assert len(changes) == 2  # the refused time zone left no row
    (tz_before, tz_after), (_, hours_after) = changes
    assert tz_before["timezone"] != "Europe/Berlin" and tz_after["timezone"] == "Europe/Berlin"
    assert (hours_after["work_start"], hours_after["work_end"]) == (8, 17)


async def test_error_and_deactivation_replies_speak_the_members_chosen_language(
        chat: Chat, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from crm_store.db import unit_of_work
    from crm_store.messaging import outbox

    admin = make_admin(chat.engine, language="zh-CN")  # chose 中文 with /lang
    rep = make_member(chat.engine, by=admin, name="Bob", telegram_user_id=2301,
                      language="zh-CN")

    async def broken(ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    with monkeypatch.context() as patched:
        patched.setattr(dispatch, "_route", broken)
        replies = await chat.send("/today")  # the Telegram app is in English
    assert replies[0].text == "抱歉，我这边出了点问题，请再试一次。"
    with unit_of_work(chat.engine) as s:
        outbox.mark_unreachable(s, member_id=rep.id or 0, reason="blocked")
    refused = await Chat(chat.engine, user_id=2301, language_code="en").send("/today")
    assert refused[0].text == "您在本团队的访问已被停用，请联系管理员。"
