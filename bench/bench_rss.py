"""Peak memory of `crm-bot run` with 100k contacts (a script, not a test).

Starts `python -m bot run` as a subprocess, as the end-to-end tests do (tests/e2e/botprocess.py),
against a copy of the 100k SQLite data set and the local Bot API stand-in
(tests/botapi_standin.py). Every scheduler job runs at start-up (the profiles job stores the
100k profiles and the closing snapshots; churn, care, stale deals and the other producers
write their reminders, due in the members' working hours; the dispatcher sends what is due),
and the frequent ones again at REMINDER_INTERVAL_SECONDS (default 60, production's; at 2–10 s
the slow producers re-run back to back and hold SQLite's write lock most of the time, so
chats wait). Once churn and stale deals have logged that they are done, a manager and the
admin send /find, /contact, /segments and /report month through the stand-in. VmHWM (the
kernel's peak resident set) and VmRSS are read from /proc/<pid>/status every 0.2 s
throughout and at the end.

With `--attribute`, each scheduler job is also run alone in a fresh Python process on a fresh
copy, and its VmHWM is compared with that of a process that only imported everything: which
job needs the memory.

Target (issue 9): peak RSS < 250 MB.

Usage:
  python -m bench rss [--db sqlite:////tmp/crm-bench/s100k.sqlite3] [--interval 60]
                      [--settle 20] [--attribute]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.tables import Table, uptime
from crm_store.db import normalise_url

ROOT = Path(__file__).resolve().parents[1]
WORK = Path("/tmp/crm-bench")
TARGET_MB = 250.0
TOKEN = "123456:BENCH-TOKEN"
ADMIN = 1001
MANAGER = 1101


def status(pid: int) -> dict[str, float]:
    """VmHWM / VmRSS of `pid` in MB (empty once it has gone)."""
    found: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                found[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return found


def fresh_copy(source: Path, name: str) -> Path:
    """Copy the data set (its WAL checkpointed first) to WORK/rss-<name>.sqlite3."""
    conn = sqlite3.connect(source, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    target = WORK / f"rss-{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


class Sampler:
    """Reads /proc/<pid>/status every `every` s; remembers the timeline."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every = pid, every
        self.started = time.monotonic()
        self.samples: list[tuple[float, float, float]] = []  # (s since start, rss, hwm)
        self.phase = "start-up"
        self.phases: list[tuple[float, str]] = [(0.0, self.phase)]

    def mark(self, phase: str) -> None:
        self.phase = phase
        self.phases.append((time.monotonic() - self.started, phase))
        print(f"  [{time.monotonic() - self.started:6.1f} s] {phase}: {self.describe()}",
              flush=True)

    def take(self) -> None:
        found = status(self.pid)
        if found:
            self.samples.append((time.monotonic() - self.started, found.get("VmRSS", 0.0),
                                 found.get("VmHWM", 0.0)))

    async def run(self) -> None:
        while True:
            self.take()
            await asyncio.sleep(self.every)

    def describe(self) -> str:
        if not self.samples:
            return "no sample"
        _, rss, hwm = self.samples[-1]
        return f"VmRSS {rss:.0f} MB, VmHWM {hwm:.0f} MB"

    @property
    def peak(self) -> float:
        return max((hwm for _, _, hwm in self.samples), default=0.0)

    def peak_phase(self) -> str:
        """The phase during which VmHWM first reached its final value."""
        top = self.peak
        at = next(t for t, _, hwm in self.samples if hwm >= top)
        return [name for start, name in self.phases if start <= at][-1] + f" (at {at:.1f} s)"


def a_contact_name(url: str) -> str:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT c.name FROM contact c JOIN member m ON m.id = c.owner_id "
                "JOIN member boss ON boss.id = m.manager_id WHERE boss.telegram_user_id = :t "
                "AND c.deleted_at IS NULL ORDER BY c.id LIMIT 1"), {"t": MANAGER}).first()
    finally:
        engine.dispose()
    return str(row[0]) if row else "王"


STARTUP_LINES = ("produce_churn produced", "produce_stale_deals produced")


def started_jobs_done(log_path: Path) -> bool:
    """The two slowest start-up jobs have logged that they finished (or raised)."""
    text_ = log_path.read_text(errors="replace")
    return all(line in text_ for line in STARTUP_LINES)


def job_failures(log_path: Path) -> int:
    """Scheduler jobs that raised (on SQLite: mostly "database is locked" at start-up)."""
    text_ = log_path.read_text(errors="replace")
    return text_.count("raised an exception") + text_.count(" failed for team ")


def snapshots(url: str) -> int:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM profile_snapshot")).scalar_one())
    except Exception:  # noqa: BLE001 - only for the log line
        return 0
    finally:
        engine.dispose()


async def converse(standin, sampler: Sampler, db: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Send the commands one by one; wait for each answer (a document for /report)."""
    from tests.botapi_standin import FakeUser

    users = {MANAGER: FakeUser(MANAGER, "Mia", "Manager"), ADMIN: FakeUser(ADMIN, "Ada")}
    name = a_contact_name(db)
    script = [(MANAGER, "/find 王"), (MANAGER, "/find Smith"), (MANAGER, f"/contact {name}"),
              (MANAGER, "/segments"), (ADMIN, "/segments"), (MANAGER, "/report month"),
              (ADMIN, "/report month"), (ADMIN, "/find 李")]
    answers = []
    for user_id, line in script:
        sampler.mark(f"{line} as {'admin' if user_id == ADMIN else 'manager'}")
        start = len(standin.sent)
        started = time.monotonic()
        standin.user_sends(users[user_id], line)
        wanted = ("sendDocument",) if line.startswith("/report") else (
            "sendMessage", "sendPhoto", "sendDocument", "editMessageText")
        try:
            record = await standin.wait_for_sent(
                lambda s, uid=user_id, w=wanted: s["chat_id"] == uid and s["method"] in w,
                timeout=90, start=start)
            answers.append(f"{line}: {record['method']} after {time.monotonic() - started:.1f} s"
                           f" ({record['text'][:50]!r})")
        except TimeoutError:
            answers.append(f"{line}: no answer within 90 s")
        await asyncio.sleep(1.0)
    return answers


POLL_DEADLINE = 60.0


class NotPolling(Exception):
    """The bot never called getUpdates (its polling task died: see the report)."""


async def run_bot(db: str, interval: float, settle: float, startup: float, framework: str,
                  table: Table) -> None:
    from tests.botapi_standin import BotApiStandin

    standin = BotApiStandin(token=TOKEN)
    await standin.start()
    workdir = WORK / "rss-bot"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK"))}
    env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": db, "POLL_TIMEOUT": "1",
            "LOG_LEVEL": "INFO", "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": standin.base_url, "ADMIN_TELEGRAM_IDS": str(ADMIN),
            "BOT_FRAMEWORK": framework, "REMINDER_INTERVAL_SECONDS": str(interval)}
    log_path = workdir / "bot.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=workdir, env=env, stdout=log,
            stderr=asyncio.subprocess.STDOUT)
    sampler = Sampler(proc.pid)
    sampling = asyncio.create_task(sampler.run())
    backend = db.split(":")[0].split("+")[0]
    try:
        deadline = time.monotonic() + POLL_DEADLINE
        while not any(name == "getUpdates" for name, _ in standin.call_times):
            if proc.returncode is not None or time.monotonic() > deadline:
                calls = sorted({name for name, _ in standin.call_times})
                locked = log_path.read_text(errors="replace").count("database is locked")
                sampler.mark(f"no getUpdates (calls {calls}); waiting for the start-up jobs")
                deadline = time.monotonic() + startup
                while not started_jobs_done(log_path) and time.monotonic() < deadline:
                    await asyncio.sleep(0.5)
                await asyncio.sleep(settle)
                sampler.mark("start-up jobs done (never polled)")
                table.add(f"{backend} crm-bot run ({framework}): never called getUpdates (calls "
                          f"{calls}; 'database is locked' {locked}× in its log); peak RSS "
                          f"(VmHWM) through the start-up jobs", f"{sampler.peak:.0f} MB",
                          f"< {TARGET_MB:g} MB", sampler.peak < TARGET_MB)
                raise NotPolling
            await asyncio.sleep(0.1)
        sampler.mark("polling; scheduler jobs running")
        idle_rss = sampler.samples[-1][1] if sampler.samples else 0.0
        deadline = time.monotonic() + startup
        while not started_jobs_done(log_path) and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        await asyncio.sleep(settle)  # churn, care and the others finish; sends go out
        sampler.mark(f"start-up jobs done ({snapshots(db)} profile snapshots)")
        after_jobs = sampler.peak
        answers = await converse(standin, sampler, db)
        sampler.mark("commands answered; idling")
        await asyncio.sleep(settle)
        sampler.take()
        sampler.mark("end")
        end = status(proc.pid)
    finally:
        sampling.cancel()
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await standin.stop()
    for line in answers:
        print(f"  {line}")
    sent = sum(1 for s in standin.sent if s["method"] == "sendMessage")
    errors = [line for line in log_path.read_text(errors="replace").splitlines()
              if "Traceback" in line or " ERROR " in line]
    print(f"  the stand-in got {sent} sendMessage calls; {len(errors)} error lines, "
          f"{job_failures(log_path)} failed scheduler jobs in {log_path}", flush=True)
    peak = max(sampler.peak, end.get("VmHWM", 0.0))
    answered = sum(1 for line in answers if "no answer" not in line)
    name = f"{backend} crm-bot run ({framework})"
    table.add(f"{name}: commands answered", f"{answered} of {len(answers)}")
    table.add(f"{name}: scheduler jobs that raised (database is locked)",
              str(job_failures(log_path)))
    table.add(f"{name}: VmRSS once polling", f"{idle_rss:.0f} MB")
    table.add(f"{name}: VmHWM after the start-up jobs", f"{after_jobs:.0f} MB")
    table.add(f"{name}: VmRSS at the end", f"{end.get('VmRSS', 0):.0f} MB")
    table.add(f"{name}: peak RSS (VmHWM), reached during {sampler.peak_phase()}",
              f"{peak:.0f} MB", f"< {TARGET_MB:g} MB", peak < TARGET_MB)


JOB_SCRIPT = """
import sys, time
from pathlib import Path
from importlib import import_module
from crm_store.db import make_engine
from crm_store.clock import utcnow
import bot.cli, bot.ptb_transport, scheduler.runner, handlers.router  # as `crm-bot run`

def hwm():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmHWM", "VmRSS")):
            print(line.split()[0], int(line.split()[1]) // 1024, flush=True)

target = sys.argv[2]
engine = make_engine(sys.argv[1])
if target != "-":
    module, _, name = target.partition(":")
    started = time.perf_counter()
    getattr(import_module(module), name)(engine, utcnow())
    print("seconds", round(time.perf_counter() - started, 2))
hwm()
"""


def attribute(source: Path, table: Table) -> None:
    """Each scheduler job alone in a fresh process: its VmHWM over an import-only process."""
    from scheduler.runner import PRODUCERS

    def one(target: str) -> dict[str, float]:
        db = fresh_copy(source, "attribute")
        out = subprocess.run([sys.executable, "-c", JOB_SCRIPT, f"sqlite:///{db}", target],
                             capture_output=True, text=True, cwd=ROOT, check=False,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        if out.returncode:
            print(out.stderr[-2000:])
        return {line.split()[0].rstrip(":"): float(line.split()[1])
                for line in out.stdout.splitlines() if line.strip()}

    base = one("-")
    table.add("one process, imports only: VmHWM", f"{base.get('VmHWM', 0):.0f} MB")
    for target, _ in PRODUCERS:
        found = one(target)
        name = target.rpartition(":")[2]
        table.add(f"{name} alone ({found.get('seconds', 0):.1f} s): VmHWM (+ over imports)",
                  f"{found.get('VmHWM', 0):.0f} MB "
                  f"(+{found.get('VmHWM', 0) - base.get('VmHWM', 0):.0f})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench rss", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=f"sqlite:///{WORK}/s100k.sqlite3")
    parser.add_argument("--interval", type=float, default=60.0,
                        help="REMINDER_INTERVAL_SECONDS: every job runs at start-up, then "
                             "follow-ups every 1×, overdue 5×, stale deals/care/profiles 15×")
    parser.add_argument("--settle", type=float, default=20.0,
                        help="seconds to wait after the start-up jobs and after the commands")
    parser.add_argument("--startup", type=float, default=150.0,
                        help="at most this many seconds for churn and stale deals to finish "
                             "(on SQLite one of them may fail with 'database is locked')")
    parser.add_argument("--attempts", type=int, default=1,
                        help="start the bot again (fresh copy) if it does not poll")
    parser.add_argument("--pg", default="",
                        help="a PostgreSQL server URL: also run the bot on a copy of the "
                             "bench_scans_100k database there")
    parser.add_argument("--framework", default="ptb", choices=("ptb", "aiogram"))
    parser.add_argument("--attribute", action="store_true",
                        help="also run each scheduler job alone and compare peaks")
    args = parser.parse_args(argv)
    source = Path(make_url(args.db).database or "")
    if not source.exists():
        raise SystemExit(f"no data set at {args.db}: python -m bench generate --customers "
                         f"100000 --db {args.db}")
    WORK.mkdir(parents=True, exist_ok=True)
    print(uptime(), flush=True)
    table = Table("Peak memory of crm-bot run, 100k contacts")
    for attempt in range(1, args.attempts + 1):
        db = fresh_copy(source, "bot")
        try:
            asyncio.run(run_bot(f"sqlite:///{db}", args.interval, args.settle, args.startup,
                                args.framework, table))
            break
        except NotPolling:
            print(f"  attempt {attempt}: the bot did not poll", flush=True)
    if args.pg:
        from bench.bench_scans import PgStore

        store = PgStore(args.pg, "100k")  # the data set bench scans --pg made
        if not store.exists(store.url):
            raise SystemExit(f"no {store.url}: run python -m bench scans --pg {args.pg} first")
        url = store.copy(store.url, "rss")
        try:
            asyncio.run(run_bot(url.replace("+psycopg", ""), args.interval, args.settle,
                                args.startup, args.framework, table))
        except NotPolling:
            pass
        finally:
            store.drop(url)
    if args.attribute:
        attribute(source, table)
    for suffix in ("", "-wal", "-shm"):
        for name in ("bot", "attribute"):
            Path(f"{WORK}/rss-{name}.sqlite3{suffix}").unlink(missing_ok=True)
    table.print()


if __name__ == "__main__":
    main()
