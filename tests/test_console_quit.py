"""`crm-bot console` quits on Ctrl-C (SIGINT) at once and without a traceback, even while it
waits for a line and its reminder jobs run."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


async def test_ctrl_c_at_the_prompt_quits_cleanly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'crm.sqlite3'}", "PYTHONPATH": str(ROOT),
            "REMINDER_INTERVAL_SECONDS": "0.2"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "console", "--demo", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    assert proc.stdout is not None
    seen = b""
    while b"> " not in seen:  # the prompt: reading stdin, which stays open
        chunk = await asyncio.wait_for(proc.stdout.read(256), 120)
        assert chunk, seen.decode(errors="replace")
        seen += chunk
    await asyncio.sleep(1)  # producers run several times a second meanwhile
    proc.send_signal(signal.SIGINT)
    try:
        out = await asyncio.wait_for(proc.stdout.read(), 15)
        code = await asyncio.wait_for(proc.wait(), 5)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    text = (seen + out).decode(errors="replace")
    assert code == 0 and "Traceback" not in text and "Error" not in text, text[-3000:]
