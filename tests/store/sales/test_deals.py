"""Deal services on SQLite and PostgreSQL: pipeline per team, moves with history, visibility."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store.db import unit_of_work
from crm_store.errors import Forbidden, Invalid, NotFound
from crm_store.models import (
    AuditLog,
    Contact,
    Deal,
    DealStatus,
    Member,
    Role,
    StageChange,
    Team,
)
from crm_store.sales import deals, pipeline
from tests.builders import make_admin, make_contact, make_member

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def org(engine: Engine) -> dict[str, Member]:
    """admin → manager → rep; another rep under the admin."""
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Mia Manager")
    rep = make_member(engine, by=manager, name="Ray Rep")
    other = make_member(engine, by=admin, name="Olga Other")
    return {"admin": admin, "manager": manager, "rep": rep, "other": other}


def new_deal(engine: Engine, owner: Member, *, title: str = "ERP upgrade",
             amount: int = 5_000_000, contact: Contact | None = None,
             at: datetime = T0) -> Deal:
    """A deal owned by `owner` on a contact of theirs (created if not given)."""
    contact = contact or make_contact(engine, owner=owner, name=f"client of {owner.display_name}")
    with unit_of_work(engine) as s:
        actor = s.get(Member, owner.id)
        assert actor is not None
        return deals.create_deal(s, actor=actor, contact_id=contact.id or 0, title=title,
                                 amount_minor=amount, now=at)


def act(engine: Engine, member: Member, func, **kwargs):  # type: ignore[no-untyped-def]
    """Call a service as `member` in its own unit of work."""
    with unit_of_work(engine) as s:
        actor = s.get(Member, member.id)
        return func(s, actor=actor, **kwargs)


def stored(engine: Engine, deal: Deal) -> Deal:
    with Session(engine) as s:
        row = s.get(Deal, deal.id)
        assert row is not None
        return row


def changes(engine: Engine, deal: Deal) -> list[tuple[str | None, str, int | None]]:
    with Session(engine) as s:
        rows = s.exec(select(StageChange).where(StageChange.deal_id == deal.id)
                      .order_by(col(StageChange.id))).all()
        return [(r.from_stage, r.to_stage, r.member_id) for r in rows]


def audit_actions(engine: Engine, entity: str, entity_id: int) -> list[str]:
    with Session(engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.entity == entity,
                                             AuditLog.entity_id == entity_id)
                      .order_by(col(AuditLog.id))).all()
        return [r.action for r in rows]


def test_team_without_rows_gets_the_default_pipeline(engine: Engine) -> None:
    admin = make_admin(engine)
    with Session(engine) as s:
        current = pipeline.stages_for(s, admin.team_id)
    assert [(st.key, st.probability) for st in current] == [
        ("lead", 10), ("qualified", 20), ("proposal", 50), ("negotiation", 80), ("won", 100),
        ("lost", 0)]
    assert [st.position for st in current] == list(range(6))
    assert [st.is_open for st in current] == [True] * 4 + [False] * 2


def test_admin_sets_open_stages_and_won_lost_always_follow(
    engine: Engine, org: dict[str, Member]
) -> None:
    wanted = [("lead", 10), ("qualified", 25), ("demo", 40), ("proposal", 60),
              ("negotiation", 80)]
    act(engine, org["admin"], pipeline.set_stages, stages=wanted)
    act(engine, org["admin"], pipeline.set_stages, stages=[("demo", 30), ("lead", 5)])
    with Session(engine) as s:
        current = pipeline.stages_for(s, org["admin"].team_id)
    assert [(st.key, st.probability) for st in current] == [
        ("demo", 30), ("lead", 5), ("won", 100), ("lost", 0)]
    assert audit_actions(engine, "pipeline", org["admin"].team_id) == ["update", "update"]


@pytest.mark.parametrize(("stages", "key"), [
    ([("lead", 10)], "deal.stage_count"),
    ([(f"s{i}", i) for i in range(11)], "deal.stage_count"),
    ([("lead", 10), ("Demo!", 20)], "deal.stage_key"),
    ([("lead", 10), ("演示", 20)], "deal.stage_key"),
    ([("lead", 10), ("x" * 31, 20)], "deal.stage_key"),
    ([("lead", 10), ("won", 20)], "deal.stage_reserved"),
    ([("lead", 10), ("lead", 20)], "deal.stage_duplicate"),
    ([("lead", 10), ("demo", 100)], "deal.stage_probability"),
    ([("lead", -1), ("demo", 50)], "deal.stage_probability"),
])
def test_invalid_pipelines_are_refused_with_a_reason(
    engine: Engine, stages: list[tuple[str, int]], key: str
) -> None:
    admin = make_admin(engine)
    with pytest.raises(Invalid) as err:
        act(engine, admin, pipeline.set_stages, stages=stages)
    assert err.value.key == key
    with Session(engine) as s:
        assert [st.key for st in pipeline.stages_for(s, admin.team_id)][:4] == [
            "lead", "qualified", "proposal", "negotiation"]


def test_only_admins_change_the_pipeline(engine: Engine, org: dict[str, Member]) -> None:
    for who in ("manager", "rep"):
        with pytest.raises(Forbidden):
            act(engine, org[who], pipeline.set_stages, stages=[("a", 10), ("b", 20)])


def test_new_deal_starts_in_first_stage_with_history_and_audit(
    engine: Engine, org: dict[str, Member]
) -> None:
    deal = new_deal(engine, org["rep"])
    row = stored(engine, deal)
    assert (row.stage, row.probability, row.status, row.currency) == (
        "lead", 10, DealStatus.OPEN, "CNY")
    assert row.owner_id == org["rep"].id and row.stage_entered_at == T0
    assert changes(engine, deal) == [(None, "lead", org["rep"].id)]
    assert audit_actions(engine, "deal", deal.id or 0) == ["create"]


def test_new_deal_uses_the_teams_own_first_stage(engine: Engine, org: dict[str, Member]) -> None:
    act(engine, org["admin"], pipeline.set_stages, stages=[("intake", 5), ("demo", 40)])
    deal = new_deal(engine, org["rep"])
    assert (stored(engine, deal).stage, stored(engine, deal).probability) == ("intake", 5)


@pytest.mark.parametrize(("amount", "key"), [
    (0, "deal.amount_zero"), (-100, "deal.amount_negative"),
    (10**16, "error.amount_too_large")])
def test_deal_amount_must_be_positive_and_bounded(
    engine: Engine, org: dict[str, Member], amount: int, key: str
) -> None:
    with pytest.raises(Invalid) as err:
        new_deal(engine, org["rep"], amount=amount)
    assert err.value.key == key
    with Session(engine) as s:
        assert s.exec(select(Deal)).first() is None


def test_blank_or_overlong_title_is_refused(engine: Engine, org: dict[str, Member]) -> None:
    for title, key in ((" \n ", "deal.title_required"), ("x" * 201, "deal.title_too_long")):
        with pytest.raises(Invalid) as err:
            new_deal(engine, org["rep"], title=title)
        assert err.value.key == key


def test_moving_a_deal_records_who_when_and_updates_probability(
    engine: Engine, org: dict[str, Member]
) -> None:
    deal = new_deal(engine, org["rep"])
    later = T0 + timedelta(days=3)
    act(engine, org["rep"], deals.move_stage, deal_id=deal.id, stage="proposal", now=later)
    row = stored(engine, deal)
    assert (row.stage, row.probability) == ("proposal", 50)
    assert row.stage_entered_at == row.last_activity_at == row.updated_at == later
    assert changes(engine, deal)[-1] == ("lead", "proposal", org["rep"].id)
    assert audit_actions(engine, "deal", deal.id or 0) == ["create", "update"]
    history = act(engine, org["rep"], deals.deal_history, deal_id=deal.id)
    assert [(h.from_stage, h.to_stage, h.member) for h in history] == [
        (None, "lead", "Ray Rep"), ("lead", "proposal", "Ray Rep")]


@pytest.mark.parametrize("stage", ["nonsense", "lost", "lead"])
def test_move_to_unknown_lost_or_same_stage_changes_nothing(
    engine: Engine, org: dict[str, Member], stage: str
) -> None:
    deal = new_deal(engine, org["rep"])
    with pytest.raises(Invalid):
        act(engine, org["rep"], deals.move_stage, deal_id=deal.id, stage=stage)
    assert changes(engine, deal) == [(None, "lead", org["rep"].id)]


def test_win_closes_the_deal_and_it_cannot_move_again(
    engine: Engine, org: dict[str, Member]
) -> None:
    deal = new_deal(engine, org["rep"])
    act(engine, org["rep"], deals.move_stage, deal_id=deal.id, stage="won", now=T0)
    row = stored(engine, deal)
    assert (row.status, row.stage, row.probability, row.closed_at) == (
        DealStatus.WON, "won", 100, T0)
    for func, extra in ((deals.move_stage, {"stage": "proposal"}), (deals.win, {}),
                        (deals.lose, {"reason": "x"})):
        with pytest.raises(Invalid) as err:
            act(engine, org["rep"], func, deal_id=deal.id, **extra)
        assert err.value.key == "deal.closed"
    assert changes(engine, deal)[-1] == ("lead", "won", org["rep"].id)


def test_lose_needs_a_reason_and_stores_it(engine: Engine, org: dict[str, Member]) -> None:
    deal = new_deal(engine, org["rep"])
    for reason in ("   ", "x" * 301):
        with pytest.raises(Invalid):
            act(engine, org["rep"], deals.lose, deal_id=deal.id, reason=reason)
    act(engine, org["rep"], deals.lose, deal_id=deal.id, reason="price too high", now=T0)
    row = stored(engine, deal)
    assert (row.status, row.stage, row.probability, row.lost_reason, row.closed_at) == (
        DealStatus.LOST, "lost", 0, "price too high", T0)


def test_rep_cannot_see_or_move_another_reps_deal(engine: Engine, org: dict[str, Member]) -> None:
    deal = new_deal(engine, org["other"])
    for func, extra in ((deals.get_deal, {}), (deals.move_stage, {"stage": "won"}),
                        (deals.win, {}), (deals.lose, {"reason": "x"}),
                        (deals.set_expected_close, {"expected_close": date(2030, 1, 1)}),
                        (deals.deal_card, {})):
        with pytest.raises(NotFound):
            act(engine, org["rep"], func, deal_id=deal.id, **extra)
    assert act(engine, org["rep"], deals.list_open) == []
    assert stored(engine, deal).stage == "lead" and len(changes(engine, deal)) == 1


def test_manager_moves_their_reps_deal_but_not_an_outsiders(
    engine: Engine, org: dict[str, Member]
) -> None:
    mine = new_deal(engine, org["rep"])
    outside = new_deal(engine, org["other"])
    act(engine, org["manager"], deals.move_stage, deal_id=mine.id, stage="qualified")
    assert changes(engine, mine)[-1] == ("lead", "qualified", org["manager"].id)
    with pytest.raises(NotFound):
        act(engine, org["manager"], deals.move_stage, deal_id=outside.id, stage="qualified")
    assert {d.id for d in act(engine, org["manager"], deals.list_open)} == {mine.id}
    assert {d.id for d in act(engine, org["admin"], deals.list_open)} == {mine.id, outside.id}


def test_deals_of_another_team_are_invisible_even_to_its_admin(
    engine: Engine, org: dict[str, Member]
) -> None:
    deal = new_deal(engine, org["rep"])
    with unit_of_work(engine) as s:
        team = Team(name="Rivals")
        s.add(team)
        s.flush()
        stranger = Member(team_id=team.id or 0, telegram_user_id=99_000_001,
                          display_name="Rival admin", role=Role.ADMIN)
        s.add(stranger)
    with pytest.raises(NotFound):
        act(engine, stranger, deals.win, deal_id=deal.id)
    assert act(engine, stranger, deals.list_open) == []


def test_deal_in_a_removed_stage_still_shows_and_can_move(
    engine: Engine, org: dict[str, Member]
) -> None:
    deal = new_deal(engine, org["rep"])
    act(engine, org["rep"], deals.move_stage, deal_id=deal.id, stage="proposal")
    act(engine, org["admin"], pipeline.set_stages, stages=[("lead", 10), ("demo", 40)])
    groups = act(engine, org["rep"], deals.open_pipeline)
    assert [(g.stage.key, g.known, len(g.deals)) for g in groups] == [("proposal", False, 1)]
    card = act(engine, org["rep"], deals.deal_card, deal_id=deal.id)
    assert card.stage is None and [s.key for s in card.open_stages] == ["lead", "demo"]
    act(engine, org["rep"], deals.move_stage, deal_id=deal.id, stage="demo")
    assert (stored(engine, deal).stage, stored(engine, deal).probability) == ("demo", 40)


def test_open_pipeline_groups_in_stage_order_with_weighted_totals(
    engine: Engine, org: dict[str, Member]
) -> None:
    contact = make_contact(engine, owner=org["rep"], name="李娜")
    a = new_deal(engine, org["rep"], contact=contact, amount=1_000_000)
    b = new_deal(engine, org["rep"], contact=contact, amount=3_000_000)
    new_deal(engine, org["rep"], contact=contact, amount=2_000_000)
    act(engine, org["rep"], deals.move_stage, deal_id=a.id, stage="negotiation")
    act(engine, org["rep"], deals.win, deal_id=b.id)
    groups = act(engine, org["rep"], deals.open_pipeline)
    assert [(g.stage.key, len(g.deals), g.total, g.weighted) for g in groups] == [
        ("lead", 1, 2_000_000, 200_000), ("negotiation", 1, 1_000_000, 800_000)]


def test_find_open_deals_by_title_or_contact_pinyin(
    engine: Engine, org: dict[str, Member]
) -> None:
    zhang = make_contact(engine, owner=org["rep"], name="张伟")
    li = make_contact(engine, owner=org["rep"], name="李娜")
    erp = new_deal(engine, org["rep"], contact=zhang, title="ERP upgrade")
    crm = new_deal(engine, org["rep"], contact=li, title="CRM rollout")
    found, sure = act(engine, org["rep"], deals.find_open_deals, query="CRM rollout")
    assert found[0].id == crm.id and sure
    found, sure = act(engine, org["rep"], deals.find_open_deals, query="zhangwei")
    assert found[0].id == erp.id and sure
    assert act(engine, org["rep"], deals.find_open_deals, query="qqqqqq") == ([], False)


def test_expected_close_can_be_set_and_cleared(engine: Engine, org: dict[str, Member]) -> None:
    deal = new_deal(engine, org["rep"])
    act(engine, org["rep"], deals.set_expected_close, deal_id=deal.id,
        expected_close=date(2030, 6, 30))
    assert stored(engine, deal).expected_close == date(2030, 6, 30)
    act(engine, org["rep"], deals.set_expected_close, deal_id=deal.id, expected_close=None)
    assert stored(engine, deal).expected_close is None
    assert audit_actions(engine, "deal", deal.id or 0) == ["create", "update", "update"]
