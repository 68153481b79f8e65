"""Points and coupons that lapse: lapsed points leave the balance, owners hear ahead of time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from crm_store.models import Contact, Coupon, LoyaltyEntry
from crm_store.outreach.loyalty import add_entry, lock_contact

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
        lock_contact(session, contact_id)
        add_entry(session, actor=None, contact=contact, delta=-lapsed, kind=EXPIRE,
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
