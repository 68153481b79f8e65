"""python-telegram-bot transport: `TRANSPORT`, the framework glue for delivery, `run` and `worker`.

Everything that is not about PTB's types (splitting, edits, retries, the inbox, polling and the
webhook) is shared with the aiogram transport: bot/delivery.py, bot/runtime.py, bot/inbound.py.
Mounting into an existing Application is bot/ptb_mount.py.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.request import HTTPXRequest

from bot.delivery import MAX_RETRIES, FileKind, ReplySender, seconds_of
from bot.send_errors import FloodWait, Refused, SendRejected
from bot.settings import Settings
from bot.transport import ALLOWED_UPDATES, BotGlue, Transport
from handlers.types import Button

log = logging.getLogger(__name__)


def build_bot(settings: Settings) -> Bot:
    """A PTB Bot pointed at TELEGRAM_API_URL (Telegram, or any server speaking the Bot API),
    through TELEGRAM_PROXY if set."""
    api, proxy = settings.telegram_api_url, settings.telegram_proxy or None
    return Bot(
        settings.telegram_bot_token,
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
        request=HTTPXRequest(connection_pool_size=16, read_timeout=15, write_timeout=15,
                             proxy=proxy),
        get_updates_request=HTTPXRequest(read_timeout=settings.poll_timeout + 15, proxy=proxy),
    )


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard for a reply's buttons."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.action) for b in row] for row in rows]
    )


class PtbSender(ReplySender):
    """Deliver replies through a PTB `Bot` (the rules are in `ReplySender`)."""

    def __init__(self, bot: Bot, *, retries: int = MAX_RETRIES) -> None:
        super().__init__(retries=retries)
        self.bot = bot

    async def download(self, file_id: str) -> bytes:
        """The bytes of a file a user sent (getFile, then the file URL)."""
        found = await self.bot.get_file(file_id)
        return bytes(await found.download_as_bytearray())

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
        await self.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                         parse_mode=ParseMode.HTML, reply_markup=keyboard(buttons))

    async def _send_file(self, chat_id: int, kind: FileKind, content: bytes, filename: str,
                         caption: str | None, html: bool = True) -> int:
        parse_mode = ParseMode.HTML if html else None
        method = self.bot.send_photo if kind == "photo" else self.bot.send_document
        sent = await method(chat_id, InputFile(content, filename), caption=caption,
                            parse_mode=parse_mode)
        return int(sent.message_id)

    def _translate(self, exc: Exception) -> Exception | None:
        if isinstance(exc, RetryAfter):
            return FloodWait(seconds_of(exc.retry_after))
        if isinstance(exc, Forbidden):
            return SendRejected(str(exc))
        if isinstance(exc, BadRequest):
            return Refused(str(exc))
        return None


async def glue_for(bot: Bot) -> BotGlue:
    """The run loop's Bot API calls made through an initialised PTB `Bot`."""

    async def set_commands(commands: list[tuple[str, str]], language_code: str | None) -> None:
        await bot.set_my_commands([BotCommand(name, text) for name, text in commands],
                                  language_code=language_code)

    async def get_updates(offset: int | None, timeout: int) -> list[dict[str, Any]]:
        updates = await bot.get_updates(offset=offset, timeout=timeout,
                                        allowed_updates=ALLOWED_UPDATES)
        return [update.to_dict() for update in updates]

    async def set_webhook(url: str, secret: str) -> None:
        await bot.set_webhook(url, secret_token=secret or None, allowed_updates=ALLOWED_UPDATES)

    return BotGlue(username=bot.username, set_commands=set_commands, get_updates=get_updates,
                   set_webhook=set_webhook, delete_webhook=bot.delete_webhook)


def token_refused(exc: Exception) -> bool:
    """PTB's answer to a 401 or 404 from getMe: the token is wrong."""
    return isinstance(exc, InvalidToken)


TRANSPORT = Transport[Bot](name="ptb", build_bot=build_bot, glue=glue_for, sender=PtbSender,
                           token_refused=token_refused)
