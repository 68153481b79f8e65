"""Search keeps a team's keys in memory, and never answers from keys that are out of date.

Whatever writes a contact (a service, a bulk UPDATE, a rolled-back transaction), the next
search sees the database as it is: triggers give the team a new stamp (migration 0009).
"""

from __future__ import annotations

import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from crm_store.contacts import contacts
from crm_store.db import unit_of_work
from crm_store.models import Company, Contact, InteractionKind, Member, Role
from crm_store.records import restore
from crm_store.sales import activity
from tests.builders import make_admin, make_contact, make_member


def names(engine: Engine, actor: Member, query: str) -> list[str]:
    with unit_of_work(engine) as s:
        me = s.get(Member, actor.id)
        assert me is not None
        return [c.name for c, _ in contacts.search_contacts(s, actor=me, query=query, limit=20)]


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the loads of a team's keys from the database."""
    seen: list[int] = []
    real = contacts._load_team_keys

    def counting(session, team_id):  # type: ignore[no-untyped-def]
        seen.append(team_id)
        return real(session, team_id)

    monkeypatch.setattr(contacts, "_load_team_keys", counting)
    return seen


def test_keys_are_read_once_and_a_logged_call_keeps_them(engine: Engine, loads: list[int]) -> None:
    admin = make_admin(engine)
    zhang = make_contact(engine, owner=admin, name="张伟", company="Acme")
    assert names(engine, admin, "zhangwei") == ["张伟"]
    assert names(engine, admin, "zw") == ["张伟"]
    assert len(loads) == 1
    with unit_of_work(engine) as s:
        me = s.get(Member, admin.id)
        assert me is not None
        activity.log_interaction(s, actor=me, contact_id=zhang.id or 0,
                                 kind=InteractionKind.CALL, text="about 50 units")
    assert names(engine, admin, "acme") == ["张伟"]
    assert len(loads) == 1  # an interaction is not a contact change


def test_every_way_of_changing_contacts_shows_in_the_next_search(engine: Engine) -> None:
    admin = make_admin(engine)
    rep = make_member(engine, by=admin, role=Role.REP, name="Rep")
    ann = make_contact(engine, owner=rep, name="Ann Lee", company="Acme")
    assert names(engine, rep, "ann") == ["Ann Lee"]

    make_contact(engine, owner=rep, name="Anna Berg")  # added
    assert names(engine, rep, "ann") == ["Ann Lee", "Anna Berg"]
    with unit_of_work(engine) as s:  # renamed by the service
        me = s.get(Member, rep.id)
        assert me is not None
        contacts.update_field(s, actor=me, contact_id=ann.id or 0, name="name", value="Joan Lee")
    assert names(engine, rep, "joan") == ["Joan Lee"]
    assert names(engine, rep, "ann") == ["Anna Berg"]
    with unit_of_work(engine) as s:  # the company renamed with a bulk UPDATE
        s.exec(update(Company).values(name="Globex"))  # type: ignore[call-overload]
    assert names(engine, rep, "globex") == ["Joan Lee"]
    with unit_of_work(engine) as s:  # soft-deleted, then restored
        me = s.get(Member, rep.id)
        assert me is not None
        restore.delete_contact(s, actor=me, contact_id=ann.id or 0)
    assert names(engine, rep, "joan") == []
    with unit_of_work(engine) as s:
        me = s.get(Member, rep.id)
        assert me is not None
        restore.restore(s, actor=me, kind="c", row_id=ann.id or 0)
    assert names(engine, rep, "joan") == ["Joan Lee"]
    with unit_of_work(engine) as s:  # handed to the admin by raw SQL: the rep no longer sees it
        s.execute(text("UPDATE contact SET owner_id = :a WHERE id = :c"),
                  {"a": admin.id, "c": ann.id})
    assert names(engine, rep, "joan") == []
    assert names(engine, admin, "joan") == ["Joan Lee"]


def test_a_contact_added_in_a_rolled_back_transaction_is_never_found(engine: Engine) -> None:
    admin = make_admin(engine)
    make_contact(engine, owner=admin, name="Kept Kim")
    assert names(engine, admin, "kim") == ["Kept Kim"]
    with pytest.raises(RuntimeError), unit_of_work(engine) as s:
        me = s.get(Member, admin.id)
        assert me is not None
        contacts.create_contact(s, actor=me, data=contacts.NewContact(name="Ghost Kim"),
                                force=True)
        inside = [c.name for c, _ in contacts.search_contacts(s, actor=me, query="kim")]
        assert inside == ["Ghost Kim", "Kept Kim"]  # its own transaction sees it
        raise RuntimeError("rolled back")
    assert names(engine, admin, "kim") == ["Kept Kim"]
    with unit_of_work(engine) as s:  # another change afterwards: still no ghost
        s.exec(update(Contact).where(col(Contact.name) == "Kept Kim")  # type: ignore[call-overload]
               .values(phone="+8613800000000"))
    assert names(engine, admin, "kim") == ["Kept Kim"]
