"""The assistant inside someone else's bot, for any framework: which updates it takes, the
inbox, ordered handling and the reminders. The framework modules wrap it in a Router
(aiogram) or a handler (PTB)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.engine import Engine

from bot.delivery import ReplySender
from bot.processor import UpdateProcessor
from bot.runtime import start_reminders
from bot.settings import Settings
from bot.updates import request_from_update
from handlers.router import registry
from handlers.types import Kind
from scheduler.protocols import Notifier


def migrated_engine(database_url: str) -> Engine:
    """Connect to the CRM database and bring its schema up to date."""
    from crm_store.db import make_engine
    from crm_store.migrate import upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    return engine


class MountedAssistant:
    """Inbox-first handling of the updates meant for the assistant, in arrival order."""

    def __init__(self, settings: Settings, *, reminders: bool = True) -> None:
        from handlers.areas import load_all

        load_all()  # registers every command, so `wants` knows them

        self.settings = settings
        self.engine = migrated_engine(settings.database_url)
        self.username = settings.bot_username
        self.reminders_enabled = reminders
        self.processor: UpdateProcessor | None = None
        self._reminders: Any = None
        self._stop = asyncio.Event()

    def wants(self, update: dict[str, Any]) -> bool:
        """Whether the update is the assistant's: its commands and buttons, and messages."""
        req = request_from_update(update, self.username)
        if req is None:
            return False
        if req.kind == Kind.COMMAND:
            return req.command in registry.commands
        if req.kind == Kind.CALLBACK:
            return registry.button_for(req.callback_data) is not None
        return True

    async def start(self, sender: ReplySender, username: str, notifier: Notifier) -> None:
        """Start handling (and reminders) once; unfinished updates of the last run come first."""
        if self.processor is not None:
            return
        self.username = username or self.username
        processor = UpdateProcessor(engine=self.engine,
                                    settings=self.settings.handler_settings(self.username),
                                    sender=sender, owner=self.settings.instance())
        self.processor = processor
        processor.start()
        if self.reminders_enabled:
            self._stop.clear()
            self._reminders = start_reminders(self.settings, notifier, self._stop)

    def receive(self, update: dict[str, Any]) -> bool:
        """Commit the update to the inbox and queue it; False for a duplicate."""
        if self.processor is None:
            raise RuntimeError("MountedAssistant.start() first")
        return self.processor.store(update)

    async def idle(self) -> None:
        """Wait until every received update has been handled (for tests)."""
        if self.processor is not None:
            await self.processor.idle()

    async def stop(self) -> None:
        """Stop the reminders and the handling; what is left stays in the inbox."""
        self._stop.set()
        if self._reminders is not None:
            await self._reminders.shutdown()
            self._reminders = None
        if self.processor is not None:
            await self.processor.stop()
            self.processor = None
