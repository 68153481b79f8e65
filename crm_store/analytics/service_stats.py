"""Service figures for managers: open complaints, response and resolution medians, SLA, CSAT, NPS.

The window covers complaints and ratings *created* in the last `days` days; open complaints are
counted at `now` whatever their age. A complaint belongs to the figures when its owner or its
contact's owner is visible to the actor (as in the complaints list).

Medians are computed in SQL with window functions, portably: each duration gets its ROW_NUMBER
in ascending order and the COUNT of the set, and the median is the average of the rows numbered
(n + 1) // 2 and (n + 2) // 2 — one row for an odd n, the middle two for an even n. SQLite has no
percentile_cont, and this form runs unchanged on both backends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, func, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from crm_store.messaging.reminder_rules import rules_for
from crm_store.models import Contact, Feedback, FeedbackKind, Member, Team
from crm_store.sql import select_columns
from crm_store.team.members import visible_owner_ids

DEFAULT_DAYS = 90
CSAT_GOOD = 4  # 4 and 5 count as satisfied
NPS_PROMOTER, NPS_DETRACTOR = 9, 6  # 9–10 promote, 0–6 detract


class hours_between(FunctionElement[float]):  # noqa: N801 - reads as the SQL function it is
    """Hours from the second timestamp to the first, as a float, on SQLite and PostgreSQL."""

    type = Float()
    name = "hours_between"
    inherit_cache = True


@compiles(hours_between)
def _hours_postgresql(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 24.0)"


@dataclass(frozen=True)
class ServiceSummary:
    """How the team served its customers over the last `days` days."""

    days: int
    sla_hours: int
    open_complaints: int
    complaints: int  # created in the window
    median_first_response_hours: float | None
    median_resolution_hours: float | None
    sla_breaches: int
    csat_ratings: int
    csat_satisfied: int
    nps_ratings: int
    promoters: int
    detractors: int

    @property
    def csat_percent(self) -> float | None:
        """Share of CSAT ratings that are 4 or 5, in %; None without ratings."""
        return 100 * self.csat_satisfied / self.csat_ratings if self.csat_ratings else None

    @property
    def nps(self) -> float | None:
        """Promoters minus detractors, in % points of NPS ratings; None without ratings."""
        if not self.nps_ratings:
            return None
        return 100 * (self.promoters - self.detractors) / self.nps_ratings


Condition = ColumnElement[bool]


def _visible(owners: set[int] | None) -> Condition:
    if owners is None:
        return true()
    ids = sorted(owners)
    return or_(col(Feedback.owner_id).in_(ids), col(Contact.owner_id).in_(ids))


def _count_if(condition: Condition) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _median(session: Session, hours: Any, where: list[Condition]) -> float | None:
    """The median of `hours` over the feedback rows matching `where`; None when there are none."""
    ranked = (
        select(hours.label("hours"),
               func.row_number().over(order_by=hours).label("position"),
               func.count().over().label("n"))
        .select_from(Feedback)
        .join(Contact, col(Feedback.contact_id) == Contact.id)
        .where(*where)
        .subquery("ranked")
    )
    middle = or_(ranked.c.position == (ranked.c.n + 1) // 2,
                 ranked.c.position == (ranked.c.n + 2) // 2)
    value = session.exec(select(func.avg(ranked.c.hours)).where(middle)).one()
    return None if value is None else round(float(value), 2)


def service_summary(
    session: Session, *, actor: Member, now: datetime, days: int = DEFAULT_DAYS
) -> ServiceSummary:
    """Service figures of the complaints and ratings `actor` may see, over the last `days`."""
    team = session.get(Team, actor.team_id)
    sla_hours = rules_for(team).sla_first_response_hours if team else 4
    owners = visible_owner_ids(session, actor)
    seen = [col(Feedback.team_id) == actor.team_id, col(Contact.deleted_at).is_(None),
            _visible(owners)]
    in_window = and_(col(Feedback.created_at) >= now - timedelta(days=days),
                     col(Feedback.created_at) <= now)
    complaint = col(Feedback.kind) == FeedbackKind.COMPLAINT
    responded = col(Feedback.first_response_at).is_not(None)
    first_response = hours_between(Feedback.first_response_at, Feedback.created_at)
    breach = or_(and_(responded, first_response > sla_hours),
                 and_(~responded, col(Feedback.created_at) <= now - timedelta(hours=sla_hours)))
    csat, nps = col(Feedback.csat), col(Feedback.nps)
    recent = and_(complaint, in_window)
    figures = select_columns(
        _count_if(and_(complaint, col(Feedback.status) == "open")),
        _count_if(recent),
        _count_if(and_(recent, breach)),
        _count_if(and_(in_window, csat.is_not(None))),
        _count_if(and_(in_window, csat >= CSAT_GOOD)),
        _count_if(and_(in_window, nps.is_not(None))),
        _count_if(and_(in_window, nps >= NPS_PROMOTER)),
        _count_if(and_(in_window, nps <= NPS_DETRACTOR)),
    ).select_from(Feedback).join(Contact, col(Feedback.contact_id) == Contact.id).where(*seen)
    (open_count, complaints, breaches, csat_n, satisfied, nps_n, promoters,
     detractors) = (int(v) for v in session.exec(figures).one())
    window = [*seen, complaint, in_window]
    resolution = hours_between(Feedback.resolved_at, Feedback.created_at)
    return ServiceSummary(
        days=days, sla_hours=sla_hours, open_complaints=open_count, complaints=complaints,
        median_first_response_hours=_median(session, first_response, [*window, responded]),
        median_resolution_hours=_median(
            session, resolution, [*window, col(Feedback.resolved_at).is_not(None)]),
        sla_breaches=breaches, csat_ratings=csat_n, csat_satisfied=satisfied, nps_ratings=nps_n,
        promoters=promoters, detractors=detractors,
    )
