"""Manager digest producer: once per local day, at the manager's digest hour, the figures of
their visible team.

A digest hour before noon covers the whole local yesterday (a morning briefing); from noon on
it covers today so far (an end-of-day summary). The payload's "date" is the local date covered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from crm_store.analytics.digest_figures import daily_figures
from crm_store.db import unit_of_work
from crm_store.messaging import outbox
from crm_store.messaging import reminder_kinds as kinds
from crm_store.messaging.reminder_rules import rules_for
from crm_store.models import Member, Outbox, Role, Team
from scheduler.care import zone_of

MORNING_DIGEST_BEFORE = 12  # digest hours before noon report yesterday


def digest_hour(member: Member, team: Team | None) -> int:
    """The local hour the member's digest arrives: their own choice or the team default."""
    if member.digest_hour is not None:
        return min(max(member.digest_hour, 0), 23)
    return rules_for(team).digest_hour_default if team else 18


def covered_period(today: date, hour: int, now: datetime, member: Member
                   ) -> tuple[date, datetime, datetime]:
    """The local date a digest at `hour` covers and its [start, end) in UTC."""
    zone = zone_of(member)
    covered = today - timedelta(days=1) if hour < MORNING_DIGEST_BEFORE else today
    start = datetime.combine(covered, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(covered + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return covered, start, min(end, now)


def produce_digests(engine: Engine, now: datetime) -> int:
    """Write today's digest for active managers and admins past their hour; return how many."""
    with unit_of_work(engine) as session:
        ids = list(session.exec(
            select(Member.id).where(col(Member.active).is_(True),
                                    col(Member.role).in_([Role.MANAGER, Role.ADMIN]))
            .order_by(col(Member.id))))
    return sum(_produce_for(engine, member_id or 0, now) for member_id in ids)


def _produce_for(engine: Engine, member_id: int, now: datetime) -> int:
    with unit_of_work(engine) as session:
        member = session.get(Member, member_id)
        if member is None or not member.active:
            return 0
        team = session.get(Team, member.team_id)
        hour = digest_hour(member, team)
        local_now = now.astimezone(zone_of(member))
        if local_now.hour < hour:
            return 0
        today = local_now.date()
        key = f"digest:{member_id}:{today.isoformat()}"
        if session.exec(select(Outbox.id).where(Outbox.dedupe_key == key)).first() is not None:
            return 0
        covered, start, end = covered_period(today, hour, now, member)
        figures = daily_figures(session, actor=member, start_utc=start, end_utc=end, now=now)
        due = datetime.combine(today, time(hour), tzinfo=zone_of(member)).astimezone(UTC)
        payload = {"period": "day", "date": covered.isoformat(), "figures": figures,
                   "currency": team.currency if team else "CNY"}
        return int(outbox.enqueue(session, member=member, kind=kinds.DIGEST, dedupe_key=key,
                                  due_at=due, payload=payload))
