"""Customer-care producer: birthdays, first-order anniversaries and holiday greeting lists.

Each reminder goes to the contact's owner on the day itself (the owner's local date) at the
team's care hour, moved inside the owner's working hours. Rows are written on that local day
only, under deterministic dedupe keys, so running twice (or on two machines) adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store.db import unit_of_work
from crm_store.messaging import outbox
from crm_store.messaging import reminder_kinds as kinds
from crm_store.messaging.reminder_rules import Rules, rules_for
from crm_store.models import Member, Outbox, Team
from crm_store.outreach import care, loyalty_expiry

HOLIDAY_LIST_LIMIT = 30
# An anniversary needs a first order at least a year old; 360 days leaves room for time zones.
ANNIVERSARY_MIN_AGE = timedelta(days=360)


def zone_of(member: Member) -> ZoneInfo:
    """The member's time zone (UTC if the stored name is unknown)."""
    try:
        return ZoneInfo(member.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(member: Member, now: datetime) -> date:
    """The member's local date at `now`."""
    return now.astimezone(zone_of(member)).date()


def care_due(member: Member, day: date, care_hour: int) -> datetime:
    """`care_hour` on the member's local `day`, moved inside their working hours, in UTC."""
    last = max(member.work_start, member.work_end - 1)
    hour = min(max(care_hour, member.work_start), last)
    hour = min(max(hour, 0), 23)
    return datetime.combine(day, time(hour), tzinfo=zone_of(member)).astimezone(UTC)


def produce_care(engine: Engine, now: datetime) -> int:
    """Write today's birthday, anniversary, holiday and loyalty reminders; return how many new."""
    with unit_of_work(engine) as session:
        team_ids = [tid for tid in session.exec(select(Team.id).order_by(col(Team.id)))]
    return sum(_produce_for_team(engine, team_id or 0, now) for team_id in team_ids)


class _TeamCare:
    """One team's care run in one unit of work; tiers are computed only when needed."""

    def __init__(self, session: Session, team: Team, now: datetime) -> None:
        self.session, self.team, self.now = session, team, now
        self.rules: Rules = rules_for(team)

    @cached_property
    def values(self) -> dict[int, care.CustomerValue]:
        """Every live contact of the team with its revenue and tier (one query)."""
        rows = care.customer_values(self.session, self.team.id or 0, self.now)
        return {value.contact_id: value for value in rows}

    def tier(self, contact_id: int) -> str:
        """The contact's tier ("C" when unknown)."""
        value = self.values.get(contact_id)
        return value.tier if value else "C"

    def missing(self, keys: Sequence[str]) -> set[str]:
        """The dedupe keys among `keys` not yet in the outbox."""
        if not keys:
            return set()
        found = self.session.exec(select(Outbox.dedupe_key)
                                  .where(col(Outbox.dedupe_key).in_(list(keys))))
        return set(keys) - set(found)

    def enqueue(self, member: Member, kind: str, key: str, day: date,
                payload: kinds.Payload) -> int:
        """Write one reminder due at the care hour of `day`; 1 if it is new."""
        due = care_due(member, day, self.rules.care_hour)
        return int(outbox.enqueue(self.session, member=member, kind=kind, dedupe_key=key,
                                  due_at=due, payload=payload))

    def birthdays(self, day: date, owners: dict[int, Member]) -> int:
        """Birthdays celebrated on `day` of contacts owned by `owners`."""
        contacts = care.birthdays_on(self.session, owner_ids=list(owners), day=day)
        keyed = {f"birthday:{c.id}:{care.birthday_year(day, c.birthday_lunar)}": c
                 for c in contacts}
        made = 0
        for key in sorted(self.missing(list(keyed))):
            contact = keyed[key]
            payload = {"contact_id": contact.id, "contact_name": contact.name,
                       "lunar": contact.birthday_lunar, "date": day.isoformat(),
                       "tier": self.tier(contact.id or 0)}
            made += self.enqueue(owners[contact.owner_id], kinds.BIRTHDAY, key, day, payload)
        return made

    def anniversaries(self, day: date, owners: dict[int, Member]) -> int:
        """Anniversaries (one year or more) of contacts' first orders falling on `day`."""
        due: dict[str, tuple[care.FirstOrder, date]] = {}
        for first in care.first_orders(self.session, owner_ids=list(owners),
                                       before=self.now - ANNIVERSARY_MIN_AGE):
            since = first.first_at.astimezone(zone_of(owners[first.owner_id])).date()
            if (since.month, since.day) in care.solar_days_on(day) and day.year > since.year:
                due[f"anniversary:{first.contact_id}:{day.year}"] = (first, since)
        made = 0
        for key in sorted(self.missing(list(due))):
            first, since = due[key]
            payload = {"contact_id": first.contact_id, "contact_name": first.name,
                       "years": day.year - since.year, "since": since.isoformat(),
                       "tier": self.tier(first.contact_id)}
            made += self.enqueue(owners[first.owner_id], kinds.ANNIVERSARY, key, day, payload)
        return made

    def holiday(self, day: date, owners: dict[int, Member]) -> int:
        """One greeting list per owner with contacts when `day` is a care date."""
        name = care.holiday_on(day, self.rules.care_dates)
        if name is None:
            return 0
        keys = {f"holiday:{owner_id}:{day.isoformat()}:{name}": owner_id for owner_id in owners}
        missing = self.missing(list(keys))
        if not missing:
            return 0
        by_owner: dict[int, list[care.CustomerValue]] = defaultdict(list)
        for value in self.values.values():
            by_owner[value.owner_id].append(value)
        made = 0
        for key in sorted(missing):
            owner_id = keys[key]
            greet = care.strategic_first(by_owner.get(owner_id, []), HOLIDAY_LIST_LIMIT)
            if not greet:
                continue
            refs: list[kinds.ContactRef] = [
                {"contact_id": v.contact_id, "contact_name": v.name, "tier": v.tier}
                for v in greet]
            payload = {"holiday": name, "date": day.isoformat(), "contacts": refs}
            made += self.enqueue(owners[owner_id], kinds.HOLIDAY, key, day, payload)
        return made

    def loyalty(self, day: date, owners: dict[int, Member]) -> int:
        """Points and coupons lapsing within two weeks: one reminder per customer and date."""
        made = 0
        for soon in loyalty_expiry.expiring_soon(self.session, team_id=self.team.id or 0,
                                          owner_ids=list(owners), now=self.now):
            first = soon.first_at.date().isoformat()
            key = f"loyalty:{soon.contact_id}:{first}"
            if not self.missing([key]):
                continue
            payload = {"contact_id": soon.contact_id, "contact_name": soon.name,
                       "points": soon.points,
                       "points_at": soon.points_at.isoformat() if soon.points_at else None,
                       "coupons": [{"code": c.code, "value_minor": c.value_minor,
                                    "currency": c.currency,
                                    "expires_at": c.expires_at.isoformat()}
                                   for c in soon.coupons]}
            made += self.enqueue(owners[soon.owner_id], kinds.LOYALTY_EXPIRING, key, day,
                                 payload)
        return made


def _produce_for_team(engine: Engine, team_id: int, now: datetime) -> int:
    with unit_of_work(engine) as session:
        team = session.get(Team, team_id)
        if team is None:
            return 0
        members = session.exec(select(Member).where(Member.team_id == team_id,
                                                    col(Member.active).is_(True))).all()
        by_day: dict[date, dict[int, Member]] = defaultdict(dict)
        for member in members:
            by_day[local_day(member, now)][member.id or 0] = member
        run = _TeamCare(session, team, now)
        loyalty_expiry.expire_lapsed(session, team_id=team_id, now=now)
        made = 0
        for day, owners in sorted(by_day.items()):
            made += run.birthdays(day, owners) + run.anniversaries(day, owners)
            made += run.holiday(day, owners) + run.loyalty(day, owners)
        return made
