"""`crm-bot run` when the Bot API is unreachable at start: one line per attempt, back-off,
then either the API comes and it runs, or it gives up with a clear line and exit code 1."""

from __future__ import annotations

import asyncio

import pytest

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess, free_port
from tests.e2e.conftest import ADMIN_ID, TOKEN
from tests.e2e.test_ptb_polling import say

pytestmark = pytest.mark.e2e
ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")


def retry_lines(bot: BotProcess) -> list[str]:
    return [line for line in bot.log().splitlines() if "is unreachable" in line]


async def exit_code(bot: BotProcess, timeout: float = 90) -> int:
    assert bot.proc is not None
    return await asyncio.wait_for(bot.proc.wait(), timeout)


@pytest.mark.parametrize("command", ["run", "worker"])
async def test_an_unreachable_api_is_retried_then_given_up_with_one_clear_line(
    bot: BotProcess, command: str
) -> None:
    await bot.start(BOT_COMMAND=command, TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}",
                    STARTUP_RETRY_SECONDS="4")
    assert await exit_code(bot) == 1
    log = bot.log()
    assert len(retry_lines(bot)) >= 2 and "attempt 2" in log
    assert "Traceback" not in log, log[-3000:]
    assert f"crm-bot {command}: connecting: the Bot API at http://127.0.0.1:" in log
    assert "could not be reached for 4s" in log and "giving up" in log


async def test_the_bot_runs_once_the_api_comes_up(bot: BotProcess) -> None:
    port = free_port()
    await bot.start(TELEGRAM_API_URL=f"http://127.0.0.1:{port}", STARTUP_RETRY_SECONDS="0")
    for _ in range(600):
        if len(retry_lines(bot)) >= 2:
            break
        await asyncio.sleep(0.1)
    assert len(retry_lines(bot)) >= 2, bot.log()[-3000:]
    standin = BotApiStandin(token=TOKEN)
    await standin.start(port=port)
    try:
        await say(standin, ADMIN, "/start", "Welcome", timeout=120)
    finally:
        await bot.stop()
        await standin.stop()
    assert "Traceback" not in bot.log()


async def test_a_refused_token_is_not_retried(standin: BotApiStandin, bot: BotProcess) -> None:
    await bot.start(TELEGRAM_BOT_TOKEN="123456:WRONG-token")
    assert await exit_code(bot) == 1
    log = bot.log()
    assert "refused TELEGRAM_BOT_TOKEN" in log and retry_lines(bot) == []
    assert "Traceback" not in log and "WRONG-token" not in log
