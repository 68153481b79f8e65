"""Pipeline figures on hand-checked deals: by stage and owner, forecast, funnel, at risk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from crm_store.analytics import pipeline_stats
from crm_store.db import unit_of_work
from crm_store.errors import Invalid, NotFound
from crm_store.models import (
    Contact,
    Deal,
    DealStatus,
    Feedback,
    FeedbackKind,
    Member,
    Order,
    Role,
    StageChange,
    Team,
)
from crm_store.sales import pipeline
from tests.builders import make_admin, make_contact, make_member

NOW = datetime(2024, 10, 23, 2, 0, tzinfo=UTC)  # 10:00 on 23 October in Asia/Shanghai
DAY = timedelta(days=1)
K = 100_000  # ¥1,000 in minor units: amounts below read "in thousands of yuan"


def day(text: str) -> datetime:
    """Midnight UTC of an ISO date."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


JUNE_FIRST = day("2024-06-01")


def add_deal(engine: Engine, owner: Member, contact: Contact, path: list[tuple[str, datetime]],
             *, amount: int = 10 * K, close: date | None = None, deleted: bool = False) -> int:
    """A deal that went through `path` (stage, when); won/lost at the end closes it then."""
    stage, at = path[-1]
    status = {"won": DealStatus.WON, "lost": DealStatus.LOST}.get(stage, DealStatus.OPEN)
    probability = {"lead": 10, "qualified": 20, "proposal": 50, "negotiation": 80,
                   "won": 100}.get(stage, 0)
    with unit_of_work(engine) as s:
        deal = Deal(team_id=owner.team_id, owner_id=owner.id or 0,
                           contact_id=contact.id or 0, title=f"deal {len(path)}",
                           amount_minor=amount, stage=stage, probability=probability,
                           status=status, expected_close=close, stage_entered_at=at,
                           closed_at=at if status != DealStatus.OPEN else None,
                           created_at=path[0][1], deleted_at=NOW if deleted else None)
        s.add(deal)
        s.flush()
        previous = None
        for to_stage, when in path:
            s.add(StageChange(team_id=owner.team_id, deal_id=deal.id or 0,
                              from_stage=previous, to_stage=to_stage, member_id=owner.id,
                              at=when))
            previous = to_stage
        return deal.id or 0


def walk(start: datetime, *stages: str, every: timedelta = 3 * DAY) -> list[tuple[str, datetime]]:
    """lead, then each stage `every` apart."""
    return [(stage, start + every * n) for n, stage in enumerate(("lead", *stages))]


@pytest.fixture
def admin(engine: Engine) -> Member:
    return make_admin(engine)


@pytest.fixture
def rep(engine: Engine, admin: Member) -> Member:
    return make_member(engine, by=admin, name="李明")


@pytest.fixture
def acme(engine: Engine, rep: Member) -> Contact:
    return make_contact(engine, owner=rep, name="张伟", company="Acme")


def funnel_of(engine: Engine, who: Member, **kwargs: object) -> pipeline_stats.Funnel:
    with unit_of_work(engine) as s:
        return pipeline_stats.funnel(s, actor=who, now=NOW, **kwargs)  # type: ignore[arg-type]


def ten_deals(engine: Engine, rep: Member, contact: Contact,
              base: datetime = JUNE_FIRST) -> None:
    """10 deals in the period: 10 reached lead, 8 qualified, 5 proposal, 3 negotiation, 2 won.

    3 were lost (after negotiation, after proposal, after qualified); 5 are still open.
    The won ones (with the default base of 1 June 2024): 100 K created 1 June, won 1 July
    (30 days); 50 K created 2 June, won 1 August (60 days).
    """
    won_path = ("lead", 0), ("qualified", 4), ("proposal", 9), ("negotiation", 19)
    add_deal(engine, rep, contact, [*((s, base + n * DAY) for s, n in won_path),
                                    ("won", base + 30 * DAY)], amount=100 * K)
    add_deal(engine, rep, contact, [("lead", base + DAY),
                                    *((s, base + n * DAY) for s, n in won_path[1:]),
                                    ("won", base + 61 * DAY)], amount=50 * K)
    start = base + 2 * DAY
    add_deal(engine, rep, contact, walk(start, "qualified", "proposal", "negotiation", "lost"))
    add_deal(engine, rep, contact, walk(start, "qualified", "proposal", "lost"))
    add_deal(engine, rep, contact, walk(start, "qualified", "proposal"))
    add_deal(engine, rep, contact, walk(start, "qualified", "lost"))
    add_deal(engine, rep, contact, walk(start, "qualified"))
    add_deal(engine, rep, contact, walk(start, "qualified"))
    add_deal(engine, rep, contact, walk(start))
    add_deal(engine, rep, contact, walk(start))


# ----------------------------------------------------------------------------------- funnel
def test_funnel_conversion_win_rate_cycle_and_velocity_on_ten_deals(
        engine: Engine, rep: Member, acme: Contact) -> None:
    ten_deals(engine, rep, acme)
    found = funnel_of(engine, rep)
    assert [(s.stage, s.reached, s.moved_on) for s in found.stages] == [
        ("lead", 10, 8), ("qualified", 8, 5), ("proposal", 5, 3), ("negotiation", 3, 2),
        ("won", 2, 0)]
    # lead 8/10 = 80 %, qualified 5/8 = 62.5 %, proposal 3/5 = 60 %, negotiation 2/3 = 66.7 %
    assert [s.rate for s in found.stages[:4]] == [0.8, 0.625, 0.6, pytest.approx(2 / 3)]
    assert found.stages[4].rate == 0.0
    # win rate = won ÷ (won + lost) = 2 ÷ (2 + 3) = 40 %
    assert (found.won, found.lost, found.win_rate) == (2, 3, 0.4)
    # average won amount = (¥100,000 + ¥50,000) / 2 = ¥75,000; cycle = (30 + 60) / 2 = 45 days
    assert found.avg_won_minor == 75 * K
    assert found.avg_cycle_days == pytest.approx(45.0)
    # velocity = open deals × average won × win rate ÷ cycle = 5 × ¥75,000 × 0.4 ÷ 45
    #          = ¥3,333.33 a day, ¥100,000 a month (× 30)
    assert found.open_deals == 5
    assert found.velocity_per_day_minor == 333_333  # ¥3,333.33
    assert found.velocity_per_month_minor == 100 * K
    assert (found.days, found.start, found.end) == (180, NOW - 180 * DAY, NOW)


def test_funnel_ignores_moves_before_the_period_and_counts_only_what_moved_in_it(
        engine: Engine, rep: Member, acme: Contact) -> None:
    # Sat in lead since March, qualified in June: it reached qualified in the period, not lead.
    add_deal(engine, rep, acme, [("lead", day("2024-03-01")), ("qualified", day("2024-06-10"))])
    # Everything happened before the 180-day window (it starts 26 April 2024).
    add_deal(engine, rep, acme, [("lead", day("2024-01-01")), ("won", day("2024-02-01"))])
    found = funnel_of(engine, rep)
    assert [(s.stage, s.reached, s.moved_on) for s in found.stages] == [
        ("lead", 0, 0), ("qualified", 1, 0), ("proposal", 0, 0), ("negotiation", 0, 0),
        ("won", 0, 0)]
    assert (found.won, found.lost, found.win_rate, found.velocity_per_day_minor) == (
        0, 0, None, None)
    assert found.open_deals == 1


def test_funnel_counts_a_skipped_stage_as_passed(engine: Engine, rep: Member,
                                                  acme: Contact) -> None:
    add_deal(engine, rep, acme, [("lead", day("2024-06-01")), ("negotiation", day("2024-06-02"))])
    found = funnel_of(engine, rep)
    assert [(s.reached, s.moved_on) for s in found.stages] == [
        (1, 1), (1, 1), (1, 1), (1, 0), (0, 0)]


def test_funnel_moving_back_and_forth_counts_each_deal_once(
        engine: Engine, rep: Member, acme: Contact) -> None:
    add_deal(engine, rep, acme, [("lead", day("2024-06-01")), ("proposal", day("2024-06-02")),
                                 ("qualified", day("2024-06-03")), ("proposal", day("2024-06-04")),
                                 ("lost", day("2024-06-05"))])
    found = funnel_of(engine, rep)
    assert [(s.reached, s.moved_on) for s in found.stages] == [
        (1, 1), (1, 1), (1, 0), (0, 0), (0, 0)]
    assert (found.won, found.lost, found.win_rate) == (0, 1, 0.0)


def test_funnel_window_and_team_setting(engine: Engine, admin: Member, rep: Member,
                                        acme: Contact) -> None:
    add_deal(engine, rep, acme, [("lead", NOW - 20 * DAY), ("won", NOW - 10 * DAY)])
    add_deal(engine, rep, acme, [("lead", NOW - 50 * DAY), ("lost", NOW - 40 * DAY)])
    assert (funnel_of(engine, rep, days=30).won, funnel_of(engine, rep, days=30).lost) == (1, 0)
    assert funnel_of(engine, rep, days=30).avg_cycle_days == pytest.approx(10.0)
    assert funnel_of(engine, rep, days=60).win_rate == 0.5
    since = funnel_of(engine, rep, since=NOW - 45 * DAY, until=NOW - 5 * DAY)
    assert (since.won, since.lost, since.stages[0].reached) == (1, 1, 1)
    with unit_of_work(engine) as s:
        assert pipeline_stats.funnel_days(s, admin.team_id) == 180
        team = s.get(Team, admin.team_id)
        assert team is not None
        team.settings = {"funnel_days": 90}
        s.add(team)
    with unit_of_work(engine) as s:
        assert pipeline_stats.funnel_days(s, admin.team_id) == 90


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_funnel_refuses_a_window_out_of_range(engine: Engine, rep: Member, days: int) -> None:
    with pytest.raises(Invalid) as caught:
        funnel_of(engine, rep, days=days)
    assert caught.value.key == "funnel.days_range"


def test_funnel_respects_visibility_and_leaves_deleted_deals_out(
        engine: Engine, admin: Member, rep: Member, acme: Contact) -> None:
    other = make_member(engine, by=admin, name="王强")
    theirs = make_contact(engine, owner=other, name="赵六")
    add_deal(engine, rep, acme, [("lead", day("2024-06-01")), ("won", day("2024-06-11"))])
    add_deal(engine, other, theirs, [("lead", day("2024-06-01")), ("lost", day("2024-06-11"))])
    add_deal(engine, rep, acme, [("lead", day("2024-06-01")), ("lost", day("2024-06-11"))],
             deleted=True)
    mine = funnel_of(engine, rep)
    assert (mine.stages[0].reached, mine.won, mine.lost, mine.win_rate) == (1, 1, 0, 1.0)
    everyone = funnel_of(engine, admin)
    assert (everyone.stages[0].reached, everyone.won, everyone.lost) == (2, 1, 1)


# --------------------------------------------------------------------- pipeline and forecast
def forecast_deals(engine: Engine, rep: Member, contact: Contact) -> None:
    """Seven open deals across the buckets, one won deal (never in the forecast)."""
    created = [("lead", day("2024-09-01"))]
    for stage, amount, close in (
        ("lead", 1000 * K, date(2024, 10, 1)),  # overdue
        ("negotiation", 2000 * K, date(2024, 10, 31)),  # this month
        ("proposal", 500 * K, date(2024, 10, 23)),  # today: this month, not overdue
        ("qualified", 300 * K, date(2024, 12, 15)),
        ("negotiation", 100 * K, date(2025, 3, 31)),  # the sixth month
        ("lead", 400 * K, date(2025, 4, 1)),  # later
        ("proposal", 200 * K, None),  # no date
        ("won", 900 * K, date(2024, 11, 1)),
    ):
        path = created if stage == "lead" else [*created, (stage, day("2024-09-10"))]
        add_deal(engine, rep, contact, path, amount=amount, close=close)


def stage_table(engine: Engine, who: Member, **kwargs: object) -> list[tuple]:
    with unit_of_work(engine) as s:
        rows = pipeline_stats.pipeline_by_stage(s, actor=who, now=NOW, **kwargs)  # type: ignore[arg-type]
    return [(r.stage, r.probability, r.count, r.amount_minor, r.weighted_minor, r.known)
            for r in rows]


def test_pipeline_by_stage_counts_amounts_and_weights_in_pipeline_order(
        engine: Engine, rep: Member, acme: Contact) -> None:
    forecast_deals(engine, rep, acme)
    assert stage_table(engine, rep) == [
        ("lead", 10, 2, 1400 * K, 140 * K, True),  # (1,000 K + 400 K) × 10 %
        ("qualified", 20, 1, 300 * K, 60 * K, True),
        ("proposal", 50, 2, 700 * K, 350 * K, True),
        ("negotiation", 80, 2, 2100 * K, 1680 * K, True)]


def test_pipeline_weights_by_the_current_stage_probability_and_lists_removed_stages_last(
        engine: Engine, admin: Member, rep: Member, acme: Contact) -> None:
    add_deal(engine, rep, acme, [("lead", day("2024-09-01"))], amount=1000 * K)
    add_deal(engine, rep, acme, [("lead", day("2024-09-01")), ("proposal", day("2024-09-02"))],
             amount=1000 * K)
    with unit_of_work(engine) as s:
        pipeline.set_stages(s, actor=admin, stages=[("lead", 15), ("demo", 40)])
    assert stage_table(engine, admin) == [
        ("lead", 15, 1, 1000 * K, 150 * K, True), ("demo", 40, 0, 0, 0, True),
        ("proposal", 50, 1, 1000 * K, 500 * K, False)]


def test_pipeline_by_owner_and_owner_filter_respect_visibility(
        engine: Engine, admin: Member, rep: Member, acme: Contact) -> None:
    boss = make_member(engine, by=admin, role=Role.MANAGER, name="Mia Manager")
    under = make_member(engine, by=boss, name="Ray Rep")
    theirs = make_contact(engine, owner=under, name="钱七")
    add_deal(engine, rep, acme, [("lead", day("2024-09-01"))], amount=1000 * K)
    add_deal(engine, under, theirs, [("lead", day("2024-09-01")),
                                     ("negotiation", day("2024-09-02"))], amount=500 * K)
    with unit_of_work(engine) as s:
        owners = pipeline_stats.pipeline_by_owner(s, actor=admin, now=NOW)
        mine = pipeline_stats.pipeline_by_owner(s, actor=boss, now=NOW)
    # Ray: 500 K × 80 % = 400 K weighted comes first; 李明: 1,000 K × 10 % = 100 K.
    assert [(o.owner, o.count, o.amount_minor, o.weighted_minor) for o in owners] == [
        ("Ray Rep", 1, 500 * K, 400 * K), ("李明", 1, 1000 * K, 100 * K)]
    assert [o.owner for o in mine] == ["Ray Rep"]
    assert [r[2] for r in stage_table(engine, boss)] == [0, 0, 0, 1]
    assert [r[2] for r in stage_table(engine, rep)] == [1, 0, 0, 0]
    assert [r[2] for r in stage_table(engine, admin, owner_id=under.id)] == [0, 0, 0, 1]
    with unit_of_work(engine) as s:
        assert pipeline_stats.find_owner(s, actor=admin, query="李明").id == rep.id
        assert pipeline_stats.find_owner(s, actor=boss, query="ray").id == under.id
        with pytest.raises(NotFound):
            pipeline_stats.find_owner(s, actor=boss, query="李明")
        with pytest.raises(Invalid) as caught:
            pipeline_stats.find_owner(s, actor=admin, query="a")
        assert caught.value.key == "pipeline.owner_ambiguous"


def test_pipeline_leaves_out_closed_deleted_and_other_teams_deals(
        engine: Engine, admin: Member, rep: Member, acme: Contact) -> None:
    add_deal(engine, rep, acme, [("lead", day("2024-09-01")), ("won", day("2024-09-02"))])
    add_deal(engine, rep, acme, [("lead", day("2024-09-01"))], deleted=True)
    with unit_of_work(engine) as s:
        team = Team(name="Rivals")
        s.add(team)
        s.flush()
        stranger = Member(team_id=team.id or 0, telegram_user_id=5_555, display_name="Eve")
        s.add(stranger)
        s.flush()
        theirs = Contact(team_id=team.id or 0, owner_id=stranger.id or 0, name="X")
        s.add(theirs)
    add_deal(engine, stranger, theirs, [("lead", day("2024-09-01"))])
    with unit_of_work(engine) as s:
        assert [r.count for r in pipeline_stats.pipeline_by_stage(s, actor=stranger, now=NOW)
                ] == [1, 0, 0, 0]
    assert [r[2] for r in stage_table(engine, admin)] == [0, 0, 0, 0]


def forecast_of(engine: Engine, who: Member, now: datetime = NOW) -> dict[str, tuple]:
    with unit_of_work(engine) as s:
        found = pipeline_stats.forecast(s, actor=who, now=now)
    assert found.commit_stage == "negotiation"
    return {b.key: (b.count, b.best_case_minor, b.weighted_minor, b.committed_minor)
            for b in found.buckets}


def test_forecast_buckets_by_close_month_with_best_case_and_committed(
        engine: Engine, rep: Member, acme: Contact) -> None:
    forecast_deals(engine, rep, acme)
    assert forecast_of(engine, rep) == {
        "overdue": (1, 1000 * K, 100 * K, 0),
        # 2,000 K negotiation (× 80 % = 1,600 K, committed) + 500 K proposal (× 50 % = 250 K)
        "2024-10": (2, 2500 * K, 1850 * K, 2000 * K),
        "2024-11": (0, 0, 0, 0),
        "2024-12": (1, 300 * K, 60 * K, 0),
        "2025-01": (0, 0, 0, 0),
        "2025-02": (0, 0, 0, 0),
        "2025-03": (1, 100 * K, 80 * K, 100 * K),
        "later": (1, 400 * K, 40 * K, 0),
        "none": (1, 200 * K, 100 * K, 0),
    }
    with unit_of_work(engine) as s:
        found = pipeline_stats.forecast(s, actor=rep, now=NOW)
    # best case 4,500 K; weighted 100 + 1,850 + 60 + 80 + 40 + 100 = 2,230 K; committed 2,100 K
    assert (found.total("count"), found.total("best_case_minor"), found.total("weighted_minor"),
            found.total("committed_minor")) == (7, 4500 * K, 2230 * K, 2100 * K)


def test_forecast_months_follow_the_members_time_zone(engine: Engine, rep: Member,
                                                      acme: Contact) -> None:
    add_deal(engine, rep, acme, [("lead", day("2024-09-01"))], close=date(2024, 10, 31))
    add_deal(engine, rep, acme, [("lead", day("2024-09-01"))], close=date(2024, 11, 1))
    # 17:00 UTC on 31 October is already 01:00 on 1 November in Shanghai.
    found = forecast_of(engine, rep, now=datetime(2024, 10, 31, 17, 0, tzinfo=UTC))
    assert (found["overdue"][0], found["2024-11"][0]) == (1, 1)
    assert "2024-10" not in found and "2025-04" in found


def test_committed_starts_at_the_configured_stage(engine: Engine, admin: Member, rep: Member,
                                                  acme: Contact) -> None:
    add_deal(engine, rep, acme, [("lead", day("2024-09-01")), ("proposal", day("2024-09-02"))],
             amount=1000 * K, close=date(2024, 11, 5))
    with unit_of_work(engine) as s:
        team = s.get(Team, admin.team_id)
        assert team is not None
        team.settings = {"forecast_commit_stage": "proposal"}
        s.add(team)
    with unit_of_work(engine) as s:
        found = pipeline_stats.forecast(s, actor=rep, now=NOW)
    assert found.commit_stage == "proposal"
    assert found.total("committed_minor") == 1000 * K


# -------------------------------------------------------------------------------- at risk
def test_at_risk_for_names_owners_sorts_by_value_and_hides_other_reps_customers(
        engine: Engine, admin: Member, rep: Member, acme: Contact) -> None:
    other = make_member(engine, by=admin, name="王强")
    big = make_contact(engine, owner=other, name="大客户")
    with unit_of_work(engine) as s:
        for contact, owner, amount in ((acme, rep, 100 * K), (big, other, 900 * K)):
            for n in range(4):  # monthly buyers, silent for 100 days
                s.add(Order(team_id=owner.team_id, owner_id=owner.id or 0,
                            contact_id=contact.id or 0, amount_minor=amount,
                            ordered_at=NOW - (100 + 30 * n) * DAY))
        s.add(Feedback(team_id=rep.team_id, contact_id=acme.id or 0, owner_id=rep.id or 0,
                       member_id=rep.id or 0, kind=FeedbackKind.COMPLAINT, text="late"))
    with unit_of_work(engine) as s:
        everyone = pipeline_stats.at_risk_for(s, actor=admin, now=NOW)
        mine = pipeline_stats.at_risk_for(s, actor=rep, now=NOW)
    # value at risk: orders in the last 365 days — 4 × 900 K and 4 × 100 K
    assert [(r.risk.contact_name, r.owner, r.risk.value_minor) for r in everyone] == [
        ("大客户", "王强", 3600 * K), ("张伟", "李明", 400 * K)]
    assert [(r.risk.contact_name, r.risk.reasons, r.low_csat) for r in mine] == [
        ("张伟", ("gap", "complaint_open"), 2)]
