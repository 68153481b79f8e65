"""aiogram 3 transport: `TRANSPORT`, the framework glue for delivery, `run` and `worker`.

Updates come in through our own getUpdates loop or webhook (bot/inbound.py), never through
aiogram's Dispatcher, because both of its ways in confirm an update before it is handled; the
inbox is committed first here as with PTB. Everything that is not about aiogram's types lives
in bot/delivery.py, bot/runtime.py and bot/inbound.py. Mounting into an existing aiogram bot
is bot/aiogram_mount.py.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)

from bot.delivery import MAX_RETRIES, FileKind, ReplySender
from bot.send_errors import FloodWait, Refused, SendRejected
from bot.settings import Settings
from bot.transport import ALLOWED_UPDATES, BotGlue, Transport
from handlers.types import Button

log = logging.getLogger(__name__)
REQUEST_TIMEOUT = 15


def build_bot(settings: Settings) -> Bot:
    """An aiogram Bot pointed at TELEGRAM_API_URL (Telegram, or any server speaking the API),
    through TELEGRAM_PROXY if set (aiogram needs aiohttp-socks for that, a dependency)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url),
                             timeout=REQUEST_TIMEOUT, proxy=settings.telegram_proxy or None)
    return Bot(settings.telegram_bot_token, session=session)


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard for a reply's buttons."""
    if not rows:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=b.label, callback_data=b.action) for b in row]
        for row in rows])


def raw_update(update: Update) -> dict[str, Any]:
    """The update as the Bot API sent it (fields that were absent stay absent)."""
    return update.model_dump(mode="json", by_alias=True, exclude_unset=True)


class AiogramSender(ReplySender):
    """Deliver replies through an aiogram `Bot` (the rules are in `ReplySender`)."""

    def __init__(self, bot: Bot, *, retries: int = MAX_RETRIES) -> None:
        super().__init__(retries=retries)
        self.bot = bot

    async def download(self, file_id: str) -> bytes:
        """The bytes of a file a user sent (getFile, then the file URL)."""
        found = await self.bot.get_file(file_id)
        if not found.file_path:
            raise Refused(f"no file_path for {file_id}")
        buffer = await self.bot.download_file(found.file_path)
        return buffer.read() if buffer is not None else b""

    async def _answer_callback(self, callback_id: str, text: str | None) -> None:
        await self.bot.answer_callback_query(callback_id, text=text)

    async def _send_text(self, chat_id: int, text: str, buttons: list[list[Button]],
                         html: bool = True) -> int:
        sent = await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML if html
                                           else None,
                                           reply_markup=keyboard(buttons))
        return int(sent.message_id)

    async def _edit_text(self, chat_id: int, message_id: int, text: str,
                         buttons: list[list[Button]]) -> None:
        await self.bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id,
                                         parse_mode=ParseMode.HTML, reply_markup=keyboard(buttons))

    async def _send_file(self, chat_id: int, kind: FileKind, content: bytes, filename: str,
                         caption: str | None, html: bool = True) -> int:
        parse_mode = ParseMode.HTML if html else None
        upload = BufferedInputFile(content, filename=filename)
        if kind == "photo":
            sent = await self.bot.send_photo(chat_id, upload, caption=caption,
                                             parse_mode=parse_mode)
        else:
            sent = await self.bot.send_document(chat_id, upload, caption=caption,
                                                parse_mode=parse_mode)
        return int(sent.message_id)

    def _translate(self, exc: Exception) -> Exception | None:
        if isinstance(exc, TelegramRetryAfter):
            return FloodWait(float(exc.retry_after))
        if isinstance(exc, TelegramForbiddenError):
            return SendRejected(exc.message)
        if isinstance(exc, TelegramBadRequest):
            return Refused(exc.message)
        return None


async def glue_for(bot: Bot) -> BotGlue:
    """The run loop's Bot API calls made through an aiogram `Bot` (asks getMe for the name)."""

    async def set_commands(commands: list[tuple[str, str]], language_code: str | None) -> None:
        await bot.set_my_commands([BotCommand(command=name, description=text)
                                   for name, text in commands], language_code=language_code)

    async def get_updates(offset: int | None, timeout: int) -> list[dict[str, Any]]:
        updates = await bot.get_updates(offset=offset, timeout=timeout,
                                        allowed_updates=ALLOWED_UPDATES,
                                        request_timeout=timeout + REQUEST_TIMEOUT)
        return [raw_update(update) for update in updates]

    async def set_webhook(url: str, secret: str) -> None:
        await bot.set_webhook(url, secret_token=secret or None, allowed_updates=ALLOWED_UPDATES)

    me = await bot.get_me()
    return BotGlue(username=me.username or "", set_commands=set_commands,
                   get_updates=get_updates, set_webhook=set_webhook,
                   delete_webhook=bot.delete_webhook)


def token_refused(exc: Exception) -> bool:
    """A 401, or the 404 Telegram gives a malformed token: the token is wrong."""
    return isinstance(exc, TelegramUnauthorizedError | TelegramNotFound)


TRANSPORT = Transport[Bot](name="aiogram", build_bot=build_bot, glue=glue_for,
                           sender=AiogramSender, token_refused=token_refused)
