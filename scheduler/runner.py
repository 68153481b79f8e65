"""Run the reminders: APScheduler fires the producers; the dispatcher sends what is due.

Jobs are module-level functions with primitive arguments (the database URL and the dotted
name of a producer) and deterministic ids, so every worker schedules the same jobs and the
database — unique dedupe keys, leases — decides what is written and sent, once.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import import_module
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine

from crm_store.db import make_engine, unit_of_work
from crm_store.messaging import inbox
from scheduler.dispatcher import Dispatcher
from scheduler.protocols import Clock, Notifier, SystemClock

log = logging.getLogger(__name__)

INBOX_RETENTION_DAYS = 7  # finished updates kept this long (INBOX_RETENTION_DAYS)

# (dotted producer, every N seconds at the default interval of 60 s)
PRODUCERS: tuple[tuple[str, int], ...] = (
    ("scheduler.producers:produce_followups_due", 1),
    ("scheduler.producers:produce_overdue", 5),
    ("scheduler.producers:produce_stale_deals", 15),
    ("scheduler.producers:produce_sla", 5),
    ("scheduler.producers:produce_churn", 60),
    ("scheduler.care:produce_care", 15),
    ("scheduler.digest:produce_digests", 5),
    ("crm_store.messaging.reminders:produce_catch_ups_job", 1),
    ("crm_store.analytics.profiles:refresh_profiles_job", 15),  # big teams' stored profiles
)


@cache
def engine_for(database_url: str) -> Engine:
    """One engine per database URL per process."""
    return make_engine(database_url)


def _resolve(target: str) -> Callable[..., int]:
    module, _, name = target.partition(":")
    job: Callable[..., int] = getattr(import_module(module), name)
    return job


def purge_inbox(database_url: str, retention_days: int) -> int:
    """Job body: delete finished inbox rows older than the retention, chunk by chunk."""
    before = SystemClock().now() - timedelta(days=retention_days)
    total = 0
    while True:
        with unit_of_work(engine_for(database_url)) as session:
            done = inbox.purge(session, before=before)
        total += done
        if done < inbox.PURGE_CHUNK:
            break
    if total:
        log.info("purged %s inbox row(s) older than %s days", total, retention_days)
    return total


def run_producer(database_url: str, target: str) -> int:
    """Job body: run one producer at the current time (it opens its own transactions)."""
    produced = _resolve(target)(engine_for(database_url), SystemClock().now())
    if produced:
        log.info("%s produced %s reminder(s)", target.rpartition(":")[2], produced)
    return int(produced or 0)


@dataclass
class ReminderService:
    """The scheduler and the dispatcher, started and stopped together."""

    scheduler: AsyncIOScheduler
    dispatcher: Dispatcher
    task: asyncio.Task[Any] | None = None

    def start(self, stop: asyncio.Event) -> None:
        """Start the producer jobs and the dispatch loop."""
        self.scheduler.start()
        self.task = asyncio.create_task(self.dispatcher.run_forever(stop), name="dispatcher")

    async def shutdown(self) -> None:
        """Stop both; leased rows a crash would leave simply expire.

        A producer job running in its thread is left to finish its transaction (the process
        waits for it at exit) rather than cancelled: cancelling one only logged a traceback.
        """
        self.scheduler.shutdown(wait=False)
        if self.task:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


def build(database_url: str, notifier: Notifier, *, interval_seconds: float = 60.0,
          lease_seconds: int = 60, clock: Clock | None = None,
          inbox_retention_days: int = INBOX_RETENTION_DAYS) -> ReminderService:
    """Wire the producers (every `interval_seconds` × their factor), the inbox purge and a
    dispatcher."""
    # APScheduler's thread pool, not AsyncIOExecutor: on shutdown that cancels the futures of
    # jobs still running and logs each as an error with a traceback. As many threads as
    # asyncio's default executor, which ran the jobs before.
    threads = min(32, (os.cpu_count() or 1) + 4)
    scheduler = AsyncIOScheduler(timezone="UTC",
                                 executors={"default": ThreadPoolExecutor(threads)})
    scheduler.add_job(purge_inbox, "interval", args=[database_url, inbox_retention_days],
                      hours=1, id="purge:inbox", replace_existing=True, max_instances=1,
                      coalesce=True, next_run_time=datetime.now(UTC))
    for target, factor in PRODUCERS:
        scheduler.add_job(run_producer, "interval", args=[database_url, target],
                          seconds=max(1.0, interval_seconds * factor), id=f"produce:{target}",
                          replace_existing=True, max_instances=1, coalesce=True,
                          next_run_time=datetime.now(UTC))  # first run at start-up
    dispatcher = Dispatcher(engine_for(database_url), notifier, clock or SystemClock(),
                            lease_seconds=lease_seconds)
    return ReminderService(scheduler=scheduler, dispatcher=dispatcher)
