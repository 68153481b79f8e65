"""/points and /coupon in chat: changes, the admin override, coupons issued and used once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm_store.models import Contact, Coupon, LoyaltyEntry, Member, Role
from handlers.loyalty.commands import parse_points
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat

REP_ID = 3301


@pytest.fixture
def admin(engine: Engine) -> Member:
    return make_admin(engine)


@pytest.fixture
def rep(engine: Engine, admin: Member) -> Member:
    return make_member(engine, by=admin, role=Role.REP, name="Ray", telegram_user_id=REP_ID)


@pytest.fixture
def zhang(engine: Engine, rep: Member) -> Contact:
    return make_contact(engine, owner=rep, name="张伟", company="华东机械")


def entries(engine: Engine) -> list[LoyaltyEntry]:
    with Session(engine) as s:
        return list(s.exec(select(LoyaltyEntry)))


@pytest.mark.parametrize(("args", "expected"), [
    ("张伟 +200 trade fair", ("张伟", 200, "trade fair")),
    ("John Smith -50 gift", ("John Smith", -50, "gift")),
    ("张伟 −30 礼品", ("张伟", -30, "礼品")),
    ("张伟 15 x", ("张伟", 15, "x")),
    ("张伟", ("张伟", None, "")),
])
def test_points_arguments(args: str, expected: tuple) -> None:
    assert parse_points(args) == expected


async def test_rep_adds_and_takes_points_and_sees_the_ledger(engine: Engine, zhang: Contact):
    chat = Chat(engine, user_id=REP_ID)
    replies = await chat.send("/points 张伟 +300 trade fair <b>visit</b>")
    assert "Balance: <b>300</b>" in replies[0].text
    assert "&lt;b&gt;visit&lt;/b&gt;" in replies[0].text  # the reason is escaped
    await chat.send("/points 张伟 -100 gift")
    replies = await chat.send("/points 张伟")
    assert "200 points" in replies[0].text and "-100 · gift" in replies[0].text
    assert [e.balance_after for e in entries(engine)] == [300, 200]


async def test_rep_cannot_take_points_below_zero_and_gets_no_override(
    engine: Engine, zhang: Contact
):
    chat = Chat(engine, user_id=REP_ID)
    await chat.send("/points 张伟 +10 welcome")
    replies = await chat.send("/points 张伟 -50 gift")
    assert "negative" in replies[0].text and replies[0].buttons == []
    assert "po:" not in str(replies)
    forged = await chat.press_data(f"po:{zhang.id}")
    assert "no longer valid" in forged[0].text or forged[0].toast
    assert [e.delta for e in entries(engine)] == [10]


async def test_admin_overrides_a_negative_balance_explicitly(engine: Engine, zhang: Contact):
    chat = Chat(engine)
    replies = await chat.send("/points 张伟 -50 clawback")
    assert "negative" in replies[0].text and entries(engine) == []
    replies = await chat.press("admin override")
    assert "Admin override" in replies[0].text and "Balance: <b>-50</b>" in replies[0].text
    assert [(e.kind, e.delta) for e in entries(engine)] == [("override", -50)]
    again = await chat.press_data(f"po:{zhang.id}")  # the same button twice does nothing
    assert len(entries(engine)) == 1 and "Admin override" not in again[0].text


async def test_points_need_a_reason(engine: Engine, zhang: Contact):
    replies = await Chat(engine, user_id=REP_ID).send("/points 张伟 +5")
    assert "Say why" in replies[0].text and entries(engine) == []


async def test_order_earns_points_shown_on_the_card(engine: Engine, zhang: Contact):
    chat = Chat(engine, user_id=REP_ID)
    await chat.send("/order 张伟 6000")
    replies = await chat.send("/contact 张伟")
    text = "\n".join(r.text for r in replies)
    assert "Points: <b>6000</b>" in text and "Silver" in text


async def test_coupon_issued_listed_on_card_and_redeemed_once(engine: Engine, zhang: Contact):
    chat = Chat(engine, user_id=REP_ID)
    replies = await chat.send("/coupon 张伟 200 30 birthday")
    code = re.search(r"<code>([A-Z0-9]+)</code>", replies[0].text)
    assert code and "¥200" in replies[0].text.replace(".00", "")
    card = "\n".join(r.text for r in await chat.send("/contact 张伟"))
    assert code[1] in card
    listed = await chat.send("/coupon 张伟")
    assert code[1] in listed[0].text
    used = await chat.send(f"/coupon redeem {code[1].lower()}")
    assert "redeemed" in used[0].text and "已" not in used[0].text
    again = await Chat(engine).send(f"/coupon redeem {code[1]}")
    assert "already been redeemed" in again[0].text
    with Session(engine) as s:
        coupon = s.exec(select(Coupon)).one()
    assert coupon.redeemed_at is not None
    assert "no open coupons" in (await chat.send("/coupon 张伟"))[0].text


async def test_coupon_commands_explain_themselves(engine: Engine, zhang: Contact):
    chat = Chat(engine, user_id=REP_ID)
    assert "Usage" in (await chat.send("/coupon"))[0].text
    assert "Which coupon" in (await chat.send("/coupon redeem"))[0].text
    assert "No such coupon" in (await chat.send("/coupon redeem ZZZZ"))[0].text
    assert "Usage" in (await chat.send("/points"))[0].text


async def test_chinese_replies(engine: Engine, admin: Member):
    make_contact(engine, owner=admin, name="李娜")
    chat = Chat(engine, language_code="zh-CN")
    await chat.send("/lang zh-CN")
    replies = await chat.send("/points 李娜 +20 展会")
    assert "余额" in replies[0].text


async def test_points_and_coupons_show_in_the_contacts_audit_history(
    engine: Engine, zhang: Contact
):
    chat = Chat(engine, user_id=REP_ID)
    await chat.send("/points 张伟 +30 fair")
    await chat.send("/coupon 张伟 100")
    replies = await chat.send("/audit 张伟")
    text = "\n".join(r.text for r in replies)
    assert "created points" in text and "created coupon" in text
