"""Flood protection: over the limit, one polite warning, then silence; nothing changes."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from sqlmodel import func, select

from crm_store.db import unit_of_work
from crm_store.models import Contact
from handlers import flood
from handlers.flood import FloodGuard, Verdict
from tests.handlers.conftest import SETTINGS, Chat

LIMIT = 5


class FakeClock:
    """Seconds that only move when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """A fresh guard on a fake clock, so the window can pass without waiting."""
    fake = FakeClock()
    monkeypatch.setattr(flood, "GUARD", FloodGuard(clock=fake))
    return fake


def _limited(chat: Chat, **fields: object) -> Chat:
    return replace(chat, settings=replace(SETTINGS, flood_messages_per_minute=LIMIT), **fields)


def _contacts(chat: Chat) -> int:
    with unit_of_work(chat.engine) as s:
        return s.exec(select(func.count()).select_from(Contact)).one()


async def test_flood_gets_one_warning_then_silence_and_changes_nothing(chat: Chat, clock):
    user = _limited(chat)
    for n in range(LIMIT):
        await user.send(f"/add Client{n}, Acme {n}")
    assert _contacts(user) == LIMIT
    warning = await user.send("/add Flooder One")
    assert len(warning) == 1
    assert "very fast" in warning[0].text and str(LIMIT) in warning[0].text
    assert await user.send("/add Flooder Two") == []
    assert await user.press_data("ct:1") == []
    assert _contacts(user) == LIMIT

    clock.now += 61
    await user.send("/add Back Again")
    assert _contacts(user) == LIMIT + 1


async def test_flood_warning_is_in_the_users_language(chat: Chat, clock):
    user = _limited(chat, language_code="zh-CN")
    await user.send("/help")  # the admin joins (in Chinese: the client's language)
    for _ in range(LIMIT - 1):
        await user.send("/help")
    replies = await user.send("/help")
    assert "太快" in replies[0].text


async def test_flood_is_counted_per_user(chat: Chat, clock):
    admin, stranger = _limited(chat), _limited(chat, user_id=4242)
    for _ in range(LIMIT + 3):
        await stranger.send("hello")
    assert "No contact matches" in (await admin.send("/find nobody"))[0].text


async def test_zero_limit_switches_the_guard_off(chat: Chat, clock):
    user = replace(chat, settings=replace(SETTINGS, flood_messages_per_minute=0))
    for _ in range(40):
        replies = await user.send("/find nobody")
    assert "No contact matches" in replies[0].text


def test_window_slides_and_warns_once_per_flood():
    fake = FakeClock()
    guard = FloodGuard(clock=fake)
    verdicts = []
    for _ in range(5):
        verdicts.append(guard.check(7, limit=3))
        fake.now += 10
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.SILENT]
    fake.now = 1000.0 + 60  # the first accepted message (t=1000) has left the window
    assert guard.check(7, limit=3) is Verdict.ALLOW
    assert guard.check(7, limit=3) is Verdict.WARN  # a new flood gets a new warning
    assert guard.check(8, limit=3) is Verdict.ALLOW


def test_bot_settings_read_the_flood_limit(monkeypatch: pytest.MonkeyPatch):
    from bot.settings import Settings

    monkeypatch.setenv("FLOOD_MESSAGES_PER_MINUTE", "12")
    assert Settings(_env_file=None).handler_settings().flood_messages_per_minute == 12
    monkeypatch.delenv("FLOOD_MESSAGES_PER_MINUTE")
    assert Settings(_env_file=None).handler_settings().flood_messages_per_minute == 30


def test_updates_count_when_sent_so_an_older_replay_is_not_a_flood():
    fake = FakeClock()
    fake.now = 10_000.0
    guard = FloodGuard(clock=fake)
    # 40 messages sent 15 s apart during an outage, all handled at once after the restart.
    sent = [fake.now - 600 + 15 * n for n in range(40)]
    assert [guard.check(7, limit=5, sent_at=at) for at in sent] == [Verdict.ALLOW] * 40
    # a real burst, sent within one second, is still one
    burst = [guard.check(8, limit=5, sent_at=fake.now) for _ in range(7)]
    assert burst == [Verdict.ALLOW] * 5 + [Verdict.WARN, Verdict.SILENT]
    # a date in the future counts as now
    assert guard.check(8, limit=5, sent_at=fake.now + 3600) is Verdict.SILENT


async def test_inbox_replay_after_an_outage_handles_every_calm_message(engine, monkeypatch):
    from bot.processor import UpdateProcessor
    from tests.builders import make_admin

    monkeypatch.setattr(flood, "GUARD", FloodGuard())
    make_admin(engine)
    delivered: list[object] = []

    class Sink:
        async def deliver(self, req, chat_id, replies):  # type: ignore[no-untyped-def]
            delivered.extend(replies)

    proc = UpdateProcessor(engine=engine, settings=replace(SETTINGS, flood_messages_per_minute=5),
                           sender=Sink())
    start = int(time.time()) - 3600  # sent an hour ago, 4 a minute
    for n in range(20):
        proc.store({"update_id": 500 + n, "message": {
            "message_id": 500 + n, "date": start + 15 * n, "text": f"/add Client{n:02d}, Acme",
            "chat": {"id": 1001, "type": "private"},
            "from": {"id": 1001, "is_bot": False, "first_name": "Ada", "language_code": "en"}}})
    for n in range(20):
        await proc.process(500 + n)
    with unit_of_work(engine) as s:
        assert s.exec(select(func.count()).select_from(Contact)).one() == 20
