"""One `Transport` per framework, picked by BOT_FRAMEWORK: the only way to a framework's client.

bot/ptb_transport.py and bot/aiogram_transport.py are peers: each builds one `TRANSPORT` from
its Bot, the run loop's Bot API calls (`BotGlue`) and its reply sender; the reminder notifier
is that sender without retries. `crm-bot run` and `worker` and the tests pick one with
`bot.runtime.transport_for`, so only the chosen framework is ever imported; nothing here
imports a framework.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from bot.delivery import ReplySender
from bot.inbound import Fetch
from bot.notifier import TelegramNotifier
from bot.settings import Settings

ALLOWED_UPDATES = ["message", "callback_query"]

BotT = TypeVar("BotT")
BotT_contra = TypeVar("BotT_contra", contravariant=True)


@dataclass(frozen=True)
class BotGlue:
    """The few Bot API calls the run loop needs, made through one framework's client."""

    username: str
    set_commands: Callable[[list[tuple[str, str]], str | None], Awaitable[Any]]
    get_updates: Fetch  # (offset, timeout) -> raw update dicts
    set_webhook: Callable[[str, str], Awaitable[Any]]  # (url, secret)
    delete_webhook: Callable[[], Awaitable[Any]]


class SenderFactory(Protocol[BotT_contra]):
    """A framework's `ReplySender` class: built around its Bot."""

    def __call__(self, bot: BotT_contra, *, retries: int = ...) -> ReplySender:
        """The sender delivering through `bot`; `retries` 429s are waited out."""
        ...


@dataclass(frozen=True)
class Transport(Generic[BotT]):
    """A framework's way to Telegram: its Bot, the run loop's calls, replies and reminders."""

    name: str  # the BOT_FRAMEWORK value
    build_bot: Callable[[Settings], AbstractAsyncContextManager[BotT]]  # TELEGRAM_API_URL's
    glue: Callable[[BotT], Awaitable[BotGlue]]  # needs an open Bot (`async with`)
    sender: SenderFactory[BotT]
    token_refused: Callable[[Exception], bool]  # the Bot API refused the token: do not retry

    def notifier(self, bot: BotT) -> TelegramNotifier:
        """Reminders through `bot`; a 429 goes to the dispatcher, which does the waiting."""
        return TelegramNotifier(self.sender(bot, retries=0))

    async def fetch_username(self, settings: Settings) -> str:
        """The bot's @username, asked with getMe."""
        async with self.build_bot(settings) as bot:
            return (await self.glue(bot)).username

