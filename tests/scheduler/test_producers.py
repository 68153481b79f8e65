"""Reminder producers: the right reminder, to the right member, at the right local time, once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from crm_store.db import unit_of_work
from crm_store.messaging import reminder_kinds as kinds
from crm_store.models import (
    Contact,
    Deal,
    Feedback,
    FeedbackKind,
    Member,
    Order,
    Outbox,
    PipelineStage,
    Role,
    Task,
    TaskStatus,
    Team,
)
from scheduler import producers
from tests.builders import make_admin, make_contact, make_member

SHANGHAI, LONDON = "Asia/Shanghai", "Europe/London"
# Wednesday 23 October 2024, 10:00 in Shanghai, 03:00 in London.
WEDNESDAY_10_SHANGHAI = datetime(2024, 10, 23, 2, 0, tzinfo=UTC)

TASK_KEYS = {"task_id", "contact_id", "contact_name", "text", "due_at"}
SLA_KEYS = {"feedback_id", "contact_id", "contact_name", "severity", "hours", "escalated",
            "owner"}


@dataclass
class FakeClock:
    """A clock the test sets and moves."""

    current: datetime = field(default=WEDNESDAY_10_SHANGHAI)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@dataclass
class Crew:
    """An admin, a manager and the manager's rep, with one customer of the rep's."""

    admin: Member
    manager: Member
    rep: Member
    customer: Contact


@pytest.fixture
def crew(engine: Engine) -> Crew:
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Mia Manager")
    rep = make_member(engine, by=manager, name="Ray Rep")
    customer = make_contact(engine, owner=rep, name="王芳", company="华东机械")
    return Crew(admin, manager, rep, customer)


def local(at: datetime, tz: str = SHANGHAI) -> datetime:
    return at.astimezone(ZoneInfo(tz))


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in October 2024, Shanghai wall clock, as UTC."""
    return datetime(2024, 10, day, hour, minute, tzinfo=ZoneInfo(SHANGHAI)).astimezone(UTC)


def update(engine: Engine, model: type, row_id: int | None, **values: Any) -> None:
    with unit_of_work(engine) as s:
        row = s.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        s.add(row)


def add(engine: Engine, row: Any) -> Any:
    with unit_of_work(engine) as s:
        s.add(row)
        s.flush()
        return row


def add_task(engine: Engine, owner: Member, contact: Contact, due: datetime) -> Task:
    return add(engine, Task(team_id=owner.team_id, owner_id=owner.id or 0,
                            contact_id=contact.id, text="send the quote", due_at=due))


def outbox(engine: Engine, kind: str | None = None) -> list[Outbox]:
    with unit_of_work(engine) as s:
        stmt = select(Outbox).order_by(col(Outbox.id))
        return list(s.exec(stmt if kind is None else stmt.where(Outbox.kind == kind)))


# --- follow-up due -------------------------------------------------------------------------

def test_followup_due_reaches_the_owner_at_the_due_time(engine: Engine, crew: Crew):
    due = shanghai(23, 10, 30)
    task = add_task(engine, crew.rep, crew.customer, due)
    assert producers.produce_followup_due(engine, due - timedelta(seconds=30)) == 1
    [row] = outbox(engine)
    assert (row.kind, row.member_id, row.chat_id) == (
        kinds.FOLLOWUP_DUE, crew.rep.id, crew.rep.telegram_user_id)
    assert row.due_at == due
    assert row.dedupe_key == f"followup:{task.id}:2024-10-23T02:30:00+00:00"
    assert set(row.payload) == TASK_KEYS
    assert row.payload["contact_name"] == "王芳"
    assert row.payload["due_at"] == "2024-10-23T02:30:00+00:00"


def test_followup_due_in_two_minutes_waits_for_a_later_run(engine: Engine, crew: Crew):
    add_task(engine, crew.rep, crew.customer, WEDNESDAY_10_SHANGHAI + timedelta(minutes=2))
    assert producers.produce_followup_due(engine, WEDNESDAY_10_SHANGHAI) == 0
    assert producers.produce_followup_due(
        engine, WEDNESDAY_10_SHANGHAI + timedelta(minutes=1)) == 1


def test_followup_due_in_the_evening_arrives_at_nine_next_morning(engine: Engine, crew: Crew):
    add_task(engine, crew.rep, crew.customer, shanghai(23, 21))
    producers.produce_followup_due(engine, shanghai(23, 21))
    [row] = outbox(engine)
    assert local(row.due_at).replace(tzinfo=None) == datetime(2024, 10, 24, 9, 0)


def test_followup_due_respects_each_members_time_zone(engine: Engine, crew: Crew):
    update(engine, Member, crew.manager.id, timezone=LONDON)
    client = make_contact(engine, owner=crew.manager, name="Oliver Smith")
    add_task(engine, crew.rep, crew.customer, shanghai(23, 20))  # 20:00 in Shanghai
    london_evening = datetime(2024, 10, 23, 20, 0, tzinfo=ZoneInfo(LONDON))
    add_task(engine, crew.manager, client, london_evening.astimezone(UTC))
    producers.produce_followup_due(engine, london_evening.astimezone(UTC))
    rows = {row.member_id: row for row in outbox(engine)}
    assert local(rows[crew.rep.id].due_at).replace(tzinfo=None) == datetime(2024, 10, 24, 9)
    assert local(rows[crew.manager.id].due_at, LONDON).replace(tzinfo=None) == datetime(
        2024, 10, 24, 9)


def test_followup_due_is_produced_once_and_again_after_a_reschedule(
    engine: Engine, crew: Crew
):
    clock = FakeClock()
    task = add_task(engine, crew.rep, crew.customer, clock.now())
    assert producers.produce_followup_due(engine, clock.now()) == 1
    assert producers.produce_followup_due(engine, clock.now()) == 0
    update(engine, Task, task.id, due_at=clock.now() + timedelta(hours=1))  # snoozed an hour
    assert producers.produce_followup_due(engine, clock.advance(hours=1)) == 1
    assert len(outbox(engine, kinds.FOLLOWUP_DUE)) == 2


def test_followup_due_skips_inactive_owners_deleted_contacts_and_done_tasks(
    engine: Engine, crew: Crew
):
    now = WEDNESDAY_10_SHANGHAI
    other = make_contact(engine, owner=crew.manager, name="Gone Ltd")
    add_task(engine, crew.rep, crew.customer, now)
    update(engine, Member, crew.rep.id, active=False)
    add_task(engine, crew.manager, other, now)
    update(engine, Contact, other.id, deleted_at=now - timedelta(days=1))
    done = add_task(engine, crew.admin, make_contact(engine, owner=crew.admin, name="Done"), now)
    update(engine, Task, done.id, status=TaskStatus.DONE)
    assert producers.produce_followup_due(engine, now) == 0
    assert outbox(engine) == []


# --- overdue nag ---------------------------------------------------------------------------

def test_overdue_nag_comes_at_nine_local_with_days_late(engine: Engine, crew: Crew):
    task = add_task(engine, crew.rep, crew.customer, shanghai(21, 15))  # Monday afternoon
    early = shanghai(23, 7)
    assert producers.produce_followup_overdue(engine, early) == 1
    [row] = outbox(engine)
    assert row.kind == kinds.FOLLOWUP_OVERDUE and row.member_id == crew.rep.id
    assert local(row.due_at).replace(tzinfo=None) == datetime(2024, 10, 23, 9)
    assert row.dedupe_key == f"overdue:{task.id}:2024-10-23"
    assert set(row.payload) == TASK_KEYS | {"days_late"}
    assert row.payload["days_late"] == 2


def test_overdue_nag_once_a_day(engine: Engine, crew: Crew):
    add_task(engine, crew.rep, crew.customer, shanghai(21, 15))
    assert producers.produce_followup_overdue(engine, shanghai(23, 7)) == 1
    assert producers.produce_followup_overdue(engine, shanghai(23, 7)) == 0
    assert producers.produce_followup_overdue(engine, shanghai(23, 11)) == 0
    assert producers.produce_followup_overdue(engine, shanghai(24, 0, 5)) == 1
    assert [r.payload["days_late"] for r in outbox(engine)] == [2, 3]


def test_overdue_nag_uses_team_hour_but_not_before_work_starts(engine: Engine, crew: Crew):
    update(engine, Team, crew.rep.team_id, settings={"overdue_nag_hour": 8})
    update(engine, Member, crew.rep.id, work_start=10)
    add_task(engine, crew.rep, crew.customer, shanghai(21, 15))
    producers.produce_followup_overdue(engine, shanghai(23, 1))
    [row] = outbox(engine)
    assert local(row.due_at).hour == 10


def test_overdue_nag_missed_while_off_duty_waits_for_the_next_day(engine: Engine, crew: Crew):
    add_task(engine, crew.rep, crew.customer, shanghai(21, 15))
    assert producers.produce_followup_overdue(engine, shanghai(23, 20)) == 0
    assert producers.produce_followup_overdue(engine, shanghai(24, 6)) == 1
    [row] = outbox(engine)
    assert local(row.due_at).replace(tzinfo=None) == datetime(2024, 10, 24, 9)


def test_overdue_nag_in_london_comes_at_nine_london_time(engine: Engine, crew: Crew):
    update(engine, Member, crew.rep.id, timezone=LONDON)
    add_task(engine, crew.rep, crew.customer, datetime(2024, 10, 21, 12, tzinfo=UTC))
    producers.produce_followup_overdue(engine, datetime(2024, 10, 23, 5, tzinfo=UTC))
    [row] = outbox(engine)
    assert local(row.due_at, LONDON).replace(tzinfo=None) == datetime(2024, 10, 23, 9)


def test_task_due_last_night_gets_its_due_reminder_not_also_a_nag(engine: Engine, crew: Crew):
    add_task(engine, crew.rep, crew.customer, shanghai(22, 23))  # Tuesday 23:00
    morning = shanghai(23, 7)
    assert producers.produce_followup_due(engine, morning) == 1
    assert producers.produce_followup_overdue(engine, morning) == 0
    assert producers.produce_followup_overdue(engine, shanghai(24, 7)) == 1


def test_overdue_nag_skips_inactive_members(engine: Engine, crew: Crew):
    add_task(engine, crew.rep, crew.customer, shanghai(20, 15))
    update(engine, Member, crew.rep.id, active=False)
    assert producers.produce_followup_overdue(engine, shanghai(23, 7)) == 0


# --- stale deals ---------------------------------------------------------------------------

def add_deal(engine: Engine, crew: Crew, *, stage: str, quiet_days: float) -> Deal:
    since = WEDNESDAY_10_SHANGHAI - timedelta(days=quiet_days)
    return add(engine, Deal(
        team_id=crew.rep.team_id, owner_id=crew.rep.id or 0, contact_id=crew.customer.id or 0,
        title="200 pumps", amount_minor=12_000_000, stage=stage, probability=50,
        stage_entered_at=since - timedelta(days=1), last_activity_at=since))


def test_deal_quiet_longer_than_default_stale_days_reminds_owner(engine: Engine, crew: Crew):
    deal = add_deal(engine, crew, stage="proposal", quiet_days=15)
    add_deal(engine, crew, stage="proposal", quiet_days=13)
    assert producers.produce_stale_deal(engine, WEDNESDAY_10_SHANGHAI) == 1
    [row] = outbox(engine)
    assert (row.kind, row.member_id, row.due_at) == (
        kinds.STALE_DEAL, crew.rep.id, WEDNESDAY_10_SHANGHAI)
    assert row.payload == {"deal_id": deal.id, "contact_id": crew.customer.id,
                           "contact_name": "王芳", "title": "200 pumps", "stage": "proposal",
                           "days": 15, "amount": 12_000_000, "currency": "CNY"}
    assert row.dedupe_key.startswith(f"stale:{deal.id}:proposal:")


def test_stage_specific_stale_days_apply(engine: Engine, crew: Crew):
    add(engine, PipelineStage(team_id=crew.rep.team_id, key="lead", position=0, probability=10,
                              stale_days=3))
    add_deal(engine, crew, stage="lead", quiet_days=4)
    assert producers.produce_stale_deal(engine, WEDNESDAY_10_SHANGHAI) == 1


def test_stale_deal_nags_at_most_weekly(engine: Engine, crew: Crew):
    clock = FakeClock()
    add_deal(engine, crew, stage="proposal", quiet_days=20)
    assert producers.produce_stale_deal(engine, clock.now()) == 1
    assert producers.produce_stale_deal(engine, clock.now()) == 0
    assert producers.produce_stale_deal(engine, clock.advance(days=2)) == 0  # same week
    assert producers.produce_stale_deal(engine, clock.advance(days=5)) == 1  # next week


def test_stale_deal_found_at_night_arrives_in_the_morning(engine: Engine, crew: Crew):
    add_deal(engine, crew, stage="proposal", quiet_days=20)
    producers.produce_stale_deal(engine, shanghai(23, 22))
    [row] = outbox(engine)
    assert local(row.due_at).replace(tzinfo=None) == datetime(2024, 10, 24, 9)


def test_stale_deal_found_on_sunday_night_is_not_repeated_on_monday(engine: Engine, crew: Crew):
    add_deal(engine, crew, stage="proposal", quiet_days=20)
    assert producers.produce_stale_deal(engine, shanghai(27, 22)) == 1  # Sunday 22:00
    assert producers.produce_stale_deal(engine, shanghai(28, 10)) == 0  # Monday 10:00
    [row] = outbox(engine)
    assert row.dedupe_key.endswith(":2024-W44")


def test_stale_deal_skips_inactive_owner(engine: Engine, crew: Crew):
    add_deal(engine, crew, stage="proposal", quiet_days=20)
    update(engine, Member, crew.rep.id, active=False)
    assert producers.produce_stale_deal(engine, WEDNESDAY_10_SHANGHAI) == 0


# --- complaint SLA -------------------------------------------------------------------------

def add_complaint(engine: Engine, crew: Crew, *, hours_ago: float, owner: Member | None = None,
                  **values: Any) -> Feedback:
    owner = owner or crew.rep
    return add(engine, Feedback(
        team_id=owner.team_id, contact_id=crew.customer.id or 0, owner_id=owner.id or 0,
        member_id=owner.id or 0, kind=FeedbackKind.COMPLAINT, severity="high",
        text="pump leaks", created_at=WEDNESDAY_10_SHANGHAI - timedelta(hours=hours_ago),
        **values))


def test_complaint_without_first_response_warns_the_owner(engine: Engine, crew: Crew):
    complaint = add_complaint(engine, crew, hours_ago=5)
    add_complaint(engine, crew, hours_ago=5, first_response_at=WEDNESDAY_10_SHANGHAI)
    add_complaint(engine, crew, hours_ago=3)
    assert producers.produce_complaint_sla(engine, WEDNESDAY_10_SHANGHAI) == 1
    [row] = outbox(engine)
    assert (row.kind, row.member_id, row.dedupe_key) == (
        kinds.SLA_FIRST_RESPONSE, crew.rep.id, f"sla1:{complaint.id}")
    assert set(row.payload) == SLA_KEYS
    assert row.payload["escalated"] is False and row.payload["hours"] == 4
    assert row.payload["owner"] == "Ray Rep"
    assert producers.produce_complaint_sla(engine, WEDNESDAY_10_SHANGHAI) == 0


def test_unresolved_complaint_escalates_to_the_owners_manager(engine: Engine, crew: Crew):
    complaint = add_complaint(engine, crew, hours_ago=49, first_response_at=shanghai(21, 12))
    assert producers.produce_complaint_sla(engine, WEDNESDAY_10_SHANGHAI) == 2
    rows = outbox(engine)
    assert {r.member_id for r in rows} == {crew.rep.id, crew.manager.id}
    assert {r.dedupe_key for r in rows} == {f"sla2:{complaint.id}:{crew.rep.id}",
                                            f"sla2:{complaint.id}:{crew.manager.id}"}
    assert all(r.kind == kinds.SLA_RESOLUTION and r.payload["escalated"] for r in rows)
    assert producers.produce_complaint_sla(engine, WEDNESDAY_10_SHANGHAI) == 0


def test_escalation_without_a_manager_goes_to_the_admins(engine: Engine, crew: Crew):
    add_complaint(engine, crew, hours_ago=50, owner=crew.manager)
    producers.produce_complaint_sla(engine, WEDNESDAY_10_SHANGHAI)
    assert {r.member_id for r in outbox(engine)} == {crew.manager.id, crew.admin.id}


def test_escalation_skips_an_inactive_manager_for_the_admins(engine: Engine, crew: Crew):
    add_complaint(engine, crew, hours_ago=50)
    update(engine, Member, crew.manager.id, active=False)
    producers.produce_complaint_sla(engine, WEDNESDAY_10_SHANGHAI)
    assert {r.member_id for r in outbox(engine)} == {crew.rep.id, crew.admin.id}


def test_resolved_complaints_and_deleted_customers_raise_nothing(engine: Engine, crew: Crew):
    add_complaint(engine, crew, hours_ago=60, status="resolved")
    add_complaint(engine, crew, hours_ago=60, owner=crew.manager)
    update(engine, Contact, crew.customer.id, deleted_at=WEDNESDAY_10_SHANGHAI)
    assert producers.produce_complaint_sla(engine, WEDNESDAY_10_SHANGHAI) == 0


def test_sla_breach_at_night_waits_for_working_hours(engine: Engine, crew: Crew):
    night = shanghai(23, 23)
    add(engine, Feedback(team_id=crew.rep.team_id, contact_id=crew.customer.id or 0,
                         owner_id=crew.rep.id or 0, member_id=crew.rep.id or 0,
                         kind=FeedbackKind.COMPLAINT, severity="low", text="late delivery",
                         created_at=night - timedelta(hours=5)))
    producers.produce_complaint_sla(engine, night)
    [row] = outbox(engine)
    assert local(row.due_at).replace(tzinfo=None) == datetime(2024, 10, 24, 9)


# --- churn ---------------------------------------------------------------------------------

def add_orders(engine: Engine, owner: Member, contact: Contact, last: datetime, count: int,
               gap_days: int) -> None:
    with unit_of_work(engine) as s:
        for n in range(count):
            s.add(Order(team_id=owner.team_id, owner_id=owner.id or 0, contact_id=contact.id or 0,
                        amount_minor=100_000, ordered_at=last - timedelta(days=gap_days * n)))


def test_churn_risk_reaches_the_owner_at_work_start_once_a_week(engine: Engine, crew: Crew):
    clock = FakeClock()
    add_orders(engine, crew.rep, crew.customer, clock.now() - timedelta(days=100), 5, 30)
    assert producers.produce_churn(engine, clock.now()) == 1
    [row] = outbox(engine)
    assert (row.kind, row.member_id) == (kinds.CHURN, crew.rep.id)
    assert local(row.due_at).replace(tzinfo=None) == datetime(2024, 10, 24, 9)
    assert row.dedupe_key == f"churn:{crew.customer.id}:2024-W43"
    assert set(row.payload) == {"contact_id", "contact_name", "days_since", "usual_gap_days",
                                "reasons", "score", "value_minor", "currency"}
    assert row.payload["reasons"] == ["gap"] and row.payload["usual_gap_days"] == 30
    assert producers.produce_churn(engine, clock.now()) == 0
    assert producers.produce_churn(engine, clock.advance(days=2)) == 0  # Friday, same week
    assert producers.produce_churn(engine, clock.advance(days=5)) == 1  # the next week


def test_churn_found_on_sunday_evening_comes_once_on_monday(engine: Engine, crew: Crew):
    add_orders(engine, crew.rep, crew.customer, shanghai(27, 12) - timedelta(days=100), 5, 30)
    assert producers.produce_churn(engine, shanghai(27, 20)) == 1  # Sunday evening
    assert producers.produce_churn(engine, shanghai(28, 7)) == 0  # Monday before work
    [row] = outbox(engine)
    assert local(row.due_at).replace(tzinfo=None) == datetime(2024, 10, 28, 9)


def test_churn_skips_inactive_owners_and_deleted_customers(engine: Engine, crew: Crew):
    gone = make_contact(engine, owner=crew.manager, name="Gone Ltd")
    last = WEDNESDAY_10_SHANGHAI - timedelta(days=100)
    add_orders(engine, crew.rep, crew.customer, last, 5, 30)
    add_orders(engine, crew.manager, gone, last, 5, 30)
    update(engine, Member, crew.rep.id, active=False)
    update(engine, Contact, gone.id, deleted_at=WEDNESDAY_10_SHANGHAI)
    assert producers.produce_churn(engine, WEDNESDAY_10_SHANGHAI) == 0
