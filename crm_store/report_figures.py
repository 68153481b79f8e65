"""Rows of a report's figures, its period, and small SQL aggregates that stand in for an area.

While an analytics area (crm_store.pipeline_stats, team_stats, segments, service_stats) is
missing, or answers in a shape crm_store.report_data cannot read, the `fallback_*` functions
here give a simple version of its figure, so a report always renders:
- pipeline: open deals by stage (count, amount), now;
- funnel: distinct deals that entered each stage in the period (StageChange history);
- activity: interactions per member and kind in the period;
- lifecycle by order recency: no order → prospect; first order within NEW_DAYS → new; last
  order within ACTIVE_DAYS → active; within AT_RISK_DAYS → at risk; else lost;
- service: complaints open and new, CSAT % (share of 4–5) and NPS of scores given in the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, literal, true
from sqlmodel import Session, col, select

from crm_store.models import (
    Contact,
    DealStatus,
    Feedback,
    FeedbackKind,
    Interaction,
    Member,
    Opportunity,
    Order,
    StageChange,
)
from crm_store.worktime import iso_week, zone

WEEK, MONTH = "week", "month"
NEW_DAYS, ACTIVE_DAYS, AT_RISK_DAYS = 90, 180, 365
LIFECYCLE = ("prospect", "new", "active", "at_risk", "lost")
KINDS = ("call", "visit", "meeting", "message", "email", "note")


@dataclass(frozen=True)
class Period:
    """A calendar week or month in the member's zone, as [start_utc, end_utc) capped at now."""

    kind: str  # WEEK | MONTH
    label: str  # "2026-11" or "2026-W47"
    start_utc: datetime
    end_utc: datetime


@dataclass(frozen=True)
class StageRow:
    """Open deals in one stage, or (funnel) deals that reached it and how many moved on."""

    stage: str
    count: int
    amount_minor: int = 0
    weighted_minor: int | None = None
    moved_on: int | None = None


@dataclass(frozen=True)
class RepActivity:
    """Interactions one member logged in the period, by kind."""

    member_id: int
    name: str
    by_kind: dict[str, int]
    more: dict[str, int] = field(default_factory=dict)  # other figures the area function gives

    @property
    def total(self) -> int:
        """All interactions of the member."""
        return sum(self.by_kind.values())


@dataclass(frozen=True)
class SegmentCount:
    """Customers in one group: an RFM segment, ABC tier, value class or lifecycle stage."""

    group: str  # "rfm" | "tier" | "class" | "lifecycle"
    key: str
    customers: int
    revenue_minor: int | None = None
    share: float | None = None  # of the value (tiers)


def period_of(kind: str, day: date, tz: str, now: datetime) -> Period:
    """The week (Monday on) or month holding the local date `day`, its end capped at `now`."""
    if kind == WEEK:
        first = day - timedelta(days=day.weekday())
        after, label = first + timedelta(days=7), iso_week(first)
    else:
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        label = f"{first:%Y-%m}"
    start = datetime.combine(first, time(0), tzinfo=zone(tz)).astimezone(UTC)
    end = datetime.combine(after, time(0), tzinfo=zone(tz)).astimezone(UTC)
    return Period(kind, label, start, min(end, max(now, start)))


def _owned(column: Any, owners: set[int] | None) -> Any:
    return true() if owners is None else col(column).in_(sorted(owners))


def fallback_pipeline(session: Session, actor: Member, owners: set[int] | None,
                      period: Period, now: datetime) -> list[StageRow]:
    """Open deals by stage, now."""
    stmt = (select(Opportunity.stage, func.count(), func.coalesce(func.sum(
        Opportunity.amount_minor), 0))
        .where(Opportunity.team_id == actor.team_id, Opportunity.status == DealStatus.OPEN,
               col(Opportunity.deleted_at).is_(None), _owned(Opportunity.owner_id, owners))
        .group_by(Opportunity.stage))
    return [StageRow(stage, int(n), int(total)) for stage, n, total in session.exec(stmt)]


def fallback_funnel(session: Session, actor: Member, owners: set[int] | None,
                    period: Period, now: datetime) -> list[StageRow]:
    """Deals that entered each stage during the period (StageChange history), and their value."""
    entered = (select(StageChange.to_stage, StageChange.opportunity_id).distinct()
               .where(StageChange.team_id == actor.team_id,
                      col(StageChange.at) >= period.start_utc,
                      col(StageChange.at) < period.end_utc)
               .subquery())
    stmt = (select(entered.c.to_stage, func.count(), func.coalesce(func.sum(
        Opportunity.amount_minor), 0))
        .join(Opportunity, entered.c.opportunity_id == Opportunity.id)
        .where(col(Opportunity.deleted_at).is_(None), _owned(Opportunity.owner_id, owners))
        .group_by(entered.c.to_stage))
    return [StageRow(stage, int(n), int(total))
            for stage, n, total in session.exec(stmt)]  # type: ignore[call-overload]


def fallback_activity(session: Session, actor: Member, owners: set[int] | None,
                      period: Period, now: datetime) -> list[RepActivity]:
    """Interactions per member and kind in the period; active visible members show zeros."""
    counts = session.exec(
        select(Interaction.member_id, Interaction.kind, func.count())
        .where(Interaction.team_id == actor.team_id, col(Interaction.deleted_at).is_(None),
               _owned(Interaction.member_id, owners),
               col(Interaction.occurred_at) >= period.start_utc,
               col(Interaction.occurred_at) < period.end_utc)
        .group_by(Interaction.member_id, Interaction.kind)).all()
    by_member: dict[int, dict[str, int]] = {}
    for member_id, kind, n in counts:
        by_member.setdefault(member_id, {})[str(getattr(kind, "value", kind))] = int(n)
    members = session.exec(
        select(Member.id, Member.display_name)
        .where(Member.team_id == actor.team_id, _owned(Member.id, owners),
               col(Member.active).is_(True) | col(Member.id).in_(sorted(by_member)))
        .order_by(col(Member.id))).all()
    reps = [RepActivity(mid or 0, name, by_member.get(mid or 0, {})) for mid, name in members]
    return sorted(reps, key=lambda r: (-r.total, r.member_id))


def fallback_lifecycle(session: Session, actor: Member, owners: set[int] | None,
                       period: Period, now: datetime) -> list[SegmentCount]:
    """Live customers by order recency: prospect, new, active, at risk, lost."""
    orders = (select(Order.contact_id, func.min(Order.ordered_at).label("first"),
                     func.max(Order.ordered_at).label("last"))
              .where(Order.team_id == actor.team_id, col(Order.deleted_at).is_(None),
                     Order.status != "cancelled")
              .group_by(Order.contact_id).subquery())
    stage = case(
        (orders.c.last.is_(None), literal("prospect")),
        (orders.c.first >= now - timedelta(days=NEW_DAYS), literal("new")),
        (orders.c.last >= now - timedelta(days=ACTIVE_DAYS), literal("active")),
        (orders.c.last >= now - timedelta(days=AT_RISK_DAYS), literal("at_risk")),
        else_=literal("lost")).label("stage")
    stmt = (select(stage, func.count())
            .select_from(Contact).join(orders, orders.c.contact_id == Contact.id, isouter=True)
            .where(Contact.team_id == actor.team_id, col(Contact.deleted_at).is_(None),
                   _owned(Contact.owner_id, owners))
            .group_by(stage))
    found = {str(name): int(n) for name, n in session.exec(stmt)}  # type: ignore[call-overload]
    return [SegmentCount("lifecycle", name, found.get(name, 0)) for name in LIFECYCLE]


def fallback_service(session: Session, actor: Member, owners: set[int] | None,
                     period: Period, now: datetime) -> list[tuple[str, float | int | None]]:
    """Complaints open now and new in the period; CSAT % and NPS of scores given in it."""
    within = (col(Feedback.created_at) >= period.start_utc) & (
        col(Feedback.created_at) < period.end_utc)
    complaint = Feedback.kind == FeedbackKind.COMPLAINT

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.exec(select(  # type: ignore[call-overload]
        count(complaint & (Feedback.status == "open")), count(complaint & within),
        count(within & col(Feedback.csat).is_not(None)), count(within & (col(Feedback.csat) >= 4)),
        count(within & col(Feedback.nps).is_not(None)), count(within & (col(Feedback.nps) >= 9)),
        count(within & (col(Feedback.nps) <= 6)))
        .where(Feedback.team_id == actor.team_id, _owned(Feedback.owner_id, owners))).one()
    open_, new, rated, happy, scored, promoters, detractors = (int(v or 0) for v in row)
    return [("complaints_open", open_), ("complaints_new", new),
            ("csat_pct", round(100 * happy / rated, 1) if rated else None),
            ("nps", round(100 * (promoters - detractors) / scored, 1) if scored else None)]
