"""A campaign end to end over HTTP (ptb, aiogram): a manager targets "At risk, tier A,
Shanghai", two reps work their drafts and mark outcomes, an order arrives, the report shows it.

A year of purchase history cannot be typed into a chat, so the orders that make the four
Shanghai customers "at risk, tier A" are written into the bot's database first (see HISTORY).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.test_ptb_polling import button, say

pytestmark = pytest.mark.e2e
ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")
MANAGER = FakeUser(5001, "Mia", language_code="en")
REPS = (FakeUser(5002, "Ray", language_code="en"), FakeUser(5003, "Rita", language_code="en"))

# name, owner (0/1: a rep, None: the admin), city, orders (days ago), amount per order (yuan).
# Ten buyers; NTILE(5) makes pairs. The Shanghai four have 5 orders long ago (F, M ranks 5–8:
# scores 3–4; R ranks 1–4: scores 1–2) → at risk; margin 200k each after the two big recent
# buyers' 240k: shares before them 37%…78% < 80% → tier A.
HISTORY = [
    ("张伟", 0, "Shanghai", (250, 270, 290, 310, 330), 40_000),
    ("李娜", 1, "Shanghai", (251, 271, 291, 311, 331), 40_000),
    ("John Smith", 0, "Shanghai", (252, 272, 292, 312, 332), 40_000),
    ("王芳", 1, "上海 Shanghai", (253, 273, 293, 313, 333), 40_000),
    ("Big One", None, "Beijing", (5, 15, 25, 35, 45, 55, 65, 75), 30_000),
    ("Big Two", None, "Beijing", (6, 16, 26, 36, 46, 56, 66, 76), 30_000),
    ("Small A", None, "Shanghai", (10,), 25_000),
    ("Small B", None, "Beijing", (20,), 25_000),
    ("Small C", None, "Beijing", (30,), 25_000),
    ("Small D", None, "Beijing", (40,), 25_000),
]


async def press(standin: BotApiStandin, user: FakeUser, record: dict, label: str,
                expect: str) -> dict:
    """`user` taps the button labelled `label` and waits for a message containing `expect`."""
    start = len(standin.sent)
    standin.user_presses(user, record, button(record, label))
    return await standin.wait_for_sent(
        lambda s: s["chat_id"] == user.id and expect in s["text"], start=start)


async def join(standin: BotApiStandin, inviter: FakeUser, user: FakeUser, role: str) -> None:
    """`inviter` invites `user` with `role`; `user` opens the link."""
    invite = await say(standin, inviter, f"/invite {role}", "start=")
    token = re.search(r"start=([\w-]+)", invite["text"]).group(1)  # type: ignore[union-attr]
    await say(standin, user, f"/start {token}", "Welcome")


def write_history(bot: BotProcess) -> None:
    """Cities and a year of orders for the customers added through the chat."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with sqlite3.connect(bot.database, timeout=10) as db:
        for name, _owner, city, days, amount in HISTORY:
            cid, team, owner = db.execute(
                "select id, team_id, owner_id from contact where name = ?", (name,)).fetchone()
            db.execute("update contact set city = ? where id = ?", (city, cid))
            for day in days:
                at = (now - timedelta(days=day)).isoformat(sep=" ")
                db.execute(
                    "insert into sales_order (team_id, owner_id, contact_id, amount_minor,"
                    " paid_minor, currency, status, note, ordered_at, created_at)"
                    " values (?, ?, ?, ?, 0, 'CNY', 'paid', ?, ?, ?)",
                    (team, owner, cid, amount * 100, f"valves batch {day}", at, at))


async def test_campaign_from_segment_to_conversion(standin: BotApiStandin,
                                                   bot: BotProcess) -> None:
    await bot.start(REMINDER_INTERVAL_SECONDS="1")
    await join(standin, ADMIN, MANAGER, "manager")
    for rep in REPS:
        await join(standin, MANAGER, rep, "rep")
    for n, (name, owner, *_rest) in enumerate(HISTORY):
        who = ADMIN if owner is None else REPS[owner]
        await say(standin, who, f"/add {name}, Firm {n}, 1380013800{n}", "Owner:")
    write_history(bot)

    # The manager's form: the audience size comes before Confirm.
    await say(standin, MANAGER, "/campaign", "name")
    await say(standin, MANAGER, "Win back: reorders", "Who")
    asked = await say(standin, MANAGER, "At risk, tier A, Shanghai", "Channel")
    assert any("4 customers match" in s["text"] for s in standin.sent
               if s["chat_id"] == MANAGER.id)
    await press(standin, MANAGER, asked, "Call", "template")
    await say(standin, MANAGER, "Hi {name}, about {last_product}: {points} points", "Timing")
    preview = await say(standin, MANAGER, "30 30 0", "Confirm gives")
    assert "<b>4</b> customers" in preview["text"]
    await press(standin, MANAGER, preview, "Confirm", "started")
    assert bot.query("select count(*), count(distinct owner_id) from campaign_target") == [
        (4, 2)]

    # Each rep is told, opens their own two customers' drafts, and marks outcomes.
    outcomes = (("Responded", "Not interested"), ("Contacted", "Skip"))
    for index, (rep, (first, second)) in enumerate(zip(REPS, outcomes, strict=True)):
        notice = await standin.wait_for_sent(
            lambda s, rep=rep: s["chat_id"] == rep.id and "New campaign" in s["text"])
        assert "2 of your customers" in notice["text"]
        draft = await press(standin, rep, notice, "Open my drafts", "Draft:")
        assert "1/2" in draft["text"] and "valves batch" in draft["text"]
        mine = {name for name, owner, *_ in HISTORY if owner == index}
        assert any(name in draft["text"] for name in mine)
        draft = await press(standin, rep, draft, first, "Draft:")
        await press(standin, rep, draft, second, "Draft:")
    marked = bot.query("select outcome, count(*) from campaign_target group by outcome"
                       " order by outcome")
    assert marked == [("contacted", 1), ("not_interested", 1), ("responded", 1),
                      ("skipped", 1)]

    # An order from one target inside the window: the report counts it.
    await say(standin, REPS[1], "/order 李娜 8000", "Order #")
    report = await say(standin, MANAGER, "/campaigns Win back", "Revenue attributed")
    text = report["text"]
    assert "Customers 4 · reached 3 (75%) · responded 1 (25%) · converted 1 (25%)" in text
    assert "¥8,000" in text and "Ray" in text and "Rita" in text
