"""Start-up wiring: INBOX_RETENTION_DAYS reaches the purge job; ADMIN_TELEGRAM_IDS is applied
when `crm-bot console` starts, before anyone writes (run and worker: tests/e2e)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.runtime import start_reminders
from bot.settings import Settings
from crm_store.db import make_engine, unit_of_work
from crm_store.migrate import upgrade
from crm_store.team import members as team
from tests.scheduler.test_dispatcher import FakeNotifier

ROOT = Path(__file__).resolve().parents[1]
KEPT, DROPPED = 1001, 1002


async def test_inbox_retention_days_reaches_the_purge_job(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INBOX_RETENTION_DAYS", "3")
    settings = Settings(database_url=str(sqlite_engine.url), _env_file=None)  # type: ignore[call-arg]
    assert settings.inbox_retention_days == 3
    stop = asyncio.Event()
    service = start_reminders(settings, FakeNotifier(), stop)
    try:
        assert service.scheduler.get_job("purge:inbox").args[1] == 3
    finally:
        stop.set()
        await service.shutdown()


def two_listed_admins(database: Path) -> Engine:
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    with unit_of_work(engine) as session:
        for user_id in (KEPT, DROPPED):
            team.ensure_admin(session, user=team.NewUser(user_id, f"Admin {user_id}", None, "en"),
                              timezone="Asia/Shanghai")
    return engine


def role_of(engine: Engine, user_id: int) -> str:
    with unit_of_work(engine) as session:
        member = team.member_by_telegram_id(session, user_id)
        assert member is not None
        return str(member.role.value)


def test_the_console_applies_the_admin_list_at_start(tmp_path: Path) -> None:
    engine = two_listed_admins(tmp_path / "crm.sqlite3")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'crm.sqlite3'}", "PYTHONPATH": str(ROOT),
            "ADMIN_TELEGRAM_IDS": str(KEPT)}
    done = subprocess.run([sys.executable, "-m", "bot", "console"], input=":quit\n", env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (role_of(engine, KEPT), role_of(engine, DROPPED)) == ("admin", "manager")
