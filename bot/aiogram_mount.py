"""Add the assistant to an existing aiogram 3 bot: a Router for `include_router`."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import TelegramObject, Update

from bot.aiogram_transport import TRANSPORT, raw_update
from bot.mounted import MountedAssistant
from bot.settings import Settings


def crm_router(settings: Settings | None = None, *, reminders: bool = True,
               name: str = "crm") -> Router:
    """A Router carrying the whole assistant, for `dispatcher.include_router(...)`.

    It takes the updates meant for the assistant (its own commands, its buttons, plain text,
    shared contacts, locations and files) and lets other commands fall through to your
    routers. `settings` defaults to the environment / `.env` (DATABASE_URL,
    ADMIN_TELEGRAM_IDS, …); the database is migrated now. With `reminders`, the producers and
    the dispatcher run inside your bot.

    Handling starts on the dispatcher's startup (or at the first update) and stops on its
    shutdown, so `dispatcher.start_polling(bot)` or aiogram's webhook setup need nothing else.
    """
    crm = MountedAssistant(settings or Settings(), reminders=reminders)
    router = Router(name=name)

    def wanted(_event: TelegramObject, event_update: Update) -> bool:
        return crm.wants(raw_update(event_update))

    async def start(bot: Bot | None = None) -> None:
        if bot is not None:  # a startup without a bot: the first update starts it instead
            me = await bot.me()
            await crm.start(TRANSPORT.sender(bot), me.username or "", TRANSPORT.notifier(bot))

    async def receive(_event: TelegramObject, event_update: Update, bot: Bot) -> None:
        await start(bot)
        crm.receive(raw_update(event_update))

    async def shutdown() -> None:
        await crm.stop()

    router.message.register(receive, wanted)
    router.callback_query.register(receive, wanted)
    router.startup.register(start)
    router.shutdown.register(shutdown)
    return router
