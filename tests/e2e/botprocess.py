"""Run `crm-bot run` as a real subprocess pointed at the local Bot API stand-in."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """One `python -m bot run` process with its own environment and log file."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir, self.env = workdir, env
        self.proc: asyncio.subprocess.Process | None = None
        self.log_path = workdir / "bot.log"

    @property
    def database(self) -> Path:
        """The SQLite file the bot writes to."""
        return self.workdir / "crm.sqlite3"

    async def start(self, **extra: str) -> None:
        """Start the bot (cwd is the work dir, so no .env of the repository is read)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK"))}
        env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{self.database}",
                "POLL_TIMEOUT": "1", "LOG_LEVEL": "INFO"} | self.env | extra
        command = env.pop("BOT_COMMAND", "run")  # run | worker
        script = env.pop("BOT_SCRIPT", "")  # a bot of one's own instead of `crm-bot`
        argv = [script] if script else ["-m", "bot", command]
        log = self.log_path.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *argv, cwd=self.workdir, env=env,
            stdout=log, stderr=asyncio.subprocess.STDOUT,
        )

    async def stop(self) -> int:
        """SIGTERM and wait; return the exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return int(self.proc.returncode or 0)

    async def kill(self) -> None:
        """SIGKILL: no cleanup, no goodbye."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    def log(self) -> str:
        """What the bot printed."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def query(self, sql: str) -> list[tuple]:
        """Read the bot's SQLite database (read-only) while it runs."""
        if not self.database.exists():
            return []
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=5) as conn:
            try:
                return conn.execute(sql).fetchall()
            except sqlite3.OperationalError:  # schema not migrated yet
                return []

    async def wait_until(self, sql: str, timeout: float = 45.0) -> list[tuple]:
        """Poll the database until `sql` returns rows."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            rows = self.query(sql)
            if rows:
                return rows
            if self.proc and self.proc.returncode is not None:
                raise AssertionError(f"bot exited ({self.proc.returncode}):\n{self.log()}")
            await asyncio.sleep(0.05)
        raise TimeoutError(f"no rows for {sql!r} within {timeout}s\n{self.log()[-3000:]}")
