"""Right to erasure: export everything stored about a contact, then blank the personal parts.

What stays: the contact row itself (renamed "Erased contact #id"), its company link, lifecycle
stage and source, and every amount, count, kind, status and date — so /report, /segments and
the funnel still add up. What goes: name, phone, email, title, city, region, birthday, tags,
Telegram id, and every free text typed about them (interactions, feedback, tasks, order notes,
deal titles and lost reasons), in the records and in the audit trail's before/after copies.

A soft-deleted contact is erased the same way (it still holds personal data while it waits
to be restored), and stays deleted: /restore can bring back only the anonymous record.

The person is found however they were typed (crm_store.records.traces): stored chat updates,
reminders and open forms that mention them are forgotten; mentions in *other* customers'
records (a note on a colleague of theirs) are blanked too when the admin asks for it.
Backups taken before the erasure keep what they held (README, "Backups").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.contacts import search
from crm_store.errors import Forbidden, NotFound
from crm_store.models import (
    AuditLog,
    CampaignTarget,
    Company,
    Contact,
    Coupon,
    Deal,
    Feedback,
    Interaction,
    LoyaltyEntry,
    Member,
    Order,
    Payment,
    Role,
    StageChange,
    Task,
)
from crm_store.records.forget import forget_chat_updates, forget_pending_texts
from crm_store.records.traces import Traces, blank_mentions, find_mentions
from crm_store.sql import select_columns

ERASED_NAME = "Erased contact #{id}"
ERASED_DEAL = "Deal #{id}"
# Keys that may carry personal data in an audit row's before/after copy of any record.
PERSONAL_KEYS = frozenset({
    "name", "pinyin_full", "pinyin_initials", "phone", "email", "title", "city", "region",
    "birthday", "birthday_lunar", "tags", "telegram_user_id", "text", "note", "resolution",
    "lost_reason", "latitude", "longitude", "company", "address", "notes", "reason",
})


@dataclass(frozen=True)
class Erasure:
    """What an erasure touched (counts only: the audit row must hold no personal data)."""

    contact_id: int
    interactions: int
    feedback: int
    tasks: int
    orders: int
    deals: int
    audit_rows: int
    inbox_rows: int
    mentions: int = 0


def _admin_only(actor: Member) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("error.forbidden", command="/erase")


def get_erasable(session: Session, *, actor: Member, contact_id: int) -> Contact:
    """A contact of the admin's team, live or soft-deleted, or NotFound."""
    _admin_only(actor)
    contact = session.get(Contact, contact_id)
    if contact is None or contact.team_id != actor.team_id:  # a deleted contact may be erased
        raise NotFound("error.contact_not_found")
    return contact


def find_erasable(
    session: Session, *, actor: Member, query: str, limit: int = 6
) -> list[tuple[Contact, search.Hit]]:
    """Rank every contact of the admin's team, soft-deleted ones included, against `query`."""
    _admin_only(actor)
    stmt = (select_columns(Contact.id, Contact.name, Company.name, Contact.pinyin_full,
                           Contact.pinyin_initials, Contact.phone, Contact.email)
            .join(Company, col(Contact.company_id) == Company.id, isouter=True)
            .where(Contact.team_id == actor.team_id))
    keys = [search.SearchKey(contact_id=cid or 0, name=name, company=company or "",
                             pinyin_full=full, pinyin_initials=initials,
                             phone=search.phone_digits(phone), email=email or "")
            for cid, name, company, full, initials, phone, email in session.exec(stmt)]
    hits = search.rank(keys, query, limit=limit)
    rows = {c.id: c for c in session.exec(
        select(Contact).where(col(Contact.id).in_([h.contact_id for h in hits])))} if hits else {}
    return [(rows[h.contact_id], h) for h in hits if h.contact_id in rows]


def _rows(session: Session, model: Any, contact_id: int) -> list[Any]:
    return list(session.exec(
        select(model).where(model.contact_id == contact_id).order_by(col(model.id))
    ))


def export_contact(session: Session, *, actor: Member, contact_id: int) -> dict[str, Any]:
    """Everything stored about one contact, JSON-safe (admins only)."""
    contact = get_erasable(session, actor=actor, contact_id=contact_id)
    company = session.get(Company, contact.company_id) if contact.company_id else None
    deals = _rows(session, Deal, contact_id)
    orders = _rows(session, Order, contact_id)
    deal_ids = [d.id for d in deals]
    order_ids = [o.id for o in orders]
    stage_changes = list(session.exec(select(StageChange).where(
        col(StageChange.deal_id).in_(deal_ids)).order_by(col(StageChange.id))))
    payments = list(session.exec(select(Payment).where(
        col(Payment.order_id).in_(order_ids)).order_by(col(Payment.id))))
    data = {
        "exported_at": utcnow().isoformat(),
        "contact": audit.snapshot(contact),
        "company": audit.snapshot(company) if company else None,
        "interactions": [audit.snapshot(r) for r in _rows(session, Interaction, contact_id)],
        "feedback": [audit.snapshot(r) for r in _rows(session, Feedback, contact_id)],
        "tasks": [audit.snapshot(r) for r in _rows(session, Task, contact_id)],
        "deals": [audit.snapshot(r) for r in deals],
        "stage_changes": [audit.snapshot(r) for r in stage_changes],
        "orders": [audit.snapshot(r) for r in orders],
        "payments": [audit.snapshot(r) for r in payments],
        "loyalty": [audit.snapshot(r) for r in _rows(session, LoyaltyEntry, contact_id)],
        "coupons": [audit.snapshot(r) for r in _rows(session, Coupon, contact_id)],
        "campaign_targets": [audit.snapshot(r)
                             for r in _rows(session, CampaignTarget, contact_id)],
        "audit": [audit.snapshot(r) for r in _audit_rows(session, contact, deal_ids, order_ids)],
    }
    audit.record(session, actor=actor, action="export", entity="contact", entity_id=contact_id,
                 after={"files": ["json"], **{k: len(v) for k, v in data.items()
                                              if isinstance(v, list)}})
    return data


def export_json(data: dict[str, Any]) -> bytes:
    """The export as a UTF-8 JSON document (Chinese kept readable)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _audit_rows(
    session: Session, contact: Contact, deal_ids: list[Any], order_ids: list[Any]
) -> list[AuditLog]:
    related = {
        "contact": [contact.id],
        "interaction": [r.id for r in _rows(session, Interaction, contact.id or 0)],
        "feedback": [r.id for r in _rows(session, Feedback, contact.id or 0)],
        "task": [r.id for r in _rows(session, Task, contact.id or 0)],
        "deal": deal_ids, "order": order_ids,
        "loyalty": [r.id for r in _rows(session, LoyaltyEntry, contact.id or 0)],
        "coupon": [r.id for r in _rows(session, Coupon, contact.id or 0)],
    }
    found: list[AuditLog] = []
    for entity, ids in related.items():
        if ids:
            found += session.exec(select(AuditLog).where(
                AuditLog.team_id == contact.team_id, AuditLog.entity == entity,
                col(AuditLog.entity_id).in_(ids)))
    return sorted(found, key=lambda row: row.id or 0)


def traces_of(session: Session, contact: Contact) -> Traces:
    """The contact's name, phone and e-mail now and as the audit trail knew them before."""
    rows = session.exec(select(AuditLog).where(AuditLog.team_id == contact.team_id,
                                               AuditLog.entity == "contact",
                                               AuditLog.entity_id == contact.id))
    return Traces.of(contact, [copy for row in rows for copy in (row.before, row.after)])


def _own_audit_rows(session: Session, contact: Contact) -> list[AuditLog]:
    """Audit rows of the contact and of every record hanging off it."""
    deals, orders = _rows(session, Deal, contact.id or 0), _rows(session, Order, contact.id or 0)
    return _audit_rows(session, contact, [d.id for d in deals], [o.id for o in orders])


def count_mentions(session: Session, *, actor: Member, contact_id: int) -> int:
    """How many fields of other records (and their audit copies) name the contact."""
    contact = get_erasable(session, actor=actor, contact_id=contact_id)
    own = {row.id or 0 for row in _own_audit_rows(session, contact)}
    return len(find_mentions(session, contact, traces_of(session, contact), own))


def erase_contact(session: Session, *, actor: Member, contact_id: int,
                  mentions: bool = False) -> Erasure:
    """Blank a contact's personal data everywhere it is stored; keep the figures.

    `mentions`: also blank the contact in other records' free text that names them.
    """
    contact = get_erasable(session, actor=actor, contact_id=contact_id)
    traces = traces_of(session, contact)
    erased = ERASED_NAME.format(id=contact_id)
    deals, orders = _rows(session, Deal, contact_id), _rows(session, Order, contact_id)
    audit_rows = _own_audit_rows(session, contact)
    own = {row.id or 0 for row in audit_rows}
    blanked = blank_mentions(session, find_mentions(session, contact, traces, own), traces,
                             erased) if mentions else 0
    _blank_contact(contact)
    session.add(contact)
    interactions = _blank(session, _rows(session, Interaction, contact_id), text="",
                          latitude=None, longitude=None)
    feedback = _blank(session, _rows(session, Feedback, contact_id), text="", resolution=None)
    tasks = _blank(session, _rows(session, Task, contact_id), text="")
    _blank(session, orders, note="")
    _blank(session, _rows(session, LoyaltyEntry, contact_id), reason="")  # free text of reps
    _blank(session, _rows(session, Coupon, contact_id), note="")
    for deal in deals:
        deal.title, deal.lost_reason = ERASED_DEAL.format(id=deal.id), None
        session.add(deal)
    for row in audit_rows:
        row.before, row.after = _scrubbed(row.before), _scrubbed(row.after)
        session.add(row)
    forget_pending_texts(session, contact, traces, erased=erased,
                         free_text_keys=PERSONAL_KEYS | {"summary"})
    inbox_rows = forget_chat_updates(session, contact.team_id, traces)
    result = Erasure(contact_id, interactions, feedback, tasks, len(orders), len(deals),
                     len(audit_rows), inbox_rows, blanked)
    audit.record(session, actor=actor, action="erase", entity="contact", entity_id=contact_id,
                 after={k: v for k, v in result.__dict__.items() if k != "contact_id"})
    return result


def _blank_contact(contact: Contact) -> None:
    contact.name = ERASED_NAME.format(id=contact.id)
    contact.pinyin_full = contact.pinyin_initials = ""
    contact.phone = contact.email = contact.title = contact.city = contact.region = None
    contact.birthday, contact.birthday_lunar, contact.tags = None, False, []
    contact.telegram_user_id = None
    contact.updated_at = utcnow()


def _blank(session: Session, rows: list[Any], **values: Any) -> int:
    for row in rows:
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
    return len(rows)


def _scrubbed(copy: dict[str, Any] | None) -> dict[str, Any] | None:
    if copy is None:
        return None
    return {k: (None if k in PERSONAL_KEYS else v) for k, v in copy.items()}
