"""Service summary: open complaints, medians, SLA breaches, CSAT %, NPS (both backends)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.generate import generate_dataset
from crm_store.analytics import service_stats
from crm_store.analytics.service_stats import ServiceSummary
from crm_store.db import unit_of_work
from crm_store.models import Contact, Feedback, FeedbackKind, Member, Role, Team
from tests.builders import make_admin, make_member

NOW = datetime(2024, 5, 15, 10, 0, tzinfo=UTC)  # the 90-day window starts 15 Feb 10:00 UTC


def day(number: int, month: int = 5, hour: int = 0) -> datetime:
    return datetime(2024, month, number, hour, tzinfo=UTC)


@dataclass
class People:
    admin: Member
    manager: Member
    wang: Member  # the manager's rep: every hand-checked complaint and rating is his
    li: Member  # the manager's rep with nothing
    chen: Member  # another manager's rep


def contact(s: Session, owner: Member, *, deleted: bool = False) -> Contact:
    row = Contact(team_id=owner.team_id, owner_id=owner.id, name="张伟",
                  deleted_at=NOW if deleted else None)
    s.add(row)
    s.flush()
    return row


def complaint(s: Session, where: Contact, created: datetime, response: float | None = None,
              resolution: float | None = None) -> None:
    """A complaint answered `response` hours and resolved `resolution` hours after it came."""
    s.add(Feedback(
        team_id=where.team_id, contact_id=where.id, owner_id=where.owner_id,
        member_id=where.owner_id, kind=FeedbackKind.COMPLAINT, severity="high", text="late",
        status="open" if resolution is None else "resolved", created_at=created,
        first_response_at=None if response is None else created + timedelta(hours=response),
        resolved_at=None if resolution is None else created + timedelta(hours=resolution)))


def rating(s: Session, where: Contact, created: datetime, *, csat: int | None = None,
           nps: int | None = None) -> None:
    s.add(Feedback(team_id=where.team_id, contact_id=where.id, owner_id=where.owner_id,
                   member_id=where.owner_id, kind=FeedbackKind.RATING, status="closed",
                   csat=csat, nps=nps, created_at=created))


def build(engine: Engine) -> People:
    """Wang's complaints and ratings (hand-checked below) and one complaint of Chen's."""
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Manager Zhou")
    wang = make_member(engine, by=manager, name="Rep Wang")
    li = make_member(engine, by=manager, name="Rep Li")
    other = make_member(engine, by=admin, role=Role.MANAGER, name="Manager Sun")
    chen = make_member(engine, by=other, name="Rep Chen")
    with unit_of_work(engine) as s:
        mine = contact(s, wang)
        complaint(s, mine, day(1), 2, 10)
        complaint(s, mine, day(2), 6, 30)  # answered 6 h after: an SLA breach (limit 4 h)
        complaint(s, mine, day(3), 1.5, 20)
        complaint(s, mine, day(4), 3)  # answered, still open
        complaint(s, mine, day(15, hour=8))  # 2 h old, unanswered: not yet a breach
        complaint(s, mine, day(14))  # 34 h old, unanswered: a breach
        complaint(s, mine, day(1, month=1))  # open since January: counted open, not in window
        complaint(s, contact(s, wang, deleted=True), day(6), 50)  # deleted contact: ignored
        s.add(Feedback(team_id=mine.team_id, contact_id=mine.id, owner_id=wang.id,
                       member_id=wang.id, kind=FeedbackKind.PRAISE, text="fast",
                       status="open", created_at=day(7)))  # praise is not a complaint
        for score in (5, 4, 4, 2):
            rating(s, mine, day(8), csat=score)
        rating(s, mine, day(1, month=1), csat=1)  # outside the window
        for score in (10, 9, 9, 8, 7, 6, 2, 10):
            rating(s, mine, day(9), nps=score)
        rating(s, mine, day(1, month=1), nps=0)  # outside the window
        theirs = contact(s, chen)
        complaint(s, theirs, day(10))  # open, unanswered for days: Chen's team's breach
        rating(s, theirs, day(10), csat=1)
    return People(admin, manager, wang, li, chen)


def summary(engine: Engine, actor: Member, days: int = 90) -> ServiceSummary:
    with Session(engine) as s:
        return service_stats.service_summary(s, actor=actor, now=NOW, days=days)


def test_manager_summary_is_hand_checked(engine: Engine) -> None:
    people = build(engine)
    got = summary(engine, people.manager)
    # Open: 4 May, 14 May, 15 May and the January one. In the window: 6 complaints.
    assert (got.open_complaints, got.complaints) == (4, 6)
    # First responses 2, 6, 1.5, 3 h → sorted 1.5, 2, 3, 6: an even count, median (2+3)/2.
    assert got.median_first_response_hours == 2.5
    # Resolutions 10, 30, 20 h: an odd count, the middle one.
    assert got.median_resolution_hours == 20
    # 2 May (answered after 6 h) and 14 May (unanswered for 34 h); 15 May is 2 h old.
    assert (got.sla_breaches, got.sla_hours) == (2, 4)
    # CSAT 5, 4, 4, 2 → 3 of 4 satisfied.
    assert (got.csat_ratings, got.csat_satisfied, got.csat_percent) == (4, 3, 75.0)
    # NPS 10, 9, 9, 8, 7, 6, 2, 10 → 4 promoters, 2 detractors of 8: +25 points.
    assert (got.nps_ratings, got.promoters, got.detractors, got.nps) == (8, 4, 2, 25.0)
    assert summary(engine, people.wang) == got


def test_rep_with_nothing_gets_empty_figures_not_other_reps(engine: Engine) -> None:
    people = build(engine)
    got = summary(engine, people.li)
    assert (got.open_complaints, got.complaints, got.sla_breaches) == (0, 0, 0)
    assert got.median_first_response_hours is None and got.median_resolution_hours is None
    assert got.csat_percent is None and got.nps is None


def test_admin_counts_every_team_and_another_manager_only_theirs(engine: Engine) -> None:
    people = build(engine)
    admin = summary(engine, people.admin)
    assert (admin.open_complaints, admin.complaints, admin.sla_breaches) == (5, 7, 3)
    assert (admin.csat_ratings, admin.csat_satisfied) == (5, 3)
    assert admin.csat_percent == 60.0
    with Session(engine) as s:
        sun = s.get(Member, people.chen.manager_id)
        assert sun is not None
        other = service_stats.service_summary(s, actor=sun, now=NOW)
    assert (other.open_complaints, other.complaints, other.sla_breaches) == (1, 1, 1)
    assert (other.csat_ratings, other.csat_percent, other.nps) == (1, 0.0, None)


def test_odd_count_median_and_an_answer_at_exactly_the_limit(engine: Engine) -> None:
    people = build(engine)
    with unit_of_work(engine) as s:
        mine = s.get(Contact, 1)
        assert mine is not None and mine.owner_id == people.wang.id
        complaint(s, mine, day(5), 4)  # answered at exactly 4 h: on time
    got = summary(engine, people.manager)
    # First responses 1.5, 2, 3, 4, 6: the third.
    assert got.median_first_response_hours == 3
    assert got.sla_breaches == 2
    with unit_of_work(engine) as s:
        complaint(s, mine, day(5, hour=12), 4 + 1 / 60)  # one minute late
    assert summary(engine, people.manager).sla_breaches == 3
    # 1.5, 2, 3, 4, 4.017, 6: an even count again, (3 + 4) / 2.
    assert summary(engine, people.manager).median_first_response_hours == 3.5


def test_team_sla_setting_and_a_shorter_window(engine: Engine) -> None:
    people = build(engine)
    with unit_of_work(engine) as s:
        team = s.get(Team, people.admin.team_id)
        assert team is not None
        team.settings = {"sla_first_response_hours": 8}
    got = summary(engine, people.manager)
    assert (got.sla_hours, got.sla_breaches) == (8, 1)  # the 6 h answer is now on time
    short = summary(engine, people.manager, days=10)  # from 5 May 10:00: 14 and 15 May
    assert (short.complaints, short.open_complaints, short.sla_breaches) == (2, 4, 1)
    assert short.median_first_response_hours is None and short.median_resolution_hours is None
    assert (short.csat_ratings, short.nps_ratings) == (4, 8)  # given on 8 and 9 May
    shortest = summary(engine, people.manager, days=5)  # from 10 May 10:00
    assert (shortest.csat_ratings, shortest.nps_ratings, shortest.nps) == (0, 0, None)


@pytest.mark.slow
def test_summary_agrees_with_pandas_on_10k_generated_customers(engine: Engine) -> None:
    info = generate_dataset(engine, customers=10_000, seed=7)
    with engine.begin() as conn:  # feedback on deleted contacts must be left out
        conn.execute(text("UPDATE contact SET deleted_at = created_at WHERE id % 29 = 0"))
    with engine.connect() as conn:
        rows = pd.read_sql_query(text(
            "SELECT f.owner_id, c.owner_id AS contact_owner, c.deleted_at, f.kind, f.status, "
            "f.csat, f.nps, f.created_at, f.first_response_at, f.resolved_at "
            f"FROM feedback f JOIN contact c ON c.id = f.contact_id "
            f"WHERE f.team_id = {info.team_id}"), conn)
        members = pd.read_sql_query(text(
            f"SELECT id, manager_id FROM member WHERE team_id = {info.team_id}"), conn)
    for name in ("created_at", "first_response_at", "resolved_at"):
        rows[name] = pd.to_datetime(rows[name], utc=True, format="ISO8601")
    now = pd.Timestamp(info.now)
    manager = info.manager_ids[0]
    team = {manager} | set(members.loc[members.manager_id == manager, "id"])
    for actor_id, owners in ((info.admin_id, None), (manager, team)):
        seen = rows[rows.deleted_at.isna()]
        if owners is not None:
            seen = seen[seen.owner_id.isin(owners) | seen.contact_owner.isin(owners)]
        window = seen[(seen.created_at >= now - pd.Timedelta(days=90))
                      & (seen.created_at <= now)]
        complaints = window[window.kind == "complaint"]
        answer = (complaints.first_response_at - complaints.created_at).dt.total_seconds() / 3600
        settle = (complaints.resolved_at - complaints.created_at).dt.total_seconds() / 3600
        late = (answer > 4) | (answer.isna() & (complaints.created_at <= now - pd.Timedelta(
            hours=4)))
        csat, nps = window.csat.dropna(), window.nps.dropna()
        with Session(engine) as s:
            actor = s.get(Member, actor_id)
            assert actor is not None
            got = service_stats.service_summary(s, actor=actor, now=info.now)
        assert got.open_complaints == int(((seen.kind == "complaint")
                                           & (seen.status == "open")).sum())
        assert (got.complaints, got.sla_breaches) == (len(complaints), int(late.sum()))
        assert got.median_first_response_hours == pytest.approx(answer.median(), abs=0.005)
        assert got.median_resolution_hours == pytest.approx(settle.median(), abs=0.005)
        assert (got.csat_ratings, got.csat_satisfied) == (len(csat), int((csat >= 4).sum()))
        assert (got.nps_ratings, got.promoters, got.detractors) == (
            len(nps), int((nps >= 9).sum()), int((nps <= 6).sum()))
        assert len(complaints) > 10 and answer.notna().sum() > 5 and len(nps) > 10
