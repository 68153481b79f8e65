"""The dispatcher's achieved send rate against Telegram's limits (a script, not a test).

1,000 due reminders for 300 chats (each chat at least one, the rest spread at random; 10 of
the chats are groups) go through the real `scheduler.dispatcher.Dispatcher.run_forever`, with
a SQLite outbox as in production, to a notifier that records when each send went out:

- `local`: an in-process notifier that records the send and then waits `--latency` seconds
  (a Bot API round trip; no network);
- `http`: the real python-telegram-bot notifier (bot/notifier.py) over HTTP to the Bot API
  stand-in (tests/botapi_standin.py), which records when each sendMessage arrived.

The limits (scheduler/dispatcher.py `Limits`): 30 messages/s overall, 1/s per chat, 20/min
per group chat. The fastest any sender could go is

    ideal = max(N / 30 s, most messages to one chat × 1 s)

(groups get at most 20 messages here, so their limit never binds). The achieved time is from
the start of dispatching (every row already due) to the last send. Violations: two sends to
one chat less than 1 s apart, more than 20 sends to a group in any 60 s, more than 30 sends in
any 1 s. Target: achieved rate ≥ 95% of the ideal, no violations.

Usage:
  python -m bench dispatch [--messages 1000] [--chats 300] [--groups 10] [--mode local|http]
                           [--latency 0.05] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Engine

from bench.tables import Table, uptime
from crm_store.clock import utcnow
from crm_store.db import make_engine, unit_of_work
from crm_store.messaging import outbox
from crm_store.migrate import upgrade
from crm_store.models import Member, Outbox, Team
from scheduler.dispatcher import Dispatcher, Limits
from scheduler.protocols import Delivery, SystemClock

WORK = Path("/tmp/crm-bench")
TARGET_SHARE = 0.95
TOKEN = "123456:BENCH-TOKEN"


class RecordingNotifier:
    """Records (chat, loop time) as each send goes out, then takes `latency` s to answer."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.sends: list[tuple[int, float]] = []

    async def send(self, delivery: Delivery) -> int:
        self.sends.append((delivery.chat_id, asyncio.get_running_loop().time()))
        if self.latency:
            await asyncio.sleep(self.latency)
        return len(self.sends)


@dataclass
class Plan:
    """How many reminders each chat gets."""

    per_chat: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.per_chat.values())


def make_plan(messages: int, chats: int, groups: int, seed: int = 11) -> Plan:
    """Every chat one reminder, the rest at random; `groups` of the chats are group chats."""
    rng = random.Random(seed)
    ids = [-1_000_000_000_000 - i for i in range(groups)] + [
        5_000_000 + i for i in range(chats - groups)]
    counts = Counter(ids)
    while sum(counts.values()) < messages:
        chat = rng.choice(ids)
        if chat > 0 or counts[chat] < 20:
            counts[chat] += 1
    return Plan(dict(counts))


def fill(engine: Engine, plan: Plan, seed: int = 12) -> None:
    """One member per chat (a group's rows are the member's, re-addressed) and their rows."""
    rng = random.Random(seed)
    now = utcnow()
    with unit_of_work(engine) as session:
        team = Team(name="Dispatch bench")
        session.add(team)
        session.flush()
        members: dict[int, Member] = {}
        for n, chat in enumerate(plan.per_chat):
            member = Member(team_id=team.id or 0, telegram_user_id=chat if chat > 0 else 9_000 + n,
                            display_name=f"Rep {n}", language="en", timezone="Asia/Shanghai",
                            work_start=0, work_end=24)
            session.add(member)
            members[chat] = member
        session.flush()
        rows = [(chat, k) for chat, count in plan.per_chat.items() for k in range(count)]
        rng.shuffle(rows)
        for i, (chat, k) in enumerate(rows):
            member = members[chat]
            key = f"bench:{chat}:{k}"
            outbox.enqueue(session, member=member, kind="followup_due", dedupe_key=key,
                           due_at=now - timedelta(seconds=600 - i * 0.5),
                           payload={"task_id": i, "contact_id": i, "contact_name": "李雷",
                                    "text": "Call back about the quote",
                                    "due_at": now.isoformat()})
            if chat < 0:
                session.exec(update(Outbox).where(Outbox.dedupe_key == key)  # type: ignore
                             .values(chat_id=chat))


@dataclass
class Outcome:
    sends: list[tuple[int, float]]  # (chat, monotonic time)
    started: float  # monotonic time dispatching began


async def dispatch(engine: Engine, notifier: object, total: int, sent: callable,  # type: ignore[valid-type]
                   timeout: float) -> float:
    """Run the dispatcher until `sent()` reaches `total`; return when it started."""
    dispatcher = Dispatcher(engine, notifier, SystemClock())  # type: ignore[arg-type]
    stop = asyncio.Event()
    started = time.monotonic()
    task = asyncio.create_task(dispatcher.run_forever(stop))
    while sent() < total and time.monotonic() - started < timeout:  # type: ignore[operator]
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 30)
    return started


async def run_local(engine: Engine, total: int, latency: float, timeout: float) -> Outcome:
    notifier = RecordingNotifier(latency)
    started = await dispatch(engine, notifier, total, lambda: len(notifier.sends), timeout)
    return Outcome(notifier.sends, started)


async def run_http(engine: Engine, total: int, timeout: float) -> Outcome:
    from bot.ptb_transport import TRANSPORT
    from bot.settings import Settings
    from tests.botapi_standin import BotApiStandin

    standin = BotApiStandin(token=TOKEN)
    await standin.start()
    try:
        settings = Settings(telegram_bot_token=TOKEN, telegram_api_url=standin.base_url,
                            _env_file=None)  # type: ignore[call-arg]

        def sent() -> int:
            return sum(1 for s in standin.sent if s["method"] == "sendMessage")

        async with TRANSPORT.build_bot(settings) as bot:
            started = await dispatch(engine, TRANSPORT.notifier(bot), total, sent, timeout)
        sends = [(s["chat_id"], s["timestamp"]) for s in standin.sent
                 if s["method"] == "sendMessage"]
        return Outcome(sends, started)
    finally:
        await standin.stop()


def windows_over(times: list[float], seconds: float, limit: int) -> int:
    """How many sends begin a `seconds`-long window holding more than `limit` sends."""
    times = sorted(times)
    return sum(1 for i, t in enumerate(times)
               if bisect.bisect_left(times, t + seconds) - i > limit)


def judge(table: Table, name: str, plan: Plan, result: Outcome, limits: Limits) -> None:
    n = plan.total
    most = max(plan.per_chat.values())
    ideal = max(n / limits.overall.count * limits.overall.seconds,
                most * limits.per_chat.interval)
    times = [t for _, t in result.sends]
    if len(result.sends) < n:
        table.add(f"{name}: sent", f"{len(result.sends)} of {n}", f"{n}", False)
        if not times:
            return
    took = max(times) - result.started
    share = ideal / took
    table.add(f"{name}: {len(result.sends)} sends to {len(plan.per_chat)} chats, "
              f"first send after", f"{min(times) - result.started:.2f} s")
    table.add(f"{name}: time to last send (ideal {ideal:.1f} s)", f"{took:.2f} s")
    table.add(f"{name}: achieved rate (ideal {n / ideal:.1f}/s)", f"{n / took:.2f} msg/s "
              f"= {share:.1%} of ideal", f"≥ {TARGET_SHARE:.0%}", share >= TARGET_SHARE)
    by_chat: dict[int, list[float]] = defaultdict(list)
    for chat, at in result.sends:
        by_chat[chat].append(at)
    ordered = [sorted(ts) for ts in by_chat.values()]
    gaps = [b - a for ts in ordered for a, b in zip(ts, ts[1:], strict=False)]
    close = sum(1 for g in gaps if g < limits.per_chat.interval)
    jitter = sum(1 for g in gaps if g < limits.per_chat.interval - 0.005)
    groups = sum(windows_over(ts, limits.per_group.seconds, int(limits.per_group.count))
                 for chat, ts in by_chat.items() if chat < 0)
    overall = windows_over(times, limits.overall.seconds, int(limits.overall.count))
    table.add(f"{name}: per-chat violations (gap < 1 s; smallest gap {min(gaps):.4f} s; "
              f"< 0.995 s: {jitter})", str(close), "0", close == 0)
    table.add(f"{name}: group violations (> 20 in 60 s)", str(groups), "0", groups == 0)
    table.add(f"{name}: overall violations (> 30 in 1 s)", str(overall), "0", overall == 0)
    per_second = Counter(int(t - result.started) for t in times)
    busiest = max(per_second.values())
    table.add(f"{name}: busiest whole second", f"{busiest} sends")


def one_run(mode: str, plan: Plan, latency: float, profile: bool) -> Outcome:
    path = WORK / f"dispatch-{mode}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    fill(engine, plan)
    timeout = plan.total / 30 * 4 + 60
    runner = (run_local(engine, plan.total, latency, timeout) if mode == "local"
              else run_http(engine, plan.total, timeout))
    try:
        if not profile:
            return asyncio.run(runner)
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="enabled")
        with profiler:
            result = asyncio.run(runner)
        out = WORK / f"dispatch-{mode}-profile.html"
        out.write_text(profiler.output_html())
        print(profiler.output_text(unicode=True, color=False, show_all=False)[:6000])
        print(f"(HTML: {out})")
        return result
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dispatch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--mode", action="append", choices=("local", "http"), default=[])
    parser.add_argument("--latency", type=float, default=0.05,
                        help="seconds the local notifier takes per send (a round trip)")
    parser.add_argument("--profile", action="store_true", help="pyinstrument the run")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    print(uptime(), flush=True)
    plan = make_plan(args.messages, args.chats, args.groups)
    print(f"{plan.total} reminders to {len(plan.per_chat)} chats ({args.groups} groups); "
          f"most to one chat: {max(plan.per_chat.values())}", flush=True)
    table = Table("Dispatcher: achieved rate against Telegram's limits")
    for mode in args.mode or ["local", "http"]:
        name = (f"{mode} (latency {args.latency:g} s)" if mode == "local"
                else "http (ptb → stand-in)")
        print(f"dispatching: {name} …", flush=True)
        result = one_run(mode, plan, args.latency, args.profile)
        judge(table, name, plan, result, Limits())
    table.print()


if __name__ == "__main__":
    main()
