"""Expiring points and coupons: lapsed points leave the balance, owners hear two weeks ahead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from crm_store.db import unit_of_work
from crm_store.messaging import reminder_kinds as rk
from crm_store.models import AuditLog, LoyaltyEntry, Member, Outbox
from crm_store.outreach import loyalty, loyalty_expiry
from crm_store.sales import orders
from handlers.reminders.views import render_reminder
from scheduler.care import produce_care
from tests.builders import make_admin, make_contact, make_member
from tests.scheduler.helpers import acting

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def entry(delta: int, days: int | None, n: int) -> LoyaltyEntry:
    at = NOW + timedelta(days=days) if days is not None else None
    return LoyaltyEntry(id=n, team_id=1, contact_id=1, kind="manual", delta=delta,
                        balance_after=0, expires_at=at, created_at=NOW)


def test_deductions_use_the_earliest_lapsing_points_first() -> None:
    entries = [entry(100, 30, 1), entry(50, 5, 2), entry(-70, None, 3), entry(40, None, 4)]
    assert [(e and (e - NOW).days, n) for e, n in loyalty_expiry.unspent_grants(entries)] == [
        (30, 80), (None, 40)]
    assert loyalty_expiry.unspent_grants([entry(10, 1, 1), entry(-20, None, 2)]) == []


def test_lapsed_points_expire_and_expiring_rewards_reach_the_owner_once(engine: Engine) -> None:
    admin = make_admin(engine)
    rep = make_member(engine, by=admin, name="Li")
    zhang = make_contact(engine, owner=rep, name="张伟")
    john = make_contact(engine, owner=rep, name="John Smith")
    with acting(engine, rep) as (s, me):
        # 500 points earned 375 days ago lapsed 10 days ago; 120 of them were spent.
        orders.create_order(s, actor=me, contact_id=zhang.id or 0, amount_minor=50_000,
                            at=NOW - timedelta(days=375))
        loyalty.change_points(s, actor=me, contact_id=zhang.id or 0, delta=-120, reason="gift",
                              now=NOW - timedelta(days=300))
        # 300 points earned 355 days ago lapse in 10 days.
        orders.create_order(s, actor=me, contact_id=zhang.id or 0, amount_minor=30_000,
                            at=NOW - timedelta(days=355))
        coupon = loyalty.issue_coupon(s, actor=me, contact_id=john.id or 0, value_minor=20_000,
                                      days=7, now=NOW)
        loyalty.issue_coupon(s, actor=me, contact_id=john.id or 0, value_minor=9_900, days=60,
                             now=NOW)
    assert produce_care(engine, NOW) == 2
    assert produce_care(engine, NOW + timedelta(hours=1)) == 0
    with unit_of_work(engine) as s:
        lapsed = s.exec(select(LoyaltyEntry).where(LoyaltyEntry.kind == "expire")).all()
        rows = list(s.exec(select(Outbox).where(Outbox.kind == rk.LOYALTY_EXPIRING)
                           .order_by(col(Outbox.id))))
        audited = s.exec(select(AuditLog).where(AuditLog.entity == "loyalty",
                                                AuditLog.actor_id.is_(None))).all()  # type: ignore[union-attr]
        member = s.get(Member, rep.id)
    assert [(e.delta, e.balance_after) for e in lapsed] == [(-380, 300)]
    assert len(audited) == 1
    assert {r.member_id for r in rows} == {member.id if member else None}
    by_name = {r.payload["contact_name"]: r.payload for r in rows}
    assert by_name["张伟"]["points"] == 300 and by_name["张伟"]["coupons"] == []
    assert [c["code"] for c in by_name["John Smith"]["coupons"]] == [coupon.code]
    text = render_reminder(kind=rk.LOYALTY_EXPIRING, payload=by_name["John Smith"],
                           outbox_id=1, language="en", timezone="Asia/Shanghai", now=NOW).text
    assert coupon.code in text and "¥200" in text
    # Running the expiry again takes nothing more.
    produce_care(engine, NOW + timedelta(hours=2))
    with unit_of_work(engine) as s:
        assert len(s.exec(select(LoyaltyEntry).where(LoyaltyEntry.kind == "expire")).all()) == 1
