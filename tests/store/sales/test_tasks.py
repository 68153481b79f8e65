"""Follow-up tasks in the store: UTC due times, visibility, agenda windows, completion, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm_store.db import unit_of_work
from crm_store.errors import Invalid, NotFound
from crm_store.models import (
    AuditLog,
    Contact,
    Deal,
    DealStatus,
    Member,
    Role,
    Task,
    TaskStatus,
    Team,
)
from crm_store.sales import tasks
from tests.builders import make_admin, make_contact, make_member

NOW = datetime(2026, 11, 18, 6, 30, tzinfo=UTC)


def add_task(engine: Engine, *, owner: Member, contact: Contact | None, due: datetime,
             text: str = "call", status: TaskStatus = TaskStatus.OPEN) -> Task:
    """A task row as it would stand at any time (past due ones included)."""
    with unit_of_work(engine) as s:
        task = Task(team_id=owner.team_id, owner_id=owner.id or 0,
                    contact_id=contact.id if contact else None, text=text, due_at=due,
                    status=status)
        s.add(task)
        s.flush()
        return task


def add_deal(engine: Engine, *, owner: Member, contact: Contact, closes: date | None,
             title: str = "Big order", status: DealStatus = DealStatus.OPEN) -> Deal:
    """An open deal with an expected close date."""
    with unit_of_work(engine) as s:
        deal = Deal(team_id=owner.team_id, owner_id=owner.id or 0,
                           contact_id=contact.id or 0, title=title, amount_minor=5_000_000,
                           stage="proposal", status=status, expected_close=closes)
        s.add(deal)
        s.flush()
        return deal


def other_team_member(engine: Engine) -> Member:
    """A rep in a different team (teams never see each other)."""
    with unit_of_work(engine) as s:
        team = Team(name="Rivals")
        s.add(team)
        s.flush()
        member = Member(team_id=team.id or 0, telegram_user_id=990_001, display_name="Rival",
                        role=Role.ADMIN)
        s.add(member)
        s.flush()
        return member


@pytest.fixture
def org(engine: Engine) -> dict[str, Member]:
    """admin → manager → rep; rep_other under the admin."""
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Manager")
    rep = make_member(engine, by=manager, name="Rep")
    rep_other = make_member(engine, by=admin, name="Other rep")
    return {"admin": admin, "manager": manager, "rep": rep, "rep_other": rep_other}


def me(s: Session, member: Member) -> Member:
    row = s.get(Member, member.id)
    assert row is not None
    return row


def test_create_task_keeps_due_in_utc_and_writes_audit(engine: Engine, org: dict) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    due = datetime(2026, 11, 19, 15, 0, tzinfo=UTC).astimezone(tz=None)  # any aware zone
    with unit_of_work(engine) as s:
        task = tasks.create_task(s, actor=me(s, org["rep"]), contact_id=client.id or 0,
                                 due_at=due, text="  发报价 ", now=NOW)
    with Session(engine) as s:
        stored = s.get(Task, task.id)
        assert stored is not None
        assert stored.due_at == datetime(2026, 11, 19, 15, 0, tzinfo=UTC)
        assert stored.text == "发报价" and stored.status == TaskStatus.OPEN
        assert stored.owner_id == org["rep"].id
        audit = s.exec(select(AuditLog).where(AuditLog.entity == "task")).one()
        assert audit.action == "create" and audit.after is not None
        assert audit.after["text"] == "发报价"


@pytest.mark.parametrize(("due", "text", "key"), [
    (NOW - timedelta(minutes=1), "call", "followup.past"),
    (NOW, "call", "followup.past"),
    (NOW + timedelta(days=6 * 366), "call", "followup.too_far"),
    (NOW + timedelta(days=1), "x" * 1001, "error.text_too_long"),
])
def test_create_task_refuses_bad_input_and_saves_nothing(
    engine: Engine, org: dict, due: datetime, text: str, key: str
) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    with unit_of_work(engine) as s, pytest.raises(Invalid) as caught:
        tasks.create_task(s, actor=me(s, org["rep"]), contact_id=client.id or 0, due_at=due,
                          text=text, now=NOW)
    assert caught.value.key == key
    with Session(engine) as s:
        assert s.exec(select(Task)).first() is None


def test_rep_cannot_create_task_on_another_reps_contact(engine: Engine, org: dict) -> None:
    theirs = make_contact(engine, owner=org["rep_other"], name="李娜")
    with unit_of_work(engine) as s, pytest.raises(NotFound):
        tasks.create_task(s, actor=me(s, org["rep"]), contact_id=theirs.id or 0,
                          due_at=NOW + timedelta(days=1), text="call", now=NOW)


def test_list_open_is_sorted_paged_and_counts_only_own_open_tasks(
    engine: Engine, org: dict
) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    for hours in (5, 1, 3, 2, 4):
        add_task(engine, owner=org["rep"], contact=client, due=NOW + timedelta(hours=hours),
                 text=f"h{hours}")
    add_task(engine, owner=org["rep"], contact=client, due=NOW, status=TaskStatus.DONE)
    add_task(engine, owner=org["rep_other"], contact=None, due=NOW)
    with unit_of_work(engine) as s:
        first, total = tasks.list_open(s, actor=me(s, org["rep"]), limit=3)
        second, _ = tasks.list_open(s, actor=me(s, org["rep"]), offset=3, limit=3)
    assert total == 5
    assert [line.task.text for line in first] == ["h1", "h2", "h3"]
    assert [line.task.text for line in second] == ["h4", "h5"]
    assert first[0].contact_name == "张伟" and first[0].owner_name == "Rep"


def test_team_list_follows_the_hierarchy_and_never_crosses_teams(
    engine: Engine, org: dict
) -> None:
    for key in ("rep", "manager", "rep_other", "admin"):
        add_task(engine, owner=org[key], contact=None, due=NOW, text=f"task of {key}")
    add_task(engine, owner=other_team_member(engine), contact=None, due=NOW, text="rival task")

    def texts(actor: Member, team: bool) -> set[str]:
        with unit_of_work(engine) as s:
            lines, _ = tasks.list_open(s, actor=me(s, actor), team=team, limit=50)
            return {line.task.text for line in lines}

    assert texts(org["rep"], team=True) == {"task of rep"}
    assert texts(org["manager"], team=True) == {"task of rep", "task of manager"}
    assert texts(org["manager"], team=False) == {"task of manager"}
    assert texts(org["admin"], team=True) == {
        "task of rep", "task of manager", "task of rep_other", "task of admin"}


def test_agenda_splits_overdue_and_today_at_the_day_bounds(engine: Engine, org: dict) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    start = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)  # 18 Nov 00:00 in Shanghai
    end = start + timedelta(days=1)
    for label, due in [("overdue", start - timedelta(seconds=1)), ("first", start),
                       ("last", end - timedelta(seconds=1)), ("tomorrow", end)]:
        add_task(engine, owner=org["rep"], contact=client, due=due, text=label)
    add_task(engine, owner=org["rep_other"], contact=None, due=start, text="not mine")
    with unit_of_work(engine) as s:
        agenda = tasks.agenda(s, actor=me(s, org["rep"]), day_start_utc=start,
                              day_end_utc=end, local_today=date(2026, 11, 18))
    assert [line.task.text for line in agenda.overdue] == ["overdue"]
    assert [line.task.text for line in agenda.today] == ["first", "last"]
    assert not agenda.empty


def test_agenda_lists_own_open_deals_closing_within_seven_days(engine: Engine, org: dict) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    today = date(2026, 11, 18)
    add_deal(engine, owner=org["rep"], contact=client, closes=today, title="today")
    add_deal(engine, owner=org["rep"], contact=client, closes=today + timedelta(days=7),
             title="in a week")
    add_deal(engine, owner=org["rep"], contact=client, closes=today + timedelta(days=8),
             title="too late")
    add_deal(engine, owner=org["rep"], contact=client, closes=today - timedelta(days=1),
             title="yesterday")
    add_deal(engine, owner=org["rep"], contact=client, closes=today, title="won",
             status=DealStatus.WON)
    add_deal(engine, owner=org["rep"], contact=client, closes=None, title="no date")
    theirs = make_contact(engine, owner=org["rep_other"], name="李娜")
    add_deal(engine, owner=org["rep_other"], contact=theirs, closes=today, title="theirs")
    with unit_of_work(engine) as s:
        start = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
        agenda = tasks.agenda(s, actor=me(s, org["rep"]), day_start_utc=start,
                              day_end_utc=start + timedelta(days=1), local_today=today)
    assert [line.deal.title for line in agenda.deals] == ["today", "in a week"]
    assert agenda.deals[0].contact_name == "张伟"


def test_empty_agenda_says_so(engine: Engine, org: dict) -> None:
    with unit_of_work(engine) as s:
        agenda = tasks.agenda(s, actor=me(s, org["rep"]), day_start_utc=NOW,
                              day_end_utc=NOW + timedelta(days=1), local_today=date(2026, 11, 18))
    assert agenda.empty


def test_complete_task_marks_done_once_with_audit(engine: Engine, org: dict) -> None:
    task = add_task(engine, owner=org["rep"], contact=None, due=NOW)
    with unit_of_work(engine) as s:
        line = tasks.complete_task(s, actor=me(s, org["rep"]), task_id=task.id or 0, now=NOW)
    assert line.task.status == TaskStatus.DONE
    with Session(engine) as s:
        stored = s.get(Task, task.id)
        assert stored is not None and stored.status == TaskStatus.DONE and stored.done_at == NOW
        audit = s.exec(select(AuditLog).where(AuditLog.entity == "task",
                                              AuditLog.action == "update")).one()
        assert audit.before == {"status": "open", "done_at": None}
        assert audit.after == {"status": "done", "done_at": NOW.isoformat()}
    with unit_of_work(engine) as s, pytest.raises(Invalid) as caught:
        tasks.complete_task(s, actor=me(s, org["rep"]), task_id=task.id or 0, now=NOW)
    assert caught.value.key == "tasks.already_done"


def test_foreign_task_cannot_be_completed(engine: Engine, org: dict) -> None:
    theirs = add_task(engine, owner=org["rep_other"], contact=None, due=NOW)
    rival = add_task(engine, owner=other_team_member(engine), contact=None, due=NOW)
    for actor, task in [(org["rep"], theirs), (org["manager"], theirs), (org["admin"], rival)]:
        with unit_of_work(engine) as s, pytest.raises(NotFound):
            tasks.complete_task(s, actor=me(s, actor), task_id=task.id or 0, now=NOW)
    with unit_of_work(engine) as s, pytest.raises(NotFound):
        tasks.complete_task(s, actor=me(s, org["rep"]), task_id=999_999, now=NOW)
    with Session(engine) as s:
        assert {t.status for t in s.exec(select(Task))} == {TaskStatus.OPEN}


def test_manager_can_complete_a_task_of_their_rep(engine: Engine, org: dict) -> None:
    task = add_task(engine, owner=org["rep"], contact=None, due=NOW)
    with unit_of_work(engine) as s:
        tasks.complete_task(s, actor=me(s, org["manager"]), task_id=task.id or 0, now=NOW)
    with Session(engine) as s:
        audit = s.exec(select(AuditLog).where(AuditLog.action == "update")).one()
        assert audit.actor_id == org["manager"].id


def test_open_for_contact_lists_visible_open_tasks_soonest_first(
    engine: Engine, org: dict
) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    add_task(engine, owner=org["rep"], contact=client, due=NOW + timedelta(days=2), text="later")
    add_task(engine, owner=org["rep"], contact=client, due=NOW + timedelta(days=1), text="sooner")
    add_task(engine, owner=org["rep"], contact=client, due=NOW, text="done",
             status=TaskStatus.DONE)
    with unit_of_work(engine) as s:
        lines = tasks.open_for_contact(s, actor=me(s, org["manager"]), contact_id=client.id or 0)
        assert [line.task.text for line in lines] == ["sooner", "later"]
        with pytest.raises(NotFound):
            tasks.open_for_contact(s, actor=me(s, org["rep_other"]), contact_id=client.id or 0)


@pytest.fixture
def captured(sqlite_engine: Engine) -> Iterator[list[tuple[str, tuple]]]:
    """Every SELECT on the task table, with its parameters."""
    seen: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM task" in statement:
            seen.append((statement, tuple(parameters)))

    event.listen(sqlite_engine, "before_cursor_execute", record)
    yield seen
    event.remove(sqlite_engine, "before_cursor_execute", record)


def test_own_task_queries_use_the_owner_status_due_index(
    sqlite_engine: Engine, captured: list[tuple[str, tuple]]
) -> None:
    admin = make_admin(sqlite_engine)
    rep = make_member(sqlite_engine, by=admin, name="Rep")
    with unit_of_work(sqlite_engine) as s:
        tasks.list_open(s, actor=me(s, rep))
        tasks.agenda(s, actor=me(s, rep), day_start_utc=NOW, day_end_utc=NOW + timedelta(days=1),
                     local_today=date(2026, 11, 18))
    assert len(captured) >= 3
    with sqlite_engine.connect() as conn:
        for statement, parameters in captured:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            details = " ".join(str(row[-1]) for row in plan)
            assert "ix_task_owner_status_due" in details, details

