"""Two dispatchers on PostgreSQL share one outbox: FOR UPDATE SKIP LOCKED, no double send."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from crm_store.db import make_engine, unit_of_work
from crm_store.models import Outbox, OutboxStatus
from scheduler.dispatcher import Dispatcher, Limits, Rate
from tests.scheduler.test_dispatcher import (
    NOW,
    FakeClock,
    FakeNotifier,
    add_member,
    add_reminders,
    add_team,
)

pytestmark = pytest.mark.postgres

MEMBERS, PER_MEMBER = 200, 10
# Pacing is tested elsewhere; here it must not stand between the workers and the database.
UNPACED = Limits(overall=Rate(10_000, 1.0), per_chat=Rate(10_000, 1.0),
                 per_group=Rate(10_000, 1.0))


def _unsent(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        stmt = select(func.count()).where(col(Outbox.status) != OutboxStatus.SENT)
        return session.exec(stmt).one()


@pytest.mark.slow
async def test_two_workers_send_2000_reminders_exactly_once_and_share_the_work(
    postgres_engine: Engine,
) -> None:
    team = add_team(postgres_engine)
    members = [add_member(postgres_engine, team, 20_000 + i) for i in range(MEMBERS)]
    start = NOW - timedelta(hours=1)
    items = [(m, start + timedelta(seconds=r * MEMBERS + i))
             for r in range(PER_MEMBER) for i, m in enumerate(members)]
    ids = add_reminders(postgres_engine, items)
    assert len(ids) == 2000

    url = postgres_engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url), make_engine(url)]  # each worker with its own pool
    notifiers = [FakeNotifier(100_000), FakeNotifier(200_000)]
    clock = FakeClock()
    workers = [Dispatcher(e, n, clock, worker=f"worker-{i}", limits=UNPACED)
               for i, (e, n) in enumerate(zip(engines, notifiers, strict=True))]
    stop = asyncio.Event()

    async def watch() -> None:
        while await asyncio.to_thread(_unsent, postgres_engine):
            await asyncio.sleep(0.1)
        stop.set()

    started = time.monotonic()
    try:
        await asyncio.wait_for(asyncio.gather(
            *(w.run_forever(stop, idle_seconds=0.05) for w in workers), watch()), 120)
    finally:
        for engine in engines:
            engine.dispose()
    duration = time.monotonic() - started

    per_worker = [n.sent_ids() for n in notifiers]
    counts = Counter(i for sent in per_worker for i in sent)
    duplicates = sum(c - 1 for c in counts.values())
    print(f"\npostgres: 2000 reminders in {duration:.2f}s, per worker "
          f"{[len(s) for s in per_worker]}, duplicates {duplicates}")
    assert duplicates == 0
    assert set(counts) == set(ids)
    assert all(len(sent) > 0 for sent in per_worker)
    with unit_of_work(postgres_engine) as session:
        rows = session.exec(select(Outbox)).all()
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    recorded = {row.id: (row.lease_owner, row.message_id) for row in rows}
    for number, (notifier, sent) in enumerate(zip(notifiers, per_worker, strict=True)):
        for outbox_id in sent:
            assert recorded[outbox_id] == (f"worker-{number}", notifier.message_ids[outbox_id])
    merged = sorted((t, d.chat_id, d.outbox_id) for n in notifiers for d, t in n.sent)
    by_chat: dict[int, list[int]] = {}
    for _, chat_id, outbox_id in merged:
        by_chat.setdefault(chat_id, []).append(outbox_id)
    expected: dict[int, list[int]] = {}
    for outbox_id, (member, _) in zip(ids, items, strict=True):  # items are in due order
        expected.setdefault(member.telegram_user_id, []).append(outbox_id)
    assert by_chat == expected  # each chat got its reminders in due order, whoever sent them
