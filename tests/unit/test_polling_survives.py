"""Polling never dies quietly: storing is retried without moving the offset, a crashed
polling task is started again, and /healthz turns 503 when getUpdates has not answered."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from aiohttp import test_utils
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot import inbound
from bot.inbound import ops_app
from bot.observability import Metrics, PollWatch
from bot.runtime import supervise

LOCKED = OperationalError("INSERT INTO inbox", {}, Exception("database is locked"))


class LockedForAWhile:
    """An inbox whose writes fail `failures` times (a SQLite lock past its busy timeout)."""

    def __init__(self, failures: int) -> None:
        self.failures, self.stored = failures, []  # type: ignore[var-annotated]

    def next_offset(self) -> int | None:
        return 10

    def store(self, update: dict[str, Any]) -> bool:
        if self.failures:
            self.failures -= 1
            raise LOCKED
        self.stored.append(update["update_id"])
        return True


async def test_storing_is_retried_and_the_offset_never_passes_an_unstored_update(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    waits: list[float] = []
    real_wait_for = asyncio.wait_for

    async def no_wait(awaitable: Any, timeout: float) -> Any:
        waits.append(timeout)
        return await real_wait_for(awaitable, 0)

    monkeypatch.setattr(inbound.asyncio, "wait_for", no_wait)
    processor, stop, offsets = LockedForAWhile(failures=4), asyncio.Event(), []

    async def fetch(offset: int | None, _timeout: int) -> list[dict[str, Any]]:
        offsets.append(offset)
        if len(offsets) == 1:
            return [{"update_id": 10}, {"update_id": 11}]
        stop.set()
        return []

    watch = PollWatch(1)
    await real_wait_for(inbound.poll(processor, fetch, timeout=0, stop=stop, watch=watch),  # type: ignore[arg-type]
                        timeout=10)
    assert processor.stored == [10, 11] and offsets == [10, 12]
    assert waits == [0.5, 1.0, 2.0, 4.0]  # back-off while the inbox is locked


async def test_stopping_while_the_inbox_is_locked_confirms_nothing_more() -> None:
    processor, stop, offsets = LockedForAWhile(failures=1000), asyncio.Event(), []

    async def fetch(offset: int | None, _timeout: int) -> list[dict[str, Any]]:
        offsets.append(offset)
        asyncio.get_running_loop().call_later(0.2, stop.set)
        return [{"update_id": 10}]

    await asyncio.wait_for(inbound.poll(processor, fetch, timeout=0, stop=stop), timeout=10)  # type: ignore[arg-type]
    assert offsets == [10] and processor.stored == []


async def test_a_polling_task_that_crashes_is_started_again() -> None:
    stop, runs = asyncio.Event(), []

    async def work() -> None:
        runs.append(len(runs))
        if len(runs) < 3:
            raise RuntimeError("polling died")
        stop.set()

    await asyncio.wait_for(supervise("polling", work, stop, first_delay=0.01), timeout=10)
    assert runs == [0, 1, 2]


async def test_healthz_turns_503_when_get_updates_has_not_answered_for_too_long(
    sqlite_engine: Engine,
) -> None:
    now = [1000.0]
    watch = PollWatch(30, clock=lambda: now[0])
    assert watch.stale_after == 120.0
    app = ops_app(SimpleNamespace(engine=sqlite_engine).engine, Metrics(), watch=watch)
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        now[0] += 119
        watch_body = await (response := await client.get("/healthz")).json()
        assert response.status == 200 and watch_body["polling"] == "ok"
        assert watch_body["last_poll_seconds_ago"] == 119.0
        now[0] += 2
        response = await client.get("/healthz")
        body = await response.json()
        assert response.status == 503 and body["ok"] is False
        assert body["polling"] == "stale: no getUpdates answer for 121s"
        assert body["database"] == "ok"
        watch.polled()
        assert (await client.get("/healthz")).status == 200
