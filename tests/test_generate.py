"""The benchmark data generator fills a migrated database with a coherent, repeatable team."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.generate import DatasetInfo, generate_dataset
from crm_store.contacts.search_keys import name_keys
from crm_store.db import unit_of_work
from crm_store.models import (
    Contact,
    Deal,
    Feedback,
    FeedbackKind,
    Interaction,
    Member,
    Order,
    Payment,
    Role,
    StageChange,
    Task,
)
from crm_store.team.members import visible_owner_ids

NOW = datetime(2025, 6, 30, 4, 0, tzinfo=UTC)
CUSTOMERS = 300


def _generate(engine: Engine, **kwargs: object) -> DatasetInfo:
    return generate_dataset(engine, customers=CUSTOMERS, now=NOW, **kwargs)  # type: ignore[arg-type]


def _count(session: Session, model: type, *where: object) -> int:
    stmt = select(func.count()).select_from(model)
    for condition in where:
        stmt = stmt.where(condition)  # type: ignore[arg-type]
    return int(session.execute(stmt).scalar_one())


def _fingerprint(engine: Engine) -> tuple[list[str], int, int, int, list[str]]:
    with unit_of_work(engine) as session:
        names = list(session.execute(select(Contact.name).order_by(Contact.id)).scalars())
        orders = session.execute(select(func.sum(Order.amount_minor))).scalar_one()
        deals = session.execute(select(func.sum(Deal.amount_minor))).scalar_one()
        touches = _count(session, Interaction)
        stages = [f"{a}>{b}" for a, b in session.execute(
            select(StageChange.from_stage, StageChange.to_stage).order_by(StageChange.id))]
    return names, int(orders), int(deals), touches, stages


def test_counts_match_what_is_in_the_database(engine: Engine) -> None:
    info = _generate(engine)
    with unit_of_work(engine) as session:
        assert _count(session, Contact) == info.customers == CUSTOMERS
        assert _count(session, Interaction) == info.interactions
        assert _count(session, Order) == info.orders
        assert _count(session, Payment) == info.payments
        assert _count(session, Deal) == info.deals
        assert _count(session, StageChange) == info.stage_changes
        assert _count(session, Task) == info.tasks
        assert _count(session, Feedback, Feedback.kind == FeedbackKind.COMPLAINT) \
            == info.complaints
        assert _count(session, Feedback, Feedback.kind == FeedbackKind.RATING) == info.ratings
    # the requested rates, give or take sampling noise on 300 customers
    assert 2_000 <= info.interactions <= 4_000
    assert 400 <= info.orders <= 900
    assert 40 <= info.deals <= 160
    assert info.ratings > 0


def test_team_has_admin_three_managers_and_reps_under_them(engine: Engine) -> None:
    info = _generate(engine, reps=7)
    with unit_of_work(engine) as session:
        admin = session.get(Member, info.admin_id)
        assert admin is not None and admin.role == Role.ADMIN
        assert admin.telegram_user_id == info.admin_telegram_id == 1001
        managers = [session.get(Member, mid) for mid in info.manager_ids]
        assert [m.role for m in managers if m] == [Role.MANAGER] * 3
        reps = [session.get(Member, rid) for rid in info.rep_ids]
        assert len(reps) == 7 and all(r and r.role == Role.REP for r in reps)
        assert {r.manager_id for r in reps if r} == set(info.manager_ids)
        owners = set(session.execute(select(Contact.owner_id).distinct()).scalars())
        assert owners == set(info.rep_ids)
        # a manager sees their own reps' customers only, through the usual visibility rule
        first = managers[0]
        assert first is not None
        seen = visible_owner_ids(session, first) or set()
        assert seen == {first.id} | {r.id for r in reps if r and r.manager_id == first.id}


def test_every_deal_has_a_stage_history_that_starts_at_lead_and_ends_at_its_stage(
    engine: Engine,
) -> None:
    _generate(engine)
    with unit_of_work(engine) as session:
        deals = session.execute(select(Deal)).scalars().all()
        history: dict[int, list[StageChange]] = {}
        for change in session.execute(select(StageChange).order_by(StageChange.id)).scalars():
            history.setdefault(change.deal_id, []).append(change)
    assert {d.status for d in deals} == {"open", "won", "lost"}
    for deal in deals:
        moves = history[deal.id or 0]
        assert (moves[0].from_stage, moves[0].to_stage) == (None, "lead")
        assert moves[0].at == deal.created_at
        assert moves[-1].to_stage == deal.stage
        assert [m.at for m in moves] == sorted(m.at for m in moves)
        for before, after in zip(moves, moves[1:], strict=False):
            assert after.from_stage == before.to_stage
        if deal.status == "open":
            assert deal.closed_at is None and deal.stage not in ("won", "lost")
        else:
            assert deal.closed_at == moves[-1].at and deal.stage == deal.status


def test_dated_rows_fall_within_the_last_two_years(engine: Engine) -> None:
    info = _generate(engine)
    two_years_ago = NOW - timedelta(days=730)
    with unit_of_work(engine) as session:
        for column in (Order.ordered_at, Interaction.occurred_at, StageChange.at,
                       Payment.paid_at, Feedback.created_at):
            low, high = session.execute(select(func.min(column), func.max(column))).one()
            assert two_years_ago <= low.replace(tzinfo=UTC) <= high.replace(tzinfo=UTC) <= NOW
        paid = session.execute(select(Order.amount_minor, Order.paid_minor, Order.status)).all()
        assert all(0 <= p <= a for a, p, _ in paid)
        assert all(p == a for a, p, s in paid if s == "paid")
        assert any(0 < p < a for a, p, _ in paid)  # some orders are partly paid
        margins = list(session.execute(select(Order.margin_minor)).scalars())
        assert None in margins and any(m for m in margins)
    assert info.now == NOW


def test_customers_have_search_keys_phones_cities_and_a_mix_of_chinese_and_english_names(
    engine: Engine,
) -> None:
    _generate(engine)
    with unit_of_work(engine) as session:
        contacts = session.execute(select(Contact)).scalars().all()
    chinese = [c for c in contacts if not c.name.isascii()]
    assert 0.6 < len(chinese) / len(contacts) < 0.9
    assert all((c.pinyin_full, c.pinyin_initials) == name_keys(c.name) for c in contacts)
    assert all(c.phone and c.phone.startswith("+") and c.phone[1:].isdigit() for c in contacts)
    assert {"上海", "北京", "London"} <= {c.city for c in contacts}


def test_same_seed_gives_the_same_data_and_another_seed_does_not(
    sqlite_engine: Engine, postgres_engine: Engine,
) -> None:
    first = _generate(sqlite_engine)
    second = _generate(postgres_engine)
    assert first.counts() == second.counts()
    assert _fingerprint(sqlite_engine) == _fingerprint(postgres_engine)
    with postgres_engine.begin() as conn:
        conn.execute(text("TRUNCATE team, member RESTART IDENTITY CASCADE"))
    generate_dataset(postgres_engine, customers=CUSTOMERS, now=NOW, seed=8)
    assert _fingerprint(sqlite_engine)[0] != _fingerprint(postgres_engine)[0]


def test_existing_admin_is_reused_and_new_rows_continue_the_id_sequences(
    engine: Engine,
) -> None:
    from tests.builders import make_admin, make_contact

    admin = make_admin(engine)
    make_contact(engine, owner=admin, name="张伟")
    info = generate_dataset(engine, customers=20, now=NOW)
    assert info.admin_id == admin.id and info.first_contact_id == 2
    later = make_contact(engine, owner=admin, name="李娜")  # the sequence moved past our ids
    assert later.id == 22


@pytest.mark.parametrize("customers", [0, 1])
def test_tiny_datasets_still_load(sqlite_engine: Engine, customers: int) -> None:
    info = generate_dataset(sqlite_engine, customers=customers, now=NOW)
    assert info.customers == customers and len(info.rep_ids) == 20
