"""`crm-bot migrate` and `crm-bot invite` as an operator runs them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from crm_store.db import make_engine
from handlers import dispatch
from handlers.context import HandlerSettings
from handlers.types import ChatRequest, Kind

ROOT = Path(__file__).resolve().parents[1]


def crm_bot(tmp_path: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'crm.sqlite3'}",
            "BOT_USERNAME": "acme_crm_bot", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_migrate_reports_the_head_revision_twice(tmp_path: Path) -> None:
    first = crm_bot(tmp_path, "migrate")
    assert re.search(r"revision \d{4}", first) and crm_bot(tmp_path, "migrate") == first


async def test_cli_invite_link_lets_a_manager_join(tmp_path: Path) -> None:
    out = crm_bot(tmp_path, "invite", "--role", "manager")
    match = re.search(r"https://t\.me/acme_crm_bot\?start=([\w-]+)", out)
    assert match, out
    engine = make_engine(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    req = ChatRequest(user_id=321, chat_id=321, kind=Kind.COMMAND, command="start",
                      args=match.group(1), first_name="Mia", language_code="en")
    replies = await dispatch.handle(req, engine=engine, settings=HandlerSettings())
    assert "Welcome" in replies[0].text and "manager" in replies[0].text


def test_demo_loads_chinese_and_english_contacts_once(tmp_path: Path) -> None:
    assert "added 10 sample contacts" in crm_bot(tmp_path, "demo")
    assert "added 0 sample contacts" in crm_bot(tmp_path, "demo")
