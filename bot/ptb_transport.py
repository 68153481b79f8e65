"""python-telegram-bot transport: the Bot API client, reply rendering, polling and webhook."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlparse

from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.request import HTTPXRequest

from bot.inbound import poll, serve_webhook, webhook_app
from bot.menu import menu_commands
from bot.processor import SendRejected, UpdateProcessor
from bot.render import split_html
from bot.settings import Settings
from handlers.types import Button, ChatRequest, Kind, Reply

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_RETRIES = 3


def build_bot(settings: Settings) -> Bot:
    """A PTB Bot pointed at TELEGRAM_API_URL (Telegram, or any server speaking the Bot API)."""
    api = settings.telegram_api_url
    return Bot(
        settings.telegram_bot_token,
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
        request=HTTPXRequest(connection_pool_size=16, read_timeout=15, write_timeout=15),
        get_updates_request=HTTPXRequest(read_timeout=settings.poll_timeout + 15),
    )


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard for a reply's buttons."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.action) for b in row] for row in rows]
    )


class PtbSender:
    """Deliver replies through PTB: split at 4096, edit in place, answer button presses."""

    def __init__(self, bot: Bot, *, retries: int = MAX_RETRIES) -> None:
        self.bot = bot
        self.retries = retries  # 0: a RetryAfter goes to the caller (the dispatcher pauses)

    async def download(self, file_id: str) -> bytes:
        """The bytes of a file a user sent (getFile, then the file URL)."""
        found = await self.bot.get_file(file_id)
        return bytes(await found.download_as_bytearray())

    async def deliver(self, req: ChatRequest | None, chat_id: int, replies: list[Reply]) -> None:
        """Send every reply; a pressed button is always answered so its spinner stops."""
        if req is not None and req.kind == Kind.CALLBACK and req.callback_id:
            toast = next((r.toast for r in replies if r.toast), None)
            try:
                await self._call(self.bot.answer_callback_query, req.callback_id, text=toast)
            except BadRequest as exc:  # query too old after a restart: nothing to answer
                log.info("answerCallbackQuery: %s", exc)
        for reply in replies:
            await self._send_one(req, chat_id, reply)

    async def send_reply(self, chat_id: int, reply: Reply) -> int | None:
        """Send one reply as new message(s); return the id of the last one."""
        return await self._send_one(None, chat_id, reply)

    async def _send_one(self, req: ChatRequest | None, chat_id: int, reply: Reply) -> int | None:
        if reply.photo is not None:
            sent = await self._call(self.bot.send_photo, chat_id,
                                    InputFile(reply.photo, "chart.png"),
                                    caption=reply.text[:1024] or None, parse_mode=ParseMode.HTML)
            return int(sent.message_id)
        if reply.document is not None:
            sent = await self._call(self.bot.send_document, chat_id,
                                    InputFile(reply.document, reply.filename or "file"),
                                    caption=reply.text[:1024] or None, parse_mode=ParseMode.HTML)
            return int(sent.message_id)
        chunks = split_html(reply.text) or [""]
        if not chunks[0]:
            return None
        markup = keyboard(reply.buttons)
        if reply.edit and req is not None and req.message_id and len(chunks) == 1:
            try:
                await self._call(self.bot.edit_message_text, chunks[0], chat_id=chat_id,
                                 message_id=req.message_id, parse_mode=ParseMode.HTML,
                                 reply_markup=markup)
                return req.message_id
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return req.message_id
                log.info("edit failed (%s); sending a new message", exc)
        message_id = None
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            sent = await self._call(self.bot.send_message, chat_id, chunk,
                                    parse_mode=ParseMode.HTML,
                                    reply_markup=markup if last else None)
            message_id = int(sent.message_id)
        return message_id

    async def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(self.retries + 1):
            try:
                return await method(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self.retries:
                    raise
                delay = exc.retry_after
                await asyncio.sleep(delay.total_seconds() if hasattr(delay, "total_seconds")
                                    else float(delay))
            except Forbidden as exc:
                raise SendRejected(str(exc)) from exc
        raise AssertionError("unreachable")


async def set_commands(bot: Bot) -> None:
    """Publish the command menu in English (default) and Chinese."""
    for language, code in (("en", None), ("zh-CN", "zh")):
        commands = [BotCommand(name, text) for name, text in menu_commands(language)]
        await bot.set_my_commands(commands, language_code=code)


async def run(settings: Settings, processor_factory: Any, stop: asyncio.Event) -> None:
    """Run the assistant on PTB until `stop` is set: polling, or webhook if WEBHOOK_URL."""
    bot = build_bot(settings)
    async with bot:
        processor: UpdateProcessor = processor_factory(PtbSender(bot), bot.username)
        await set_commands(bot)
        processor.start()
        reminders = start_reminders(settings, bot, stop)
        try:
            if settings.webhook_url:
                path = urlparse(settings.webhook_url).path or "/"
                app = webhook_app(processor, path=path, secret=settings.webhook_secret)

                async def register() -> None:
                    await bot.set_webhook(settings.webhook_url,
                                          secret_token=settings.webhook_secret or None,
                                          allowed_updates=ALLOWED_UPDATES)

                await serve_webhook(app, host=settings.webhook_listen, port=settings.webhook_port,
                                    stop=stop, on_listening=register)
            else:
                await bot.delete_webhook()

                async def fetch(offset: int | None, timeout: int) -> list[dict[str, Any]]:
                    updates = await bot.get_updates(offset=offset, timeout=timeout,
                                                    allowed_updates=ALLOWED_UPDATES)
                    return [u.to_dict() for u in updates]

                poller = asyncio.create_task(poll(processor, fetch, timeout=settings.poll_timeout,
                                                  stop=stop))
                await stop.wait()
                poller.cancel()
                await asyncio.gather(poller, return_exceptions=True)
        finally:
            await reminders.shutdown()
            await processor.stop()


def start_reminders(settings: Settings, bot: Bot, stop: asyncio.Event):  # type: ignore[no-untyped-def]
    """Start the producers and the dispatcher, sending through this bot."""
    from bot.notifier import PtbNotifier
    from scheduler.runner import build

    service = build(settings.database_url, PtbNotifier(bot),
                    interval_seconds=settings.reminder_interval_seconds,
                    lease_seconds=settings.dispatch_lease_seconds)
    service.start(stop)
    return service


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    """Producers and dispatcher only (`crm-bot worker`): updates are another process's job."""
    async with build_bot(settings) as bot:
        reminders = start_reminders(settings, bot, stop)
        try:
            await stop.wait()
        finally:
            await reminders.shutdown()
