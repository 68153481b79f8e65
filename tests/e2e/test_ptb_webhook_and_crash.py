"""Webhook mode (secret checked, inbox before 200) and a SIGKILL between receipt and handling."""

from __future__ import annotations

import aiohttp
import pytest

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess, free_port
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.test_ptb_polling import say

pytestmark = pytest.mark.e2e

ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")
SECRET = "s3cret-Token_1-long-enough"


async def wait_for_webhook(standin: BotApiStandin, bot: BotProcess) -> None:
    import asyncio

    for _ in range(1200):  # up to 60 s: start-up imports are slow on a loaded machine
        if standin.webhook.get("url"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"setWebhook never called\n{bot.log()}")


async def test_webhook_with_right_secret_is_handled_wrong_secret_is_refused(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    await bot.start(WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET, WEBHOOK_LISTEN="127.0.0.1",
                    WEBHOOK_PORT=str(port))
    await wait_for_webhook(standin, bot)
    set_calls = [params for name, params in standin.calls if name == "setWebhook"]
    assert set_calls[-1]["url"] == url and set_calls[-1]["secret_token"] == SECRET

    await say(standin, ADMIN, "/add Webhook Wendy, Acme", "Owner:")  # last reply
    assert all(d["status"] == 200 for d in standin.webhook_deliveries)

    forged = {"update_id": 99_999, "message": {
        "message_id": 1, "date": 0, "chat": {"id": ADMIN_ID, "type": "private"},
        "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Ada"},
        "text": "/add Forged Fred", "entities": [{"type": "bot_command", "offset": 0,
                                                   "length": 4}]}}
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(url, json=forged, headers=headers) as response:
                assert response.status == 401
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
    assert bot.query("select * from inbox where update_id = 99999") == []
    assert bot.query("select name from contact") == [("Webhook Wendy",)]


async def test_update_received_but_not_handled_before_sigkill_is_handled_after_restart(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    await bot.start(CRM_TEST_HOLD_AFTER_INBOX="60")
    update = standin.user_sends(ADMIN, "/add Crash Carl, Acme, +44 20 7946 0000")
    await bot.wait_until(f"select 1 from inbox where update_id = {update['update_id']}")
    await bot.kill()
    assert bot.query("select status from inbox") == [("new",)]
    assert bot.query("select * from contact") == []
    assert not any("Crash Carl" in s["text"] for s in standin.sent)

    await bot.start()  # no hold this time
    reply = await standin.wait_for_sent(lambda s: "Added <b>Crash Carl</b>" in s["text"],
                                        timeout=20)
    assert reply["chat_id"] == ADMIN_ID
    await standin.wait_confirmed(update["update_id"])
    await say(standin, ADMIN, "/find carl", "Crash Carl")
    assert bot.query("select count(*) from contact") == [(1,)]
    assert sum("Added <b>Crash Carl</b>" in s["text"] for s in standin.sent) == 1
