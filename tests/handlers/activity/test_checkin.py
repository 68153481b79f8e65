"""Visit check-in: a shared location becomes a visit with coordinates on a chosen contact."""

from __future__ import annotations

from sqlmodel import Session, select

from crm_store.models import Interaction, InteractionKind
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat


async def test_location_offers_recent_contacts_first_and_logs_a_visit(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    for name in ("张伟", "李娜", "王芳"):
        make_contact(chat.engine, owner=admin, name=name)
    await chat.send("/log 王芳 call 约了明天见面")
    await chat.share_location(31.2304, 121.4737)
    assert "Which customer" in chat.text()
    assert chat.buttons()[0] == "王芳"
    await chat.press("王芳")
    assert "Visit checked in at 31.23040, 121.47370" in chat.text()
    assert "Visit check-in" in chat.text()  # on the card's recent activity
    with Session(chat.engine) as s:
        visit = s.exec(select(Interaction).where(Interaction.kind == InteractionKind.VISIT)).one()
        assert (visit.latitude, visit.longitude) == (31.2304, 121.4737)


async def test_typed_name_works_instead_of_a_button(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="John Smith")
    await chat.share_location(51.5, -0.12)
    await chat.send("jhon smith")
    assert "Visit checked in" in chat.text() and "John Smith" in chat.text()


async def test_rep_is_offered_only_own_contacts(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    rep = make_member(chat.engine, by=admin, telegram_user_id=901, language="zh-CN")
    other = make_member(chat.engine, by=admin, telegram_user_id=902)
    make_contact(chat.engine, owner=rep, name="我的客户")
    theirs = make_contact(chat.engine, owner=other, name="别人的客户")
    rep_chat = Chat(chat.engine, user_id=901, language_code="zh-CN")
    await rep_chat.share_location(22.54, 114.05)
    assert rep_chat.buttons()[:-1] == ["我的客户"] and "拜访签到" in rep_chat.text()
    await rep_chat.press_data(f"ck:{theirs.id}")
    assert "不在您的可见范围" in rep_chat.text()


async def test_check_in_without_contacts_or_with_bad_coordinates(chat: Chat) -> None:
    await chat.share_location(31.0, 121.0)
    assert "no customers yet" in chat.text()
    await chat.share_location(999.0, 121.0)
    assert "could not be read" in chat.text()


async def test_stale_check_in_button_changes_nothing(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    await chat.press_data(f"ck:{contact.id}")
    assert "no longer valid" in chat.text()
    with Session(chat.engine) as s:
        assert s.exec(select(Interaction)).first() is None
