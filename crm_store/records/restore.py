"""Soft delete and restore of contacts, deals and orders, each step in the audit trail.

Nothing is erased: a delete stamps `deleted_at`, and every reader already skips stamped rows.
Deleting a contact stamps its live deals and orders with the same instant, so restoring the
contact brings exactly those back. Records stay restorable for RESTORE_WINDOW.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.contacts import search
from crm_store.contacts.contacts import NewContact, find_duplicates, get_contact
from crm_store.errors import Invalid, NotFound
from crm_store.messaging import reminder_kinds as rk
from crm_store.models import (
    Company,
    Contact,
    Deal,
    Member,
    Order,
    Outbox,
    OutboxStatus,
)
from crm_store.sales.deals import get_deal
from crm_store.sales.orders import can_see_order, get_order, seen_by
from crm_store.sql import AnySelect
from crm_store.team.members import can_see_owner, visible_owner_ids

RESTORE_WINDOW = timedelta(days=30)
LIST_LIMIT = 20
# Short codes used in button data: "av:c:12" restores contact 12.
KINDS: dict[str, type[Contact] | type[Deal] | type[Order]] = {"c": Contact, "d": Deal, "o": Order}
ENTITIES = {"c": "contact", "d": "deal", "o": "order"}
# What a contact's deletion takes along, and restoring it brings back.
CHILDREN: tuple[tuple[type[Deal] | type[Order], str], ...] = ((Deal, "d"), (Order, "o"))

Row = Contact | Deal | Order


@dataclass(frozen=True)
class Deleted:
    """One restorable record as the /restore list shows it."""

    kind: str  # "c" | "d" | "o"
    id: int
    contact_name: str
    title: str  # the deal's title; empty for contacts and orders
    amount_minor: int | None
    currency: str
    deleted_at: datetime


def aware(at: datetime) -> datetime:
    """Stored times are UTC; a driver that hands them back naive still means UTC."""
    return at.replace(tzinfo=UTC) if at.utcoffset() is None else at


def _stamp(session: Session, actor: Member, row: Row, kind: str, at: datetime,
           **extra: object) -> None:
    row.deleted_at = at
    session.add(row)
    audit.record(session, actor=actor, action="delete", entity=ENTITIES[kind],
                 entity_id=row.id or 0, before={"deleted_at": None},
                 after={"deleted_at": at.isoformat(), **extra})


def _unstamp(session: Session, actor: Member, row: Row, kind: str, **extra: object) -> None:
    before = {"deleted_at": aware(row.deleted_at).isoformat() if row.deleted_at else None}
    row.deleted_at = None
    session.add(row)
    audit.record(session, actor=actor, action="restore", entity=ENTITIES[kind],
                 entity_id=row.id or 0, before=before, after={"deleted_at": None, **extra})


def delete_contact(
    session: Session, *, actor: Member, contact_id: int, now: datetime | None = None
) -> Contact:
    """Soft-delete a visible contact together with its live deals and orders."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    at = now or utcnow()
    for model, kind in CHILDREN:
        live: SelectOfScalar[Deal | Order] = select(model)
        children = session.exec(live.where(
            model.contact_id == contact.id, col(model.deleted_at).is_(None)))
        for child in children:
            _stamp(session, actor, child, kind, at, with_contact=contact.id)
    _stamp(session, actor, contact, "c", at)
    _cancel_reminders(session, contact)
    session.flush()
    return contact


def _cancel_reminders(session: Session, contact: Contact) -> None:
    """Queued and held reminders about a deleted contact must not go out.

    Each cancelled row gives up its dedupe key, so the producers write the reminder again if
    the contact is restored; a holiday list just drops the contact.
    """
    unsent = (OutboxStatus.PENDING, OutboxStatus.HELD)
    for row in session.exec(select(Outbox).where(Outbox.team_id == contact.team_id,
                                                 col(Outbox.status).in_(unsent))):
        payload = row.payload or {}
        if row.kind == rk.HOLIDAY:
            people = payload.get("contacts") or []
            kept = [p for p in people if not (isinstance(p, dict)
                                              and p.get("contact_id") == contact.id)]
            if len(kept) == len(people):
                continue
            if kept:
                row.payload = {**payload, "contacts": kept}
                session.add(row)
                continue
        elif not (row.kind in rk.CONTACT_KINDS and payload.get("contact_id") == contact.id):
            continue
        row.status, row.error = OutboxStatus.CANCELLED, "contact deleted"
        row.lease_owner, row.lease_until = None, None
        row.dedupe_key = f"deleted:{row.id}:{row.dedupe_key}"[:160]
        session.add(row)


def delete_deal(
    session: Session, *, actor: Member, deal_id: int, now: datetime | None = None
) -> Deal:
    """Soft-delete a visible deal."""
    deal = get_deal(session, actor=actor, deal_id=deal_id)
    _stamp(session, actor, deal, "d", now or utcnow())
    session.flush()
    return deal


def delete_order(
    session: Session, *, actor: Member, order_id: int, now: datetime | None = None
) -> Order:
    """Soft-delete a visible order (its payments stay, hidden with it)."""
    order = get_order(session, actor=actor, order_id=order_id)
    _stamp(session, actor, order, "o", now or utcnow())
    session.flush()
    return order


def _deleted(session: Session, actor: Member, kind: str, row_id: int, now: datetime) -> Row:
    """A deleted record of the actor's team they may see, deleted within the window."""
    row = session.get(KINDS[kind], row_id)
    if (
        not isinstance(row, Contact | Deal | Order)  # None: no such row
        or row.team_id != actor.team_id
        or row.deleted_at is None
        or aware(row.deleted_at) < now - RESTORE_WINDOW
        or not (can_see_order(session, actor, row) if isinstance(row, Order)
                else can_see_owner(session, actor, row.owner_id))
    ):
        raise NotFound("audit.restore.not_found")
    return row


def _refuse_duplicates(session: Session, actor: Member, contact: Contact) -> None:
    """Refuse to bring back a contact /add would call a duplicate of a live one.

    A phone or email a live contact now uses, or a near-identical name at the same company
    (crm_store/contacts.py find_duplicates, the rule /add applies).
    """
    for field, value in (("phone", contact.phone), ("email", contact.email)):
        if not value:
            continue
        clash = session.exec(select(Contact).where(
            Contact.team_id == contact.team_id, col(Contact.deleted_at).is_(None),
            Contact.id != contact.id, getattr(Contact, field) == value)).first()
        if clash is None:
            continue
        if can_see_owner(session, actor, clash.owner_id):
            raise Invalid(f"audit.restore.duplicate_{field}", name=contact.name, value=value,
                          other=clash.name)
        raise Invalid(f"audit.restore.duplicate_{field}_hidden", name=contact.name, value=value)
    # The rest of /add's duplicate rule: a near-identical name at the same company.
    company = session.get(Company, contact.company_id) if contact.company_id else None
    data = NewContact(name=contact.name, company=company.name if company else None,
                      phone=contact.phone, email=contact.email)
    for clash in find_duplicates(session, actor=actor, data=data, exclude_id=contact.id):
        if can_see_owner(session, actor, clash.owner_id):
            raise Invalid("audit.restore.duplicate_name", name=contact.name,
                          company=data.company or "", other=clash.name)
        raise Invalid("audit.restore.duplicate_name_hidden", name=contact.name,
                      company=data.company or "")


def restore(
    session: Session, *, actor: Member, kind: str, row_id: int, now: datetime | None = None
) -> Contact | Deal | Order:
    """Bring back a deleted contact (with what was deleted with it), deal or order."""
    if kind not in KINDS:
        raise NotFound("audit.restore.not_found")
    now = now or utcnow()
    row = _deleted(session, actor, kind, row_id, now)
    if isinstance(row, Contact):
        _refuse_duplicates(session, actor, row)
        stamp = row.deleted_at
        for model, child_kind in CHILDREN:
            taken_along: SelectOfScalar[Deal | Order] = select(model)
            children = session.exec(taken_along.where(
                model.contact_id == row.id, model.deleted_at == stamp))
            for child in children:
                _unstamp(session, actor, child, child_kind, with_contact=row.id)
        _unstamp(session, actor, row, "c")
    else:
        assert isinstance(row, Deal | Order)
        contact = session.get(Contact, row.contact_id)
        if contact is None or contact.deleted_at is not None:
            raise Invalid("audit.restore.contact_first", name=contact.name if contact else "?")
        _unstamp(session, actor, row, kind)
    session.flush()
    return row


def _owned(stmt: AnySelect, model: type[Row], session: Session, actor: Member,
           now: datetime) -> AnySelect:
    owners = visible_owner_ids(session, actor)
    stmt = stmt.where(col(model.team_id) == actor.team_id, col(model.deleted_at).is_not(None),
                      col(model.deleted_at) >= now - RESTORE_WINDOW)
    if owners is None:
        return stmt
    return stmt.where(seen_by(owners) if model is Order else col(model.owner_id).in_(owners))


def list_deleted(
    session: Session, *, actor: Member, now: datetime | None = None, limit: int = LIST_LIMIT
) -> list[Deleted]:
    """Restorable records `actor` may see, newest deletion first.

    Deals and orders deleted together with their contact are left out: restoring the
    contact brings them back.
    """
    now = now or utcnow()
    found: list[Deleted] = []
    contacts = _owned(select(Contact), Contact, session, actor, now)
    for c in session.exec(contacts.order_by(col(Contact.deleted_at).desc()).limit(limit)):
        assert c.deleted_at is not None  # _owned picks deleted rows only
        found.append(Deleted("c", c.id or 0, c.name, "", None, "", aware(c.deleted_at)))
    for model, kind in CHILDREN:
        named: Select[Deal | Order, str] = select(model, Contact.name)
        stmt = _owned(named.join(Contact, col(Contact.id) == model.contact_id), model, session,
                      actor, now)
        stmt = stmt.where(col(Contact.deleted_at).is_(None))
        for row, name in session.exec(stmt.order_by(col(model.deleted_at).desc()).limit(limit)):
            assert row.deleted_at is not None  # _owned picks deleted rows only
            found.append(Deleted(kind, row.id or 0, name, getattr(row, "title", ""),
                                 row.amount_minor, row.currency, aware(row.deleted_at)))
    found.sort(key=lambda d: (d.deleted_at, d.id), reverse=True)
    return found[:limit]


def find_deleted_contacts(
    session: Session, *, actor: Member, query: str, now: datetime | None = None, limit: int = 6
) -> list[tuple[Contact, search.Hit]]:
    """Rank the restorable contacts `actor` may see against `query`."""
    now = now or utcnow()
    joined = select(Contact, Company.name).join(
        Company, col(Contact.company_id) == Company.id, isouter=True)
    stmt = _owned(joined, Contact, session, actor, now)
    rows = {c.id: (c, company) for c, company in session.exec(stmt.limit(2000))}
    keys = [search.SearchKey(contact_id=c.id or 0, name=c.name, company=company or "",
                             pinyin_full=c.pinyin_full, pinyin_initials=c.pinyin_initials,
                             phone=search.phone_digits(c.phone), email=c.email or "")
            for c, company in rows.values()]
    hits = search.rank(keys, query, limit=limit)
    return [(rows[h.contact_id][0], h) for h in hits if h.contact_id in rows]

