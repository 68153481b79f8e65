"""The inbox loop: store raw updates first, then handle them in order and send the replies."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import replace
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from bot.updates import request_from_update
from crm_store import inbox
from crm_store.db import unit_of_work
from crm_store.import_files import MAX_BYTES as MAX_FILE_BYTES
from crm_store.models import Inbox
from handlers import dispatch
from handlers.context import HandlerSettings
from handlers.types import ChatRequest, Kind, Reply

log = logging.getLogger(__name__)

# Fault injection for the crash test: pause between "stored" and "handled" so a test can
# SIGKILL the process inside that window. Never set in production.
RETRY_S = 5.0
HOLD_AFTER_INBOX = float(os.environ.get("CRM_TEST_HOLD_AFTER_INBOX", "0") or 0)


class SendRejected(Exception):
    """Telegram refused the message for good (blocked, chat gone): do not retry."""


class Sender(Protocol):
    """What a transport must do to deliver replies."""

    async def deliver(self, req: ChatRequest | None, chat_id: int, replies: list[Reply]) -> None:
        """Send (or edit, or answer the button of) every reply, in order."""


class UpdateProcessor:
    """Durable, ordered handling of updates shared by every transport."""

    def __init__(self, *, engine: Engine, settings: HandlerSettings, sender: Sender) -> None:
        self.engine = engine
        self.settings = settings
        self.sender = sender
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def store(self, update: dict[str, Any]) -> bool:
        """Commit the raw update; return False for a duplicate. Call before acknowledging."""
        update_id = int(update["update_id"])
        with unit_of_work(self.engine) as session:
            fresh = inbox.store(session, update_id=update_id, payload=update)
        if fresh:
            self._queue.put_nowait(update_id)
        return fresh

    def next_offset(self) -> int | None:
        """The polling offset that confirms everything stored so far."""
        with unit_of_work(self.engine) as session:
            return inbox.next_offset(session)

    def start(self) -> None:
        """Queue rows a previous run left unfinished, then start handling in the background."""
        with unit_of_work(self.engine) as session:
            for row in inbox.pending(session, limit=10_000):
                self._queue.put_nowait(row.update_id)
        self._worker = asyncio.create_task(self._run(), name="inbox-worker")

    async def stop(self) -> None:
        """Stop after the update in hand; what is left stays in the inbox for next time."""
        if self._worker:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until every queued update has been handled (for tests and shutdown)."""
        await self._queue.join()

    async def _run(self) -> None:
        while True:
            update_id = await self._queue.get()
            try:
                await self.process(update_id)
            except Exception:  # keep the loop alive; the row stays pending and is retried
                log.exception("processing update %s failed; retrying in %ss", update_id, RETRY_S)
                asyncio.get_running_loop().call_later(RETRY_S, self._queue.put_nowait, update_id)
            finally:
                self._queue.task_done()

    async def process(self, update_id: int) -> None:
        """Handle one stored update (if not yet handled) and send its replies."""
        if HOLD_AFTER_INBOX:
            await asyncio.sleep(HOLD_AFTER_INBOX)
        with unit_of_work(self.engine) as session:
            row = session.get(Inbox, update_id)
            if row is None or row.status not in (inbox.NEW, inbox.HANDLED):
                return
            status, payload, stored = row.status, row.payload, row.replies
            chat_id = row.chat_id
        req = request_from_update(payload or {}, self.settings.bot_username)
        if status == inbox.NEW:
            if req is None:
                return self._finish(update_id)
            if req.kind == Kind.DOCUMENT:
                req = await self._with_file(req)
            replies = await dispatch.handle(req, engine=self.engine, settings=self.settings)
            chat_id = req.chat_id
        else:
            replies = [Reply.from_json(item) for item in stored or []]
        await self._deliver(update_id, req, chat_id, replies)

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
    ) -> None:
        if chat_id is not None and (replies or (req and req.kind == Kind.CALLBACK)):
            try:
                await self.sender.deliver(req, chat_id, replies)
            except SendRejected as exc:
                log.warning("replies to update %s rejected: %s", update_id, exc)
            except Exception as exc:
                with unit_of_work(self.engine) as session:
                    given_up = inbox.mark_attempt_failed(session, update_id=update_id,
                                                         error=repr(exc))
                if not given_up:
                    raise
                return
        self._finish(update_id)

    def _finish(self, update_id: int) -> None:
        with unit_of_work(self.engine) as session:
            inbox.mark_sent(session, update_id=update_id)
