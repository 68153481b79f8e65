"""Offboarding in crm_store: a leaver's whole book changes hands in one transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from crm_store import audit
from crm_store.analytics import segments
from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.errors import DomainError, NotFound
from crm_store.messaging import outbox
from crm_store.messaging import reminder_kinds as rk
from crm_store.models import (
    AuditLog,
    Contact,
    Deal,
    DealStatus,
    Feedback,
    FeedbackKind,
    Member,
    Order,
    Outbox,
    OutboxStatus,
    Role,
    Task,
    TaskStatus,
    Team,
)
from crm_store.records import exporting
from crm_store.sales import orders
from crm_store.team import handover
from crm_store.team import members as team
from tests.builders import make_admin, make_member


@dataclass
class Org:
    """admin → manager → (rep, rep2); other: a rep directly under the admin."""

    admin: Member
    manager: Member
    rep: Member
    rep2: Member
    other: Member


@pytest.fixture
def org(engine: Engine) -> Org:
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Mona Manager")
    rep = make_member(engine, by=manager, name="Bob Rep")
    rep2 = make_member(engine, by=manager, name="Carol Rep")
    other = make_member(engine, by=admin, name="Olga Other")
    return Org(admin, manager, rep, rep2, other)


def fill_book(s: Session, owner: Member, *, contacts: int = 500, deals: int = 50,
              tasks: int = 80, closed: int = 5, prefix: str = "客户") -> list[int]:
    """Bulk rows owned by `owner`: contacts, open and closed deals, open and done tasks,
    an order and a feedback per ten contacts."""
    team, oid = owner.team_id, owner.id or 0
    people = [Contact(team_id=team, owner_id=oid, name=f"{prefix}{i:03d}")
              for i in range(contacts)]
    s.add_all(people)
    s.flush()
    ids = [c.id or 0 for c in people]
    s.add_all([Deal(team_id=team, owner_id=oid, contact_id=ids[i % len(ids)],
                           title=f"deal {i}", amount_minor=100_00, stage="qualified")
               for i in range(deals)])
    s.add_all([Deal(team_id=team, owner_id=oid, contact_id=ids[i % len(ids)], title="won",
                           amount_minor=100_00, stage="won", status=DealStatus.WON)
               for i in range(closed)])
    due = utcnow() + timedelta(days=1)
    s.add_all([Task(team_id=team, owner_id=oid, contact_id=ids[i % len(ids)], text=f"t{i}",
                    due_at=due) for i in range(tasks)])
    s.add_all([Task(team_id=team, owner_id=oid, contact_id=ids[i % len(ids)], text="done",
                    due_at=due, status=TaskStatus.DONE) for i in range(closed)])
    s.add_all([order_for(owner, ids[i], n) for n, i in enumerate(range(0, contacts, 10))])
    s.add_all([Feedback(team_id=team, owner_id=oid, member_id=oid, contact_id=ids[i],
                        kind=FeedbackKind.COMPLAINT, text="slow",
                        status="open" if n % 2 == 0 else "resolved")
               for n, i in enumerate(range(0, contacts, 10))])
    return ids


# The n-th order of a book, by n % 5: paid in full, paid in full, cancelled, open and unpaid,
# open and part paid. Of 50 orders, 20 still have a balance to collect.
ORDER_STATES = (("paid", 50_00), ("paid", 50_00), ("cancelled", 0), ("open", 0),
                ("open", 20_00))


def order_for(owner: Member, contact_id: int, n: int) -> Order:
    """The n-th order of `owner`'s book (see ORDER_STATES), placed n days ago."""
    status, paid = ORDER_STATES[n % len(ORDER_STATES)]
    return Order(team_id=owner.team_id, owner_id=owner.id or 0, contact_id=contact_id,
                 amount_minor=50_00, paid_minor=paid, status=status,
                 ordered_at=utcnow() - timedelta(days=n + 1))


def past_revenue(s: Session) -> dict[int, tuple[int, int]]:
    """Per owner: money of fully paid orders and of won deals (what per-rep reports credit)."""
    paid = dict(s.exec(select(Order.owner_id, func.sum(Order.amount_minor))
                       .where(Order.status == "paid").group_by(Order.owner_id)).all())
    won = dict(s.exec(select(Deal.owner_id, func.sum(Deal.amount_minor))
                      .where(Deal.status == DealStatus.WON)
                      .group_by(Deal.owner_id)).all())
    return {owner: (int(paid.get(owner) or 0), int(won.get(owner) or 0))
            for owner in sorted({*paid, *won})}


def owned(s: Session, member_id: int | None) -> dict[str, int]:
    """What `member_id` owns now of what a handover moves: contacts, open deals and tasks,
    orders with a balance due and open feedback."""
    def count(model, *where) -> int:  # type: ignore[no-untyped-def]
        return s.exec(select(func.count()).select_from(model)
                      .where(model.owner_id == member_id, *where)).one()

    return {"contact": count(Contact), "deal": count(Deal,
                                                     Deal.status == DealStatus.OPEN),
            "task": count(Task, Task.status == TaskStatus.OPEN),
            "order": count(Order, Order.status == "open"),
            "feedback": count(Feedback, Feedback.status == "open")}


def totals(s: Session) -> tuple[int, ...]:
    return tuple(s.exec(select(func.count()).select_from(m)).one()
                 for m in (Contact, Deal, Task, Order, Feedback))


def me(s: Session, member: Member) -> Member:
    row = s.get(Member, member.id)
    assert row is not None
    return row


def test_deactivating_a_rep_with_500_contacts_moves_all_and_loses_nothing(
        engine: Engine, org: Org) -> None:
    with unit_of_work(engine) as s:
        fill_book(s, org.rep)
        fill_book(s, org.rep2, contacts=20, deals=3, tasks=4, prefix="other")
    with unit_of_work(engine) as s:
        before_rep, before_rep2, before_all = owned(s, org.rep.id), owned(s, org.rep2.id), \
            totals(s)
        leavers_orders = {o.id: o.status for o in s.exec(
            select(Order).where(Order.owner_id == org.rep.id))}
        revenue_before = past_revenue(s)
    assert before_rep == {"contact": 500, "deal": 50, "task": 80, "order": 20, "feedback": 25}
    assert len(leavers_orders) == 50 and revenue_before[org.rep.id or 0] == (20 * 50_00,
                                                                               5 * 100_00)
    started = time.perf_counter()
    with unit_of_work(engine) as s:
        done = handover.deactivate(s, actor=me(s, org.admin), leaver_id=org.rep.id or 0,
                                      target_id=org.rep2.id or 0, now=utcnow())
        assert done.moved.counts() == before_rep
        assert done.deactivated and done.notified
    elapsed = time.perf_counter() - started
    print(f"deactivation of a 500-contact book: {elapsed * 1000:.0f} ms")
    assert elapsed < 10, f"deactivation of a 500-contact book took {elapsed:.1f} s"
    with unit_of_work(engine) as s:
        assert owned(s, org.rep.id) == {"contact": 0, "deal": 0, "task": 0, "order": 0,
                                        "feedback": 0}
        assert owned(s, org.rep2.id) == {k: before_rep[k] + before_rep2[k] for k in before_rep}
        assert totals(s) == before_all  # nothing created, nothing lost
        won = s.exec(select(func.count()).select_from(Deal).where(
            Deal.owner_id == org.rep.id, Deal.status == DealStatus.WON)).one()
        assert won == 5  # closed deals stay credited to who closed them
        # Exactly the orders with a balance to collect moved; paid and cancelled ones stayed.
        owners_now = dict(s.exec(select(Order.id, Order.owner_id).where(
            col(Order.id).in_(leavers_orders))).all())
        assert owners_now == {oid: org.rep2.id if status == "open" else org.rep.id
                              for oid, status in leavers_orders.items()}
        assert past_revenue(s) == revenue_before  # per-rep past revenue did not move
        assert s.exec(select(func.count()).select_from(Feedback).where(
            Feedback.owner_id == org.rep.id, Feedback.status == "resolved")).one() == 25
        assert me(s, org.rep).active is False
        moved_rows = dict(s.exec(select(AuditLog.entity, func.count()).where(
            AuditLog.action == "reassign").group_by(AuditLog.entity)).all())
        assert moved_rows == before_rep  # one audit row per moved record
        contact_id = s.exec(select(Contact.id).where(Contact.name == "客户007")).one()
        [row] = audit.history(s, entity="contact", entity_id=contact_id, limit=1)
        assert row.before == {"owner_id": org.rep.id} and row.after == {"owner_id": org.rep2.id}
        notice = s.exec(select(Outbox).where(Outbox.kind == rk.HANDOVER)).one()
        assert notice.member_id == org.rep2.id and notice.payload["contact"] == 500


def test_without_a_named_receiver_the_manager_gets_the_book(engine: Engine, org: Org) -> None:
    with unit_of_work(engine) as s:
        fill_book(s, org.rep, contacts=3, deals=1, tasks=1)
    with unit_of_work(engine) as s:
        admin, rep = me(s, org.admin), me(s, org.rep)
        target = handover.default_receiver(s, actor=admin, leaver=rep)
        assert target.id == org.manager.id
        handover.deactivate(s, actor=admin, leaver_id=rep.id or 0, target_id=target.id or 0,
                               now=utcnow())
    with unit_of_work(engine) as s:
        assert owned(s, org.manager.id)["contact"] == 3
        # a leaver under the admin (no manager) hands over to the acting admin
        assert handover.default_receiver(s, actor=me(s, org.admin),
                                            leaver=me(s, org.other)).id == org.admin.id


def test_a_failure_half_way_leaves_every_record_with_the_leaver(
        engine: Engine, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    with unit_of_work(engine) as s:
        fill_book(s, org.rep, contacts=30, deals=5, tasks=5)
    calls = {"n": 0}
    real = audit.record

    def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 40:  # contacts are moved already, deals are being moved
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "record", flaky)
    with pytest.raises(RuntimeError), unit_of_work(engine) as s:
        handover.deactivate(s, actor=me(s, org.admin), leaver_id=org.rep.id or 0,
                               target_id=org.rep2.id or 0, now=utcnow())
    with unit_of_work(engine) as s:
        assert owned(s, org.rep.id)["contact"] == 30 and owned(s, org.rep2.id)["contact"] == 0
        assert me(s, org.rep).active is True


@pytest.mark.parametrize(("leaver", "target", "key"), [
    ("admin", "rep", "members.last_admin"),  # the only admin, and it is themself
    ("rep", "rep", "members.same_member"),
    ("rep", "gone", "members.target_inactive"),
    ("gone", "rep", "members.already_inactive"),
    ("rep", "stranger", "error.member_not_found"),  # a member of another team
])
def test_refusals_change_nothing(engine: Engine, org: Org, leaver: str, target: str,
                                 key: str) -> None:
    gone = make_member(engine, by=org.admin, name="Gina Gone")
    with unit_of_work(engine) as s:
        row = me(s, gone)
        row.active = False
        s.add(row)
        other_team = Team(name="Rivals")
        s.add(other_team)
        s.flush()
        stranger = Member(team_id=other_team.id or 0, telegram_user_id=99_999,
                          display_name="Sam Stranger", role=Role.ADMIN)
        s.add(stranger)
        s.flush()
        fill_book(s, org.rep, contacts=5, deals=1, tasks=1)
    people = {"admin": org.admin, "rep": org.rep, "gone": gone, "stranger": stranger}
    with unit_of_work(engine) as s:
        with pytest.raises(DomainError) as refused:
            handover.deactivate(s, actor=me(s, org.admin), leaver_id=people[leaver].id or 0,
                                   target_id=people[target].id or 0, now=utcnow())
        assert refused.value.key == key
    with unit_of_work(engine) as s:
        assert owned(s, org.rep.id)["contact"] == 5
        assert s.exec(select(func.count()).select_from(AuditLog)
                      .where(AuditLog.action.in_(("reassign", "deactivate")))).one() == 0


def test_an_admin_cannot_deactivate_themself_even_with_another_admin(
        engine: Engine, org: Org) -> None:
    second = make_member(engine, by=org.admin, role=Role.ADMIN, name="Second Admin")
    with unit_of_work(engine) as s, pytest.raises(DomainError) as refused:
        handover.deactivate(s, actor=me(s, org.admin), leaver_id=org.admin.id or 0,
                               target_id=second.id or 0, now=utcnow())
    assert refused.value.key == "members.not_yourself"
    with unit_of_work(engine) as s:  # but the other admin may go: the actor is still an admin
        handover.deactivate(s, actor=me(s, org.admin), leaver_id=second.id or 0,
                               target_id=org.admin.id or 0, now=utcnow())
        assert me(s, second).active is False


def test_a_leaving_managers_reps_move_under_the_receiving_manager(
        engine: Engine, org: Org) -> None:
    lead = make_member(engine, by=org.admin, role=Role.MANAGER, name="Lena Lead")
    with unit_of_work(engine) as s:
        handover.deactivate(s, actor=me(s, org.admin), leaver_id=org.manager.id or 0,
                               target_id=lead.id or 0, now=utcnow())
    with unit_of_work(engine) as s:
        assert me(s, org.rep).manager_id == lead.id and me(s, org.rep2).manager_id == lead.id
        assert {m.id for m in [me(s, org.rep)]} <= (
            team.visible_owner_ids(s, me(s, lead)) or set())


def test_pending_reminders_follow_the_records_and_personal_ones_are_cancelled(
        engine: Engine, org: Org) -> None:
    now = utcnow()
    with unit_of_work(engine) as s:
        [cid] = fill_book(s, org.rep, contacts=1, deals=0, tasks=1, closed=0)
        rep = me(s, org.rep)
        outbox.enqueue(s, member=rep, kind=rk.FOLLOWUP_DUE, dedupe_key="followup:x", due_at=now,
                       payload={"task_id": 1, "contact_id": cid, "contact_name": "客户000"})
        outbox.enqueue(s, member=rep, kind=rk.DIGEST, dedupe_key="digest:x", due_at=now,
                       payload={"date": "2026-11-23"})
    with unit_of_work(engine) as s:
        handover.deactivate(s, actor=me(s, org.admin), leaver_id=org.rep.id or 0,
                               target_id=org.rep2.id or 0, now=now)
    with unit_of_work(engine) as s:
        rows = {r.dedupe_key: r for r in s.exec(select(Outbox))}
        follow = rows["followup:x"]
        assert (follow.member_id, follow.chat_id) == (org.rep2.id, org.rep2.telegram_user_id)
        assert follow.status == OutboxStatus.PENDING
        assert rows["digest:x"].status == OutboxStatus.CANCELLED


def test_reassigning_one_contact_takes_what_is_open_of_it_and_leaves_past_credit(
        engine: Engine, org: Org) -> None:
    with unit_of_work(engine) as s:
        ids = fill_book(s, org.rep, contacts=40, deals=20, tasks=20, closed=2)
    # Contact ids[30]: order n=3 (open, unpaid) and feedback n=3 (resolved);
    # contact ids[0]: order n=0 (paid: credit stays) and feedback n=0 (open complaint).
    with unit_of_work(engine) as s:
        done = handover.reassign_contact(s, actor=me(s, org.manager), contact_id=ids[0],
                                            target_id=org.rep2.id or 0, now=utcnow())
        assert done.moved.counts() == {"contact": 1, "deal": 1, "task": 1, "order": 0,
                                      "feedback": 1}
        done = handover.reassign_contact(s, actor=me(s, org.manager), contact_id=ids[30],
                                            target_id=org.rep2.id or 0, now=utcnow())
        assert done.moved.counts() == {"contact": 1, "deal": 0, "task": 0, "order": 1,
                                      "feedback": 0}
    with unit_of_work(engine) as s:
        assert owned(s, org.rep2.id) == {"contact": 2, "deal": 1, "task": 1, "order": 1,
                                         "feedback": 1}
        assert owned(s, org.rep.id)["contact"] == 38
        assert me(s, org.rep).active is True


def test_a_manager_cannot_move_a_book_outside_their_hierarchy(engine: Engine, org: Org) -> None:
    with unit_of_work(engine) as s:
        fill_book(s, org.other, contacts=2, deals=0, tasks=0)
    with unit_of_work(engine) as s:
        manager = me(s, org.manager)
        with pytest.raises(NotFound):
            handover.reassign_book(s, actor=manager, source_id=org.other.id or 0,
                                      target_id=org.rep.id or 0, now=utcnow())
        with pytest.raises(NotFound):  # nor hand their rep's book to someone they cannot see
            handover.reassign_book(s, actor=manager, source_id=org.rep.id or 0,
                                      target_id=org.other.id or 0, now=utcnow())
    with unit_of_work(engine) as s:
        assert owned(s, org.other.id)["contact"] == 2


@pytest.mark.parametrize("receiver", ["rep", "manager"])
def test_the_receiver_sees_every_order_of_the_customers_they_now_own(
        engine: Engine, org: Org, receiver: str) -> None:
    # A rep, or a manager outside the leaver's hierarchy: neither sees the leaver's records,
    # so only the contacts they now own can show them the orders that stay credited to them.
    target = org.rep2 if receiver == "rep" else make_member(
        engine, by=org.admin, role=Role.MANAGER, name="Lena Lead")
    with unit_of_work(engine) as s:  # 5 orders: paid, paid, cancelled, unpaid, part paid
        ids = fill_book(s, org.rep, contacts=50, deals=0, tasks=0, closed=0)
    buyers = ids[0:50:10]
    with unit_of_work(engine) as s:
        handover.deactivate(s, actor=me(s, org.admin), leaver_id=org.rep.id or 0,
                               target_id=target.id or 0, now=utcnow())
    with unit_of_work(engine) as s:
        owner = me(s, target)
        card = [orders.history_for_contact(s, actor=owner, contact_id=cid) for cid in buyers]
        assert [h.count for h in card] == [1, 1, 0, 1, 1]  # cancelled orders never count
        assert [h.revenue_minor for h in card] == [50_00, 50_00, 0, 50_00, 50_00]
        paid = card[0].recent[0]
        assert paid.owner_id == org.rep.id  # still credited to the leaver, yet on the card
        assert orders.order_detail(s, actor=owner, order_id=paid.id or 0).order.id == paid.id
        page = orders.receivables(s, actor=owner)
        assert [r.contact_id for r in page.rows] == [buyers[4], buyers[3]]  # oldest first
        assert page.total_minor == 50_00 + 30_00
        found = {p.contact_id: p for p in segments.customer_profiles(s, actor=owner,
                                                                     now=utcnow())}
        assert [found[cid].revenue_minor for cid in buyers] == [50_00, 50_00, 0, 50_00, 50_00]
        if receiver == "manager":
            data = exporting.gather(s, actor=owner, tz=ZoneInfo("Asia/Shanghai"))
            assert len(data.orders) == 5 and len(data.contacts) == 50
        other = me(s, org.other)  # a rep outside the handover still sees none of it
        with pytest.raises(NotFound):
            orders.get_order(s, actor=other, order_id=paid.id or 0)
        assert orders.receivables(s, actor=other).rows == []


def test_after_one_contact_changes_hands_both_reps_see_its_paid_order(
        engine: Engine, org: Org) -> None:
    with unit_of_work(engine) as s:
        [cid] = fill_book(s, org.rep, contacts=1, deals=0, tasks=0, closed=0)  # one paid order
    with unit_of_work(engine) as s:
        handover.reassign_contact(s, actor=me(s, org.manager), contact_id=cid,
                                     target_id=org.rep2.id or 0, now=utcnow())
    with unit_of_work(engine) as s:
        [order] = s.exec(select(Order)).all()
        assert order.owner_id == org.rep.id  # the sale stays the seller's
        for who in (org.rep, org.rep2):  # the seller and the customer's new owner
            assert orders.get_order(s, actor=me(s, who), order_id=order.id or 0).id == order.id
        assert orders.history_for_contact(s, actor=me(s, org.rep2), contact_id=cid).count == 1


def _complaint_escalated(engine: Engine, owner: Member, name: str) -> int:
    """A contact of `owner` with a complaint past its resolution SLA, escalated by the producer."""
    from scheduler import producers
    from tests.builders import make_contact
    now = utcnow()
    contact = make_contact(engine, owner=owner, name=name)
    with unit_of_work(engine) as s:
        s.add(Feedback(team_id=owner.team_id, owner_id=owner.id, member_id=owner.id,
                       contact_id=contact.id, kind=FeedbackKind.COMPLAINT, text="broken",
                       severity="high", created_at=now - timedelta(days=10)))
    producers.produce_complaint_sla(engine, now)
    return contact.id or 0


def _unsent_about(s: Session, member: Member, contact_id: int) -> list[Outbox]:
    return [o for o in s.exec(select(Outbox).where(
        Outbox.member_id == member.id,
        col(Outbox.status).in_([OutboxStatus.PENDING, OutboxStatus.HELD])))
        if (o.payload or {}).get("contact_id") == contact_id]


def test_a_leaving_managers_escalations_about_other_reps_customers_do_not_go_to_the_receiver(
        engine: Engine, org: Org) -> None:
    secret = _complaint_escalated(engine, org.rep2, "Carol秘密客户")
    with unit_of_work(engine) as s:
        assert _unsent_about(s, org.manager, secret)  # the manager holds an escalation copy
        handover.deactivate(s, actor=me(s, org.admin), leaver_id=org.manager.id or 0,
                               target_id=org.rep.id or 0, now=utcnow())
    with unit_of_work(engine) as s:
        assert not _unsent_about(s, org.rep, secret)  # Bob may not see Carol's customer
        assert not _unsent_about(s, org.manager, secret)
        assert _unsent_about(s, org.rep2, secret)  # the owner's own copy stays


def test_moving_one_contact_out_of_a_managers_team_cancels_the_managers_escalation(
        engine: Engine, org: Org) -> None:
    secret = _complaint_escalated(engine, org.rep, "Bob客户")
    with unit_of_work(engine) as s:
        assert _unsent_about(s, org.manager, secret)
        handover.reassign_contact(s, actor=me(s, org.admin), contact_id=secret,
                                     target_id=org.other.id or 0, now=utcnow())
    with unit_of_work(engine) as s:
        assert not _unsent_about(s, org.manager, secret)
        assert _unsent_about(s, org.other, secret)  # the new owner gets the owner's copy


def test_invites_revoked_by_a_deactivation_are_audited_one_by_one(
        engine: Engine, org: Org) -> None:
    with unit_of_work(engine) as s:
        ids = [team.create_invite(s, actor=me(s, org.manager), role=Role.REP).id
               for _ in range(2)]
    now = utcnow()
    with unit_of_work(engine) as s:
        handover.deactivate(s, actor=me(s, org.admin), leaver_id=org.manager.id or 0,
                               target_id=org.admin.id or 0, now=now)
    with unit_of_work(engine) as s:
        for invite_id in ids:
            [row] = s.exec(select(AuditLog).where(AuditLog.entity == "invite",
                                                  AuditLog.entity_id == invite_id,
                                                  AuditLog.action == "revoke")).all()
            assert row.actor_id == org.admin.id
            assert row.after == {"expires_at": now.isoformat(), "reason": "creator deactivated"}


def test_a_handover_counts_live_records_as_members_does_but_moves_deleted_ones_too(
        engine: Engine, org: Org) -> None:
    from crm_store.records import restore
    from crm_store.sales import deals
    from tests.builders import make_contact

    ids = [make_contact(engine, owner=org.rep, name=f"客户{i}").id or 0 for i in range(3)]
    with unit_of_work(engine) as s:
        deals.create_deal(s, actor=me(s, org.rep), contact_id=ids[0], title="泵",
                          amount_minor=100)
        restore.delete_contact(s, actor=me(s, org.rep), contact_id=ids[0])  # and its deal
    with unit_of_work(engine) as s:
        tree = {r.member.id: r for r in handover.team_tree(s, actor=me(s, org.admin))}
        book = handover.book_of(s, owner=me(s, org.rep))
        assert (book.contact, book.deal) == (tree[org.rep.id].contacts,
                                             tree[org.rep.id].open_deals) == (2, 0)
        done = handover.deactivate(s, actor=me(s, org.admin), leaver_id=org.rep.id or 0,
                                      target_id=org.rep2.id or 0, now=utcnow())
        assert (done.moved.contact, done.moved.deal) == (2, 0)
    with unit_of_work(engine) as s:
        assert {c.owner_id for c in s.exec(select(Contact).where(
            col(Contact.id).in_(ids)))} == {org.rep2.id}  # the deleted one moved as well
        [notice] = s.exec(select(Outbox).where(Outbox.kind == rk.HANDOVER)).all()
        assert (notice.payload["contact"], notice.payload["deal"]) == (2, 0)
        restore.restore(s, actor=me(s, org.rep2), kind="c", row_id=ids[0])
