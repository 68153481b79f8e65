"""Customer segmentation: RFM segments, ABC value tiers, a weighted value score, lifecycle.

Every rule is written down in docs/SEGMENTS.md; the SQL is in crm_store/segments_sql.py. Scores
and tiers are ranked over the whole team, then visibility (a rep: own customers; a manager: the
hierarchy; an admin: the team) and filters narrow what is counted and listed.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from cachetools import LRUCache
from sqlalchemy import func, select
from sqlmodel import Session, col

from crm_store.analytics import profiles
from crm_store.analytics import segments_sql as q
from crm_store.analytics.segment_rules import (
    DEFAULT_WINDOW_DAYS,
    RFM_RULES,
    SegmentSettings,
    params_for,
    settings_for,
)
from crm_store.contacts.contacts import get_contact
from crm_store.errors import Invalid, NotFound
from crm_store.models import AuditLog, Company, Contact, Feedback, Interaction, Member, Order, Team
from crm_store.sql import select_columns
from crm_store.team.members import pick_member, visible_owner_ids

T = TypeVar("T")
SEGMENTS = tuple(key for key, _ in RFM_RULES)
TIERS = ("A", "B", "C")  # A: the customers making the first 80% of value, B: the next 15%
STAGES = ("prospect", "new", "active", "at_risk", "lost")
CLASSES = ("strategic", "general")
NONE = "none"  # no purchases in the window: no segment, tier or value score
GROUPS = {"rfm": "segment", "tier": "tier", "class": "klass", "stage": "stage"}
GROUP_KEYS = {"rfm": (*SEGMENTS, NONE), "tier": (*TIERS, NONE), "class": (*CLASSES, NONE),
              "stage": STAGES}

TOP_SHARE = 20  # "the top 20% of customers"


@dataclass(frozen=True)
class SegmentFilters:
    """What /segments narrows to: city or region, industry, tag, owner, lifecycle stage."""

    city: str | None = None
    industry: str | None = None
    tag: str | None = None
    owner_id: int | None = None
    stage: str | None = None


@dataclass(frozen=True)
class CustomerProfile:
    """One customer as the segments area sees them (scores None without purchases)."""

    contact_id: int
    name: str
    owner_id: int
    recency_days: int | None  # since the last order (any time)
    frequency: int  # orders in the window
    revenue_minor: int  # in the window
    value_minor: int  # margin in the window, revenue for orders without a margin
    r: int | None
    f: int | None
    m: int | None
    segment: str  # a SEGMENTS key, or NONE
    tier: str  # A | B | C | NONE
    score: int | None  # value score 0–100
    klass: str  # strategic | general | NONE
    stage: str  # a STAGES key
    owner_name: str = ""


@dataclass(frozen=True)
class RfmRow:
    """A buyer's recency, frequency and monetary value, quintile scores and segment."""

    contact_id: int
    name: str
    owner_id: int
    recency_days: int
    frequency: int
    monetary_minor: int
    r: int
    f: int
    m: int
    segment: str


@dataclass(frozen=True)
class ValueScore:
    """A buyer's weighted value score and class."""

    contact_id: int
    name: str
    owner_id: int
    score: int
    strategic: bool


@dataclass(frozen=True)
class LifecycleRow:
    """A customer's lifecycle stage."""

    contact_id: int
    name: str
    owner_id: int
    stage: str


@dataclass(frozen=True)
class GroupFigure:
    """Customers in one segment, tier, class or stage, with their revenue and value."""

    key: str
    customers: int
    revenue_minor: int = 0
    value_minor: int = 0
    share: float | None = None  # of the selection's value (tiers only)


@dataclass(frozen=True)
class RfmSummary:
    """Customers and revenue per RFM segment (all eleven, in table order)."""

    segments: list[GroupFigure]
    no_purchases: int
    buyers: int
    revenue_minor: int


@dataclass(frozen=True)
class AbcSummary:
    """ABC tiers with their share of value, and the revenue share of the top 20% of buyers."""

    tiers: list[GroupFigure]
    buyers: int
    value_minor: int
    revenue_minor: int
    top_customers: int
    top_revenue_minor: int
    top_share: float | None


@dataclass(frozen=True)
class SegmentSummary:
    """Everything /segments shows for one selection."""

    customers: int
    rfm: RfmSummary
    abc: AbcSummary
    classes: list[GroupFigure]
    stages: list[GroupFigure]
    window_days: int
    strategic_threshold: int
    currency: str
    as_of: datetime | None = None  # stored profiles of a big team: when they were computed


@dataclass(frozen=True)
class CustomerPage:
    """One page of the customers of a group."""

    rows: list[CustomerProfile]
    total: int
    offset: int
    limit: int
    currency: str


@dataclass(frozen=True)
class _Scope:
    team: Team
    params: q.Params
    owners: set[int] | None
    filters: q.Filters
    settings: SegmentSettings
    now: datetime
    source: profiles.Source


def _scope(session: Session, actor: Member, now: datetime,
           filters: SegmentFilters | None) -> _Scope:
    team = session.get(Team, actor.team_id)
    if team is None:
        raise NotFound("error.not_member")
    filters = filters or SegmentFilters()
    owners = visible_owner_ids(session, actor)
    if filters.owner_id is not None:
        owners = {filters.owner_id} if owners is None or filters.owner_id in owners else set()
    params = params_for(session, team, now)
    return _Scope(team, params, owners,
                  q.Filters(filters.city, filters.industry, filters.tag, filters.stage),
                  settings_for(team), now, profiles.source(session, params))


def _picked(scope: _Scope) -> Any:
    """The visible, filtered profiles: stored (big teams) or computed now."""
    if scope.source.snapshot_id is not None:
        return profiles.picked(scope.params, scope.owners, scope.filters,
                               scope.source.snapshot_id)
    return q.picked(scope.params, scope.owners, scope.filters)


def _score(raw: float | None) -> int | None:
    return None if raw is None else int(math.floor(raw + 0.5))


def _profile(row: Any, now: datetime, *, name: str | None = None,
             owner_name: str = "") -> CustomerProfile:
    days = (now - row.last_at).days if row.last_at is not None else None
    return CustomerProfile(
        contact_id=row.contact_id, name=name or row.name, owner_id=row.owner_id,
        recency_days=days,
        frequency=int(row.frequency), revenue_minor=int(row.revenue),
        value_minor=int(row.value), r=row.r, f=row.f, m=row.m, segment=row.segment,
        tier=row.tier, score=_score(row.score_raw), klass=row.klass, stage=row.stage,
        owner_name=owner_name)


MEMO_ENTRIES, MEMO_PROFILES = 64, 4  # answers; whole-team profile tables (big) for the card


class SegmentMemo:
    """Answers kept per (database, team, hour, data version, settings, scope, question).

    A repeated /segments, its list pages and the contact cards reuse them until anything
    changes. Two LRU pools: small answers, and the few whole-team profile tables (big).
    """

    def __init__(self) -> None:
        self._pools: dict[int, LRUCache[tuple[Any, ...], Any]] = {
            MEMO_ENTRIES: LRUCache(MEMO_ENTRIES), MEMO_PROFILES: LRUCache(MEMO_PROFILES)}
        self._lock = threading.Lock()

    def get(self, entries: int, key: tuple[Any, ...]) -> tuple[bool, Any]:
        """(True, answer) if `key` is kept in the pool of `entries`, else (False, None)."""
        with self._lock:
            pool = self._pools[entries]
            return (True, pool[key]) if key in pool else (False, None)

    def put(self, entries: int, key: tuple[Any, ...], answer: Any) -> None:
        """Keep `answer` as the newest of its pool."""
        with self._lock:
            self._pools[entries][key] = answer

    def clear(self) -> None:
        """Drop every kept answer (tests reset it; so do tests that rewrite history)."""
        with self._lock:
            for pool in self._pools.values():
                pool.clear()


MEMO = SegmentMemo()


EVERY_WRITE = (AuditLog, Order, Interaction, Feedback, Company, Contact)
# The card's whole-team table ignores new interactions and other edits until the next hour:
# recomputing a big team after every logged call would cost seconds on each card.
NEW_FACTS = (Order, Feedback, Company, Contact)


def _data_version(session: Session, models: tuple[Any, ...]) -> tuple[Any, ...]:
    """Largest ids of `models`: every service write also adds an audit row (AuditLog)."""
    maxima = [select(func.max(model.id)).scalar_subquery() for model in models]
    return tuple(session.exec(select_columns(*maxima)).one())


def _remember(session: Session, team: Team, now: datetime, question: tuple[Any, ...],
              compute: Callable[[], T], *, entries: int = MEMO_ENTRIES,
              watch: tuple[Any, ...] = EVERY_WRITE) -> T:
    """The answer to `question`, computed once per hour and data version."""
    key = (str(session.get_bind().engine.url), team.id, team.created_at,
           now.replace(minute=0, second=0, microsecond=0), _data_version(session, watch),
           json.dumps(team.settings, sort_keys=True, default=str), question)
    found, remembered = MEMO.get(entries, key)
    if found:
        return cast(T, remembered)
    answer = compute()
    MEMO.put(entries, key, answer)
    return answer


def forget() -> None:
    """Drop every remembered answer (tests that rewrite history in place use it)."""
    MEMO.clear()


def _asked(scope: _Scope, *what: Any) -> tuple[Any, ...]:
    owners = None if scope.owners is None else tuple(sorted(scope.owners))
    return (owners, scope.filters, scope.source.as_of, *what)


def _rows(session: Session, scope: _Scope, *, buyers: bool) -> list[CustomerProfile]:
    sel = _picked(scope)
    stmt = select(sel, col(Contact.name)).join(Contact, col(Contact.id) == sel.c.contact_id) \
        .order_by(sel.c.revenue.desc(), sel.c.contact_id)
    if buyers:
        stmt = stmt.where(sel.c.frequency > 0)
    return [_profile(row, scope.now) for row in profiles.run(session, stmt)]


def customer_profiles(session: Session, *, actor: Member, now: datetime,
                      filters: SegmentFilters | None = None) -> list[CustomerProfile]:
    """Every visible customer with all segment figures, by revenue (e.g. for a workbook)."""
    return _rows(session, _scope(session, actor, now, filters), buyers=False)


def rfm(session: Session, *, actor: Member, now: datetime,
        filters: SegmentFilters | None = None) -> list[RfmRow]:
    """Visible buyers with their R/F/M figures, quintile scores and segment, by revenue."""
    return [RfmRow(p.contact_id, p.name, p.owner_id, p.recency_days or 0, p.frequency,
                   p.revenue_minor, p.r or 0, p.f or 0, p.m or 0, p.segment)
            for p in _rows(session, _scope(session, actor, now, filters), buyers=True)]


def value_scores(session: Session, *, actor: Member, now: datetime,
                 filters: SegmentFilters | None = None) -> list[ValueScore]:
    """Visible buyers with their value score (0–100) and whether they are strategic."""
    return [ValueScore(p.contact_id, p.name, p.owner_id, p.score or 0, p.klass == "strategic")
            for p in _rows(session, _scope(session, actor, now, filters), buyers=True)]


def lifecycle(session: Session, *, actor: Member, now: datetime,
              filters: SegmentFilters | None = None) -> list[LifecycleRow]:
    """Every visible customer with their lifecycle stage."""
    return [LifecycleRow(p.contact_id, p.name, p.owner_id, p.stage)
            for p in _rows(session, _scope(session, actor, now, filters), buyers=False)]


def _grouped(session: Session, scope: _Scope, parts: tuple[str, ...]) -> dict[str, Any]:
    """Customers, revenue and value per key of each part ("rfm", "tier", …) and "top"."""
    def compute() -> dict[str, Any]:
        found: dict[str, dict[str, tuple[int, int, int]]] = {part: {} for part in (
            *GROUPS, "top")}
        for row in profiles.run(session, q.grouped(_picked(scope), TOP_SHARE)):
            figures = (int(row.n), int(row.revenue or 0), int(row.value or 0))
            if row.part == "top":
                found["top"]["top"] = figures
                continue
            for part, column in GROUPS.items():
                key = getattr(row, column)
                n, revenue, value = found[part].get(key, (0, 0, 0))
                found[part][key] = (n + figures[0], revenue + figures[1], value + figures[2])
        return found

    every = _remember(session, scope.team, scope.now, _asked(scope, "grouped"), compute)
    return {part: every[part] for part in parts}


def _figures(found: dict[str, tuple[int, int, int]], keys: tuple[str, ...]) -> list[GroupFigure]:
    return [GroupFigure(key, *found.get(key, (0, 0, 0))) for key in keys]


def _rfm_summary(found: dict[str, tuple[int, int, int]]) -> RfmSummary:
    segments = _figures(found, SEGMENTS)
    return RfmSummary(segments, found.get(NONE, (0, 0, 0))[0],
                      sum(s.customers for s in segments), sum(s.revenue_minor for s in segments))


def _abc(found: dict[str, tuple[int, int, int]], top: tuple[int, int, int]) -> AbcSummary:
    tiers = _figures(found, TIERS)
    value = sum(t.value_minor for t in tiers)
    tiers = [GroupFigure(t.key, t.customers, t.revenue_minor, t.value_minor,
                         t.value_minor / value if value > 0 else None) for t in tiers]
    return AbcSummary(tiers, sum(t.customers for t in tiers), value, top[2], top[0], top[1],
                      top[1] / top[2] if top[2] > 0 else None)


def rfm_summary(session: Session, *, actor: Member, now: datetime,
                filters: SegmentFilters | None = None) -> RfmSummary:
    """Visible customers and revenue per RFM segment, and those without purchases."""
    return _rfm_summary(_grouped(session, _scope(session, actor, now, filters), ("rfm",))["rfm"])


def abc_tiers(session: Session, *, actor: Member, now: datetime,
              filters: SegmentFilters | None = None) -> AbcSummary:
    """Visible buyers per ABC tier with shares of value; the top 20%'s share of revenue."""
    found = _grouped(session, _scope(session, actor, now, filters), ("tier", "top"))
    return _abc(found["tier"], found["top"].get("top", (0, 0, 0)))


def segment_summary(session: Session, *, actor: Member, now: datetime,
                    filters: SegmentFilters | None = None) -> SegmentSummary:
    """RFM segments, ABC tiers, strategic vs general and lifecycle stages, in one query."""
    scope = _scope(session, actor, now, filters)
    found = _grouped(session, scope, ("rfm", "tier", "class", "stage", "top"))
    stages = _figures(found["stage"], STAGES)
    return SegmentSummary(
        customers=sum(s.customers for s in stages), rfm=_rfm_summary(found["rfm"]),
        abc=_abc(found["tier"], found["top"].get("top", (0, 0, 0))),
        classes=_figures(found["class"], CLASSES), stages=stages,
        window_days=scope.settings.window_days, as_of=scope.source.as_of,
        strategic_threshold=scope.settings.strategic_threshold, currency=scope.team.currency)


def customers(session: Session, *, actor: Member, now: datetime, group: str, key: str,
              filters: SegmentFilters | None = None, offset: int = 0,
              limit: int = 10) -> CustomerPage:
    """One page of the visible customers in a group ("rfm", "tier", "class" or "stage")."""
    if key not in GROUP_KEYS.get(group, ()):
        raise Invalid("error.stale_button")
    scope = _scope(session, actor, now, filters)

    def compute() -> CustomerPage:
        sel = _picked(scope)
        stmt = (select(sel, col(Contact.name), col(Member.display_name).label("owner_name"),
                       func.count().over().label("total"))
                .join(Contact, col(Contact.id) == sel.c.contact_id)
                .join(Member, col(Member.id) == sel.c.owner_id)
                .where(sel.c[GROUPS[group]] == key)
                .order_by(sel.c.revenue.desc(), sel.c.value.desc(), sel.c.contact_id)
                .offset(max(offset, 0)).limit(limit))
        rows = profiles.run(session, stmt)
        return CustomerPage([_profile(row, now, owner_name=row.owner_name) for row in rows],
                            int(rows[0].total) if rows else 0, offset, limit,
                            scope.team.currency)

    return _remember(session, scope.team, now, _asked(scope, group, key, offset, limit),
                     compute)


def find_owner(session: Session, *, actor: Member, name: str) -> Member:
    """The visible member `name` means: exact name or @username first, else a unique part."""
    owners = visible_owner_ids(session, actor)
    stmt = select(Member).where(col(Member.team_id) == actor.team_id)
    if owners is not None:
        stmt = stmt.where(col(Member.id).in_(sorted(owners)))
    members = list(session.scalars(stmt))
    return pick_member(members, name, actor=actor, unknown="segments.owner_unknown",
                       ambiguous="segments.owner_ambiguous")


def _team_profiles(session: Session, team: Team, now: datetime) -> dict[int, Any]:
    """Every profile of the team with orders (prospects are the default), remembered."""
    def compute() -> dict[int, Any]:
        prof = q.profiles(params_for(session, team, now))
        klass = q.strategic_case(prof.c.score_raw, settings_for(team).strategic_threshold)
        buyers = select(prof, klass.label("klass")).where(prof.c.last_at.is_not(None))
        return {row.contact_id: row for row in profiles.run(session, buyers)}

    return _remember(session, team, now, ("team",), compute,
                     entries=MEMO_PROFILES, watch=NEW_FACTS)


def contact_profile(session: Session, *, actor: Member, contact_id: int,
                    now: datetime) -> CustomerProfile:
    """One visible contact's segment, scores, tier, value score and stage (for the card)."""
    contact: Contact = get_contact(session, actor=actor, contact_id=contact_id)
    team = session.get(Team, actor.team_id)
    if team is None:
        raise NotFound("error.contact_not_found")
    params = params_for(session, team, now)
    source = profiles.source(session, params)
    if source.snapshot_id is not None:
        row = profiles.one(session, source.snapshot_id, contact_id, params.strategic_threshold)
        row = row if row is not None and row.last_at is not None else None
    else:
        row = _team_profiles(session, team, now).get(contact_id)
    if row is None:  # no order at all
        return CustomerProfile(contact_id, contact.name, contact.owner_id, None, 0, 0, 0, None,
                               None, None, NONE, NONE, None, NONE, "prospect")
    return _profile(row, now, name=contact.name)


def window_days(session: Session, *, actor: Member) -> int:
    """The team's RFM window in days."""
    team = session.get(Team, actor.team_id)
    return settings_for(team).window_days if team else DEFAULT_WINDOW_DAYS
