"""/members, /deactivate and /reassign in chat: the tree, the handover, who may do it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from crm_store.db import unit_of_work
from crm_store.messaging import reminder_kinds as rk
from crm_store.models import Contact, Member, Outbox, Role
from handlers.reminders.views import render_reminder
from handlers.team.members import split_to, whole_book
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat
from tests.store.team.test_handover import fill_book, owned

MANAGER_ID, REP_ID, REP2_ID, OTHER_ID = 2001, 2002, 2003, 2004


@dataclass
class Org:
    """admin → Mona (manager) → Bob, Carol; Olga under the admin; every chat at hand."""

    admin: Member
    manager: Member
    rep: Member
    rep2: Member
    other: Member
    contact_id: int


@pytest.fixture
def org(engine: Engine) -> Org:
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Mona Manager",
                          telegram_user_id=MANAGER_ID)
    rep = make_member(engine, by=manager, name="Bob Rep", telegram_user_id=REP_ID)
    rep2 = make_member(engine, by=manager, name="Carol Rep", telegram_user_id=REP2_ID,
                       language="zh-CN")
    other = make_member(engine, by=admin, name="Olga Other", telegram_user_id=OTHER_ID)
    known = make_contact(engine, owner=rep, name="张伟", company="华东机械")
    with unit_of_work(engine) as s:  # fast bulk: 499 more contacts, 50 deals, 80 tasks
        row = s.get(Member, rep.id)
        assert row is not None
        fill_book(s, row, contacts=499)
    return Org(admin, manager, rep, rep2, other, known.id or 0)


def chat_of(engine: Engine, user_id: int, language: str = "en") -> Chat:
    return Chat(engine, user_id=user_id, language_code=language)


async def test_members_shows_the_tree_with_roles_and_counts(chat: Chat, org: Org) -> None:
    text = "\n".join(r.text for r in await chat.send("/members"))
    lines = text.splitlines()
    bob = next(line for line in lines if "Bob Rep" in line)
    mona = next(line for line in lines if "Mona Manager" in line)
    assert bob.startswith("    └ ") and mona.startswith("• ")  # Bob sits under Mona
    assert "sales rep" in bob and "👤 500 · 💼 50 · ⏰ 80" in bob
    assert "Olga Other" in text and "5 members" in text


async def test_a_manager_sees_only_their_hierarchy_and_a_rep_is_refused(
        engine: Engine, org: Org) -> None:
    text = (await chat_of(engine, MANAGER_ID).send("/members"))[0].text
    assert "Bob Rep" in text and "Carol Rep" in text and "Olga" not in text
    assert "Ada Admin" not in text
    assert "not available" in (await chat_of(engine, REP_ID).send("/members"))[0].text


async def test_deactivating_a_rep_hands_everything_over_and_locks_them_out(
        chat: Chat, engine: Engine, org: Org) -> None:
    replies = await chat.send("/deactivate Bob to Carol")
    assert "Contacts: 500" in replies[0].text and "Open deals: 50" in replies[0].text
    assert "Open tasks: 80" in replies[0].text
    assert "Orders with a balance due: 20" in replies[0].text
    assert "Open feedback: 25" in replies[0].text
    assert "stay credited to Bob Rep" in replies[0].text
    with unit_of_work(engine) as s:
        assert owned(s, org.rep.id)["contact"] == 500  # nothing happens before Confirm
    done = await chat.press("Confirm")
    assert done[0].edit and "Bob Rep" in done[0].text and "Carol Rep has been told" in done[0].text
    with unit_of_work(engine) as s:
        assert owned(s, org.rep.id) == dict.fromkeys(owned(s, org.rep.id), 0)
        assert owned(s, org.rep2.id) == {"contact": 500, "deal": 50, "task": 80, "order": 20,
                                         "feedback": 25}
        notice = s.exec(select(Outbox).where(Outbox.kind == rk.HANDOVER)).one()
        assert notice.chat_id == REP2_ID
        shown = render_reminder(kind=notice.kind, payload=notice.payload, outbox_id=notice.id or 0,
                                language="zh-CN", timezone="Asia/Shanghai")
        assert "Bob Rep已离开团队" in shown.text and "联系人：500" in shown.text
        assert "未收清款项的订单：20" in shown.text and "待处理的客户反馈：25" in shown.text
    found = await chat_of(engine, REP2_ID, "zh-CN").send("/find 张伟")
    assert "张伟" in found[0].text
    leaver = chat_of(engine, REP_ID)
    for attempt in ("/find 张伟", f"/contact #{org.contact_id}", "/today", "张伟 called"):
        assert "switched off" in (await leaver.send(attempt))[0].text
    pressed = await leaver.press_data(f"ct:{org.contact_id}")
    assert "switched off" in pressed[0].text and "张伟" not in pressed[0].text


async def test_the_deactivation_summary_in_chinese_counts_what_moves_and_what_stays(
        chat: Chat, engine: Engine, org: Org) -> None:
    await chat.send("/lang zh")
    asked = (await chat.send("/deactivate Bob to Carol"))[0].text
    assert "未收清款项的订单：20" in asked and "待处理的客户反馈：25" in asked
    assert "仍记在Bob Rep名下" in asked
    done = (await chat.press("确认"))[0].text
    assert "已停用 <b>Bob Rep</b>" in done and "未收清款项的订单：20" in done


async def test_without_to_the_records_go_to_the_leavers_manager(
        chat: Chat, engine: Engine, org: Org) -> None:
    replies = await chat.send("/deactivate @nobody")
    assert "No member called" in replies[0].text
    replies = await chat.send("/deactivate Bob")
    assert "Mona Manager" in replies[0].text
    await chat.press("Confirm")
    with unit_of_work(engine) as s:
        assert owned(s, org.manager.id)["contact"] == 500


@pytest.mark.parametrize(("command", "expected"), [
    ("/deactivate me", "cannot deactivate yourself"),
    ("/deactivate Rep", "could be Bob Rep, Carol Rep"),
    ("/deactivate Bob to Bob Rep", "give the records to themselves"),
    ("/deactivate Bob to Sam", "No member called “Sam”"),  # Sam is in another team
    ("/deactivate Bob to", "Whom should I deactivate"),
    ("/deactivate", "Whom should I deactivate"),
])
async def test_refusals_are_specific_and_change_nothing(
        chat: Chat, engine: Engine, org: Org, command: str, expected: str) -> None:
    make_member(engine, by=org.admin, role=Role.ADMIN, name="Second Admin")
    with unit_of_work(engine) as s:
        from crm_store.models import Team

        rivals = Team(name="Rivals")
        s.add(rivals)
        s.flush()
        s.add(Member(team_id=rivals.id or 0, telegram_user_id=99_999, display_name="Sam"))
    replies = await chat.send(command)
    assert expected in replies[0].text and not replies[0].buttons
    with unit_of_work(engine) as s:
        assert owned(s, org.rep.id)["contact"] == 500


async def test_deactivated_members_can_neither_leave_again_nor_receive(
        chat: Chat, engine: Engine, org: Org) -> None:
    await chat.send("/deactivate Olga")
    await chat.press("Confirm")
    assert "already deactivated" in (await chat.send("/deactivate Olga"))[0].text
    replies = await chat.send("/deactivate Bob to Olga")
    assert "Olga Other is deactivated and cannot receive" in replies[0].text
    assert "cannot receive" in (await chat.send("/reassign all from Bob to Olga"))[0].text
    # a forged or stale Confirm is checked again when pressed
    stale = await chat.press_data(f"md:{org.other.id}:{org.admin.id}")
    assert "already deactivated" in stale[0].text


async def test_only_admins_may_deactivate(engine: Engine, org: Org) -> None:
    for user_id in (REP_ID, MANAGER_ID):
        replies = await chat_of(engine, user_id).send("/deactivate Bob to Carol")
        assert "not available for your role" in replies[0].text
    forged = await chat_of(engine, MANAGER_ID).press_data(f"md:{org.rep.id}:{org.rep2.id}")
    assert "no longer valid" in forged[0].text
    with unit_of_work(engine) as s:
        assert owned(s, org.rep.id)["contact"] == 500


async def test_chinese_admin_gets_chinese_confirmation_and_summary(
        engine: Engine, org: Org) -> None:
    admin = Chat(engine, language_code="zh-CN")
    await admin.send("/lang zh")
    replies = await admin.send("/deactivate Bob 给 Carol")
    assert "停用 <b>Bob Rep</b>" in replies[0].text and "联系人：500" in replies[0].text
    assert "✅ 确认" in admin.buttons()
    done = await admin.press("确认")
    assert "已停用 <b>Bob Rep</b>" in done[0].text and "已通知Carol Rep" in done[0].text
    assert "唯一在职的管理员" in (await admin.send("/deactivate 我"))[0].text
    tree = (await admin.send("/members"))[0].text
    assert "已停用" in tree and "团队" in tree


async def test_reassign_one_contact_and_its_deals_follow(
        engine: Engine, org: Org) -> None:
    manager = chat_of(engine, MANAGER_ID)
    replies = await manager.send("/reassign 张伟 to Carol")
    assert "<b>张伟</b> now belongs to <b>Carol Rep</b>" in replies[0].text
    found = await chat_of(engine, REP2_ID).send("/find 张伟")
    assert "张伟" in found[0].text
    gone = await chat_of(engine, REP_ID).send("/find 张伟")
    assert "No contact matches" in gone[0].text
    assert "No member called" in (await manager.send("/reassign 张伟 to Olga"))[0].text
    assert "Usage" in (await manager.send("/reassign 张伟"))[0].text


async def test_reassign_a_whole_book_asks_first_and_keeps_the_member_active(
        engine: Engine, org: Org) -> None:
    manager = chat_of(engine, MANAGER_ID)
    replies = await manager.send("/reassign all from Bob to Carol")
    assert "Contacts: 500" in replies[0].text
    await manager.press("Confirm")
    with unit_of_work(engine) as s:
        assert owned(s, org.rep2.id)["contact"] == 500
        rep = s.get(Member, org.rep.id)
        assert rep is not None and rep.active
        assert s.exec(select(func.count()).select_from(Contact)).one() == 500
    again = await manager.send("/reassign all from Bob to Carol")
    assert "owns nothing to move" in again[0].text
    assert "not available" in (await chat_of(engine, REP_ID).send("/reassign all from Bob to "
                                                                  "Carol"))[0].text


@pytest.mark.parametrize(("args", "parts", "book"), [
    ("Bob to Carol", ("Bob", "Carol"), None),
    ("Bob Lee to Carol Wu", ("Bob Lee", "Carol Wu"), None),
    ("王伟 给 李娜", ("王伟", "李娜"), None),
    ("王伟→李娜", ("王伟", "李娜"), None),
    ("Bob to", ("Bob", ""), None),
    ("Bob", ("Bob", None), None),
    ("all from Bob to Carol", ("all from Bob", "Carol"), "Bob"),
    ("ALL Bob to Carol", ("ALL Bob", "Carol"), "Bob"),
    ("全部 从 王伟 到 李娜", ("全部 从 王伟", "李娜"), "王伟"),
    ("Allen to Carol", ("Allen", "Carol"), None),
    ("Tom Fromm to Carol", ("Tom Fromm", "Carol"), None),
])
def test_parsing_who_goes_to_whom(args: str, parts: tuple[str, str | None],
                                  book: str | None) -> None:
    assert split_to(args) == parts
    assert whole_book(parts[0]) == book


async def test_a_member_the_bot_could_not_reach_is_announced_and_can_be_switched_back_on(
        chat: Chat, engine: Engine) -> None:
    from crm_store.messaging import outbox

    admin = make_admin(engine)
    rep = make_member(engine, by=admin, name="Bob Rep", telegram_user_id=REP_ID)
    make_contact(engine, owner=rep, name="张伟")
    with unit_of_work(engine) as s:  # the dispatcher got 403 "bot was blocked by the user"
        outbox.mark_unreachable(s, member_id=rep.id or 0, reason="Forbidden: bot was blocked")
    bob = chat_of(engine, REP_ID)
    assert "switched off" in (await bob.send("/find 张伟"))[0].text
    with unit_of_work(engine) as s:  # the admin is told, in a reminder they can act on
        [notice] = s.exec(select(Outbox).where(Outbox.kind == rk.MEMBER_UNREACHABLE)).all()
        assert notice.member_id == admin.id and notice.payload["name"] == "Bob Rep"
        text = render_reminder(kind=notice.kind, payload=notice.payload, outbox_id=notice.id or 0,
                               language="zh-CN", timezone="Asia/Shanghai").text
        assert "Bob Rep" in text and "/reactivate" in text
    make_member(engine, by=admin, role=Role.MANAGER, name="Mona", telegram_user_id=MANAGER_ID)
    refused = await chat_of(engine, MANAGER_ID).send("/reactivate Bob")  # admins only
    assert "not available for your role" in refused[0].text
    assert "Bob Rep" in (await chat.send("/reactivate Bob"))[0].text
    assert "active already" in (await chat.send("/reactivate Bob"))[0].text
    assert "张伟" in "\n".join(r.text for r in await bob.send("/find 张伟"))
    await chat.send("/reactivate")
    assert "/reactivate <member>" in chat.seen()
    with unit_of_work(engine) as s:
        assert s.get(Member, rep.id).active is True


async def test_names_holding_all_or_to_are_read_the_way_that_names_someone(
        chat: Chat, engine: Engine) -> None:
    admin = make_admin(engine)
    make_member(engine, by=admin, name="Carol", telegram_user_id=4001)
    make_member(engine, by=admin, name="Anna To", telegram_user_id=4002)
    make_member(engine, by=admin, name="Anna Lee", telegram_user_id=4003)
    star = make_contact(engine, owner=admin, name="All Star Trading")
    # a contact whose name starts with "All" where no member is named: the contact moves
    moved = await chat.send("/reassign All Star Trading to Carol")
    assert "All Star Trading" in moved[0].text and "Carol" in moved[0].text
    with unit_of_work(engine) as s:
        assert (s.get(Contact, star.id) or Contact()).owner_id != admin.id
    # a surname "To" is a name, not a missing receiver; with a receiver, the split that works
    alone = await chat.send("/deactivate Anna To")
    assert "Deactivate <b>Anna To</b>" in alone[0].text
    named = await chat.send("/deactivate Anna To to Carol")
    assert "Deactivate <b>Anna To</b> and give <b>Carol</b>" in named[0].text
    # "all from <member>" still means a whole book, and an unknown name still says so
    book = await chat.send("/reassign all from Anna Lee to Carol")
    assert "owns nothing to move" in book[0].text
    unknown = await chat.send("/reassign all from Nobody to Carol")
    assert "No member called “Nobody”" in unknown[0].text
    assert "Whom should I deactivate" in (await chat.send("/deactivate Bob to"))[0].text


async def test_after_reassign_the_old_branch_no_longer_sees_the_customer_or_acts_on_them(
        engine: Engine, org: Org) -> None:
    """Olga's branch takes 王芳 with an open complaint and an unpaid order from Bob's branch."""
    from crm_store.models import Feedback, FeedbackKind, Order

    wang = make_contact(engine, owner=org.rep, name="王芳", company="杭州丝绸")
    with unit_of_work(engine) as s:
        complaint = Feedback(team_id=org.rep.team_id, owner_id=org.rep.id or 0,
                             member_id=org.rep.id, contact_id=wang.id or 0,
                             kind=FeedbackKind.COMPLAINT, text="交货太慢", status="open")
        order = Order(team_id=org.rep.team_id, owner_id=org.rep.id or 0,
                      contact_id=wang.id or 0, amount_minor=80_000_00, status="open")
        s.add_all([complaint, order])
        s.flush()
        complaint_id = complaint.id
    admin = chat_of(engine, 1001)
    moved = await admin.send("/reassign 王芳 to Olga")
    assert "now belongs to <b>Olga Other</b>" in moved[0].text
    for user_id in (REP_ID, MANAGER_ID):  # the old owner and their manager
        old = chat_of(engine, user_id)
        assert "No contact matches" in (await old.send("/contact 王芳"))[0].text
        assert "王芳" not in "\n".join(r.text for r in await old.send("/complaints"))
        assert "王芳" not in "\n".join(r.text for r in await old.send("/receivables"))
        await old.send(f"/resolve {complaint_id} 已处理")
        with unit_of_work(engine) as s:
            assert s.get(Feedback, complaint_id).status == "open"  # type: ignore[union-attr]
    olga = chat_of(engine, OTHER_ID)
    assert "王芳" in "\n".join(r.text for r in await olga.send("/complaints"))
    assert "王芳" in "\n".join(r.text for r in await olga.send("/receivables"))
