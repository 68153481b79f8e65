"""`crm-bot run` and `worker` apply ADMIN_TELEGRAM_IDS at start: a listed admin taken off the
list is a manager before they write."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.botapi_standin import BotApiStandin
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import TOKEN
from tests.test_startup_wiring import DROPPED, KEPT, role_of, two_listed_admins

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("command", ["run", "worker"])
async def test_run_and_worker_apply_the_admin_list_at_start(
    standin: BotApiStandin, tmp_path: Path, command: str
) -> None:
    engine = two_listed_admins(tmp_path / "crm.sqlite3")
    bot = BotProcess(tmp_path, {"TELEGRAM_BOT_TOKEN": TOKEN,
                                "TELEGRAM_API_URL": standin.base_url,
                                "ADMIN_TELEGRAM_IDS": str(KEPT), "BOT_COMMAND": command})
    await bot.start()
    try:
        await bot.wait_until(f"select 1 from member where telegram_user_id = {DROPPED} "
                             "and role != 'admin'", timeout=90)
    finally:
        await bot.stop()
    assert (role_of(engine, KEPT), role_of(engine, DROPPED)) == ("admin", "manager")
