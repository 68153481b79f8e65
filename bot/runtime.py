"""`crm-bot run` and `crm-bot worker` for any framework: the chosen `Transport` supplies the
Bot, the run loop's Bot API calls (`BotGlue`), the reply sender and the reminder notifier."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from sqlalchemy.engine import Engine

from bot.delivery import ReplySender
from bot.inbound import ops_app, poll, serve_webhook, webhook_app
from bot.menu import menu_commands
from bot.observability import PollWatch
from bot.processor import UpdateProcessor
from bot.settings import Settings
from bot.startup import Patience, connected
from bot.transport import BotGlue, Transport
from scheduler.protocols import Notifier

if TYPE_CHECKING:  # APScheduler loads when reminders start, not on import
    from scheduler.runner import ReminderService

log = logging.getLogger(__name__)
# (language of the texts, language_code for setMyCommands; None is the default menu)
MENU_LANGUAGES = (("en", None), ("zh-CN", "zh"))

ProcessorFactory = Callable[[ReplySender, str], UpdateProcessor]
TRANSPORT_MODULES = {"ptb": "bot.ptb_transport", "aiogram": "bot.aiogram_transport"}


def transport_for(framework: str) -> Transport[Any]:
    """The Transport of `framework` (BOT_FRAMEWORK: ptb or aiogram); imports that one only."""
    if framework not in TRANSPORT_MODULES:
        raise ValueError(f"unknown framework {framework!r}: 'ptb' or 'aiogram'")
    transport: Transport[Any] = import_module(TRANSPORT_MODULES[framework]).TRANSPORT
    return transport


async def set_menus(glue: BotGlue) -> None:
    """Publish the command menu in English (default) and Chinese."""
    for language, code in MENU_LANGUAGES:
        await glue.set_commands(menu_commands(language), code)


def start_reminders(settings: Settings, notifier: Notifier,
                    stop: asyncio.Event) -> ReminderService:
    """Start the producers, the inbox purge and the dispatcher, sending through `notifier`."""
    from scheduler.runner import build

    service = build(settings.database_url, notifier,
                    interval_seconds=settings.reminder_interval_seconds,
                    lease_seconds=settings.dispatch_lease_seconds,
                    inbox_retention_days=settings.inbox_retention_days)
    service.start(stop)
    return service


def settle_memory() -> None:
    """Move what start-up made (modules, the framework, the migrated schema) out of the GC's way.

    A full collection walks every live object; frozen ones are skipped. BENCHMARKS.md (issue 9)
    measured full collections adding 230-410 ms to one update in 10-20 without this.
    """
    gc.collect()
    gc.freeze()


async def run(transport: Transport[Any], settings: Settings,
              processor_factory: ProcessorFactory, stop: asyncio.Event) -> None:
    """Run the assistant on `transport` until `stop` is set: polling, or webhook if WEBHOOK_URL.

    The Bot API is retried with back-off at start-up (bot/startup.py); StartupFailed when it
    cannot be reached within STARTUP_RETRY_SECONDS or refuses the token.
    """
    async with connected(transport, settings, stop, menus=set_menus) as link:
        if link is None:
            return  # stopped while waiting for the Bot API
        bot, glue, patience = link
        processor = processor_factory(transport.sender(bot), glue.username)
        await run_assistant(settings, glue, processor, transport.notifier(bot), stop, patience)


async def run_worker(transport: Transport[Any], settings: Settings, stop: asyncio.Event) -> None:
    """Producers and dispatcher only (`crm-bot worker`), sending through `transport`."""
    async with connected(transport, settings, stop) as link:
        if link is not None:
            await run_reminders_only(settings, transport.notifier(link[0]), stop)


async def run_assistant(settings: Settings, glue: BotGlue, processor: UpdateProcessor,
                        notifier: Notifier, stop: asyncio.Event,
                        patience: Patience | None = None) -> None:
    """Run until `stop` is set: polling, or webhook if WEBHOOK_URL; reminders alongside.

    The menus are published already; `patience` retries the webhook calls at start-up.
    """

    async def patiently(what: str, call: Callable[[], Awaitable[Any]]) -> None:
        await (call() if patience is None else patience.call(what, call))

    processor.start()
    settle_memory()
    reminders = start_reminders(settings, notifier, stop) if settings.run_reminders else None
    try:
        if settings.webhook_url:
            path = urlparse(settings.webhook_url).path or "/"
            app = webhook_app(processor, path=path, secret=settings.webhook_secret)
            await serve_webhook(app, host=settings.webhook_listen, port=settings.webhook_port,
                                stop=stop, on_listening=lambda: patiently(
                                    "setWebhook", lambda: glue.set_webhook(
                                        settings.webhook_url, settings.webhook_secret)))
        else:
            await patiently("deleteWebhook", glue.delete_webhook)
            watch = PollWatch(settings.poll_timeout)
            tasks = [asyncio.create_task(supervise(
                "polling", lambda: poll(processor, glue.get_updates,
                                        timeout=settings.poll_timeout, stop=stop, watch=watch),
                stop))]
            tasks += _ops_server(settings, processor.engine, stop, watch)
            await stop.wait()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        if reminders is not None:
            await reminders.shutdown()
        await processor.stop()


async def run_reminders_only(settings: Settings, notifier: Notifier, stop: asyncio.Event) -> None:
    """Producers and dispatcher only (`crm-bot worker`): updates are another process's job."""
    from crm_store.db import make_engine

    reminders = start_reminders(settings, notifier, stop)
    engine = make_engine(settings.database_url) if settings.metrics_port else None
    ops = _ops_server(settings, engine, stop) if engine is not None else []
    settle_memory()
    try:
        await stop.wait()
    finally:
        await asyncio.gather(*ops, return_exceptions=True)
        await reminders.shutdown()
        if engine is not None:
            engine.dispose()


def _ops_server(settings: Settings, engine: Engine, stop: asyncio.Event,
                watch: PollWatch | None = None) -> list[asyncio.Task[None]]:
    """/healthz and /metrics on METRICS_PORT when there is no webhook listener to carry them."""
    if not settings.metrics_port:
        return []
    app = ops_app(engine, watch=watch)
    return [asyncio.create_task(serve_webhook(app, host=settings.webhook_listen,
                                              port=settings.metrics_port, stop=stop))]


async def supervise(name: str, work: Callable[[], Awaitable[None]], stop: asyncio.Event,
                    *, first_delay: float = 1.0, max_delay: float = 60.0) -> None:
    """Run `work()` until `stop` is set, starting it again (after a pause) if it ends early.

    Polling must never die quietly while the process stays up: a crash is logged with its
    traceback and polling starts over, reading the offset from the inbox again.
    """
    delay = first_delay
    while not stop.is_set():
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s crashed; starting it again in %.0fs", name, delay)
        else:
            if stop.is_set():
                return
            log.error("%s ended unexpectedly; starting it again in %.0fs", name, delay)
        try:
            await asyncio.wait_for(stop.wait(), delay)
        except TimeoutError:
            delay = min(delay * 2, max_delay)
