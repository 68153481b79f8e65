"""Operations: the per-update log line, /metrics and /healthz over HTTP, send-error counts."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import test_utils
from sqlalchemy.engine import Engine

from bot.delivery import FileKind, ReplySender
from bot.inbound import SECRET_HEADER, webhook_app
from bot.notifier import TelegramNotifier
from bot.observability import (
    JsonFormatter,
    Metrics,
    default_metrics,
    health,
    read_backlog,
    record_update,
)
from bot.processor import UpdateProcessor
from bot.send_errors import FloodWait, SendRejected
from bot.updates import request_from_update
from crm_store.db import make_engine
from handlers.context import HandlerSettings
from handlers.types import Button, ChatRequest, Reply
from scheduler.dispatcher import Dispatcher
from tests.builders import make_admin
from tests.scheduler.test_dispatcher import (
    FAST,
    NOW,
    FakeClock,
    FakeNotifier,
    add_member,
    add_reminder,
    add_team,
)

ADMIN_ID = 1001
SETTINGS = HandlerSettings(admin_ids=frozenset({ADMIN_ID}), bot_username="crm_test_bot")
SECRET = "s3cret-0123456789abcdef"
PRIVATE = "Zhang Wei secret-price 98765"  # must never reach an INFO line


def message(update_id: int, text: str) -> dict[str, Any]:
    entities = ([{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
                if text.startswith("/") else [])
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_790_000_000, "text": text,
        "chat": {"id": ADMIN_ID, "type": "private"},
        "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Ada", "language_code": "en"},
        "entities": entities}}


class RecordingSender:
    """Takes the replies; never fails."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []

    async def deliver(self, req: ChatRequest | None, chat_id: int, replies: list[Reply]) -> None:
        self.replies.extend(replies)


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Every log record at INFO or above, as the JSON formatter writes it."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def parsed(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


# --- the log line -------------------------------------------------------------------------

def test_record_update_writes_one_json_line_with_the_fields_and_no_arguments(
    json_lines: io.StringIO,
) -> None:
    metrics = Metrics()
    record_update(update_id=42, kind="command", command=f"/find@crm_test_bot {PRIVATE}",
                  outcome="ok", seconds=0.0123, chat_id=ADMIN_ID, user_id=7, metrics=metrics)
    lines = json_lines.getvalue().splitlines()
    assert len(lines) == 1 and PRIVATE.split()[0] not in lines[0] and "98765" not in lines[0]
    entry = json.loads(lines[0])
    assert entry["level"] == "INFO" and entry["logger"] == "bot.updates"
    assert entry["ts"].endswith("+00:00") and "update 42" in entry["msg"]
    assert {k: entry[k] for k in ("update_id", "kind", "command", "outcome", "latency_ms",
                                  "chat_id", "user_id")} == {
        "update_id": 42, "kind": "command", "command": "find", "outcome": "ok",
        "latency_ms": 12.3, "chat_id": ADMIN_ID, "user_id": 7}
    assert metrics.registry.get_sample_value(
        "crm_updates_total", {"kind": "command", "outcome": "ok"}) == 1
    assert metrics.registry.get_sample_value("crm_update_handling_seconds_count") == 1


def test_outcomes_are_open_and_a_missing_command_is_null(json_lines: io.StringIO) -> None:
    metrics = Metrics()
    record_update(update_id=1, kind="text", command=None, outcome="rate_limited",
                  seconds=0.5, chat_id=None, user_id=None, metrics=metrics)
    (entry,) = parsed(json_lines)
    assert (entry["command"], entry["outcome"], entry["chat_id"]) == (None, "rate_limited", None)
    assert metrics.registry.get_sample_value(
        "crm_updates_total", {"kind": "text", "outcome": "rate_limited"}) == 1


async def fake_flow(processor: UpdateProcessor, update: dict[str, Any],
                    metrics: Metrics | None = None) -> None:
    """What the processor does around one update: store, handle, send, then record it."""
    started = time.monotonic()
    fresh = processor.store(update)
    req = request_from_update(update, SETTINGS.bot_username)
    if fresh:
        await processor.process(int(update["update_id"]))
    record_update(update_id=int(update["update_id"]),
                  kind=str(req.kind) if req else "unknown",
                  command=req.command if req else None,
                  outcome="ok" if fresh else "duplicate", seconds=time.monotonic() - started,
                  chat_id=req.chat_id if req else None, user_id=req.user_id if req else None,
                  metrics=metrics)


async def test_handling_real_updates_logs_ids_and_command_names_never_the_text(
    sqlite_engine: Engine, json_lines: io.StringIO,
) -> None:
    make_admin(sqlite_engine)
    sender = RecordingSender()
    processor = UpdateProcessor(engine=sqlite_engine, settings=SETTINGS, sender=sender)
    metrics = Metrics()
    await fake_flow(processor, message(501, f"/add {PRIVATE}, Acme"), metrics)
    await fake_flow(processor, message(502, f"/find {PRIVATE}"), metrics)
    await fake_flow(processor, message(503, f"called {PRIVATE} about the quote"), metrics)
    await fake_flow(processor, message(503, f"called {PRIVATE} about the quote"), metrics)
    assert sender.replies  # the handlers did answer

    entries = parsed(json_lines)
    assert all("98765" not in json.dumps(e, ensure_ascii=False) for e in entries)
    updates = [e for e in entries if e["logger"] == "bot.updates"]
    seen = {(e["update_id"], e["kind"], e["command"], e["outcome"]) for e in updates}
    assert {(501, "command", "add", "ok"), (502, "command", "find", "ok"),
            (503, "text", None, "ok"), (503, "text", None, "duplicate")} <= seen
    assert all(isinstance(e["latency_ms"], float) and e["user_id"] == ADMIN_ID
               for e in updates)
    assert metrics.registry.get_sample_value(
        "crm_updates_total", {"kind": "command", "outcome": "ok"}) == 2


# --- /metrics and /healthz over HTTP ------------------------------------------------------

async def test_metrics_over_http_count_webhook_updates_and_show_the_backlogs(
    sqlite_engine: Engine,
) -> None:
    make_admin(sqlite_engine)
    metrics = Metrics()
    processor = UpdateProcessor(engine=sqlite_engine, settings=SETTINGS,
                                sender=RecordingSender())
    app = webhook_app(processor, path="/tg/hook", secret=SECRET, metrics=metrics)
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        update = message(900, "/help")
        for headers in ({SECRET_HEADER: SECRET}, {SECRET_HEADER: SECRET}, {}):
            response = await client.post("/tg/hook", json=update, headers=headers)
            assert response.status == (200 if headers else 401)

        response = await client.get("/metrics")
        assert response.status == 200 and response.content_type == "text/plain"
        before = await response.text()
        assert 'crm_webhook_requests_total{result="stored"} 1.0' in before
        assert 'crm_webhook_requests_total{result="duplicate"} 1.0' in before
        assert 'crm_webhook_requests_total{result="unauthorized"} 1.0' in before
        assert "crm_inbox_backlog 1.0" in before and "crm_database_up 1.0" in before
        assert "crm_outbox_backlog 0.0" in before

        health_body = await (await client.get("/healthz")).json()
        assert health_body == {"ok": True, "database": "ok", "inbox_pending": 1,
                               "outbox_due": 0}

        started = time.monotonic()
        processor.start()
        try:
            await asyncio.wait_for(processor.idle(), 30)
        finally:
            await processor.stop()
        record_update(update_id=900, kind="command", command="help", outcome="ok",
                      seconds=time.monotonic() - started, chat_id=ADMIN_ID, user_id=ADMIN_ID,
                      metrics=metrics)

        after = await (await client.get("/metrics")).text()
        assert 'crm_updates_total{kind="command",outcome="ok"} 1.0' in after
        assert "crm_update_handling_seconds_count 1.0" in after
        assert 'crm_update_handling_seconds_bucket{le="+Inf"} 1.0' in after
        assert "crm_inbox_backlog 0.0" in after


async def test_the_process_metrics_are_the_ones_webhook_app_serves_by_default(
    sqlite_engine: Engine,
) -> None:
    processor = SimpleNamespace(engine=sqlite_engine)
    app = webhook_app(processor, path="/hook", secret=SECRET)  # type: ignore[arg-type]
    record_update(update_id=1, kind="default_registry_probe", command=None, outcome="ok",
                  seconds=0.001, chat_id=None, user_id=None)
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        text = await (await client.get("/metrics")).text()
    assert 'crm_updates_total{kind="default_registry_probe",outcome="ok"}' in text


async def test_healthz_is_503_when_the_database_does_not_answer() -> None:
    unreachable = make_engine("postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2")
    processor = SimpleNamespace(engine=unreachable)
    app = webhook_app(processor, path="/hook", secret=SECRET, metrics=Metrics())  # type: ignore[arg-type]
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        body = await response.json()
        assert body["ok"] is False and "unreachable" in body["database"]
        scrape = await client.get("/metrics")
        assert scrape.status == 200 and "crm_database_up 0.0" in await scrape.text()
    unreachable.dispose()


async def test_health_gives_up_after_its_timeout() -> None:
    class Hanging:
        def connect(self) -> None:
            time.sleep(1.0)

    started = time.monotonic()
    ok, body = await health(Hanging(), timeout=0.1)  # type: ignore[arg-type]
    assert not ok and body == {"ok": False, "database": "no answer within 0.1s"}
    assert time.monotonic() - started < 0.9


# --- send errors and the outbox backlog ---------------------------------------------------

class FailingSender(ReplySender):
    """A transport whose every send fails with `error`."""

    def __init__(self, error: Exception, retries: int = 0) -> None:
        super().__init__(retries=retries)
        self.error = error

    async def download(self, file_id: str) -> bytes:
        raise NotImplementedError

    async def _answer_callback(self, callback_id: str, text: str | None) -> None:
        return None

    async def _send_text(self, chat_id: int, text: str, buttons: list[list[Button]],
                         html: bool = True) -> int:
        raise self.error

    async def _edit_text(self, chat_id: int, message_id: int, text: str,
                         buttons: list[list[Button]]) -> None:
        raise self.error

    async def _send_file(self, chat_id: int, kind: FileKind, content: bytes, filename: str,
                         caption: str | None, html: bool = True) -> int:
        raise self.error

    def _translate(self, exc: Exception) -> Exception | None:
        return exc if isinstance(exc, FloodWait | SendRejected) else None


def send_errors(where: str, reason: str) -> float:
    value = default_metrics().registry.get_sample_value(
        "crm_send_errors_total", {"where": where, "reason": reason})
    return value or 0.0


async def test_a_reply_that_finally_fails_is_counted_once_by_reason() -> None:
    before = send_errors("replies", "flood_wait"), send_errors("replies", "network")
    with pytest.raises(FloodWait):
        await FailingSender(FloodWait(0), retries=1).deliver(None, 5, [Reply("hi")])
    with pytest.raises(ConnectionError):
        await FailingSender(ConnectionError("down")).deliver(None, 5, [Reply("hi")])
    assert (send_errors("replies", "flood_wait"), send_errors("replies", "network")) == (
        before[0] + 1, before[1] + 1)


class CountingNotifier(FakeNotifier):
    """A fake notifier that also takes the dispatcher's failure reports."""

    def __init__(self) -> None:
        super().__init__()
        self.failures: list[str] = []

    def send_failed(self, reason: str) -> None:
        self.failures.append(reason)


async def test_the_dispatcher_reports_each_failed_reminder_send_to_the_notifier(
    sqlite_engine: Engine,
) -> None:
    ann = add_member(sqlite_engine, add_team(sqlite_engine), 501)
    row = add_reminder(sqlite_engine, ann, NOW)
    notifier, clock = CountingNotifier(), FakeClock()
    notifier.fail(row, ConnectionError("down"))
    dispatcher = Dispatcher(sqlite_engine, notifier, clock, limits=FAST)
    assert await dispatcher.run_once() == 0
    assert notifier.failures == ["error"]
    clock.advance(minutes=5)
    assert await dispatcher.run_once() == 1 and notifier.failures == ["error"]


async def test_a_reminder_to_a_blocked_member_counts_as_a_rejected_send(
    sqlite_engine: Engine,
) -> None:
    ann = add_member(sqlite_engine, add_team(sqlite_engine), 501)
    add_reminder(sqlite_engine, ann, NOW - timedelta(minutes=1))
    add_reminder(sqlite_engine, ann, NOW + timedelta(days=1))
    assert read_backlog(sqlite_engine, NOW).outbox_due == 1
    before = send_errors("reminders", "rejected")
    notifier = TelegramNotifier(FailingSender(SendRejected("Forbidden: bot was blocked")))
    assert await Dispatcher(sqlite_engine, notifier, FakeClock(), limits=FAST).run_once() == 0
    assert send_errors("reminders", "rejected") == before + 1
    assert read_backlog(sqlite_engine, NOW + timedelta(days=2)).outbox_due == 0  # cancelled
