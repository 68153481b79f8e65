"""The CRM inside a bot of one's own (tests/e2e/hosts/): the host answers its /ping, the CRM
router (aiogram) or handlers (PTB) answer the rest — commands, buttons, reminders — over HTTP
against the stand-in, and the host's own updates never enter the CRM's inbox."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from crm_store.clock import utcnow
from crm_store.db import make_engine, unit_of_work
from crm_store.messaging import outbox
from crm_store.team.members import member_by_telegram_id
from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.test_ptb_polling import button, say

pytestmark = pytest.mark.e2e
ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")
HOSTS = Path(__file__).parent / "hosts"


def queue_digest(database: Path, telegram_user_id: int) -> None:
    """A due daily digest for the member, as the producers would write it."""
    engine = make_engine(f"sqlite:///{database}")
    with unit_of_work(engine) as session:
        member = member_by_telegram_id(session, telegram_user_id)
        assert member is not None
        outbox.enqueue(session, member=member, kind="digest", dedupe_key="mounted:digest",
                       due_at=utcnow() - timedelta(seconds=5),
                       payload={"period": "day", "date": "2026-11-22", "figures": {"calls": 3}})
    engine.dispose()


async def test_host_answers_its_ping_and_the_crm_answers_commands_buttons_and_reminders(
    standin: BotApiStandin, bot: BotProcess, framework: str
) -> None:
    await bot.start(BOT_SCRIPT=str(HOSTS / f"{framework}_ping_bot.py"),
                    REMINDER_INTERVAL_SECONDS="1")
    ping = standin.user_sends(ADMIN, "/ping")
    await standin.wait_for_sent(lambda s: s["chat_id"] == ADMIN_ID and s["text"] == "pong",
                                timeout=60)

    await say(standin, ADMIN, "/start", "Welcome")
    await say(standin, ADMIN, "/settings hours 0-24", "Saved")
    await say(standin, ADMIN, "/add Mounted Mia, Acme", "Owner:")
    found = await say(standin, ADMIN, "/find mia", "Found")
    assert found["parse_mode"] == "HTML"
    before = len(standin.sent)
    standin.user_presses(ADMIN, found, button(found, "Mounted Mia"))
    card = await standin.wait_for_sent(lambda s: "Owner:" in s["text"], start=before)
    assert "Acme" in card["text"] and len(standin.callback_answers) == 1

    before = len(standin.sent)
    queue_digest(bot.database, ADMIN_ID)
    digest = await standin.wait_for_sent(lambda s: s["chat_id"] == ADMIN_ID, start=before,
                                         timeout=60)
    await bot.wait_until("select 1 from outbox where status = 'sent' and message_id = "
                         f"{digest['message_id']}")

    await bot.wait_until("select 1 where (select count(*) from inbox where status != 'sent') = 0")
    stored = {row[0] for row in bot.query("select update_id from inbox")}
    assert ping["update_id"] not in stored
    assert stored == {u["update_id"] for u in standin.updates} - {ping["update_id"]}
    assert await bot.stop() == 0, bot.log()[-3000:]
    assert sum(s["text"] == "pong" for s in standin.sent) == 1
