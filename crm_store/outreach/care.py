"""Customer care: value tiers, birthdays (solar or lunar), first-order anniversaries, care dates.

Calendar rules live here as pure functions so the producer (scheduler/care.py) and any view
agree on them: a lunar date missing in a year (day 30 of a 29-day month) falls on the month's
last day; a birthday in month N is kept in the regular month N, never in a leap month N.
"""

from __future__ import annotations

import calendar
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from lunardate import LunarDate
from sqlalchemy import ColumnElement, and_, extract, func, or_
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from crm_store.models import Contact, Order
from crm_store.sql import stored_id

log = logging.getLogger(__name__)

CANCELLED = "cancelled"
TIER_WINDOW = timedelta(days=365)
TOP_SHARE_PERCENT = 20
TIER_ORDER = {"A": 0, "B": 1, "C": 2}
LUNAR_PREFIX = "lunar:"
LUNAR_YEARS = (1901, 2099)
# holidays.CN lists the weekdays swapped for a long weekend as "Day off (substituted from …)";
# nobody greets customers for those.
SUBSTITUTED_DAY_PREFIX = "Day off"

MonthDay = tuple[int, int]


@dataclass(frozen=True)
class CustomerValue:
    """A contact, its owner and its revenue over the last 365 days, with its tier."""

    contact_id: int
    owner_id: int
    name: str
    revenue_minor: int
    tier: str


@dataclass(frozen=True)
class FirstOrder:
    """When a contact first bought (cancelled orders left out)."""

    contact_id: int
    owner_id: int
    name: str
    first_at: datetime


# --- value tiers -----------------------------------------------------------------------------


def customer_values(
    session: Session, team_id: int, now: datetime, owner_ids: Iterable[int] | None = None
) -> list[CustomerValue]:
    """Every live contact of the team (or of `owner_ids`) with its 365-day revenue and tier."""
    # The window's orders summed per contact once, then joined to the contacts; tiers are
    # ranked per owner in Python (see tiers_for_team). Joining the orders to each contact
    # instead made SQLite without statistics (the app never runs ANALYZE) scan the window's
    # orders once per contact: 11 s at 10k customers, many minutes at 100k.
    per_contact = (
        select(col(Order.contact_id).label("contact_id"),
               func.sum(col(Order.amount_minor)).label("revenue"))
        .where(col(Order.team_id) == team_id, col(Order.status) != CANCELLED,
               col(Order.deleted_at).is_(None), col(Order.ordered_at) > now - TIER_WINDOW,
               col(Order.ordered_at) <= now)
        .group_by(col(Order.contact_id))
        .subquery("revenue_365")
    )
    revenue = func.coalesce(per_contact.c.revenue, 0)
    stmt = (
        select(stored_id(Contact.id), Contact.owner_id, Contact.name, revenue)
        .join(per_contact, per_contact.c.contact_id == Contact.id, isouter=True)
        .where(Contact.team_id == team_id, col(Contact.deleted_at).is_(None))
    )
    if owner_ids is not None:
        stmt = stmt.where(col(Contact.owner_id).in_(list(owner_ids)))
    by_owner: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for contact_id, owner_id, name, amount in session.exec(stmt):
        by_owner[owner_id].append((contact_id, name, int(amount or 0)))
    values: list[CustomerValue] = []
    for owner_id, rows in by_owner.items():
        rows.sort(key=lambda row: (-row[2], row[0]))
        paying = sum(1 for row in rows if row[2] > 0)
        top = max(1, paying * TOP_SHARE_PERCENT // 100) if paying else 0
        for rank, (contact_id, name, amount) in enumerate(rows):
            tier = "A" if rank < top else "B" if amount > 0 else "C"
            values.append(CustomerValue(contact_id, owner_id, name, amount, tier))
    return values


def tiers_for_team(session: Session, team_id: int, now: datetime) -> dict[int, str]:
    """Tier of every live contact of the team: "A", "B" or "C"."""
    # A: the owner's top 20% by revenue over the last 365 days (at least one if anyone bought);
    # B: the owner's other customers with revenue; C: the rest.
    return {value.contact_id: value.tier for value in customer_values(session, team_id, now)}


def strategic_first(values: Sequence[CustomerValue], limit: int) -> list[CustomerValue]:
    """Up to `limit` contacts: tier A, then B, then C, each by revenue (desc)."""
    ordered = sorted(values, key=lambda v: (TIER_ORDER.get(v.tier, 9), -v.revenue_minor,
                                            v.contact_id))
    return ordered[:limit]


# --- calendars -------------------------------------------------------------------------------


def solar_days_on(day: date) -> set[MonthDay]:
    """Solar (month, day) pairs celebrated on `day` (29 February on the 28th in common years)."""
    pairs = {(day.month, day.day)}
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
        pairs.add((2, 29))
    return pairs


def lunar_on(day: date) -> LunarDate | None:
    """The lunar date of solar `day`, or None outside lunardate's range (1901–2099)."""
    if not LUNAR_YEARS[0] <= day.year <= LUNAR_YEARS[1]:
        return None  # lunardate answers nonsense there instead of raising
    return LunarDate.from_solar_date(day.year, day.month, day.day)


def lunar_days_on(day: date) -> set[MonthDay]:
    """Lunar (month, day) pairs celebrated on solar `day` (see the module docstring)."""
    lunar = lunar_on(day)
    if lunar is None or lunar.is_leap_month:
        return set()
    pairs = {(lunar.month, lunar.day)}
    following = lunar_on(day + timedelta(days=1))
    if following is not None and following.day == 1:
        pairs |= {(lunar.month, missing) for missing in range(lunar.day + 1, 31)}
    return pairs


def birthday_year(day: date, lunar: bool) -> int:
    """The year a birthday celebrated on `day` belongs to: the lunar year for lunar ones."""
    # A 12th-month lunar birthday can fall twice in one solar year (January and December).
    found = lunar_on(day) if lunar else None
    return found.year if found is not None else day.year


def _month_day(text: str) -> MonthDay | None:
    try:
        month, dom = (int(part) for part in text.split("-"))
    except ValueError:
        return None
    return (month, dom) if 1 <= month <= 12 and 1 <= dom <= 31 else None


def care_date_matches(spec: str, day: date) -> bool:
    """Whether a care date ("MM-DD" solar or "lunar:MM-DD") falls on `day`."""
    lunar = spec.startswith(LUNAR_PREFIX)
    pair = _month_day(spec[len(LUNAR_PREFIX):] if lunar else spec)
    if pair is None:
        log.warning("ignoring malformed care date %r", spec)
        return False
    return pair in (lunar_days_on(day) if lunar else solar_days_on(day))


@lru_cache(maxsize=16)
def statutory_first_days(year: int) -> dict[date, str]:
    """China's statutory holidays of `year`: the first day of each, with its English name."""
    firsts: dict[str, date] = {}
    china = holidays.country_holidays("CN", years=year, observed=False, language="en_US")
    for day, name in china.items():
        if name.startswith(SUBSTITUTED_DAY_PREFIX):
            continue
        firsts[name] = min(day, firsts.get(name, day))
    return {day: name for name, day in firsts.items()}


def holiday_on(day: date, care_dates: Iterable[object]) -> str | None:
    """The care date on `day`: the team's own first, else a statutory holiday's first day."""
    # One name per day, so a day never yields two greeting lists (Spring Festival is both).
    for entry in care_dates:
        if not isinstance(entry, dict):
            continue
        spec, name = str(entry.get("date", "")), str(entry.get("name", "")).strip()
        if name and care_date_matches(spec, day):
            return name
    return statutory_first_days(day.year).get(day)


# --- who to greet ----------------------------------------------------------------------------


def _month_day_in(column: Mapped[date | None], pairs: set[MonthDay]) -> ColumnElement[bool]:
    return or_(*(and_(extract("month", column) == month, extract("day", column) == dom)
                 for month, dom in sorted(pairs)))


def birthdays_on(session: Session, *, owner_ids: Sequence[int], day: date) -> list[Contact]:
    """Live contacts of `owner_ids` whose birthday (solar or lunar) is celebrated on `day`."""
    solar, lunar = solar_days_on(day), lunar_days_on(day)
    matches = [and_(col(Contact.birthday_lunar).is_(False),
                    _month_day_in(col(Contact.birthday), solar))]
    if lunar:
        matches.append(and_(col(Contact.birthday_lunar).is_(True),
                            _month_day_in(col(Contact.birthday), lunar)))
    stmt = (
        select(Contact)
        .where(col(Contact.owner_id).in_(list(owner_ids)), col(Contact.deleted_at).is_(None),
               col(Contact.birthday).is_not(None), or_(*matches))
        .order_by(col(Contact.id))
    )
    return list(session.exec(stmt))


def first_orders(
    session: Session, *, owner_ids: Sequence[int], before: datetime
) -> list[FirstOrder]:
    """Live contacts of `owner_ids` whose first (not cancelled) order came before `before`."""
    first = func.min(col(Order.ordered_at))
    stmt = (
        select(stored_id(Contact.id), Contact.owner_id, Contact.name, first)
        .join(Order, col(Order.contact_id) == Contact.id)
        .where(col(Contact.owner_id).in_(list(owner_ids)), col(Contact.deleted_at).is_(None),
               col(Order.status) != CANCELLED, col(Order.deleted_at).is_(None))
        .group_by(col(Contact.id), col(Contact.owner_id), col(Contact.name))
        .having(first < before)
        .order_by(col(Contact.id))
    )
    return [FirstOrder(cid, owner, name, at) for cid, owner, name, at in session.exec(stmt)]
