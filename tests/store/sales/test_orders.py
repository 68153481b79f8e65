"""Orders, payments and receivables in the store: money in minor units, visibility, audit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store.db import unit_of_work
from crm_store.errors import Invalid, NotFound
from crm_store.models import AuditLog, Contact, Member, Order, Payment, Role, Team
from crm_store.sales import orders
from tests.builders import make_admin, make_contact, make_member

NOW = datetime(2025, 3, 1, 4, 0, tzinfo=UTC)


@pytest.fixture
def org(engine: Engine) -> dict[str, Member]:
    """admin → manager → rep; another rep under the admin."""
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Manager")
    rep = make_member(engine, by=manager, name="Rep")
    other = make_member(engine, by=admin, name="Other rep")
    return {"admin": admin, "manager": manager, "rep": rep, "other": other}


@contextmanager
def acting(engine: Engine, member: Member) -> Iterator[tuple[Session, Member]]:
    """A unit of work and the member, loaded in it."""
    with unit_of_work(engine) as s:
        me = s.get(Member, member.id)
        assert me is not None
        yield s, me


def add_order(engine: Engine, actor: Member, contact: Contact, amount: int, *,
              days_ago: int = 0, margin: int | None = None, note: str = "") -> Order:
    with acting(engine, actor) as (s, me):
        return orders.create_order(s, actor=me, contact_id=contact.id or 0, amount_minor=amount,
                                   margin_minor=margin, note=note,
                                   at=NOW - timedelta(days=days_ago))


def pay(engine: Engine, actor: Member, order: Order, amount: int) -> orders.PaymentResult:
    with acting(engine, actor) as (s, me):
        return orders.record_payment(s, actor=me, order_id=order.id or 0, amount_minor=amount,
                                     at=NOW)


def test_order_belongs_to_the_customers_owner_in_team_currency(
    engine: Engine, org: dict[str, Member]
) -> None:
    customer = make_contact(engine, owner=org["rep"], name="张伟")
    made = add_order(engine, org["manager"], customer, 5_000_000, margin=1_500_000, note="阀门")
    with Session(engine) as s:
        stored = s.get(Order, made.id)
        team = s.get(Team, org["rep"].team_id)
        assert stored is not None and team is not None
        assert stored.owner_id == org["rep"].id  # not the manager who typed it
        assert (stored.amount_minor, stored.margin_minor, stored.paid_minor) == (
            5_000_000, 1_500_000, 0)
        assert stored.currency == team.currency and stored.status == "open"
        assert stored.ordered_at == NOW and stored.ordered_at.tzinfo is not None
        audit = s.exec(select(AuditLog).where(AuditLog.entity == "order")).one()
        assert audit.actor_id == org["manager"].id and audit.after is not None
        assert audit.after["amount_minor"] == 5_000_000


@pytest.mark.parametrize(("amount", "margin", "key"), [
    (0, None, "order.amount_positive"),
    (-100, None, "order.amount_positive"),
    (10**16, None, "order.amount_positive"),
    (10_000, 10_001, "order.margin_too_large"),
    (10_000, -1, "order.margin_negative"),
])
def test_bad_amounts_are_refused(
    engine: Engine, org: dict[str, Member], amount: int, margin: int | None, key: str
) -> None:
    customer = make_contact(engine, owner=org["rep"], name="李娜")
    with acting(engine, org["rep"]) as (s, me), pytest.raises(Invalid) as caught:
        orders.create_order(s, actor=me, contact_id=customer.id or 0, amount_minor=amount,
                            margin_minor=margin)
    assert caught.value.key == key


def test_rep_cannot_order_for_see_or_pay_another_reps_customer(
    engine: Engine, org: dict[str, Member]
) -> None:
    theirs = make_contact(engine, owner=org["other"], name="王芳")
    order = add_order(engine, org["admin"], theirs, 100_000)
    with acting(engine, org["rep"]) as (s, me):
        with pytest.raises(NotFound):
            orders.create_order(s, actor=me, contact_id=theirs.id or 0, amount_minor=100)
        with pytest.raises(NotFound):
            orders.get_order(s, actor=me, order_id=order.id or 0)
        with pytest.raises(NotFound):
            orders.record_payment(s, actor=me, order_id=order.id or 0, amount_minor=100)
    with Session(engine) as s:
        assert s.exec(select(Payment)).first() is None


def test_orders_of_another_team_are_never_visible(engine: Engine, org: dict[str, Member]) -> None:
    customer = make_contact(engine, owner=org["rep"], name="赵强")
    order = add_order(engine, org["rep"], customer, 100_000)
    with unit_of_work(engine) as s:
        team = Team(name="Rivals")
        s.add(team)
        s.flush()
        stranger = Member(team_id=team.id or 0, telegram_user_id=99_000_001,
                          display_name="Rival admin", role=Role.ADMIN)
        s.add(stranger)
        s.flush()
        with pytest.raises(NotFound):
            orders.get_order(s, actor=stranger, order_id=order.id or 0)
        assert orders.receivables(s, actor=stranger).rows == []


def test_payments_reduce_the_balance_and_the_last_one_settles(
    engine: Engine, org: dict[str, Member]
) -> None:
    customer = make_contact(engine, owner=org["rep"], name="张伟")
    order = add_order(engine, org["rep"], customer, 5_000_000)
    first = pay(engine, org["rep"], order, 2_000_000)
    assert (first.order.paid_minor, first.order.status, first.settled) == (2_000_000, "open",
                                                                           False)
    last = pay(engine, org["manager"], order, 3_000_000)
    assert (last.order.paid_minor, last.order.status, last.settled) == (5_000_000, "paid", True)
    with Session(engine) as s:
        payments = s.exec(select(Payment).order_by(col(Payment.id))).all()
        assert [(p.amount_minor, p.member_id) for p in payments] == [
            (2_000_000, org["rep"].id), (3_000_000, org["manager"].id)]
        updates = s.exec(select(AuditLog).where(AuditLog.entity == "order",
                                                AuditLog.action == "update")
                         .order_by(col(AuditLog.id))).all()
        assert updates[-1].after == {"paid_minor": 5_000_000, "status": "paid"}
        assert len(s.exec(select(AuditLog).where(AuditLog.entity == "payment")).all()) == 2


def test_payment_over_the_balance_is_refused_with_the_balance(
    engine: Engine, org: dict[str, Member]
) -> None:
    customer = make_contact(engine, owner=org["rep"], name="张伟")
    order = add_order(engine, org["rep"], customer, 5_000_000)
    pay(engine, org["rep"], order, 4_000_000)
    with pytest.raises(Invalid) as caught:
        pay(engine, org["rep"], order, 1_000_001)
    assert caught.value.key == "paid.over_balance"
    assert caught.value.params["balance"] == "¥10,000"
    pay(engine, org["rep"], order, 1_000_000)
    with pytest.raises(Invalid) as caught:
        pay(engine, org["rep"], order, 1)
    assert caught.value.key == "paid.already_paid"


def test_receivables_sum_per_customer_oldest_unpaid_first(
    engine: Engine, org: dict[str, Member]
) -> None:
    zhang = make_contact(engine, owner=org["rep"], name="张伟")
    li = make_contact(engine, owner=org["rep"], name="李娜")
    wang = make_contact(engine, owner=org["rep"], name="王芳")
    add_order(engine, org["rep"], zhang, 100_000, days_ago=3)
    add_order(engine, org["rep"], zhang, 50_000, days_ago=1)
    old = add_order(engine, org["rep"], li, 300_000, days_ago=40)
    pay(engine, org["rep"], old, 100_000)
    settled = add_order(engine, org["rep"], wang, 70_000, days_ago=90)
    pay(engine, org["rep"], settled, 70_000)
    with acting(engine, org["rep"]) as (s, me):
        page = orders.receivables(s, actor=me)
    assert [(r.name, r.open_minor, r.open_orders) for r in page.rows] == [
        ("李娜", 200_000, 1), ("张伟", 150_000, 2)]
    assert page.rows[0].oldest_at == NOW - timedelta(days=40)
    assert (page.customers, page.total_minor) == (2, 350_000)


def test_receivables_follow_visibility(engine: Engine, org: dict[str, Member]) -> None:
    for key in ("rep", "other", "manager"):
        add_order(engine, org["admin"], make_contact(engine, owner=org[key], name=f"c {key}"),
                  10_000)

    def names(member: Member) -> set[str]:
        with acting(engine, member) as (s, me):
            return {r.name for r in orders.receivables(s, actor=me).rows}

    assert names(org["rep"]) == {"c rep"}
    assert names(org["manager"]) == {"c rep", "c manager"}
    assert names(org["admin"]) == {"c rep", "c other", "c manager"}


def test_receivables_page_totals_cover_every_page_in_one_query(
    engine: Engine, org: dict[str, Member]
) -> None:
    for n in range(17):
        customer = make_contact(engine, owner=org["rep"], name=f"customer {n:02d}")
        add_order(engine, org["rep"], customer, 1_000, days_ago=100 - n)
        add_order(engine, org["rep"], customer, 1_000, days_ago=50 - n)
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with acting(engine, org["admin"]) as (s, me):
            second = orders.receivables(s, actor=me, offset=15, limit=15)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [r.name for r in second.rows] == ["customer 15", "customer 16"]
    assert (second.customers, second.total_minor) == (17, 34_000)
    assert len([q for q in statements if "sales_order" in q]) == 1


def test_history_shows_last_five_orders_and_lifetime_totals(
    engine: Engine, org: dict[str, Member]
) -> None:
    customer = make_contact(engine, owner=org["rep"], name="张伟")
    made = [add_order(engine, org["rep"], customer, 10_000 * (n + 1), days_ago=10 - n)
            for n in range(7)]
    pay(engine, org["rep"], made[-1], 30_000)
    with acting(engine, org["rep"]) as (s, me):
        history = orders.history_for_contact(s, actor=me, contact_id=customer.id or 0)
    assert [o.id for o in history.recent] == [o.id for o in reversed(made[2:])]
    assert history.count == 7
    assert history.revenue_minor == 280_000
    assert history.open_minor == 250_000


def test_history_of_a_contact_without_orders_is_empty(
    engine: Engine, org: dict[str, Member]
) -> None:
    customer = make_contact(engine, owner=org["rep"], name="新客户")
    with acting(engine, org["rep"]) as (s, me):
        history = orders.history_for_contact(s, actor=me, contact_id=customer.id or 0)
    assert (history.recent, history.count, history.revenue_minor) == ([], 0, 0)


def test_concurrent_payments_never_overpay_an_order(
    engine: Engine, org: dict[str, Member]
) -> None:
    customer = make_contact(engine, owner=org["rep"], name="张伟")
    order = add_order(engine, org["rep"], customer, 5_000)
    outcomes: list[str] = []

    def pay_once() -> None:
        try:
            pay(engine, org["rep"], order, 1_000)
            outcomes.append("paid")
        except Invalid as exc:
            outcomes.append(exc.key)

    threads = [threading.Thread(target=pay_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["paid"] * 5 + ["paid.already_paid"] * 3
    with Session(engine) as s:
        stored = s.get(Order, order.id)
        assert stored is not None and (stored.paid_minor, stored.status) == (5_000, "paid")
        assert sum(p.amount_minor for p in s.exec(select(Payment))) == 5_000
