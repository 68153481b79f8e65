"""Latency and throughput against baselines measured in the same run (issue 9; not a test).

Four benchmarks on the 100k-customer data set (bench/generate.py, seed 7; generated on first
use into $TMPDIR/crm-bench/b100k.sqlite3 and reused), each printing a table of
metric, value, baseline, ratio, target, PASS/FAIL and the load average at that moment:

1. find: `/find <name>` through handlers.dispatch.handle (a fresh SQLite connection, auth,
   the visible contacts' keys loaded, crm_store.contacts.search.rank) against the bare
   `rapidfuzz.process.extract` call with the same scorer (fuzz.ratio), processor (None) and
   cutoff (70) over the same precomputed name keys the search index holds. Target <= 2x.
2. log: `/log <name> call <text>` through the handler against a bare INSERT + COMMIT of the
   same interaction row on an engine with the same SQLite settings (crm_store.db.make_engine:
   WAL, busy_timeout, BEGIN IMMEDIATE, a new connection per transaction). Target <= 3x.
3. transport: p50/p99 of /find, /contact, /log and a quick log through the PTB transport's
   processing path with the network faked: the raw update dict goes through
   bot.processor.UpdateProcessor.store + process (inbox commit, request_from_update,
   dispatch, replies stored) and bot.ptb_transport.PtbSender delivering to a PTB Bot whose
   HTTP request object returns canned JSON (no sockets). Baseline: `/cancel` (nothing to
   cancel) on the same path, the fixed cost of an update. Target p99 < 50 ms.
4. roundtrip (`python -m bench roundtrip`): over real HTTP against the Bot API stand-in
   (tests/botapi_standin.py), `crm-bot run` (polling) on a copy of the data set answering
   /find and /log from the generated reps, against an echo bot on the same framework (PTB)
   and a stand-in of the same kind; rounds alternate echo, assistant, echo, assistant...
   Throughput = updates answered per second (all sent at once, clock stops at the last
   reply). Targets: reads >= 0.5x the echo bot's, writes >= 0.3x.

Usage:
  python -m bench latency   [--db sqlite:///PATH] [--runs 30] [--iterations 300]
                            [--only find,log,transport] [--profile] [--gc-freeze]
  python -m bench roundtrip [--db sqlite:///PATH] [--updates 200] [--users 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import itertools
import json
import math
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from crm_store.contacts import search
from crm_store.contacts.contacts import _visible
from crm_store.db import unit_of_work
from crm_store.messaging import dialogs
from crm_store.models import Company, Contact, Interaction, Member
from handlers import dispatch
from handlers.context import HandlerSettings
from handlers.types import ChatRequest, Kind, Reply

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = Path(tempfile.gettempdir()) / "crm-bench" / "b100k.sqlite3"
ADMIN_TELEGRAM_ID = 1001
MANAGER_TELEGRAM_ID = 1101
REP_TELEGRAM_IDS = tuple(range(1201, 1221))
BOT_USERNAME = "crm_bench_bot"
SETTINGS = HandlerSettings(admin_ids=frozenset({ADMIN_TELEGRAM_ID}), bot_username=BOT_USERNAME)
FIND_TARGET, LOG_TARGET, P99_TARGET_MS = 2.0, 3.0, 50.0
READ_TARGET, WRITE_TARGET = 0.5, 0.3


# ---------------------------------------------------------------------------- reporting
def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    if not samples:
        raise ValueError("no samples")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0-100")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


class LoadSamples:
    """The 1-minute load average sampled during a long measurement."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def sample(self) -> None:
        """Note the 1-minute load average now."""
        self.values.append(os.getloadavg()[0])

    def summary(self) -> str:
        """'1-min min-max during the run (now: 1/5/15 min)'."""
        if not self.values:
            return load_average()
        return f"{min(self.values):.2f}-{max(self.values):.2f} (now {load_average()})"


@dataclass(frozen=True)
class Row:
    """One line of a result table."""

    metric: str
    value: str
    baseline: str
    ratio: str
    target: str
    passed: bool
    load: str


def ratio_row(metric: str, value: float, baseline: float, limit: float, unit: str = "ms",
              higher_is_better: bool = False) -> Row:
    """A row judged on value / baseline against `limit` (at most, or at least if higher)."""
    ratio = value / baseline if baseline else math.inf
    passed = ratio >= limit if higher_is_better else ratio <= limit
    sign = ">=" if higher_is_better else "<="
    return Row(metric, f"{value:.2f} {unit}", f"{baseline:.2f} {unit}", f"{ratio:.2f}x",
               f"{sign} {limit:g}x", passed, load_average())


def print_table(title: str, rows: Sequence[Row]) -> None:
    """Print rows as a fixed-width table under a title."""
    head = ("metric", "value", "baseline", "ratio", "target", "result", "load: 1-min during run")
    cells = [head] + [(r.metric, r.value, r.baseline, r.ratio, r.target,
                       "PASS" if r.passed else "FAIL", r.load) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    print(f"\n{title}")
    for n, line in enumerate(cells):
        print("  " + "  ".join(text.ljust(width) for text, width in zip(line, widths,
                                                                       strict=True)))
        if n == 0:
            print("  " + "  ".join("-" * width for width in widths))
    sys.stdout.flush()


def ms(seconds: float) -> float:
    """Seconds to milliseconds."""
    return seconds * 1000


# ------------------------------------------------------------------------ the data set
@dataclass(frozen=True)
class Pick:
    """A member of the generated team and names of contacts they can see."""

    telegram_id: int
    member_id: int
    find_query: str  # a real contact's name (several contacts may share it)
    log_name: str  # a name that resolves confidently to one contact (no question asked)
    contact_id: int  # that contact


def open_dataset(url: str) -> Engine:
    """The benchmark database, generated the first time (100k customers, seed 7)."""
    from bench.bench_analytics import ensure_dataset

    return ensure_dataset(url, customers=100_000, interactions=10, seed=7)


def visible_keys(engine: Engine, telegram_id: int) -> list[search.SearchKey]:
    """The SearchKeys crm_store.contacts.contacts.search_contacts builds for this member."""
    with unit_of_work(engine) as session:
        member = session.scalars(
            select(Member).where(Member.telegram_user_id == telegram_id)).one()
        stmt = _visible(select(Contact.id, Contact.name, Company.name, Contact.pinyin_full,
                               Contact.pinyin_initials, Contact.phone, Contact.email)
                        .join(Company, Contact.company_id == Company.id, isouter=True),
                        session, member)
        return [search.SearchKey(contact_id=cid, name=name, company=company or "",
                                 pinyin_full=full, pinyin_initials=initials,
                                 phone=search.phone_digits(phone), email=email or "")
                for cid, name, company, full, initials, phone, email in session.execute(stmt)]


def pick(engine: Engine, telegram_id: int) -> Pick:
    """A Chinese name the member's /find asks for, and one that /log resolves confidently."""
    keys = visible_keys(engine, telegram_id)
    with unit_of_work(engine) as session:
        member_id = session.scalars(select(Member.id).where(
            Member.telegram_user_id == telegram_id)).one()
    han = [k for k in keys if search._has_han(k.name) and len(k.name) >= 3]
    index = search.SearchIndex(keys)
    find_query = han[len(han) // 3].name
    for key in han[len(han) // 2:] + han:
        hits = search.rank(index, key.name, limit=6)
        if hits and hits[0].contact_id == key.contact_id and search.is_confident(hits):
            return Pick(telegram_id, member_id, find_query, key.name, key.contact_id)
    raise RuntimeError(f"no confidently named contact for member {telegram_id}")


def request(user_id: int, line: str) -> ChatRequest:
    """A slash command typed in a private chat (as bench_analytics builds it)."""
    head, _, args = line.partition(" ")
    return ChatRequest(user_id=user_id, chat_id=user_id, kind=Kind.COMMAND, text="/" + line,
                       command=head.lower(), args=args, language_code="en", first_name="Bench")


def check_replies(replies: list[Reply], what: str) -> None:
    """Stop the benchmark when a command answered with the internal-error message."""
    from handlers.i18n import Translator

    if any(r.text == Translator("en")("error.internal") for r in replies):
        raise RuntimeError(f"{what} answered with the internal error")


async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
    """Wall time of one awaited call, seconds."""
    started = time.perf_counter()
    await fn()
    return time.perf_counter() - started


# ------------------------------------------------------------------ 1. /find vs rapidfuzz
def bare_extract(query: str, names: list[str]) -> list[tuple[str, float, int]]:
    """The bare baseline: one process.extract with rank()'s scorer, processor and cutoff."""
    return process.extract(query, names, scorer=fuzz.ratio, processor=None,
                           score_cutoff=70.0, limit=None)


async def bench_find(engine: Engine, picks: Sequence[tuple[str, Pick]], runs: int) -> list[Row]:
    """/find through the handler against bare rapidfuzz over the same keys, per member."""
    rows = []
    for role, chosen in picks:
        line = f"find {chosen.find_query}"
        replies = await dispatch.handle(request(chosen.telegram_id, line), engine=engine,
                                        settings=SETTINGS)
        check_replies(replies, line)
        index = search.INDEXES.index(visible_keys(engine, chosen.telegram_id))
        names = index.columns["name"].values  # one key per visible contact, as rank() holds
        query = search._bounded(chosen.find_query)
        bare_extract(query, names)
        handler, bare = [], []
        loads = LoadSamples()
        for _ in range(runs):  # interleaved, so both see the same load
            loads.sample()
            started = time.perf_counter()
            await dispatch.handle(request(chosen.telegram_id, line), engine=engine,
                                  settings=SETTINGS)
            handler.append(time.perf_counter() - started)
            started = time.perf_counter()
            bare_extract(query, names)
            bare.append(time.perf_counter() - started)
        row = ratio_row(f"/find {chosen.find_query} ({role}, {len(names):,} contacts)",
                        ms(statistics.median(handler)), ms(statistics.median(bare)),
                        FIND_TARGET)
        rows.append(Row(*dataclasses.astuple(row)[:-1], loads.summary()))
    return rows


# ---------------------------------------------------------------- 2. /log vs INSERT+COMMIT
async def bench_log(engine: Engine, chosen: Pick, runs: int) -> list[Row]:
    """/log through the handler against a bare INSERT + COMMIT of the same row."""
    counter = itertools.count(1)

    def line() -> str:
        return f"log {chosen.log_name} call bench note {next(counter)}"

    replies = await dispatch.handle(request(chosen.telegram_id, line()), engine=engine,
                                    settings=SETTINGS)
    check_replies(replies, "/log")
    with engine.connect() as conn:
        last = conn.execute(select(Interaction).where(
            Interaction.contact_id == chosen.contact_id, Interaction.member_id == chosen.member_id,
        ).order_by(Interaction.id.desc()).limit(1)).mappings().one()  # type: ignore[union-attr]
    row = {k: v for k, v in last.items() if k != "id"}
    assert row["text"].startswith("bench note"), row

    def bare_insert() -> None:
        with engine.begin() as conn:  # a new connection: WAL, busy_timeout, BEGIN IMMEDIATE
            conn.execute(insert(Interaction).values(**row))

    bare_insert()
    handler, bare = [], []
    loads = LoadSamples()
    for _ in range(runs):
        loads.sample()
        handler.append(await timed(lambda: dispatch.handle(
            request(chosen.telegram_id, line()), engine=engine, settings=SETTINGS)))
        started = time.perf_counter()
        bare_insert()
        bare.append(time.perf_counter() - started)
    row = ratio_row(f"/log {chosen.log_name} call … (rep)", ms(statistics.median(handler)),
                    ms(statistics.median(bare)), LOG_TARGET)
    return [Row(*dataclasses.astuple(row)[:-1], loads.summary())]


# ------------------------------------------------------- 3. the PTB path, network faked
class FakeBotApi:
    """Canned Bot API answers for a PTB Bot: a telegram.request.BaseRequest, no sockets."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self._message_ids = itertools.count(1)

    def request(self) -> Any:
        """A BaseRequest subclass instance answering from this fake."""
        from telegram.request import BaseRequest

        fake = self

        class CannedRequest(BaseRequest):
            @property
            def read_timeout(self) -> float | None:
                return 5.0

            async def initialize(self) -> None:
                return None

            async def shutdown(self) -> None:
                return None

            async def do_request(self, url: str, method: str, request_data: Any = None,
                                 read_timeout: Any = None, write_timeout: Any = None,
                                 connect_timeout: Any = None, pool_timeout: Any = None,
                                 ) -> tuple[int, bytes]:
                params = request_data.parameters if request_data is not None else {}
                name = url.rsplit("/", 1)[-1]
                return 200, json.dumps({"ok": True, "result": fake.answer(name, params)}
                                       ).encode()

        return CannedRequest()

    def answer(self, method: str, params: dict[str, Any]) -> Any:
        """What Telegram would return for `method`."""
        self.calls[method] = self.calls.get(method, 0) + 1
        if method == "getMe":
            return {"id": 4242, "is_bot": True, "first_name": "Bench", "username": BOT_USERNAME}
        if method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument"):
            chat_id = int(params.get("chat_id") or 0)
            message_id = (int(params["message_id"]) if method == "editMessageText"
                          else next(self._message_ids))
            return {"message_id": message_id, "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"}, "text": str(params.get("text"))}
        return True


def raw_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """A Telegram update dict of a private-chat message, with its bot_command entity."""
    user = {"id": user_id, "is_bot": False, "first_name": "Bench", "language_code": "en"}
    message: dict[str, Any] = {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "from": user, "chat": {"id": user_id, "type": "private", "first_name": "Bench"},
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split(" ", 1)[0])}]
    return {"update_id": update_id, "message": message}


async def bench_transport(engine: Engine, chosen: Pick, iterations: int) -> list[Row]:
    """p50/p99 per command through UpdateProcessor.store + process and PtbSender."""
    from telegram import Bot

    from bot.processor import UpdateProcessor
    from bot.ptb_transport import PtbSender

    fake = FakeBotApi()
    bot = Bot("4242:BENCH", request=fake.request(), get_updates_request=fake.request())
    await bot.initialize()
    processor = UpdateProcessor(engine=engine, settings=SETTINGS, sender=PtbSender(bot))
    with engine.connect() as conn:
        first = conn.exec_driver_sql("SELECT coalesce(max(update_id), 0) FROM inbox").scalar()
    update_ids = itertools.count(int(first or 0) + 1)
    notes = itertools.count(1)
    commands: dict[str, Callable[[], str]] = {
        "/cancel (baseline)": lambda: "/cancel",
        "/find": lambda: f"/find {chosen.find_query}",
        "/contact": lambda: f"/contact {chosen.log_name}",
        "/log": lambda: f"/log {chosen.log_name} call transport note {next(notes)}",
        "quick log": lambda: (f"called {chosen.log_name} about 50 units, "
                              f"follow up next friday"),
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    user = chosen.telegram_id

    async def once(name: str) -> float:
        update_id = next(update_ids)
        update = raw_update(update_id, user, commands[name]())
        started = time.perf_counter()
        processor.store(update)
        await processor.process(update_id)
        elapsed = time.perf_counter() - started
        with unit_of_work(engine) as session:  # a quick log leaves its proposal open
            dialogs.clear(session, chat_id=user, user_id=user)
        return elapsed

    sent_before = fake.calls.get("sendMessage", 0)
    for name in commands:  # warm-up: imports, the search index, SQLite's page cache
        await once(name)
    if fake.calls.get("sendMessage", 0) - sent_before < len(commands):
        raise RuntimeError(f"replies were not sent: {fake.calls}")
    loads = LoadSamples()
    for n in range(iterations):
        for name in commands:
            samples[name].append(await once(name))
        if n % 10 == 0:
            loads.sample()
    loads.sample()
    await bot.shutdown()

    base = samples.pop("/cancel (baseline)")
    base50, base99 = ms(percentile(base, 50)), ms(percentile(base, 99))
    rows = [Row("/cancel p50 / p99 (baseline)", f"{base50:.1f} / {base99:.1f} ms",
                "-", "-", "-", True, loads.summary())]
    for name, values in samples.items():
        p50, p99 = ms(percentile(values, 50)), ms(percentile(values, 99))
        rows.append(Row(f"{name} p50 / p99 ({len(values)} updates)",
                        f"{p50:.1f} / {p99:.1f} ms", f"{base50:.1f} / {base99:.1f} ms",
                        f"{p50 / base50:.1f}x / {p99 / base99:.1f}x",
                        f"p99 < {P99_TARGET_MS:g} ms", p99 < P99_TARGET_MS, loads.summary()))
    return rows


# ----------------------------------------------------------------------------- profiling
async def profile(engine: Engine, chosen: Pick, out_dir: Path) -> None:
    """pyinstrument profiles of /find and /log through the handler (10 runs each)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("(pip install pyinstrument, or the `bench` extra, to profile)")
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    counter = itertools.count(1)
    for label, make in (("find", lambda: f"find {chosen.find_query}"),
                        ("log", lambda: f"log {chosen.log_name} call profiled {next(counter)}")):
        await dispatch.handle(request(chosen.telegram_id, make()), engine=engine,
                              settings=SETTINGS)
        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
        for _ in range(10):
            await dispatch.handle(request(chosen.telegram_id, make()), engine=engine,
                                  settings=SETTINGS)
        profiler.stop()
        print(f"\n--- profile: /{label} x10 as rep {chosen.telegram_id} ---")
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        page = out_dir / f"profile-latency-{label}.html"
        page.write_text(profiler.output_html(), encoding="utf-8")
        print(f"(HTML: {page})")


def latency_main(argv: list[str] | None = None) -> None:
    """`python -m bench latency`: benchmarks 1-3."""
    parser = argparse.ArgumentParser(prog="python -m bench latency")
    parser.add_argument("--db", default=f"sqlite:///{DEFAULT_DB}")
    parser.add_argument("--runs", type=int, default=30, help="runs of /find and /log each")
    parser.add_argument("--iterations", type=int, default=300,
                        help="updates per command through the transport path")
    parser.add_argument("--only", default="find,log,transport")
    parser.add_argument("--profile", action="store_true",
                        help="pyinstrument profiles of /find and /log (HTML next to the db)")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() after start-up and again before the transport "
                        "part (after the search indexes are built), as a warmed-up bot could")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    engine = open_dataset(args.db)
    print(f"load average at start: {load_average()}  ({os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version})")
    rep = pick(engine, REP_TELEGRAM_IDS[0])
    if args.gc_freeze:  # what is alive now is never traversed by a full collection again
        gc.collect()
        gc.freeze()

    async def run() -> None:
        if "find" in only:
            picks = [("rep", rep), ("manager", pick(engine, MANAGER_TELEGRAM_ID)),
                     ("admin", pick(engine, ADMIN_TELEGRAM_ID))]
            print_table("1. /find through the handler vs bare rapidfuzz process.extract "
                        f"(medians of {args.runs})", await bench_find(engine, picks, args.runs))
        if "log" in only:
            print_table(f"2. /log through the handler vs bare INSERT + COMMIT "
                        f"(medians of {args.runs})", await bench_log(engine, rep, args.runs))
        if "transport" in only:
            if args.gc_freeze:  # and the search indexes parts 1-2 left in the cache
                gc.collect()
                gc.freeze()
            print_table("3. store + process + PtbSender, network faked (rep "
                        f"{rep.telegram_id})", await bench_transport(engine, rep,
                                                                     args.iterations))
        if args.profile:
            database = engine.url.database
            await profile(engine, rep, Path(database).parent if database else Path("."))

    asyncio.run(run())
    engine.dispose()


# --------------------------------------------------------- 4. round trips over real HTTP
ECHO_BOT = '''\
"""An echo bot on python-telegram-bot: the round-trip benchmark's baseline."""
import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


api = os.environ["TELEGRAM_API_URL"]
app = (Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"])
       .base_url(f"{api}/bot").base_file_url(f"{api}/file/bot").build())
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(timeout=int(os.environ.get("POLL_TIMEOUT", "1")), poll_interval=0)
'''


class Subprocess:
    """A bot in its own process, logging to a file."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path,
                 cwd: Path) -> None:
        self.argv, self.env, self.log_path, self.cwd = argv, env, log_path, cwd
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start it (stdout and stderr to the log file)."""
        log = self.log_path.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv, cwd=self.cwd, env=self.env, stdout=log,
            stderr=asyncio.subprocess.STDOUT)

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s."""
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), 15)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()

    def check(self) -> None:
        """Raise with the log's tail if the process died."""
        if self.proc is not None and self.proc.returncode is not None:
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.argv} exited {self.proc.returncode}:\n{tail}")


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file (the backup API, so the WAL is included), inbox empty."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    with sqlite3.connect(target) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        # A new deployment: no inbox rows (the latency benchmark's updates would set the
        # polling offset past the stand-in's update ids, and the bot would skip them all).
        conn.execute("DELETE FROM inbox")


async def wait_for_replies(standin: Any, chat_ids: set[int], start: int, expected: int,
                           proc: Subprocess, timeout: float) -> float:
    """Wait until `expected` messages reached `chat_ids` since sent[start]; the time then."""
    deadline = time.monotonic() + timeout
    while True:
        got = sum(1 for record in standin.sent[start:] if record.get("chat_id") in chat_ids)
        if got >= expected:
            return time.perf_counter()
        proc.check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{got} of {expected} replies within {timeout}s")
        await asyncio.sleep(0.002)


async def replies_per_update(standin: Any, user: Any, text: str, proc: Subprocess) -> int:
    """How many messages one update is answered with (sent once, counted after a pause)."""
    start = len(standin.sent)
    standin.user_sends(user, text)
    await wait_for_replies(standin, {user.id}, start, 1, proc, 120)
    await asyncio.sleep(1.5)
    return sum(1 for record in standin.sent[start:] if record.get("chat_id") == user.id)


@dataclass
class Contender:
    """One bot under test: its process, its stand-in and what its users say."""

    name: str
    proc: Subprocess
    standin: Any
    users: list[Any]
    texts: dict[str, Callable[[int, int], str]]  # kind -> (user index, n) -> message text
    per_update: dict[str, int]


async def round_trip(contender: Contender, kind: str, updates: int, timeout: float) -> float:
    """Send `updates` messages from the users at once; answered updates per second."""
    standin, users = contender.standin, contender.users
    chats = {user.id for user in users}
    start = len(standin.sent)
    started = time.perf_counter()
    for n in range(updates):
        index = n % len(users)
        standin.user_sends(users[index], contender.texts[kind](index, n))
    finished = await wait_for_replies(standin, chats, start,
                                      updates * contender.per_update[kind], contender.proc,
                                      timeout)
    return updates / (finished - started)


async def roundtrip_async(args: argparse.Namespace) -> list[Row]:
    """Start the stand-ins and both bots, run alternating rounds, return the table."""
    sys.path.insert(0, str(ROOT))
    from tests.botapi_standin import BotApiStandin, FakeUser

    work = Path(tempfile.mkdtemp(prefix="roundtrip-", dir=DEFAULT_DB.parent))
    source_engine = open_dataset(args.db)
    source = Path(source_engine.url.database or "")
    picks = [pick(source_engine, tid) for tid in REP_TELEGRAM_IDS[: args.users]]
    source_engine.dispose()
    database = work / "crm.sqlite3"
    print(f"copying {source} to {database}…", flush=True)
    copy_database(source, database)
    (work / "echo_bot.py").write_text(ECHO_BOT, encoding="utf-8")

    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("TELEGRAM_", "WEBHOOK", "DATABASE_URL"))}
    base_env |= {"PYTHONPATH": str(ROOT), "POLL_TIMEOUT": str(args.poll_timeout),
                 "LOG_LEVEL": os.environ.get("BENCH_BOT_LOG_LEVEL", "INFO")}
    users = [FakeUser(p.telegram_id, f"Rep{p.telegram_id}", language_code="en") for p in picks]
    notes = itertools.count(1)
    texts = {
        "read": lambda i, n: f"/find {picks[i].find_query}",
        "write": lambda i, n: f"/log {picks[i].log_name} call roundtrip note {next(notes)}",
    }
    echo_texts = {kind: (lambda i, n, make=make: make(i, n).replace("/", "", 1))
                  for kind, make in texts.items()}  # the same words, not a command
    contenders: list[Contender] = []
    standins = []
    try:
        for name in ("echo", "assistant"):
            standin = BotApiStandin(token=f"{4000 + len(standins)}:ROUNDTRIP",
                                    username=f"{name}_bench_bot")
            await standin.start()
            standins.append(standin)
            env = base_env | {"TELEGRAM_BOT_TOKEN": standin.token,
                              "TELEGRAM_API_URL": standin.base_url}
            if name == "echo":
                argv = [sys.executable, str(work / "echo_bot.py")]
            else:
                env |= {"DATABASE_URL": f"sqlite:///{database}",
                        "ADMIN_TELEGRAM_IDS": str(ADMIN_TELEGRAM_ID),
                        "BOT_USERNAME": standin.bot_user["username"],
                        "RUN_REMINDERS": "false", "FLOOD_MESSAGES_PER_MINUTE": "0"}
                argv = [sys.executable, "-m", "bot", "run"]
            proc = Subprocess(argv, env, work / f"{name}.log", work)
            await proc.start()
            contenders.append(Contender(name, proc, standin, users,
                                        echo_texts if name == "echo" else texts, {}))
        for contender in contenders:  # warm-up, and how many messages answer each update
            for kind in ("read", "write"):
                contender.per_update[kind] = await replies_per_update(
                    contender.standin, users[0], contender.texts[kind](0, 0), contender.proc)
            print(f"{contender.name}: messages per update {contender.per_update}", flush=True)
            for kind in ("read", "write"):  # every rep's search index and pages warmed
                await round_trip(contender, kind, len(users), args.timeout)

        results: dict[tuple[str, str], list[tuple[float, str]]] = {}
        for n in range(args.rounds):
            for kind in ("read", "write"):
                for contender in contenders:  # echo, assistant, echo, assistant…
                    rate = await round_trip(contender, kind, args.updates, args.timeout)
                    results.setdefault((contender.name, kind), []).append(
                        (rate, load_average()))
                    print(f"round {n + 1} {kind:<5} {contender.name:<9} {rate:8.1f} updates/s"
                          f"  load {load_average()}", flush=True)
                    await asyncio.sleep(0.5)
    finally:
        for contender in contenders:
            await contender.proc.stop()
        for standin in standins:
            await standin.stop()
        database.unlink(missing_ok=True)  # the logs stay, for a look after a failure
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        print(f"bot logs: {work}", flush=True)
    rows = []
    for kind, limit in (("read", READ_TARGET), ("write", WRITE_TARGET)):
        mine = statistics.median(rate for rate, _ in results[("assistant", kind)])
        echo = statistics.median(rate for rate, _ in results[("echo", kind)])
        loads = ", ".join(load for _, load in results[("assistant", kind)])
        what = "/find" if kind == "read" else "/log"
        row = ratio_row(f"{kind}s: {what} x{args.updates} from {len(users)} reps",
                        mine, echo, limit, unit="upd/s", higher_is_better=True)
        rows.append(Row(row.metric, row.value, row.baseline + " (echo)", row.ratio, row.target,
                        row.passed, loads))
    return rows


def roundtrip_main(argv: list[str] | None = None) -> None:
    """`python -m bench roundtrip`: benchmark 4."""
    parser = argparse.ArgumentParser(prog="python -m bench roundtrip")
    parser.add_argument("--db", default=f"sqlite:///{DEFAULT_DB}")
    parser.add_argument("--updates", type=int, default=200, help="updates per round")
    parser.add_argument("--users", type=int, default=20, help="reps sending them (<= 20)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per bot and kind")
    parser.add_argument("--poll-timeout", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per round")
    args = parser.parse_args(argv)
    print(f"load average at start: {load_average()}  ({os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]})")
    rows = asyncio.run(roundtrip_async(args))
    print_table(f"4. round trips over HTTP (median of {args.rounds} rounds; load per "
                "assistant round)", rows)


if __name__ == "__main__":
    latency_main()
