"""Visibility is decided once in crm_store: rep own, manager their hierarchy, admin all."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from crm_store.contacts import contacts
from crm_store.db import unit_of_work
from crm_store.errors import NotFound
from crm_store.models import InteractionKind, Member, Role
from crm_store.sales import activity
from tests.builders import make_admin, make_contact, make_member


@pytest.fixture
def org(engine: Engine) -> dict[str, Member]:
    """admin → manager → (team lead manager → rep_deep), manager → rep; rep_other under admin."""
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Manager")
    rep = make_member(engine, by=manager, name="Rep")
    with unit_of_work(engine) as s:  # a lead who reports to the manager, with a rep below
        lead = make_member(engine, by=admin, role=Role.MANAGER, name="Lead")
    with unit_of_work(engine) as s:
        row = s.get(Member, lead.id)
        assert row is not None
        row.manager_id = manager.id
        s.add(row)
    rep_deep = make_member(engine, by=lead, name="Deep rep")
    rep_other = make_member(engine, by=admin, name="Other rep")
    return {"admin": admin, "manager": manager, "lead": lead, "rep": rep, "rep_deep": rep_deep,
            "rep_other": rep_other}


def visible_names(engine: Engine, actor: Member, query: str = "client") -> set[str]:
    with unit_of_work(engine) as s:
        me = s.get(Member, actor.id)
        assert me is not None
        return {c.name for c, _ in contacts.search_contacts(s, actor=me, query=query, limit=20)}


def test_each_role_sees_exactly_its_share(engine: Engine, org: dict[str, Member]) -> None:
    for key in ("rep", "rep_deep", "rep_other", "manager"):
        make_contact(engine, owner=org[key], name=f"client of {key}")
    everyone = {f"client of {k}" for k in ("rep", "rep_deep", "rep_other", "manager")}
    assert visible_names(engine, org["rep"]) == {"client of rep"}
    assert visible_names(engine, org["lead"]) == {"client of rep_deep"}
    assert visible_names(engine, org["manager"]) == {
        "client of rep", "client of rep_deep", "client of manager"}
    assert visible_names(engine, org["admin"]) == everyone


def test_rep_cannot_read_or_log_on_another_reps_contact(
    engine: Engine, org: dict[str, Member]
) -> None:
    theirs = make_contact(engine, owner=org["rep_other"], name="李娜")
    with unit_of_work(engine) as s:
        rep = s.get(Member, org["rep"].id)
        assert rep is not None
        with pytest.raises(NotFound):
            contacts.card(s, actor=rep, contact_id=theirs.id or 0)
        with pytest.raises(NotFound):
            activity.log_interaction(s, actor=rep, contact_id=theirs.id or 0,
                                     kind=InteractionKind.CALL, text="hi")
        with pytest.raises(NotFound):
            contacts.update_field(s, actor=rep, contact_id=theirs.id or 0, name="city",
                                  value="x")


def test_manager_can_log_on_team_contact_and_card_shows_it(
    engine: Engine, org: dict[str, Member]
) -> None:
    mine = make_contact(engine, owner=org["rep"], name="王芳")
    with unit_of_work(engine) as s:
        manager = s.get(Member, org["manager"].id)
        assert manager is not None
        activity.log_interaction(s, actor=manager, contact_id=mine.id or 0,
                                 kind=InteractionKind.VISIT, text="joint visit")
        card = contacts.card(s, actor=manager, contact_id=mine.id or 0)
    assert card.owner == "Rep" and card.recent[0].text == "joint visit"
    assert card.contact.last_contacted_at is not None
