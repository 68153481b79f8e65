"""A contact's history for /audit: its audit rows and those of the records hanging off it.

The trail itself (crm_store.audit) sits below every area, the team's included; reading it
for a person checks visibility, so this reader sits above both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

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
from crm_store.team.members import can_see_owner

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
