"""Churn risk: customers silent for much longer than their usual gap between orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from crm_store.analytics import churn
from crm_store.db import unit_of_work
from crm_store.models import Contact, FeedbackKind, Member, Order, Team
from crm_store.sales import feedback
from tests.builders import make_admin, make_contact, make_member

NOW = datetime(2024, 10, 23, 2, 0, tzinfo=UTC)
AMOUNT = 100_000


@pytest.fixture
def rep(engine: Engine) -> Member:
    return make_member(engine, by=make_admin(engine), name="Ray Rep")


def customer(engine: Engine, owner: Member, name: str, *, silent_days: float, orders: int,
             gap_days: float, amount: int = AMOUNT, status: str = "open") -> Contact:
    """A customer whose `orders` orders came `gap_days` apart, the last `silent_days` ago."""
    contact = make_contact(engine, owner=owner, name=name)
    last = NOW - timedelta(days=silent_days)
    with unit_of_work(engine) as s:
        for n in range(orders):
            s.add(Order(team_id=owner.team_id, owner_id=owner.id or 0,
                        contact_id=contact.id or 0, amount_minor=amount, status=status,
                        ordered_at=last - timedelta(days=gap_days * n)))
    return contact


def risks(engine: Engine, member: Member, **kwargs: object) -> dict[int, churn.ChurnRisk]:
    with unit_of_work(engine) as s:
        found = churn.at_risk(s, member.team_id, NOW, **kwargs)  # type: ignore[arg-type]
    return {r.contact_id: r for r in found}


def set_rules(engine: Engine, member: Member, **settings: object) -> None:
    with unit_of_work(engine) as s:
        team = s.get(Team, member.team_id)
        assert team is not None
        team.settings = settings
        s.add(team)


def test_monthly_buyer_silent_for_100_days_is_at_risk(engine: Engine, rep: Member):
    contact = customer(engine, rep, "王芳", silent_days=100, orders=5, gap_days=30)
    risk = risks(engine, rep)[contact.id or 0]
    assert risk.ratio > 2
    assert (risk.days_since, risk.usual_gap_days, risk.reasons) == (100, 30, ("gap",))
    assert (risk.owner_id, risk.contact_name, risk.orders) == (rep.id, "王芳", 5)


def test_monthly_buyer_silent_for_40_days_is_not_at_risk(engine: Engine, rep: Member):
    customer(engine, rep, "李雷", silent_days=40, orders=5, gap_days=30)
    assert risks(engine, rep) == {}


def test_customer_with_two_orders_is_judged_by_the_fallback_gap(engine: Engine, rep: Member):
    # Their own gap (10 days) says nothing yet: the team has too little data, so 60 days.
    quiet = customer(engine, rep, "Quiet Co", silent_days=130, orders=2, gap_days=10)
    customer(engine, rep, "Recent Co", silent_days=100, orders=2, gap_days=10)
    found = risks(engine, rep)
    assert list(found) == [quiet.id]
    assert found[quiet.id or 0].usual_gap_days == 60


def test_customer_with_two_orders_uses_the_team_median_when_known(engine: Engine, rep: Member):
    for name in ("A", "B", "C"):
        customer(engine, rep, name, silent_days=5, orders=5, gap_days=20)
    newer = customer(engine, rep, "Newer", silent_days=50, orders=2, gap_days=90)
    found = risks(engine, rep)
    assert list(found) == [newer.id]
    assert found[newer.id or 0].usual_gap_days == 20


def test_open_complaint_raises_the_score(engine: Engine, rep: Member):
    calm = customer(engine, rep, "Calm", silent_days=100, orders=5, gap_days=30)
    angry = customer(engine, rep, "Angry", silent_days=100, orders=5, gap_days=30)
    with unit_of_work(engine) as s:
        actor = s.get(Member, rep.id)
        assert actor is not None
        feedback.log_feedback(s, actor=actor, contact_id=angry.id or 0,
                              kind=FeedbackKind.COMPLAINT, text="late", severity="high",
                              at=NOW - timedelta(days=3))
    found = risks(engine, rep)
    assert found[angry.id or 0].score > found[calm.id or 0].score
    assert found[angry.id or 0].reasons == ("gap", "complaint_open")


def test_latest_low_csat_is_a_reason_but_an_old_one_is_not(engine: Engine, rep: Member):
    unhappy = customer(engine, rep, "Unhappy", silent_days=100, orders=5, gap_days=30)
    recovered = customer(engine, rep, "Recovered", silent_days=100, orders=5, gap_days=30)
    with unit_of_work(engine) as s:
        actor = s.get(Member, rep.id)
        assert actor is not None
        for contact, scores in ((unhappy, (5, 2)), (recovered, (1, 5))):
            for days_ago, score in zip((20, 10), scores, strict=True):
                feedback.rate_csat(s, actor=actor, contact_id=contact.id or 0, score=score,
                                   at=NOW - timedelta(days=days_ago))
    found = risks(engine, rep)
    assert found[unhappy.id or 0].reasons == ("gap", "low_csat")
    assert found[recovered.id or 0].reasons == ("gap",)
    assert found[unhappy.id or 0].score > found[recovered.id or 0].score


def test_score_rises_the_longer_the_silence(engine: Engine, rep: Member):
    shorter = customer(engine, rep, "Shorter", silent_days=70, orders=5, gap_days=30)
    longer = customer(engine, rep, "Longer", silent_days=200, orders=5, gap_days=30)
    found = risks(engine, rep)
    assert found[longer.id or 0].score > found[shorter.id or 0].score


def test_value_is_last_years_revenue_and_the_list_puts_most_value_first(
    engine: Engine, rep: Member
):
    small = customer(engine, rep, "Small", silent_days=100, orders=5, gap_days=30)
    big = customer(engine, rep, "Big", silent_days=100, orders=5, gap_days=30, amount=900_000)
    with unit_of_work(engine) as s:
        ranked = churn.at_risk(s, rep.team_id, NOW)
    assert [r.contact_id for r in ranked] == [big.id, small.id]
    # Orders 100..340 days ago count; none is older than a year.
    assert ranked[1].value_minor == 5 * AMOUNT
    old = customer(engine, rep, "Old", silent_days=300, orders=5, gap_days=30)
    assert risks(engine, rep)[old.id or 0].value_minor == 3 * AMOUNT  # 300, 330, 360 days


def test_team_churn_multiple_setting_is_respected(engine: Engine, rep: Member):
    customer(engine, rep, "王芳", silent_days=100, orders=5, gap_days=30)
    set_rules(engine, rep, churn_multiple=4)
    assert risks(engine, rep) == {}


def test_cancelled_orders_deleted_customers_and_other_owners_are_left_out(
    engine: Engine, rep: Member
):
    customer(engine, rep, "Cancelled", silent_days=100, orders=5, gap_days=30,
             status="cancelled")
    gone = customer(engine, rep, "Gone", silent_days=100, orders=5, gap_days=30)
    with unit_of_work(engine) as s:
        row = s.get(Contact, gone.id)
        assert row is not None
        row.deleted_at = NOW
        s.add(row)
    mine = customer(engine, rep, "Mine", silent_days=100, orders=5, gap_days=30)
    assert list(risks(engine, rep)) == [mine.id]
    assert risks(engine, rep, owner_ids={-1}) == {}


def test_other_teams_customers_never_appear(engine: Engine, rep: Member):
    customer(engine, rep, "王芳", silent_days=100, orders=5, gap_days=30)
    with unit_of_work(engine) as s:
        team = Team(name="Rivals")
        s.add(team)
        s.flush()
        assert churn.at_risk(s, team.id or 0, NOW) == []
