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
from crm_store.contacts.contacts import get_contact
from crm_store.contacts.normalize import clean_text
from crm_store.errors import Forbidden, Invalid, NotFound
from crm_store.models import Contact, Coupon, LoyaltyEntry, Member, Order, Role, Team
from crm_store.team.members import can_see_owner

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


def lock_contact(session: Session, contact_id: int) -> None:
    """Serialise point changes per customer (PostgreSQL row lock; SQLite: BEGIN IMMEDIATE)."""
    session.exec(select(Contact.id).where(Contact.id == contact_id).with_for_update()).first()


def add_entry(session: Session, *, actor: Member | None, contact: Contact, delta: int,
              kind: str, reason: str, order_id: int | None = None,
              expires_at: datetime | None = None) -> LoyaltyEntry:
    """Append one ledger line with the running balance, and its audit row (caller locked)."""
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
    lock_contact(session, contact.id or 0)
    balance = _balance(session, contact.id or 0)
    if balance + delta < 0 and not override:
        raise Invalid("points.would_go_negative", name=contact.name, balance=balance,
                      delta=abs(delta))
    expires = None
    rules = rules_for(_team(session, contact.team_id))
    if delta > 0 and rules.loyalty_points_days > 0:
        expires = (now or utcnow()) + timedelta(days=rules.loyalty_points_days)
    return add_entry(session, actor=actor, contact=contact, delta=delta,
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
    lock_contact(session, contact.id or 0)
    expires = None
    if rules.loyalty_points_days > 0:
        expires = order.ordered_at + timedelta(days=rules.loyalty_points_days)
    return add_entry(session, actor=actor, contact=contact, delta=points, kind=EARNED,
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
    result = session.exec(
        update(Coupon)
        .where(col(Coupon.id) == coupon.id, col(Coupon.redeemed_at).is_(None))
        .values(redeemed_at=at, redeemed_by_id=actor.id)
    )
    if result.rowcount != 1:
        raise Invalid("coupon.already_redeemed", code=coupon.code)
    session.refresh(coupon)
    audit.record(session, actor=actor, action="update", entity="coupon",
                 entity_id=coupon.id or 0, before={"redeemed_at": None},
                 after={"redeemed_at": at.isoformat(), "redeemed_by_id": actor.id})
    return coupon

