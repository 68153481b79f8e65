"""Manager digest: once a day at the chosen hour, figures of the manager's own hierarchy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from crm_store.analytics.digest_figures import FIGURES, daily_figures
from crm_store.db import unit_of_work
from crm_store.models import (
    Contact,
    FeedbackKind,
    InteractionKind,
    Member,
    Outbox,
    Role,
    Team,
)
from crm_store.sales import activity, deals, feedback, orders, tasks
from scheduler.digest import produce_digests
from tests.builders import make_admin, make_contact, make_member
from tests.scheduler.helpers import FakeClock, acting, change

# Shanghai is UTC+8: its 10 March runs from 9 March 16:00 UTC to 10 March 16:00 UTC.
DAY_START = datetime(2026, 3, 9, 16, tzinfo=UTC)
EVENING = datetime(2026, 3, 10, 10, tzinfo=UTC)  # 18:00 in Shanghai, the default digest hour
YESTERDAY = datetime(2026, 3, 9, 10, tzinfo=UTC)
LONG_AGO = datetime(2026, 2, 1, tzinfo=UTC)




def customer(engine: Engine, owner: Member, name: str, created: datetime) -> Contact:
    contact = make_contact(engine, owner=owner, name=name)
    change(engine, Contact, contact.id, created_at=created)
    return contact


def at(hours: float) -> datetime:
    """A time on Shanghai's 10 March, `hours` after its local midnight."""
    return DAY_START + timedelta(hours=hours)


def digests(engine: Engine) -> list[Outbox]:
    with unit_of_work(engine) as s:
        return list(s.exec(select(Outbox).where(Outbox.kind == "digest")
                           .order_by(col(Outbox.id))))


@pytest.fixture
def org(engine: Engine) -> dict[str, Member]:
    """admin → manager → rep "li"; rep "wu" reports to the admin only; with a day of work."""
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Manager")
    li = make_member(engine, by=manager, name="Li")
    wu = make_member(engine, by=admin, name="Wu")
    _li_day(engine, li)
    _wu_day(engine, wu)
    return {"admin": admin, "manager": manager, "li": li, "wu": wu}


def _li_day(engine: Engine, li: Member) -> None:
    alpha = customer(engine, li, "Alpha", at(10))
    beta = customer(engine, li, "Beta", LONG_AGO)
    gamma = customer(engine, li, "Gamma", at(1))
    with acting(engine, li) as (s, me):
        for kind, when, who in ((InteractionKind.CALL, at(9), alpha),
                                (InteractionKind.CALL, at(11), alpha),
                                (InteractionKind.VISIT, at(12), beta),
                                (InteractionKind.CALL, YESTERDAY, beta)):
            activity.log_interaction(s, actor=me, contact_id=who.id or 0, kind=kind, text="x",
                                     at=when)
        fresh = deals.create_deal(s, actor=me, contact_id=alpha.id or 0, title="New",
                                  amount_minor=1_000, now=at(10))
        deals.move_stage(s, actor=me, deal_id=fresh.id or 0, stage="qualified", now=at(11))
        big = deals.create_deal(s, actor=me, contact_id=beta.id or 0, title="Big",
                                amount_minor=5_000, now=LONG_AGO)
        deals.win(s, actor=me, deal_id=big.id or 0, now=at(13))
        old = deals.create_deal(s, actor=me, contact_id=beta.id or 0, title="Old",
                                amount_minor=700, now=LONG_AGO)
        deals.move_stage(s, actor=me, deal_id=old.id or 0, stage="proposal", now=YESTERDAY)
        today = orders.create_order(s, actor=me, contact_id=alpha.id or 0, amount_minor=2_000,
                                    at=at(14))
        void = orders.create_order(s, actor=me, contact_id=beta.id or 0, amount_minor=999,
                                   at=at(14))
        void.status = "cancelled"
        earlier = orders.create_order(s, actor=me, contact_id=beta.id or 0,
                                      amount_minor=3_000, at=LONG_AGO)
        for order, amount, when in ((today, 500, at(15)), (earlier, 1_000, YESTERDAY),
                                    (earlier, 300, at(1))):
            orders.record_payment(s, actor=me, order_id=order.id or 0, amount_minor=amount,
                                  at=when)
        tasks.create_task(s, actor=me, contact_id=alpha.id or 0, due_at=at(10), text="call",
                          now=YESTERDAY)
        tasks.create_task(s, actor=me, contact_id=alpha.id or 0, due_at=at(30), text="later",
                          now=YESTERDAY)
        done = tasks.create_task(s, actor=me, contact_id=beta.id or 0, due_at=at(2),
                                 text="done", now=YESTERDAY)
        tasks.complete_task(s, actor=me, task_id=done.id or 0, now=at(3))
        for when in (at(8), at(16)):  # 10 h and 2 h before the evening digest
            feedback.log_feedback(s, actor=me, contact_id=gamma.id or 0,
                                  kind=FeedbackKind.COMPLAINT, text="late", severity="high",
                                  at=when)


def _wu_day(engine: Engine, wu: Member) -> None:
    delta = customer(engine, wu, "Delta", at(9))
    omega = customer(engine, wu, "Omega", LONG_AGO)
    with acting(engine, wu) as (s, me):
        activity.log_interaction(s, actor=me, contact_id=delta.id or 0,
                                 kind=InteractionKind.CALL, text="x", at=at(10))
        activity.log_interaction(s, actor=me, contact_id=delta.id or 0,
                                 kind=InteractionKind.MEETING, text="x", at=at(11))
        orders.create_order(s, actor=me, contact_id=delta.id or 0, amount_minor=700, at=at(12))
        tasks.create_task(s, actor=me, contact_id=delta.id or 0, due_at=at(12), text="t",
                          now=YESTERDAY)
        feedback.log_feedback(s, actor=me, contact_id=omega.id or 0,
                              kind=FeedbackKind.COMPLAINT, text="old", severity="low",
                              at=YESTERDAY)


MANAGER_FIGURES = {
    "calls": 2, "visits": 1, "meetings": 0, "new_contacts": 2, "new_deals": 1,
    "stage_moves": 2, "deals_won": 1, "won_minor": 5_000, "orders": 1,
    "orders_minor": 2_000, "payments_minor": 800, "tasks_overdue": 1,
    "complaints_open": 2, "sla_breaches": 1,
}
ADMIN_FIGURES = {
    "calls": 3, "visits": 1, "meetings": 1, "new_contacts": 3, "new_deals": 1,
    "stage_moves": 2, "deals_won": 1, "won_minor": 5_000, "orders": 2,
    "orders_minor": 2_700, "payments_minor": 800, "tasks_overdue": 2,
    "complaints_open": 3, "sla_breaches": 2,
}


def test_evening_digest_arrives_at_six_once_with_the_managers_hierarchy_only(
    engine: Engine, org: dict[str, Member]
) -> None:
    clock = FakeClock(EVENING - timedelta(minutes=1))
    assert produce_digests(engine, clock.now()) == 0
    clock.at = EVENING
    assert produce_digests(engine, clock.now()) == 2  # the manager and the admin, not the reps
    clock.at = EVENING + timedelta(hours=3)
    assert produce_digests(engine, clock.now()) == 0

    admin_row, manager_row = sorted(digests(engine), key=lambda r: r.member_id)
    assert manager_row.member_id == org["manager"].id
    assert manager_row.dedupe_key == f"digest:{org['manager'].id}:2026-03-10"
    assert manager_row.due_at == EVENING
    assert manager_row.payload == {"period": "day", "date": "2026-03-10",
                                   "figures": MANAGER_FIGURES, "currency": "CNY"}
    assert admin_row.member_id == org["admin"].id
    assert admin_row.payload["figures"] == ADMIN_FIGURES


def test_digest_comes_again_the_next_day(engine: Engine, org: dict[str, Member]) -> None:
    produce_digests(engine, EVENING)
    assert produce_digests(engine, EVENING + timedelta(days=1)) == 2

    dates = sorted(r.dedupe_key.rsplit(":", 1)[1] for r in digests(engine)
                   if r.member_id == org["manager"].id)
    assert dates == ["2026-03-10", "2026-03-11"]


def test_morning_digest_hour_reports_the_whole_of_yesterday(
    engine: Engine, org: dict[str, Member]
) -> None:
    change(engine, Member, org["manager"].id, digest_hour=8)
    morning = DAY_START + timedelta(days=1, hours=8)  # 08:00 on 11 March in Shanghai

    assert produce_digests(engine, morning - timedelta(minutes=1)) == 0
    assert produce_digests(engine, morning) == 1  # the admin's default hour is 18

    [row] = digests(engine)
    assert row.dedupe_key == f"digest:{org['manager'].id}:2026-03-11"
    assert row.payload["date"] == "2026-03-10"
    assert row.payload["figures"]["calls"] == 2
    assert row.payload["figures"]["sla_breaches"] == 2  # both are late by now


def test_team_default_digest_hour_applies_when_the_manager_chose_none(
    engine: Engine, org: dict[str, Member]
) -> None:
    change(engine, Team, org["admin"].team_id, settings={"digest_hour_default": 20})

    assert produce_digests(engine, EVENING) == 0
    assert produce_digests(engine, EVENING + timedelta(hours=2)) == 2


def test_inactive_managers_get_no_digest(engine: Engine, org: dict[str, Member]) -> None:
    change(engine, Member, org["manager"].id, active=False)

    assert produce_digests(engine, EVENING) == 1
    assert [r.member_id for r in digests(engine)] == [org["admin"].id]


def test_a_rep_asking_for_figures_sees_only_their_own_work(
    engine: Engine, org: dict[str, Member]
) -> None:
    with acting(engine, org["wu"]) as (s, wu):
        figures = daily_figures(s, actor=wu, start_utc=DAY_START, end_utc=EVENING)

    assert list(figures) == list(FIGURES)
    assert (figures["calls"], figures["meetings"], figures["orders_minor"]) == (1, 1, 700)
    assert figures["sla_breaches"] == 1
