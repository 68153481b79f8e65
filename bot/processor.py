"""The inbox loop: store raw updates first, then handle them in order and send the replies."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from dataclasses import replace
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session

from bot.observability import record_update
from bot.send_errors import Refused, SendRejected
from bot.updates import request_from_update
from crm_store.clock import utcnow
from crm_store.db import read_only, unit_of_work
from crm_store.messaging import inbox
from crm_store.models import Inbox
from crm_store.records.import_files import MAX_BYTES as MAX_FILE_BYTES
from handlers import dispatch
from handlers.context import HandlerSettings
from handlers.types import ChatRequest, Kind, Reply

log = logging.getLogger(__name__)

# Fault injection for the crash test: pause between "stored" and "handled" so a test can
# SIGKILL the process inside that window. Never set in production.
RETRY_S = 5.0
LEASE_S = 60.0  # a process that dies holding an update leaves it to others after this
SWEEP_S = 2.0
HOLD_AFTER_INBOX = float(os.environ.get("CRM_TEST_HOLD_AFTER_INBOX", "0") or 0)
# The database is locked past its busy timeout, restarting or unreachable: nobody's fault.
DATABASE_AWAY = (OperationalError, InterfaceError)


def brief(exc: BaseException) -> str:
    """An exception in one short line: its type and the first line of its message."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200] if text else ''}".rstrip(": ")


class Sender(Protocol):
    """What a transport must do to deliver replies."""

    async def deliver(self, req: ChatRequest | None, chat_id: int, replies: list[Reply]) -> None:
        """Send (or edit, or answer the button of) every reply, in order."""


class UpdateProcessor:
    """Durable, ordered handling of updates shared by every transport.

    Several processes may share one inbox (webhook mode behind a load balancer): each claims a
    row before handling it, a row waits while an earlier row of its chat is unfinished, and
    whoever finishes a row takes the chat's next one. A sweep picks up what nobody is
    handling: leftovers of a previous run, and rows a dead process held (after its lease).
    """

    def __init__(self, *, engine: Engine, settings: HandlerSettings, sender: Sender,
                 owner: str | None = None, lease_seconds: float = LEASE_S,
                 sweep_seconds: float = SWEEP_S) -> None:
        self.engine = engine
        self.settings = settings
        self.sender = sender
        self.owner = (owner or f"{socket.gethostname()}:{os.getpid()}")[:64]
        self.lease_seconds = lease_seconds
        self.sweep_seconds = sweep_seconds
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._queued: set[int] = set()
        self._tasks: list[asyncio.Task[None]] = []

    def store(self, update: dict[str, Any]) -> bool:
        """Commit the raw update; return False for a duplicate. Call before acknowledging."""
        update_id = int(update["update_id"])
        with unit_of_work(self.engine) as session:
            fresh = inbox.store(session, update_id=update_id, payload=update)
        if fresh:
            self._enqueue(update_id)
        return fresh

    def next_offset(self) -> int | None:
        """The polling offset that confirms everything stored so far."""
        with read_only(self.engine) as conn, Session(bind=conn) as session:
            return inbox.next_offset(session)

    def start(self) -> None:
        """Queue what a previous run left unfinished, then handle and sweep in the background."""
        self._sweep(quiet_seconds=0)
        self._tasks = [asyncio.create_task(self._run(), name="inbox-worker"),
                       asyncio.create_task(self._sweeper(), name="inbox-sweeper")]

    async def stop(self) -> None:
        """Stop after the update in hand; what is left stays in the inbox for next time."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until every queued update has been handled (for tests and shutdown)."""
        await self._queue.join()

    def _enqueue(self, update_id: int) -> None:
        if update_id not in self._queued:
            self._queued.add(update_id)
            self._queue.put_nowait(update_id)

    def _sweep(self, *, quiet_seconds: float) -> None:
        with read_only(self.engine) as conn, Session(bind=conn) as session:
            found = inbox.claimable(session, now=utcnow(), quiet_seconds=quiet_seconds)
        for update_id in found:
            self._enqueue(update_id)

    async def _sweeper(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds)
            try:
                self._sweep(quiet_seconds=self.sweep_seconds)
            except Exception as exc:  # the database may be away for a moment: sweep later
                log.warning("inbox sweep failed: %s", exc)

    async def _run(self) -> None:
        while True:
            update_id = await self._queue.get()
            self._queued.discard(update_id)
            try:
                await self._handle_chat_from(update_id)
            finally:
                self._queue.task_done()

    async def _handle_chat_from(self, update_id: int) -> None:
        """Handle `update_id`, then its chat's next updates in order, as long as they come.

        A failed attempt is retried after RETRY_S; an update that keeps failing for its own
        sake (one the parser cannot read, replies that never go out) is given up after
        inbox.MAX_ATTEMPTS and the chat goes on. The database being away is not the
        update's fault: that is waited out without counting.
        """
        current: int | None = update_id
        while current is not None:
            chat_id: int | None = None
            given_up = False
            try:
                chat_id = await self.process(current)
            except Exception as exc:
                if not self._failed_for_good(current, exc):
                    asyncio.get_running_loop().call_later(RETRY_S, self._enqueue, current)
                    return
                given_up = True
            try:
                if given_up:
                    chat_id = self._chat_of(current)
                current = self._next_in_chat(chat_id)
            except Exception as exc:  # the sweeper finds the chat's next update later
                log.warning("next update of chat %s not read (%s)", chat_id, brief(exc))
                return

    def _failed_for_good(self, update_id: int, exc: Exception) -> bool:
        """Count a failed attempt (not if the database is away); True once it is given up.

        One short line per attempt; the traceback once, when the update is given up.
        """
        if isinstance(exc, DATABASE_AWAY):
            log.warning("update %s waits for the database (%s); retrying in %ss",
                        update_id, brief(exc), RETRY_S)
            return False
        try:
            with unit_of_work(self.engine) as session:
                given_up = inbox.mark_attempt_failed(session, update_id=update_id,
                                                     error=f"{type(exc).__name__}: {exc}")
        except Exception as again:  # not counted this time: try the update again later
            log.warning("update %s failed (%s) and was not counted (%s); retrying in %ss",
                        update_id, brief(exc), brief(again), RETRY_S)
            return False
        if given_up:
            log.error("update %s given up after %s failed attempts: %s", update_id,
                      inbox.MAX_ATTEMPTS, brief(exc), exc_info=exc)
        else:
            log.warning("update %s failed (%s); retrying in %ss", update_id, brief(exc),
                        RETRY_S)
        return given_up

    def _next_in_chat(self, chat_id: int | None) -> int | None:
        """The chat's oldest unfinished update (None without a chat)."""
        if chat_id is None:
            return None
        with read_only(self.engine) as conn, Session(bind=conn) as session:
            return inbox.next_in_chat(session, chat_id=chat_id)

    def _chat_of(self, update_id: int) -> int | None:
        with read_only(self.engine) as conn, Session(bind=conn) as session:
            row = session.get(Inbox, update_id)
            return row.chat_id if row is not None else None

    async def process(self, update_id: int) -> int | None:
        """Handle one stored update (if not yet handled) and send its replies.

        Returns the update's chat when this process finished it, None when the update was
        not this process's to handle (done already, held by another, or not its turn). Each
        update this process takes gets one log line with its outcome and latency.
        """
        if HOLD_AFTER_INBOX:
            await asyncio.sleep(HOLD_AFTER_INBOX)
        started = time.perf_counter()
        with unit_of_work(self.engine) as session:
            if not inbox.claim(session, update_id=update_id, owner=self.owner, now=utcnow(),
                               lease_seconds=self.lease_seconds):
                return None
            row = session.get(Inbox, update_id)
            assert row is not None  # the claim just matched it
            status, payload, stored = row.status, row.payload, row.replies
            chat_id = row.chat_id
        req: ChatRequest | None = None
        outcome = "error"
        try:  # parsing too: an update the parser cannot read counts as a failed attempt
            req = request_from_update(payload or {}, self.settings.bot_username)
            if status == inbox.NEW:
                if req is None:
                    self._finish(update_id)
                    outcome = "ignored"
                    return chat_id
                if req.kind == Kind.DOCUMENT:
                    req = await self._with_file(req)
                try:
                    replies = await dispatch.handle(req, engine=self.engine,
                                                    settings=self.settings)
                except inbox.AlreadyHandled:
                    outcome = "handled_elsewhere"
                    return None
                chat_id = req.chat_id
            else:
                replies = [Reply.from_json(item) for item in stored or []]
            sent = await self._deliver(update_id, req, chat_id, replies)
            outcome = ("ok" if status == inbox.NEW else "resent") if sent else "send_failed"
            return chat_id
        finally:
            record_update(update_id=update_id, kind=str(req.kind) if req else "other",
                          command=req.command if req else None, outcome=outcome,
                          seconds=time.perf_counter() - started,
                          chat_id=chat_id, user_id=req.user_id if req else None)

    async def _with_file(self, req: ChatRequest) -> ChatRequest:
        """Add a sent file's bytes to the request, if the transport can fetch them.

        The bytes are never stored in the inbox: a replayed update downloads again (Telegram
        keeps file_id valid). Over MAX_FILE_BYTES, or if the download fails, the handler is
        told nothing came and answers accordingly.
        """
        download = getattr(self.sender, "download", None)
        document = req.payload.get("document") or {}
        if download is None or not document.get("file_id"):
            return req
        if int(document.get("file_size") or 0) > MAX_FILE_BYTES:
            return req
        try:
            content = await download(str(document["file_id"]))
        except Exception as exc:  # the handler says "could not download, send it again"
            log.warning("downloading %s failed: %s", document.get("file_name"), exc)
            return req
        payload = {**req.payload, "content": bytes(content),
                   "file_name": str(document.get("file_name") or "")}
        return replace(req, payload=payload)

    async def _deliver(
        self, update_id: int, req: ChatRequest | None, chat_id: int | None, replies: list[Reply]
    ) -> bool:
        """Send the replies and finish the row; False when Telegram refused them for good.

        Other failures (network, timeouts) are raised: the attempt is counted and retried.
        """
        if chat_id is not None and (replies or (req and req.kind == Kind.CALLBACK)):
            try:
                await self.sender.deliver(req, chat_id, replies)
            except (SendRejected, Refused) as exc:  # the same request gets the same answer
                log.warning("replies to update %s refused: %s", update_id, brief(exc))
                self._finish(update_id)
                return False
        self._finish(update_id)
        return True

    def _finish(self, update_id: int) -> None:
        with unit_of_work(self.engine) as session:
            inbox.mark_sent(session, update_id=update_id)
