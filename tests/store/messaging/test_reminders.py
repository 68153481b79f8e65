"""Reminder buttons and out-of-office in the store: done, snooze, away, back, catch-up folding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store.db import unit_of_work
from crm_store.errors import Forbidden, Invalid, NotFound
from crm_store.messaging import reminder_kinds as rk
from crm_store.messaging import reminders
from crm_store.messaging.outbox import enqueue
from crm_store.models import (
    AuditLog,
    Contact,
    Member,
    Outbox,
    OutboxStatus,
    Role,
    Task,
    TaskStatus,
)
from tests.builders import make_admin, make_contact, make_member

NOW = datetime(2026, 11, 18, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")


def add_task(engine: Engine, *, owner: Member, contact: Contact, due: datetime,
             text: str = "send the quote") -> Task:
    """An open follow-up as the producer would find it."""
    with unit_of_work(engine) as s:
        task = Task(team_id=owner.team_id, owner_id=owner.id or 0, contact_id=contact.id,
                    text=text, due_at=due)
        s.add(task)
        s.flush()
        return task


def add_reminder(engine: Engine, *, member: Member, kind: str, payload: dict[str, Any],
                 key: str, status: OutboxStatus = OutboxStatus.SENT,
                 due: datetime = NOW - timedelta(minutes=5)) -> Outbox:
    """An outbox row for `member` (sent by default, as when its buttons are pressed)."""
    with unit_of_work(engine) as s:
        member_row = s.get(Member, member.id)
        assert member_row is not None
        assert enqueue(s, member=member_row, kind=kind, dedupe_key=key, due_at=due,
                       payload=payload)
        row = s.exec(select(Outbox).where(Outbox.dedupe_key == key)).one()
        row.status = status
        s.add(row)
        s.flush()
        return row


def followup_payload(task: Task, contact: Contact) -> dict[str, Any]:
    return {"task_id": task.id, "contact_id": contact.id, "contact_name": contact.name,
            "text": task.text, "due_at": task.due_at.isoformat()}


def deal_payload(contact: Contact) -> dict[str, Any]:
    return {"deal_id": 1, "contact_id": contact.id, "contact_name": contact.name,
            "title": "Pumps", "stage": "proposal", "days": 16, "amount": 5_000_000}


def outbox_rows(engine: Engine) -> list[Outbox]:
    with Session(engine) as s:
        return list(s.exec(select(Outbox).order_by(col(Outbox.id))))


def load(engine: Engine, model: type, row_id: int | None) -> Any:
    with Session(engine) as s:
        return s.get(model, row_id)


@pytest.fixture
def team(engine: Engine) -> tuple[Member, Member, Contact]:
    """An admin, a rep, and a contact of the rep's."""
    admin = make_admin(engine)
    rep = make_member(engine, by=admin, role=Role.REP, name="Rep")
    contact = make_contact(engine, owner=rep, name="张伟", company="华东机械")
    return admin, rep, contact


# --- snooze ----------------------------------------------------------------------------------

def test_snoozing_a_followup_moves_its_task_and_writes_no_copy(engine: Engine, team) -> None:
    _, rep, contact = team
    task = add_task(engine, owner=rep, contact=contact, due=NOW - timedelta(minutes=5))
    row = add_reminder(engine, member=rep, kind=rk.FOLLOWUP_DUE,
                       payload=followup_payload(task, contact),
                       key=f"followup:{task.id}:{task.due_at.isoformat()}")
    stale = add_reminder(engine, member=rep, kind=rk.FOLLOWUP_OVERDUE,
                         payload=followup_payload(task, contact), key=f"overdue:{task.id}:x",
                         status=OutboxStatus.PENDING)
    until = NOW + timedelta(hours=1)
    with unit_of_work(engine) as s:
        reminders.snooze(s, actor=s.get(Member, rep.id), outbox_id=row.id, until=until, now=NOW)
    assert load(engine, Task, task.id).due_at == until
    rows = outbox_rows(engine)
    assert len(rows) == 2  # no snoozed copy: the producer writes followup:<task>:<new due>
    assert load(engine, Outbox, stale.id).status == OutboxStatus.CANCELLED
    with Session(engine) as s:
        audit = s.exec(select(AuditLog).where(AuditLog.entity == "task")).all()
    assert audit[-1].after == {"due_at": until.isoformat()}


def test_snoozing_a_stale_deal_writes_one_copy_due_later(engine: Engine, team) -> None:
    _, rep, contact = team
    row = add_reminder(engine, member=rep, kind=rk.STALE_DEAL, payload=deal_payload(contact),
                       key="stale:1:2026-11-18")
    tomorrow = reminders.tomorrow_at_work(NOW, SHANGHAI, 9)
    with unit_of_work(engine) as s:
        reminders.snooze(s, actor=s.get(Member, rep.id), outbox_id=row.id,
                         until=NOW + timedelta(hours=1), now=NOW)
    with unit_of_work(engine) as s:  # snoozed again before the copy went out: it moves
        reminders.snooze(s, actor=s.get(Member, rep.id), outbox_id=row.id, until=tomorrow,
                         now=NOW)
    copies = [r for r in outbox_rows(engine) if r.dedupe_key.startswith("snooze:")]
    assert [(c.dedupe_key, c.kind, c.due_at, c.status) for c in copies] == [
        (f"snooze:{row.id}:1", rk.STALE_DEAL, tomorrow, OutboxStatus.PENDING)]
    assert copies[0].payload == deal_payload(contact)
    assert copies[0].member_id == rep.id and copies[0].chat_id == rep.telegram_user_id


def test_a_reminder_snoozed_after_its_copy_went_out_gets_a_second_copy(
        engine: Engine, team) -> None:
    _, rep, contact = team
    row = add_reminder(engine, member=rep, kind=rk.CHURN,
                       payload={"contact_id": contact.id, "contact_name": "张伟"}, key="churn:x")
    with unit_of_work(engine) as s:
        reminders.snooze(s, actor=s.get(Member, rep.id), outbox_id=row.id,
                         until=NOW + timedelta(hours=1), now=NOW)
        s.exec(select(Outbox).where(Outbox.dedupe_key == f"snooze:{row.id}:1")).one().status = (
            OutboxStatus.SENT)
    with unit_of_work(engine) as s:
        reminders.snooze(s, actor=s.get(Member, rep.id), outbox_id=row.id,
                         until=NOW + timedelta(hours=3), now=NOW)
    keys = [r.dedupe_key for r in outbox_rows(engine) if r.dedupe_key.startswith("snooze:")]
    assert keys == [f"snooze:{row.id}:1", f"snooze:{row.id}:2"]


def test_only_the_recipient_can_snooze_or_complete_a_reminder(engine: Engine, team) -> None:
    admin, rep, contact = team
    task = add_task(engine, owner=rep, contact=contact, due=NOW)
    row = add_reminder(engine, member=rep, kind=rk.FOLLOWUP_DUE,
                       payload=followup_payload(task, contact), key="followup:a")
    with unit_of_work(engine) as s, pytest.raises(NotFound) as err:
        reminders.snooze(s, actor=s.get(Member, admin.id), outbox_id=row.id,
                         until=NOW + timedelta(hours=1), now=NOW)
    assert err.value.key == "reminders.not_yours"
    with unit_of_work(engine) as s, pytest.raises(NotFound):
        reminders.complete(s, actor=s.get(Member, admin.id), outbox_id=row.id, now=NOW)
    with unit_of_work(engine) as s, pytest.raises(NotFound):
        reminders.complete(s, actor=s.get(Member, rep.id), outbox_id=999_999, now=NOW)
    assert load(engine, Task, task.id).status == TaskStatus.OPEN
    assert load(engine, Task, task.id).due_at == NOW
    assert len(outbox_rows(engine)) == 1


@pytest.mark.parametrize("until", [NOW - timedelta(minutes=1), NOW + timedelta(days=40)])
def test_snoozing_into_the_past_or_far_future_is_refused(engine: Engine, team,
                                                         until: datetime) -> None:
    _, rep, contact = team
    row = add_reminder(engine, member=rep, kind=rk.STALE_DEAL, payload=deal_payload(contact),
                       key="stale:b")
    with unit_of_work(engine) as s, pytest.raises(Invalid) as err:
        reminders.snooze(s, actor=s.get(Member, rep.id), outbox_id=row.id, until=until, now=NOW)
    assert err.value.key == "reminders.bad_snooze"
    assert len(outbox_rows(engine)) == 1


def test_done_completes_the_task_of_a_followup_reminder(engine: Engine, team) -> None:
    _, rep, contact = team
    task = add_task(engine, owner=rep, contact=contact, due=NOW)
    row = add_reminder(engine, member=rep, kind=rk.FOLLOWUP_OVERDUE,
                       payload={**followup_payload(task, contact), "days_late": 2},
                       key="overdue:c")
    with unit_of_work(engine) as s:
        reminders.complete(s, actor=s.get(Member, rep.id), outbox_id=row.id, now=NOW)
    assert load(engine, Task, task.id).status == TaskStatus.DONE
    with unit_of_work(engine) as s, pytest.raises(Invalid) as err:
        reminders.complete(s, actor=s.get(Member, rep.id), outbox_id=row.id, now=NOW)
    assert err.value.key == "tasks.already_done"


def test_done_on_a_reminder_without_a_task_is_refused(engine: Engine, team) -> None:
    _, rep, contact = team
    row = add_reminder(engine, member=rep, kind=rk.STALE_DEAL, payload=deal_payload(contact),
                       key="stale:d")
    with unit_of_work(engine) as s, pytest.raises(Invalid):
        reminders.complete(s, actor=s.get(Member, rep.id), outbox_id=row.id, now=NOW)


@pytest.mark.parametrize(("now", "zone", "start", "expected"), [
    (NOW, "Asia/Shanghai", 9, datetime(2026, 11, 19, 1, 0, tzinfo=UTC)),  # 14:30 → 09:00
    (datetime(2026, 11, 18, 16, 30, tzinfo=UTC), "Asia/Shanghai", 9,  # 00:30 local, 19th
     datetime(2026, 11, 20, 1, 0, tzinfo=UTC)),
    (NOW, "Europe/London", 8, datetime(2026, 11, 19, 8, 0, tzinfo=UTC)),
])
def test_tomorrow_means_the_next_local_day_at_the_start_of_work(
        now: datetime, zone: str, start: int, expected: datetime) -> None:
    assert reminders.tomorrow_at_work(now, ZoneInfo(zone), start) == expected


# --- away, back, catch-up --------------------------------------------------------------------

def set_away_until(engine: Engine, member: Member, until: datetime | None) -> None:
    with unit_of_work(engine) as s:
        row = s.get(Member, member.id)
        assert row is not None
        row.out_of_office_until = until
        s.add(row)


def held_rows(engine: Engine, rep: Member, contact: Contact) -> None:
    """What the dispatcher held while `rep` was away: a follow-up, a birthday and a holiday."""
    add_reminder(engine, member=rep, kind=rk.FOLLOWUP_DUE, status=OutboxStatus.HELD,
                 payload={"task_id": 1, "contact_id": contact.id, "contact_name": "张伟",
                          "text": "发报价", "due_at": NOW.isoformat()}, key="followup:1:x")
    add_reminder(engine, member=rep, kind=rk.BIRTHDAY, status=OutboxStatus.HELD,
                 due=NOW - timedelta(days=1),
                 payload={"contact_id": contact.id, "contact_name": "张伟", "lunar": False,
                          "date": "2026-11-17", "tier": "A"}, key="birthday:1:2026")
    add_reminder(engine, member=rep, kind=rk.HOLIDAY, status=OutboxStatus.HELD,
                 payload={"holiday": "Double 11", "date": "2026-11-11",
                          "contacts": [{"contact_id": contact.id, "contact_name": "张伟",
                                        "tier": "A"}]}, key="holiday:11:2026")


def test_held_reminders_fold_into_one_catch_up_when_away_ends(engine: Engine, team) -> None:
    admin, rep, contact = team
    away_until = NOW - timedelta(minutes=1)
    set_away_until(engine, rep, away_until)
    held_rows(engine, rep, contact)
    other = add_reminder(engine, member=admin, kind=rk.DIGEST, status=OutboxStatus.HELD,
                         payload={"period": "day", "date": "2026-11-17", "figures": {}},
                         key="digest:admin")
    with unit_of_work(engine) as s:
        assert reminders.catch_up(s, member=s.get(Member, rep.id), now=NOW) is True
    rows = {r.dedupe_key: r for r in outbox_rows(engine)}
    catch = rows[f"catchup:{rep.id}:{away_until.isoformat()}"]
    assert catch.kind == rk.CATCH_UP and catch.status == OutboxStatus.PENDING
    assert catch.due_at == NOW and catch.member_id == rep.id
    assert catch.payload["items"] == [
        {"kind": rk.BIRTHDAY, "contact_name": "张伟", "summary": "2026-11-17"},
        {"kind": rk.FOLLOWUP_DUE, "contact_name": "张伟", "summary": "发报价"},
        {"kind": rk.HOLIDAY, "contact_name": "张伟", "summary": "Double 11"},
    ]
    assert {rows[k].status for k in ("followup:1:x", "birthday:1:2026", "holiday:11:2026")} == {
        OutboxStatus.CANCELLED}
    assert load(engine, Outbox, other.id).status == OutboxStatus.HELD  # someone else's
    assert load(engine, Member, rep.id).out_of_office_until is None
    with unit_of_work(engine) as s:  # a second run finds nothing more to fold
        assert reminders.catch_up(s, member=s.get(Member, rep.id), now=NOW) is False
    assert len(outbox_rows(engine)) == 5


def test_nothing_folds_while_the_member_is_still_away(engine: Engine, team) -> None:
    _, rep, contact = team
    set_away_until(engine, rep, NOW + timedelta(days=2))
    held_rows(engine, rep, contact)
    with unit_of_work(engine) as s:
        assert reminders.catch_up(s, member=s.get(Member, rep.id), now=NOW) is False
    assert {r.status for r in outbox_rows(engine)} == {OutboxStatus.HELD}
    assert load(engine, Member, rep.id).out_of_office_until == NOW + timedelta(days=2)


def test_producer_writes_one_catch_up_per_returned_member_even_run_twice(
        engine: Engine, team) -> None:
    admin, rep, contact = team
    set_away_until(engine, rep, NOW - timedelta(hours=1))
    set_away_until(engine, admin, NOW + timedelta(days=1))  # still away
    held_rows(engine, rep, contact)
    held_rows_admin = add_reminder(engine, member=admin, kind=rk.DIGEST,
                                   status=OutboxStatus.HELD, key="digest:a",
                                   payload={"period": "day", "date": "2026-11-17"})
    assert reminders.produce_catch_ups_job(engine, NOW) == 1
    assert reminders.produce_catch_ups_job(engine, NOW) == 0
    catch_ups = [r for r in outbox_rows(engine) if r.kind == rk.CATCH_UP]
    assert [r.member_id for r in catch_ups] == [rep.id]
    assert load(engine, Outbox, held_rows_admin.id).status == OutboxStatus.HELD


def test_coming_back_early_folds_what_was_held_and_ends_out_of_office(
        engine: Engine, team) -> None:
    _, rep, contact = team
    away_until = NOW + timedelta(days=3)
    set_away_until(engine, rep, away_until)
    held_rows(engine, rep, contact)
    add_reminder(engine, member=rep, kind=rk.CATCH_UP, status=OutboxStatus.HELD,
                 payload={"items": [{"kind": rk.CHURN, "contact_name": "李娜", "summary": "95"}]},
                 key="catchup:earlier")
    with unit_of_work(engine) as s:
        assert reminders.come_back(s, actor=s.get(Member, rep.id), now=NOW) is True
    catch = next(r for r in outbox_rows(engine)
                 if r.dedupe_key == f"catchup:{rep.id}:{away_until.isoformat()}")
    assert {"kind": rk.CHURN, "contact_name": "李娜", "summary": "95"} in catch.payload["items"]
    assert len(catch.payload["items"]) == 4  # an earlier catch-up is flattened, not nested
    assert load(engine, Member, rep.id).out_of_office_until is None
    with unit_of_work(engine) as s:  # back again: nothing held, nothing written
        assert reminders.come_back(s, actor=s.get(Member, rep.id), now=NOW) is False


def test_going_away_records_the_end_and_an_audit_row(engine: Engine, team) -> None:
    _, rep, _ = team
    until = NOW + timedelta(days=3)
    with unit_of_work(engine) as s:
        reminders.set_away(s, actor=s.get(Member, rep.id), until=until, now=NOW)
    assert load(engine, Member, rep.id).out_of_office_until == until
    with Session(engine) as s:
        audit = s.exec(select(AuditLog).where(AuditLog.entity == "member",
                                              AuditLog.entity_id == rep.id,
                                              AuditLog.action == "update")).all()
    assert audit[-1].after == {"out_of_office_until": until.isoformat()}


@pytest.mark.parametrize(("until", "key"), [(NOW - timedelta(hours=1), "settings.away_past"),
                                            (NOW + timedelta(days=400), "settings.away_too_far")])
def test_going_away_to_a_past_or_distant_day_is_refused(engine: Engine, team, until: datetime,
                                                        key: str) -> None:
    _, rep, _ = team
    with unit_of_work(engine) as s, pytest.raises(Invalid) as err:
        reminders.set_away(s, actor=s.get(Member, rep.id), until=until, now=NOW)
    assert err.value.key == key
    assert load(engine, Member, rep.id).out_of_office_until is None


def test_digest_hour_is_for_managers_and_within_the_day(engine: Engine, team) -> None:
    admin, rep, _ = team
    with unit_of_work(engine) as s, pytest.raises(Forbidden):
        reminders.set_digest_hour(s, actor=s.get(Member, rep.id), hour=18)
    with unit_of_work(engine) as s, pytest.raises(Invalid):
        reminders.set_digest_hour(s, actor=s.get(Member, admin.id), hour=24)
    with unit_of_work(engine) as s:
        reminders.set_digest_hour(s, actor=s.get(Member, admin.id), hour=7)
    assert load(engine, Member, admin.id).digest_hour == 7
    assert load(engine, Member, rep.id).digest_hour is None
