"""Where customer profiles come from: computed live, or a big team's stored snapshot.

A profile (R/F/M, segment, tier, value score, lifecycle stage, usual gap between orders) is
ranked over the whole team, so computing it reads every order and the year's interactions:
under 0.3 s for 10k customers, 3–4 s for 100k on SQLite. Teams below `LIVE_LIMIT`
contacts get them computed for every question (always exact). Bigger teams read the
`customer_profile` table, which one INSERT … SELECT of the same statement fills: the
scheduler refreshes it every `REFRESH_AGE` and a question finding it older than `MAX_AGE`
(or made under other settings) refreshes it first. Replies then say "as of HH:MM". The
contact list itself is always today's: a customer added since is a prospect, a deleted one
is gone, and the owner is the current one.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CTE, Engine, and_, delete, func, insert, literal, select, text
from sqlmodel import Session

from crm_store import segments_sql as q
from crm_store.db import read_only, unit_of_work
from crm_store.models import Contact, ProfileRow, ProfileSnapshot, Team

log = logging.getLogger(__name__)

LIVE_LIMIT = 20_000  # contacts from which a team's profiles are stored, not recomputed
REFRESH_AGE = timedelta(minutes=45)  # the scheduler refreshes snapshots older than this
MAX_AGE = timedelta(hours=2)  # a question refreshes a snapshot older than this first
COLUMNS = ("first_at", "last_at", "frequency", "revenue", "value", "stage", "r", "f", "m",
           "segment", "tier", "score_raw", "own_gap", "team_gap", "orders", "value_365")


@dataclass(frozen=True)
class Source:
    """Where one question's profiles come from: stored as of `as_of`, or live (None)."""

    as_of: datetime | None = None

    @property
    def stored(self) -> bool:
        return self.as_of is not None


def settings_key(p: q.Params) -> str:
    """Everything besides time and data that a stored profile depends on."""
    return json.dumps([p.window_days, p.weights, p.churn_multiple, p.churn_min_orders,
                       p.churn_fallback_gap_days, p.segment_rules, p.strategic_threshold],
                      default=str)


def team_contacts(session: Session, team_id: int) -> int:
    """The team's contacts, deleted ones included (the team index alone answers it)."""
    return int(session.exec(select(func.count()).select_from(Contact).where(  # type: ignore
        Contact.team_id == team_id)).scalar_one())


@contextmanager
def hash_joins(session: Session) -> Iterator[None]:
    """On PostgreSQL, no nested loops for the statements inside; then as it was before.

    The planner cannot estimate the profile pivot's GROUP BY … HAVING and guesses one row;
    with nested loops it would then recompute a histogram for every buyer.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    before = session.exec(text("SELECT current_setting('enable_nestloop')")).scalar_one()
    session.exec(text("SET LOCAL enable_nestloop = off"))
    try:
        yield
    finally:
        session.exec(text(f"SET LOCAL enable_nestloop = {'on' if before == 'on' else 'off'}"))


def run(session: Session, stmt: Any) -> list[Any]:
    """Rows of a profile query (with hash joins only on PostgreSQL)."""
    with hash_joins(session):
        return list(session.exec(stmt))


def _select(p: q.Params) -> Any:
    prof = q.profiles(p)
    return select(literal(p.team_id).label("team_id"), prof.c.contact_id,
                  *[prof.c[name] for name in COLUMNS])


def _keep(session: Session, p: q.Params, started: float) -> ProfileSnapshot:
    snapshot = session.get(ProfileSnapshot, p.team_id) or ProfileSnapshot(
        team_id=p.team_id, as_of=p.now, settings_key="")
    snapshot.as_of, snapshot.settings_key = p.now, settings_key(p)
    snapshot.seconds = round(time.perf_counter() - started, 3)
    session.add(snapshot)
    session.flush()
    log.info("team %s: profiles stored in %.1f s", p.team_id, snapshot.seconds)
    return snapshot


def _lock_and_clear(session: Session, team_id: int) -> None:
    # Writers of one team queue here (PostgreSQL); SQLite's BEGIN IMMEDIATE already does.
    session.exec(select(Team.id).where(Team.id == team_id).with_for_update())  # type: ignore
    session.exec(delete(ProfileRow).where(ProfileRow.team_id == team_id))  # type: ignore


def refresh(session: Session, p: q.Params) -> ProfileSnapshot:
    """Recompute the stored profiles as of `p.now` inside `session` (one INSERT … SELECT).

    For a question that found them stale: its transaction holds the write lock anyway.
    """
    started = time.perf_counter()
    _lock_and_clear(session, p.team_id)
    target = ProfileRow.__table__  # type: ignore[attr-defined]
    statement = insert(target).from_select(["team_id", "contact_id", *COLUMNS], _select(p))
    with hash_joins(session):
        session.exec(statement)  # type: ignore[call-overload]
    return _keep(session, p, started)


def refresh_outside_lock(engine: Engine, p: q.Params) -> tuple[ProfileSnapshot, float]:
    """Compute in a read-only transaction, then store in a short write transaction.

    The scheduler's way: on SQLite the long part holds no lock, so no chat waits on it.
    Returns the snapshot (`seconds`: the whole refresh) and the seconds of the write part.
    """
    started = time.perf_counter()
    with read_only(engine) as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_nestloop = off")
        rows = [dict(row._mapping) for row in conn.execute(_select(p))]
    writing = time.perf_counter()
    with unit_of_work(engine) as session:
        _lock_and_clear(session, p.team_id)
        if rows:
            session.connection().execute(insert(ProfileRow.__table__), rows)  # type: ignore
        snapshot = _keep(session, p, started)
    return snapshot, time.perf_counter() - writing


def _fresh(snapshot: ProfileSnapshot | None, p: q.Params, age: timedelta) -> bool:
    """Whether `snapshot` was made under `p`'s settings, at most `age` before `p.now`."""
    return (snapshot is not None and snapshot.settings_key == settings_key(p)
            and snapshot.as_of <= p.now < snapshot.as_of + age)


def source(session: Session, p: q.Params) -> Source:
    """Live for small teams and for past moments; else a snapshot not older than MAX_AGE."""
    if team_contacts(session, p.team_id) < LIVE_LIMIT:
        return Source()
    snapshot = session.get(ProfileSnapshot, p.team_id)
    if snapshot is not None and _fresh(snapshot, p, MAX_AGE):
        return Source(snapshot.as_of)
    if snapshot is not None and p.now < snapshot.as_of:
        return Source()  # a question about the past (a report of last month): compute it
    return Source(refresh(session, p).as_of)


def picked(p: q.Params, owner_ids: set[int] | None, filters: q.Filters) -> CTE:
    """As segments_sql.picked, read from the stored profiles of today's live contacts."""
    c = q.contacts(p, owner_ids, filters, position=False).subquery("live_contacts")
    r = ProfileRow.__table__.c  # type: ignore[attr-defined]
    joined = c.join(ProfileRow.__table__, and_(r.team_id == p.team_id,  # type: ignore
                                                r.contact_id == c.c.contact_id), isouter=True)
    stage = func.coalesce(r.stage, "prospect")
    stmt = select(
        c.c.contact_id, c.c.owner_id, c.c.picked, r.first_at, r.last_at,
        func.coalesce(r.frequency, 0).label("frequency"),
        func.coalesce(r.revenue, 0).label("revenue"), func.coalesce(r.value, 0).label("value"),
        stage.label("stage"), r.r, r.f, r.m,
        func.coalesce(r.segment, q.NONE_KEY).label("segment"),
        func.coalesce(r.tier, q.NONE_KEY).label("tier"), r.score_raw, r.own_gap, r.team_gap,
        func.coalesce(r.orders, 0).label("orders"),
        func.coalesce(r.value_365, 0).label("value_365"),
        q.strategic_case(r.score_raw, p.strategic_threshold).label("klass"),
    ).select_from(joined).where(c.c.picked == 1)
    if filters.stage:
        stmt = stmt.where(stage == filters.stage)
    return stmt.cte("picked").prefix_with("MATERIALIZED")


def one(session: Session, team_id: int, contact_id: int, strategic_threshold: int) -> Any:
    """The stored profile of one contact (with its class), or None."""
    r = ProfileRow.__table__.c  # type: ignore[attr-defined]
    return session.exec(select(  # type: ignore[call-overload]
        *[r[name] for name in ("contact_id", *COLUMNS)], Contact.owner_id, Contact.name,
        q.strategic_case(r.score_raw, strategic_threshold).label("klass"))
        .join(Contact, Contact.id == r.contact_id)
        .where(r.team_id == team_id, r.contact_id == contact_id)).first()


def _due(session: Session, p: q.Params) -> bool:
    """Whether a big team's snapshot is missing, made under other settings or REFRESH_AGE old."""
    if team_contacts(session, p.team_id) < LIVE_LIMIT:
        return False
    return not _fresh(session.get(ProfileSnapshot, p.team_id), p, REFRESH_AGE)


def refresh_profiles_job(engine: Engine, now: datetime) -> int:
    """Scheduler job: refresh every big team's stale snapshot, outside the write lock."""
    from crm_store.segments import params_for  # segments imports this module

    with unit_of_work(engine) as session:
        due = [params_for(session, team, now) for team in session.scalars(select(Team))
               if _due(session, params_for(session, team, now))]
    for p in due:
        if engine.dialect.name == "postgresql":  # readers never wait there: one statement
            with unit_of_work(engine) as session:
                refresh(session, p)
        else:
            refresh_outside_lock(engine, p)
    if due:
        log.info("refreshed the stored profiles of %s team(s)", len(due))
    return 0  # the runner counts reminders produced: none here
