"""Both transports behind one face, so an end-to-end test runs once per framework."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import import_module
from typing import Any

from bot.delivery import ReplySender
from bot.settings import Settings

FRAMEWORKS = ("ptb", "aiogram")


@asynccontextmanager
async def framework_bot(framework: str, settings: Settings) -> AsyncIterator[Any]:
    """The framework's Bot pointed at `settings.telegram_api_url`, closed afterwards."""
    transport = import_module(f"bot.{framework}_transport")
    async with transport.build_bot(settings) as bot:
        yield bot


def sender_for(framework: str, bot: Any, **options: Any) -> ReplySender:
    """The framework's reply sender around `bot`."""
    if framework == "ptb":
        from bot.ptb_transport import PtbSender

        return PtbSender(bot, **options)
    from bot.aiogram_transport import AiogramSender

    return AiogramSender(bot, **options)


def notifier_for(framework: str, bot: Any) -> Any:
    """The framework's reminder notifier around `bot`."""
    from bot.notifier import AiogramNotifier, PtbNotifier

    return PtbNotifier(bot) if framework == "ptb" else AiogramNotifier(bot)
