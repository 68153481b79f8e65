"""`crm-bot import` holds no write lock while it waits at its [y/N] prompt."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSV = "name,company,phone\nZhang Wei,Acme,13800138000\nLi Na,Acme,13900139000\n"


async def test_the_prompt_waits_without_locking_the_database(tmp_path: Path) -> None:
    database = tmp_path / "crm.sqlite3"
    (tmp_path / "contacts.csv").write_text(CSV, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env |= {"DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "import", "contacts.csv", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    assert proc.stdin is not None and proc.stdout is not None
    seen = b""
    while b"[y/N]" not in seen:
        chunk = await asyncio.wait_for(proc.stdout.read(256), 120)
        assert chunk, seen.decode(errors="replace")
        seen += chunk

    other = sqlite3.connect(database, timeout=1, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # "database is locked" while the prompt held it
        other.execute("ROLLBACK")
    finally:
        other.close()

    proc.stdin.write(b"y\n")
    await proc.stdin.drain()
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, (seen + out).decode(errors="replace")
    with sqlite3.connect(database) as conn:
        names = sorted(row[0] for row in conn.execute("select name from contact"))
    assert names == ["Li Na", "Zhang Wei"]
