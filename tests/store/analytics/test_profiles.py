"""A big team's stored profiles: what stays current, what waits for a refresh, who refreshes.

tests/store/test_segments.py runs every hand-checked figure both live and stored; this file
covers what only the stored way has: today's contact list on top of an older snapshot, the
scheduler's refresh and questions about the past.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from crm_store.analytics import churn, profiles, segments
from crm_store.db import unit_of_work
from crm_store.models import Contact, Member, Order, ProfileRow, ProfileSnapshot
from tests.builders import make_contact
from tests.store.analytics.test_segments import NOW, Shop, ask, build


@pytest.fixture
def shop(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Shop:
    monkeypatch.setattr(profiles, "LIVE_LIMIT", 10)  # the team has 16 contacts
    return build(engine)


def stored(engine: Engine) -> tuple[int, ProfileSnapshot | None]:
    with unit_of_work(engine) as s:
        rows = s.exec(select(func.count()).select_from(ProfileRow)).one()
        return int(rows), profiles._rolling(s, 1)


def test_first_question_stores_the_team_then_answers_from_it(engine: Engine, shop: Shop) -> None:
    assert stored(engine) == (0, None)
    summary = ask(engine, segments.segment_summary, shop.admin)
    rows, snapshot = stored(engine)
    assert rows == 15  # every live contact of the team, Deleted Dan left out
    assert snapshot is not None and snapshot.as_of == NOW and summary.as_of == NOW
    assert summary.rfm.buyers == 13 and summary.customers == 15


def test_contacts_added_deleted_or_reassigned_since_show_as_they_are_now(
    engine: Engine, shop: Shop
) -> None:
    ask(engine, segments.segment_summary, shop.admin)
    make_contact(engine, owner=shop.rep, name="New Nina")
    with unit_of_work(engine) as s:
        for name, change in (("Zhang Wei", "delete"), ("Liu Yang", "reassign")):
            contact = s.get(Contact, shop.ids[name])
            assert contact is not None
            if change == "delete":
                contact.deleted_at = NOW
            else:
                contact.owner_id = shop.rep.id or 0
            s.add(contact)
    summary = ask(engine, segments.segment_summary, shop.admin, now=NOW + timedelta(minutes=5))
    assert summary.as_of == NOW  # not recomputed: the same snapshot
    stages = {f.key: f.customers for f in summary.stages}
    assert stages["prospect"] == 2  # He Ping and New Nina
    assert summary.rfm.buyers == 12  # Zhang Wei is gone
    mine = {r.name for r in ask(engine, segments.rfm, shop.rep)}
    assert "Liu Yang" in mine and "Zhang Wei" not in mine


def test_a_snapshot_older_than_max_age_is_refreshed_before_answering(
    engine: Engine, shop: Shop
) -> None:
    ask(engine, segments.segment_summary, shop.admin)
    just_before = NOW + profiles.MAX_AGE - timedelta(seconds=1)
    assert ask(engine, segments.segment_summary, shop.admin, now=just_before).as_of == NOW
    later = NOW + profiles.MAX_AGE
    assert ask(engine, segments.segment_summary, shop.admin, now=later).as_of == later
    assert stored(engine)[1].as_of == later  # type: ignore[union-attr]


def test_a_question_about_the_past_is_computed_live(engine: Engine, shop: Shop) -> None:
    ask(engine, segments.segment_summary, shop.admin)
    earlier = ask(engine, segments.segment_summary, shop.admin, now=NOW - timedelta(days=30))
    assert earlier.as_of is None
    assert stored(engine)[1].as_of == NOW  # type: ignore[union-attr]


def test_scheduler_job_refreshes_big_stale_teams_only(
    engine: Engine, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles.refresh_profiles_job(engine, NOW)
    assert stored(engine)[1].as_of == NOW  # type: ignore[union-attr]
    profiles.refresh_profiles_job(engine, NOW + timedelta(minutes=10))  # still fresh
    assert stored(engine)[1].as_of == NOW  # type: ignore[union-attr]
    due = NOW + profiles.REFRESH_AGE
    profiles.refresh_profiles_job(engine, due)
    assert stored(engine)[1].as_of == due  # type: ignore[union-attr]
    monkeypatch.setattr(profiles, "LIVE_LIMIT", 1000)  # now a small team: nothing to store
    profiles.refresh_profiles_job(engine, due + timedelta(days=1))
    assert stored(engine)[1].as_of == due  # type: ignore[union-attr]
    assert ask(engine, segments.segment_summary, shop.admin).as_of is None


def test_contact_card_and_churn_read_the_snapshot_and_agree_with_live(
    engine: Engine, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    def figures() -> tuple[object, list[churn.ChurnRisk]]:
        with unit_of_work(engine) as s:
            admin = s.get(Member, shop.admin.id)
            assert admin is not None
            card = segments.contact_profile(s, actor=admin, contact_id=shop.ids["Wang Fang"],
                                            now=NOW)
            return card, churn.at_risk(s, admin.team_id, NOW)

    from_store = figures()
    assert stored(engine)[1] is not None
    monkeypatch.setattr(profiles, "LIVE_LIMIT", 1000)
    segments.forget()
    live = figures()
    assert from_store == live
    assert from_store[0].segment == "at_risk" and from_store[0].tier == "A"  # type: ignore
    assert {r.contact_name for r in live[1]} >= {"Xu Jing", "Ma Tao", "Wang Fang"}


@pytest.mark.parametrize("big", [True, False])
@pytest.mark.parametrize("spare", [0, 100])
def test_a_limited_at_risk_list_is_the_head_of_the_full_one(
    engine: Engine, shop: Shop, monkeypatch: pytest.MonkeyPatch, big: bool, spare: int
) -> None:
    monkeypatch.setattr(profiles, "LIVE_LIMIT", 10 if big else 1000)
    monkeypatch.setattr(churn, "LIMIT_SPARE", spare)
    with unit_of_work(engine) as s:
        full = churn.at_risk(s, shop.admin.team_id, NOW)
        assert len(full) >= 4
        for n in (1, 2, len(full), len(full) + 5):
            assert churn.at_risk(s, shop.admin.team_id, NOW, limit=n) == full[:n]


SHANGHAI_MAY_END = datetime(2026, 5, 31, 16, 0, tzinfo=UTC)  # 1 June 00:00 in Shanghai
SHANGHAI_WEEK_END = datetime(2026, 6, 7, 16, 0, tzinfo=UTC)  # Monday 8 June 00:00
LONDON_MAY_END = datetime(2026, 5, 31, 23, 0, tzinfo=UTC)  # 1 June 00:00 BST
LONDON_WEEK_END = datetime(2026, 6, 7, 23, 0, tzinfo=UTC)


def closing(engine: Engine) -> dict[datetime, int]:
    """The stored closing snapshots: their moment and how many customer rows each holds."""
    with unit_of_work(engine) as s:
        rows = s.exec(select(ProfileSnapshot.as_of, func.count(ProfileRow.contact_id))
                      .join(ProfileRow, ProfileRow.snapshot_id == ProfileSnapshot.id)
                      .where(ProfileSnapshot.closing.is_(True))  # type: ignore[attr-defined]
                      .group_by(ProfileSnapshot.id, ProfileSnapshot.as_of)).all()
        return {as_of: int(n) for as_of, n in rows}


def figures(summary: segments.SegmentSummary) -> tuple[object, ...]:
    return (summary.customers, summary.rfm, summary.abc, summary.classes, summary.stages)


def test_scheduler_fixes_profiles_at_last_weeks_and_months_end_and_past_questions_read_them(
    engine: Engine, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monday = NOW + timedelta(days=7)  # Monday 8 June: last week and last month end apart
    with unit_of_work(engine) as s:  # He Ping's first order, between the two ends
        s.add(Order(team_id=shop.rep.team_id, owner_id=shop.rep.id or 0,
                    contact_id=shop.ids["He Ping"], amount_minor=500_000,
                    ordered_at=NOW + timedelta(days=2)))
    profiles.refresh_profiles_job(engine, monday)
    assert closing(engine) == {SHANGHAI_MAY_END: 15, SHANGHAI_WEEK_END: 15}
    stored_answers = {at: ask(engine, segments.segment_summary, shop.manager, now=at)
                      for at in (SHANGHAI_MAY_END, SHANGHAI_WEEK_END)}
    assert {at: s.as_of for at, s in stored_answers.items()} == {
        SHANGHAI_MAY_END: SHANGHAI_MAY_END, SHANGHAI_WEEK_END: SHANGHAI_WEEK_END}
    monkeypatch.setattr(profiles, "LIVE_LIMIT", 1000)
    segments.forget()
    for at, answer in stored_answers.items():
        live = ask(engine, segments.segment_summary, shop.manager, now=at)
        assert live.as_of is None and figures(live) == figures(answer)
    may, week = (stored_answers[at].rfm for at in (SHANGHAI_MAY_END, SHANGHAI_WEEK_END))
    assert week.buyers == may.buyers + 1 and week.revenue_minor == may.revenue_minor + 500_000


def test_closing_snapshots_follow_members_zones_and_the_calendar(
    engine: Engine, shop: Shop
) -> None:
    with unit_of_work(engine) as s:
        other = s.get(Member, shop.other.id)
        assert other is not None
        other.timezone = "Europe/London"
        s.add(other)
    profiles.refresh_profiles_job(engine, NOW + timedelta(days=7))
    assert set(closing(engine)) == {SHANGHAI_MAY_END, SHANGHAI_WEEK_END, LONDON_MAY_END,
                                    LONDON_WEEK_END}
    # A week later: the new week's end is fixed, the old week's dropped, May's kept.
    profiles.refresh_profiles_job(engine, NOW + timedelta(days=14))
    week = timedelta(days=7)
    assert set(closing(engine)) == {SHANGHAI_MAY_END, SHANGHAI_WEEK_END + week,
                                    LONDON_MAY_END, LONDON_WEEK_END + week}
    with unit_of_work(engine) as s:
        rows = s.exec(select(func.count()).select_from(ProfileRow)).one()
    assert rows == 15 * 5  # four closing snapshots and the rolling one, nothing left over


def test_report_of_last_month_takes_its_segments_from_the_closing_snapshot(
    engine: Engine, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm_store.analytics.report_data import MONTH, build_report, period_of

    monday = NOW + timedelta(days=7)
    profiles.refresh_profiles_job(engine, monday)

    def report() -> tuple[object, ...]:
        with unit_of_work(engine) as s:
            me = s.get(Member, shop.admin.id)
            assert me is not None
            period = period_of(MONTH, date(2026, 5, 20), me.timezone, monday)
            assert period.end_utc == SHANGHAI_MAY_END
            data = build_report(s, actor=me, period=period, now=monday)
            return data.segments, data.segment_figures

    from_closing = report()
    monkeypatch.setattr(profiles, "LIVE_LIMIT", 1000)
    segments.forget()
    assert report() == from_closing
    assert any(row.group == "rfm" and row.customers for row in from_closing[0])  # type: ignore
