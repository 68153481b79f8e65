"""The real `crm-bot run` process loads only the framework BOT_FRAMEWORK names (its import log,
PYTHONPROFILEIMPORTTIME, lists every module it imported)."""

from __future__ import annotations

import re

import pytest

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.test_ptb_polling import say

pytestmark = pytest.mark.e2e
ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")
IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)\s*$", re.MULTILINE)
PACKAGE = {"ptb": "telegram", "aiogram": "aiogram"}


async def test_run_imports_the_chosen_framework_and_not_the_other(
    standin: BotApiStandin, bot: BotProcess, framework: str
) -> None:
    await bot.start(PYTHONPROFILEIMPORTTIME="1")
    await say(standin, ADMIN, "/start", "Welcome")
    assert await bot.stop() == 0
    loaded = {name.split(".")[0] for name in IMPORTED.findall(bot.log())}
    assert {"bot", "handlers", "scheduler"} <= loaded  # the import log is really there
    other = PACKAGE["aiogram" if framework == "ptb" else "ptb"]
    assert PACKAGE[framework] in loaded and other not in loaded
