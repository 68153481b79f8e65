"""Loyalty: points never below zero without an admin override, tiers, coupons used once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.errors import Forbidden, Invalid, NotFound
from crm_store.models import AuditLog, Coupon, LoyaltyEntry, Member, Role, Team
from crm_store.outreach import loyalty
from crm_store.sales import orders
from tests.builders import make_admin, make_contact, make_member


@pytest.fixture
def team(engine: Engine):  # type: ignore[no-untyped-def]
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Mia")
    rep = make_member(engine, by=manager, name="Ray")
    other = make_member(engine, by=admin, name="Olga")
    contact = make_contact(engine, owner=rep, name="张伟", company="华东机械")
    return admin, manager, rep, other, contact


def _points(engine: Engine, who: Member, contact_id: int, delta: int, **kw):  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        actor = s.get(Member, who.id)
        assert actor is not None
        return loyalty.change_points(s, actor=actor, contact_id=contact_id, delta=delta,
                                     reason=kw.pop("reason", "gift"), **kw)


def _standing(engine: Engine, who: Member, contact_id: int) -> loyalty.Standing:
    with unit_of_work(engine) as s:
        actor = s.get(Member, who.id)
        assert actor is not None
        return loyalty.standing(s, actor=actor, contact_id=contact_id)


def test_points_add_and_take_keep_a_running_balance(engine: Engine, team) -> None:
    _, _, rep, _, contact = team
    _points(engine, rep, contact.id, 300)
    entry = _points(engine, rep, contact.id, -120, reason="gift redeemed")
    assert entry.balance_after == 180
    assert _standing(engine, rep, contact.id).points == 180


def test_points_never_go_negative_without_admin_override(engine: Engine, team) -> None:
    admin, manager, rep, _, contact = team
    _points(engine, rep, contact.id, 100)
    for who in (rep, manager, admin):
        with pytest.raises(Invalid) as refused:
            _points(engine, who, contact.id, -101)
        assert refused.value.key == "points.would_go_negative"
    for who in (rep, manager):
        with pytest.raises(Forbidden):
            _points(engine, who, contact.id, -101, override=True)
    assert _standing(engine, rep, contact.id).points == 100
    entry = _points(engine, admin, contact.id, -150, override=True, reason="refund clawback")
    assert entry.kind == loyalty.OVERRIDE and entry.balance_after == -50
    with pytest.raises(Invalid):
        _points(engine, admin, contact.id, -1)  # still below zero: each step needs an override


def test_points_need_a_reason_and_a_sane_amount(engine: Engine, team) -> None:
    _, _, rep, _, contact = team
    for delta, reason, key in ((0, "x", "points.bad_delta"), (10**9, "x", "points.bad_delta"),
                               (5, "  ", "points.need_reason")):
        with pytest.raises(Invalid) as bad:
            _points(engine, rep, contact.id, delta, reason=reason)
        assert bad.value.key == key


def test_another_reps_customer_is_not_found(engine: Engine, team) -> None:
    _, _, _, other, contact = team
    with pytest.raises(NotFound):
        _points(engine, other, contact.id, 10)


def test_every_points_change_is_audited(engine: Engine, team) -> None:
    _, _, rep, _, contact = team
    entry = _points(engine, rep, contact.id, 10)
    with unit_of_work(engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.entity == "loyalty",
                                             AuditLog.entity_id == entry.id)).all()
    assert len(rows) == 1 and rows[0].after and rows[0].after["delta"] == 10


def test_an_order_earns_points_at_the_team_rate_once(engine: Engine, team) -> None:
    _, _, rep, _, contact = team
    with unit_of_work(engine) as s:
        t = s.get(Team, rep.team_id)
        assert t is not None
        t.settings = {**t.settings, "loyalty_points_per_unit": 2}
        s.add(t)
    with unit_of_work(engine) as s:
        actor = s.get(Member, rep.id)
        assert actor is not None
        order = orders.create_order(s, actor=actor, contact_id=contact.id or 0,
                                    amount_minor=1_234_56)  # ¥1,234.56 → 2,469 points
        assert loyalty.award_for_order(s, actor=actor, order=order) is None  # not twice
    with unit_of_work(engine) as s:
        entries = s.exec(select(LoyaltyEntry)).all()
    assert [(e.kind, e.delta, e.order_id) for e in entries] == [("order", 2469, order.id)]
    assert entries[0].expires_at is not None


def test_tier_follows_points_and_configured_thresholds(engine: Engine, team) -> None:
    _, _, rep, _, contact = team
    with unit_of_work(engine) as s:
        t = s.get(Team, rep.team_id)
        assert t is not None
        t.settings = {"loyalty_tiers": [["gold", 500], ["silver", 100]]}
        s.add(t)
    assert _standing(engine, rep, contact.id).tier is None
    _points(engine, rep, contact.id, 100)
    now = _standing(engine, rep, contact.id)
    assert now.tier == "silver" and now.next_tier == ("gold", 400)
    _points(engine, rep, contact.id, 400)
    assert _standing(engine, rep, contact.id).tier == "gold"


def test_default_tiers() -> None:
    rules = loyalty.rules_for(None)
    assert loyalty.tier_for(4_999, rules) is None
    assert loyalty.tier_for(5_000, rules) == "silver"
    assert loyalty.tier_for(50_000, rules) == "platinum"


def _issue(engine: Engine, who: Member, contact_id: int, **kw) -> Coupon:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        actor = s.get(Member, who.id)
        assert actor is not None
        return loyalty.issue_coupon(s, actor=actor, contact_id=contact_id,
                                    value_minor=kw.pop("value_minor", 20_000), **kw)


def _redeem(engine: Engine, who: Member, code: str) -> Coupon:
    with unit_of_work(engine) as s:
        actor = s.get(Member, who.id)
        assert actor is not None
        return loyalty.redeem_coupon(s, actor=actor, code=code)


def test_a_coupon_cannot_be_redeemed_twice(engine: Engine, team) -> None:
    _, manager, rep, _, contact = team
    coupon = _issue(engine, rep, contact.id)
    assert len(coupon.code) == loyalty.CODE_LENGTH
    assert [c.code for c in _standing(engine, rep, contact.id).coupons] == [coupon.code]
    used = _redeem(engine, rep, coupon.code.lower())
    assert used.redeemed_at is not None and used.redeemed_by_id == rep.id
    with pytest.raises(Invalid) as again:
        _redeem(engine, manager, coupon.code)
    assert again.value.key == "coupon.already_redeemed"
    assert _standing(engine, rep, contact.id).coupons == []
    with unit_of_work(engine) as s:
        actions = [a.action for a in s.exec(select(AuditLog).where(
            AuditLog.entity == "coupon", AuditLog.entity_id == coupon.id))]
    assert actions == ["create", "update"]


def test_expired_and_foreign_coupons_are_refused(engine: Engine, team) -> None:
    _, _, rep, other, contact = team
    old = _issue(engine, rep, contact.id, days=1, now=utcnow() - timedelta(days=2))
    with pytest.raises(Invalid) as expired:
        _redeem(engine, rep, old.code)
    assert expired.value.key == "coupon.expired"
    fresh = _issue(engine, rep, contact.id)
    with pytest.raises(NotFound):
        _redeem(engine, other, fresh.code)
    with pytest.raises(NotFound):
        _redeem(engine, rep, "NOSUCHCODE")
    with pytest.raises(Invalid):
        _issue(engine, rep, contact.id, value_minor=0)


def test_concurrent_redemptions_let_exactly_one_through(engine: Engine, team) -> None:
    admin, manager, rep, _, contact = team
    coupon = _issue(engine, rep, contact.id)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def redeem(who: Member) -> None:
        barrier.wait()
        try:
            _redeem(engine, who, coupon.code)
            outcomes.append("ok")
        except Invalid as exc:
            outcomes.append(exc.key)
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=redeem, args=(who,))
               for who in (admin, manager, rep) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["coupon.already_redeemed"] * 5 + ["ok"]


def test_concurrent_deductions_never_overdraw(engine: Engine, team) -> None:
    _, manager, rep, _, contact = team
    _points(engine, rep, contact.id, 100)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def take(who: Member) -> None:
        barrier.wait()
        try:
            _points(engine, who, contact.id, -60)
            outcomes.append("ok")
        except Invalid as exc:
            outcomes.append(exc.key)
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=take, args=(who,)) for who in (rep, manager) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["points.would_go_negative"] * 3
    assert _standing(engine, rep, contact.id).points == 40


def test_erasure_exports_and_blanks_points_reasons_and_coupon_notes(engine: Engine, team) -> None:
    from crm_store.records import erasure

    admin, _, rep, _, contact = team
    _points(engine, rep, contact.id, 50, reason="met 张伟 at home, 13800138000")
    _issue(engine, rep, contact.id, note="for 张伟's daughter")
    with unit_of_work(engine) as s:
        actor = s.get(Member, admin.id)
        assert actor is not None
        data = erasure.export_contact(s, actor=actor, contact_id=contact.id or 0)
        erasure.erase_contact(s, actor=actor, contact_id=contact.id or 0)
    assert [e["delta"] for e in data["loyalty"]] == [50] and len(data["coupons"]) == 1
    with unit_of_work(engine) as s:
        assert [e.reason for e in s.exec(select(LoyaltyEntry))] == [""]
        assert [c.note for c in s.exec(select(Coupon))] == [""]
        rows = s.exec(select(AuditLog).where(AuditLog.entity == "loyalty")).all()
        assert all((r.after or {}).get("reason") is None for r in rows)
    assert _standing(engine, rep, contact.id).points == 50  # the figures stay
