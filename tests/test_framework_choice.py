"""BOT_FRAMEWORK picks the transport, and the other framework is never imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
OWN = {"ptb": "telegram", "aiogram": "aiogram"}
OTHER = {"ptb": "aiogram", "aiogram": "telegram"}
# Everything `crm-bot run` and `worker` load for the chosen framework, found the way the CLI
# finds it; then which transport modules and frameworks ended up in sys.modules.
PROBE = """
import sys
from bot import cli
from bot.settings import Settings
from bot.runtime import transport_for
settings = Settings(_env_file=None)
transport = transport_for(settings.bot_framework)
assert transport.name == settings.bot_framework
import bot.notifier, bot.runtime, bot.mounted
__import__(f"bot.{settings.bot_framework}_mount")
print(*sorted(m for m in sys.modules if m.startswith("bot.") and m.endswith("_transport")),
      *sorted(m for m in ("telegram", "aiogram") if m in sys.modules))
"""


def probe(framework: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "BOT_FRAMEWORK"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, check=True, env=env | {"BOT_FRAMEWORK": framework})
    return done.stdout.split()


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
def test_chosen_framework_is_the_only_one_in_sys_modules(framework: str) -> None:
    assert probe(framework) == [f"bot.{framework}_transport", OWN[framework]]


def test_framework_name_is_case_insensitive_and_checked() -> None:
    assert Settings(bot_framework=" AIOGRAM ", _env_file=None).bot_framework == "aiogram"
    with pytest.raises(ValueError, match="bot_framework"):
        Settings(bot_framework="telethon", _env_file=None)


def test_unknown_framework_stops_the_cli_with_a_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env |= {"BOT_FRAMEWORK": "telethon", "TELEGRAM_BOT_TOKEN": "1:x", "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'crm.sqlite3'}"}
    done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "bot_framework" in done.stderr and "'ptb' or 'aiogram'" in done.stderr
