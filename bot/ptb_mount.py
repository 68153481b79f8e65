"""Add the assistant to an existing python-telegram-bot `Application`."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, BaseHandler, ContextTypes, TypeHandler

from bot.mounted import MountedAssistant
from bot.ptb_transport import TRANSPORT
from bot.settings import Settings

PtbApplication = Application[Any, Any, Any, Any, Any, Any]


def add_crm_handlers(application: PtbApplication, settings: Settings | None = None, *,
                     group: int = 0, reminders: bool = True) -> BaseHandler[Update, Any, None]:
    """Add the whole assistant to an existing PTB `Application`; return the handler added.

    The assistant takes the updates meant for it (its own commands, its buttons, plain text,
    shared contacts, locations and files) and leaves other commands to your handlers: add
    yours before this one in the same `group`, or in another group. `settings` defaults to
    the environment / `.env` (DATABASE_URL, ADMIN_TELEGRAM_IDS, …); the database is migrated
    now. With `reminders`, the producers and the dispatcher run inside the application.

    Handling starts in `post_init` (or at the first update) and stops in `post_stop`, so
    `application.run_polling()` / `run_webhook()` need nothing else.
    """
    crm = MountedAssistant(settings or Settings(), reminders=reminders)

    def wanted(update: object) -> bool:
        return isinstance(update, Update) and crm.wants(update.to_dict())

    async def start(bot: Any) -> None:
        await crm.start(TRANSPORT.sender(bot), str(bot.username or ""), TRANSPORT.notifier(bot))

    async def receive(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await start(context.bot)  # already running after post_init; this covers hosts without
        crm.receive(update.to_dict())

    async def stop(_application: PtbApplication) -> None:
        await crm.stop()

    handler = _FilteredTypeHandler(wanted, receive)
    application.add_handler(handler, group=group)
    application.post_init = _chain(application.post_init, lambda app: start(app.bot))
    application.post_stop = _chain(application.post_stop, stop)
    return handler


class _FilteredTypeHandler(TypeHandler[Update, Any, None]):
    """A TypeHandler for `Update` that only takes the updates `wanted` says yes to."""

    def __init__(self, wanted: Any, callback: Any) -> None:
        super().__init__(Update, callback)
        self._wanted = wanted

    def check_update(self, update: object) -> bool:
        """Whether this update is the assistant's."""
        return bool(self._wanted(update))


def _chain(first: Any, then: Any) -> Any:
    """An Application hook that runs `first` (if any), then `then`."""

    async def hook(application: PtbApplication) -> None:
        if first is not None:
            await first(application)
        await then(application)

    return hook
