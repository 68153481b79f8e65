"""Reminders end to end over HTTP: a follow-up set "in 1 minute" arrives with its buttons and
Snooze works; a worker killed mid-dispatch and restarted sends every reminder (at most the one
in flight twice), and a clean restart sends nothing again."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from crm_store.clock import utcnow
from crm_store.db import make_engine, unit_of_work
from crm_store.messaging import outbox
from crm_store.migrate import upgrade
from crm_store.models import Member
from tests.botapi_standin import BotApiStandin, FakeUser
from tests.builders import make_admin, make_member
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.test_ptb_polling import say

pytestmark = pytest.mark.e2e
ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")
FAST = {"REMINDER_INTERVAL_SECONDS": "1", "DISPATCH_LEASE_SECONDS": "3"}


def buttons_of(record: dict) -> list[tuple[str, str]]:
    rows = (record.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


@pytest.mark.slow
async def test_follow_up_in_one_minute_arrives_with_buttons_and_snooze_works(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    await bot.start(**FAST)
    await say(standin, ADMIN, "/settings hours 0-24", "Saved")
    await say(standin, ADMIN, "/add John Smith, Acme", "Owner:")
    await say(standin, ADMIN, "/followup John Smith in 1 minute call back about the quote",
              "Follow-up with")
    reminder = await standin.wait_for_sent(
        lambda s: s["method"] == "sendMessage" and "John Smith" in s["text"]
        and any(d.startswith("rs:") for _, d in buttons_of(s)), timeout=120)
    actions = [d for _, d in buttons_of(reminder)]
    assert any(d.startswith("rd:") for d in actions)  # Done
    assert sum(d.startswith("rs:") for d in actions) == 2  # Snooze 1 h / tomorrow
    assert any(d.startswith("rl:") for d in actions)  # Log interaction
    await bot.wait_until("select 1 from outbox where status = 'sent' and message_id = "
                         f"{reminder['message_id']}")  # marked right after Telegram answers
    assert bot.query("select count(*) from outbox") == [(1,)]

    before = len(standin.sent)
    snooze = next(d for label, d in buttons_of(reminder) if "1" in label and d.startswith("rs:"))
    standin.user_presses(ADMIN, reminder, snooze)
    edited = await standin.wait_for_sent(lambda s: s["method"] == "editMessageText",
                                         start=before)
    assert "💤" in edited["text"]
    due = bot.query("select due_at from task where status = 'open'")
    assert len(due) == 1
    assert bot.query("select count(*) from outbox where status = 'pending'")[0][0] <= 1


# Alone: at 30 sends a second, a send whose record takes longer than 33 ms to commit (a busy
# machine) overlaps the next one, and a SIGKILL then can leave two sent but unrecorded.
@pytest.mark.alone
async def test_worker_killed_mid_dispatch_sends_everything_after_restart(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    engine = make_engine(f"sqlite:///{bot.database}")
    upgrade(engine)
    admin = make_admin(engine)
    members = [make_member(engine, by=admin, telegram_user_id=5_000 + n, name=f"Rep {n}")
               for n in range(90)]
    with unit_of_work(engine) as session:
        for member in members:
            row = session.get(Member, member.id)
            assert row is not None
            outbox.enqueue(session, member=row, kind="digest",
                           dedupe_key=f"e2e:{member.id}", due_at=utcnow() - timedelta(seconds=5),
                           payload={"period": "day", "date": "2026-11-22",
                                    "figures": {"calls": 3}})
    engine.dispose()

    await bot.start(BOT_COMMAND="worker", **FAST)
    await standin.wait_for_sent(lambda _s: len(standin.sent) >= 25, timeout=60)
    await bot.kill()
    sent_before_kill = len(standin.sent)
    assert sent_before_kill < 90, "the worker finished before it could be killed"

    await bot.start(BOT_COMMAND="worker", **FAST)
    await bot.wait_until("select 1 where (select count(*) from outbox where status = 'sent') "
                         "= 90", timeout=90)
    per_chat = Counter(s["chat_id"] for s in standin.sent if s["method"] == "sendMessage")
    assert set(per_chat) == {5_000 + n for n in range(90)}
    assert sum(per_chat.values()) - 90 <= 1  # only the one in flight may repeat

    await bot.stop()
    total = len(standin.sent)
    await bot.start(BOT_COMMAND="worker", **FAST)
    await asyncio.sleep(4)
    await bot.stop()
    assert len(standin.sent) == total  # a clean restart sends nothing again
