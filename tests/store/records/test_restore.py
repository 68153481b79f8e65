"""Audit coverage of the write services, soft delete and restore, a contact's history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store.clock import utcnow
from crm_store.contacts import contacts
from crm_store.db import unit_of_work
from crm_store.errors import Invalid, NotFound
from crm_store.models import (
    AuditLog,
    Contact,
    Deal,
    FeedbackKind,
    InteractionKind,
    Member,
    Order,
    Role,
)
from crm_store.records import history, restore
from crm_store.sales import activity, deals, feedback, orders, tasks
from crm_store.team import handover
from crm_store.team import members as team
from tests.builders import make_admin, make_contact, make_member


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


def rows_for(engine: Engine, entity: str, entity_id: int) -> list[AuditLog]:
    with Session(engine) as s:
        stmt = select(AuditLog).where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        return list(s.exec(stmt.order_by(col(AuditLog.id))))


def last_row(engine: Engine, entity: str, entity_id: int) -> AuditLog:
    found = rows_for(engine, entity, entity_id)
    assert found, f"no audit row for {entity} #{entity_id}"
    return found[-1]


# --- every main write service leaves an audit row --------------------------------------------

def test_every_main_write_service_records_actor_and_before_after(
    engine: Engine, org: dict[str, Member]
) -> None:
    rep, now = org["rep"], utcnow()
    with acting(engine, rep) as (s, me):
        contact = contacts.create_contact(s, actor=me, data=contacts.NewContact(
            name="张伟", company="华东机械", phone="13800138000"))
        cid = contact.id or 0
    created = last_row(engine, "contact", cid)
    assert (created.action, created.actor_id) == ("create", rep.id)
    assert created.before is None and created.after and created.after["name"] == "张伟"

    with acting(engine, rep) as (s, me):
        contacts.update_field(s, actor=me, contact_id=cid, name="city", value="上海")
    updated = last_row(engine, "contact", cid)
    assert updated.action == "update" and updated.actor_id == rep.id
    assert (updated.before, updated.after) == ({"city": None}, {"city": "上海"})

    with acting(engine, rep) as (s, me):
        deal = deals.create_deal(s, actor=me, contact_id=cid, title="阀门", amount_minor=500_000)
        deal_id = deal.id or 0
    assert last_row(engine, "deal", deal_id).after["stage"] == "lead"  # type: ignore[index]
    with acting(engine, rep) as (s, me):
        deals.move_stage(s, actor=me, deal_id=deal_id, stage="proposal")
    moved = last_row(engine, "deal", deal_id)
    assert moved.actor_id == rep.id
    assert (moved.before or {})["stage"] == "lead" and (moved.after or {})["stage"] == "proposal"

    with acting(engine, rep) as (s, me):
        task = tasks.create_task(s, actor=me, contact_id=cid, due_at=now + timedelta(days=1),
                                 text="回访", now=now)
        task_id = task.id or 0
    assert last_row(engine, "task", task_id).action == "create"
    with acting(engine, rep) as (s, me):
        tasks.complete_task(s, actor=me, task_id=task_id, now=now)
    done = last_row(engine, "task", task_id)
    assert (done.before or {})["status"] == "open" and (done.after or {})["status"] == "done"

    manager = org["manager"]  # a manager records the order and payment on the rep's customer
    with acting(engine, manager) as (s, me):
        order = orders.create_order(s, actor=me, contact_id=cid, amount_minor=100_000)
        order_id = order.id or 0
    assert last_row(engine, "order", order_id).actor_id == manager.id
    with acting(engine, manager) as (s, me):
        paid = orders.record_payment(s, actor=me, order_id=order_id, amount_minor=100_000)
        payment_id = paid.payment.id or 0
    assert last_row(engine, "payment", payment_id).actor_id == manager.id
    settled = last_row(engine, "order", order_id)
    assert (settled.before, settled.after) == ({"paid_minor": 0, "status": "open"},
                                               {"paid_minor": 100_000, "status": "paid"})

    with acting(engine, rep) as (s, me):
        fb = feedback.log_feedback(s, actor=me, contact_id=cid, kind=FeedbackKind.COMPLAINT,
                                   text="交货慢", severity="high")
        fb_id = fb.id or 0
    assert last_row(engine, "feedback", fb_id).after["status"] == "open"  # type: ignore[index]
    with acting(engine, rep) as (s, me):
        feedback.resolve(s, actor=me, feedback_id=fb_id, text="已补发")
    resolved = last_row(engine, "feedback", fb_id)
    assert (resolved.before or {})["status"] == "open"
    assert (resolved.after or {})["status"] == "resolved"

    with acting(engine, rep) as (s, me):
        restore.delete_contact(s, actor=me, contact_id=cid)
    deleted = last_row(engine, "contact", cid)
    assert deleted.action == "delete" and deleted.actor_id == rep.id
    assert deleted.before == {"deleted_at": None} and (deleted.after or {})["deleted_at"]


def test_changing_language_is_audited(engine: Engine, org: dict[str, Member]) -> None:
    with acting(engine, org["rep"]) as (s, me):
        team.set_language(s, actor=me, language="zh-CN")
    row = last_row(engine, "member", org["rep"].id or 0)
    assert (row.before, row.after) == ({"language": "en"}, {"language": "zh-CN"})


# --- soft delete and restore -----------------------------------------------------------------

def _contact_with_deal_and_order(engine: Engine, owner: Member) -> tuple[int, int, int]:
    contact = make_contact(engine, owner=owner, name="李娜", phone="13900139000")
    with acting(engine, owner) as (s, me):
        deal = deals.create_deal(s, actor=me, contact_id=contact.id or 0, title="泵",
                                 amount_minor=300_000)
        order = orders.create_order(s, actor=me, contact_id=contact.id or 0,
                                    amount_minor=200_000)
        return contact.id or 0, deal.id or 0, order.id or 0


def test_deleting_a_contact_hides_it_with_its_deals_and_restore_brings_them_back(
    engine: Engine, org: dict[str, Member]
) -> None:
    rep = org["rep"]
    cid, deal_id, order_id = _contact_with_deal_and_order(engine, rep)
    with acting(engine, rep) as (s, me):
        restore.delete_contact(s, actor=me, contact_id=cid)
    with acting(engine, rep) as (s, me):
        assert contacts.search_contacts(s, actor=me, query="李娜") == []
        with pytest.raises(NotFound):
            deals.get_deal(s, actor=me, deal_id=deal_id)
        listed = restore.list_deleted(s, actor=me)
        assert [(d.kind, d.id) for d in listed] == [("c", cid)]  # children come back with it
    with acting(engine, rep) as (s, me):
        restore.restore(s, actor=me, kind="c", row_id=cid)
    with acting(engine, rep) as (s, me):
        assert [c.id for c, _ in contacts.search_contacts(s, actor=me, query="李娜")] == [cid]
        assert deals.get_deal(s, actor=me, deal_id=deal_id).deleted_at is None
        assert orders.get_order(s, actor=me, order_id=order_id).deleted_at is None
    assert [r.action for r in rows_for(engine, "contact", cid)] == ["create", "delete", "restore"]
    assert [r.action for r in rows_for(engine, "order", order_id)] == [
        "create", "delete", "restore"]


def test_a_deal_deleted_on_its_own_is_listed_and_restored(
    engine: Engine, org: dict[str, Member]
) -> None:
    rep = org["rep"]
    _cid, deal_id, _ = _contact_with_deal_and_order(engine, rep)
    with acting(engine, rep) as (s, me):
        restore.delete_deal(s, actor=me, deal_id=deal_id)
    with acting(engine, org["manager"]) as (s, me):
        assert [(d.kind, d.title) for d in restore.list_deleted(s, actor=me)] == [("d", "泵")]
        restore.restore(s, actor=me, kind="d", row_id=deal_id)
    assert last_row(engine, "deal", deal_id).actor_id == org["manager"].id


def test_restoring_needs_visibility_and_the_window(engine: Engine, org: dict[str, Member]) -> None:
    rep, other = org["rep"], org["other"]
    cid, _, _ = _contact_with_deal_and_order(engine, rep)
    long_ago = utcnow() - restore.RESTORE_WINDOW - timedelta(days=1)
    with acting(engine, rep) as (s, me):
        restore.delete_contact(s, actor=me, contact_id=cid)
    with acting(engine, other) as (s, me):
        assert restore.list_deleted(s, actor=me) == []
        with pytest.raises(NotFound):
            restore.restore(s, actor=me, kind="c", row_id=cid)
    with acting(engine, rep) as (s, me):
        with pytest.raises(NotFound):
            restore.restore(s, actor=me, kind="c", row_id=cid,
                            now=utcnow() + restore.RESTORE_WINDOW + timedelta(days=1))
    live = make_contact(engine, owner=rep, name="赵敏")
    with acting(engine, rep) as (s, me):
        with pytest.raises(NotFound):  # a live record is not "restorable"
            restore.restore(s, actor=me, kind="c", row_id=live.id or 0)
    old = make_contact(engine, owner=rep, name="王芳")
    with acting(engine, rep) as (s, me):
        restore.delete_contact(s, actor=me, contact_id=old.id or 0, now=long_ago)
    with acting(engine, rep) as (s, me):
        assert [d.contact_name for d in restore.list_deleted(s, actor=me)] == ["李娜"]


def test_restore_is_refused_when_the_phone_now_belongs_to_a_live_contact(
    engine: Engine, org: dict[str, Member]
) -> None:
    rep = org["rep"]
    cid, _, _ = _contact_with_deal_and_order(engine, rep)
    with acting(engine, rep) as (s, me):
        restore.delete_contact(s, actor=me, contact_id=cid)
    make_contact(engine, owner=org["other"], name="李娜新", phone="13900139000")
    with acting(engine, rep) as (s, me), pytest.raises(Invalid) as caught:
        restore.restore(s, actor=me, kind="c", row_id=cid)
    assert caught.value.key == "audit.restore.duplicate_phone_hidden"  # owner not visible
    with acting(engine, org["admin"]) as (s, me), pytest.raises(Invalid) as caught:
        restore.restore(s, actor=me, kind="c", row_id=cid)
    assert caught.value.key == "audit.restore.duplicate_phone"
    assert caught.value.params["other"] == "李娜新"
    with Session(engine) as s:
        assert (s.get(Contact, cid) or Contact()).deleted_at is not None


def test_restore_is_refused_when_the_same_person_was_added_again_at_the_company(
    engine: Engine, org: dict[str, Member]
) -> None:
    rep = org["rep"]
    first = make_contact(engine, owner=rep, name="张伟", company="华东机械")
    with acting(engine, rep) as (s, me):
        restore.delete_contact(s, actor=me, contact_id=first.id or 0)
    with acting(engine, rep) as (s, me):  # re-added the normal way: no duplicate warning
        contacts.create_contact(s, actor=me, data=contacts.NewContact(name="张伟",
                                                                      company="华东机械"))
    with acting(engine, rep) as (s, me), pytest.raises(Invalid) as caught:
        restore.restore(s, actor=me, kind="c", row_id=first.id or 0)
    assert caught.value.key == "audit.restore.duplicate_name"
    assert caught.value.params == {"name": "张伟", "company": "华东机械", "other": "张伟"}
    with Session(engine) as s:
        assert (s.get(Contact, first.id) or Contact()).deleted_at is not None
        live = s.exec(select(Contact).where(Contact.name == "张伟",
                                            col(Contact.deleted_at).is_(None))).all()
        assert len(live) == 1


def test_a_deal_of_a_deleted_contact_waits_for_the_contact(
    engine: Engine, org: dict[str, Member]
) -> None:
    rep = org["rep"]
    cid, deal_id, _ = _contact_with_deal_and_order(engine, rep)
    with acting(engine, rep) as (s, me):
        restore.delete_deal(s, actor=me, deal_id=deal_id)
        restore.delete_contact(s, actor=me, contact_id=cid)
    with acting(engine, rep) as (s, me), pytest.raises(Invalid) as caught:
        restore.restore(s, actor=me, kind="d", row_id=deal_id)
    assert caught.value.key == "audit.restore.contact_first"
    with acting(engine, rep) as (s, me):
        restore.restore(s, actor=me, kind="c", row_id=cid)
    with Session(engine) as s:  # deleted before the contact: stays deleted
        assert (s.get(Deal, deal_id) or Deal()).deleted_at is not None


# --- a contact's history ---------------------------------------------------------------------

def test_history_gathers_the_contacts_records_newest_first_in_pages(
    engine: Engine, org: dict[str, Member]
) -> None:
    rep = org["rep"]
    cid, deal_id, order_id = _contact_with_deal_and_order(engine, rep)
    with acting(engine, rep) as (s, me):
        activity.log_interaction(s, actor=me, contact_id=cid, kind=InteractionKind.CALL,
                                 text="聊了报价")
    unrelated = make_contact(engine, owner=rep, name="无关")
    with acting(engine, rep) as (s, me):
        contact, rows, more = history.contact_history(s, actor=me, contact_id=cid, limit=3)
        assert contact.name == "李娜" and more
        assert [r.entity for r, _ in rows] == ["interaction", "order", "deal"]
        assert {name for _, name in rows} == {"Rep"}
        _, older, more = history.contact_history(s, actor=me, contact_id=cid,
                                                 before_id=rows[-1][0].id, limit=3)
        assert [(r.entity, r.entity_id) for r, _ in older] == [("contact", cid)] and not more
        assert all(r.entity_id != unrelated.id for r, _ in rows + older)
    assert order_id and deal_id
    with acting(engine, org["other"]) as (s, me), pytest.raises(NotFound):
        history.contact_history(s, actor=me, contact_id=cid)
    with Session(engine) as s:
        assert s.get(Order, order_id) is not None


def test_history_shows_reassignments_of_the_contact_and_its_deals(
    engine: Engine, org: dict[str, Member]
) -> None:
    cid, deal_id, _ = _contact_with_deal_and_order(engine, org["rep"])
    with acting(engine, org["manager"]) as (s, me):
        handover.reassign_contact(s, actor=me, contact_id=cid, target_id=org["manager"].id or 0,
                                     now=utcnow())
    with acting(engine, org["manager"]) as (s, me):
        _, rows, _ = history.contact_history(s, actor=me, contact_id=cid)
    moved = {(r.entity, r.entity_id) for r, _ in rows if r.action == "reassign"}
    assert {("contact", cid), ("deal", deal_id)} <= moved


def test_deleting_a_contact_cancels_its_queued_reminders_and_restore_lets_them_come_back(
    engine: Engine, org: dict[str, Member]
) -> None:
    from crm_store.messaging import outbox
    from crm_store.messaging import reminder_kinds as rk
    from crm_store.models import Outbox, OutboxStatus

    rep = org["rep"]
    gone = make_contact(engine, owner=rep, name="张伟")
    stays = make_contact(engine, owner=rep, name="王芳")
    now = utcnow()
    with acting(engine, rep) as (s, me):
        outbox.enqueue(s, member=me, kind=rk.BIRTHDAY, dedupe_key="bd", due_at=now,
                       payload={"contact_id": gone.id, "contact_name": "张伟"})
        outbox.enqueue(s, member=me, kind=rk.BIRTHDAY, dedupe_key="bd2", due_at=now,
                       payload={"contact_id": stays.id, "contact_name": "王芳"})
        outbox.enqueue(s, member=me, kind=rk.HOLIDAY, dedupe_key="hol", due_at=now,
                       payload={"holiday": "春节", "date": "2027-02-06", "contacts": [
                           {"contact_id": gone.id, "contact_name": "张伟", "tier": "A"},
                           {"contact_id": stays.id, "contact_name": "王芳", "tier": "B"}]})
        restore.delete_contact(s, actor=me, contact_id=gone.id or 0)
    with Session(engine) as s:
        rows = {r.payload.get("contact_name") or r.kind: r for r in s.exec(select(Outbox))}
        assert rows["张伟"].status == OutboxStatus.CANCELLED
        assert rows["王芳"].status == OutboxStatus.PENDING
        assert [p["contact_name"] for p in rows[rk.HOLIDAY].payload["contacts"]] == ["王芳"]
    with acting(engine, rep) as (s, me):
        restore.restore(s, actor=me, kind="c", row_id=gone.id or 0)
        # the dedupe key is free again: the producer writes the reminder anew
        assert outbox.enqueue(s, member=me, kind=rk.BIRTHDAY, dedupe_key="bd", due_at=now,
                              payload={"contact_id": gone.id, "contact_name": "张伟"})
