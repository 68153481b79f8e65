"""Peak memory of `crm-bot run` with 100k contacts (a script, not a test).

Starts `python -m bot run` as a subprocess, as the end-to-end tests do (tests/e2e/botprocess.py),
against a copy of the 100k SQLite data set and the local Bot API stand-in
(tests/botapi_standin.py), with REMINDER_INTERVAL_SECONDS=10: every scheduler job runs at
start-up (the profiles job stores the 100k profiles and the closing snapshots; churn, care,
stale deals and the other producers write their reminders; the dispatcher sends them to the
stand-in at 30/s) and the frequent ones again soon after. (At 2 s the slow producers re-run
back to back and hold SQLite's write lock nearly all the time.) Once the start-up jobs are
done (their "produced" / "stored" log lines), a manager and the admin send /find, /contact,
/segments and /report month through the stand-in. VmHWM (the kernel's peak resident set)
and VmRSS are read from /proc/<pid>/status every 0.2 s throughout and at the end.

With `--attribute`, each scheduler job is also run alone in a fresh Python process on a fresh
copy, and its VmHWM is compared with that of a process that only imported everything: which
job needs the memory.

Target (issue 9): peak RSS < 250 MB.

Usage:
  python -m bench rss [--db sqlite:////tmp/crm-bench/s100k.sqlite3] [--interval 2]
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

from sqlalchemy.engine import make_url

from bench.tables import Table, uptime

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


def a_contact_name(db: Path) -> str:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT c.name FROM contact c JOIN member m ON m.id = c.owner_id "
            "JOIN member boss ON boss.id = m.manager_id WHERE boss.telegram_user_id = ? "
            "AND c.deleted_at IS NULL ORDER BY c.id LIMIT 1", (MANAGER,)).fetchone()
    return str(row[0]) if row else "王"


STARTUP_LINES = ("produce_churn produced", "produce_stale_deals produced",
                 "produce_care produced", "stored 3 profile snapshot(s)")


def started_jobs_done(log_path: Path) -> bool:
    """The slow start-up jobs have logged that they finished."""
    text = log_path.read_text(errors="replace")
    return all(line in text for line in STARTUP_LINES)


def snapshots(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM profile_snapshot").fetchone()[0])
    except sqlite3.Error:
        return 0


async def converse(standin, sampler: Sampler, db: Path) -> list[str]:  # type: ignore[no-untyped-def]
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
                timeout=120, start=start)
            answers.append(f"{line}: {record['method']} after {time.monotonic() - started:.1f} s"
                           f" ({record['text'][:50]!r})")
        except TimeoutError:
            answers.append(f"{line}: no answer within 120 s")
        await asyncio.sleep(1.0)
    return answers


async def run_bot(db: Path, interval: float, settle: float, framework: str,
                  table: Table) -> None:
    from tests.botapi_standin import BotApiStandin

    standin = BotApiStandin(token=TOKEN)
    await standin.start()
    workdir = WORK / "rss-bot"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK"))}
    env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{db}", "POLL_TIMEOUT": "1",
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
    try:
        deadline = time.monotonic() + 300
        while not any(name == "getUpdates" for name, _ in standin.call_times):
            if proc.returncode is not None or time.monotonic() > deadline:
                calls = sorted({name for name, _ in standin.call_times})
                raise RuntimeError(f"the bot did not start polling (calls: {calls}):\n"
                                   f"{log_path.read_text()[-3000:]}")
            await asyncio.sleep(0.1)
        sampler.mark("polling; scheduler jobs running")
        idle_rss = sampler.samples[-1][1] if sampler.samples else 0.0
        deadline = time.monotonic() + 300
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
    print(f"  the stand-in got {sent} sendMessage calls; {len(errors)} error lines in "
          f"{log_path}", flush=True)
    peak = max(sampler.peak, end.get("VmHWM", 0.0))
    table.add(f"crm-bot run ({framework}), VmRSS once polling", f"{idle_rss:.0f} MB")
    table.add(f"crm-bot run ({framework}), VmHWM after start-up jobs", f"{after_jobs:.0f} MB")
    table.add(f"crm-bot run ({framework}), VmRSS at the end", f"{end.get('VmRSS', 0):.0f} MB")
    table.add(f"crm-bot run ({framework}), peak RSS (VmHWM), reached during "
              f"{sampler.peak_phase()}", f"{peak:.0f} MB", f"< {TARGET_MB:g} MB",
              peak < TARGET_MB)


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
    parser.add_argument("--interval", type=float, default=10.0,
                        help="REMINDER_INTERVAL_SECONDS: every job runs at start-up, then "
                             "follow-ups every 1×, overdue 5×, stale deals/care/profiles 15×")
    parser.add_argument("--settle", type=float, default=20.0,
                        help="seconds to wait after the start-up jobs and after the commands")
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
    db = fresh_copy(source, "bot")
    asyncio.run(run_bot(db, args.interval, args.settle, args.framework, table))
    if args.attribute:
        attribute(source, table)
    for suffix in ("", "-wal", "-shm"):
        for name in ("bot", "attribute"):
            Path(f"{WORK}/rss-{name}.sqlite3{suffix}").unlink(missing_ok=True)
    table.print()


if __name__ == "__main__":
    main()
