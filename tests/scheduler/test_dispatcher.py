"""The dispatcher: due reminders go out once, in order, at Telegram's pace, under a lease."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select, update

from crm_store.db import unit_of_work
from crm_store.messaging import outbox
from crm_store.models import AuditLog, Member, Outbox, OutboxStatus, Team
from scheduler.dispatcher import Dispatcher, Limits, Rate
from scheduler.protocols import Delivery, RetryLater, Undeliverable

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
# Fast enough that pacing costs nothing, for the tests that are not about pacing.
FAST = Limits(overall=Rate(1000, 1.0), per_chat=Rate(100, 1.0), per_group=Rate(100, 1.0))
TOLERANCE = 0.005  # seconds of scheduling jitter allowed when checking recorded send times
_keys = itertools.count(1)


class FakeClock:
    """A clock the test sets by hand (due times and leases); pacing still uses real time."""

    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def now(self) -> datetime:
        """The time the test set."""
        return self.current

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.current += timedelta(**delta)


class FakeNotifier:
    """Records what it was asked to send and when; can be told to fail or to stall."""

    def __init__(self, first_message_id: int = 9001) -> None:
        self.sent: list[tuple[Delivery, float]] = []
        self.calls: list[tuple[int, float, str]] = []  # (outbox id, monotonic time, outcome)
        self.message_ids: dict[int, int] = {}
        self._faults: dict[int, list[Exception]] = {}
        self._stalls: dict[int, asyncio.Event] = {}
        self._ids = itertools.count(first_message_id)

    def fail(self, outbox_id: int, *errors: Exception) -> None:
        """Raise these errors, one per attempt, when asked to send this row."""
        self._faults.setdefault(outbox_id, []).extend(errors)

    def stall(self, outbox_id: int) -> asyncio.Event:
        """Keep the send of this row hanging until the returned event is set."""
        return self._stalls.setdefault(outbox_id, asyncio.Event())

    async def send(self, delivery: Delivery) -> int:
        """Record the delivery and return a fresh message id (or raise as told)."""
        at = time.monotonic()
        faults = self._faults.get(delivery.outbox_id)
        if faults:
            error = faults.pop(0)
            self.calls.append((delivery.outbox_id, at, error.__class__.__name__))
            raise error
        self.calls.append((delivery.outbox_id, at, "sent"))
        self.sent.append((delivery, at))
        if delivery.outbox_id in self._stalls:
            await self._stalls[delivery.outbox_id].wait()
        message_id = next(self._ids)
        self.message_ids[delivery.outbox_id] = message_id
        return message_id

    def sent_ids(self, chat_id: int | None = None) -> list[int]:
        """Outbox ids sent, in sending order (to one chat if given)."""
        return [d.outbox_id for d, _ in self.sent if chat_id in (None, d.chat_id)]

    def times(self, chat_id: int | None = None) -> list[float]:
        """Monotonic send times, in order (to one chat if given)."""
        return [t for d, t in self.sent if chat_id in (None, d.chat_id)]


# --- builders ------------------------------------------------------------------------------

def add_team(engine: Engine) -> int:
    """A team to hang members on."""
    with unit_of_work(engine) as session:
        team = Team(name="Sales")
        session.add(team)
        session.flush()
        return team.id or 0


def add_member(
    engine: Engine, team_id: int, chat_id: int, *, language: str = "en",
    timezone: str = "Asia/Shanghai", away_until: datetime | None = None, active: bool = True,
) -> Member:
    """A member whose private chat with the bot is `chat_id`."""
    with unit_of_work(engine) as session:
        member = Member(team_id=team_id, telegram_user_id=chat_id, display_name=f"Rep {chat_id}",
                        language=language, timezone=timezone, out_of_office_until=away_until,
                        active=active)
        session.add(member)
        session.flush()
        return member


def add_reminders(
    engine: Engine, items: Iterable[tuple[Member, datetime]], *, chat_id: int | None = None,
    text: str = "Call back about the quote",
) -> list[int]:
    """Enqueue one follow-up per (member, due time), in one transaction; return the ids."""
    keys: list[str] = []
    with unit_of_work(engine) as session:
        for member, due_at in items:
            key = f"test:{next(_keys)}"
            payload = {"task_id": 1, "contact_id": 1, "contact_name": "Li Lei", "text": text,
                       "due_at": due_at.isoformat()}
            assert outbox.enqueue(session, member=member, kind="followup_due", dedupe_key=key,
                                  due_at=due_at, payload=payload)
            keys.append(key)
        if chat_id is not None:  # e.g. a digest that goes to a group chat
            session.exec(update(Outbox).where(col(Outbox.dedupe_key).in_(keys))  # type: ignore[call-overload]
                         .values(chat_id=chat_id))
        ids = dict(session.exec(select(Outbox.dedupe_key, Outbox.id)
                                .where(col(Outbox.dedupe_key).in_(keys))).all())
    return [ids[key] for key in keys]


def add_reminder(engine: Engine, member: Member, due_at: datetime, **kw: str) -> int:
    """Enqueue one follow-up; return its id."""
    return add_reminders(engine, [(member, due_at)], **kw)[0]  # type: ignore[arg-type]


def load(engine: Engine, outbox_id: int) -> Outbox:
    """The outbox row as stored now."""
    with unit_of_work(engine) as session:
        row = session.get(Outbox, outbox_id)
        assert row is not None
        return row


async def drain(dispatcher: Dispatcher) -> int:
    """Run rounds until a round claims nothing; return how many were sent."""
    total = 0
    while True:
        total += await dispatcher.run_once()
        if dispatcher.last_claimed == 0:
            return total


async def run_until(dispatcher: Dispatcher, done: Callable[[], bool], timeout: float = 60) -> None:
    """Run the dispatcher's loop until `done()` holds, then stop it."""
    stop = asyncio.Event()

    async def watch() -> None:
        while not done():
            await asyncio.sleep(0.02)
        stop.set()

    await asyncio.wait_for(asyncio.gather(dispatcher.run_forever(stop, idle_seconds=0.05),
                                          watch()), timeout)


def max_in_window(times: list[float], window: float) -> int:
    """The most sends that fall in any `window`-second span (less a little jitter)."""
    stamps = sorted(times)
    return max((sum(1 for u in stamps[i:] if u < t + window - TOLERANCE)
                for i, t in enumerate(stamps)), default=0)


# --- sending once, in order, on time --------------------------------------------------------

async def test_due_reminders_go_out_once_in_due_order_per_chat_and_never_early(
    engine: Engine,
) -> None:
    team = add_team(engine)
    ann = add_member(engine, team, 501, language="zh", timezone="Europe/Berlin")
    bob = add_member(engine, team, 502)
    last = add_reminder(engine, ann, NOW - timedelta(minutes=1))  # written first, due last
    first = add_reminder(engine, ann, NOW - timedelta(minutes=3))
    middle = add_reminder(engine, ann, NOW - timedelta(minutes=2))
    bobs = add_reminder(engine, bob, NOW)
    future = add_reminder(engine, bob, NOW + timedelta(minutes=10))
    clock, notifier = FakeClock(), FakeNotifier()
    dispatcher = Dispatcher(engine, notifier, clock, worker="w1", limits=FAST)

    assert await dispatcher.run_once() == 4
    assert notifier.sent_ids(501) == [first, middle, last]
    assert notifier.sent_ids(502) == [bobs]
    delivery = notifier.sent[0][0] if notifier.sent[0][0].chat_id == 501 else notifier.sent[1][0]
    assert (delivery.language, delivery.timezone, delivery.kind) == ("zh", "Europe/Berlin",
                                                                     "followup_due")
    for outbox_id in (first, middle, last, bobs):
        row = load(engine, outbox_id)
        assert row.status == OutboxStatus.SENT
        assert row.message_id == notifier.message_ids[outbox_id]
        assert row.sent_at == NOW
    assert load(engine, future).status == OutboxStatus.PENDING

    assert await dispatcher.run_once() == 0  # nothing is sent twice
    clock.current = NOW + timedelta(minutes=10, seconds=-1)
    assert await dispatcher.run_once() == 0  # not a second early
    clock.current = NOW + timedelta(minutes=10)
    assert await dispatcher.run_once() == 1
    assert notifier.sent_ids() == [*notifier.sent_ids()[:4], future]
    assert len(notifier.sent) == 5


async def test_each_sent_reminder_logs_one_line_without_its_text(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture,
) -> None:
    ann = add_member(sqlite_engine, add_team(sqlite_engine), 501)
    row = add_reminder(sqlite_engine, ann, NOW, text="secret discount <b>40%</b>")
    caplog.set_level(logging.INFO, logger="scheduler.dispatcher")
    await Dispatcher(sqlite_engine, FakeNotifier(), FakeClock(), limits=FAST).run_once()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("sent ")]
    assert len(lines) == 1
    assert f"outbox={row} kind=followup_due latency_ms=" in lines[0]
    assert "secret" not in caplog.text


# --- pacing --------------------------------------------------------------------------------

@pytest.mark.slow
async def test_300_reminders_to_100_chats_keep_telegrams_pace(sqlite_engine: Engine) -> None:
    # Pacing does not depend on the database, so this ~10 s test runs on SQLite only.
    team = add_team(sqlite_engine)
    members = [add_member(sqlite_engine, team, 10_000 + i) for i in range(100)]
    due = NOW - timedelta(hours=1)
    # Blocks of 10 chats with 3 reminders each, all due: within a block the per-chat limit
    # binds, across blocks the overall one does.
    blocks = [members[i:i + 10] for i in range(0, 100, 10)]
    add_reminders(sqlite_engine, [(m, due) for block in blocks for _ in range(3) for m in block])
    notifier = FakeNotifier()
    dispatcher = Dispatcher(sqlite_engine, notifier, FakeClock(), worker="w1")  # default limits

    started = time.monotonic()
    await run_until(dispatcher, lambda: len(notifier.sent) >= 300)
    duration = notifier.times()[-1] - started

    assert len(set(notifier.sent_ids())) == 300
    gaps = [b - a for m in members
            for a, b in itertools.pairwise(notifier.times(m.telegram_user_id))]
    too_close = [g for g in gaps if g < 1.0 - TOLERANCE]
    busiest = max_in_window(notifier.times(), 1.0)
    print(f"\nrate: 300 sends in {duration:.2f}s, busiest 1 s window {busiest}, "
          f"per-chat gaps < 1 s: {len(too_close)}, smallest per-chat gap {min(gaps):.4f}s")
    assert too_close == []
    assert busiest <= 30
    assert duration >= 300 / 30 - 1.0  # the overall limit really held them back


async def test_a_group_chat_gets_no_more_than_its_limit_per_window(sqlite_engine: Engine) -> None:
    limits = Limits(overall=Rate(1000, 1.0), per_chat=Rate(100, 1.0), per_group=Rate(5, 0.5))
    team = add_team(sqlite_engine)
    ann, bob = add_member(sqlite_engine, team, 501), add_member(sqlite_engine, team, 502)
    add_reminders(sqlite_engine, [(ann, NOW)] * 12, chat_id=-100_777)
    add_reminders(sqlite_engine, [(bob, NOW)] * 12)
    notifier = FakeNotifier()
    assert await drain(Dispatcher(sqlite_engine, notifier, FakeClock(), limits=limits)) == 24

    group = notifier.times(-100_777)
    assert len(group) == 12
    assert max_in_window(group, 0.5) <= 5
    assert group[-1] - group[0] >= 11 * 0.1 - TOLERANCE
    private = notifier.times(502)
    assert private[-1] - private[0] < 0.5  # the group's pace does not slow other chats


def test_default_limits_are_telegrams(sqlite_engine: Engine) -> None:
    limits = Limits()
    assert (limits.overall, limits.per_chat, limits.per_group) == (
        Rate(30, 1.0), Rate(1, 1.0), Rate(20, 60.0))
    dispatcher = Dispatcher(sqlite_engine, FakeNotifier(), FakeClock())
    # Telegram's 1/s and 20/min, with 2% to spare for network jitter (it counts arrivals)
    assert dispatcher.chat_interval(42) == pytest.approx(1.02)
    assert dispatcher.chat_interval(-100_42) == pytest.approx(3.06)
    assert (dispatcher.lease_seconds, dispatcher.batch) == (60, 50)


# --- what the Bot API answers ---------------------------------------------------------------

async def test_flood_control_pauses_every_send_then_sends_the_row(engine: Engine) -> None:
    team = add_team(engine)
    ann, bob, cid = (add_member(engine, team, chat) for chat in (501, 502, 503))
    first, second = add_reminders(engine, [(ann, NOW - timedelta(minutes=3)),
                                           (ann, NOW - timedelta(minutes=2))])
    others = add_reminders(engine, [(bob, NOW - timedelta(minutes=2)),
                                    (cid, NOW - timedelta(minutes=1))])
    notifier = FakeNotifier()
    notifier.fail(first, RetryLater(2))
    assert await drain(Dispatcher(engine, notifier, FakeClock(), limits=FAST)) == 4

    refused_at = next(t for i, t, outcome in notifier.calls if outcome == "RetryLater")
    assert all(not refused_at < t < refused_at + 2.0 for t in notifier.times())
    assert notifier.sent_ids(501) == [first, second]
    assert notifier.times(501)[0] >= refused_at + 2.0
    assert set(notifier.sent_ids()) == {first, second, *others}
    row = load(engine, first)
    assert (row.status, row.attempts, row.error) == (OutboxStatus.SENT, 1, None)


async def test_a_member_who_blocked_the_bot_is_deactivated_and_their_reminders_cancelled(
    engine: Engine,
) -> None:
    team = add_team(engine)
    ann, bob = add_member(engine, team, 501), add_member(engine, team, 502)
    blocked, queued, tomorrow = add_reminders(engine, [
        (ann, NOW - timedelta(minutes=2)), (ann, NOW - timedelta(minutes=1)),
        (ann, NOW + timedelta(days=1))])
    bobs = add_reminder(engine, bob, NOW - timedelta(minutes=1))
    notifier, clock = FakeNotifier(), FakeClock()
    notifier.fail(blocked, Undeliverable("Forbidden: bot was blocked by the user"))
    dispatcher = Dispatcher(engine, notifier, clock, limits=FAST)

    assert await dispatcher.run_once() == 1
    assert notifier.sent_ids() == [bobs]
    assert [load(engine, i).status for i in (blocked, queued, tomorrow)] == [
        OutboxStatus.CANCELLED] * 3
    with unit_of_work(engine) as session:
        assert session.get(Member, ann.id).active is False  # type: ignore[union-attr]
        assert session.get(Member, bob.id).active is True  # type: ignore[union-attr]
        audits = session.exec(select(AuditLog).where(AuditLog.entity == "member",
                                                     AuditLog.entity_id == ann.id)).all()
    reason = "Undeliverable: Forbidden: bot was blocked by the user"
    assert [(a.before, a.after) for a in audits] == [
        ({"active": True, "reason": None}, {"active": False, "reason": reason})]
    clock.advance(days=2)
    assert await dispatcher.run_once() == 0


async def test_a_failing_send_is_retried_later_and_given_up_after_five_attempts(
    engine: Engine,
) -> None:
    ann = add_member(engine, add_team(engine), 501)
    row_id = add_reminder(engine, ann, NOW)
    notifier, clock = FakeNotifier(), FakeClock()
    notifier.fail(row_id, *(ConnectionError("network down") for _ in range(5)))
    dispatcher = Dispatcher(engine, notifier, clock, limits=FAST)

    delays = []
    for _ in range(4):
        assert await dispatcher.run_once() == 0
        row = load(engine, row_id)
        assert (row.status, row.lease_owner) == (OutboxStatus.PENDING, None)
        delays.append((row.due_at - clock.now()).total_seconds())
        clock.current = row.due_at
    assert delays == [30, 60, 120, 240]
    assert await dispatcher.run_once() == 0
    row = load(engine, row_id)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 5)
    assert row.error == "ConnectionError: network down"
    clock.advance(days=1)
    assert await dispatcher.run_once() == 0
    assert notifier.sent == []


async def test_a_send_that_outlives_its_lease_is_abandoned_and_retried(engine: Engine) -> None:
    ann = add_member(engine, add_team(engine), 501)
    row_id = add_reminder(engine, ann, NOW)
    notifier = FakeNotifier()
    notifier.stall(row_id)  # never answers
    dispatcher = Dispatcher(engine, notifier, FakeClock(), lease_seconds=0.3, limits=FAST)

    started = time.monotonic()
    assert await dispatcher.run_once() == 0
    assert time.monotonic() - started < 2
    row = load(engine, row_id)
    assert (row.status, row.lease_owner, row.error) == (OutboxStatus.PENDING, None,
                                                        "TimeoutError: ")
    assert row.due_at == NOW + timedelta(seconds=30)


# --- leases and several workers -------------------------------------------------------------

async def test_a_stalled_workers_row_is_taken_over_after_its_lease_and_recorded_once(
    engine: Engine,
) -> None:
    ann = add_member(engine, add_team(engine), 501)
    row_id = add_reminder(engine, ann, NOW - timedelta(minutes=1))
    clock, slow, fast = FakeClock(), FakeNotifier(5001), FakeNotifier(9001)
    resume_a = slow.stall(row_id)
    worker_a = Dispatcher(engine, slow, clock, worker="worker-a", limits=FAST)
    worker_b = Dispatcher(engine, fast, clock, worker="worker-b", limits=FAST)

    round_a = asyncio.create_task(worker_a.run_once())
    while not slow.calls:
        await asyncio.sleep(0.01)
    clock.advance(seconds=30)
    assert await worker_b.run_once() == 0  # A's lease still holds
    clock.advance(seconds=31)
    assert await worker_b.run_once() == 1  # A's lease ran out: B takes the row
    resume_a.set()
    assert await round_a == 0  # A's late mark_sent is refused

    row = load(engine, row_id)
    assert (row.status, row.lease_owner) == (OutboxStatus.SENT, "worker-b")
    assert row.message_id == fast.message_ids[row_id] != slow.message_ids[row_id]
    with unit_of_work(engine) as session:
        assert not outbox.mark_sent(session, outbox_id=row_id, worker="worker-a",
                                    message_id=1, now=clock.now())


def test_a_second_worker_leaves_a_chat_alone_while_another_holds_its_earlier_rows(
    engine: Engine,
) -> None:
    team = add_team(engine)
    ann, bob = add_member(engine, team, 501), add_member(engine, team, 502)
    a1, a2 = add_reminders(engine, [(ann, NOW - timedelta(minutes=3)),
                                    (ann, NOW - timedelta(minutes=2))])
    b1 = add_reminder(engine, bob, NOW - timedelta(minutes=1))

    def claim(worker: str, limit: int) -> list[int]:
        with unit_of_work(engine) as session:
            rows = outbox.claim_due(session, now=NOW, worker=worker, lease_seconds=60,
                                    limit=limit)
            return [row.id or 0 for row in rows]

    assert claim("A", 1) == [a1]
    assert claim("B", 10) == [b1]  # not a2: it would overtake a1
    with unit_of_work(engine) as session:
        assert outbox.mark_sent(session, outbox_id=a1, worker="A", message_id=7, now=NOW)
    assert claim("B", 10) == [a2]
    assert load(engine, a2).attempts == 1


# --- out of office and inactive members -----------------------------------------------------

async def test_reminders_due_while_a_member_is_away_are_held_not_sent(engine: Engine) -> None:
    team = add_team(engine)
    away = add_member(engine, team, 501, away_until=NOW + timedelta(days=2))
    here = add_member(engine, team, 502)
    gone = add_member(engine, team, 503, active=False)
    held = add_reminders(engine, [(away, NOW - timedelta(hours=1)), (away, NOW)])
    sent = add_reminder(engine, here, NOW)
    cancelled = add_reminder(engine, gone, NOW)
    notifier, clock = FakeNotifier(), FakeClock()
    dispatcher = Dispatcher(engine, notifier, clock, limits=FAST)

    assert await dispatcher.run_once() == 1
    assert notifier.sent_ids() == [sent]
    for row in (load(engine, i) for i in held):
        assert (row.status, row.lease_owner, row.attempts) == (OutboxStatus.HELD, None, 0)
    assert load(engine, cancelled).status == OutboxStatus.CANCELLED
    clock.advance(days=3)  # back at work: the catch-up, not the dispatcher, brings these up
    assert await dispatcher.run_once() == 0
