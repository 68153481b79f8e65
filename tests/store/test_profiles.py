"""A big team's stored profiles: what stays current, what waits for a refresh, who refreshes.

tests/store/test_segments.py runs every hand-checked figure both live and stored; this file
covers what only the stored way has: today's contact list on top of an older snapshot, the
scheduler's refresh and questions about the past.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from crm_store import churn, profiles, segments
from crm_store.db import unit_of_work
from crm_store.models import Contact, Member, ProfileRow, ProfileSnapshot
from tests.builders import make_contact
from tests.store.test_segments import NOW, Shop, ask, build


@pytest.fixture
def shop(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Shop:
    monkeypatch.setattr(profiles, "LIVE_LIMIT", 10)  # the team has 16 contacts
    return build(engine)


def stored(engine: Engine) -> tuple[int, ProfileSnapshot | None]:
    with unit_of_work(engine) as s:
        rows = s.exec(select(func.count()).select_from(ProfileRow)).one()
        return int(rows), s.get(ProfileSnapshot, 1)


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
