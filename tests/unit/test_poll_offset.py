"""Polling survives a database that is busy when it starts (SQLite locked by a nightly job)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.exc import OperationalError

from bot import inbound


class BusyThenFine:
    """A processor whose inbox is locked on the first offset read."""

    def __init__(self) -> None:
        self.reads, self.stored = 0, []  # type: ignore[var-annotated]

    def next_offset(self) -> int | None:
        self.reads += 1
        if self.reads == 1:
            raise OperationalError("SELECT max(update_id)", {}, Exception("database is locked"))
        return 41

    def store(self, update: dict[str, Any]) -> bool:
        self.stored.append(update["update_id"])
        return True


async def test_polling_waits_out_a_locked_database_and_keeps_going(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(inbound.asyncio, "sleep", _no_wait)
    processor, stop, offsets = BusyThenFine(), asyncio.Event(), []

    async def fetch(offset: int | None, _timeout: int) -> list[dict[str, Any]]:
        offsets.append(offset)
        if len(offsets) == 2:
            stop.set()
        return [{"update_id": (offset or 0) + 1}]

    await asyncio.wait_for(inbound.poll(processor, fetch, timeout=0, stop=stop),  # type: ignore[arg-type]
                           timeout=5)
    assert processor.reads == 2  # read again after the failure, then never again
    assert offsets == [41, 43]  # the stored offset, then past what was received
    assert processor.stored == [42, 44]


_real_sleep = asyncio.sleep


async def _no_wait(_seconds: float) -> None:
    await _real_sleep(0)
