"""Reaching the Bot API at start-up: retried with back-off, one line per attempt, bounded.

`crm-bot run` and `worker` start before the network may be ready (a proxy still coming up,
a flaky link to api.telegram.org). Each failed attempt logs one line; after
STARTUP_RETRY_SECONDS (0: never) they give up with `StartupFailed`, which the CLI prints and
turns into exit code 1. A token the Bot API refuses is not retried.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, TypeVar

from bot.processor import brief
from bot.settings import Settings
from bot.transport import BotGlue, Transport

log = logging.getLogger(__name__)
T = TypeVar("T")
FIRST_DELAY_S, MAX_DELAY_S = 1.0, 60.0


class StartupFailed(Exception):
    """The Bot API could not be reached (or refused the token): the process should exit."""


class Patience:
    """Retries with doubling pauses until a deadline shared by every start-up call."""

    def __init__(self, transport: Transport[Any], settings: Settings, stop: asyncio.Event,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.transport, self.settings, self.stop, self.clock = transport, settings, stop, clock
        self.limit = settings.startup_retry_seconds
        self.deadline = clock() + self.limit if self.limit else None

    async def call(self, what: str, attempt: Callable[[], Awaitable[T]]) -> T | None:
        """`attempt()` until it succeeds; None if `stop` is set first.

        Raises StartupFailed when the token is refused or the deadline has passed.
        """
        delay, tries = FIRST_DELAY_S, 0
        api = self.settings.telegram_api_url
        while True:
            tries += 1
            try:
                return await attempt()
            except Exception as exc:
                if self.transport.token_refused(exc):
                    raise StartupFailed(f"the Bot API at {api} refused TELEGRAM_BOT_TOKEN "
                                        f"({type(exc).__name__}); check the token") from None
                left = None if self.deadline is None else self.deadline - self.clock()
                if left is not None and left <= 0:
                    raise StartupFailed(f"{what}: the Bot API at {api} could not be reached "
                                        f"for {self.limit:g}s ({tries} attempts, last: "
                                        f"{brief(exc)}); giving up (STARTUP_RETRY_SECONDS)"
                                        ) from None
                pause = delay if left is None else min(delay, max(left, 0.1))
                log.warning("%s: the Bot API at %s is unreachable (%s); attempt %s, retrying "
                            "in %.0fs", what, api, brief(exc), tries, pause)
            try:
                await asyncio.wait_for(self.stop.wait(), pause)
                return None
            except TimeoutError:
                delay = min(delay * 2, MAX_DELAY_S)


@asynccontextmanager
async def connected(transport: Transport[Any], settings: Settings, stop: asyncio.Event,
                    *, menus: Callable[[BotGlue], Awaitable[None]] | None = None,
                    ) -> AsyncIterator[tuple[Any, BotGlue, Patience] | None]:
    """An open Bot with its glue (getMe answered, `menus` published), or None if stopped.

    The Patience is handed on for the calls that follow at start-up (deleteWebhook,
    setWebhook), so they share the same deadline.
    """
    patience = Patience(transport, settings, stop)
    stack = AsyncExitStack()

    async def attempt() -> tuple[Any, BotGlue]:
        nonlocal stack
        stack = AsyncExitStack()
        try:
            bot = await stack.enter_async_context(transport.build_bot(settings))
            glue = await transport.glue(bot)
            if menus is not None:
                await menus(glue)
        except BaseException:
            try:
                await stack.aclose()
            except Exception:  # noqa: BLE001 - closing a client that never connected
                pass
            raise
        return bot, glue

    found = await patience.call("connecting", attempt)
    if found is None:
        yield None
        return
    async with stack:
        yield found[0], found[1], patience
