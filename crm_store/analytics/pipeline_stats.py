"""Pipeline figures in SQL: open deals by stage and owner, forecast by close month, funnel.

The rules, in one place (chat views and the report builder both use these functions):
- weighted amount = amount × the stage's win probability in the team's pipeline (a deal sitting
  in a stage the team has since removed keeps its own probability);
- forecast: open deals bucketed by expected close date in the member's time zone — overdue
  (before today), this month and the next five, later, no date; best case = every open deal,
  committed = deals in the commit stage (Team.settings "forecast_commit_stage", default
  negotiation) or a later one;
- funnel over [now − days, now], from StageChange history, never today's snapshot: a deal
  reaches a stage when a move in the period takes it into that stage or past it from below (a
  skipped stage counts as passed); it moves on when a move at or after that takes it beyond the
  stage ("lost" is an exit, not a step); conversion = moved on ÷ reached;
- win rate = won ÷ (won + lost) among deals closed in the period;
- average cycle = mean days from created_at to closed_at of the deals won in the period;
- sales velocity per day = open deals × average won amount × win rate ÷ average cycle days
  (a cycle shorter than one day counts as one); per month = per day × 30.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, true, union_all
from sqlmodel import Session, col, select

from crm_store.analytics.churn import ChurnRisk, at_risk
from crm_store.errors import Invalid, NotFound
from crm_store.messaging.reminder_rules import rules_for
from crm_store.models import Deal, DealStatus, Member, StageChange, Team
from crm_store.sales.pipeline import WON, Stage, stages_for
from crm_store.sql import select_columns
from crm_store.team.members import visible_owner_ids
from crm_store.team.worktime import local_date

DEFAULT_FUNNEL_DAYS, MAX_FUNNEL_DAYS = 180, 3650
FORECAST_MONTHS = 6
DEFAULT_COMMIT_STAGE = "negotiation"
DAYS_PER_MONTH = 30
MIN_CYCLE_DAYS = 1.0
OVERDUE, LATER, NO_DATE = "overdue", "later", "none"


@dataclass(frozen=True)
class StageRow:
    """Open deals in one stage: how many, their amount and probability-weighted amount."""

    stage: str
    probability: int
    count: int
    amount_minor: int
    weighted_minor: int
    known: bool = True  # False: a stage the team has removed from its pipeline


@dataclass(frozen=True)
class OwnerRow:
    """Open deals of one owner."""

    owner_id: int
    owner: str
    count: int
    amount_minor: int
    weighted_minor: int


@dataclass(frozen=True)
class ForecastBucket:
    """Open deals expected to close in one bucket: a month, overdue, later or no date."""

    key: str  # OVERDUE, "YYYY-MM", LATER or NO_DATE
    month: date | None  # first day of the month for month buckets
    count: int
    best_case_minor: int
    weighted_minor: int
    committed_minor: int


@dataclass(frozen=True)
class Forecast:
    """The forecast buckets in display order, and the stage where "committed" starts."""

    buckets: list[ForecastBucket]
    commit_stage: str

    def total(self, name: str) -> int:
        """Sum of one figure ("count", "best_case_minor", …) over every bucket."""
        return sum(getattr(bucket, name) for bucket in self.buckets)


@dataclass(frozen=True)
class FunnelStage:
    """Deals that reached a stage in the period and how many of them moved beyond it."""

    stage: str
    reached: int
    moved_on: int

    @property
    def rate(self) -> float | None:
        """moved on ÷ reached, or None when no deal reached the stage."""
        return self.moved_on / self.reached if self.reached else None


@dataclass(frozen=True)
class Funnel:
    """Conversion by stage, win rate, cycle and velocity over [start, end]."""

    start: datetime
    end: datetime
    days: int
    stages: list[FunnelStage]  # open stages in pipeline order, then won
    won: int
    lost: int
    avg_won_minor: int | None
    avg_cycle_days: float | None
    open_deals: int

    @property
    def win_rate(self) -> float | None:
        """won ÷ (won + lost) among deals closed in the period."""
        return self.won / (self.won + self.lost) if self.won + self.lost else None

    def velocity_minor(self, days: int = 1) -> int | None:
        """Sales velocity over `days` days: open deals × avg won × win rate ÷ cycle × days."""
        if self.win_rate is None or self.avg_won_minor is None or self.avg_cycle_days is None:
            return None
        cycle = max(self.avg_cycle_days, MIN_CYCLE_DAYS)
        return round(self.open_deals * self.avg_won_minor * self.win_rate / cycle * days)

    @property
    def velocity_per_day_minor(self) -> int | None:
        """Expected won amount per day at the current pace (minor units)."""
        return self.velocity_minor(1)

    @property
    def velocity_per_month_minor(self) -> int | None:
        """Expected won amount per 30 days at the current pace (minor units)."""
        return self.velocity_minor(DAYS_PER_MONTH)


@dataclass(frozen=True)
class AtRiskRow:
    """A customer at churn risk, with the owner's name and the team's low-CSAT threshold."""

    risk: ChurnRisk
    owner: str
    low_csat: int


# ---------------------------------------------------------------------------- shared pieces
def _int(value: int) -> Any:
    return literal_column(str(int(value)))  # inline: PostgreSQL must see the same expression


def _open_where(session: Session, actor: Member, now: datetime,
                owner_id: int | None) -> list[ColumnElement[bool]]:
    owners = visible_owner_ids(session, actor)
    where = [col(Deal.team_id) == actor.team_id, col(Deal.status) == DealStatus.OPEN,
             col(Deal.deleted_at).is_(None), col(Deal.created_at) <= now]
    if owners is not None:
        where.append(col(Deal.owner_id).in_(sorted(owners)))
    if owner_id is not None:
        where.append(col(Deal.owner_id) == owner_id)
    return where


def _open_stages(session: Session, team_id: int) -> list[Stage]:
    return [s for s in stages_for(session, team_id) if s.is_open]


def _probability(stages: list[Stage]) -> Any:
    """The stage's probability for a deal, its own one when the stage was removed."""
    return case({s.key: _int(s.probability) for s in stages}, value=Deal.stage,
                else_=Deal.probability)


def team_currency(session: Session, team_id: int) -> str:
    """The currency the team's figures are in."""
    team = session.get(Team, team_id)
    return team.currency if team else "CNY"


def find_owner(session: Session, *, actor: Member, query: str) -> Member:
    """The visible member named by `query` (name or @username; exact first, then a part)."""
    wanted = query.strip().lstrip("@").casefold()
    owners = visible_owner_ids(session, actor)
    stmt = select(Member).where(Member.team_id == actor.team_id).order_by(col(Member.id))
    if owners is not None:
        stmt = stmt.where(col(Member.id).in_(sorted(owners)))
    members = list(session.exec(stmt))
    if not wanted:
        raise NotFound("pipeline.owner_not_found", name=query[:60])
    for found in ([m for m in members if wanted in (m.display_name.casefold(),
                                                      (m.username or "").casefold())],
                  [m for m in members if wanted in m.display_name.casefold()]):
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise Invalid("pipeline.owner_ambiguous", name=query[:60],
                          names=", ".join(m.display_name for m in found[:6]))
    raise NotFound("pipeline.owner_not_found", name=query[:60])


# ------------------------------------------------------------------------------- pipeline
def pipeline_by_stage(session: Session, *, actor: Member, now: datetime,
                      owner_id: int | None = None) -> list[StageRow]:
    """Visible open deals per stage in pipeline order (empty stages too; removed ones last)."""
    stages = _open_stages(session, actor.team_id)
    stmt = (select_columns(Deal.stage, func.count(),
                           func.coalesce(func.sum(Deal.amount_minor), 0),
                           func.coalesce(func.sum(Deal.amount_minor * _probability(stages)), 0),
                           func.max(Deal.probability))
            .where(*_open_where(session, actor, now, owner_id)).group_by(col(Deal.stage)))
    found = {stage: (int(n), int(total), int(weighted), int(p))
             for stage, n, total, weighted, p in session.exec(stmt)}
    rows = []
    for stage in stages:
        n, total, weighted, _ = found.pop(stage.key, (0, 0, 0, 0))
        rows.append(StageRow(stage.key, stage.probability, n, total, weighted // 100))
    rows += [StageRow(key, p, n, total, weighted // 100, known=False)
             for key, (n, total, weighted, p) in sorted(found.items())]
    return rows


def pipeline_by_owner(session: Session, *, actor: Member, now: datetime) -> list[OwnerRow]:
    """Visible open deals per owner, the largest weighted pipeline first."""
    stages = _open_stages(session, actor.team_id)
    weighted = func.sum(Deal.amount_minor * _probability(stages)).label("weighted")
    stmt = (select_columns(Deal.owner_id, Member.display_name, func.count(),
                           func.sum(Deal.amount_minor), weighted)
            .join(Member, col(Member.id) == Deal.owner_id)
            .where(*_open_where(session, actor, now, None))
            .group_by(col(Deal.owner_id), col(Member.display_name))
            .order_by(weighted.desc(), col(Deal.owner_id)))
    return [OwnerRow(owner_id, name, int(n), int(total), int(w) // 100)
            for owner_id, name, n, total, w in session.exec(stmt)]


# ------------------------------------------------------------------------------- forecast
def commit_stage(session: Session, team_id: int) -> str:
    """The first stage counted as committed: the team's setting if it names an open stage."""
    team = session.get(Team, team_id)
    wanted = (team.settings or {}).get("forecast_commit_stage") if team else None
    keys = [s.key for s in _open_stages(session, team_id)]
    for key in (wanted, DEFAULT_COMMIT_STAGE):
        if key in keys:
            return str(key)
    return keys[-1]  # a pipeline without negotiation: its last open stage


def _month_starts(today: date, months: int) -> list[date]:
    starts = [today.replace(day=1)]
    for _ in range(months):
        starts.append((starts[-1] + timedelta(days=32)).replace(day=1))
    return starts


def forecast(session: Session, *, actor: Member, now: datetime, owner_id: int | None = None,
             months: int = FORECAST_MONTHS) -> Forecast:
    """Open deals by expected close month (member's zone): weighted, best case, committed."""
    stages = _open_stages(session, actor.team_id)
    first_committed = commit_stage(session, actor.team_id)
    keys = [s.key for s in stages]
    committed_keys = keys[keys.index(first_committed):]
    today = local_date(now, actor.timezone)
    starts = _month_starts(today, months)
    close = col(Deal.expected_close)
    bucket = case((close.is_(None), NO_DATE), (close < today, OVERDUE),
                  *[(close < after, start.strftime("%Y-%m"))
                    for start, after in zip(starts, starts[1:], strict=False)],
                  else_=LATER)
    committed = case((col(Deal.stage).in_(committed_keys), Deal.amount_minor),
                     else_=0)
    deals = (select(bucket.label("bucket"), col(Deal.amount_minor).label("amount"),
                    (Deal.amount_minor * _probability(stages)).label("weighted"),
                    committed.label("committed"))
             .where(*_open_where(session, actor, now, owner_id)).subquery())
    stmt = (select_columns(deals.c.bucket, func.count(), func.sum(deals.c.amount),
                           func.sum(deals.c.weighted), func.sum(deals.c.committed))
            .group_by(deals.c.bucket))
    found = {key: (int(n), int(best), int(w) // 100, int(c))
             for key, n, best, w, c in session.exec(stmt)}
    order = [(OVERDUE, None), *[(s.strftime("%Y-%m"), s) for s in starts[:-1]], (LATER, None),
             (NO_DATE, None)]
    return Forecast([ForecastBucket(key, month, *found.get(key, (0, 0, 0, 0)))
                     for key, month in order], first_committed)


# --------------------------------------------------------------------------------- funnel
def funnel_days(session: Session, team_id: int) -> int:
    """The team's default funnel window in days (Team.settings "funnel_days", else 180)."""
    team = session.get(Team, team_id)
    days = (team.settings or {}).get("funnel_days") if team else None
    return days if isinstance(days, int) and 0 < days <= MAX_FUNNEL_DAYS else DEFAULT_FUNNEL_DAYS


def _cycle_days(session: Session) -> Any:
    """Days from created_at to closed_at, in the backend's own date arithmetic."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(Deal.closed_at) - func.julianday(Deal.created_at)
    return func.extract("epoch", col(Deal.closed_at) - col(Deal.created_at)) / 86400


def _reached(session: Session, actor: Member, start: datetime, end: datetime,
             stages: list[Stage]) -> dict[int, tuple[int, int]]:
    """Per pipeline position: deals that reached it in the period, and those that moved on."""
    position = {s.key: _int(i) for i, s in enumerate(stages)} | {WON: _int(len(stages))}
    to_pos = case(position, value=StageChange.to_stage, else_=None)
    from_pos = case((col(StageChange.from_stage).is_(None), _int(-1)),
                    else_=case(position, value=StageChange.from_stage, else_=to_pos - 1))
    owners = visible_owner_ids(session, actor)
    deal, at = col(StageChange.deal_id), col(StageChange.at)
    # furthest = the furthest position any move at or after this one reaches (a suffix max):
    # a deal moved on from a stage when it is beyond the stage at the move that reached it.
    furthest = func.max(to_pos).over(partition_by=deal, order_by=at.desc())
    events = (select(deal.label("deal"), from_pos.label("from_pos"), to_pos.label("to_pos"),
                     furthest.label("furthest"))
              .join(Deal, col(Deal.id) == deal)
              .where(StageChange.team_id == actor.team_id, Deal.team_id == actor.team_id,
                     col(Deal.deleted_at).is_(None), at > start, at <= end,
                     true() if owners is None else col(Deal.owner_id).in_(sorted(owners)))
              .subquery("events"))
    steps = union_all(*[select(_int(i).label("pos")) for i in range(len(stages) + 1)]).cte("steps")
    per_deal = (select(steps.c.pos, func.max(case((events.c.furthest > steps.c.pos, 1),
                                                  else_=0)).label("moved"))
                .select_from(events.join(steps, and_(events.c.from_pos < steps.c.pos,
                                                     events.c.to_pos >= steps.c.pos)))
                .group_by(events.c.deal, steps.c.pos).subquery())
    stmt = (select(per_deal.c.pos, func.count(), func.sum(per_deal.c.moved))
            .group_by(per_deal.c.pos))
    return {int(pos): (int(n), int(moved)) for pos, n, moved in session.exec(stmt)}


def funnel(session: Session, *, actor: Member, now: datetime, days: int = DEFAULT_FUNNEL_DAYS,
           since: datetime | None = None, until: datetime | None = None) -> Funnel:
    """Stage conversion, win rate, cycle and velocity over the last `days` (or since–until)."""
    if not 0 < days <= MAX_FUNNEL_DAYS:
        raise Invalid("funnel.days_range", low=1, high=MAX_FUNNEL_DAYS)
    end = until or now
    start = since or end - timedelta(days=days)
    stages = _open_stages(session, actor.team_id)
    reached = _reached(session, actor, start, end, stages)
    rows = [FunnelStage(key, *reached.get(i, (0, 0)))
            for i, key in enumerate([*(s.key for s in stages), WON])]
    owners = visible_owner_ids(session, actor)
    won = col(Deal.status) == DealStatus.WON
    closed = session.exec(
        select(func.sum(case((won, 1), else_=0)),
               func.sum(case((col(Deal.status) == DealStatus.LOST, 1), else_=0)),
               func.avg(case((won, Deal.amount_minor), else_=None)),
               func.avg(case((won, _cycle_days(session)), else_=None)))
        .where(Deal.team_id == actor.team_id, col(Deal.deleted_at).is_(None),
               col(Deal.status).in_([DealStatus.WON, DealStatus.LOST]),
               col(Deal.closed_at) > start, col(Deal.closed_at) <= end,
               true() if owners is None else col(Deal.owner_id).in_(sorted(owners)))
    ).one()
    n_won, n_lost, avg_won, avg_cycle = closed
    open_deals = session.exec(select(func.count()).select_from(Deal)
                              .where(*_open_where(session, actor, now, None))).one()
    return Funnel(start=start, end=end, days=round((end - start).total_seconds() / 86400),
                  stages=rows, won=int(n_won or 0), lost=int(n_lost or 0),
                  avg_won_minor=None if avg_won is None else round(float(avg_won)),
                  avg_cycle_days=None if avg_cycle is None else float(avg_cycle),
                  open_deals=int(open_deals))


# -------------------------------------------------------------------------------- at risk
def at_risk_for(session: Session, *, actor: Member, now: datetime) -> list[AtRiskRow]:
    """Visible customers at churn risk with their owner's name, most value at risk first."""
    risks = at_risk(session, actor.team_id, now, owner_ids=visible_owner_ids(session, actor))
    if not risks:
        return []
    names = dict(session.exec(select(Member.id, Member.display_name).where(
        col(Member.id).in_(sorted({r.owner_id for r in risks})))).all())
    team = session.get(Team, actor.team_id)
    low = rules_for(team).churn_low_csat if team else 2
    return [AtRiskRow(risk, names.get(risk.owner_id, "?"), low) for risk in risks]
