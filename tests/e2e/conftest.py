"""Fixtures for end-to-end tests that talk real HTTP to the local Bot API stand-in."""

from collections.abc import AsyncIterator

import pytest

from tests.botapi_standin import BotApiStandin
from tests.e2e.frameworks import FRAMEWORKS

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandin]:
    """A running Bot API stand-in for ``TOKEN``; point the bot at ``standin.base_url``."""
    server = BotApiStandin(token=TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


ADMIN_ID = 1001


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    """Each end-to-end test runs once per transport: `ptb` and `aiogram`."""
    return str(request.param)


@pytest.fixture
async def bot(standin: BotApiStandin, tmp_path, framework: str):  # type: ignore[no-untyped-def]
    """`crm-bot run` (BOT_FRAMEWORK=`framework`, polling) against the stand-in; stopped with
    SIGTERM afterwards."""
    from tests.e2e.botprocess import BotProcess

    process = BotProcess(tmp_path, {
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": standin.base_url,
        "ADMIN_TELEGRAM_IDS": str(ADMIN_ID), "BOT_FRAMEWORK": framework,
    })
    yield process
    if process.proc is not None:
        await process.stop()
