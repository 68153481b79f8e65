"""A tiny aiogram bot of its own (/ping) with the CRM router included: README's example, plus
TELEGRAM_API_URL so it can talk to the Bot API stand-in."""

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command
from aiogram.types import Message

from bot.aiogram_mount import crm_router

dp = Dispatcher()


@dp.message(Command("ping"))
async def ping(message: Message) -> None:
    """The host bot's own command."""
    await message.answer("pong")


dp.include_router(crm_router())  # DATABASE_URL, ADMIN_TELEGRAM_IDS… from the environment


async def main() -> None:
    """Poll until SIGTERM."""
    api = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"])
    bot = Bot(os.environ["TELEGRAM_BOT_TOKEN"], session=AiohttpSession(api=api))
    await dp.start_polling(bot, polling_timeout=1)


asyncio.run(main())
