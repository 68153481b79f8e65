"""Team activity per rep: hand-checked figures, period boundaries, visibility (both backends)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.generate import generate_dataset
from crm_store.analytics import digest_figures, team_activity
from crm_store.analytics.team_activity import RepActivity, period_bounds
from crm_store.db import unit_of_work
from crm_store.errors import NotFound
from crm_store.models import (
    Contact,
    Deal,
    DealStatus,
    Feedback,
    FeedbackKind,
    Interaction,
    InteractionKind,
    Member,
    Role,
    StageChange,
    Task,
    TaskStatus,
)
from tests.builders import make_admin, make_member

# Wednesday 2024-05-15 18:00 in Shanghai (UTC+8): the week began Monday 13 May, 00:00 local.
NOW = datetime(2024, 5, 15, 10, 0, tzinfo=UTC)
SHANGHAI, NEW_YORK = "Asia/Shanghai", "America/New_York"


def at(day: int, hour: int, month: int = 5) -> datetime:
    return datetime(2024, month, day, hour, 0, tzinfo=UTC)


@dataclass
class Team:
    admin: Member
    manager: Member
    wang: Member  # rep under the manager
    li: Member  # rep under the manager
    other_manager: Member
    chen: Member  # rep under the other manager


class Rows:
    """Insert rows with exact timestamps (services would stamp them with the clock)."""

    def __init__(self, session: Session, team_id: int) -> None:
        self.s, self.team_id = session, team_id

    def add(self, row):  # type: ignore[no-untyped-def]
        self.s.add(row)
        self.s.flush()
        return row

    def contact(self, owner: Member, created: datetime, *, deleted: bool = False) -> Contact:
        return self.add(Contact(team_id=self.team_id, owner_id=owner.id, name=f"C{owner.id}",
                                created_at=created, deleted_at=created if deleted else None))

    def touch(self, member: Member, contact: Contact, kind: InteractionKind, when: datetime,
              *, deleted: bool = False, text: str = "") -> Interaction:
        return self.add(Interaction(team_id=self.team_id, contact_id=contact.id,
                                    member_id=member.id, kind=kind, occurred_at=when, text=text,
                                    deleted_at=when if deleted else None))

    def deal(self, owner: Member, contact: Contact, created: datetime, amount: int, *,
             won: datetime | None = None) -> Deal:
        deal = self.add(Deal(
            team_id=self.team_id, owner_id=owner.id, contact_id=contact.id, title="deal",
            amount_minor=amount, stage="won" if won else "lead",
            status=DealStatus.WON if won else DealStatus.OPEN, created_at=created,
            closed_at=won))
        self.move(deal, None, "lead", created)
        if won:
            self.move(deal, "lead", "won", won)
        return deal

    def move(self, deal: Deal, source: str | None, target: str, when: datetime) -> None:
        self.add(StageChange(team_id=self.team_id, deal_id=deal.id, from_stage=source,
                             to_stage=target, member_id=deal.owner_id, at=when))

    def task(self, owner: Member, contact: Contact, due: datetime,
             status: TaskStatus = TaskStatus.OPEN) -> None:
        self.add(Task(team_id=self.team_id, owner_id=owner.id, contact_id=contact.id, due_at=due,
                      status=status))

    def complaint(self, owner: Member, contact: Contact, status: str = "open") -> None:
        self.add(Feedback(team_id=self.team_id, contact_id=contact.id, owner_id=owner.id,
                          member_id=owner.id, kind=FeedbackKind.COMPLAINT, severity="high",
                          text="late", status=status, created_at=at(10, 0)))


def build(engine: Engine) -> Team:
    """Two reps and a manager, plus another manager's rep, with the week's work below."""
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Manager Zhou")
    wang = make_member(engine, by=manager, name="Rep Wang")
    li = make_member(engine, by=manager, name="Rep Li")
    other = make_member(engine, by=admin, role=Role.MANAGER, name="Manager Sun")
    chen = make_member(engine, by=other, name="Rep Chen")
    with unit_of_work(engine) as s:
        r = Rows(s, admin.team_id)
        # Rep Wang: 2 new contacts this week (one today), 1 from April.
        w1, w2 = r.contact(wang, at(13, 2)), r.contact(wang, at(15, 9))
        old = r.contact(wang, at(20, 0, month=4))
        r.contact(wang, at(14, 0), deleted=True)  # deleted: not a new contact
        # 3 calls (one today), 1 visit, a note (not counted), a deleted call (not counted),
        # and a meeting on Sunday 23:00 Shanghai time — last week.
        r.touch(wang, w1, InteractionKind.CALL, at(13, 3))
        r.touch(wang, w1, InteractionKind.CALL, at(14, 3))
        r.touch(wang, w2, InteractionKind.CALL, at(15, 9), text="asked for a quote")
        r.touch(wang, w2, InteractionKind.VISIT, at(14, 5))
        r.touch(wang, w2, InteractionKind.NOTE, at(14, 6))
        r.touch(wang, w2, InteractionKind.CALL, at(14, 7), deleted=True)
        r.touch(wang, old, InteractionKind.MEETING, at(12, 15))
        # A deal opened and won this week (¥50,000: lead → won is 1 stage move), and an April
        # deal moved lead → qualified this week (1 more move).
        r.deal(wang, w1, at(13, 4), 5_000_000, won=at(14, 8))
        april = r.deal(wang, old, at(20, 0, month=4), 2_000_000)
        r.move(april, "lead", "qualified", at(14, 9))
        # Follow-ups: one overdue, one due tomorrow, one done late (not overdue).
        r.task(wang, w1, at(14, 0))
        r.task(wang, w1, at(16, 0))
        r.task(wang, w1, at(10, 0), TaskStatus.DONE)
        r.complaint(wang, w1)
        r.complaint(wang, w2, status="resolved")
        # Rep Li: 2 calls, 2 visits, 1 meeting, 1 new contact, 1 open deal, 2 overdue tasks.
        l1 = r.contact(li, at(14, 1))
        for kind, hour in ((InteractionKind.CALL, 2), (InteractionKind.CALL, 3),
                           (InteractionKind.VISIT, 4), (InteractionKind.VISIT, 5),
                           (InteractionKind.MEETING, 6)):
            r.touch(li, l1, kind, at(14, hour))
        r.deal(li, l1, at(14, 7), 3_000_000)
        r.task(li, l1, at(13, 0))
        r.task(li, l1, at(15, 9))
        # Manager Zhou: a contact of 2 May, 1 call today, and an April deal won on 30 April
        # 17:00 UTC — already 1 May, 01:00, in Shanghai.
        z1 = r.contact(manager, at(2, 0))
        r.touch(manager, z1, InteractionKind.CALL, at(15, 1))
        r.deal(manager, z1, at(20, 0, month=4), 9_900_000, won=at(30, 17, month=4))
        # Rep Chen (the other manager's team): 4 calls and a won deal.
        c1 = r.contact(chen, at(1, 0))
        for hour in range(4):
            r.touch(chen, c1, InteractionKind.CALL, at(14, hour))
        r.deal(chen, c1, at(1, 0), 100_000, won=at(14, 5))
    return Team(admin, manager, wang, li, other, chen)


WANG_WEEK = dict(calls=3, visits=1, meetings=0, new_contacts=2, new_deals=1, stage_moves=2,
                 deals_won=1, won_minor=5_000_000, overdue_followups=1, complaints_open=1)
LI_WEEK = dict(calls=2, visits=2, meetings=1, new_contacts=1, new_deals=1, stage_moves=0,
               deals_won=0, won_minor=0, overdue_followups=2, complaints_open=0)
ZHOU_WEEK = dict(calls=1, visits=0, meetings=0, new_contacts=0, new_deals=0, stage_moves=0,
                 deals_won=0, won_minor=0, overdue_followups=0, complaints_open=0)


def activity(engine: Engine, actor: Member, period: str = "w", tz: str = SHANGHAI,
             now: datetime = NOW) -> list[RepActivity]:
    start, end = period_bounds(period, now=now, tz=tz)
    with Session(engine) as s:
        return team_activity.by_rep(s, actor=actor, start_utc=start, end_utc=end, now=now)


def figures(row: RepActivity) -> dict[str, int]:
    return {name: getattr(row, name) for name in team_activity.COUNTS}


def test_manager_sees_each_rep_of_the_hierarchy_most_won_first(engine: Engine) -> None:
    team = build(engine)
    rows = activity(engine, team.manager)
    # Wang won ¥50,000; Li and Zhou won nothing, Li did 7 things (2+2+1 touches, a contact,
    # a deal), Zhou 1 — so Wang, Li, Zhou. Chen belongs to another manager: not listed.
    assert [r.name for r in rows] == ["Rep Wang", "Rep Li", "Manager Zhou"]
    assert [figures(r) for r in rows] == [WANG_WEEK, LI_WEEK, ZHOU_WEEK]
    assert [r.activity for r in rows] == [9, 7, 1]
    total = team_activity.totals(rows)
    assert figures(total) == dict(calls=6, visits=3, meetings=1, new_contacts=3, new_deals=2,
                                  stage_moves=2, deals_won=1, won_minor=5_000_000,
                                  overdue_followups=3, complaints_open=1)


def test_rep_sees_only_their_own_line(engine: Engine) -> None:
    team = build(engine)
    rows = activity(engine, team.li)
    assert [(r.name, figures(r)) for r in rows] == [("Rep Li", LI_WEEK)]


def test_admin_sees_the_whole_team_and_the_totals_match_the_digest(engine: Engine) -> None:
    team = build(engine)
    rows = activity(engine, team.admin)
    # Chen's ¥1,000 win ranks him second; the admin and Manager Sun did nothing this week.
    assert [r.name for r in rows] == ["Rep Wang", "Rep Chen", "Rep Li", "Manager Zhou",
                                      "Ada Admin", "Manager Sun"]
    assert figures(rows[1]) == dict(ZHOU_WEEK, calls=4, stage_moves=1, deals_won=1,
                                    won_minor=100_000)
    start, end = period_bounds("w", now=NOW, tz=SHANGHAI)
    with Session(engine) as s:
        digest = digest_figures.daily_figures(s, actor=team.admin, start_utc=start, end_utc=end,
                                              now=NOW)
    total = team_activity.totals(rows)
    for name in ("calls", "visits", "meetings", "new_contacts", "new_deals", "stage_moves",
                 "deals_won", "won_minor", "complaints_open"):
        assert getattr(total, name) == digest[name], name
    assert total.overdue_followups == digest["tasks_overdue"] == 3


def test_today_and_this_month_in_shanghai(engine: Engine) -> None:
    team = build(engine)
    today = {r.name: figures(r) for r in activity(engine, team.manager, "d")}
    # Today is 15 May in Shanghai: from 14 May 16:00 UTC. Wang's 09:00 call and contact,
    # Zhou's 01:00 call (09:00 local) — Li did everything before 16:00 UTC on the 14th.
    assert today["Rep Wang"] == dict(WANG_WEEK, calls=1, visits=0, new_contacts=1, new_deals=0,
                                     stage_moves=0, deals_won=0, won_minor=0)
    assert today["Rep Li"] == dict(LI_WEEK, calls=0, visits=0, meetings=0, new_contacts=0,
                                   new_deals=0)
    assert today["Manager Zhou"]["calls"] == 1
    month = {r.name: figures(r) for r in activity(engine, team.manager, "m")}
    # This month also holds Sunday's meeting, Zhou's contact of 2 May and his win of 30 April
    # 17:00 UTC (1 May in Shanghai); his deal was opened in April.
    assert month["Rep Wang"] == dict(WANG_WEEK, meetings=1)
    assert month["Manager Zhou"] == dict(ZHOU_WEEK, new_contacts=1, stage_moves=1, deals_won=1,
                                         won_minor=9_900_000)
    start, end = period_bounds("m", now=NOW, tz=NEW_YORK)  # 30 April 13:00 in New York
    with Session(engine) as s:
        rows = team_activity.by_rep(s, actor=team.manager, start_utc=start, end_utc=end,
                                        now=NOW)
    assert {r.name: r.deals_won for r in rows}["Manager Zhou"] == 0


def test_week_boundary_follows_the_managers_time_zone(engine: Engine) -> None:
    team = build(engine)
    # Sunday 12 May 15:00 UTC is 23:00 Sunday in Shanghai but 11:00 Sunday in New York —
    # last week in both. Monday 13 May 02:00 UTC is Monday in Shanghai, Sunday in New York.
    shanghai = {r.name: figures(r) for r in activity(engine, team.manager, "w", SHANGHAI)}
    new_york = {r.name: figures(r) for r in activity(engine, team.manager, "w", NEW_YORK)}
    assert shanghai["Rep Wang"]["meetings"] == new_york["Rep Wang"]["meetings"] == 0
    assert (shanghai["Rep Wang"]["calls"], new_york["Rep Wang"]["calls"]) == (3, 2)
    assert (shanghai["Rep Wang"]["new_contacts"], new_york["Rep Wang"]["new_contacts"]) == (2, 1)


@pytest.mark.parametrize(("period", "tz", "now", "start", "end"), [
    ("d", SHANGHAI, NOW, datetime(2024, 5, 14, 16, tzinfo=UTC), datetime(2024, 5, 15, 16,
                                                                          tzinfo=UTC)),
    ("d", NEW_YORK, NOW, datetime(2024, 5, 15, 4, tzinfo=UTC), datetime(2024, 5, 16, 4,
                                                                         tzinfo=UTC)),
    ("w", SHANGHAI, NOW, datetime(2024, 5, 12, 16, tzinfo=UTC), datetime(2024, 5, 19, 16,
                                                                          tzinfo=UTC)),
    ("w", NEW_YORK, NOW, datetime(2024, 5, 13, 4, tzinfo=UTC), datetime(2024, 5, 20, 4,
                                                                         tzinfo=UTC)),
    # Sunday afternoon, 12 May, in New York is already Monday in Shanghai.
    ("w", SHANGHAI, datetime(2024, 5, 12, 17, tzinfo=UTC), datetime(2024, 5, 12, 16,
                                                                     tzinfo=UTC),
     datetime(2024, 5, 19, 16, tzinfo=UTC)),
    ("w", NEW_YORK, datetime(2024, 5, 12, 17, tzinfo=UTC), datetime(2024, 5, 6, 4, tzinfo=UTC),
     datetime(2024, 5, 13, 4, tzinfo=UTC)),
    # 31 May 20:00 UTC is 1 June in Shanghai, still May in New York.
    ("m", SHANGHAI, datetime(2024, 5, 31, 20, tzinfo=UTC), datetime(2024, 5, 31, 16,
                                                                     tzinfo=UTC),
     datetime(2024, 6, 30, 16, tzinfo=UTC)),
    ("m", NEW_YORK, datetime(2024, 5, 31, 20, tzinfo=UTC), datetime(2024, 5, 1, 4, tzinfo=UTC),
     datetime(2024, 6, 1, 4, tzinfo=UTC)),
    # Daylight saving starts 10 March in New York: March runs from UTC-5 to UTC-4 midnight.
    ("m", NEW_YORK, datetime(2024, 3, 20, tzinfo=UTC), datetime(2024, 3, 1, 5, tzinfo=UTC),
     datetime(2024, 4, 1, 4, tzinfo=UTC)),
    ("m", SHANGHAI, datetime(2024, 12, 20, tzinfo=UTC), datetime(2024, 11, 30, 16, tzinfo=UTC),
     datetime(2024, 12, 31, 16, tzinfo=UTC)),
])
def test_period_bounds_are_local_midnights(
    period: str, tz: str, now: datetime, start: datetime, end: datetime
) -> None:
    assert period_bounds(period, now=now, tz=tz) == (start, end)


def test_manager_does_not_see_another_managers_team(engine: Engine) -> None:
    team = build(engine)
    rows = activity(engine, team.other_manager)
    assert [r.name for r in rows] == ["Rep Chen", "Manager Sun"]
    start, end = period_bounds("w", now=NOW, tz=SHANGHAI)
    with Session(engine) as s:
        with pytest.raises(NotFound):
            team_activity.rep_detail(s, actor=team.other_manager, member_id=team.wang.id or 0,
                                  start_utc=start, end_utc=end, now=NOW)
        with pytest.raises(NotFound):
            team_activity.rep_detail(s, actor=team.li, member_id=team.wang.id or 0,
                                  start_utc=start, end_utc=end, now=NOW)
        with pytest.raises(NotFound):
            team_activity.rep_detail(s, actor=team.admin, member_id=999_999, start_utc=start,
                                  end_utc=end, now=NOW)
        assert team_activity.by_rep(s, actor=team.other_manager, start_utc=start,
                                        end_utc=end, now=NOW, member_id=team.wang.id) == []


def test_drill_down_shows_figures_latest_five_touches_and_open_deals(engine: Engine) -> None:
    team = build(engine)
    start, end = period_bounds("w", now=NOW, tz=SHANGHAI)
    with Session(engine) as s:
        detail = team_activity.rep_detail(s, actor=team.manager, member_id=team.wang.id or 0,
                                       start_utc=start, end_utc=end, now=NOW)
    assert figures(detail.activity) == WANG_WEEK
    # Newest first, the deleted call left out; the sixth, Sunday's meeting, is cut off.
    assert [(t.interaction.kind, t.interaction.occurred_at) for t in detail.recent] == [
        (InteractionKind.CALL, at(15, 9)), (InteractionKind.NOTE, at(14, 6)),
        (InteractionKind.VISIT, at(14, 5)), (InteractionKind.CALL, at(14, 3)),
        (InteractionKind.CALL, at(13, 3))]
    assert detail.recent[0].interaction.text == "asked for a quote"
    assert (detail.open_deals, detail.open_deals_minor) == (1, 2_000_000)


def test_deactivated_member_without_figures_is_left_out(engine: Engine) -> None:
    team = build(engine)
    with unit_of_work(engine) as s:
        for member in (team.other_manager, team.manager):
            row = s.get(Member, member.id)
            assert row is not None
            row.active = False
    names = [r.name for r in activity(engine, team.admin, "d")]
    # Sun has nothing to count and is gone; Zhou called today, so his line stays.
    assert "Manager Sun" not in names and "Manager Zhou" in names


# --- Cross-check: the SQL figures against pandas over raw rows, on 10k generated customers ---


def raw(engine: Engine, sql: str, *times: str) -> pd.DataFrame:
    """Rows of a plain SELECT, with the named columns as UTC timestamps."""
    with engine.connect() as conn:
        frame = pd.read_sql_query(text(sql), conn)
    for name in times:
        frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    return frame


def hierarchy(members: pd.DataFrame, root: int) -> set[int]:
    seen, frontier = {root}, {root}
    while frontier:
        frontier = set(members.loc[members.manager_id.isin(frontier), "id"]) - seen
        seen |= frontier
    return seen


def load_raw(engine: Engine, team_id: int) -> dict[str, pd.DataFrame]:
    """The raw rows every /team figure is made of, read with plain SELECTs."""
    where = f"WHERE team_id = {team_id}"
    return {
        "members": raw(engine, f"SELECT id, manager_id FROM member {where}"),
        "touches": raw(engine, f"SELECT member_id, kind, occurred_at, deleted_at "
                               f"FROM interaction {where}", "occurred_at"),
        "contacts": raw(engine, f"SELECT id, owner_id, created_at, deleted_at FROM contact "
                                f"{where}", "created_at"),
        "deals": raw(engine, "SELECT id, owner_id, status, amount_minor, created_at, "
                             f"closed_at, deleted_at FROM deal {where}",
                     "created_at", "closed_at"),
        "moves": raw(engine, f"SELECT deal_id, from_stage, at FROM stagechange {where}",
                     "at"),
        "tasks": raw(engine, f"SELECT owner_id, contact_id, status, due_at FROM task {where}",
                     "due_at"),
        "feedback": raw(engine, f"SELECT owner_id, contact_id, kind, status FROM feedback "
                                f"{where}"),
    }


def pandas_activity(data: dict[str, pd.DataFrame], owners: set[int], start: pd.Timestamp,
                    end: pd.Timestamp, now: pd.Timestamp) -> dict[int, dict[str, int]]:
    """Per member, the /team figures computed in pandas."""
    def between(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        return frame[(frame[column] >= start) & (frame[column] < end)]

    contacts, deals, tasks, complaints = (data["contacts"], data["deals"], data["tasks"],
                                          data["feedback"])
    gone = set(contacts.loc[contacts.deleted_at.notna(), "id"])
    touches = between(data["touches"][data["touches"].deleted_at.isna()], "occurred_at")
    deals = deals[deals.deleted_at.isna()]
    won = between(deals[deals.status == "won"], "closed_at")
    moves = between(data["moves"][data["moves"].from_stage.notna()], "at").merge(
        deals[["id", "owner_id"]], left_on="deal_id", right_on="id")
    overdue = tasks[(tasks.status == "open") & (tasks.due_at < now)
                    & ~tasks.contact_id.isin(gone)]
    open_complaints = complaints[(complaints.kind == "complaint")
                                 & (complaints.status == "open")
                                 & ~complaints.contact_id.isin(gone)]
    counts = {
        "calls": touches[touches.kind == "call"].groupby("member_id").size(),
        "visits": touches[touches.kind == "visit"].groupby("member_id").size(),
        "meetings": touches[touches.kind == "meeting"].groupby("member_id").size(),
        "new_contacts": between(contacts[contacts.deleted_at.isna()], "created_at")
        .groupby("owner_id").size(),
        "new_deals": between(deals, "created_at").groupby("owner_id").size(),
        "stage_moves": moves.groupby("owner_id").size(),
        "deals_won": won.groupby("owner_id").size(),
        "won_minor": won.groupby("owner_id").amount_minor.sum(),
        "overdue_followups": overdue.groupby("owner_id").size(),
        "complaints_open": open_complaints.groupby("owner_id").size(),
    }
    return {member: {name: int(series.get(member, 0)) for name, series in counts.items()}
            for member in owners}


@pytest.mark.slow
def test_figures_agree_with_pandas_on_10k_generated_customers(engine: Engine) -> None:
    info = generate_dataset(engine, customers=10_000, seed=7)
    with engine.begin() as conn:  # some soft-deleted rows, which every figure must skip
        conn.execute(text("UPDATE contact SET deleted_at = created_at WHERE id % 37 = 0"))
        conn.execute(text("UPDATE interaction SET deleted_at = occurred_at WHERE id % 53 = 0"))
        conn.execute(text("UPDATE deal SET deleted_at = created_at WHERE id % 41 = 0"))
    data = load_raw(engine, info.team_id)
    now = pd.Timestamp(info.now)
    today = now.tz_convert(SHANGHAI).normalize()
    monday = today - pd.Timedelta(days=today.weekday())
    periods = {"d": (today, today + pd.Timedelta(days=1)),
               "w": (monday, monday + pd.Timedelta(days=7)),
               "m": (today.replace(day=1), today.replace(day=1) + pd.offsets.MonthBegin(1))}
    for actor_id in (info.admin_id, info.manager_ids[0]):
        with Session(engine) as s:
            actor = s.get(Member, actor_id)
            assert actor is not None and actor.timezone == SHANGHAI
            owners = (set(data["members"].id) if actor.role == Role.ADMIN
                      else hierarchy(data["members"], actor_id))
            for period, (start, end) in periods.items():
                start_utc, end_utc = start.tz_convert(UTC), end.tz_convert(UTC)
                assert period_bounds(period, now=info.now, tz=SHANGHAI) == (
                    start_utc.to_pydatetime(), end_utc.to_pydatetime())
                rows = team_activity.by_rep(s, actor=actor, start_utc=start_utc,
                                                end_utc=end_utc, now=info.now)
                expected = pandas_activity(data, owners, start_utc, end_utc, now)
                assert {row.member_id: figures(row) for row in rows} == expected, period
                if period == "m":
                    assert sum(e["calls"] for e in expected.values()) > 100
