"""`crm-bot run` in webhook mode refuses to start without a usable WEBHOOK_SECRET."""

from __future__ import annotations

import asyncio

import pytest

from tests.botapi_standin import BotApiStandin
from tests.e2e.botprocess import BotProcess, free_port

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("secret", ["", "too-short"])
async def test_webhook_mode_without_a_secret_exits_with_how_to_make_one(
    standin: BotApiStandin, bot: BotProcess, secret: str
) -> None:
    port = free_port()
    await bot.start(WEBHOOK_URL=f"http://127.0.0.1:{port}/tg/hook", WEBHOOK_SECRET=secret,
                    WEBHOOK_PORT=str(port))
    assert bot.proc is not None
    code = await asyncio.wait_for(bot.proc.wait(), 60)
    assert code == 2
    log = bot.log()
    assert "WEBHOOK_SECRET" in log and "secrets.token_urlsafe(32)" in log
    assert "Traceback" not in log
    assert [name for name, _ in standin.calls if name == "setWebhook"] == []
