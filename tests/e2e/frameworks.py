"""Both transports behind one face, so an end-to-end test runs once per framework."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.delivery import ReplySender
from bot.notifier import TelegramNotifier
from bot.runtime import transport_for
from bot.settings import Settings

FRAMEWORKS = ("ptb", "aiogram")


@asynccontextmanager
async def framework_bot(framework: str, settings: Settings) -> AsyncIterator[Any]:
    """The framework's Bot pointed at `settings.telegram_api_url`, closed afterwards."""
    async with transport_for(framework).build_bot(settings) as bot:
        yield bot


def sender_for(framework: str, bot: Any, **options: Any) -> ReplySender:
    """The framework's reply sender around `bot`."""
    return transport_for(framework).sender(bot, **options)


def notifier_for(framework: str, bot: Any) -> TelegramNotifier:
    """The framework's reminder notifier around `bot`."""
    return transport_for(framework).notifier(bot)
