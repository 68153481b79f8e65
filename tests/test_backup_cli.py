"""`crm-bot backup`: a consistent, verified SQLite copy while the bot writes; pg_dump hint."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy.engine import Engine

from crm_store.db import unit_of_work
from crm_store.messaging import inbox
from tests.builders import make_admin, make_contact

ROOT = Path(__file__).resolve().parents[1]


def crm_bot(cwd: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env |= {"DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def row_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_backup_while_the_bot_writes_is_a_consistent_verified_copy(
    sqlite_engine: Engine, tmp_path: Path,
) -> None:
    admin = make_admin(sqlite_engine)
    for index in range(30):
        make_contact(sqlite_engine, owner=admin, name=f"Customer {index}")
    database = tmp_path / "crm.sqlite3"
    stop, written = threading.Event(), [0]

    def writer() -> None:  # the running bot: two inbox rows per transaction, non-stop
        update_id = 1
        while not stop.is_set():
            with unit_of_work(sqlite_engine) as session:
                for _ in range(2):
                    inbox.store(session, update_id=update_id, payload={"update_id": update_id})
                    update_id += 1
            written[0] = update_id - 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        out_dir = tmp_path / "backups"
        out_dir.mkdir()
        done = crm_bot(tmp_path, f"sqlite:///{database}", "backup", "--out", str(out_dir))
    finally:
        stop.set()
        thread.join()
    assert done.returncode == 0, done.stderr
    (copy,) = out_dir.glob("crm-backup-*.sqlite3")
    assert copy.name[len("crm-backup-"):].startswith("20") and copy.name.endswith("Z.sqlite3")
    path, size, _tables, verdict = done.stdout.strip().split("\t")
    assert Path(path).resolve() == copy.resolve() and verdict == "integrity ok"
    assert size == f"{copy.stat().st_size} bytes"
    assert not list(out_dir.glob("*.partial"))

    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copied, live = row_counts(copy), row_counts(database)
    copied_inbox, live_inbox = copied.pop("inbox"), live.pop("inbox")
    assert copied_inbox % 2 == 0  # a snapshot: never half of a transaction
    assert 0 < copied_inbox <= live_inbox == written[0]  # written before, during and after
    assert copied == live and copied["contact"] == 30

    again = crm_bot(tmp_path, f"sqlite:///{database}", "backup", "--out", str(copy))
    assert again.returncode == 2 and "not overwriting" in again.stderr


def test_backup_default_name_is_in_the_current_directory(
    sqlite_engine: Engine, tmp_path: Path,
) -> None:
    make_admin(sqlite_engine)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    done = crm_bot(elsewhere, f"sqlite:///{tmp_path / 'crm.sqlite3'}", "backup")
    assert done.returncode == 0, done.stderr
    (copy,) = elsewhere.glob("crm-backup-*Z.sqlite3")
    assert row_counts(copy) == row_counts(tmp_path / "crm.sqlite3")


def test_backup_of_a_missing_sqlite_file_says_so(tmp_path: Path) -> None:
    done = crm_bot(tmp_path, f"sqlite:///{tmp_path / 'nothing.sqlite3'}", "backup")
    assert done.returncode == 2 and "no SQLite database file" in done.stderr
    assert not (tmp_path / "nothing.sqlite3").exists()


def test_backup_on_postgresql_prints_the_pg_dump_command(tmp_path: Path) -> None:
    done = crm_bot(tmp_path, "postgresql://crm:pw@db.example:5432/crm", "backup",
                   "--out", "nightly.dump")
    assert done.returncode == 2
    assert done.stdout.strip() == 'pg_dump "$DATABASE_URL" -Fc -f nightly.dump'
    assert "pg_restore" in done.stderr and ":pw@" not in done.stdout + done.stderr
