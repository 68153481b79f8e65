"""SQL of the segments area: every customer's profile of the team in one statement.

Plain aggregates are combined by UNION ALL + GROUP BY contact (a "pivot") rather than joins:
it stays linear on SQLite, which has no statistics to plan joins of derived tables with, and
on PostgreSQL. Ranks are window functions over the buyers only; percentile ranks of inputs
with few distinct values (orders, touches per order, days, ratings, positions) come from a
small histogram per input, looked up by a correlated subquery on SQLite (which indexes the
histogram for it) and joined on PostgreSQL (hash joins). Otherwise the dialects differ only
in the compiled constructs defined first. The rules are documented in docs/SEGMENTS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    Boolean,
    ColumnElement,
    CompoundSelect,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col

from crm_store.models import Company, Contact, Feedback, Interaction, InteractionKind, Order
from crm_store.sql import table_of

NEW_DAYS, ACTIVE_DAYS, LOST_DAYS = 90, 180, 365  # lifecycle (docs/SEGMENTS.md)
CHURN_VALUE_WINDOW = timedelta(days=365)  # value at risk: revenue of the last year
MIN_GAP_DAYS = 1.0  # as analytics.churn: several orders on one day never make the gap zero
TEAM_MIN_CUSTOMERS = 3  # as analytics.churn: own gaps needed for a team median
NEUTRAL = 0.5  # percentile of a missing input (no rating, no industry position)
NONE_KEY = "none"  # segment, tier and class of customers without purchases in the window
MS_PER_DAY = 86_400_000


class days_between(FunctionElement[float]):  # noqa: N801 - reads like the SQL it stands for
    """Days from the first timestamp to the second, exact to the millisecond on both backends."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(ROUND((julianday({end}) - julianday({start})) * {MS_PER_DAY}) / {MS_PER_DAY}.0)"


@compiles(days_between)
def _days_default(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return (f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start})) * 1000) / {MS_PER_DAY}.0 "
            f"AS DOUBLE PRECISION)")


class whole(FunctionElement[int]):  # noqa: N801
    """A non-negative number rounded down to an integer."""

    type = Integer()
    inherit_cache = True
    name = "whole"


@compiles(whole, "sqlite")
def _whole_sqlite(element: whole, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(next(iter(element.clauses)), **kw)} AS INTEGER)"


@compiles(whole)
def _whole_default(element: whole, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(next(iter(element.clauses)), **kw)}) AS INTEGER)"


class unindexed(FunctionElement[Any]):  # noqa: N801
    """The expression kept from index use on SQLite (unary plus); unchanged elsewhere."""

    inherit_cache = True
    name = "unindexed"


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(next(iter(element.clauses)), **kw))


@compiles(unindexed)
def _unindexed_default(element: unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(next(iter(element.clauses)), **kw))


class _has_tag(FunctionElement[bool]):  # noqa: N801
    type = Boolean()
    inherit_cache = True
    name = "has_tag"


@compiles(_has_tag, "sqlite")
def _tag_sqlite(element: _has_tag, compiler: Any, **kw: Any) -> str:
    tags, tag = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXISTS (SELECT 1 FROM json_each({tags}) WHERE json_each.value = {tag})"


@compiles(_has_tag)
def _tag_default(element: _has_tag, compiler: Any, **kw: Any) -> str:
    tags, tag = (compiler.process(arg, **kw) for arg in element.clauses)
    return (f"EXISTS (SELECT 1 FROM json_array_elements_text(CAST({tags} AS JSON)) AS t(v) "
            f"WHERE t.v = {tag})")


@dataclass(frozen=True)
class Params:
    """Everything a profile depends on besides the data: team, time, rules, weights."""

    team_id: int
    now: datetime
    window_days: int
    weights: tuple[tuple[str, float], ...]  # (input, weight); the weights sum to more than 0
    churn_multiple: float
    churn_min_orders: int
    churn_fallback_gap_days: float
    segment_rules: tuple[tuple[str, tuple[tuple[int, int, int, int], ...]], ...]
    strategic_threshold: int
    correlated: bool = False  # look percentiles up by correlated subqueries (SQLite)


@dataclass(frozen=True)
class Filters:
    """What narrows the customers counted besides visibility (None: no condition)."""

    city: str | None = None
    industry: str | None = None
    tag: str | None = None
    stage: str | None = None


def at(value: datetime) -> Any:
    """A time as a bound parameter typed like the stored times."""
    return bindparam(None, value, type_=table_of(Order).c.ordered_at.type)


def _middle(rank: Any, count: Any) -> Any:
    """Whether 1-based `rank` is one of the middle positions of `count` values (a median)."""
    return or_(rank == (count + 1) // 2, rank == (count + 2) // 2)


def _orders(p: Params, start: Any, now: Any) -> Select[Any]:
    """Per contact: first and last order, figures in the window, median gap between orders."""
    live = (select(col(Order.id), col(Order.contact_id), col(Order.ordered_at),
                   col(Order.amount_minor), col(Order.margin_minor))
            # A team's orders are all read: SQLite without statistics would rather walk the
            # (team_id, ordered_at) index and fetch each row by rowid, several times slower.
            .where(unindexed(Order.team_id) == p.team_id, col(Order.deleted_at).is_(None),
                   col(Order.status) != "cancelled", unindexed(Order.ordered_at) <= now)
            ).subquery("live")
    each: dict[str, Any] = {"partition_by": live.c.contact_id,
                            "order_by": (live.c.ordered_at, live.c.id)}
    gapped = select(live, days_between(func.lag(live.c.ordered_at).over(**each),
                                       live.c.ordered_at).label("gap"),
                    func.count().over(**each, rows=(None, None)).label("n")).subquery("gapped")
    g = gapped.c
    ranked = select(gapped, (func.row_number().over(
        partition_by=g.contact_id, order_by=g.gap.nulls_first()) - 1).label("gap_rank")) \
        .subquery("ranked")
    o = ranked.c
    inside = o.ordered_at > start
    median = func.avg(case((_middle(o.gap_rank, o.n - 1), o.gap)))
    own_gap = case((func.count() < max(p.churn_min_orders, 2), None),
                   (median < MIN_GAP_DAYS, MIN_GAP_DAYS), else_=median)
    year = o.ordered_at > at(p.now - CHURN_VALUE_WINDOW)
    return select(
        o.contact_id, func.min(o.ordered_at).label("first_at"),
        func.max(o.ordered_at).label("last_at"),
        func.sum(case((inside, 1), else_=0)).label("frequency"),
        func.sum(case((inside, o.amount_minor), else_=0)).label("revenue"),
        func.sum(case((inside, func.coalesce(o.margin_minor, o.amount_minor)), else_=0))
        .label("value"), own_gap.label("own_gap"), func.count().label("orders"),
        func.sum(case((year, o.amount_minor), else_=0)).label("value_365"),
    ).group_by(o.contact_id)


def _touches(p: Params, start: Any, now: Any) -> Select[Any]:
    """Per contact: interactions in the window other than notes (what serving them costs)."""
    # Unindexed: SQLite would walk the (contact_id, occurred_at) index to skip the sort and
    # fetch a million rows by rowid, four times slower than scanning and sorting.
    contact = unindexed(Interaction.contact_id)
    return select(contact.label("contact_id"), func.count().label("touches")).where(
        unindexed(Interaction.team_id) == p.team_id, col(Interaction.deleted_at).is_(None),
        col(Interaction.kind) != InteractionKind.NOTE, unindexed(Interaction.occurred_at) > start,
        unindexed(Interaction.occurred_at) <= now).group_by(contact)


def _ratings(p: Params, now: Any) -> Select[Any]:
    """Per contact: the latest satisfaction, 0–1 (CSAT 1–5, NPS 0–10, their mean if both)."""
    csat_column, nps_column = col(Feedback.csat), col(Feedback.nps)
    csat, nps = cast(csat_column - 1, Float) / 4, cast(nps_column, Float) / 10
    rated = select(col(Feedback.contact_id), case(
        (and_(csat_column.is_not(None), nps_column.is_not(None)), (csat + nps) / 2),
        (csat_column.is_not(None), csat), else_=nps).label("sat"),
        func.row_number().over(partition_by=col(Feedback.contact_id), order_by=(
            col(Feedback.created_at).desc(), col(Feedback.id).desc())).label("rn")).where(
        col(Feedback.team_id) == p.team_id, col(Feedback.created_at) <= now,
        or_(csat_column.is_not(None), nps_column.is_not(None))).subquery("rated")
    return select(rated.c.contact_id, rated.c.sat).where(rated.c.rn == 1)


def contacts(p: Params, owner_ids: set[int] | None, filters: Filters, *,
             position: bool = True) -> Select[Any]:
    """Every live contact of the team, whether the actor sees it and the filters keep it.

    `position`: with the company's industry position (the value score needs it).
    """
    kept: list[ColumnElement[bool]] = [
        true() if owner_ids is None else col(Contact.owner_id).in_(sorted(owner_ids) or [0])]
    if filters.city:
        kept.append(or_(col(Contact.city).icontains(filters.city, autoescape=True),
                        col(Contact.region).icontains(filters.city, autoescape=True)))
    if filters.industry:
        kept.append(or_(col(Contact.industry).icontains(filters.industry, autoescape=True),
                        col(Company.industry).icontains(filters.industry, autoescape=True)))
    if filters.tag:
        kept.append(_has_tag(Contact.tags, literal(filters.tag)))
    # Without `position`, a scan in id order: SQLite would rather walk an index on team_id
    # and fetch every contact by rowid, several times slower.
    team = col(Contact.team_id) if position else unindexed(Contact.team_id)
    stmt = select(col(Contact.id).label("contact_id"), col(Contact.owner_id),
                  case((and_(*kept), 1), else_=0).label("picked")) \
        .where(team == p.team_id, col(Contact.deleted_at).is_(None))
    if position or filters.industry:
        stmt = stmt.add_columns(col(Company.industry_position).label("position")) \
            .join(Company, col(Company.id) == Contact.company_id, isouter=True)
    return stmt


FACTS = {"owner_id": Integer(), "picked": Integer(), "position": Integer(),
         "first_at": table_of(Order).c.ordered_at.type,
         "last_at": table_of(Order).c.ordered_at.type, "frequency": Integer(),
         "revenue": Integer(), "value": Integer(), "own_gap": Float(), "orders": Integer(),
         "value_365": Integer(), "touches": Integer(),
         "sat": Float()}


def facts(p: Params, owner_ids: set[int] | None, filters: Filters) -> CTE:
    """One row per live contact with everything its profile is computed from."""
    start, now = at(p.now - timedelta(days=p.window_days)), at(p.now)
    arms = [contacts(p, owner_ids, filters), _orders(p, start, now), _touches(p, start, now),
            _ratings(p, now)]

    def row(arm: Select[Any], index: int) -> Select[Any]:
        have = arm.subquery(f"arm{index}").c
        return select(have.contact_id, literal(int(index == 0)).label("known"), *[
            # Typed NULLs: PostgreSQL resolves a UNION's column types arm by arm.
            (have[name] if name in have else cast(null(), kind)).label(name)
            for name, kind in FACTS.items()])

    both = union_all(*[row(arm, i) for i, arm in enumerate(arms)]).subquery("both")
    b = both.c
    return select(b.contact_id, *[func.max(b[name]).label(name) for name in FACTS]) \
        .group_by(b.contact_id).having(func.max(b.known) == 1).cte("facts")


def churn_facts(p: Params, owner_ids: set[int] | None) -> CTE:
    """Buyers among the live contacts the actor sees: last order, usual gaps, year's value."""
    start, now = at(p.now - timedelta(days=p.window_days)), at(p.now)
    o = _orders(p, start, now).subquery("orders_per_contact")
    seen = true() if owner_ids is None else col(Contact.owner_id).in_(sorted(owner_ids) or [0])
    live = select(o, case((seen, 1), else_=0).label("picked")) \
        .join(Contact, col(Contact.id) == o.c.contact_id) \
        .where(col(Contact.team_id) == p.team_id, col(Contact.deleted_at).is_(None)) \
        .cte("live_buyers")
    return select(live, _team_gap(live, p).label("team_gap")).where(live.c.picked == 1) \
        .cte("churn_facts")


def _team_gap(f: CTE, p: Params) -> Any:
    """The team's usual gap: the median of customers' own gaps, or the configured fallback."""
    known = select(f.c.own_gap.label("v"), func.row_number().over(order_by=f.c.own_gap)
                   .label("rn"), func.count().over().label("n")) \
        .where(f.c.own_gap.is_not(None)).subquery("own_gaps")
    median = func.avg(case((_middle(known.c.rn, known.c.n), known.c.v)))
    return select(case(
        (func.count() < TEAM_MIN_CUSTOMERS, float(p.churn_fallback_gap_days)),
        (median < MIN_GAP_DAYS, MIN_GAP_DAYS), else_=median)).scalar_subquery()


def _stage(f: Any, p: Params, team_gap: Any, now: Any) -> Any:
    """The lifecycle stage (docs/SEGMENTS.md); the at-risk test is crm_store.analytics.churn's."""
    since = days_between(f.last_at, now)
    usual = func.coalesce(f.own_gap, team_gap)
    return case(
        (f.last_at.is_(None), "prospect"),
        (since > LOST_DAYS, "lost"),
        (days_between(f.first_at, now) <= NEW_DAYS, "new"),
        (or_(since > ACTIVE_DAYS, since > usual * p.churn_multiple), "at_risk"),
        else_="active")


def _histogram(buyers: CTE, column: Any, name: str) -> Any:
    """Percentile rank of each value among buyers who have one: (below + equal / 2) / count."""
    counted = select(func.count(column)).scalar_subquery()
    return select(column.label("k"), ((
        cast(func.sum(func.count()).over(order_by=column), Float) - func.count() * 0.5)
        / cast(counted, Float)).label("p")).where(column.is_not(None)).group_by(column) \
        .cte(name).prefix_with("MATERIALIZED")


def profiles(p: Params, owner_ids: set[int] | None = None,
             filters: Filters | None = None) -> CTE:
    """Every live contact: R/F/M, segment, tier, value score, stage, and whether it is picked."""
    now = at(p.now)
    f = facts(p, owner_ids, filters or Filters())
    team_gap = _team_gap(f, p)
    days = whole(days_between(f.c.first_at, now))
    buyers = select(
        f.c.contact_id, f.c.owner_id, f.c.picked, f.c.first_at, f.c.last_at, f.c.frequency,
        f.c.revenue, f.c.value, f.c.sat, f.c.position, days.label("days"),
        (cast(func.coalesce(f.c.touches, 0), Float) / f.c.frequency).label("cost"),
        _stage(f.c, p, team_gap, now).label("stage"), f.c.own_gap,
        team_gap.label("team_gap"), f.c.orders, f.c.value_365,
    ).where(f.c.frequency > 0).cte("buyers").prefix_with("MATERIALIZED")
    u = buyers.c
    # Peers (equal value) share a tier and a rank.
    by_value: dict[str, Any] = {"order_by": u.value.desc()}
    scored = select(
        buyers,
        func.ntile(5).over(order_by=(u.last_at, u.contact_id)).label("r"),
        func.ntile(5).over(order_by=(u.frequency, u.contact_id)).label("f"),
        func.ntile(5).over(order_by=(u.revenue, u.contact_id)).label("m"),
        func.sum(u.value).over(**by_value).label("cum_value"),
        func.count().over(**by_value).label("at_or_above"),
        func.rank().over(**by_value).label("value_rank"),
    ).subquery("scored")
    s = scored.c
    n = select(func.count()).select_from(buyers).scalar_subquery()
    total = select(func.sum(buyers.c.value)).scalar_subquery()
    hist = {name: _histogram(buyers, u[column], f"h_{name}") for name, column in (
        ("volume", "frequency"), ("cost_to_serve", "cost"), ("relationship", "days"),
        ("satisfaction", "sat"), ("industry_position", "position"))}
    equal = s.at_or_above - s.value_rank + 1
    keys = {"volume": s.frequency, "cost_to_serve": s.cost, "relationship": s.days,
            "satisfaction": s.sat, "industry_position": s.position}
    if p.correlated:  # SQLite indexes a CTE for a correlated lookup, not for a join
        found = {name: select(h.c.p).where(h.c.k == keys[name]).scalar_subquery()
                 for name, h in hist.items()}
    else:
        found = {name: h.c.p for name, h in hist.items()}
    pcts = {
        "margin": (cast(n - s.at_or_above, Float) + cast(equal, Float) * 0.5) / cast(n, Float),
        "volume": found["volume"], "cost_to_serve": 1.0 - found["cost_to_serve"],
        "relationship": found["relationship"],
        "satisfaction": func.coalesce(found["satisfaction"], NEUTRAL),
        "industry_position": func.coalesce(found["industry_position"], NEUTRAL),
    }
    weight = sum(w for _, w in p.weights)
    raw = sum((pcts[name] * (100.0 * w / weight) for name, w in p.weights if w), literal(0.0))
    fm = (s.f + s.m + 1) // 2  # the average of F and M, halves rounded up
    segment = case(*[
        (or_(*[and_(s.r.between(r1, r2), fm.between(f1, f2)) for r1, r2, f1, f2 in boxes]), key)
        for key, boxes in p.segment_rules])
    before = s.cum_value - cast(equal, Integer) * s.value  # value of customers worth more
    tier = case((or_(s.value <= 0, total <= 0), "C"), (before * 100 < total * 80, "A"),
                (before * 100 < total * 95, "B"), else_="C")
    scored_rows = select(
        s.contact_id, s.owner_id, s.picked, s.first_at, s.last_at, s.frequency, s.revenue,
        s.value, s.stage, s.r, s.f, s.m, segment.label("segment"), tier.label("tier"),
        raw.label("score_raw"), s.own_gap, s.team_gap, s.orders, s.value_365) \
        .select_from(scored)
    for name, h in hist.items() if not p.correlated else ():
        scored_rows = scored_rows.join(h, h.c.k == keys[name], isouter=True)
    others = select(
        f.c.contact_id, f.c.owner_id, f.c.picked, f.c.first_at, f.c.last_at,
        func.coalesce(f.c.frequency, 0), func.coalesce(f.c.revenue, 0),
        func.coalesce(f.c.value, 0), _stage(f.c, p, team_gap, now), null(), null(), null(),
        literal(NONE_KEY), literal(NONE_KEY), null(), f.c.own_gap, team_gap,
        func.coalesce(f.c.orders, 0), func.coalesce(f.c.value_365, 0),
    ).where(func.coalesce(f.c.frequency, 0) == 0)
    return union_all(scored_rows, others).cte("profiles")


def strategic_case(column: Any, threshold: int) -> Any:
    """'strategic' / 'general' for scored buyers (score rounded half up ≥ threshold)."""
    return case((column.is_(None), NONE_KEY), (column >= threshold - 0.5, "strategic"),
                else_="general")


def picked(p: Params, owner_ids: set[int] | None, filters: Filters) -> CTE:
    """Profiles of the contacts the actor sees and the filters keep (one statement's CTE)."""
    prof = profiles(p, owner_ids, filters)
    stmt = select(prof, strategic_case(prof.c.score_raw, p.strategic_threshold)
                  .label("klass")).where(prof.c.picked == 1)
    if filters.stage:
        stmt = stmt.where(prof.c.stage == filters.stage)
    return stmt.cte("picked").prefix_with("MATERIALIZED")


CELL = ("segment", "tier", "klass", "stage")  # what grouped() counts customers by


def grouped(sel: CTE, top_share: int) -> CompoundSelect[Any]:
    """Customers, revenue and value per (segment, tier, class, stage) cell; the top buyers.

    One pass over the selection: the caller adds the cells up per part. The "top" row holds
    the top `top_share`% of buyers by revenue (n, revenue) and all buyers' revenue (value).
    """
    cells = select(literal("cell").label("part"), *[sel.c[name] for name in CELL],
                   func.count().label("n"), func.sum(sel.c.revenue).label("revenue"),
                   func.sum(sel.c.value).label("value")).group_by(*[sel.c[n] for n in CELL])
    ranked = select(sel.c.revenue, func.row_number().over(
        order_by=(sel.c.revenue.desc(), sel.c.contact_id)).label("rn"),
        func.count().over().label("total")).where(sel.c.frequency > 0).subquery("ranked")
    step = 100 // top_share
    top = ranked.c.rn * step <= ranked.c.total + (step - 1)  # rn <= ceil(total × share)
    nothing = [cast(null(), String()).label(name) for name in CELL]
    return cells.union_all(select(
        literal("top").label("part"), *nothing,
        func.coalesce(func.sum(case((top, 1), else_=0)), 0).label("n"),
        func.coalesce(func.sum(case((top, ranked.c.revenue), else_=0)), 0).label("revenue"),
        func.coalesce(func.sum(ranked.c.revenue), 0).label("value")))
