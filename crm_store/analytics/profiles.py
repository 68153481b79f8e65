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

Besides that rolling snapshot, the scheduler keeps *closing* snapshots fixed at the end of
each time zone's last week and month (`CLOSING_KINDS`): a `/report month last` on the 1st
reads them instead of computing a month-old picture of 100k customers while the manager
waits. Older periods are computed live.
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
from sqlmodel import Session, col

from crm_store.analytics import segments_sql as q
from crm_store.analytics.report_figures import period_of
from crm_store.analytics.segment_rules import params_for
from crm_store.db import read_only, unit_of_work
from crm_store.models import Contact, Member, ProfileRow, ProfileSnapshot, Team
from crm_store.sql import select_columns, table_of
from crm_store.team.worktime import zone

log = logging.getLogger(__name__)

LIVE_LIMIT = 20_000  # contacts from which a team's profiles are stored, not recomputed
REFRESH_AGE = timedelta(minutes=45)  # the scheduler refreshes snapshots older than this
MAX_AGE = timedelta(hours=2)  # a question refreshes a snapshot older than this first
COLUMNS = ("first_at", "last_at", "frequency", "revenue", "value", "stage", "r", "f", "m",
           "segment", "tier", "score_raw", "own_gap", "team_gap", "orders", "value_365")


@dataclass(frozen=True)
class Source:
    """Where one question's profiles come from: a stored snapshot as of `as_of`, or live."""

    as_of: datetime | None = None
    snapshot_id: int | None = None

    @property
    def stored(self) -> bool:
        return self.snapshot_id is not None


def settings_key(p: q.Params) -> str:
    """Everything besides time and data that a stored profile depends on."""
    return json.dumps([p.window_days, p.weights, p.churn_multiple, p.churn_min_orders,
                       p.churn_fallback_gap_days, p.segment_rules, p.strategic_threshold],
                      default=str)


def is_big(session: Session, team_id: int) -> bool:
    """Whether the team has LIVE_LIMIT contacts or more, deleted ones included.

    Reads at most LIVE_LIMIT entries of the team index instead of counting them all: the
    contact card asks on every view (a count over 100k contacts was 5 ms of each card).
    """
    if LIVE_LIMIT <= 0:
        return True
    nth = session.scalars(select(col(Contact.id)).where(col(Contact.team_id) == team_id)
                          .order_by(None).limit(1).offset(LIVE_LIMIT - 1)).first()
    return nth is not None


@contextmanager
def hash_joins(session: Session) -> Iterator[None]:
    """On PostgreSQL, no nested loops for the statements inside; then as it was before.

    The planner cannot estimate the profile pivot's GROUP BY … HAVING and guesses one row;
    with nested loops it would then recompute a histogram for every buyer.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    connection = session.connection()
    before = connection.execute(text("SELECT current_setting('enable_nestloop')")).scalar_one()
    connection.execute(text("SET LOCAL enable_nestloop = off"))
    try:
        yield
    finally:
        connection.execute(
            text(f"SET LOCAL enable_nestloop = {'on' if before == 'on' else 'off'}"))


def run(session: Session, stmt: Any) -> list[Any]:
    """Rows of a profile query (with hash joins only on PostgreSQL)."""
    with hash_joins(session):
        return list(session.exec(stmt))


def _select(p: q.Params, snapshot_id: int) -> Any:
    prof = q.profiles(p)
    return select(literal(snapshot_id).label("snapshot_id"), prof.c.contact_id,
                  *[prof.c[name] for name in COLUMNS])


def _rolling(session: Session, team_id: int) -> ProfileSnapshot | None:
    return session.scalars(select(ProfileSnapshot).where(
        col(ProfileSnapshot.team_id) == team_id, col(ProfileSnapshot.closing).is_(False))
        .order_by(col(ProfileSnapshot.id))).first()


def _closing(session: Session, p: q.Params, *, any_settings: bool = False
             ) -> ProfileSnapshot | None:
    """The team's closing snapshot at exactly `p.now`, made under `p`'s settings (or any)."""
    stmt = select(ProfileSnapshot).where(
        col(ProfileSnapshot.team_id) == p.team_id, col(ProfileSnapshot.closing).is_(True),
        col(ProfileSnapshot.as_of) == p.now)
    if not any_settings:
        stmt = stmt.where(col(ProfileSnapshot.settings_key) == settings_key(p))
    return session.scalars(stmt).first()


def _lock(session: Session, team_id: int) -> None:
    # Writers of one team queue here (PostgreSQL); SQLite's BEGIN IMMEDIATE already does.
    session.scalars(select(col(Team.id)).where(col(Team.id) == team_id).with_for_update())


def _clear(session: Session, snapshot: ProfileSnapshot) -> None:
    session.exec(delete(ProfileRow).where(col(ProfileRow.snapshot_id) == snapshot.id))


def _open(session: Session, p: q.Params, *, closing: bool) -> ProfileSnapshot:
    """The snapshot to fill for `p` (the rolling one, or the closing one at `p.now`), emptied."""
    _lock(session, p.team_id)
    found = _closing(session, p, any_settings=True) if closing else _rolling(session, p.team_id)
    snapshot = found or ProfileSnapshot(team_id=p.team_id, closing=closing, as_of=p.now,
                                        settings_key="")
    if found is not None:
        _clear(session, found)
    snapshot.as_of, snapshot.settings_key = p.now, settings_key(p)
    session.add(snapshot)
    session.flush()  # its id, for the rows
    return snapshot


def _keep(session: Session, snapshot: ProfileSnapshot, started: float) -> ProfileSnapshot:
    snapshot.seconds = round(time.perf_counter() - started, 3)
    session.add(snapshot)
    session.flush()
    log.info("team %s: profiles as of %s stored in %.1f s", snapshot.team_id, snapshot.as_of,
             snapshot.seconds)
    return snapshot


def refresh(session: Session, p: q.Params, *, closing: bool = False) -> ProfileSnapshot:
    """Recompute the stored profiles as of `p.now` inside `session` (one INSERT … SELECT).

    For a question that found them stale: its transaction holds the write lock anyway.
    """
    started = time.perf_counter()
    snapshot = _open(session, p, closing=closing)
    statement = insert(table_of(ProfileRow)).from_select(["snapshot_id", "contact_id", *COLUMNS],
                                                         _select(p, snapshot.id or 0))
    with hash_joins(session):
        session.exec(statement)
    return _keep(session, snapshot, started)


def refresh_outside_lock(engine: Engine, p: q.Params, *,
                         closing: bool = False) -> tuple[ProfileSnapshot, float]:
    """Compute in a read-only transaction, then store in a short write transaction.

    The scheduler's way: on SQLite the long part holds no lock, so no chat waits on it.
    Returns the snapshot (`seconds`: the whole refresh) and the seconds of the write part.
    """
    started = time.perf_counter()
    with read_only(engine) as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_nestloop = off")
        rows = [dict(row._mapping) for row in conn.execute(_select(p, 0))]
    writing = time.perf_counter()
    with unit_of_work(engine) as session:
        snapshot = _open(session, p, closing=closing)
        for row in rows:
            row["snapshot_id"] = snapshot.id
        if rows:
            session.connection().execute(insert(table_of(ProfileRow)), rows)
        snapshot = _keep(session, snapshot, started)
    return snapshot, time.perf_counter() - writing


def _fresh(snapshot: ProfileSnapshot | None, p: q.Params, age: timedelta) -> bool:
    """Whether `snapshot` was made under `p`'s settings, at most `age` before `p.now`."""
    return (snapshot is not None and snapshot.settings_key == settings_key(p)
            and snapshot.as_of <= p.now < snapshot.as_of + age)


def source(session: Session, p: q.Params) -> Source:
    """Live for small teams; a closing snapshot for a period's end; else the rolling one.

    The rolling one answers if at most MAX_AGE old, and is refreshed first otherwise; a
    question about another moment in the past is computed live.
    """
    if not is_big(session, p.team_id):
        return Source()
    closing = _closing(session, p)
    if closing is not None:
        return Source(closing.as_of, closing.id)
    snapshot = _rolling(session, p.team_id)
    if snapshot is not None and _fresh(snapshot, p, MAX_AGE):
        return Source(snapshot.as_of, snapshot.id)
    if snapshot is not None and p.now < snapshot.as_of:
        return Source()  # a question about another moment in the past: compute it
    snapshot = refresh(session, p)
    return Source(snapshot.as_of, snapshot.id)


def picked(p: q.Params, owner_ids: set[int] | None, filters: q.Filters,
           snapshot_id: int) -> CTE:
    """As segments_sql.picked, read from a stored snapshot for today's live contacts."""
    c = q.contacts(p, owner_ids, filters, position=False).subquery("live_contacts")
    table = table_of(ProfileRow)
    r = table.c
    joined = c.join(table, and_(r.snapshot_id == snapshot_id, r.contact_id == c.c.contact_id),
                    isouter=True)
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


def one(session: Session, snapshot_id: int, contact_id: int, strategic_threshold: int) -> Any:
    """The stored profile of one contact (with its class), or None."""
    r = table_of(ProfileRow).c
    return session.exec(select_columns(
        *[r[name] for name in ("contact_id", *COLUMNS)], Contact.owner_id, Contact.name,
        q.strategic_case(r.score_raw, strategic_threshold).label("klass"))
        .join(Contact, col(Contact.id) == r.contact_id)
        .where(r.snapshot_id == snapshot_id, r.contact_id == contact_id)).first()


CLOSING_KINDS = ("week", "month")  # report periods (crm_store.analytics.report_figures)


def closing_moments(session: Session, team_id: int, now: datetime) -> set[datetime]:
    """The ends of the last closed week and month in each zone the team's members use."""
    zones = set(session.scalars(select(col(Member.timezone)).where(
        col(Member.team_id) == team_id, col(Member.active).is_(True))))
    moments: set[datetime] = set()
    for name in sorted(zones):
        today = now.astimezone(zone(name)).date()
        moments.update(period_of(kind, today, name, now).start_utc for kind in CLOSING_KINDS)
    return moments


def _plan(session: Session, team: Team, now: datetime) -> list[tuple[q.Params, bool]]:
    """What a big team needs stored: (params, closing) pairs; drops closing ones not needed."""
    p = params_for(session, team, now)
    if not is_big(session, p.team_id):
        return []
    work = [] if _fresh(_rolling(session, p.team_id), p, REFRESH_AGE) else [(p, False)]
    wanted = closing_moments(session, p.team_id, now)
    for old in session.scalars(select(ProfileSnapshot).where(
            col(ProfileSnapshot.team_id) == p.team_id, col(ProfileSnapshot.closing).is_(True))
            ).all():
        if old.as_of not in wanted:
            _clear(session, old)
            session.delete(old)
    for moment in sorted(wanted):
        at_end = params_for(session, team, moment)
        if _closing(session, at_end) is None:
            work.append((at_end, True))
    return work


def refresh_profiles_job(engine: Engine, now: datetime) -> int:
    """Scheduler job: big teams' stale rolling snapshots and missing closing ones, stored."""
    with unit_of_work(engine) as session:
        work = [job for team in session.scalars(select(Team)) for job in _plan(session, team, now)]
    for p, closing in work:
        if engine.dialect.name == "postgresql":  # readers never wait there: one statement
            with unit_of_work(engine) as session:
                refresh(session, p, closing=closing)
        else:
            refresh_outside_lock(engine, p, closing=closing)
    if work:
        log.info("stored %s profile snapshot(s)", len(work))
    return 0  # the runner counts reminders produced: none here
