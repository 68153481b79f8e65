"""Reply delivery shared by every transport: split at 4096, edit in place, answer button presses.

A transport subclasses `ReplySender` with five Bot API calls and one error translation; the
rules (which reply becomes a photo, where the buttons go, when an edit falls back to a new
message, how a 429 is waited out) live here once.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

from bot.observability import record_send_error, send_error_reason
from bot.render import html_to_plain, split_html
from bot.send_errors import FloodWait, Refused, bad_html
from handlers.types import Button, ChatRequest, Kind, Reply

log = logging.getLogger(__name__)
MAX_RETRIES = 3
CAPTION_LIMIT = 1024
FileKind = Literal["photo", "document"]
T = TypeVar("T")


class ReplySender(ABC):
    """Deliver replies through one framework's Bot API client."""

    def __init__(self, *, retries: int = MAX_RETRIES) -> None:
        self.retries = retries  # 0: a FloodWait goes to the caller (the dispatcher pauses)

    # -- the framework glue -------------------------------------------------------------
    @abstractmethod
    async def download(self, file_id: str) -> bytes:
        """The bytes of a file a user sent (getFile, then the file URL)."""

    @abstractmethod
    async def _answer_callback(self, callback_id: str, text: str | None) -> None:
        """answerCallbackQuery."""

    @abstractmethod
    async def _send_text(self, chat_id: int, text: str, buttons: list[list[Button]],
                         html: bool = True) -> int:
        """sendMessage with parse_mode HTML (plain text if not `html`); return the message_id."""

    @abstractmethod
    async def _edit_text(self, chat_id: int, message_id: int, text: str,
                         buttons: list[list[Button]]) -> None:
        """editMessageText with parse_mode HTML (no buttons removes the keyboard)."""

    @abstractmethod
    async def _send_file(self, chat_id: int, kind: FileKind, content: bytes, filename: str,
                         caption: str | None, html: bool = True) -> int:
        """sendPhoto or sendDocument with an HTML (or plain) caption; return the message_id."""

    @abstractmethod
    def _translate(self, exc: Exception) -> Exception | None:
        """The neutral error (FloodWait, SendRejected, Refused) for a framework error, or None."""

    # -- the rules ----------------------------------------------------------------------
    async def deliver(self, req: ChatRequest | None, chat_id: int, replies: list[Reply]) -> None:
        """Send every reply; a pressed button is always answered so its spinner stops.

        A send that fails for good (after waiting out the 429s) is counted in
        crm_send_errors_total{where="replies"} and raised.
        """
        try:
            if req is not None and req.kind == Kind.CALLBACK and req.callback_id:
                toast = next((r.toast for r in replies if r.toast), None)
                try:
                    await self._call(self._answer_callback, req.callback_id, toast)
                except Refused as exc:  # query too old after a restart: nothing to answer
                    log.info("answerCallbackQuery: %s", exc)
            for reply in replies:
                await self._send_one(req, chat_id, reply)
        except Exception as exc:
            record_send_error("replies", send_error_reason(exc))
            raise

    async def send_reply(self, chat_id: int, reply: Reply) -> int | None:
        """Send one reply as new message(s); return the id of the last one."""
        return await self._send_one(None, chat_id, reply)

    async def _send_one(self, req: ChatRequest | None, chat_id: int, reply: Reply) -> int | None:
        caption = reply.text[:CAPTION_LIMIT] or None
        if reply.photo is not None or reply.document is not None:
            kind: FileKind = "photo" if reply.photo is not None else "document"
            content = reply.photo if reply.photo is not None else reply.document
            filename = "chart.png" if kind == "photo" else reply.filename or "file"
            return await self._html_or_plain(
                caption or "", lambda text, html: self._send_file(
                    chat_id, kind, content or b"", filename, text or None, html))
        chunks = split_html(reply.text) or [""]
        if not chunks[0]:
            return None
        if reply.edit and req is not None and req.message_id and len(chunks) == 1:
            try:
                await self._call(self._edit_text, chat_id, req.message_id, chunks[0],
                                 reply.buttons)
                return req.message_id
            except Refused as exc:
                if "not modified" in str(exc).lower():
                    return req.message_id
                log.info("edit failed (%s); sending a new message", exc)
        message_id = None
        for index, chunk in enumerate(chunks):
            buttons = reply.buttons if index == len(chunks) - 1 else []

            def send(text: str, html: bool, rows: list[list[Button]] = buttons) -> Awaitable[int]:
                return self._send_text(chat_id, text, rows, html)

            message_id = await self._html_or_plain(chunk, send)
        return message_id

    async def _html_or_plain(self, text: str,
                             send: Callable[[str, bool], Awaitable[int]]) -> int:
        """Send `text` as HTML; if Telegram cannot parse it, once more as plain text.

        Telegram refusing the HTML is no transient failure: the same text gets the same 400.
        Plain text loses the formatting, not the message. If that is refused too, the
        Refused goes up (the inbox loop gives the replies up with one line).
        """
        try:
            return await self._call(send, text, True)
        except Refused as exc:
            if not bad_html(exc):
                raise
            log.warning("Telegram could not parse a reply's HTML (%s); sending it as plain "
                        "text", exc)
        return await self._call(send, html_to_plain(text), False)

    async def _call(self, method: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Call the Bot API, waiting out up to `retries` 429s; errors come out neutral."""
        for attempt in range(self.retries + 1):
            try:
                return await method(*args)
            except Exception as exc:
                neutral = self._translate(exc)
                if neutral is None:
                    raise
                if isinstance(neutral, FloodWait) and attempt < self.retries:
                    await asyncio.sleep(neutral.seconds)
                    continue
                raise neutral from exc
        raise AssertionError("unreachable")


def seconds_of(delay: Any) -> float:
    """A RetryAfter delay as seconds, whether the framework gives a number or a timedelta."""
    return delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
