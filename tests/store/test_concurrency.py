"""SQLite under concurrent writers: BEGIN IMMEDIATE + busy_timeout lose no update."""

from __future__ import annotations

import threading

from sqlalchemy.engine import Engine

from crm_store.db import unit_of_work
from crm_store.models import Member
from tests.builders import make_admin

WRITERS, ROUNDS = 8, 40


def test_eight_writers_read_modify_write_lose_nothing(sqlite_engine: Engine) -> None:
    admin = make_admin(sqlite_engine)
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(ROUNDS):
                with unit_of_work(sqlite_engine) as s:
                    row = s.get(Member, admin.id)
                    assert row is not None
                    row.work_end = row.work_end + 1  # read, modify, write
                    s.add(row)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with unit_of_work(sqlite_engine) as s:
        row = s.get(Member, admin.id)
        assert row is not None and row.work_end == 18 + WRITERS * ROUNDS


def test_sqlite_runs_in_wal_mode_with_busy_timeout(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
