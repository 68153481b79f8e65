"""/order, /paid, /receivables, the order card and the contact card's purchases."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from crm_store.db import unit_of_work
from crm_store.errors import Invalid
from crm_store.models import AuditLog, Contact, Member, Order, Payment, Role
from handlers.orders.commands import parse_order_args
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat


def stored_orders(engine: Engine) -> list[Order]:
    with Session(engine) as s:
        return list(s.exec(select(Order).order_by(col(Order.id))))


def payment_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(Payment)).one())


async def order_for(chat: Chat, text: str) -> Order:
    await chat.send(text)
    return stored_orders(chat.engine)[-1]


@pytest.fixture
def admin(engine: Engine) -> Member:
    return make_admin(engine)


@pytest.fixture
def zhang(engine: Engine, admin: Member) -> Contact:
    return make_contact(engine, owner=admin, name="张伟", company="华东机械")


# --- parsing -----------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "expected"), [
    ("张伟 50000", ("张伟", 5_000_000, None, "")),
    ("张伟 5万 30% 50个阀门", ("张伟", 5_000_000, 1_500_000, "50个阀门")),
    ("John Smith 50k 毛利30% rush", ("John Smith", 5_000_000, 1_500_000, "rush")),
    ("张伟 ¥12,000.50 3000 two boxes", ("张伟", 1_200_050, 300_000, "two boxes")),
    ("张伟 10000 margin 12.5%", ("张伟", 1_000_000, 125_000, "")),
    ("张伟 10000 毛利：2000", ("张伟", 1_000_000, 200_000, "")),
    ("张伟 10000 gpu servers", ("张伟", 1_000_000, None, "gpu servers")),
    ("张伟 10000 毛利高 加急", ("张伟", 1_000_000, None, "毛利高 加急")),
    ("张伟 only words", None),
])
def test_order_arguments_split_into_contact_amount_margin_note(
    args: str, expected: tuple | None
) -> None:
    parsed = parse_order_args(args)
    got = parsed and (parsed.contact, parsed.amount_minor, parsed.margin_minor, parsed.note)
    assert got == expected


@pytest.mark.parametrize(("args", "key"), [
    ("张伟 0", "order.amount_zero"), ("张伟 -500", "order.amount_negative"),
    ("张伟 ¥-5万", "order.amount_negative"), ("张伟 12abc", "error.amount"),
    ("张伟 99999999999999", "error.amount_too_large"), ("张伟 5000 -10%", "order.margin_negative"),
    ("张伟 5000 毛利 abc", "order.margin_invalid"),
])
def test_bad_amount_words_name_the_problem(args: str, key: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_order_args(args)
    assert caught.value.key == key


# --- /order ------------------------------------------------------------------------------

async def test_order_with_percentage_margin_shows_the_order_card(
    chat: Chat, zhang: Contact
) -> None:
    order = await order_for(chat, "/order 张伟 5万 30% 50 valves")
    text = chat.text()
    assert "Order #" in text and "recorded" in text and "张伟" in text
    assert "¥50,000" in text and "¥15,000 (30%)" in text and "50 valves" in text
    assert (order.amount_minor, order.margin_minor, order.note) == (5_000_000, 1_500_000,
                                                                    "50 valves")
    assert order.contact_id == zhang.id
    assert "Customer" in chat.buttons()[0]


async def test_order_in_chinese(chat: Chat, zhang: Contact) -> None:
    await chat.send("/lang zh")
    await chat.send("/order 张伟 ¥12,000.50 毛利3000 加急")
    assert "已记录订单" in chat.text() and "¥12,000.50" in chat.text()
    assert "毛利：¥3,000" in chat.text() and "备注：加急" in chat.text()
    await chat.send("/order 张伟 5000 6000")
    assert "毛利（¥6,000）不能大于订单金额（¥5,000）" in chat.text()


async def test_order_for_a_reps_customer_belongs_to_that_rep(chat: Chat, admin: Member) -> None:
    rep = make_member(chat.engine, by=admin, name="Rep")
    make_contact(chat.engine, owner=rep, name="李娜")
    order = await order_for(chat, "/order 李娜 8000")
    assert order.owner_id == rep.id


@pytest.mark.parametrize(("text", "reply"), [
    ("/order", "Usage"),
    ("/order 张伟", "How much was the order"),
    ("/order 张伟 a lot", "How much was the order"),
    ("/order 张伟 0", "more than zero"),
    ("/order 张伟 -500", "“-500” is negative"),
    ("/order 张伟 5千克", "is not an amount"),
    ("/order 张伟 99999999999999", "larger than any amount"),
    ("/order 张伟 5000 6000", "cannot be larger than the amount (¥5,000)"),
    ("/order 张伟 5000 120%", "cannot be larger than the amount"),
    ("/order 张伟 5000 毛利：x", "is not a margin"),
    ("/order Nobody Atall 5000", "No contact matches"),
    ("/order 张伟 5000 " + "备注" * 300, "too long"),
    ("/order 张伟 5000 " + "x" * 5000, "too long"),
])
async def test_bad_order_gets_a_specific_reply_and_stores_nothing(
    chat: Chat, zhang: Contact, text: str, reply: str
) -> None:
    replies = await chat.send(text)
    assert len(replies) == 1 and reply in chat.text()
    assert stored_orders(chat.engine) == []


async def test_html_and_sql_in_the_note_are_stored_verbatim_and_shown_escaped(
    chat: Chat, zhang: Contact
) -> None:
    note = "<b>big</b> '); DROP TABLE sales_order;--"
    order = await order_for(chat, f"/order 张伟 5000 {note}")
    assert order.note == note
    assert "&lt;b&gt;big&lt;/b&gt;" in chat.text() and "<b>big</b>" not in chat.text()
    await chat.send("/contact 张伟")
    assert "&lt;b&gt;big" in chat.text()


async def test_ambiguous_contact_asks_then_keeps_the_amount(chat: Chat, admin: Member) -> None:
    make_contact(chat.engine, owner=admin, name="张伟", company="华东机械")
    south = make_contact(chat.engine, owner=admin, name="张伟", company="南方重工")
    await chat.send("/order 张伟 2万 10%")
    assert "Several contacts match" in chat.text() and stored_orders(chat.engine) == []
    await chat.press("南方重工")
    [order] = stored_orders(chat.engine)
    assert (order.contact_id, order.amount_minor, order.margin_minor) == (south.id, 2_000_000,
                                                                         200_000)


# --- /paid -------------------------------------------------------------------------------

async def test_paid_by_order_number_reports_paid_and_balance(chat: Chat, zhang: Contact) -> None:
    order = await order_for(chat, "/order 张伟 5万")
    await chat.send(f"/paid #{order.id} 2万")
    assert "Received ¥20,000" in chat.text()
    assert "Paid ¥20,000 of ¥50,000 · balance <b>¥30,000</b>" in chat.text()
    await chat.send(f"/paid #{order.id} 30000")
    assert "fully paid" in chat.text() and "balance <b>¥0</b>" in chat.text()
    [stored] = stored_orders(chat.engine)
    assert (stored.paid_minor, stored.status) == (5_000_000, "paid")
    with Session(chat.engine) as s:
        actions = {(a.entity, a.action) for a in s.exec(select(AuditLog))}
    assert {("order", "create"), ("payment", "create"), ("order", "update")} <= actions


async def test_paid_more_than_the_balance_is_refused_and_says_the_balance(
    chat: Chat, zhang: Contact
) -> None:
    order = await order_for(chat, "/order 张伟 5000")
    await chat.send(f"/paid #{order.id} 3000")
    await chat.send(f"/paid #{order.id} 2500")
    assert "only ¥2,000 is still owed" in chat.text()
    assert payment_count(chat.engine) == 1 and stored_orders(chat.engine)[0].paid_minor == 300_000


async def test_paid_in_chinese_names_the_balance(chat: Chat, zhang: Contact) -> None:
    order = await order_for(chat, "/order 张伟 5000")
    await chat.send("/lang zh")
    await chat.send(f"/paid #{order.id} 9000")
    assert "只剩 ¥5,000 未付" in chat.text()
    await chat.send(f"/paid #{order.id} 5000")
    assert "已全部结清" in chat.text()


async def test_paid_by_contact_with_one_open_order_pays_it(chat: Chat, zhang: Contact) -> None:
    await chat.send("/order 张伟 5000")
    await chat.send("/paid 张伟 1000")
    assert "Paid ¥1,000 of ¥5,000" in chat.text()


async def test_paid_by_contact_with_several_open_orders_asks_which(
    chat: Chat, zhang: Contact
) -> None:
    first = await order_for(chat, "/order 张伟 5000")
    second = await order_for(chat, "/order 张伟 8000")
    await chat.send("/paid 张伟 3000")
    assert "several unpaid orders" in chat.text() and payment_count(chat.engine) == 0
    assert any(f"#{first.id}" in b for b in chat.buttons())
    await chat.press(f"op:{second.id}")
    assert "Paid ¥3,000 of ¥8,000" in chat.text()
    assert [o.paid_minor for o in stored_orders(chat.engine)] == [0, 300_000]
    again = await chat.press_data(f"op:{first.id}")  # the choice was used up
    assert "no longer valid" in again[0].text and payment_count(chat.engine) == 1


async def test_paid_choice_refuses_an_order_it_did_not_offer(
    chat: Chat, admin: Member, zhang: Contact
) -> None:
    await order_for(chat, "/order 张伟 5000")
    await order_for(chat, "/order 张伟 8000")
    other = make_contact(chat.engine, owner=admin, name="李娜")
    elsewhere = await order_for(chat, f"/order #{other.id} 9000")
    await chat.send("/paid 张伟 3000")
    await chat.press_data(f"op:{elsewhere.id}")
    assert "no longer valid" in chat.text() and payment_count(chat.engine) == 0


@pytest.mark.parametrize(("text", "reply"), [
    ("/paid", "Usage"),
    ("/paid #1", "How much was paid"),
    ("/paid #1 0", "more than zero"),
    ("/paid #1 -100", "is negative"),
    ("/paid #1 abc1", "How much was paid"),
    ("/paid #1 100 200", "Usage"),
    ("/paid #999999 100", "does not exist"),
    ("/paid Nobody Atall 100", "No contact matches"),
])
async def test_bad_payment_gets_a_specific_reply_and_changes_nothing(
    chat: Chat, zhang: Contact, text: str, reply: str
) -> None:
    await chat.send("/order 张伟 5000")
    await chat.send(text)
    assert reply in chat.text()
    assert payment_count(chat.engine) == 0 and stored_orders(chat.engine)[0].paid_minor == 0


async def test_paid_for_a_contact_without_open_orders_says_so(chat: Chat, zhang: Contact) -> None:
    await chat.send("/paid 张伟 100")
    assert "has no unpaid orders" in chat.text()


# --- visibility --------------------------------------------------------------------------

async def test_rep_cannot_see_or_pay_another_reps_order(chat: Chat, admin: Member) -> None:
    make_member(chat.engine, by=admin, name="Rep", telegram_user_id=2002)
    other = make_member(chat.engine, by=admin, name="Other")
    make_contact(chat.engine, owner=other, name="王芳")
    theirs = await order_for(chat, "/order 王芳 5000")
    rep_chat = Chat(chat.engine, user_id=2002)
    for action in (rep_chat.send(f"/paid #{theirs.id} 100"),
                   rep_chat.press_data(f"oc:{theirs.id}")):
        replies = await action
        assert "does not exist or is not yours" in replies[0].text
    await rep_chat.send("/paid 王芳 100")
    assert "No contact matches" in rep_chat.text()
    await rep_chat.send("/receivables")
    assert "Nobody owes anything" in rep_chat.text()
    assert payment_count(chat.engine) == 0


@pytest.mark.parametrize("data", ["oc:abc", "oc:999999", "oc:" + "9" * 40, "or:abc", "or:99",
                                  "op:1", "op:x", "oc:"])
async def test_forged_order_buttons_get_a_short_reply(chat: Chat, data: str) -> None:
    await chat.send("/start")
    replies = await chat.press_data(data)
    assert len(replies) == 1 and len(replies[0].text) < 120


# --- order card, contact card, receivables -----------------------------------------------

async def test_order_card_lists_payments_with_who_recorded_them(
    chat: Chat, zhang: Contact
) -> None:
    order = await order_for(chat, "/order 张伟 5000 1000")
    await chat.send(f"/paid #{order.id} 1200")
    await chat.press(f"Order #{order.id}")
    text = chat.text()
    assert "Margin: ¥1,000 (20%)" in text and "Paid: ¥1,200" in text
    assert "Balance: <b>¥3,800</b>" in text and "¥1,200 · Ada Admin" in text


async def test_contact_card_shows_purchases_and_totals(chat: Chat, zhang: Contact) -> None:
    for amount in (1000, 2000, 3000, 4000, 5000, 6000):
        await chat.send(f"/order 张伟 {amount} note{amount}")
    last = stored_orders(chat.engine)[-1]
    await chat.send(f"/paid #{last.id} 6000")
    await chat.send("/contact 张伟")
    text = chat.text()
    assert "Purchases" in text and f"#{last.id} · " in text and "✅ paid" in text
    assert "note2000" in text and "note1000" not in text  # the last five only
    assert "Lifetime ¥21,000 · open balance ¥15,000 · orders: 6" in text


async def test_contact_card_without_orders_has_no_purchases_block(
    chat: Chat, zhang: Contact
) -> None:
    await chat.send("/contact 张伟")
    assert "Purchases" not in chat.text()


async def test_receivables_list_customers_oldest_first_with_a_total(
    chat: Chat, admin: Member
) -> None:
    for name in ("甲公司", "乙公司"):
        make_contact(chat.engine, owner=admin, name=name)
    await chat.send("/order 甲公司 5000")
    await chat.send("/order 乙公司 3000")
    await chat.send("/order 甲公司 2000")
    await chat.send("/receivables")
    text = chat.text()
    assert text.index("甲公司") < text.index("乙公司")
    assert "¥7,000 · open orders: 2 · oldest 0 days" in text
    assert "Total owed: ¥10,000</b> by 2 customers" in text


async def test_receivables_page_at_fifteen_customers(chat: Chat, admin: Member) -> None:
    with unit_of_work(chat.engine) as s:
        s.add_all([Contact(team_id=admin.team_id, owner_id=admin.id or 0, name=f"客户{n:02d}")
                   for n in range(16)])
    with Session(chat.engine) as s:
        ids = [c.id for c in s.exec(select(Contact).order_by(col(Contact.id)))]
    for contact_id in ids:
        await chat.send(f"/order #{contact_id} 100")
    await chat.send("/receivables")
    assert "page 1/2" in chat.text() and "客户14" in chat.text() and "客户15" not in chat.text()
    replies = await chat.press("Next")
    assert replies[0].edit and "16. <b>客户15</b>" in chat.text()
    assert "Total owed: ¥1,600</b> by 16 customers" in chat.text()
    await chat.press("Previous")
    assert "page 1/2" in chat.text()


async def test_manager_sees_the_teams_receivables_and_a_rep_only_their_own(
    chat: Chat, admin: Member
) -> None:
    manager = make_member(chat.engine, by=admin, role=Role.MANAGER, telegram_user_id=3003)
    rep = make_member(chat.engine, by=manager, telegram_user_id=3004)
    make_contact(chat.engine, owner=rep, name="Rep Client")
    make_contact(chat.engine, owner=admin, name="Admin Client")
    await chat.send("/order Rep Client 100")
    await chat.send("/order Admin Client 200")
    for user, seen, unseen in ((3003, "Rep Client", "Admin Client"),
                               (3004, "Rep Client", "Admin Client")):
        other = Chat(chat.engine, user_id=user)
        await other.send("/receivables")
        assert seen in other.text() and unseen not in other.text()
    await chat.send("/receivables")
    assert "Rep Client" in chat.text() and "Admin Client" in chat.text()
