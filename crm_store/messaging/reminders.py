"""What reminder buttons and out-of-office settings do: done, snooze, away, back, catch-up.

Snoozing follows one rule per kind. A follow-up reminder is a view of its task: snoozing moves
the task's due_at, and the follow-up producer (dedupe key `followup:<task>:<due iso>`) writes a
fresh reminder at the new time — no snoozed copy is written, so the reminder cannot arrive
twice. Every other contact reminder (stale deal, SLA, birthday, anniversary, churn) is written
again as a copy of the row, due at the new time, with the dedupe key `snooze:<outbox id>:<n>`.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.errors import Forbidden, Invalid, NotFound
from crm_store.messaging import reminder_kinds as rk
from crm_store.messaging.outbox import enqueue
from crm_store.models import Member, Outbox, OutboxStatus, Role, TaskStatus
from crm_store.sales import tasks

FOLLOWUP_KINDS = (rk.FOLLOWUP_DUE, rk.FOLLOWUP_OVERDUE)
SNOOZABLE_KINDS = rk.CONTACT_KINDS
MAX_SNOOZE = timedelta(days=31)
MAX_AWAY = timedelta(days=366)
MAX_CATCH_UP_ITEMS = 200
SUMMARY = 80
_TASK_AUDITED = ("due_at", "status")


def member_zone(member: Member) -> ZoneInfo:
    """The member's time zone (UTC when the stored name is not a zone)."""
    try:
        return ZoneInfo(member.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def tomorrow_at_work(now: datetime, tz: ZoneInfo, work_start: int) -> datetime:
    """Tomorrow (in `tz`) at the start of the working day, in UTC."""
    day = now.astimezone(tz).date() + timedelta(days=1)
    hour = work_start if 0 <= work_start <= 23 else 9
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def reminder_for(session: Session, *, actor: Member, outbox_id: int) -> Outbox:
    """The reminder sent to `actor`; anyone else's (or none) raises NotFound."""
    row = session.get(Outbox, outbox_id)
    if row is None or row.member_id != actor.id or row.team_id != actor.team_id:
        raise NotFound("reminders.not_yours")
    return row


def contact_id_of(row: Outbox) -> int | None:
    """The contact a reminder is about, if it is about one."""
    value = (row.payload or {}).get("contact_id")
    return value if isinstance(value, int) and row.kind in rk.CONTACT_KINDS else None


def _task_id(row: Outbox) -> int:
    value = (row.payload or {}).get("task_id")
    if row.kind not in FOLLOWUP_KINDS or not isinstance(value, int):
        raise Invalid("error.stale_button")
    return value


def complete(session: Session, *, actor: Member, outbox_id: int,
             now: datetime | None = None) -> Outbox:
    """Done on a follow-up reminder: complete its task; return the reminder."""
    row = reminder_for(session, actor=actor, outbox_id=outbox_id)
    tasks.complete_task(session, actor=actor, task_id=_task_id(row), now=now)
    return row


def snooze(session: Session, *, actor: Member, outbox_id: int, until: datetime,
           now: datetime | None = None) -> Outbox:
    """Remind `actor` again at `until` (see the module docstring); return the reminder."""
    row = reminder_for(session, actor=actor, outbox_id=outbox_id)
    now = now or utcnow()
    if row.kind not in SNOOZABLE_KINDS:
        raise Invalid("error.stale_button")
    if until.utcoffset() is None:
        raise ValueError("until must be timezone-aware")
    until = until.astimezone(UTC)
    if not now < until <= now + MAX_SNOOZE:
        raise Invalid("reminders.bad_snooze")
    if row.kind in FOLLOWUP_KINDS:
        _move_task(session, actor=actor, row=row, until=until)
    else:
        _snoozed_copy(session, actor=actor, row=row, until=until)
    return row


def _move_task(session: Session, *, actor: Member, row: Outbox, until: datetime) -> None:
    task = tasks.get_task(session, actor=actor, task_id=_task_id(row), lock=True)
    if task.status != TaskStatus.OPEN:
        raise Invalid("tasks.already_done")
    before = audit.snapshot(task, _TASK_AUDITED)
    task.due_at = until
    session.add(task)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="task", entity_id=task.id or 0,
                 before=before, after=audit.snapshot(task, _TASK_AUDITED))
    # Reminders still waiting for the old due time are superseded by the producer's new one.
    waiting = session.exec(select(Outbox).where(
        Outbox.member_id == actor.id, Outbox.status == OutboxStatus.PENDING,
        col(Outbox.kind).in_(FOLLOWUP_KINDS), Outbox.id != row.id)).all()
    for other in waiting:
        if (other.payload or {}).get("task_id") == task.id:
            other.status = OutboxStatus.CANCELLED
            session.add(other)


def _snoozed_copy(session: Session, *, actor: Member, row: Outbox, until: datetime) -> None:
    prefix = f"{rk.SNOOZED_PREFIX}{row.id}:"
    copies = session.exec(select(Outbox).where(col(Outbox.dedupe_key).startswith(prefix))).all()
    waiting = [copy for copy in copies if copy.status == OutboxStatus.PENDING]
    if waiting:  # snoozed again before the copy went out: move it rather than add another
        waiting[0].due_at = until
        session.add(waiting[0])
    else:
        enqueue(session, member=actor, kind=row.kind, dedupe_key=f"{prefix}{len(copies) + 1}",
                due_at=until, payload=dict(row.payload or {}))
    audit.record(session, actor=actor, action="snooze", entity="outbox", entity_id=row.id or 0,
                 after={"until": until.isoformat()})


# --- settings: away, back, digest hour -------------------------------------------------------

def set_away(session: Session, *, actor: Member, until: datetime,
             now: datetime | None = None) -> Member:
    """Pause reminders until `until`: the dispatcher holds what falls due meanwhile."""
    now = now or utcnow()
    until = until.astimezone(UTC)
    if until <= now:
        raise Invalid("settings.away_past")
    if until > now + MAX_AWAY:
        raise Invalid("settings.away_too_far")
    before = audit.snapshot(actor, ("out_of_office_until",))
    actor.out_of_office_until = until
    session.add(actor)
    audit.record(session, actor=actor, action="update", entity="member", entity_id=actor.id or 0,
                 before=before, after=audit.snapshot(actor, ("out_of_office_until",)))
    return actor


def come_back(session: Session, *, actor: Member, now: datetime | None = None) -> bool:
    """End out-of-office now; fold what was held into one catch-up (True if one was written)."""
    now = now or utcnow()
    away_until = _aware(actor.out_of_office_until)
    if away_until is not None:
        before = audit.snapshot(actor, ("out_of_office_until",))
        actor.out_of_office_until = None
        session.add(actor)
        audit.record(session, actor=actor, action="update", entity="member",
                     entity_id=actor.id or 0, before=before,
                     after=audit.snapshot(actor, ("out_of_office_until",)))
    return _fold(session, member=actor, key_time=away_until or now, now=now)


def set_digest_hour(session: Session, *, actor: Member, hour: int) -> Member:
    """Set the local hour of a manager's daily digest."""
    if actor.role == Role.REP:
        raise Forbidden("settings.digest_managers")
    if not 0 <= hour <= 23:
        raise Invalid("settings.bad_digest", value=str(hour)[:10])
    before = audit.snapshot(actor, ("digest_hour",))
    actor.digest_hour = hour
    session.add(actor)
    audit.record(session, actor=actor, action="update", entity="member", entity_id=actor.id or 0,
                 before=before, after=audit.snapshot(actor, ("digest_hour",)))
    return actor


# --- catch-up --------------------------------------------------------------------------------

def _aware(at: datetime | None) -> datetime | None:
    """Stored times are UTC; a driver that hands them back naive still means UTC."""
    return at.replace(tzinfo=UTC) if at is not None and at.utcoffset() is None else at


def catch_up(session: Session, *, member: Member, now: datetime) -> bool:
    """If `member`'s out-of-office has passed, fold their held reminders into one catch-up."""
    away_until = _aware(member.out_of_office_until)
    if away_until is None or away_until > now:
        return False
    member.out_of_office_until = None  # back: the dispatcher stops holding their reminders
    session.add(member)
    return _fold(session, member=member, key_time=away_until, now=now)


def _fold(session: Session, *, member: Member, key_time: datetime, now: datetime) -> bool:
    held = session.exec(
        select(Outbox).where(Outbox.member_id == member.id, Outbox.status == OutboxStatus.HELD)
        .order_by(col(Outbox.due_at), col(Outbox.id))
    ).all()
    if not held:
        return False
    items = [item for row in held for item in summarise(row.kind, row.payload or {})]
    written = enqueue(session, member=member, kind=rk.CATCH_UP,
                      dedupe_key=f"catchup:{member.id}:{key_time.astimezone(UTC).isoformat()}",
                      due_at=now, payload={"items": items[:MAX_CATCH_UP_ITEMS],
                                           "total": len(items)})
    for row in held:
        row.status = OutboxStatus.CANCELLED
        session.add(row)
    session.flush()
    return written


def summarise(kind: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """A held reminder as catch-up items: {kind, contact_name, summary} (data, not text)."""
    if kind == rk.CATCH_UP:  # away twice in a row: keep the earlier list flat
        return [dict(item) for item in payload.get("items", []) if isinstance(item, dict)]
    if kind == rk.HOLIDAY:
        people = [c.get("contact_name", "") for c in payload.get("contacts", [])
                  if isinstance(c, dict)]
        return [{"kind": kind, "contact_name": ", ".join(people[:3]) + (
            "…" if len(people) > 3 else ""), "summary": str(payload.get("holiday", ""))}]
    summary = {
        rk.FOLLOWUP_DUE: payload.get("text"), rk.FOLLOWUP_OVERDUE: payload.get("text"),
        rk.STALE_DEAL: payload.get("title"), rk.SLA_FIRST_RESPONSE: payload.get("severity"),
        rk.SLA_RESOLUTION: payload.get("severity"), rk.BIRTHDAY: payload.get("date"),
        rk.ANNIVERSARY: payload.get("years"), rk.CHURN: payload.get("days_since"),
        rk.DIGEST: payload.get("date"),
    }.get(kind)
    text = "" if summary is None else str(summary)
    return [{"kind": kind, "contact_name": str(payload.get("contact_name") or ""),
             "summary": text if len(text) <= SUMMARY else text[: SUMMARY - 1] + "…"}]


def produce_catch_ups(session: Session, now: datetime) -> int:
    """Write a catch-up for every member whose out-of-office has passed; return how many."""
    members = session.exec(
        select(Member).where(col(Member.out_of_office_until).is_not(None),
                             col(Member.out_of_office_until) <= now)
        .order_by(col(Member.id)).with_for_update(skip_locked=True)
    ).all()
    return sum(catch_up(session, member=member, now=now) for member in members)


def produce_catch_ups_job(engine: Engine, now: datetime) -> int:
    """Scheduler job: produce catch-ups in one short transaction."""
    with unit_of_work(engine) as session:
        return produce_catch_ups(session, now)
