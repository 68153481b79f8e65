"""Framework-neutral ways in: a getUpdates loop and a webhook endpoint, both inbox-first."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.observability import CONTENT_TYPE, Metrics, PollWatch, default_metrics, health
from bot.processor import UpdateProcessor, brief
from bot.settings import webhook_secret_problem

log = logging.getLogger(__name__)

Fetch = Callable[[int | None, int], Awaitable[list[dict[str, Any]]]]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def poll(processor: UpdateProcessor, fetch: Fetch, *, timeout: int,
               stop: asyncio.Event, watch: PollWatch | None = None) -> None:
    """Long-poll getUpdates; each update is committed before the next call confirms it.

    Storing is retried with back-off until it succeeds (a SQLite lock past its busy timeout,
    a PostgreSQL restart): the offset never moves past an update that is not stored.
    """
    offset: int | None = None
    known = False  # the offset is read from the inbox once, when the database answers
    backoff = 1.0
    while not stop.is_set():
        try:
            if not known:
                offset, known = processor.next_offset(), True
            updates = await fetch(offset, timeout)
            backoff = 1.0
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # network or database trouble: wait, ask again, keep the offset
            log.warning("getUpdates failed (%s); retrying in %.0fs", brief(exc), backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        if watch is not None:
            watch.polled()
        for update in updates:
            if not await _store_until_stored(processor, update, stop):
                return  # stopping: Telegram sends what was not confirmed again
            offset = max(offset or 0, int(update["update_id"]) + 1)


async def _store_until_stored(processor: UpdateProcessor, update: dict[str, Any],
                              stop: asyncio.Event) -> bool:
    """Commit `update` to the inbox, retrying with back-off; False if `stop` came first."""
    delay = 0.5
    while True:
        try:
            processor.store(update)
            return True
        except Exception as exc:  # the offset stays put: this update is not confirmed
            log.warning("storing update %s failed (%s); retrying in %.1fs",
                        update.get("update_id"), brief(exc), delay)
        try:
            await asyncio.wait_for(stop.wait(), delay)
            return False
        except TimeoutError:
            delay = min(delay * 2, 30.0)


def webhook_app(processor: UpdateProcessor, *, path: str, secret: str,
                metrics: Metrics | None = None) -> web.Application:
    """An aiohttp app that answers 200 only after the update is committed to the inbox.

    A request without `secret` in X-Telegram-Bot-Api-Secret-Token gets 401; a `secret` that
    could not guard anything (empty, short) is refused with ValueError: never an open webhook.
    It also serves `GET /healthz` (the database answers, and the inbox backlog; 503 if not)
    and `GET /metrics` (Prometheus text format) for the process's metrics, or `metrics`.
    """
    problem = webhook_secret_problem(secret)
    if problem:
        raise ValueError(problem)
    metrics = metrics or default_metrics()
    requests = metrics.webhook_requests
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode(errors="replace")
        if not hmac.compare_digest(given, expected):  # constant time
            requests.labels(result="unauthorized").inc()
            return web.Response(status=401, text="unauthorized")
        try:
            update = json.loads(await request.text())
            int(update["update_id"])
        except (ValueError, KeyError, TypeError):
            requests.labels(result="bad_request").inc()
            return web.Response(status=400, text="bad update")
        fresh = processor.store(update)
        requests.labels(result="stored" if fresh else "duplicate").inc()
        return web.Response(text="ok")

    app = ops_app(processor.engine, metrics)
    app.router.add_post(path, receive)
    return app


def ops_app(engine: Engine, metrics: Metrics | None = None,
            watch: PollWatch | None = None) -> web.Application:
    """`GET /healthz` (the database answers, the backlogs; 503 if not) and `GET /metrics`.

    The webhook app adds its update endpoint to it; in polling mode and in `crm-bot worker`
    it is served alone on METRICS_PORT. In polling mode `watch` adds the age of the last
    getUpdates answer, and /healthz is 503 when it is stale.
    """
    metrics = metrics or default_metrics()
    metrics.watch(engine)

    async def healthz(_request: web.Request) -> web.Response:
        ok, body = await health(engine)
        if watch is not None:
            fresh, fields = watch.report()
            ok = ok and fresh
            body = {**body, "ok": ok, **fields}
        return web.json_response(body, status=200 if ok else 503)

    async def scrape(_request: web.Request) -> web.Response:
        body = await asyncio.to_thread(metrics.exposition)  # the backlog gauges query the db
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    app = web.Application(client_max_size=1 << 20)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", scrape)
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
    log.info("listening on %s:%s (%s)", host, port, ", ".join(sorted(
        {r.resource.canonical for r in app.router.routes() if r.resource})))
    try:
        if on_listening is not None:
            await on_listening()
        await stop.wait()
    finally:
        await runner.cleanup()
