"""Follow-ups: create, list, agenda and complete tasks; due times are kept in UTC.

Queries filter on owner_id, status and due_at, in that order, so they use the index
ix_task_owner_status_due (the reminder scheduler reads tasks the same way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.contacts.contacts import get_contact
from crm_store.contacts.normalize import clean_text
from crm_store.errors import Invalid
from crm_store.models import Contact, Deal, DealStatus, Member, Task, TaskStatus
from crm_store.sql import AnySelect
from crm_store.team.members import visible_or_not_found, visible_owner_ids

MAX_TEXT = 1000
MAX_AHEAD = timedelta(days=5 * 366)
PAGE = 10
AGENDA_LIMIT = 30
_AUDITED = ("contact_id", "owner_id", "text", "due_at", "status", "done_at")


@dataclass(frozen=True)
class TaskLine:
    """An open task with the names a list shows next to it."""

    task: Task
    contact_name: str | None
    owner_name: str


@dataclass(frozen=True)
class DealLine:
    """An open deal expected to close soon."""

    deal: Deal
    contact_name: str


@dataclass
class Agenda:
    """What a member has on their plate for one local day."""

    overdue: list[TaskLine] = field(default_factory=list)
    today: list[TaskLine] = field(default_factory=list)
    deals: list[DealLine] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when there is nothing to show."""
        return not (self.overdue or self.today or self.deals)


def create_task(
    session: Session, *, actor: Member, contact_id: int, due_at: datetime, text: str,
    now: datetime | None = None,
) -> Task:
    """Promise a follow-up with a visible contact at `due_at` (aware; stored in UTC)."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    now = now or utcnow()
    if due_at.utcoffset() is None:
        raise ValueError("due_at must be timezone-aware")
    due_at = due_at.astimezone(UTC)
    if due_at <= now:
        raise Invalid("followup.past")
    if due_at > now + MAX_AHEAD:
        raise Invalid("followup.too_far")
    body = clean_text(text, limit=MAX_TEXT + 1, multiline=True)
    if len(body) > MAX_TEXT:
        raise Invalid("error.text_too_long", limit=MAX_TEXT)
    task = Task(team_id=actor.team_id, owner_id=actor.id or 0, contact_id=contact.id,
                text=body, due_at=due_at, created_at=now)
    session.add(task)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="task", entity_id=task.id or 0,
                 after=audit.snapshot(task, _AUDITED))
    return task


def _lines(session: Session, stmt: Select[Task, str, str]) -> list[TaskLine]:
    rows = session.exec(stmt).all()
    return [TaskLine(task=task, contact_name=name, owner_name=owner) for task, name, owner in rows]


def _open_tasks(actor: Member, owners: set[int] | None) -> Select[Task, str, str]:
    """Open tasks of `owners` (None: the whole team) whose contact is not deleted, with names."""
    return _only_open(select(Task, Contact.name, Member.display_name), actor, owners)


def _only_open(columns: AnySelect, actor: Member, owners: set[int] | None) -> AnySelect:
    """`columns` of the open tasks of `owners` (None: the whole team), contact not deleted."""
    stmt = (
        columns.select_from(Task)
        .join(Contact, col(Task.contact_id) == Contact.id, isouter=True)
        .join(Member, col(Task.owner_id) == Member.id)
        .where(col(Task.team_id) == actor.team_id, col(Task.status) == TaskStatus.OPEN,
               or_(col(Task.contact_id).is_(None), col(Contact.deleted_at).is_(None)))
    )
    return stmt if owners is None else stmt.where(col(Task.owner_id).in_(owners))


def _owners(session: Session, actor: Member, team: bool) -> set[int] | None:
    return visible_owner_ids(session, actor) if team else {actor.id or 0}


def list_open(
    session: Session, *, actor: Member, team: bool = False, offset: int = 0, limit: int = PAGE
) -> tuple[list[TaskLine], int]:
    """Open tasks by due time — the actor's own, or (team) all they may see — and the total."""
    owners = _owners(session, actor, team)
    stmt = _open_tasks(actor, owners).order_by(col(Task.due_at), col(Task.id))
    lines = _lines(session, stmt.offset(max(offset, 0)).limit(limit))
    count = _only_open(select(func.count(col(Task.id))), actor, owners)
    return lines, int(session.exec(count).one())


def agenda(
    session: Session, *, actor: Member, day_start_utc: datetime, day_end_utc: datetime,
    local_today: date, deal_days: int = 7, limit: int = AGENDA_LIMIT,
) -> Agenda:
    """The actor's overdue tasks, tasks due in [day_start, day_end) and deals closing soon."""
    mine = _open_tasks(actor, {actor.id or 0}).order_by(col(Task.due_at), col(Task.id))
    overdue = _lines(session, mine.where(col(Task.due_at) < day_start_utc).limit(limit))
    today = _lines(session, mine.where(col(Task.due_at) >= day_start_utc,
                                       col(Task.due_at) < day_end_utc).limit(limit))
    deals = session.exec(
        select(Deal, Contact.name)
        .join(Contact, col(Deal.contact_id) == Contact.id)
        .where(Deal.team_id == actor.team_id, Deal.owner_id == actor.id,
               Deal.status == DealStatus.OPEN, col(Deal.deleted_at).is_(None),
               col(Deal.expected_close) >= local_today,
               col(Deal.expected_close) <= local_today + timedelta(days=deal_days))
        .order_by(col(Deal.expected_close), col(Deal.id))
        .limit(limit)
    ).all()
    return Agenda(overdue=overdue, today=today,
                  deals=[DealLine(deal=deal, contact_name=name) for deal, name in deals])


def get_task(session: Session, *, actor: Member, task_id: int, lock: bool = False) -> Task:
    """Return a task `actor` may see, or raise NotFound."""
    stmt = select(Task).where(Task.id == task_id)
    task = session.exec(stmt.with_for_update() if lock else stmt).first()
    return visible_or_not_found(session, actor, task, "tasks.not_found")


def complete_task(
    session: Session, *, actor: Member, task_id: int, now: datetime | None = None
) -> TaskLine:
    """Mark a visible open task done (a second press says it is already done)."""
    task = get_task(session, actor=actor, task_id=task_id, lock=True)
    if task.status != TaskStatus.OPEN:
        raise Invalid("tasks.already_done")
    before = audit.snapshot(task, _AUDITED)
    task.status, task.done_at = TaskStatus.DONE, now or utcnow()
    session.add(task)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="task", entity_id=task.id or 0,
                 before=before, after=audit.snapshot(task, _AUDITED))
    contact = session.get(Contact, task.contact_id) if task.contact_id else None
    owner = session.get(Member, task.owner_id)
    return TaskLine(task=task, contact_name=contact.name if contact else None,
                    owner_name=owner.display_name if owner else "?")


def cancel_task(session: Session, *, actor: Member, task_id: int) -> Task:
    """Withdraw a follow-up its author just set (quick-log Undo)."""
    task = get_task(session, actor=actor, task_id=task_id, lock=True)
    if task.owner_id != actor.id or task.status != TaskStatus.OPEN:
        raise Invalid("error.undo_gone")
    before = audit.snapshot(task, _AUDITED)
    task.status = TaskStatus.CANCELLED
    session.add(task)
    audit.record(session, actor=actor, action="update", entity="task", entity_id=task.id or 0,
                 before=before, after=audit.snapshot(task, _AUDITED))
    return task


def open_for_contact(
    session: Session, *, actor: Member, contact_id: int, limit: int = 5
) -> list[TaskLine]:
    """Open tasks on a visible contact that `actor` may see, soonest first."""
    get_contact(session, actor=actor, contact_id=contact_id)
    stmt = (_open_tasks(actor, visible_owner_ids(session, actor))
            .where(Task.contact_id == contact_id)
            .order_by(col(Task.due_at), col(Task.id)).limit(limit))
    return _lines(session, stmt)
