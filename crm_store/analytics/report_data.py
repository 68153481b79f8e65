"""Figures of a `/report`: one period of the actor's visible team, for charts and a workbook.

Every figure comes from the function its chat command uses (crm_store.analytics.pipeline_stats,
team_activity, segments, service_stats, churn, digest_figures), so a report shows what the
commands show; this module only puts them into the shapes the charts and workbook read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store.analytics import churn, pipeline_stats, segments, service_stats, team_activity
from crm_store.analytics.digest_figures import daily_figures
from crm_store.analytics.report_figures import (
    KINDS,
    MONTH,
    WEEK,
    Period,
    RepActivity,
    SegmentCount,
    StageRow,
    period_of,
)
from crm_store.db import read_only
from crm_store.models import Member, Team
from crm_store.sales.pipeline import stages_for
from crm_store.team.members import visible_owner_ids

__all__ = ["KINDS", "MONTH", "WEEK", "Period", "RepActivity", "ReportData", "SegmentCount",
           "StageRow", "build_report", "period_of"]
AT_RISK_ROWS = 50
# The figures that only read are gathered on a connection of their own beside the main
# session: on PostgreSQL in another backend, on SQLite in WAL mode, so both cores work.
_BESIDE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="report-figures")


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows."""

    period: Period
    currency: str
    scope_name: str  # the actor's name; a rep's report is theirs alone
    own_only: bool
    summary: dict[str, int]  # crm_store.analytics.digest_figures.FIGURES over the period
    pipeline: list[StageRow]
    funnel: list[StageRow]
    funnel_figures: list[tuple[str, float | int | None]]  # win rate, cycle, velocity…
    activity: list[RepActivity]
    segment_scheme: str  # the group the chart shows: "rfm", else "lifecycle"
    segments: list[SegmentCount]
    segment_figures: list[tuple[str, float | int | None]]  # top 20% share, window…
    service: list[tuple[str, float | int | None]]
    at_risk: list[churn.ChurnRisk]
    owner_names: dict[int, str] = field(default_factory=dict)  # of the at-risk customers


ChartsReady = Callable[[list[StageRow], list[StageRow], list[RepActivity], str], None]
SegmentsReady = Callable[[list[SegmentCount], str], None]


def build_report(session: Session, *, actor: Member, period: Period, now: datetime,
                 charts_ready: ChartsReady | None = None,
                 segments_ready: SegmentsReady | None = None) -> ReportData:
    """Gather every figure of the report for `actor`'s visible team (a rep: their own).

    `charts_ready(funnel, pipeline, activity, currency)` is called as soon as those three
    are known and `segments_ready(segments, scheme)` as soon as the segments are, so their
    charts can be drawn while the slower figures are gathered.
    """
    team = session.get(Team, actor.team_id)
    currency = team.currency if team else "CNY"
    owners = visible_owner_ids(session, actor)
    # "At now" figures of a past period are taken at its end, like the digest does.
    start, end = period.start_utc, period.end_utc
    days = max(1, math.ceil((end - start) / timedelta(days=1)))
    bind = session.get_bind()
    beside: Future[_ReadOnly | None] | None = _BESIDE.submit(
        _read_beside, bind, actor.id or 0, period, now, days) if isinstance(bind, Engine) else None
    stages = stages_for(session, actor.team_id)
    pipeline = _in_stage_order(
        [StageRow(r.stage, r.count, r.amount_minor, r.weighted_minor)
         for r in pipeline_stats.pipeline_by_stage(session, actor=actor, now=end)],
        [s.key for s in stages if s.is_open])
    found = pipeline_stats.funnel(session, actor=actor, now=end, days=days, since=start,
                                  until=end)
    funnel = _in_stage_order([StageRow(s.stage, s.reached, moved_on=s.moved_on)
                              for s in found.stages], [s.key for s in stages])
    activity = [_activity(row) for row in team_activity.by_rep(
        session, actor=actor, start_utc=start, end_utc=end, now=end)]
    if charts_ready is not None:
        charts_ready(funnel, pipeline, activity, currency)
    rows, segment_figures = _segments(segments.segment_summary(session, actor=actor, now=end))
    scheme = "rfm" if any(row.group == "rfm" for row in rows) else "lifecycle"
    if segments_ready is not None:
        segments_ready(rows, scheme)
    risks = churn.at_risk(session, actor.team_id, now, owner_ids=owners, limit=AT_RISK_ROWS)
    names = session.exec(select(Member.id, Member.display_name).where(
        col(Member.id).in_({r.owner_id for r in risks}))).all() if risks else []
    service, summary = (beside.result() if beside is not None else None) or _read_only(
        session, actor, period, now, days)
    return ReportData(
        period=period, currency=currency, scope_name=actor.display_name,
        own_only=owners is not None and owners == {actor.id}, summary=summary,
        pipeline=pipeline, funnel=funnel, funnel_figures=list(_numbers(found).items()),
        activity=activity, segment_scheme=scheme, segments=rows,
        segment_figures=list(segment_figures.items()),
        service=list(_numbers(service).items()), at_risk=risks,
        owner_names={mid or 0: name for mid, name in names})


_ReadOnly = tuple[service_stats.ServiceSummary, dict[str, int]]


def _read_only(session: Session, actor: Member, period: Period, now: datetime,
               days: int) -> _ReadOnly:
    """The service figures over the period and its summary (the digest's figures)."""
    service = service_stats.service_summary(session, actor=actor, now=period.end_utc, days=days)
    return service, daily_figures(session, actor=actor, start_utc=period.start_utc,
                                  end_utc=period.end_utc, now=min(now, period.end_utc))


def _read_beside(engine: Engine, member_id: int, period: Period, now: datetime,
                 days: int) -> _ReadOnly | None:
    """`_read_only` in a read-only transaction of its own; None if the actor is not there."""
    with read_only(engine) as conn, Session(bind=conn) as session:
        actor = session.get(Member, member_id)
        return None if actor is None else _read_only(session, actor, period, now, days)


def _activity(row: team_activity.RepActivity) -> RepActivity:
    """Touches by kind for the chart; the member's other figures for the workbook."""
    numbers = {k: v for k, v in _numbers(row).items() if k != "member_id"}
    by_kind = {kind: int(numbers.pop(kind + "s") or 0) for kind in KINDS if kind + "s" in numbers}
    return RepActivity(row.member_id, row.name, by_kind,
                       {k: int(v) for k, v in numbers.items() if isinstance(v, int)})


def _groups(group: str, rows: Iterable[Any]) -> list[SegmentCount]:
    return [SegmentCount(group, str(row.key), int(row.customers), row.revenue_minor,
                         row.share) for row in rows]


def _segments(summary: segments.SegmentSummary) -> tuple[list[SegmentCount], dict[str, Any]]:
    """segments.segment_summary: RFM (and no purchases), tiers, classes, stages."""
    rows = [*_groups("rfm", summary.rfm.segments),
            SegmentCount("rfm", "none", int(summary.rfm.no_purchases)),
            *_groups("tier", summary.abc.tiers), *_groups("class", summary.classes),
            *_groups("lifecycle", summary.stages)]
    figures = {"customers": summary.customers, "buyers": summary.rfm.buyers,
               "window_days": summary.window_days, "top_share_rate": summary.abc.top_share,
               "top_revenue_minor": summary.abc.top_revenue_minor}
    return rows, figures


def _numbers(value: Any) -> dict[str, float | int | None]:
    """The numeric fields and properties of a dataclass, in declaration order."""
    names = [f.name for f in fields(value)] + [
        name for name, attr in vars(type(value)).items() if isinstance(attr, property)]
    items = [(name, getattr(value, name)) for name in names]
    return {k: v for k, v in items
            if v is None or (isinstance(v, int | float) and not isinstance(v, bool))}


def _in_stage_order(rows: list[StageRow], stages: list[str]) -> list[StageRow]:
    """Rows in pipeline order (every known stage, zero if absent), stages no longer in use last."""
    found = {row.stage: row for row in rows}
    ordered = [found.pop(key, StageRow(key, 0, 0)) for key in stages]
    return ordered + sorted(found.values(), key=lambda r: r.stage)
