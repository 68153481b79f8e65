"""Interactions with contacts: log them and keep last_contacted_at current."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.contacts.contacts import get_contact
from crm_store.contacts.normalize import clean_text
from crm_store.errors import Invalid
from crm_store.models import Deal, DealStatus, Interaction, InteractionKind, Member
from crm_store.sales import feedback

MAX_TEXT = 4000


def log_interaction(
    session: Session,
    *,
    actor: Member,
    contact_id: int,
    kind: InteractionKind,
    text: str,
    at: datetime | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    amount_minor: int | None = None,
) -> Interaction:
    """Record a touch with a visible contact and move its last-contacted time forward."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    body = clean_text(text, limit=MAX_TEXT + 1, multiline=True)
    if len(body) > MAX_TEXT:
        raise Invalid("error.text_too_long", limit=MAX_TEXT)
    at = at or utcnow()
    interaction = Interaction(
        team_id=actor.team_id,
        contact_id=contact.id or 0,
        member_id=actor.id or 0,
        kind=kind,
        text=body,
        occurred_at=at,
        latitude=latitude,
        longitude=longitude,
        amount_minor=amount_minor,
    )
    session.add(interaction)
    if contact.last_contacted_at is None or contact.last_contacted_at < at:
        contact.last_contacted_at = at
        session.add(contact)
    session.execute(  # activity on a customer is activity on their open deals
        update(Deal)
        .where(col(Deal.contact_id) == contact.id, col(Deal.status) == DealStatus.OPEN,
               col(Deal.last_activity_at) < at)
        .values(last_activity_at=at)
    )
    session.flush()
    feedback.note_response(session, contact_id=contact.id or 0, at=at, actor=actor)
    audit.record(session, actor=actor, action="create", entity="interaction",
                 entity_id=interaction.id or 0,
                 after={"contact_id": contact.id, "kind": kind.value})
    return interaction


def undo_interaction(session: Session, *, actor: Member, interaction_id: int) -> Interaction:
    """Withdraw an interaction its author just logged; last_contacted_at falls back."""
    item = session.get(Interaction, interaction_id)
    if item is None or item.deleted_at is not None or item.member_id != actor.id:
        raise Invalid("error.undo_gone")
    contact = get_contact(session, actor=actor, contact_id=item.contact_id)
    item.deleted_at = utcnow()
    session.add(item)
    session.flush()
    contact.last_contacted_at = session.exec(
        select(func.max(Interaction.occurred_at)).where(
            Interaction.contact_id == contact.id, col(Interaction.deleted_at).is_(None))
    ).one()
    session.add(contact)
    audit.record(session, actor=actor, action="delete", entity="interaction",
                 entity_id=interaction_id, before={"contact_id": contact.id,
                                                   "kind": item.kind.value})
    return item


def recent_contact_ids(session: Session, *, actor: Member, limit: int = 6) -> list[int]:
    """Contacts this member touched most recently, newest first (for check-in buttons)."""
    stmt = (
        select(Interaction.contact_id, func.max(Interaction.occurred_at).label("last"))
        .where(Interaction.member_id == actor.id, col(Interaction.deleted_at).is_(None))
        .group_by(col(Interaction.contact_id))
        .order_by(func.max(Interaction.occurred_at).desc())
        .limit(limit)
    )
    return [contact_id for contact_id, _ in session.exec(stmt)]
