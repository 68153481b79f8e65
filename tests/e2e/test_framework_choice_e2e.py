"""The real `crm-bot run` process loads only the framework BOT_FRAMEWORK names (its import log,
PYTHONPROFILEIMPORTTIME, lists every module it imported); `crm-bot invite` asks the bot's
username through that framework."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import ROOT, BotProcess
from tests.e2e.conftest import ADMIN_ID, TOKEN
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


async def test_invite_asks_getme_through_the_chosen_framework(
    standin: BotApiStandin, framework: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK"))}
    env |= {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": standin.base_url,
            "BOT_FRAMEWORK": framework, "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'crm.sqlite3'}"}
    invite = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "invite", "--role", "rep", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(invite.communicate(), 120)
    assert invite.returncode == 0, err.decode()
    assert re.search(r"https://t\.me/crm_test_bot\?start=[\w-]+", out.decode())
    assert [name for name, _ in standin.calls] == ["getMe"]
