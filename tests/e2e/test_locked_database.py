"""Nobody in, nothing lost: three messages sent while another process holds the SQLite write
lock for 15 s are all answered once it lets go (issue 15's done-when), on each framework."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.test_ptb_polling import say

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")
LOCK_SECONDS = 15
NAMES = ("Anna Locke", "Boris Wang", "Chen Jing")  # far apart: no duplicate warnings


async def test_messages_sent_while_the_database_is_locked_are_answered_after_release(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    await bot.start(RUN_REMINDERS="false")
    await say(standin, ADMIN, "/start", "Welcome")
    await bot.wait_until("select 1 where not exists (select 1 from inbox where status != 'sent')")
    start = len(standin.sent)

    locker = sqlite3.connect(bot.database, timeout=10, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # a nightly job holding the write lock
    try:
        updates = [standin.user_sends(ADMIN, f"/add {name}") for name in NAMES]
        await asyncio.sleep(LOCK_SECONDS)
        assert standin.sent[start:] == []
    finally:
        locker.execute("ROLLBACK")
        locker.close()

    for name in NAMES:
        await standin.wait_for_sent(lambda s, name=name: f"Added <b>{name}</b>" in s["text"],
                                    start=start, timeout=60)
    await standin.wait_confirmed(updates[-1]["update_id"])
    assert bot.proc is not None and bot.proc.returncode is None
    assert sorted(bot.query("select name from contact")) == [(name,) for name in NAMES]
