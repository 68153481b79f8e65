"""Contacts: create, de-duplicate, search, read and edit — visibility enforced here."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cachetools import LRUCache
from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.contacts import search
from crm_store.contacts.normalize import (
    MAX_NAME,
    clean_text,
    company_key,
    normalise_email,
    normalise_phone,
)
from crm_store.errors import DomainError, Invalid
from crm_store.models import Company, Contact, ContactVersion, Interaction, Member
from crm_store.sql import AnySelect, select_columns
from crm_store.team.members import can_see_owner, visible_or_not_found, visible_owner_ids

Kept = TypeVar("Kept")

EDITABLE_FIELDS = ("name", "company", "phone", "email", "title", "city", "industry")
SIMILAR_NAME_SCORE = 90


@dataclass
class NewContact:
    """What a rep typed for a new contact, before normalisation."""

    name: str
    company: str | None = None
    phone: str | None = None
    email: str | None = None
    title: str | None = None
    city: str | None = None
    source: str | None = None
    telegram_user_id: int | None = None


class DuplicateSuspected(DomainError):
    """A contact with the same phone or email, or a very similar name at the company, exists."""

    def __init__(self, matches: list[Contact], visible_ids: set[int]) -> None:
        super().__init__("contact.duplicate")
        self.matches = matches
        self.visible_ids = visible_ids


@dataclass
class ContactCard:
    """Everything the contact card shows."""

    contact: Contact
    company: str | None
    owner: str
    recent: list[Interaction] = field(default_factory=list)


def _visible(stmt: AnySelect, session: Session, actor: Member) -> AnySelect:
    owners = visible_owner_ids(session, actor)
    stmt = stmt.where(col(Contact.team_id) == actor.team_id, col(Contact.deleted_at).is_(None))
    return stmt if owners is None else stmt.where(col(Contact.owner_id).in_(owners))


def _company(session: Session, team_id: int, name: str | None) -> Company | None:
    name = clean_text(name or "", limit=200)
    if not name:
        return None
    key = company_key(name)
    found = session.exec(
        select(Company).where(Company.team_id == team_id, Company.name_key == key)
    ).first()
    if found is None:
        found = Company(team_id=team_id, name=name, name_key=key)
        session.add(found)
        session.flush()
    return found


def _normalised(data: NewContact, region: str) -> NewContact:
    name = clean_text(data.name, limit=MAX_NAME)
    if not name:
        raise Invalid("error.name_required")
    return NewContact(
        name=name,
        company=clean_text(data.company or "", limit=200) or None,
        phone=normalise_phone(data.phone, region) if data.phone else None,
        email=normalise_email(data.email) if data.email else None,
        title=clean_text(data.title or "", limit=80) or None,
        city=clean_text(data.city or "", limit=80) or None,
        source=data.source,
        telegram_user_id=data.telegram_user_id,
    )


def find_duplicates(
    session: Session, *, actor: Member, data: NewContact, exclude_id: int | None = None
) -> list[Contact]:
    """Team contacts with the same phone or email, or a near-identical name at the company."""
    conditions: list[ColumnElement[bool]] = []
    if data.phone:
        conditions.append(col(Contact.phone) == data.phone)
    if data.email:
        conditions.append(col(Contact.email) == data.email)
    company = data.company and session.exec(
        select(Company).where(
            Company.team_id == actor.team_id, Company.name_key == company_key(data.company)
        )
    ).first()
    if company:
        conditions.append(col(Contact.company_id) == company.id)
    if not conditions:
        return []
    stmt = select(Contact).where(
        Contact.team_id == actor.team_id, col(Contact.deleted_at).is_(None), or_(*conditions)
    )
    if exclude_id is not None:
        stmt = stmt.where(Contact.id != exclude_id)
    full, _ = search.name_keys(data.name)
    matches = []
    for contact in session.exec(stmt.limit(200)):
        same_key = (data.phone and contact.phone == data.phone) or (
            data.email and contact.email == data.email
        )
        similar = company and contact.company_id == company.id and max(
            fuzz.ratio(contact.name.casefold(), data.name.casefold()),
            fuzz.ratio(contact.pinyin_full, full) if full else 0,
        ) >= SIMILAR_NAME_SCORE
        if same_key or similar:
            matches.append(contact)
    return matches[:5]


def create_contact(
    session: Session, *, actor: Member, data: NewContact, region: str = "CN", force: bool = False
) -> Contact:
    """Add a contact owned by `actor`; raise DuplicateSuspected unless `force`."""
    data = _normalised(data, region)
    if not force:
        matches = find_duplicates(session, actor=actor, data=data)
        if matches:
            visible = {c.id for c in matches if can_see_owner(session, actor, c.owner_id)}
            raise DuplicateSuspected(matches, {i for i in visible if i is not None})
    company = _company(session, actor.team_id, data.company)
    full, initials = search.name_keys(data.name)
    contact = Contact(
        team_id=actor.team_id,
        owner_id=actor.id or 0,
        company_id=company.id if company else None,
        name=data.name,
        pinyin_full=full,
        pinyin_initials=initials,
        phone=data.phone,
        email=data.email,
        title=data.title,
        city=data.city,
        source=data.source,
        telegram_user_id=data.telegram_user_id,
    )
    session.add(contact)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="contact",
                 entity_id=contact.id or 0, after=audit.snapshot(contact, _AUDITED))
    return contact


_AUDITED = ("name", "company_id", "phone", "email", "title", "city", "industry", "owner_id")


def get_contact(session: Session, *, actor: Member, contact_id: int) -> Contact:
    """Return a contact `actor` may see, or raise NotFound."""
    contact = session.get(Contact, contact_id)
    return visible_or_not_found(session, actor, contact, "error.contact_not_found")


def search_contacts(
    session: Session, *, actor: Member, query: str, limit: int = 8
) -> list[tuple[Contact, search.Hit]]:
    """Rank the contacts `actor` may see against `query`."""
    hits = search.rank(visible_index(session, actor), query, limit=limit)
    if not hits:
        return []
    rows = {c.id: c for c in session.exec(
        select(Contact).where(col(Contact.id).in_([h.contact_id for h in hits]))
    )}
    return [(rows[h.contact_id], h) for h in hits if h.contact_id in rows]


TeamKeys = list[tuple[int, search.SearchKey]]  # (owner id, the contact's search key)


class SearchCaches:
    """A team's search keys, and the index of each scope (the owners a member sees), kept in
    memory while the team's contact stamp (ContactVersion, kept by database triggers) is the
    one they were read at: a /find costs one primary-key read, not a load of every visible
    contact. Owned by this module (`SEARCH_CACHES`), for the one database a process serves:
    the keys name no database, so tests, which make one per test, `clear()` it.
    """

    def __init__(self, teams: int = 4, scopes: int = 32) -> None:
        self._team_keys: LRUCache[int, tuple[int | None, TeamKeys]] = LRUCache(maxsize=teams)
        self._scopes: LRUCache[tuple[Any, ...], search.SearchIndex] = LRUCache(maxsize=scopes)
        self._lock = threading.Lock()  # cachetools caches are not thread-safe

    def visible_index(self, session: Session, actor: Member) -> search.SearchIndex:
        """The search index of the live contacts `actor` may see, reused while nothing changed."""
        team_id = actor.team_id
        stamp = session.exec(select(ContactVersion.stamp)
                             .where(ContactVersion.team_id == team_id)).first()
        owners = visible_owner_ids(session, actor)
        scope = (team_id, stamp, None if owners is None else frozenset(owners))
        with self._lock:
            index = self._scopes.get(scope)
            if index is not None:
                return index
            cached = self._team_keys.get(team_id)
        if cached is None or cached[0] != stamp:
            cached = (stamp, _load_team_keys(session, team_id))
            with self._lock:
                self._team_keys[team_id] = cached
        index = search.SearchIndex(
            [key for owner, key in cached[1] if owners is None or owner in owners])
        with self._lock:
            self._scopes[scope] = index
        return index

    def clear(self) -> None:
        """Forget every team's keys and every scope's index."""
        with self._lock:
            self._team_keys.clear()
            self._scopes.clear()


SEARCH_CACHES = SearchCaches()


def visible_index(session: Session, actor: Member) -> search.SearchIndex:
    """The search index of the live contacts `actor` may see, reused while nothing changed."""
    return SEARCH_CACHES.visible_index(session, actor)


def _load_team_keys(session: Session, team_id: int) -> TeamKeys:
    stmt = (
        select_columns(Contact.owner_id, Contact.id, Contact.name, Company.name,
                       Contact.pinyin_full, Contact.pinyin_initials, Contact.phone, Contact.email)
        .join(Company, col(Contact.company_id) == Company.id, isouter=True)
        .where(Contact.team_id == team_id, col(Contact.deleted_at).is_(None))
    )
    return [
        (owner, search.SearchKey(
            contact_id=cid, name=name, company=company or "", pinyin_full=full,
            pinyin_initials=initials, phone=search.phone_digits(phone), email=email or ""))
        for owner, cid, name, company, full, initials, phone, email
        in session.connection().execute(stmt)
    ]


def company_names(session: Session, company_ids: set[int]) -> dict[int, str]:
    """Map company ids to names, in one query."""
    if not company_ids:
        return {}
    stmt = select(Company.id, Company.name).where(col(Company.id).in_(company_ids))
    return {cid: name for cid, name in session.exec(stmt) if cid is not None}


def card(session: Session, *, actor: Member, contact_id: int, recent: int = 5) -> ContactCard:
    """Gather what the contact card shows."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    owner = session.get(Member, contact.owner_id)
    interactions = session.exec(
        select(Interaction)
        .where(Interaction.contact_id == contact.id, col(Interaction.deleted_at).is_(None))
        .order_by(col(Interaction.occurred_at).desc(), col(Interaction.id).desc())
        .limit(recent)
    ).all()
    company = session.get(Company, contact.company_id) if contact.company_id else None
    return ContactCard(
        contact=contact,
        company=company.name if company else None,
        owner=owner.display_name if owner else "?",
        recent=list(interactions),
    )


def update_field(
    session: Session, *, actor: Member, contact_id: int, name: str, value: str,
    region: str = "CN",
) -> Contact:
    """Change one field of a visible contact; an empty value clears optional fields."""
    if name not in EDITABLE_FIELDS:
        raise Invalid("error.field", field=name)
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    before = audit.snapshot(contact, _AUDITED)
    value = clean_text(value, limit=200)
    if name == "name":
        if not value:
            raise Invalid("error.name_required")
        contact.name = value[:MAX_NAME]
        contact.pinyin_full, contact.pinyin_initials = search.name_keys(contact.name)
    elif name == "company":
        company = _company(session, actor.team_id, value)
        contact.company_id = company.id if company else None
    elif name == "phone":
        contact.phone = normalise_phone(value, region) if value else None
    elif name == "email":
        contact.email = normalise_email(value) if value else None
    else:
        setattr(contact, name, value[:80] or None)
    if name in ("phone", "email") and value:
        data = NewContact(name=contact.name, phone=contact.phone if name == "phone" else None,
                          email=contact.email if name == "email" else None)
        if find_duplicates(session, actor=actor, data=data, exclude_id=contact.id):
            raise Invalid("error.duplicate_value", value=value)
    contact.updated_at = utcnow()
    session.add(contact)
    audit.record(session, actor=actor, action="update", entity="contact",
                 entity_id=contact.id or 0, before=before,
                 after=audit.snapshot(contact, _AUDITED))
    return contact


def count_visible(session: Session, *, actor: Member) -> int:
    """How many contacts `actor` may see."""
    stmt = _visible(select(func.count()).select_from(Contact), session, actor)
    return int(session.exec(stmt).one())


def recent(session: Session, *, actor: Member, first: list[int], limit: int = 6) -> list[Contact]:
    """Visible contacts: the ids in `first` (in order), then the most recently changed ones."""
    rows = {c.id: c for c in session.exec(
        _visible(select(Contact).where(col(Contact.id).in_(first)), session, actor))}
    chosen = [rows[i] for i in first if i in rows][:limit]
    if len(chosen) < limit:
        more = _visible(select(Contact), session, actor).where(
            col(Contact.id).not_in([c.id for c in chosen] or [0]))
        more = more.order_by(col(Contact.updated_at).desc()).limit(limit - len(chosen))
        chosen += list(session.exec(more))
    return chosen

