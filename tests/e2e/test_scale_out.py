"""Scale-out on PostgreSQL: two `crm-bot run` in webhook mode behind one address, two
`crm-bot worker`. One user's updates are handled in the order they were sent even when they
land on different processes, a form started on one process continues on the other, and
every reminder is sent once."""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text

from crm_store.clock import utcnow
from crm_store.db import make_engine, unit_of_work
from crm_store.messaging import outbox
from crm_store.models import Member
from crm_store.sales import tasks
from tests.botapi_standin import BotApiStandin, FakeUser
from tests.builders import make_contact, make_member
from tests.conftest import POSTGRES_URL, _postgres_reason, _with_schema
from tests.e2e.botprocess import BotProcess, free_port
from tests.e2e.conftest import TOKEN
from tests.e2e.test_ptb_polling import say

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.postgres]

USERS = [FakeUser(1001 + n, name, language_code="en") for n, name in
         enumerate(("Ada", "Bo", "Cy"))]
SECRET = "scale-0ut_secret"
NAMES = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel")
SURNAMES = {1001: "Adams", 1002: "Baker", 1003: "Carter"}


class RoundRobinProxy:
    """One public webhook address feeding two backends in turn, as a load balancer would."""

    def __init__(self, backends: list[str]) -> None:
        self.backends, self._turn = backends, itertools.cycle(range(len(backends)))
        self.forwarded: list[tuple[int, int, int]] = []  # (update_id, backend, status)
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def start(self, port: int) -> None:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()

    async def stop(self) -> None:
        if self._http:
            await self._http.close()
        if self._runner:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        body, turn = await request.read(), next(self._turn)
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        assert self._http is not None
        try:
            async with self._http.post(f"{self.backends[turn]}{request.path}", data=body,
                                       headers=headers) as answer:
                status, reply = answer.status, await answer.text()
        except aiohttp.ClientError:
            status, reply = 502, "backend down"
        update_id = int((await request.json()).get("update_id", 0))
        self.forwarded.append((update_id, turn, status))
        return web.Response(status=status, text=reply)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty schema on the test PostgreSQL server, dropped afterwards."""
    reason = _postgres_reason()
    if reason:
        pytest.skip(reason)
    schema = f"crm_scale_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _with_schema(POSTGRES_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
async def processes(tmp_path: Path) -> AsyncIterator[list[BotProcess]]:
    """Every process the test starts; each is stopped with SIGTERM afterwards."""
    started: list[BotProcess] = []
    yield started
    await asyncio.gather(*(p.stop() for p in started if p.proc is not None))


async def wait_healthy(port: int, process: BotProcess) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(1200):  # up to 60 s: four processes start on two cores
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"webhook on {port} never answered\n{process.log()}")


def owners(engine, first_update: int, last_update: int) -> Counter[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT claimed_by FROM inbox WHERE update_id BETWEEN :a AND :b"),
                            {"a": first_update, "b": last_update}).all()
    return Counter(str(row[0]) for row in rows)


async def test_two_webhook_processes_and_two_workers_share_one_postgres(
    standin: BotApiStandin, pg_url: str, processes: list[BotProcess], tmp_path: Path
) -> None:
    proxy_port, port_a, port_b = free_port(), free_port(), free_port()
    proxy = RoundRobinProxy([f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"])
    await proxy.start(proxy_port)
    common = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": standin.base_url,
              "DATABASE_URL": pg_url, "ADMIN_TELEGRAM_IDS": ",".join(str(u.id) for u in USERS),
              "WEBHOOK_URL": f"http://127.0.0.1:{proxy_port}/tg/hook",
              "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": "127.0.0.1", "RUN_REMINDERS": "false"}
    try:
        # Process A waits 0.3 s before it takes each update: without the per-chat order, B
        # would answer a user's next message before A answered the one before.
        runs = [BotProcess(tmp_path / "a", common | {"WEBHOOK_PORT": str(port_a),
                                                    "CRM_TEST_HOLD_AFTER_INBOX": "0.3"}),
                BotProcess(tmp_path / "b", common | {"WEBHOOK_PORT": str(port_b)})]
        for run in runs:
            run.workdir.mkdir()
            processes.append(run)
        await asyncio.gather(*(run.start() for run in runs))
        await asyncio.gather(wait_healthy(port_a, runs[0]), wait_healthy(port_b, runs[1]))
        for user in USERS:
            await say(standin, user, "/start", "Welcome")
        engine = make_engine(pg_url)

        # 1. A burst: 8 messages from each of 3 users, interleaved, alternating processes.
        first = standin.updates[-1]["update_id"] + 1
        for name in NAMES:
            for user in USERS:
                standin.user_sends(user, f"/add {name} {SURNAMES[user.id]}")
        await standin.wait_for_sent(
            lambda _s: sum("Added <b>" in s["text"] for s in standin.sent) == 24, timeout=90)
        for user in USERS:
            answered = [s["text"] for s in standin.sent
                        if s["chat_id"] == user.id and "Added <b>" in s["text"]]
            assert answered == [f"✅ Added <b>{name} {SURNAMES[user.id]}</b>." for name in NAMES]
            with engine.connect() as conn:
                stored = [row[0] for row in conn.execute(text(
                    "SELECT name FROM contact WHERE name LIKE :s ORDER BY id"),
                    {"s": f"% {SURNAMES[user.id]}"})]
            assert stored == [f"{name} {SURNAMES[user.id]}" for name in NAMES]
        burst_owners = owners(engine, first, first + 23)
        assert sum(burst_owners.values()) == 24
        assert {status for _, _, status in proxy.forwarded} == {200}
        assert {turn for _, turn, _ in proxy.forwarded} == {0, 1}  # both received updates

        # 2. A form whose steps land on the two processes in turn.
        ada, form_first = USERS[0], standin.updates[-1]["update_id"] + 1
        # Each answer comes a moment after the question, as a person types: the process that
        # received a step handles it (right after a reply, the other may take it in turn).
        for answer, expect in (("/add", "name?"), ("Formy McFormface", "Company?"),
                               ("Acme Forms", "Phone number?"), ("+44 20 7946 0001", "Email?"),
                               ("formy@example.com", "Added <b>Formy McFormface</b>")):
            await say(standin, ada, answer, expect)
            await asyncio.sleep(0.5)
        form_owners = owners(engine, form_first, form_first + 4)
        assert len(form_owners) == 2, (form_owners, proxy.forwarded[-6:])  # both took steps
        with engine.connect() as conn:
            assert conn.execute(text(
                "SELECT phone, email FROM contact WHERE name = 'Formy McFormface'")).all() == [
                ("+442079460001", "formy@example.com")]

        # 3. Reminders: 60 digests due now and 3 follow-ups falling due; two workers.
        chats = await _reminders_ready(engine)
        metrics_ports = [free_port(), free_port()]
        workers = [BotProcess(tmp_path / name, common | {
            "BOT_COMMAND": "worker", "REMINDER_INTERVAL_SECONDS": "1",
            "DISPATCH_LEASE_SECONDS": "3", "METRICS_PORT": str(port)})
            for name, port in zip(("w1", "w2"), metrics_ports, strict=True)]
        for worker in workers:
            worker.workdir.mkdir()
            processes.append(worker)
        await asyncio.gather(*(worker.start() for worker in workers))
        expected = len(chats) + len(USERS)
        for _ in range(1800):
            with engine.connect() as conn:
                done = conn.execute(text(
                    "SELECT count(*) FROM outbox WHERE status = 'sent' AND "
                    "(kind = 'followup_due' OR dedupe_key LIKE 'scale:%')")).scalar_one()
            if done >= expected:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("reminders not all sent\n" + workers[0].log()
                                 + workers[1].log())
        await asyncio.sleep(3)  # a second send, if any, would come within a lease
        with engine.connect() as conn:  # one row per reminder, each sent
            kinds = conn.execute(text(
                "SELECT kind, status, count(*) FROM outbox WHERE kind = 'followup_due' "
                "OR dedupe_key LIKE 'scale:%' GROUP BY kind, status ORDER BY kind")).all()
        assert kinds == [("digest", "sent", 60), ("followup_due", "sent", 3)]
        # 4. Operations: each process serves /healthz and /metrics (workers on METRICS_PORT).
        async with aiohttp.ClientSession() as http:
            for port in (port_a, port_b, *metrics_ports):
                async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    assert answer.status == 200
                    assert (await answer.json())["ok"] is True
                async with http.get(f"http://127.0.0.1:{port}/metrics") as answer:
                    exposition = await answer.text()
                assert "crm_database_up 1.0" in exposition
                assert "\ncrm_outbox_backlog " in exposition
                handled = [line for line in exposition.splitlines() if line.startswith(
                    'crm_updates_total{kind="command",outcome="ok"}')]
                if port in (port_a, port_b):  # both runs handled commands
                    assert handled and float(handled[0].split()[-1]) >= 1, exposition
        digests = Counter(s["chat_id"] for s in standin.sent if s["chat_id"] in chats)
        assert digests == Counter({chat: 1 for chat in chats})
        followups = Counter(s["chat_id"] for s in standin.sent
                            if "Reminder Ruth" in s["text"])
        assert followups == Counter({user.id: 1 for user in USERS}), followups
        engine.dispose()
    finally:
        await proxy.stop()


async def _reminders_ready(engine) -> set[int]:  # type: ignore[no-untyped-def]
    """Open the admins' day (hours 0–24, UTC), give each a follow-up due in 20 s, and queue a
    digest for 60 new members; return the digest chats."""
    with unit_of_work(engine) as session:
        for user in USERS:
            session.execute(text("UPDATE member SET work_start = 0, work_end = 24, "
                                 "timezone = 'UTC' WHERE telegram_user_id = :id"),
                            {"id": user.id})
    admin = _member(engine, USERS[0].id)
    for user in USERS:
        owner = _member(engine, user.id)
        contact = make_contact(engine, owner=owner, name=f"Reminder Ruth {user.id}")
        with unit_of_work(engine) as session:
            actor = session.get(Member, owner.id)
            assert actor is not None
            tasks.create_task(session, actor=actor, contact_id=contact.id or 0,
                              due_at=utcnow() + timedelta(seconds=20), text="call back")
    chats: set[int] = set()
    for n in range(60):
        member = make_member(engine, by=admin, telegram_user_id=7_000 + n, name=f"Rep {n}")
        with unit_of_work(engine) as session:
            row = session.get(Member, member.id)
            assert row is not None
            outbox.enqueue(session, member=row, kind="digest", dedupe_key=f"scale:{member.id}",
                           due_at=utcnow() - timedelta(seconds=5),
                           payload={"period": "day", "date": "2026-12-04",
                                    "figures": {"calls": 3}})
        chats.add(7_000 + n)
    return chats


def _member(engine, telegram_user_id: int) -> Member:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        found = session.execute(text("SELECT id FROM member WHERE telegram_user_id = :id"),
                                {"id": telegram_user_id}).scalar_one()
        member = session.get(Member, found)
        assert member is not None
        session.expunge(member)
        return member

