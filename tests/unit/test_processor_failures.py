"""An update that cannot be handled gives up after a few attempts and lets its chat go on;
a database that is away is waited out without counting; replies Telegram refuses are not
retried."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot import processor as processor_module
from bot.processor import UpdateProcessor
from bot.send_errors import Refused
from crm_store.db import unit_of_work
from crm_store.messaging import inbox
from crm_store.models import Inbox
from handlers.types import ChatRequest, Reply
from tests.builders import make_admin
from tests.unit.test_observability import SETTINGS, RecordingSender, message

ADMIN_ID = 1001


def poison(update_id: int) -> dict[str, Any]:
    """A message in the admin's chat whose sender the parser cannot read."""
    update = message(update_id, "/help")
    update["message"]["from"] = {}
    return update


def row(engine: Engine, update_id: int) -> Inbox:
    with unit_of_work(engine) as session:
        found = session.get(Inbox, update_id)
        assert found is not None
        session.expunge(found)
        return found


async def wait_for(condition: Any, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processor_module, "RETRY_S", 0.05)


async def test_an_update_the_parser_cannot_read_is_given_up_and_the_chat_goes_on(
    sqlite_engine: Engine, fast_retries: None, caplog: pytest.LogCaptureFixture,
) -> None:
    make_admin(sqlite_engine)
    sender = RecordingSender()
    processor = UpdateProcessor(engine=sqlite_engine, settings=SETTINGS, sender=sender,
                                sweep_seconds=3600)  # the chat goes on without a sweep
    caplog.set_level(logging.INFO, logger="bot.processor")
    processor.start()
    try:
        processor.store(poison(700))
        processor.store(message(701, "/help"))  # the same chat, after the poison
        await wait_for(lambda: row(sqlite_engine, 701).status == inbox.SENT)
    finally:
        await processor.stop()
    given_up = row(sqlite_engine, 700)
    assert (given_up.status, given_up.attempts) == (inbox.FAILED, inbox.MAX_ATTEMPTS)
    assert "KeyError" in (given_up.error or "")
    assert sender.replies  # /help was answered
    records = [r for r in caplog.records if "700" in r.getMessage()]
    assert [r for r in records if r.exc_info] == [records[-1]]  # one traceback: the give-up
    assert records[-1].levelno == logging.ERROR and "given up" in records[-1].getMessage()
    assert len([r for r in records if r.levelno >= logging.WARNING]) == inbox.MAX_ATTEMPTS
    assert not [r for r in caplog.records if "not read" in r.getMessage()]


async def test_a_database_that_is_away_is_waited_out_without_counting_attempts(
    sqlite_engine: Engine, fast_retries: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_admin(sqlite_engine)
    sender = RecordingSender()
    processor = UpdateProcessor(engine=sqlite_engine, settings=SETTINGS, sender=sender)
    real_process, failures = processor.process, []

    async def locked_five_times(update_id: int) -> int | None:
        if len(failures) < 5:
            failures.append(update_id)
            raise OperationalError("UPDATE inbox", {}, Exception("database is locked"))
        return await real_process(update_id)

    monkeypatch.setattr(processor, "process", locked_five_times)
    processor.store(message(710, "/help"))
    processor.start()
    try:
        await wait_for(lambda: row(sqlite_engine, 710).status == inbox.SENT)
    finally:
        await processor.stop()
    assert len(failures) == 5 and row(sqlite_engine, 710).attempts == 0
    assert sender.replies


class RefusingSender:
    """Telegram answers 400 to every send."""

    def __init__(self) -> None:
        self.calls = 0

    async def deliver(self, req: ChatRequest | None, chat_id: int, replies: list[Reply]) -> None:
        self.calls += 1
        raise Refused("Bad Request: can't parse entities: Unsupported start tag \"x\"")


async def test_replies_telegram_refuses_are_sent_once_and_the_chat_goes_on(
    sqlite_engine: Engine, fast_retries: None,
) -> None:
    make_admin(sqlite_engine)
    sender = RefusingSender()
    processor = UpdateProcessor(engine=sqlite_engine, settings=SETTINGS, sender=sender)
    processor.store(message(720, "/help"))
    processor.store(message(721, "/help"))
    processor.start()
    try:
        await wait_for(lambda: row(sqlite_engine, 721).status == inbox.SENT, timeout=3)
    finally:
        await processor.stop()
    assert sender.calls == 2  # once each, never retried
    assert row(sqlite_engine, 720).status == inbox.SENT
