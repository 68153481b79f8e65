"""Append-only audit trail: every create, update and delete with before and after."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, SQLModel, col, select

from crm_store.errors import NotFound
from crm_store.models import (
    AuditLog,
    CampaignTarget,
    Contact,
    Coupon,
    Deal,
    Feedback,
    Interaction,
    LoyaltyEntry,
    Member,
    Order,
    Payment,
    Task,
)


def snapshot(row: SQLModel, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Return a JSON-safe copy of a row's fields."""
    data = row.model_dump(include=set(fields) if fields else None)
    return {key: _jsonable(value) for key, value in data.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def record(
    session: Session,
    *,
    actor: Member | None,
    action: str,
    entity: str,
    entity_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    team_id: int | None = None,
) -> None:
    """Add one audit row in the caller's transaction (`team_id` when there is no actor)."""
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    session.add(
        AuditLog(
            team_id=actor.team_id if actor else team_id,
            actor_id=actor.id if actor else None,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


def history(session: Session, *, entity: str, entity_id: int, limit: int = 20) -> list[AuditLog]:
    """Return the newest audit rows for one record."""
    stmt = (
        select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        .order_by(col(AuditLog.id).desc())
        .limit(limit)
    )
    return list(session.exec(stmt))


# Entity names of records that hang off a contact.
_CONTACT_CHILDREN = ("deal", "order", "payment", "task", "interaction",
                     "feedback", "loyalty", "coupon", "campaign_target")


def _about_contact(contact_id: int) -> Any:
    """Audit rows of a contact and of the records hanging off it."""
    deals = select(Deal.id).where(Deal.contact_id == contact_id)
    children = {
        "deal": deals,
        "order": select(Order.id).where(Order.contact_id == contact_id),
        "payment": select(Payment.id).join(Order, col(Order.id) == Payment.order_id)
        .where(Order.contact_id == contact_id),
        "task": select(Task.id).where(Task.contact_id == contact_id),
        "interaction": select(Interaction.id).where(Interaction.contact_id == contact_id),
        "feedback": select(Feedback.id).where(Feedback.contact_id == contact_id),
        # Points an order earned follow from the order, which the history already shows.
        "loyalty": select(LoyaltyEntry.id).where(LoyaltyEntry.contact_id == contact_id,
                                                 LoyaltyEntry.kind != "order"),
        "coupon": select(Coupon.id).where(Coupon.contact_id == contact_id),
        "campaign_target": select(CampaignTarget.id).where(
            CampaignTarget.contact_id == contact_id),
    }
    return or_(
        and_(col(AuditLog.entity) == "contact", col(AuditLog.entity_id) == contact_id),
        *(and_(col(AuditLog.entity) == entity, col(AuditLog.entity_id).in_(children[entity]))
          for entity in _CONTACT_CHILDREN),
    )


def contact_history(
    session: Session, *, actor: Member, contact_id: int, before_id: int | None = None,
    limit: int = 15,
) -> tuple[Contact, list[tuple[AuditLog, str | None]], bool]:
    """A contact's audit rows and its records', newest first, with actor names; more to come?

    The contact may be deleted (its history is still worth reading); it must be in the actor's
    team and theirs to see, else NotFound, the same answer as for a contact that never existed.
    """
    from crm_store.team.members import can_see_owner  # team imports this module

    contact = session.get(Contact, contact_id)
    if (contact is None or contact.team_id != actor.team_id
            or not can_see_owner(session, actor, contact.owner_id)):
        raise NotFound("error.contact_not_found")
    stmt = (
        select(AuditLog, Member.display_name)
        .join(Member, col(Member.id) == AuditLog.actor_id, isouter=True)
        .where(AuditLog.team_id == contact.team_id, _about_contact(contact_id))
    )
    if before_id is not None:
        stmt = stmt.where(col(AuditLog.id) < before_id)
    rows = list(session.exec(stmt.order_by(col(AuditLog.id).desc()).limit(limit + 1)))
    return contact, [(row, name) for row, name in rows[:limit]], len(rows) > limit
