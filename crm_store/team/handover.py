"""Hand records to another member: one contact, a whole book, or everything a leaver owns.

Deactivation and /reassign all share one path (`_hand_over`): in the caller's transaction the
rows change owner, every moved row gets an audit row, the source's pending reminders about
them follow the records, and the receiver gets a notice through the outbox.

A whole book is the contacts, open deals, open tasks, orders with a balance still to collect
and open feedback. Paid and cancelled orders, closed deals and answered feedback keep their
owner, so past revenue stays credited to who made it; the new owner of a contact still sees
all of its orders (crm_store/orders.py lets a contact's owner see its orders).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.contacts.contacts import get_contact
from crm_store.errors import Forbidden, Invalid, NotFound
from crm_store.messaging import outbox
from crm_store.messaging import reminder_kinds as rk
from crm_store.models import (
    Contact,
    Deal,
    DealStatus,
    Feedback,
    Invite,
    Member,
    Order,
    Outbox,
    OutboxStatus,
    Role,
    Task,
    TaskStatus,
)
from crm_store.sales.feedback import OPEN as FEEDBACK_OPEN
from crm_store.sales.orders import OPEN as ORDER_OPEN
from crm_store.team.members import can_see_owner, pick_member, visible_owner_ids

CHUNK = 5000  # ids per UPDATE … WHERE id IN (…): well under SQLite's variable limit
KINDS = ("contact", "deal", "task", "order", "feedback")


@dataclass(frozen=True)
class Book:
    """How many records of each kind a handover moves (or moved).

    `order` counts orders with a balance due and `feedback` open feedback: the rest stays.
    """

    contact: int = 0
    deal: int = 0
    task: int = 0
    order: int = 0
    feedback: int = 0

    def counts(self) -> dict[str, int]:
        """Kind → count, in display order."""
        return {kind: getattr(self, kind) for kind in KINDS}


@dataclass(frozen=True)
class Handover:
    """What a handover did: from whom, to whom, how much, and whether the source left."""

    source: Member
    target: Member
    moved: Book
    deactivated: bool = False
    contact: Contact | None = None  # set when one contact was reassigned
    notified: bool = False  # a notice was queued for the target


@dataclass(frozen=True)
class TreeRow:
    """One member in the /members tree, with what they own now."""

    member: Member
    depth: int
    contacts: int
    open_deals: int
    open_tasks: int


# --- finding members -------------------------------------------------------------------------

def _members_in_scope(session: Session, actor: Member) -> list[Member]:
    owners = visible_owner_ids(session, actor)
    stmt = select(Member).where(Member.team_id == actor.team_id)
    if owners is not None:
        stmt = stmt.where(col(Member.id).in_(sorted(owners)))
    return list(session.exec(stmt.order_by(col(Member.id))))


def find_member(session: Session, *, actor: Member, name: str) -> Member:
    """The member `name` means, among those `actor` may manage (deactivated included).

    Exact name or @username first, else a unique part of a name; never a guess.
    """
    return pick_member(_members_in_scope(session, actor), name, actor=actor,
                       unknown="members.member_unknown", ambiguous="members.member_ambiguous")


def _member_in_scope(session: Session, actor: Member, member_id: int,
                     *, lock: bool = False) -> Member:
    """A member by id (from a button): same team and within the actor's reach, else NotFound."""
    member = session.get(Member, member_id, with_for_update=lock, populate_existing=lock)
    owners = visible_owner_ids(session, actor)
    if member is None or member.team_id != actor.team_id or (
            owners is not None and member.id not in owners):
        raise NotFound("error.member_not_found")
    return member


def default_receiver(session: Session, *, actor: Member, leaver: Member) -> Member:
    """Who gets a leaver's records when no one is named: their manager, else the acting admin."""
    if leaver.manager_id is not None and leaver.manager_id != leaver.id:
        manager = session.get(Member, leaver.manager_id)
        if manager is not None and manager.active and manager.team_id == leaver.team_id:
            return manager
    return actor


# --- rules -----------------------------------------------------------------------------------

def _check_target(session: Session, actor: Member, source: Member, target: Member) -> None:
    owners = visible_owner_ids(session, actor)
    if target.team_id != actor.team_id or (owners is not None and target.id not in owners):
        raise NotFound("error.member_not_found")
    if target.id == source.id:
        raise Invalid("members.same_member", name=target.display_name)
    if not target.active:
        raise Invalid("members.target_inactive", name=target.display_name)


def check_deactivation(session: Session, *, actor: Member, leaver: Member,
                       target: Member) -> None:
    """Raise the reason `actor` may not deactivate `leaver` handing over to `target`, if any."""
    if actor.role != Role.ADMIN:
        raise Forbidden("members.admin_only")
    if leaver.team_id != actor.team_id:
        raise NotFound("error.member_not_found")
    if not leaver.active:
        raise Invalid("members.already_inactive", name=leaver.display_name)
    if leaver.role == Role.ADMIN:
        others = session.exec(select(func.count()).select_from(Member).where(
            Member.team_id == actor.team_id, Member.role == Role.ADMIN,
            col(Member.active).is_(True), Member.id != leaver.id)).one()
        if not others:
            raise Invalid("members.last_admin", name=leaver.display_name)
    if leaver.id == actor.id:
        raise Invalid("members.not_yourself")
    _check_target(session, actor, leaver, target)


def check_reassign(session: Session, *, actor: Member, source: Member, target: Member) -> None:
    """Raise the reason `actor` may not move `source`'s book to `target`, if any."""
    if actor.role not in (Role.MANAGER, Role.ADMIN):
        raise Forbidden("members.managers_only")
    _check_target(session, actor, source, target)


# --- what moves ------------------------------------------------------------------------------

def _selections(owner_id: int, contact_ids: list[int] | None) -> dict[str, Any]:
    """Per kind: (model, conditions) of the rows a handover moves."""
    kinds: dict[str, Any] = {
        "contact": (Contact, [Contact.owner_id == owner_id]),
        "deal": (Deal, [Deal.owner_id == owner_id,
                               Deal.status == DealStatus.OPEN]),
        "task": (Task, [Task.owner_id == owner_id, Task.status == TaskStatus.OPEN]),
        # Credit for past sales stays with whoever made them: only orders with a balance
        # still to collect and feedback still to answer follow the customer.
        "order": (Order, [Order.owner_id == owner_id, Order.status == ORDER_OPEN]),
        "feedback": (Feedback, [Feedback.owner_id == owner_id,
                                Feedback.status == FEEDBACK_OPEN]),
    }
    if contact_ids is None:
        return kinds
    # One contact: it and everything of it that is still open (deals, tasks, orders with a
    # balance, unanswered feedback), so the old owner and their branch no longer see the
    # customer through a complaint or an order; closed deals and paid orders stay credited.
    return {kind: (model, [*where, col(model.id if model is Contact else model.contact_id)
                           .in_(contact_ids)])
            for kind, (model, where) in kinds.items()}


def _live(model: Any) -> list[Any]:
    """Conditions leaving out soft-deleted rows (the ones /members does not count either)."""
    return [col(model.deleted_at).is_(None)] if hasattr(model, "deleted_at") else []


def _count_live(session: Session, model: Any, where: list[Any]) -> int:
    return session.exec(select(func.count()).select_from(model).where(
        *where, *_live(model))).one()


def book_of(session: Session, *, owner: Member) -> Book:
    """What a whole-book handover of `owner` would move now, as /members counts it.

    Soft-deleted rows move too (a restore must find them with their new owner) but are not
    counted: the summary and the notice speak of live records only.
    """
    counts = {kind: _count_live(session, model, where)
              for kind, (model, where) in _selections(owner.id or 0, None).items()}
    return Book(**counts)


def team_tree(session: Session, *, actor: Member) -> list[TreeRow]:
    """The members `actor` may see as a tree (by manager), depth-first, with live counts."""
    members = _members_in_scope(session, actor)
    ids = [m.id for m in members]

    def per_owner(model: Any, *where: Any) -> dict[int, int]:
        stmt = (select(model.owner_id, func.count()).where(col(model.owner_id).in_(ids), *where)
                .group_by(model.owner_id))
        return dict(session.exec(stmt).all())

    contacts = per_owner(Contact, col(Contact.deleted_at).is_(None))
    deals = per_owner(Deal, Deal.status == DealStatus.OPEN,
                      col(Deal.deleted_at).is_(None))
    tasks = per_owner(Task, Task.status == TaskStatus.OPEN)
    known = {m.id for m in members}
    children: dict[int | None, list[Member]] = {}
    for m in members:
        parent = m.manager_id if m.manager_id in known and m.manager_id != m.id else None
        children.setdefault(parent, []).append(m)
    order = {Role.ADMIN: 0, Role.MANAGER: 1, Role.REP: 2}
    rows: list[TreeRow] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        kids = sorted(children.get(parent, []),
                      key=lambda m: (not m.active, order[m.role], m.display_name.casefold()))
        for m in kids:
            if m.id in seen:  # a manager loop in old data must not hang the view
                continue
            seen.add(m.id or 0)
            rows.append(TreeRow(m, depth, contacts.get(m.id or 0, 0), deals.get(m.id or 0, 0),
                                tasks.get(m.id or 0, 0)))
            walk(m.id, depth + 1)

    walk(None, 0)
    return rows


# --- doing it --------------------------------------------------------------------------------

def deactivate(session: Session, *, actor: Member, leaver_id: int, target_id: int,
               now: datetime) -> Handover:
    """Switch a member off and hand everything they own to `target_id`, all or nothing."""
    leaver = _member_in_scope(session, actor, leaver_id, lock=True)
    target = _member_in_scope(session, actor, target_id)
    check_deactivation(session, actor=actor, leaver=leaver, target=target)
    moved = _hand_over(session, actor, leaver, target, now, contact_ids=None, leaving=True)
    before = audit.snapshot(leaver, ("active",))
    leaver.active = False
    session.add(leaver)
    audit.record(session, actor=actor, action="deactivate", entity="member",
                 entity_id=leaver.id or 0, before=before,
                 after={"active": False, "records_to": target.id})
    _rehome_reports(session, actor, leaver, target)
    _revoke_invites(session, actor, leaver, now)
    notified = _notify(session, actor, leaver, target, moved, now, deactivated=True)
    return Handover(leaver, target, moved, deactivated=True, notified=notified)


def _revoke_invites(session: Session, actor: Member, leaver: Member, now: datetime) -> None:
    """A leaver's unused invites die with their access, each with an audit row."""
    invites = session.exec(select(Invite).where(
        col(Invite.created_by_id) == leaver.id, col(Invite.used_at).is_(None),
        col(Invite.expires_at) > now)).all()
    for invite in invites:
        audit.record(session, actor=actor, action="revoke", entity="invite",
                     entity_id=invite.id or 0,
                     before={"expires_at": invite.expires_at.isoformat()},
                     after={"expires_at": now.isoformat(), "reason": "creator deactivated"})
        invite.expires_at = now
        session.add(invite)


def reactivate(session: Session, *, actor: Member, member_id: int) -> Member:
    """Let a deactivated member use the bot again (admins only); they start with an empty book.

    For a member the bot could not reach (they had blocked it) or one deactivated by mistake;
    records handed over at deactivation stay with their new owners (/reassign gives them back).
    """
    if actor.role != Role.ADMIN:
        raise Forbidden("members.admin_only_reactivate")
    member = _member_in_scope(session, actor, member_id, lock=True)
    if member.active:
        raise Invalid("members.already_active", name=member.display_name)
    before = audit.snapshot(member, ("active",))
    member.active = True
    session.add(member)
    audit.record(session, actor=actor, action="reactivate", entity="member",
                 entity_id=member.id or 0, before=before, after={"active": True})
    return member


def reassign_book(session: Session, *, actor: Member, source_id: int, target_id: int,
                  now: datetime) -> Handover:
    """Move everything `source_id` owns to `target_id` (the deactivation path, minus leaving)."""
    source = _member_in_scope(session, actor, source_id, lock=True)
    target = _member_in_scope(session, actor, target_id)
    check_reassign(session, actor=actor, source=source, target=target)
    moved = _hand_over(session, actor, source, target, now, contact_ids=None, leaving=False)
    notified = _notify(session, actor, source, target, moved, now, deactivated=False)
    return Handover(source, target, moved, notified=notified)


def reassign_contact(session: Session, *, actor: Member, contact_id: int, target_id: int,
                     now: datetime) -> Handover:
    """Give one visible contact, with what is open of it (deals, tasks, orders, feedback)."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    source = session.get(Member, contact.owner_id)
    target = _member_in_scope(session, actor, target_id)
    if source is None:
        raise NotFound("error.contact_not_found")
    if target.id == source.id:
        raise Invalid("members.already_owner", name=target.display_name,
                      contact=contact.name)
    check_reassign(session, actor=actor, source=source, target=target)
    moved = _hand_over(session, actor, source, target, now, contact_ids=[contact_id],
                       leaving=False)
    notified = _notify(session, actor, source, target, moved, now, deactivated=False,
                       contact=contact)
    return Handover(source, target, moved, contact=contact, notified=notified)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _hand_over(session: Session, actor: Member, source: Member, target: Member, now: datetime,
               *, contact_ids: list[int] | None, leaving: bool) -> Book:
    session.flush()
    counts: dict[str, int] = {}
    moved: dict[str, list[int]] = {}
    for kind, (model, where) in _selections(source.id or 0, contact_ids).items():
        ids = sorted(session.exec(select(model.id).where(*where)).all())
        counts[kind] = _count_live(session, model, where) if ids else 0  # before they move
        values: dict[str, Any] = {"owner_id": target.id}
        if hasattr(model, "updated_at"):
            values["updated_at"] = now
        for chunk in _chunks(ids):
            session.connection().execute(
                update(model).where(col(model.id).in_(chunk)).values(**values))
        for row_id in ids:
            audit.record(session, actor=actor, action="reassign", entity=kind, entity_id=row_id,
                         before={"owner_id": source.id}, after={"owner_id": target.id})
        moved[kind] = ids
    _move_reminders(session, source, target, moved, leaving)
    session.flush()
    session.expire_all()  # rows loaded earlier in this update still hold the old owner
    return Book(**counts)


def _move_reminders(session: Session, source: Member, target: Member,
                    moved: dict[str, list[int]], leaving: bool) -> None:
    """Unsent reminders about the moved records go to the target (else they would be lost).

    Only reminders about what actually moved follow: a manager's escalation copies about
    other reps' customers stay with the manager, or are cancelled when the manager leaves (the
    SLA producer escalates again to the owner's new manager). A copy another member holds about
    a moved customer they can no longer see (moved out of their team) is cancelled too.
    """
    unsent = (OutboxStatus.PENDING, OutboxStatus.HELD)
    ids = {kind: set(moved.get(kind, ())) for kind in KINDS}
    contacts = ids["contact"]
    rows = session.exec(select(Outbox).where(Outbox.team_id == source.team_id,
                                             col(Outbox.status).in_(unsent))).all()
    sees: dict[int, bool] = {}
    for row in rows:
        payload = row.payload or {}
        if row.member_id == source.id:
            if row.kind in rk.CONTACT_KINDS:
                follows = payload.get("contact_id") in contacts or any(
                    payload.get(f"{kind}_id") in ids[kind] for kind in ("deal", "task", "feedback")
                    if payload.get(f"{kind}_id") is not None)
            elif row.kind == rk.HOLIDAY:
                listed = {ref.get("contact_id") for ref in payload.get("contacts", [])}
                follows = bool(listed) and listed <= contacts
            else:
                follows = False
            if follows:
                row.member_id, row.chat_id = target.id or 0, target.telegram_user_id
                row.status, row.lease_owner, row.lease_until = OutboxStatus.PENDING, None, None
            elif leaving:
                row.status, row.error = OutboxStatus.CANCELLED, "member deactivated"
            else:
                continue
        elif row.kind in rk.CONTACT_KINDS and payload.get("contact_id") in contacts:
            if row.member_id not in sees:
                holder = session.get(Member, row.member_id)
                sees[row.member_id] = holder is not None and can_see_owner(
                    session, holder, target.id or 0)
            if sees[row.member_id]:
                continue
            row.status, row.error = OutboxStatus.CANCELLED, "customer reassigned"
            row.lease_owner, row.lease_until = None, None
        else:
            continue
        session.add(row)


def _descendants(session: Session, root: Member) -> set[int]:
    found: set[int] = set()
    frontier = {root.id or 0}
    while frontier:
        stmt = select(Member.id).where(col(Member.manager_id).in_(frontier))
        frontier = {mid for mid in session.exec(stmt) if mid is not None} - found - {root.id}
        found |= frontier
    return found


def _rehome_reports(session: Session, actor: Member, leaver: Member, target: Member) -> None:
    """The leaver's direct reports move under the target manager, else the leaver's manager."""
    below = _descendants(session, leaver)
    takes_over = target.role == Role.MANAGER and target.id not in below
    new_manager = target.id if takes_over else leaver.manager_id
    reports = session.exec(select(Member).where(Member.manager_id == leaver.id)).all()
    for report in reports:
        if report.id == new_manager:
            continue
        audit.record(session, actor=actor, action="update", entity="member",
                     entity_id=report.id or 0, before={"manager_id": leaver.id},
                     after={"manager_id": new_manager})
        report.manager_id = new_manager
        session.add(report)


def _notify(session: Session, actor: Member, source: Member, target: Member, moved: Book,
            now: datetime, *, deactivated: bool, contact: Contact | None = None) -> bool:
    """Queue a notice for the receiver (not when they did it themselves)."""
    if target.id == actor.id:
        return False
    payload: dict[str, Any] = {"from_name": source.display_name, "by_name": actor.display_name,
                               "deactivated": deactivated, **moved.counts()}
    if contact is not None:
        payload.update(contact_id=contact.id, contact_name=contact.name)
    key = f"handover:{source.id}:{target.id}:{now.isoformat()}"
    return outbox.enqueue(session, member=target, kind=rk.HANDOVER, dedupe_key=key, due_at=now,
                          payload=payload)
