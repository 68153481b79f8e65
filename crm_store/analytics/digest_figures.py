"""Figures of a manager's digest: what their visible team did in a period, in SQL aggregates.

Every figure is one scalar sub-query (COUNT or SUM) and all of them travel in one SELECT, so a
digest costs one round trip however many figures it grows. Money figures end in "_minor" (minor
units of the team currency), which is how the digest view knows to format them as money.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, or_, true
from sqlmodel import Session, col, select

from crm_store.messaging.reminder_rules import rules_for
from crm_store.models import (
    Contact,
    Deal,
    DealStatus,
    Feedback,
    FeedbackKind,
    Interaction,
    InteractionKind,
    Member,
    Order,
    Payment,
    StageChange,
    Task,
    TaskStatus,
    Team,
)
from crm_store.sql import select_columns
from crm_store.team.members import visible_owner_ids

# In the order the digest lists them; labels are the catalog keys "reminders.fig_<name>".
FIGURES = (
    "calls", "visits", "meetings", "new_contacts", "new_deals", "stage_moves", "deals_won",
    "won_minor", "orders", "orders_minor", "payments_minor", "tasks_overdue", "complaints_open",
    "sla_breaches",
)


Condition = ColumnElement[bool]


def _owned(column: Any, owners: set[int] | None) -> Condition:
    return true() if owners is None else col(column).in_(sorted(owners))


def _within(column: Any, start: datetime, end: datetime) -> Condition:
    return and_(col(column) >= start, col(column) < end)


def _aggregate(
    what: Any, model: Any, where: tuple[Condition, ...], join: tuple[Any, Condition] | None,
    outer: bool,
) -> ScalarSelect[Any]:
    stmt = select(what).select_from(model)
    if join is not None:
        stmt = stmt.join(*join, isouter=outer)
    return stmt.where(*where).scalar_subquery()


def _count(
    model: Any, *where: Condition, join: tuple[Any, Condition] | None = None, outer: bool = False
) -> ScalarSelect[Any]:
    return _aggregate(func.count(), model, where, join, outer)


def _sum(
    column: Any, model: Any, *where: Condition, join: tuple[Any, Condition] | None = None
) -> ScalarSelect[Any]:
    return _aggregate(func.coalesce(func.sum(col(column)), 0), model, where, join, False)


def daily_figures(
    session: Session, *, actor: Member, start_utc: datetime, end_utc: datetime,
    now: datetime | None = None,
) -> dict[str, int]:
    """FIGURES of `actor`'s visible team for [start_utc, end_utc) and what stands open at `now`."""
    # Overdue follow-ups, open complaints and SLA breaches are counted at `now` (default
    # end_utc); everything else is what happened inside the period.
    now = now or end_utc
    owners = visible_owner_ids(session, actor)
    team = session.get(Team, actor.team_id)
    sla_hours = rules_for(team).sla_first_response_hours if team else 4
    team_id = actor.team_id

    def touches(kind: InteractionKind) -> ScalarSelect[Any]:
        return _count(Interaction, col(Interaction.team_id) == team_id,
                      _owned(Interaction.member_id, owners), col(Interaction.kind) == kind,
                      col(Interaction.deleted_at).is_(None),
                      _within(Interaction.occurred_at, start_utc, end_utc))

    deals = (col(Deal.team_id) == team_id, _owned(Deal.owner_id, owners),
             col(Deal.deleted_at).is_(None))
    won = (*deals, col(Deal.status) == DealStatus.WON,
           _within(Deal.closed_at, start_utc, end_utc))
    orders = (col(Order.team_id) == team_id, _owned(Order.owner_id, owners),
              col(Order.deleted_at).is_(None), col(Order.status) != "cancelled")
    placed = (*orders, _within(Order.ordered_at, start_utc, end_utc))
    by_order = (Order, col(Payment.order_id) == Order.id)
    paid = (col(Payment.team_id) == team_id, _owned(Order.owner_id, owners),
            col(Order.deleted_at).is_(None), _within(Payment.paid_at, start_utc, end_utc))
    complaint_contact = (Contact, col(Feedback.contact_id) == Contact.id)
    complaints = (
        col(Feedback.team_id) == team_id, col(Feedback.kind) == FeedbackKind.COMPLAINT,
        col(Feedback.status) == "open", col(Contact.deleted_at).is_(None),
        true() if owners is None else or_(col(Feedback.owner_id).in_(sorted(owners)),
                                              col(Contact.owner_id).in_(sorted(owners))),
    )
    deal_of_move = (Deal, col(StageChange.deal_id) == Deal.id)
    task_contact = (Contact, col(Task.contact_id) == Contact.id)
    figures = {
        "calls": touches(InteractionKind.CALL),
        "visits": touches(InteractionKind.VISIT),
        "meetings": touches(InteractionKind.MEETING),
        "new_contacts": _count(Contact, col(Contact.team_id) == team_id,
                               _owned(Contact.owner_id, owners),
                               col(Contact.deleted_at).is_(None),
                               _within(Contact.created_at, start_utc, end_utc)),
        "new_deals": _count(Deal, *deals,
                            _within(Deal.created_at, start_utc, end_utc)),
        "stage_moves": _count(StageChange, col(StageChange.team_id) == team_id,
                              col(StageChange.from_stage).is_not(None), *deals,
                              _within(StageChange.at, start_utc, end_utc),
                              join=deal_of_move),
        "deals_won": _count(Deal, *won),
        "won_minor": _sum(Deal.amount_minor, Deal, *won),
        "orders": _count(Order, *placed),
        "orders_minor": _sum(Order.amount_minor, Order, *placed),
        "payments_minor": _sum(Payment.amount_minor, Payment, *paid, join=by_order),
        "tasks_overdue": _count(
            Task, col(Task.team_id) == team_id, _owned(Task.owner_id, owners),
            col(Task.status) == TaskStatus.OPEN, col(Task.due_at) < now,
            or_(col(Task.contact_id).is_(None), col(Contact.deleted_at).is_(None)),
            join=task_contact, outer=True),
        "complaints_open": _count(Feedback, *complaints, join=complaint_contact),
        "sla_breaches": _count(
            Feedback, *complaints, col(Feedback.first_response_at).is_(None),
            col(Feedback.created_at) <= now - timedelta(hours=sla_hours),
            join=complaint_contact),
    }
    row = session.exec(select_columns(*figures.values())).one()
    values = {name: int(value or 0) for name, value in zip(figures, row, strict=True)}
    return {name: values[name] for name in FIGURES}
