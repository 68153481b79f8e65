"""Team activity per rep: what each visible member did in a period, in one GROUP BY round trip.

Every source (interactions, contacts, deals, stage moves, follow-ups, complaints) is grouped by
member in its own SELECT; the SELECTs travel as one UNION ALL that is summed per member, so the
cost does not grow with the number of reps. Attribution matches the manager digest
(analytics.digest_figures): touches count for the member who logged them, everything else for
the record's owner (a stage move for the deal's owner), so the per-rep figures add up to the
digest's team figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, true, union_all
from sqlmodel import Session, col, select

from crm_store.errors import NotFound
from crm_store.models import (
    Contact,
    Deal,
    DealStatus,
    Feedback,
    FeedbackKind,
    Interaction,
    InteractionKind,
    Member,
    StageChange,
    Task,
    TaskStatus,
)
from crm_store.sql import select_columns
from crm_store.team.members import visible_owner_ids
from crm_store.team.worktime import zone

PERIODS = ("d", "w", "m")  # today, this week (Monday first), this month
RECENT = 5
# The figures of a RepActivity, in the order the UNION ALL carries them.
COUNTS = ("calls", "visits", "meetings", "new_contacts", "new_deals", "stage_moves",
          "deals_won", "won_minor", "overdue_followups", "complaints_open")


@dataclass(frozen=True)
class RepActivity:
    """One member's figures for a period (overdue follow-ups and open complaints: at `now`)."""

    member_id: int
    name: str
    calls: int = 0
    visits: int = 0
    meetings: int = 0
    new_contacts: int = 0
    new_deals: int = 0
    stage_moves: int = 0
    deals_won: int = 0
    won_minor: int = 0
    overdue_followups: int = 0
    complaints_open: int = 0

    @property
    def activity(self) -> int:
        """Things done in the period: touches, new contacts, new deals and stage moves."""
        return (self.calls + self.visits + self.meetings + self.new_contacts + self.new_deals
                + self.stage_moves)


@dataclass(frozen=True)
class RecentTouch:
    """One of a rep's latest interactions, with the contact's name."""

    interaction: Interaction
    contact_name: str


@dataclass(frozen=True)
class RepDetail:
    """A rep's figures, their latest interactions and what they have open now."""

    activity: RepActivity
    recent: list[RecentTouch]
    open_deals: int
    open_deals_minor: int


def _local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(UTC)


def period_bounds(period: str, *, now: datetime, tz: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of today, this week (from Monday) or this month in the zone `tz`."""
    today = now.astimezone(zone(tz)).date()
    if period == "d":
        first, after = today, today + timedelta(days=1)
    elif period == "w":
        first = today - timedelta(days=today.weekday())
        after = first + timedelta(days=7)
    elif period == "m":
        first = today.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(f"unknown period {period!r}")
    return _local_midnight(first, tz), _local_midnight(after, tz)


Condition = ColumnElement[bool]


def _owned(column: Any, owners: set[int] | None) -> Condition:
    return true() if owners is None else col(column).in_(sorted(owners))


def _within(column: Any, start: datetime, end: datetime) -> Condition:
    return and_(col(column) >= start, col(column) < end)


def _row(member: Any, **figures: Any) -> list[Any]:
    """A SELECT list in COUNTS order: the given figures, zero for the rest."""
    return [col(member).label("member_id")] + [
        (figures[name] if name in figures else literal_column("0")).label(name)
        for name in COUNTS
    ]


def _touch(kind: InteractionKind) -> Any:
    return func.sum(case((col(Interaction.kind) == kind, 1), else_=0))


def _parts(
    team_id: int, owners: set[int] | None, start: datetime, end: datetime, now: datetime
) -> list[Any]:
    """One grouped SELECT per source, each shaped by `_row`."""
    deals = (Deal.team_id == team_id, _owned(Deal.owner_id, owners),
             col(Deal.deleted_at).is_(None))
    touches = (InteractionKind.CALL, InteractionKind.VISIT, InteractionKind.MEETING)
    return [
        select(*_row(Interaction.member_id, calls=_touch(InteractionKind.CALL),
                     visits=_touch(InteractionKind.VISIT),
                     meetings=_touch(InteractionKind.MEETING)))
        .where(Interaction.team_id == team_id, _owned(Interaction.member_id, owners),
               col(Interaction.kind).in_(touches), col(Interaction.deleted_at).is_(None),
               _within(Interaction.occurred_at, start, end))
        .group_by(Interaction.member_id),
        select(*_row(Contact.owner_id, new_contacts=func.count()))
        .where(Contact.team_id == team_id, _owned(Contact.owner_id, owners),
               col(Contact.deleted_at).is_(None), _within(Contact.created_at, start, end))
        .group_by(Contact.owner_id),
        select(*_row(Deal.owner_id, new_deals=func.count()))
        .where(*deals, _within(Deal.created_at, start, end))
        .group_by(Deal.owner_id),
        select(*_row(Deal.owner_id, deals_won=func.count(),
                     won_minor=func.sum(Deal.amount_minor)))
        .where(*deals, Deal.status == DealStatus.WON,
               _within(Deal.closed_at, start, end))
        .group_by(Deal.owner_id),
        select(*_row(Deal.owner_id, stage_moves=func.count()))
        .select_from(StageChange)
        .join(Deal, col(StageChange.deal_id) == Deal.id)
        .where(StageChange.team_id == team_id, col(StageChange.from_stage).is_not(None), *deals,
               _within(StageChange.at, start, end))
        .group_by(Deal.owner_id),
        select(*_row(Task.owner_id, overdue_followups=func.count()))
        .select_from(Task)
        .join(Contact, col(Task.contact_id) == Contact.id, isouter=True)
        .where(Task.team_id == team_id, _owned(Task.owner_id, owners),
               Task.status == TaskStatus.OPEN, col(Task.due_at) < now,
               or_(col(Task.contact_id).is_(None), col(Contact.deleted_at).is_(None)))
        .group_by(Task.owner_id),
        select(*_row(Feedback.owner_id, complaints_open=func.count()))
        .select_from(Feedback)
        .join(Contact, col(Feedback.contact_id) == Contact.id)
        .where(Feedback.team_id == team_id, _owned(Feedback.owner_id, owners),
               Feedback.kind == FeedbackKind.COMPLAINT, Feedback.status == "open",
               col(Contact.deleted_at).is_(None))
        .group_by(Feedback.owner_id),
    ]


def _figures(
    session: Session, team_id: int, owners: set[int] | None, start: datetime, end: datetime,
    now: datetime,
) -> dict[int, dict[str, int]]:
    """Member id → figures, for members with anything to count."""
    every = union_all(*_parts(team_id, owners, start, end, now)).subquery("figures")
    stmt = select_columns(every.c.member_id, *(func.sum(every.c[name]) for name in COUNTS)) \
        .group_by(every.c.member_id)
    return {int(member_id): {name: int(value or 0) for name, value in zip(COUNTS, values,
                                                                          strict=True)}
            for member_id, *values in session.exec(stmt)}


def _by_won_then_activity(row: RepActivity) -> tuple[int, int, str, int]:
    return (-row.won_minor, -row.activity, row.name.casefold(), row.member_id)


def by_rep(
    session: Session, *, actor: Member, start_utc: datetime, end_utc: datetime, now: datetime,
    member_id: int | None = None,
) -> list[RepActivity]:
    """Per visible member, figures for [start_utc, end_utc): most won first, then most active.

    Active members appear even with nothing to count; deactivated ones only when they have
    figures. `member_id` narrows the answer to that one member (if `actor` may see them).
    """
    owners = visible_owner_ids(session, actor)
    if member_id is not None:
        if owners is not None and member_id not in owners:
            return []
        owners = {member_id}
    figures = _figures(session, actor.team_id, owners, start_utc, end_utc, now)
    stmt = select(Member.id, Member.display_name, Member.active).where(
        Member.team_id == actor.team_id, _owned(Member.id, owners))
    rows = [
        RepActivity(member_id=mid, name=name, **figures.get(mid, {}))
        for mid, name, active in session.exec(stmt)
        if mid is not None and (active or mid in figures)
    ]
    return sorted(rows, key=_by_won_then_activity)


def totals(rows: list[RepActivity]) -> RepActivity:
    """The sum of every figure over `rows` (member id 0, no name)."""
    sums = {name: sum(getattr(row, name) for row in rows) for name in COUNTS}
    return RepActivity(member_id=0, name="", **sums)


def rep_detail(
    session: Session, *, actor: Member, member_id: int, start_utc: datetime, end_utc: datetime,
    now: datetime,
) -> RepDetail:
    """One visible member's figures, 5 latest interactions and open deals; else NotFound."""
    member = session.get(Member, member_id)
    owners = visible_owner_ids(session, actor)
    if (member is None or member.team_id != actor.team_id
            or (owners is not None and member_id not in owners)):
        raise NotFound("error.member_not_found")
    rows = by_rep(session, actor=actor, start_utc=start_utc, end_utc=end_utc, now=now,
                         member_id=member_id)
    activity = rows[0] if rows else RepActivity(member_id=member_id, name=member.display_name)
    recent = session.exec(
        select(Interaction, Contact.name)
        .join(Contact, col(Interaction.contact_id) == Contact.id)
        .where(Interaction.team_id == actor.team_id, Interaction.member_id == member_id,
               col(Interaction.deleted_at).is_(None), col(Contact.deleted_at).is_(None),
               _owned(Contact.owner_id, owners))
        .order_by(col(Interaction.occurred_at).desc(), col(Interaction.id).desc())
        .limit(RECENT)
    ).all()
    count, amount = session.exec(
        select(func.count(), func.coalesce(func.sum(Deal.amount_minor), 0))
        .where(Deal.team_id == actor.team_id, Deal.owner_id == member_id,
               Deal.status == DealStatus.OPEN, col(Deal.deleted_at).is_(None))
    ).one()
    return RepDetail(activity=activity,
                     recent=[RecentTouch(item, name) for item, name in recent],
                     open_deals=int(count), open_deals_minor=int(amount or 0))
