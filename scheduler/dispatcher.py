"""The dispatcher: claim due outbox rows under a lease, send them at Telegram's pace, record.

Database work runs in short transactions on a worker thread; the network call to the
notifier never happens inside a transaction. Limits follow Telegram's guidance for bots:
≤ 30 messages/s overall, ≤ 1 message/s per chat, ≤ 20 messages/min per group chat.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from aiolimiter import AsyncLimiter
from sqlalchemy.engine import Engine

from crm_store.db import unit_of_work
from crm_store.messaging import outbox
from scheduler.protocols import Clock, Delivery, Notifier, RetryLater, Undeliverable

log = logging.getLogger(__name__)

ROUNDS_IN_FLIGHT = 3  # batches being sent at once by one worker


CHAT_MARGIN = 1.02  # per-chat and per-group pacing: 20 ms a second over the even interval


@dataclass(frozen=True)
class Rate:
    """At most `count` messages in any `seconds`-long window."""

    count: float
    seconds: float

    @property
    def interval(self) -> float:
        """Seconds between two messages when paced evenly."""
        return self.seconds / self.count


@dataclass(frozen=True)
class Limits:
    """Sending limits; the defaults are Telegram's."""

    overall: Rate = Rate(30, 1.0)
    per_chat: Rate = Rate(1, 1.0)
    per_group: Rate = Rate(20, 60.0)  # chats with a negative id


class _Outcome(Enum):
    SENT = "sent"
    LOST = "lost"  # sent, but another worker had taken the row over: not recorded
    FAILED = "failed"  # this row goes back for a later attempt (or is given up)
    STOP = "stop"  # stop this chat for this round; its remaining rows go back
    GONE = "gone"  # the member is unreachable; their rows are cancelled


@dataclass
class _Job:
    delivery: Delivery
    due_at: datetime
    lease_until: datetime
    attempts: int


def default_worker_id() -> str:
    """A worker id unique across machines and restarts: hostname-pid-random."""
    return f"{socket.gethostname()[:36]}-{os.getpid()}-{secrets.token_hex(3)}"


class Dispatcher:
    """Sends due outbox rows through a Notifier, once each, within the rate limits."""

    def __init__(
        self, engine: Engine, notifier: Notifier, clock: Clock, worker: str | None = None,
        lease_seconds: float = 60, batch: int = 50, limits: Limits | None = None,
    ) -> None:
        self.engine, self.notifier, self.clock = engine, notifier, clock
        self.worker = (worker or default_worker_id())[:60]
        self.lease_seconds, self.batch = lease_seconds, batch
        self.limits = limits or Limits()
        # A capacity-1 bucket paces messages evenly, so no window of the limit's length ever
        # holds more than its count (a full bucket would allow a burst of up to twice that).
        self._overall: AsyncLimiter | None = None
        # Loop time from which each chat may get its next message. Only one task sends to a
        # chat at a time, so a timestamp is exact here: waiting for the chat first and taking
        # the overall slot last means the send happens at the moment both allow it.
        self._chat_next: dict[int, float] = {}
        self._paused_until = 0.0  # loop time; Telegram's flood control is per bot
        # Take no more of one chat's rows than can go out in half the lease at its pace.
        slowest = max(self.limits.per_chat.interval, self.limits.per_group.interval)
        self._per_chat = max(1, int(lease_seconds / 2 / slowest))
        self.last_claimed = 0

    def chat_interval(self, chat_id: int) -> float:
        """Seconds between two messages to this chat (groups are slower), with a margin.

        Telegram counts when messages arrive: two sends paced exactly 1 s apart here reached
        the Bot API stand-in 0.9968 s apart (bench/bench_dispatch.py over HTTP). 2% more
        keeps network jitter inside the limit.
        """
        interval = self.limits.per_chat.interval
        interval = max(interval, self.limits.per_group.interval) if chat_id < 0 else interval
        return interval * CHAT_MARGIN

    async def run_once(self) -> int:
        """Claim one batch of due rows, send them, record them; return how many were sent."""
        await self._wait_out_pause()
        jobs = await asyncio.to_thread(self._claim, self.clock.now())
        self.last_claimed = len(jobs)
        return await self._send_round(jobs)

    async def run_forever(self, stop: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Dispatch until `stop` is set, resting up to `idle_seconds` when nothing was due.

        The next batch is claimed while the previous one is still going out, so one chat's
        pace never holds up the others; claim_due skips chats whose earlier rows are still
        leased, which keeps each chat in one round at a time and in due order.
        """
        rounds: set[asyncio.Task[int]] = set()
        try:
            while not stop.is_set():
                claimed = await self._start_round(rounds)
                if claimed < self.batch:
                    await self._rest(stop, rounds, idle_seconds)
                while len(rounds) >= ROUNDS_IN_FLIGHT and not stop.is_set():
                    await self._rest(stop, rounds, None)
        except asyncio.CancelledError:
            for task in rounds:
                task.cancel()
            raise
        finally:
            if rounds:  # let rounds in flight finish: they hold leases and owe records
                await asyncio.gather(*rounds, return_exceptions=True)

    async def _start_round(self, rounds: set[asyncio.Task[int]]) -> int:
        try:
            await self._wait_out_pause()
            jobs = await asyncio.to_thread(self._claim, self.clock.now())
        except Exception:
            log.exception("claiming failed; worker=%s", self.worker)
            return 0
        self.last_claimed = len(jobs)
        if jobs:
            task = asyncio.create_task(self._logged_round(jobs))
            rounds.add(task)
            task.add_done_callback(rounds.discard)
        return len(jobs)

    async def _rest(
        self, stop: asyncio.Event, rounds: set[asyncio.Task[int]], timeout: float | None
    ) -> None:
        """Wait for `stop`, for a round to finish (it may free a chat) or for `timeout`."""
        stopped = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({stopped, *rounds}, timeout=timeout,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()

    async def _logged_round(self, jobs: list[_Job]) -> int:
        try:
            return await self._send_round(jobs)
        except Exception:
            log.exception("sending round failed; its leases will expire; worker=%s",
                          self.worker)
            return 0

    async def _send_round(self, jobs: list[_Job]) -> int:
        by_chat: dict[int, list[_Job]] = {}
        for job in jobs:
            by_chat.setdefault(job.delivery.chat_id, []).append(job)
        counts = await asyncio.gather(*(self._send_chat(chat) for chat in by_chat.values()))
        self._forget_idle_chats()
        return sum(counts)

    # --- database (worker thread, one short transaction each) ----------------------------

    def _claim(self, now: datetime) -> list[_Job]:
        with unit_of_work(self.engine) as session:
            rows = outbox.claim_due(session, now=now, worker=self.worker,
                                    lease_seconds=self.lease_seconds, limit=self.batch,
                                    per_chat=self._per_chat)
            sendable = outbox.hold_for_out_of_office(session, rows=rows, now=now)
            return [
                _Job(Delivery(outbox_id=row.id or 0, member_id=row.member_id,
                              chat_id=row.chat_id, kind=row.kind, payload=dict(row.payload),
                              language=member.language, timezone=member.timezone),
                     due_at=row.due_at, lease_until=row.lease_until or now,
                     attempts=row.attempts)
                for row, member in sendable
            ]

    def _mark_sent(self, job: _Job, message_id: int) -> bool:
        with unit_of_work(self.engine) as session:
            return outbox.mark_sent(session, outbox_id=job.delivery.outbox_id,
                                    worker=self.worker, message_id=message_id,
                                    now=self.clock.now())

    def _release(self, jobs: list[_Job]) -> None:
        with unit_of_work(self.engine) as session:
            for job in jobs:
                outbox.release(session, outbox_id=job.delivery.outbox_id, worker=self.worker)

    def _retry_or_fail(self, job: _Job, error: str) -> None:
        with unit_of_work(self.engine) as session:
            if job.attempts >= outbox.MAX_ATTEMPTS:
                outbox.mark_failed(session, outbox_id=job.delivery.outbox_id,
                                   worker=self.worker, error=error)
            else:
                due_at = self.clock.now() + outbox.retry_delay(job.attempts)
                outbox.retry_later(session, outbox_id=job.delivery.outbox_id,
                                   worker=self.worker, due_at=due_at, error=error)

    def _unreachable(self, job: _Job, reason: str) -> None:
        with unit_of_work(self.engine) as session:
            outbox.mark_unreachable(session, member_id=job.delivery.member_id, reason=reason)

    # --- sending (event loop) -------------------------------------------------------------

    async def _send_chat(self, jobs: list[_Job]) -> int:
        """Send one chat's rows one after another, in due order."""
        sent = 0
        for index, job in enumerate(jobs):
            outcome = await self._deliver(job)
            sent += outcome is _Outcome.SENT
            if outcome is _Outcome.STOP:
                await asyncio.to_thread(self._release, jobs[index:])
                break
            if outcome is _Outcome.GONE:
                break
        return sent

    async def _deliver(self, job: _Job) -> _Outcome:
        delivery = job.delivery
        await self._gate(delivery.chat_id)
        lease_left = (job.lease_until - self.clock.now()).total_seconds()
        if lease_left <= 0:
            log.warning("lease expired before sending outbox=%s; leaving it to the next worker",
                        delivery.outbox_id)
            return _Outcome.STOP
        started = time.monotonic()
        try:
            # A send that outlives the lease is abandoned (and retried): the row is then
            # free for another worker, and this chat must not be in two hands.
            message_id = await asyncio.wait_for(self.notifier.send(delivery), lease_left)
        except RetryLater as exc:
            self._pause(exc.seconds)
            log.warning("flood control: pausing all sends for %.1fs (outbox=%s)",
                        exc.seconds, delivery.outbox_id)
            self._send_failed("flood_wait")
            return _Outcome.STOP
        except Undeliverable as exc:
            log.warning("member=%s unreachable (outbox=%s); deactivating",
                        delivery.member_id, delivery.outbox_id)
            self._send_failed("rejected")
            await asyncio.to_thread(self._unreachable, job, _error_text(exc))
            return _Outcome.GONE
        except Exception as exc:  # noqa: BLE001 - any other failure is retried, then given up
            log.warning("send failed outbox=%s attempt=%s: %s", delivery.outbox_id,
                        job.attempts, exc.__class__.__name__)
            self._send_failed("timeout" if isinstance(exc, TimeoutError) else "error")
            await asyncio.to_thread(self._retry_or_fail, job, _error_text(exc))
            return _Outcome.FAILED
        latency_ms = (time.monotonic() - started) * 1000
        if not await asyncio.to_thread(self._mark_sent, job, message_id):
            log.warning("outbox=%s was taken over by another worker; not recorded",
                        delivery.outbox_id)
            return _Outcome.LOST
        late = (self.clock.now() - job.due_at).total_seconds()
        log.info("sent outbox=%s kind=%s latency_ms=%.0f late_s=%.1f", delivery.outbox_id,
                 delivery.kind, latency_ms, late)
        return _Outcome.SENT

    def _send_failed(self, reason: str) -> None:
        """Tell the notifier a send failed, if it wants to know (metrics live in bot/)."""
        hook = getattr(self.notifier, "send_failed", None)
        if hook is None:
            return
        try:
            hook(reason)
        except Exception:  # noqa: BLE001 - counting must never stop the dispatcher
            log.exception("notifier.send_failed(%r) failed", reason)

    async def _gate(self, chat_id: int) -> None:
        """Wait for a pause to end and for the chat's and the overall pace to allow a send."""
        if self._overall is None:
            self._overall = AsyncLimiter(1, self.limits.overall.interval)
        loop = asyncio.get_running_loop()
        while True:
            await self._wait_out_pause()
            if (wait := self._chat_next.get(chat_id, 0.0) - loop.time()) > 0:
                await asyncio.sleep(wait)
                continue
            await self._overall.acquire()
            if self._paused():  # a RetryLater came in while we queued
                continue
            self._chat_next[chat_id] = loop.time() + self.chat_interval(chat_id)
            return

    def _pause(self, seconds: float) -> None:
        until = asyncio.get_running_loop().time() + max(seconds, 0)
        self._paused_until = max(self._paused_until, until)

    def _paused(self) -> bool:
        return asyncio.get_running_loop().time() < self._paused_until

    async def _wait_out_pause(self) -> None:
        loop = asyncio.get_running_loop()
        while (remaining := self._paused_until - loop.time()) > 0:
            await asyncio.sleep(remaining)

    def _forget_idle_chats(self) -> None:
        """Drop the pace of chats that could get a message right now anyway (memory stays flat)."""
        now = asyncio.get_running_loop().time()
        self._chat_next = {chat: at for chat, at in self._chat_next.items() if at > now}


def _error_text(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[: outbox.ERROR_LENGTH]
