"""Time the scheduler's nightly scans at 10k and 100k customers (a script, not a test).

Every job in scheduler/runner.py PRODUCERS (profiles refresh, churn, care lists, stale deals,
follow-ups, SLA, digests, catch-ups) is called exactly as the runner calls it:
`job(engine, now)`, the job opening its own transactions. Each job runs on a fresh copy of
the data set (a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL), so every
first run is comparable: cold, writing its outbox rows. It then runs again at the same
moment (its rows exist: the dedupe keys make it write nothing) to see whether re-runs are
cheaper.

The generator makes no loyalty points or coupons, so before anything is timed each data set
gets some (`seed_loyalty`): 20% of customers hold 1–3 grants of points lapsing evenly over
the next year (a few lapsed yesterday), some partly spent, and 5% hold a coupon expiring in
the next 90 days. The care job then has points to expire and expiring points to tell about.
SQLite copies get no ANALYZE (the app never runs it there, so the planner has no statistics);
PostgreSQL databases are VACUUM ANALYZEd once, as autovacuum would.

The profiles job does nothing for a team under `profiles.LIVE_LIMIT` (20,000) contacts, so
its 10k time is not a baseline: the profile statement alone (`refresh_outside_lock`) is
timed at both sizes for the ratio. Churn, segments and reports of a big team read the stored
profiles, so the other jobs run on a copy where the profiles job has already run.

Targets (issue 9): each 100k scan under 5 s, and at most 12× its 10k time.

Usage:
  python -m bench scans [--small sqlite:////tmp/crm-bench/s10k.sqlite3]
                        [--big sqlite:////tmp/crm-bench/s100k.sqlite3] [--only churn]
  python -m bench scans --pg postgresql://postgres@127.0.0.1:5432/test  # databases
        bench_scans_10k / bench_scans_100k next to `test` (generated if missing; --drop)
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Engine, make_url

from bench.tables import Table, load, uptime
from crm_store.analytics import profiles
from crm_store.analytics.segment_rules import params_for
from crm_store.clock import utcnow
from crm_store.db import make_engine, normalise_url, unit_of_work
from crm_store.migrate import upgrade
from crm_store.models import Contact, Coupon, LoyaltyEntry, Outbox, Team
from crm_store.outreach.care import statutory_first_days
from scheduler.runner import PRODUCERS

TARGET_SECONDS = 5.0
TARGET_RATIO = 12.0
WORK = Path("/tmp/crm-bench")
SIZES = {"10k": 10_000, "100k": 100_000}
Job = Callable[[Engine, datetime], int]


def _resolve(target: str) -> Job:
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)  # type: ignore[no-any-return]


JOBS: dict[str, str] = {target.rpartition(":")[2]: target for target, _ in PRODUCERS}
PROFILES = "refresh_profiles_job"


# --- where the data lives: a file to copy, or a PostgreSQL database to use as a template ----


class Store:
    """A data set that can be copied afresh before each measured run."""

    def __init__(self, url: str, label: str) -> None:
        self.url, self.label = url, label

    def copy(self, source: str, name: str) -> str:
        raise NotImplementedError

    def exists(self, url: str) -> bool:
        raise NotImplementedError

    def drop(self, url: str) -> None:
        raise NotImplementedError


class SqliteStore(Store):
    @staticmethod
    def path(url: str) -> Path:
        return Path(make_url(url).database or "")

    def exists(self, url: str) -> bool:
        return self.path(url).exists()

    def copy(self, source: str, name: str) -> str:
        """Copy the file (checkpointed first, so the WAL holds nothing) to WORK/`name`."""
        src = self.path(source)
        conn = sqlite3.connect(src, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        dst = WORK / f"scans-{self.label}-{name}.sqlite3"
        self.drop(f"sqlite:///{dst}")
        shutil.copyfile(src, dst)
        return f"sqlite:///{dst}"

    def drop(self, url: str) -> None:
        path = self.path(url)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


class PgStore(Store):
    """Databases next to the server URL's own: bench_scans_<label>[_<name>]."""

    def __init__(self, server: str, label: str) -> None:
        self.server = make_url(normalise_url(server))
        super().__init__(self._url(f"bench_scans_{label}"), label)
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")

    def _url(self, database: str) -> str:
        return self.server.set(database=database).render_as_string(hide_password=False)

    def exists(self, url: str) -> bool:
        with self.admin.connect() as conn:
            return conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"),
                                {"d": make_url(url).database}).first() is not None

    def create(self, url: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{make_url(url).database}"')

    def copy(self, source: str, name: str) -> str:
        url = self._url(f"bench_scans_{self.label}_{name}")
        self.drop(url)
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{make_url(url).database}" '
                                 f'TEMPLATE "{make_url(source).database}"')
        return url

    def drop(self, url: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" '
                                 f'WITH (FORCE)')


# --- the data set ------------------------------------------------------------------------------


def seed_loyalty(engine: Engine, now: datetime, seed: int = 9) -> tuple[int, int]:
    """Give 20% of customers points (lapsing over the next year) and 5% a coupon."""
    rng = random.Random(seed)
    with unit_of_work(engine) as session:
        conn = session.connection()
        team_id = conn.execute(select(Team.id).order_by(Team.id)).scalar_one()
        contacts = conn.execute(select(Contact.id, Contact.owner_id).where(
            Contact.team_id == team_id).order_by(Contact.id)).all()
        entries: list[dict[str, Any]] = []
        coupons: list[dict[str, Any]] = []
        for contact_id, owner_id in contacts:
            if rng.random() < 0.20:
                balance = 0
                for _ in range(rng.randint(1, 3)):
                    expires = now + timedelta(days=rng.uniform(-1, 365))
                    points = rng.randrange(100, 2000, 10)
                    balance += points
                    entries.append({"team_id": team_id, "contact_id": contact_id,
                                    "member_id": owner_id, "order_id": None, "kind": "manual",
                                    "delta": points, "balance_after": balance, "reason": "bench",
                                    "expires_at": expires,
                                    "created_at": expires - timedelta(days=365)})
                if rng.random() < 0.3:
                    spent = rng.randrange(10, balance + 1, 10)
                    balance -= spent
                    entries.append({"team_id": team_id, "contact_id": contact_id,
                                    "member_id": owner_id, "order_id": None, "kind": "manual",
                                    "delta": -spent, "balance_after": balance, "reason": "bench",
                                    "expires_at": None,
                                    "created_at": now - timedelta(days=rng.uniform(1, 300))})
            if rng.random() < 0.05:
                coupons.append({"team_id": team_id, "contact_id": contact_id,
                                "code": f"B{contact_id}", "value_minor": rng.randrange(50, 500)
                                * 100, "currency": "CNY", "note": "bench",
                                "issued_by_id": owner_id, "issued_at": now - timedelta(days=30),
                                "expires_at": now + timedelta(days=rng.uniform(0.1, 90)),
                                "redeemed_at": None, "redeemed_by_id": None})
        for start in range(0, len(entries), 5000):
            conn.execute(insert(LoyaltyEntry), entries[start:start + 5000])
        if coupons:
            conn.execute(insert(Coupon), coupons)
    return len(entries), len(coupons)


def ensure_data(store: Store, customers: int, now: datetime) -> str:
    """The data set with loyalty seeded (made once, then reused); returns its URL."""
    if isinstance(store, PgStore):
        if not store.exists(store.url):
            from bench.generate import generate_dataset

            print(f"generating {customers:,} customers into {store.url} …", flush=True)
            store.create(store.url)
            engine = make_engine(store.url)
            upgrade(engine)
            generate_dataset(engine, customers=customers)
            seed_loyalty(engine, now)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
            engine.dispose()
        return store.url
    if not store.exists(store.url):
        raise SystemExit(f"no data set at {store.url}: run python -m bench generate "
                         f"--customers {customers} --db {store.url}")
    seeded = WORK / f"scans-{store.label}-seeded.sqlite3"
    if not seeded.exists() or seeded.stat().st_mtime < SqliteStore.path(store.url).stat().st_mtime:
        url = store.copy(store.url, "seeding")
        engine = make_engine(url)
        seed_loyalty(engine, now)
        engine.dispose()  # no ANALYZE: the app never runs it on SQLite (bench/generate.py)
        shutil.move(SqliteStore.path(url), seeded)
    return f"sqlite:///{seeded}"


def counts(url: str) -> str:
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        conn = session.connection()
        n = {name: conn.execute(select(func.count()).select_from(model)).scalar_one()
             for name, model in (("contacts", Contact), ("loyalty entries", LoyaltyEntry),
                                 ("coupons", Coupon), ("outbox rows", Outbox))}
    engine.dispose()
    return ", ".join(f"{v:,} {k}" for k, v in n.items())


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Run:
    """One job on one size: the first run (writing its rows) and a re-run at the same time."""

    job: str
    size: str
    first: float
    rows: int
    rerun: float
    rerun_rows: int
    parts: dict[str, float] = field(default_factory=dict)
    load: str = field(default_factory=load)  # when the first run ended


def timed(job: Job, engine: Engine, now: datetime) -> tuple[float, int]:
    started = time.perf_counter()
    made = job(engine, now)
    return time.perf_counter() - started, int(made or 0)


def outbox_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Outbox)).scalar_one())


@contextmanager
def care_parts() -> Iterator[dict[str, float]]:
    """Time the parts of the care job (birthdays, anniversaries, …) while it runs as usual."""
    from crm_store.outreach import care, loyalty_expiry
    from scheduler import care as job

    spent: dict[str, float] = defaultdict(float)
    patched: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed_part(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started

        patched.append((owner, name, original))
        setattr(owner, name, timed_part)

    wrap(job._TeamCare, "birthdays", "birthdays")
    wrap(job._TeamCare, "anniversaries", "anniversaries")
    wrap(job._TeamCare, "holiday", "holiday lists")
    wrap(job._TeamCare, "loyalty", "expiring points/coupons")
    wrap(loyalty_expiry, "expire_lapsed", "expire lapsed points")
    wrap(care, "customer_values", "tiers (customer values)")
    try:
        yield spent
    finally:
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)


def measure(store: Store, base: str, job_name: str, now: datetime) -> Run:
    """Copy `base`, run the job cold (writing rows), then again at the same moment."""
    url = store.copy(base, "work")
    engine = make_engine(url)
    job = _resolve(JOBS[job_name])
    try:
        with care_parts() if job_name == "produce_care" else _nothing() as parts:
            first, made = timed(job, engine, now)
        rerun, again = timed(job, engine, now)
        return Run(job_name, store.label, first, made, rerun, again, dict(parts or {}))
    finally:
        engine.dispose()


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def profile_job(store: Store, base: str, job_name: str, now: datetime) -> None:
    """pyinstrument one first run of the job on a fresh copy; print the slowest frames."""
    from pyinstrument import Profiler

    url = store.copy(base, "work")
    engine = make_engine(url)
    profiler = Profiler()
    try:
        with profiler:
            _resolve(JOBS[job_name])(engine, now)
    finally:
        engine.dispose()
    out = WORK / f"scans-profile-{store.label}-{job_name}.html"
    out.write_text(profiler.output_html())
    print(f"\n--- profile of {job_name} at {store.label} ({out}) ---")
    print(profiler.output_text(unicode=True, color=False, show_all=False)[:5000], flush=True)


def profile_statement(store: Store, base: str, now: datetime) -> float:
    """The profile statement alone, stored the scheduler's way, whatever the team's size."""
    url = store.copy(base, "work")
    engine = make_engine(url)
    try:
        with unit_of_work(engine) as session:
            team = session.scalars(select(Team)).first()
            assert team is not None
            p = params_for(session, team, now)
        started = time.perf_counter()
        if engine.dialect.name == "postgresql":
            with unit_of_work(engine) as session:
                profiles.refresh(session, p)
        else:
            profiles.refresh_outside_lock(engine, p)
        return time.perf_counter() - started
    finally:
        engine.dispose()


def next_holiday(today: date) -> tuple[date, str]:
    """The first day of the next Chinese statutory holiday on or after `today`."""
    days = statutory_first_days(today.year) | statutory_first_days(today.year + 1)
    day = min(d for d in days if d >= today)
    return day, days[day]


def fmt(seconds: float) -> str:
    return f"{seconds:.3f} s"


def run_backend(stores: dict[str, Store], only: list[str], table: Table, now: datetime,
                profile: bool = False) -> None:
    """Every scan at both sizes on one backend, with the targets."""
    bases = {size: ensure_data(store, SIZES[size], now) for size, store in stores.items()}
    backend = next(iter(stores.values())).url.split(":")[0].split("+")[0]
    for size, base in bases.items():
        print(f"{backend} {size}: {counts(base)}", flush=True)
    prepared: dict[str, str] = {}
    results: dict[tuple[str, str], Run] = {}
    statement: dict[str, tuple[float, str]] = {}
    # The profiles job first: its result (snapshots as of `now`) is the base of the others.
    for size, store in stores.items():
        url = store.copy(bases[size], "work")
        engine = make_engine(url)
        job = _resolve(JOBS[PROFILES])
        first, _ = timed(job, engine, now)
        rerun, _ = timed(job, engine, now)
        engine.dispose()
        prepared[size] = store.copy(url, "prepared")
        engine = make_engine(url)
        stale, _ = timed(job, engine, now + profiles.REFRESH_AGE + timedelta(minutes=1))
        engine.dispose()
        results[(PROFILES, size)] = Run(PROFILES, size, first, 0, rerun, 0,
                                        {"rolling snapshot refresh 46 min later": stale})
        statement[size] = (profile_statement(store, bases[size], now), load())
        print(f"{backend} {size} profiles: first {first:.2f} s, re-run {rerun:.3f} s, "
              f"stale {stale:.2f} s, statement {statement[size][0]:.2f} s", flush=True)
    holiday, name = next_holiday(now.date())
    holiday_now = datetime.combine(holiday, datetime.min.time(), UTC) + timedelta(hours=2)
    names = [n for n in JOBS if n != PROFILES and (not only or any(o in n for o in only))]
    for job_name in names:
        for size, store in stores.items():
            run = measure(store, prepared[size], job_name, now)
            results[(job_name, size)] = run
            if profile and size == "100k" and run.first >= TARGET_SECONDS:
                profile_job(store, prepared[size], job_name, now)
            print(f"{backend} {size} {job_name}: first {run.first:.3f} s ({run.rows} rows), "
                  f"re-run {run.rerun:.3f} s ({run.rerun_rows} rows) {_parts(run)}", flush=True)
            if job_name == "produce_care":
                run = measure(store, prepared[size], job_name, holiday_now)
                results[("produce_care@holiday", size)] = run
                print(f"{backend} {size} care on {name} {holiday}: first {run.first:.3f} s "
                      f"({run.rows} rows), re-run {run.rerun:.3f} s {_parts(run)}", flush=True)
    for store in stores.values():
        for name_ in ("work", "prepared"):
            if isinstance(store, PgStore):
                store.drop(store._url(f"bench_scans_{store.label}_{name_}"))
            else:
                store.drop(f"sqlite:///{WORK / f'scans-{store.label}-{name_}.sqlite3'}")
    report(table, backend, results, statement, f"{name} {holiday}")


def _parts(run: Run) -> str:
    return ", ".join(f"{k} {v:.3f} s" for k, v in run.parts.items())


def report(table: Table, backend: str, results: dict[tuple[str, str], Run],
           statement: dict[str, tuple[float, str]], holiday: str) -> None:
    jobs = sorted({job for job, _ in results}, key=lambda j: (j != PROFILES, j))
    for job in jobs:
        small, big = results.get((job, "10k")), results.get((job, "100k"))
        label = job.replace("@holiday", f" (on {holiday})")
        for run in (small, big):
            if run is None:
                continue
            ok = run.first < TARGET_SECONDS if run.size == "100k" else None
            table.add(f"{backend} {label} {run.size}: first run ({run.rows} rows written)",
                      fmt(run.first), f"< {TARGET_SECONDS:g} s" if ok is not None else "", ok,
                      run.load)
            table.add(f"{backend} {label} {run.size}: re-run, same moment",
                      f"{fmt(run.rerun)} ({run.rerun / run.first:.0%} of first)", at_load=run.load)
            for part, seconds in run.parts.items():
                table.add(f"{backend} {label} {run.size}: … {part}", fmt(seconds),
                          at_load=run.load)
        if small and big and job != PROFILES:
            ratio = big.first / small.first
            table.add(f"{backend} {label}: 100k / 10k (first runs)", f"{ratio:.1f}×",
                      f"≤ {TARGET_RATIO:g}×", ratio <= TARGET_RATIO, big.load)
    if len(statement) == 2:
        for size, (seconds, at) in statement.items():
            table.add(f"{backend} profile statement alone {size} (refresh_outside_lock)",
                      fmt(seconds), f"< {TARGET_SECONDS:g} s" if size == "100k" else "",
                      seconds < TARGET_SECONDS if size == "100k" else None, at)
        ratio = statement["100k"][0] / statement["10k"][0]
        table.add(f"{backend} profile statement: 100k / 10k", f"{ratio:.1f}×",
                  f"≤ {TARGET_RATIO:g}×", ratio <= TARGET_RATIO, statement["100k"][1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench scans", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", default=f"sqlite:///{WORK}/s10k.sqlite3")
    parser.add_argument("--big", default=f"sqlite:///{WORK}/s100k.sqlite3")
    parser.add_argument("--pg", default="", help="a PostgreSQL server URL: run there instead")
    parser.add_argument("--drop", action="store_true",
                        help="with --pg: drop the bench_scans_* databases afterwards")
    parser.add_argument("--profile", action="store_true",
                        help="pyinstrument each 100k job over the target (after timing it)")
    parser.add_argument("--only", action="append", default=[],
                        help="jobs whose name contains this (the profiles job always runs)")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    print(uptime(), flush=True)
    now = utcnow()
    stores: dict[str, Store]
    if args.pg:
        stores = {size: PgStore(args.pg, size) for size in SIZES}
    else:
        stores = {"10k": SqliteStore(args.small, "10k"), "100k": SqliteStore(args.big, "100k")}
    table = Table("Nightly scans (scheduler jobs), first run on a fresh copy and re-run")
    try:
        run_backend(stores, args.only, table, now, args.profile)
    finally:
        if args.pg and args.drop:
            for store in stores.values():
                store.drop(store.url)
    table.print()


if __name__ == "__main__":
    main()
