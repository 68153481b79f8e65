"""Figures of a `/report`: one period of the actor's visible team, for charts and a workbook.

The figure functions of the analytics areas (crm_store.pipeline_stats, team_stats, segments,
service_stats) are looked up when a report is built, so a report shows what the chat commands
show; while an area is missing, or answers in a shape we cannot read, a small SQL aggregate of
crm_store.report_figures stands in, so a report always renders.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from crm_store import churn
from crm_store import report_figures as stand_in
from crm_store.digest_figures import daily_figures
from crm_store.models import Member, Team
from crm_store.pipeline import stages_for
from crm_store.report_figures import (
    KINDS,
    MONTH,
    WEEK,
    Period,
    RepActivity,
    SegmentCount,
    StageRow,
    period_of,
)
from crm_store.team import visible_owner_ids

__all__ = ["KINDS", "MONTH", "WEEK", "Period", "RepActivity", "ReportData", "SegmentCount",
           "StageRow", "build_report", "period_of"]
log = logging.getLogger(__name__)
AT_RISK_ROWS = 50


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows; `sources` says which area function (or fallback) gave what."""

    period: Period
    currency: str
    scope_name: str  # the actor's name; a rep's report is theirs alone
    own_only: bool
    summary: dict[str, int]  # crm_store.digest_figures.FIGURES over the period
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
    sources: dict[str, str] = field(default_factory=dict)


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
    owners = visible_owner_ids(session, actor)
    # "At now" figures of a past period are taken at its end, like the digest does.
    pool = {"session": session, "actor": actor, "now": period.end_utc, "period": period.kind,
            "days": max(1, math.ceil((period.end_utc - period.start_utc) / timedelta(days=1))),
            "start": period.start_utc, "end": period.end_utc, "start_utc": period.start_utc,
            "end_utc": period.end_utc, "since": period.start_utc, "until": period.end_utc,
            "team_id": actor.team_id, "owner_ids": owners}
    sources: dict[str, str] = {}

    def figure(topic: str, module: str, names: tuple[str, ...], read: Callable[[Any], Any],
               fallback: Callable[[], Any]) -> Any:
        for name in names:
            found = _shared(module, name)
            if found is None:
                continue
            try:
                value = read(_call(found, pool))
            except (TypeError, ValueError, AttributeError, KeyError) as exc:
                log.warning("report: %s.%s unreadable (%s); using the fallback", module, name, exc)
                continue
            sources[topic] = f"{module}.{name}"
            return value
        sources[topic] = "fallback"
        return fallback()

    stages = stages_for(session, actor.team_id)
    args = (session, actor, owners, period, now)
    pipeline = figure("pipeline", "crm_store.pipeline_stats", ("pipeline_by_stage",),
                      _read_stages, lambda: stand_in.fallback_pipeline(*args))
    funnel, funnel_figures = figure(
        "funnel", "crm_store.pipeline_stats", ("funnel",),
        lambda found: (_read_stages(found), _numbers(found) if not isinstance(found, list | tuple)
                       else {}),
        lambda: (stand_in.fallback_funnel(*args), {}))
    activity = figure("activity", "crm_store.team_stats", ("team_activity",), _read_activity,
                      lambda: stand_in.fallback_activity(*args))
    open_stages, all_stages = [s.key for s in stages if s.is_open], [s.key for s in stages]
    pipeline, funnel = _in_stage_order(pipeline, open_stages), _in_stage_order(funnel, all_stages)
    if charts_ready is not None:
        charts_ready(funnel, pipeline, activity, team.currency if team else "CNY")
    segments, segment_figures = figure(
        "segments", "crm_store.segments", ("segment_summary",), _read_segments,
        lambda: (stand_in.fallback_lifecycle(*args), {}))
    scheme = "rfm" if any(row.group == "rfm" for row in segments) else "lifecycle"
    if segments_ready is not None:
        segments_ready(segments, scheme)
    service = figure("service", "crm_store.service_stats", ("service_summary",), _read_scalars,
                     lambda: stand_in.fallback_service(*args))
    risks = churn.at_risk(session, actor.team_id, now, owner_ids=owners, limit=AT_RISK_ROWS)
    names = session.exec(select(Member.id, Member.display_name).where(
        col(Member.id).in_({r.owner_id for r in risks}))).all() if risks else []
    return ReportData(
        period=period, currency=team.currency if team else "CNY", scope_name=actor.display_name,
        own_only=owners is not None and owners == {actor.id},
        summary=daily_figures(session, actor=actor, start_utc=period.start_utc,
                              end_utc=period.end_utc, now=min(now, period.end_utc)),
        pipeline=pipeline, funnel=funnel,
        funnel_figures=list(funnel_figures.items()), activity=activity,
        segment_scheme=scheme, segments=segments,
        segment_figures=list(segment_figures.items()), service=service, at_risk=risks,
        owner_names={mid or 0: name for mid, name in names}, sources=sources)


# ------------------------------------------------------------ the analytics areas, if present
def _shared(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None
    return found if callable(found) else None


def _call(func: Callable[..., Any], pool: dict[str, Any]) -> Any:
    """Call `func` with the arguments it names from `pool`; TypeError if one is missing."""
    kwargs, args = {}, []
    for param in inspect.signature(func).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.name in pool:
            if param.kind == param.POSITIONAL_ONLY:
                args.append(pool[param.name])
            else:
                kwargs[param.name] = pool[param.name]
        elif param.default is param.empty:
            raise TypeError(f"cannot supply {param.name!r}")
    return func(*args, **kwargs)


def _rows(value: Any) -> list[Any]:
    """The list inside a result: the value itself, or its first list-valued attribute."""
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list | tuple):
        return list(value)
    for name in ("rows", "stages", "items", "reps", "members", "segments", "counts"):
        inner = getattr(value, name, None)
        if isinstance(inner, list | tuple | dict):
            return _rows(inner)
    raise TypeError(f"no rows in {type(value).__name__}")


def _pick(row: Any, names: Iterable[str]) -> Any:
    for name in names:
        value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
        if value is not None:
            return value
    raise AttributeError(f"none of {tuple(names)} on {type(row).__name__}")


def _read_stages(value: Any) -> list[StageRow]:
    rows = []
    for row in _rows(value):
        stage = _pick(row, ("stage", "key", "stage_key", "name"))
        count = _pick(row, ("count", "deals", "entered", "reached", "open_count", "n"))
        numbers = _numbers(row)
        amount = next((numbers[k] for k in ("amount_minor", "total_minor") if k in numbers), 0)
        weighted, moved = numbers.get("weighted_minor"), numbers.get("moved_on")
        key = stage if isinstance(stage, str) else _pick(stage, ("key",))
        rows.append(StageRow(str(key), int(count), int(amount or 0),
                             None if weighted is None else int(weighted),
                             None if moved is None else int(moved)))
    return rows


def _read_activity(value: Any) -> list[RepActivity]:
    reps = []
    for row in _rows(value):
        member_id = int(_pick(row, ("member_id", "id", "rep_id")))
        name = str(_pick(row, ("name", "member_name", "display_name", "rep_name")))
        numbers = {k: v for k, v in _numbers(row).items() if k != "member_id"}
        by_kind = {kind: int(numbers.pop(kind + "s")) for kind in KINDS if kind + "s" in numbers}
        if not by_kind:
            raise AttributeError("no per-kind counts")
        reps.append(RepActivity(member_id, name, by_kind,
                                {k: int(v) for k, v in numbers.items() if isinstance(v, int)}))
    return reps


def _groups(group: str, rows: Iterable[Any]) -> list[SegmentCount]:
    return [SegmentCount(group, str(row.key), int(row.customers), row.revenue_minor,
                         row.share) for row in rows]


def _read_segments(summary: Any) -> tuple[list[SegmentCount], dict[str, Any]]:
    """crm_store.segments.segment_summary: RFM (and no purchases), tiers, classes, stages."""
    rows = [*_groups("rfm", summary.rfm.segments),
            SegmentCount("rfm", "none", int(summary.rfm.no_purchases)),
            *_groups("tier", summary.abc.tiers), *_groups("class", summary.classes),
            *_groups("lifecycle", summary.stages)]
    figures = {"customers": summary.customers, "buyers": summary.rfm.buyers,
               "window_days": summary.window_days, "top_share_rate": summary.abc.top_share,
               "top_revenue_minor": summary.abc.top_revenue_minor}
    return rows, figures


def _numbers(value: Any) -> dict[str, float | int | None]:
    """The numeric fields and properties of a dataclass (or dict), in declaration order."""
    if isinstance(value, dict):
        items = list(value.items())
    else:
        names = [f.name for f in fields(value)] + [
            name for name, attr in vars(type(value)).items() if isinstance(attr, property)]
        items = [(name, getattr(value, name)) for name in names]
    return {str(k): v for k, v in items
            if v is None or (isinstance(v, int | float) and not isinstance(v, bool))}


def _read_scalars(value: Any) -> list[tuple[str, float | int | None]]:
    found = _numbers(value)
    if not found:
        raise TypeError("no figures")
    return list(found.items())


def _in_stage_order(rows: list[StageRow], stages: list[str]) -> list[StageRow]:
    """Rows in pipeline order (every known stage, zero if absent), stages no longer in use last."""
    found = {row.stage: row for row in rows}
    ordered = [found.pop(key, StageRow(key, 0, 0)) for key in stages]
    return ordered + sorted(found.values(), key=lambda r: r.stage)
