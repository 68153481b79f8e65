"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL when reachable)."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from crm_store.db import make_engine, unit_of_work
from crm_store.migrate import upgrade

POSTGRES_URL = os.environ.get("CRM_TEST_POSTGRES_URL", "")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (addopts in pyproject.toml): one worker per core, and one more.

    A good part of the suite waits rather than computes (the bot subprocesses of the e2e tests,
    paced sends, PostgreSQL), so one worker more than there are cores keeps the cores busy while
    one of them waits. PYTEST_XDIST_AUTO_NUM_WORKERS overrides.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    return len(os.sched_getaffinity(0)) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long tests first (`slow`, then `e2e`), the rest in file order, `alone` tests last.

    With pytest-xdist (see addopts in pyproject.toml) every worker then starts on a long test
    while the short ones fill in around them, instead of one long test holding up the end of
    the run; the `alone` tests, which stop the other workers while they run, come when only
    short tests are left to wait for. The order is the same in every worker, as xdist requires.
    """
    def rank(item: pytest.Item) -> int:
        marks = {mark.name for mark in item.iter_markers()}
        return 3 if "alone" in marks else 0 if "slow" in marks else 1 if "e2e" in marks else 2

    items.sort(key=rank)  # stable: the order within each rank is kept


@pytest.fixture(autouse=True)
def _machine_to_itself_for_alone_tests(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """An `alone` test runs while no test runs in another xdist worker.

    Every test holds a shared lock on a file all workers of the run see; an `alone` test holds
    it exclusively, so it starts once the tests running elsewhere are done, and the others wait
    for it. A turnstile lock, taken on the way in, keeps the stream of shared holders from
    starving it. Without xdist there is nothing to share and nothing is locked.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    run_dir = tmp_path_factory.getbasetemp().parent  # <basetemp>/popen-gwN: one per run
    alone = request.node.get_closest_marker("alone") is not None
    with open(run_dir / "turnstile.lock", "a") as turnstile, \
            open(run_dir / "running.lock", "a") as running:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(running, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        finally:
            if not alone:
                fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(running, fcntl.LOCK_UN)
            if alone:
                fcntl.flock(turnstile, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; every test gets a copy of the file (fast, and migrations are exercised)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the main file
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated SQLite database file."""
    path = tmp_path / "crm.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _postgres_reason() -> str | None:
    if not POSTGRES_URL:
        return "CRM_TEST_POSTGRES_URL is not set (.ci/run sets it to the local server)"
    try:
        probe = make_engine(POSTGRES_URL)
        with probe.connect():
            pass
        probe.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL at CRM_TEST_POSTGRES_URL is not reachable: {exc.__class__.__name__}"
    return None


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[Engine]:
    """Migrate the PostgreSQL test database once per run, from an empty schema."""
    reason = _postgres_reason()
    if reason:
        pytest.skip(reason)
    schema = f"crm_test_{os.getpid()}"  # one schema per test run: parallel runs never collide
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(_with_schema(POSTGRES_URL, schema))
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def _with_schema(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture
def postgres_engine(postgres_migrated: Engine) -> Iterator[Engine]:
    """The migrated PostgreSQL database, emptied before each test."""
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with postgres_migrated.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield postgres_migrated


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each store test runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def session(engine: Engine):  # type: ignore[no-untyped-def]
    """One unit of work on the parametrised engine."""
    with unit_of_work(engine) as s:
        yield s


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    """Every test starts with empty caches (search keys and indexes, segment answers)."""
    from crm_store.analytics import segments
    from crm_store.contacts import contacts, search

    contacts.SEARCH_CACHES.clear()
    search.INDEXES.clear()
    segments.MEMO.clear()
