"""Framework-neutral ways in: a getUpdates loop and a webhook endpoint, both inbox-first."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.processor import UpdateProcessor

log = logging.getLogger(__name__)

Fetch = Callable[[int | None, int], Awaitable[list[dict[str, Any]]]]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def poll(processor: UpdateProcessor, fetch: Fetch, *, timeout: int,
               stop: asyncio.Event) -> None:
    """Long-poll getUpdates; each update is committed before the next call confirms it."""
    offset = processor.next_offset()
    backoff = 1.0
    while not stop.is_set():
        try:
            updates = await fetch(offset, timeout)
            backoff = 1.0
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # network trouble: wait and ask again, never lose the offset
            log.warning("getUpdates failed (%s); retrying in %.0fs", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        for update in updates:
            processor.store(update)
            offset = max(offset or 0, int(update["update_id"]) + 1)


def webhook_app(processor: UpdateProcessor, *, path: str, secret: str) -> web.Application:
    """An aiohttp app that answers 200 only after the update is committed to the inbox."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if secret and not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            update = json.loads(await request.text())
            int(update["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="bad update")
        processor.store(update)
        return web.Response(text="ok")

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=1 << 20)
    app.router.add_post(path, receive)
    app.router.add_get("/healthz", health)
    return app


async def serve_webhook(app: web.Application, *, host: str, port: int,
                        stop: asyncio.Event,
                        on_listening: Callable[[], Awaitable[Any]] | None = None) -> None:
    """Run the webhook server until `stop` is set.

    `on_listening` runs once the socket accepts connections: register the webhook there, so
    Telegram's first delivery never meets a closed port.
    """
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("webhook listening on %s:%s", host, port)
    try:
        if on_listening is not None:
            await on_listening()
        await stop.wait()
    finally:
        await runner.cleanup()
