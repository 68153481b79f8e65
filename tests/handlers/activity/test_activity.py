"""Logging interactions by command and by card buttons."""

from __future__ import annotations

from sqlmodel import Session, select

from crm_store.models import Contact, Interaction
from tests.builders import make_admin, make_contact
from tests.handlers.conftest import Chat


async def test_log_visit_updates_card_and_last_contacted(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="John Smith", company="Acme")
    await chat.send("/log John Smith visit met the buyer, wants 50 units")
    assert "visit logged" in chat.text()
    assert "met the buyer, wants 50 units" in chat.text()
    with Session(chat.engine) as s:
        stored = s.get(Contact, contact.id)
        assert stored is not None and stored.last_contacted_at is not None


async def test_log_accepts_chinese_kind_words(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="李娜")
    await chat.send("/lang zh")
    await chat.send("/log 李娜 拜访 她想要报价，下周三跟进")
    assert "已记录拜访" in chat.text() and "她想要报价，下周三跟进" in chat.text()


async def test_log_without_kind_or_text_explains_usage(chat: Chat) -> None:
    await chat.send("/log 张伟")
    assert "Usage" in chat.text()
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/log 张伟 call")
    assert "What happened" in chat.text()


async def test_log_from_card_button_asks_for_text(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="王芳")
    await chat.send("/contact 王芳")
    await chat.press("Log call")
    assert "what happened" in chat.text()
    await chat.send("回访老客户")
    assert "call logged" in chat.text() and "回访老客户" in chat.text()


async def test_five_thousand_character_message_is_refused_and_changes_nothing(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/log 张伟 note " + "很长" * 2500)
    assert "too long" in chat.text()
    with Session(chat.engine) as s:
        assert s.exec(select(Interaction)).first() is None


async def test_forged_callback_data_gets_a_short_reply(chat: Chat) -> None:
    await chat.send("/start")
    for data in ["ct:999999", "lg:abc:call", "zz:1", "ef:1:password", "pk:1", "ct:" + "9" * 40]:
        replies = await chat.press_data(data)
        assert len(replies) == 1 and len(replies[0].text) < 120, data


async def test_logging_a_call_counts_as_first_response_to_a_complaint(chat: Chat) -> None:
    from crm_store.models import Feedback

    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="陈静")
    await chat.send("/feedback 陈静 complaint 发货太慢，很紧急")
    with Session(chat.engine) as s:
        assert s.exec(select(Feedback)).one().first_response_at is None
    await chat.send("/log 陈静 call 道歉并确认补发")
    with Session(chat.engine) as s:
        complaint = s.exec(select(Feedback)).one()
        assert complaint.first_response_at is not None and complaint.status == "open"
