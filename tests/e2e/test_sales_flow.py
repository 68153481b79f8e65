"""A rep's sales day end to end over HTTP: deal through stages, order and payment, complaint,
quick log confirmed and another undone — `crm-bot run` (ptb, aiogram) against the stand-in."""

from __future__ import annotations

import pytest

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.test_ptb_polling import say

pytestmark = pytest.mark.e2e
ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")


def data_of(record: dict, predicate) -> str:  # type: ignore[no-untyped-def]
    """Callback data of the first button on `record` whose (label, data) matches."""
    rows = (record.get("reply_markup") or {}).get("inline_keyboard", [])
    for row in rows:
        for b in row:
            if predicate(b["text"], b["callback_data"]):
                return str(b["callback_data"])
    raise AssertionError(f"no such button in {rows}")


async def press(standin: BotApiStandin, record: dict, data: str, expect: str) -> dict:
    """Press a button on a bot message and wait for a send or edit containing `expect`."""
    start = len(standin.sent)
    standin.user_presses(ADMIN, record, data)
    return await standin.wait_for_sent(lambda s: expect in s["text"], start=start)


async def test_sales_day_over_http(standin: BotApiStandin, bot: BotProcess) -> None:
    await bot.start()
    await say(standin, ADMIN, "/add 张伟, 华东机械, 13800138000", "Owner:")  # last reply

    # A deal moved two stages by buttons, then won.
    card = await say(standin, ADMIN, "/deal 张伟 ERP upgrade 5万", "Stage:")
    assert "¥50,000" in card["text"]
    card = await press(standin, card, data_of(card, lambda _l, d: d.endswith(":qualified")),
                       "Stage:")
    assert "qualified" in card["text"].lower()
    card = await press(standin, card, data_of(card, lambda _l, d: d.endswith(":proposal")),
                       "Stage:")
    assert "50%" in card["text"]
    await press(standin, card, data_of(card, lambda label, _d: "Won" in label), "Won")
    assert bot.query("select status, stage from deal") == [("won", "won")]
    moves = bot.query("select from_stage, to_stage from stagechange order by id")
    assert moves == [(None, "lead"), ("lead", "qualified"), ("qualified", "proposal"),
                     ("proposal", "won")]

    # An order, a partial payment, and the receivable it leaves.
    await say(standin, ADMIN, "/order 张伟 5万 30% 50个阀门", "Order #1")
    await say(standin, ADMIN, "/paid #1 2万", "¥30,000")
    owed = await say(standin, ADMIN, "/receivables", "Receivables")
    assert "张伟" in owed["text"] and "¥30,000" in owed["text"]

    # A complaint logged with its severity, then resolved from /complaints.
    asked = await say(standin, ADMIN, "/feedback 张伟 complaint parcel arrived broken",
                      "How severe")
    await press(standin, asked, data_of(asked, lambda _l, d: d.endswith(":high")),
                "Complaint #")
    listing = await say(standin, ADMIN, "/complaints", "Open complaints")
    await press(standin, listing, data_of(listing, lambda label, _d: "Resolve" in label),
                "How was")
    await say(standin, ADMIN, "sent a replacement by courier", "resolved")
    assert bot.query("select status, resolution from feedback where kind = 'complaint'") == [
        ("resolved", "sent a replacement by courier")]

    # One quick log confirmed (with its follow-up), another confirmed and undone.
    proposal = await say(standin, ADMIN, "called 张伟 about 50 units, follow up next friday",
                         "Log a")
    await press(standin, proposal, "qc", "follow-up set")
    proposal = await say(standin, ADMIN, "visited 张伟 to check the valves", "Log a")
    done = await press(standin, proposal, "qc", "visit logged")
    await press(standin, done, data_of(done, lambda label, _d: "Undo" in label), "Undone")
    live = bot.query("select kind, text from interaction where deleted_at is null")
    assert live == [("call", "called 张伟 about 50 units")]
    assert bot.query("select count(*) from task where status = 'open'") == [(1,)]
    assert bot.query("select count(*) from auditlog where actor_id is not null")[0][0] >= 10
