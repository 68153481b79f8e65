"""Reminder producers: scan the store and write deduplicated outbox rows for members.

Each producer is a job `produce_<kind>(engine, now) -> int` (rows created) that opens one short
transaction per team, reloads what it needs and writes through messaging.outbox.enqueue with a
deterministic dedupe key, so running it twice (or on two machines) creates nothing new.
Inactive members get nothing; soft-deleted contacts are left out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store.analytics import churn
from crm_store.db import unit_of_work
from crm_store.messaging import outbox
from crm_store.messaging import reminder_kinds as kinds
from crm_store.messaging.reminder_rules import Rules, rules_for
from crm_store.models import (
    Contact,
    Deal,
    DealStatus,
    Feedback,
    FeedbackKind,
    Member,
    PipelineStage,
    Role,
    Task,
    TaskStatus,
    Team,
)
from crm_store.team.worktime import (
    at_local,
    into_working_hours,
    iso_week,
    local_date,
    next_work_start,
)

log = logging.getLogger(__name__)

FOLLOWUP_LOOKAHEAD = timedelta(minutes=1)  # a follow-up set "in 1 minute" goes out promptly
FOLLOWUP_LOOKBACK = timedelta(hours=24)  # older ones are the overdue nag's business
TeamJob = Callable[[Session, Team, Rules, datetime], int]


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def _hours(member: Member, when: datetime) -> datetime:
    return into_working_hours(when, tz=member.timezone, work_start=member.work_start,
                              work_end=member.work_end)


def _deliver_at(member: Member, when: datetime, now: datetime) -> datetime:
    """`when` moved into the member's working hours; if missed while off duty, their next start."""
    at = _hours(member, when)
    later = _hours(member, now)
    return later if at < now and later != now else at


def _members(session: Session, team_id: int) -> dict[int, Member]:
    rows = session.exec(select(Member).where(Member.team_id == team_id)).all()
    return {m.id: m for m in rows if m.id is not None}


def _active(members: dict[int, Member]) -> dict[int, Member]:
    return {mid: m for mid, m in members.items() if m.active}


def _per_team(engine: Engine, now: datetime, job: TeamJob) -> int:
    """Run `job` for every team, one transaction each; one team's failure spares the others."""
    with unit_of_work(engine) as session:
        team_ids = [t for t in session.exec(select(Team.id).order_by(col(Team.id))) if t]
    created = 0
    for team_id in team_ids:
        try:
            with unit_of_work(engine) as session:
                team = session.get(Team, team_id)
                if team is not None:
                    created += job(session, team, rules_for(team), now)
        except Exception:  # noqa: BLE001 - logged; the next run retries this team
            log.exception("%s failed for team %s", job.__name__, team_id)
    return created


def _live_contact() -> ColumnElement[bool]:
    """Tasks with no contact, or whose contact is not soft-deleted."""
    return or_(col(Task.contact_id).is_(None), col(Contact.deleted_at).is_(None))


def _task_payload(task: Task, contact_name: str | None) -> kinds.Payload:
    return {"task_id": task.id, "contact_id": task.contact_id,
            "contact_name": contact_name or "", "text": task.text, "due_at": _iso(task.due_at)}


def _followup_due(session: Session, team: Team, rules: Rules, now: datetime) -> int:
    members = _active(_members(session, team.id or 0))
    rows = session.exec(
        select(Task, Contact.name)
        .join(Contact, col(Task.contact_id) == Contact.id, isouter=True)
        .where(col(Task.owner_id).in_(list(members)), Task.status == TaskStatus.OPEN,
               col(Task.due_at) <= now + FOLLOWUP_LOOKAHEAD,
               col(Task.due_at) > now - FOLLOWUP_LOOKBACK, Task.team_id == team.id,
               _live_contact())
        .order_by(col(Task.due_at), col(Task.id))
    ).all()
    created = 0
    for task, contact_name in rows:
        member = members[task.owner_id]
        created += outbox.enqueue(
            session, member=member, kind=kinds.FOLLOWUP_DUE,
            dedupe_key=f"followup:{task.id}:{_iso(task.due_at)}",
            due_at=_deliver_at(member, task.due_at, now),
            payload=_task_payload(task, contact_name))
    return created


def produce_followup_due(engine: Engine, now: datetime) -> int:
    """Remind owners of open follow-ups falling due (one minute ahead), in working hours."""
    return _per_team(engine, now, _followup_due)


def _overdue_for(session: Session, member: Member, rules: Rules, now: datetime) -> int:
    today = local_date(now, member.timezone)
    nag_at = _hours(member, at_local(today, rules.overdue_nag_hour, member.timezone))
    if nag_at < now and _hours(member, now) != now:
        return 0  # today's nag time passed while they are off duty: tomorrow's nag follows
    rows = session.exec(
        select(Task, Contact.name)
        .join(Contact, col(Task.contact_id) == Contact.id, isouter=True)
        .where(Task.owner_id == member.id, Task.status == TaskStatus.OPEN,
               col(Task.due_at) < at_local(today, 0, member.timezone), _live_contact())
        .order_by(col(Task.due_at), col(Task.id))
    ).all()
    created = 0
    for task, contact_name in rows:
        if local_date(_hours(member, task.due_at), member.timezone) >= today:
            continue  # its "due" reminder was moved into working hours today: no double ping
        payload = _task_payload(task, contact_name)
        payload["days_late"] = (today - local_date(task.due_at, member.timezone)).days
        created += outbox.enqueue(session, member=member, kind=kinds.FOLLOWUP_OVERDUE,
                                  dedupe_key=f"overdue:{task.id}:{today.isoformat()}",
                                  due_at=nag_at, payload=payload)
    return created


def _followup_overdue(session: Session, team: Team, rules: Rules, now: datetime) -> int:
    members = _active(_members(session, team.id or 0)).values()
    return sum(_overdue_for(session, member, rules, now) for member in members)


def produce_followup_overdue(engine: Engine, now: datetime) -> int:
    """Nag owners once a local day, at the team's nag hour, about follow-ups from past days."""
    return _per_team(engine, now, _followup_overdue)


def _stale_deal(session: Session, team: Team, rules: Rules, now: datetime) -> int:
    members = _active(_members(session, team.id or 0))
    limits = {s.key: s.stale_days for s in session.exec(
        select(PipelineStage).where(PipelineStage.team_id == team.id))}
    rows = session.exec(
        select(Deal, Contact.name)
        .join(Contact, col(Deal.contact_id) == Contact.id)
        .where(Deal.team_id == team.id, Deal.status == DealStatus.OPEN,
               col(Deal.deleted_at).is_(None), col(Contact.deleted_at).is_(None),
               col(Deal.owner_id).in_(list(members)))
        .order_by(col(Deal.id))
    ).all()
    created = 0
    for deal, contact_name in rows:
        quiet_since = max(deal.last_activity_at, deal.stage_entered_at)
        if now - quiet_since <= timedelta(days=limits.get(deal.stage, rules.stale_days_default)):
            continue
        member = members[deal.owner_id]
        due = _deliver_at(member, now, now)
        week = iso_week(local_date(due, member.timezone))  # at most one nag a week per stage stay
        created += outbox.enqueue(
            session, member=member, kind=kinds.STALE_DEAL,
            dedupe_key=f"stale:{deal.id}:{deal.stage}:{deal.stage_entered_at.date()}:{week}",
            due_at=due,
            payload={"deal_id": deal.id, "contact_id": deal.contact_id,
                     "contact_name": contact_name, "title": deal.title, "stage": deal.stage,
                     "days": (now - quiet_since).days, "amount": deal.amount_minor,
                     "currency": deal.currency})
    return created


def produce_stale_deal(engine: Engine, now: datetime) -> int:
    """Tell owners about open deals quiet for longer than their stage allows, weekly at most."""
    return _per_team(engine, now, _stale_deal)


def _escalation_targets(members: dict[int, Member], owner: Member) -> list[Member]:
    """The owner's manager if active, else the team's active admins (never the owner twice)."""
    manager = members.get(owner.manager_id or 0)
    if manager is not None and manager.active and manager.id != owner.id:
        return [manager]
    return [m for m in members.values()
            if m.role == Role.ADMIN and m.active and m.id != owner.id]


def _complaint_sla(session: Session, team: Team, rules: Rules, now: datetime) -> int:
    members = _members(session, team.id or 0)
    first_h, resolve_h = rules.sla_first_response_hours, rules.sla_resolution_hours
    rows = session.exec(
        select(Feedback, Contact.name)
        .join(Contact, col(Feedback.contact_id) == Contact.id)
        .where(Feedback.team_id == team.id, Feedback.kind == FeedbackKind.COMPLAINT,
               Feedback.status == "open", col(Contact.deleted_at).is_(None),
               col(Feedback.created_at) <= now - timedelta(hours=min(first_h, resolve_h)))
        .order_by(col(Feedback.created_at), col(Feedback.id))
    ).all()
    created = 0
    for complaint, contact_name in rows:
        owner = members.get(complaint.owner_id)
        if owner is None:
            continue
        payload = {"feedback_id": complaint.id, "contact_id": complaint.contact_id,
                   "contact_name": contact_name, "severity": complaint.severity,
                   "owner": owner.display_name}
        resolve_by = complaint.created_at + timedelta(hours=resolve_h)
        if resolve_by <= now:  # escalate; the first-response nag would only repeat it
            targets = ([owner] if owner.active else []) + _escalation_targets(members, owner)
            for member in targets:
                created += outbox.enqueue(
                    session, member=member, kind=kinds.SLA_RESOLUTION,
                    dedupe_key=f"sla2:{complaint.id}:{member.id}",
                    due_at=_deliver_at(member, resolve_by, now),
                    payload={**payload, "hours": resolve_h, "escalated": True})
            continue
        answer_by = complaint.created_at + timedelta(hours=first_h)
        if complaint.first_response_at is None and answer_by <= now and owner.active:
            created += outbox.enqueue(
                session, member=owner, kind=kinds.SLA_FIRST_RESPONSE,
                dedupe_key=f"sla1:{complaint.id}", due_at=_deliver_at(owner, answer_by, now),
                payload={**payload, "hours": first_h, "escalated": False})
    return created


def produce_complaint_sla(engine: Engine, now: datetime) -> int:
    """Warn owners of complaints past the first-response SLA; escalate unresolved ones."""
    return _per_team(engine, now, _complaint_sla)


def _churn(session: Session, team: Team, rules: Rules, now: datetime) -> int:
    members = _active(_members(session, team.id or 0))
    created = 0
    for risk in churn.at_risk(session, team.id or 0, now, owner_ids=set(members)):
        member = members[risk.owner_id]
        due = next_work_start(now, tz=member.timezone, work_start=member.work_start)
        week = iso_week(local_date(due, member.timezone))
        created += outbox.enqueue(
            session, member=member, kind=kinds.CHURN,
            dedupe_key=f"churn:{risk.contact_id}:{week}", due_at=due,
            payload={"contact_id": risk.contact_id, "contact_name": risk.contact_name,
                     "days_since": risk.days_since, "usual_gap_days": risk.usual_gap_days,
                     "reasons": list(risk.reasons), "score": risk.score,
                     "value_minor": risk.value_minor, "currency": team.currency})
    return created


def produce_churn(engine: Engine, now: datetime) -> int:
    """Tell owners, once an ISO week at their work start, about customers going quiet."""
    return _per_team(engine, now, _churn)


# The names scheduler/runner.py schedules.
produce_followups_due = produce_followup_due
produce_overdue = produce_followup_overdue
produce_stale_deals = produce_stale_deal
produce_sla = produce_complaint_sla
