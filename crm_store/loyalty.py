"""Loyalty: a points ledger per customer, member tiers from points, coupons redeemed once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.contacts import get_contact
from crm_store.errors import Forbidden, Invalid, NotFound
from crm_store.models import Contact, Coupon, LoyaltyEntry, Member, Order, Role, Team
from crm_store.normalize import clean_text
from crm_store.team import can_see_owner

MANUAL, EARNED, OVERRIDE = "manual", "order", "override"
MAX_POINTS_CHANGE = 1_000_000
MAX_REASON = 200
MAX_COUPON_MINOR = 100_000_000  # one million in the team's currency
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_LENGTH = 8
DEFAULT_TIERS = (("silver", 5_000), ("gold", 20_000), ("platinum", 50_000))


@dataclass(frozen=True)
class LoyaltyRules:
    """A team's loyalty settings; overrides live in Team.settings under the same names."""

    loyalty_points_per_unit: float = 1.0  # points per whole currency unit ordered; 0: none
    loyalty_points_days: int = 365  # earned points lapse after this many days; 0: never
    loyalty_tiers: tuple[tuple[str, int], ...] = DEFAULT_TIERS  # (name, minimum points)
    coupon_days: int = 90  # a new coupon is valid this long unless told otherwise


def rules_for(team: Team | None) -> LoyaltyRules:
    """The team's loyalty rules: its Team.settings overrides on top of the defaults."""
    known = {f.name for f in fields(LoyaltyRules)}
    raw: dict[str, Any] = {k: v for k, v in ((team.settings if team else None) or {}).items()
                           if k in known}
    if "loyalty_tiers" in raw:
        raw["loyalty_tiers"] = tuple(sorted(((str(n), int(p)) for n, p in raw["loyalty_tiers"]),
                                            key=lambda tier: tier[1]))
    return LoyaltyRules(**raw)


def tier_for(points: int, rules: LoyaltyRules) -> str | None:
    """The highest tier whose minimum `points` reach, or None below the first."""
    reached = [name for name, minimum in rules.loyalty_tiers if points >= minimum]
    return reached[-1] if reached else None


@dataclass(frozen=True)
class Standing:
    """What the card shows: points, tier, the next tier, open coupons, points about to lapse."""

    contact_id: int
    points: int
    tier: str | None
    next_tier: tuple[str, int] | None  # (name, points still missing)
    coupons: list[Coupon]
    recent: list[LoyaltyEntry]


def _team(session: Session, team_id: int) -> Team | None:
    return session.get(Team, team_id)


def _balance(session: Session, contact_id: int) -> int:
    total = session.exec(select(func.coalesce(func.sum(col(LoyaltyEntry.delta)), 0))
                         .where(LoyaltyEntry.contact_id == contact_id)).one()
    return int(total)


def _lock_contact(session: Session, contact_id: int) -> None:
    """Serialise point changes per customer (PostgreSQL row lock; SQLite: BEGIN IMMEDIATE)."""
    session.exec(select(Contact.id).where(Contact.id == contact_id).with_for_update()).first()


def _add_entry(session: Session, *, actor: Member | None, contact: Contact, delta: int,
               kind: str, reason: str, order_id: int | None = None,
               expires_at: datetime | None = None) -> LoyaltyEntry:
    balance = _balance(session, contact.id or 0) + delta
    entry = LoyaltyEntry(team_id=contact.team_id, contact_id=contact.id or 0,
                         member_id=actor.id if actor else None, order_id=order_id, kind=kind,
                         delta=delta, balance_after=balance, reason=reason,
                         expires_at=expires_at)
    session.add(entry)
    session.flush()
    audit.record(session, actor=actor, team_id=contact.team_id, action="create",
                 entity="loyalty", entity_id=entry.id or 0,
                 after=audit.snapshot(entry, ("contact_id", "kind", "delta", "balance_after",
                                              "reason", "order_id")))
    return entry


def change_points(session: Session, *, actor: Member, contact_id: int, delta: int,
                  reason: str, override: bool = False, now: datetime | None = None
                  ) -> LoyaltyEntry:
    """Add or take points by hand; a balance below zero needs an admin's explicit override."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    if delta == 0 or abs(delta) > MAX_POINTS_CHANGE:
        raise Invalid("points.bad_delta", limit=MAX_POINTS_CHANGE)
    text = clean_text(reason, limit=MAX_REASON + 1)
    if not text:
        raise Invalid("points.need_reason")
    if len(text) > MAX_REASON:
        raise Invalid("error.text_too_long", limit=MAX_REASON)
    if override and actor.role != Role.ADMIN:
        raise Forbidden("points.override_admin_only")
    _lock_contact(session, contact.id or 0)
    balance = _balance(session, contact.id or 0)
    if balance + delta < 0 and not override:
        raise Invalid("points.would_go_negative", name=contact.name, balance=balance,
                      delta=abs(delta))
    expires = None
    rules = rules_for(_team(session, contact.team_id))
    if delta > 0 and rules.loyalty_points_days > 0:
        expires = (now or utcnow()) + timedelta(days=rules.loyalty_points_days)
    return _add_entry(session, actor=actor, contact=contact, delta=delta,
                      kind=OVERRIDE if override else MANUAL, reason=text, expires_at=expires)


def award_for_order(
    session: Session, *, actor: Member | None, order: Order
) -> LoyaltyEntry | None:
    """Credit the points an order earns under the team's rate (once per order)."""
    rules = rules_for(_team(session, order.team_id))
    points = int(order.amount_minor * rules.loyalty_points_per_unit // 100)
    if points <= 0:
        return None
    exists = session.exec(select(LoyaltyEntry.id).where(LoyaltyEntry.order_id == order.id)).first()
    contact = session.get(Contact, order.contact_id)
    if exists is not None or contact is None:
        return None
    _lock_contact(session, contact.id or 0)
    expires = None
    if rules.loyalty_points_days > 0:
        expires = order.ordered_at + timedelta(days=rules.loyalty_points_days)
    return _add_entry(session, actor=actor, contact=contact, delta=points, kind=EARNED,
                      reason=f"#{order.id}", order_id=order.id, expires_at=expires)


def standing(session: Session, *, actor: Member, contact_id: int, now: datetime | None = None,
             recent: int = 5) -> Standing:
    """A visible customer's points, tier, open coupons and latest ledger lines."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    rules = rules_for(_team(session, contact.team_id))
    points = _balance(session, contact.id or 0)
    ahead = [(name, minimum - points) for name, minimum in rules.loyalty_tiers
             if minimum > points]
    coupons = session.exec(
        select(Coupon).where(Coupon.contact_id == contact.id, col(Coupon.redeemed_at).is_(None),
                             Coupon.expires_at > (now or utcnow()))
        .order_by(col(Coupon.expires_at), col(Coupon.id))
    ).all()
    lines = session.exec(
        select(LoyaltyEntry).where(LoyaltyEntry.contact_id == contact.id)
        .order_by(col(LoyaltyEntry.id).desc()).limit(recent)
    ).all()
    return Standing(contact_id=contact.id or 0, points=points, tier=tier_for(points, rules),
                    next_tier=ahead[0] if ahead else None, coupons=list(coupons),
                    recent=list(lines))


def issue_coupon(session: Session, *, actor: Member, contact_id: int, value_minor: int,
                 days: int | None = None, note: str = "", now: datetime | None = None) -> Coupon:
    """Issue a coupon worth `value_minor` to a visible customer, with a fresh unique code."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    if not 0 < value_minor <= MAX_COUPON_MINOR:
        raise Invalid("coupon.bad_value")
    team = _team(session, contact.team_id)
    valid_days = rules_for(team).coupon_days if days is None else days
    if not 1 <= valid_days <= 3660:
        raise Invalid("coupon.bad_days")
    text = clean_text(note, limit=MAX_REASON + 1)
    if len(text) > MAX_REASON:
        raise Invalid("error.text_too_long", limit=MAX_REASON)
    issued = now or utcnow()
    coupon = Coupon(team_id=contact.team_id, contact_id=contact.id or 0, code=_new_code(session,
                    contact.team_id), value_minor=value_minor,
                    currency=team.currency if team else "CNY", note=text,
                    issued_by_id=actor.id or 0, issued_at=issued,
                    expires_at=issued + timedelta(days=valid_days))
    session.add(coupon)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="coupon",
                 entity_id=coupon.id or 0,
                 after=audit.snapshot(coupon, ("contact_id", "code", "value_minor",
                                               "expires_at")))
    return coupon


def _new_code(session: Session, team_id: int) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken = session.exec(select(Coupon.id).where(Coupon.team_id == team_id,
                                                     Coupon.code == code)).first()
        if taken is None:
            return code


def normalise_code(code: str) -> str:
    """Codes are typed in any case, with spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())[:CODE_LENGTH * 2]


def find_coupon(session: Session, *, actor: Member, code: str) -> Coupon:
    """A coupon of a customer `actor` may see, by its code, or NotFound."""
    coupon = session.exec(select(Coupon).where(Coupon.team_id == actor.team_id,
                                               Coupon.code == normalise_code(code))).first()
    contact = session.get(Contact, coupon.contact_id) if coupon else None
    if coupon is None or contact is None or contact.deleted_at is not None or not can_see_owner(
        session, actor, contact.owner_id
    ):
        raise NotFound("coupon.not_found")
    return coupon


def redeem_coupon(session: Session, *, actor: Member, code: str,
                  now: datetime | None = None) -> Coupon:
    """Mark a coupon used; a conditional update makes a second redemption fail, even at once."""
    coupon = find_coupon(session, actor=actor, code=code)
    at = now or utcnow()
    if coupon.expires_at <= at and coupon.redeemed_at is None:
        raise Invalid("coupon.expired", code=coupon.code)
    result = session.execute(
        update(Coupon)
        .where(col(Coupon.id) == coupon.id, col(Coupon.redeemed_at).is_(None))
        .values(redeemed_at=at, redeemed_by_id=actor.id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Invalid("coupon.already_redeemed", code=coupon.code)
    session.refresh(coupon)
    audit.record(session, actor=actor, action="update", entity="coupon",
                 entity_id=coupon.id or 0, before={"redeemed_at": None},
                 after={"redeemed_at": at.isoformat(), "redeemed_by_id": actor.id})
    return coupon


# --- expiry ----------------------------------------------------------------------------------

EXPIRE = "expire"
EXPIRY_NOTICE_DAYS = 14


def unspent_grants(entries: list[LoyaltyEntry]) -> list[tuple[datetime | None, int]]:
    """What is left of each grant once every deduction has used the earliest-lapsing first.

    Returns (expires_at, points left) for grants with points left, earliest first; grants
    that never lapse come last.
    """
    grants = sorted((e for e in entries if e.delta > 0),
                    key=lambda e: (e.expires_at is None, e.expires_at or e.created_at, e.id or 0))
    spent = sum(-e.delta for e in entries if e.delta < 0)
    left: list[tuple[datetime | None, int]] = []
    for grant in grants:
        used = min(spent, grant.delta)
        spent -= used
        if grant.delta > used:
            left.append((grant.expires_at, grant.delta - used))
    return left


def _entries_by_contact(session: Session, team_id: int,
                        owner_ids: list[int] | None = None) -> dict[int, list[LoyaltyEntry]]:
    stmt = select(LoyaltyEntry).join(Contact, col(Contact.id) == LoyaltyEntry.contact_id).where(
        LoyaltyEntry.team_id == team_id, col(Contact.deleted_at).is_(None))
    if owner_ids is not None:
        stmt = stmt.where(col(Contact.owner_id).in_(owner_ids))
    found: dict[int, list[LoyaltyEntry]] = {}
    for entry in session.exec(stmt.order_by(col(LoyaltyEntry.id))):
        found.setdefault(entry.contact_id, []).append(entry)
    return found


def expire_lapsed(session: Session, *, team_id: int, now: datetime) -> int:
    """Take lapsed, unspent points off each balance with an "expire" entry; return how many."""
    made = 0
    for contact_id, entries in _entries_by_contact(session, team_id).items():
        lapsed = sum(points for at, points in unspent_grants(entries)
                     if at is not None and at <= now)
        contact = session.get(Contact, contact_id)
        if lapsed <= 0 or contact is None:
            continue
        _lock_contact(session, contact_id)
        _add_entry(session, actor=None, contact=contact, delta=-lapsed, kind=EXPIRE,
                   reason=now.date().isoformat())
        made += 1
    return made


@dataclass(frozen=True)
class Expiring:
    """A customer whose points or coupons lapse soon: what, and when the first of them does."""

    contact_id: int
    owner_id: int
    name: str
    points: int
    points_at: datetime | None
    coupons: list[Coupon]

    @property
    def first_at(self) -> datetime:
        """When the first of the points or coupons lapses."""
        moments = [c.expires_at for c in self.coupons] + (
            [self.points_at] if self.points_at else [])
        return min(moments)


def expiring_soon(session: Session, *, team_id: int, owner_ids: list[int], now: datetime,
                  days: int = EXPIRY_NOTICE_DAYS) -> list[Expiring]:
    """Customers of `owner_ids` with unspent points or open coupons lapsing within `days`."""
    until = now + timedelta(days=days)
    points: dict[int, tuple[int, datetime]] = {}
    for contact_id, entries in _entries_by_contact(session, team_id, owner_ids).items():
        soon = [(at, n) for at, n in unspent_grants(entries)
                if at is not None and now < at <= until]
        if soon:
            points[contact_id] = (sum(n for _, n in soon), min(at for at, _ in soon))
    coupons: dict[int, list[Coupon]] = {}
    for coupon in session.exec(
        select(Coupon).join(Contact, col(Contact.id) == Coupon.contact_id).where(
            Coupon.team_id == team_id, col(Contact.owner_id).in_(owner_ids),
            col(Contact.deleted_at).is_(None), col(Coupon.redeemed_at).is_(None),
            Coupon.expires_at > now, Coupon.expires_at <= until)
        .order_by(col(Coupon.expires_at))
    ):
        coupons.setdefault(coupon.contact_id, []).append(coupon)
    ids = sorted(points.keys() | coupons.keys())
    contacts = {c.id: c for c in session.exec(select(Contact).where(col(Contact.id).in_(ids)))}
    return [Expiring(cid, contacts[cid].owner_id, contacts[cid].name,
                     points.get(cid, (0, None))[0], points.get(cid, (0, None))[1],
                     coupons.get(cid, []))
            for cid in ids if cid in contacts]
