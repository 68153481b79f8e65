"""The dispatcher sending through each framework over real HTTP: a 429 from the Bot API
stand-in pauses all sending; a blocked chat deactivates its member; message ids are stored."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy.engine import Engine

from bot.settings import Settings
from crm_store.db import unit_of_work
from crm_store.models import Member, OutboxStatus
from scheduler.dispatcher import Dispatcher
from tests.botapi_standin import BotApiStandin
from tests.e2e.conftest import TOKEN
from tests.e2e.frameworks import framework_bot, notifier_for
from tests.scheduler.test_dispatcher import NOW, FakeClock, add_member, add_reminders, add_team
from tests.scheduler.test_dispatcher import load as load_row

pytestmark = pytest.mark.e2e


async def drain(dispatcher: Dispatcher, until: float = 20.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run_forever(stop, idle_seconds=0.05))
    deadline = time.monotonic() + until
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_retry_after_from_the_bot_api_pauses_sending_then_all_arrive(
    standin: BotApiStandin, sqlite_engine: Engine, framework: str
) -> None:
    team = add_team(sqlite_engine)
    members = [add_member(sqlite_engine, team, 700 + n) for n in range(4)]
    ids = add_reminders(sqlite_engine, [(m, NOW) for m in members])
    standin.fail_next("sendMessage", 429, retry_after=2)
    settings = Settings(telegram_bot_token=TOKEN, telegram_api_url=standin.base_url,
                        _env_file=None)
    async with framework_bot(framework, settings) as bot:
        dispatcher = Dispatcher(sqlite_engine, notifier_for(framework, bot), FakeClock())
        started = time.monotonic()
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run_forever(stop, idle_seconds=0.05))
        while len(standin.sent) < 4 and time.monotonic() - started < 30:
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 10)
    refused_at = next(t for name, t in standin.call_times if name == "sendMessage")
    assert len(standin.sent) == 4
    assert min(s["timestamp"] for s in standin.sent) - refused_at >= 2.0
    for outbox_id, record in zip(sorted(ids), sorted(standin.sent, key=lambda s: s["chat_id"]),
                                 strict=True):
        row = load_row(sqlite_engine, outbox_id)
        assert row.status == OutboxStatus.SENT and row.message_id == record["message_id"]


async def test_blocked_chat_deactivates_the_member_and_others_still_get_theirs(
    standin: BotApiStandin, sqlite_engine: Engine, framework: str
) -> None:
    team = add_team(sqlite_engine)
    blocked, fine = add_member(sqlite_engine, team, 801), add_member(sqlite_engine, team, 802)
    add_reminders(sqlite_engine, [(blocked, NOW), (fine, NOW)])
    standin.block_chat(801)
    settings = Settings(telegram_bot_token=TOKEN, telegram_api_url=standin.base_url,
                        _env_file=None)
    async with framework_bot(framework, settings) as bot:
        await drain(Dispatcher(sqlite_engine, notifier_for(framework, bot), FakeClock()), until=3)
    assert [s["chat_id"] for s in standin.sent] == [802]
    with unit_of_work(sqlite_engine) as session:
        member = session.get(Member, blocked.id)
        assert member is not None and member.active is False
