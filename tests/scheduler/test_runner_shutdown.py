"""Quitting while a producer job runs logs no error and no traceback."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from scheduler.runner import build
from tests.scheduler.test_dispatcher import FakeNotifier

started, release = threading.Event(), threading.Event()


def slow_job() -> None:
    started.set()
    release.wait(5)


async def test_shutdown_while_a_job_runs_is_quiet(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    service = build(str(sqlite_engine.url), FakeNotifier())
    service.scheduler.add_job(slow_job, "date", run_date=datetime.now(UTC), id="slow")
    stop = asyncio.Event()
    service.start(stop)
    assert await asyncio.to_thread(started.wait, 10)
    stop.set()
    await service.shutdown()
    release.set()
    await asyncio.sleep(0.5)  # the job's end is reported after it finishes
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage() for r in errors]
