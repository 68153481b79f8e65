"""No log line, at any level, shows the bot token (PTB and httpx log request URLs at DEBUG)."""

from __future__ import annotations

import pytest

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID, TOKEN
from tests.e2e.test_ptb_polling import say

pytestmark = pytest.mark.e2e
ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_the_token_never_reaches_the_log_even_at_debug(
    standin: BotApiStandin, bot: BotProcess, log_format: str
) -> None:
    standin.fail_next("sendMessage", 500, description="Internal Server Error")
    await bot.start(LOG_LEVEL="DEBUG", LOG_FORMAT=log_format)
    await say(standin, ADMIN, "/start", "Welcome")
    await bot.stop()
    log = bot.log()
    assert "DEBUG" in log  # the DEBUG lines are there
    secret_part = TOKEN.split(":", 1)[1]
    assert secret_part not in log, [line for line in log.splitlines() if secret_part in line][:5]
