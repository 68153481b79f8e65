"""ADMIN_TELEGRAM_IDS is reflected: listed people are admins; leaving the list demotes."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.engine import Engine
from sqlmodel import select

from crm_store.db import unit_of_work
from crm_store.models import AuditLog, Member, Role
from crm_store.team import members as team
from tests.builders import make_admin, make_member
from tests.handlers.conftest import ADMIN_ID, SETTINGS, Chat


def role_of(engine: Engine, member_id: int | None) -> tuple[Role, bool]:
    with unit_of_work(engine) as s:
        member = s.get(Member, member_id)
        assert member is not None
        return member.role, member.listed_admin


def test_leaving_the_list_demotes_a_listed_admin_to_manager_but_never_the_last_admin(
        engine: Engine) -> None:
    ada = make_admin(engine)  # bootstrapped by the list
    assert role_of(engine, ada.id) == (Role.ADMIN, True)
    with unit_of_work(engine) as s:  # the list is emptied while Ada is the only admin
        assert team.sync_listed_admins(s, frozenset()) == 0
    assert role_of(engine, ada.id) == (Role.ADMIN, True)
    ivy = make_member(engine, by=ada, role=Role.ADMIN, name="Ivy", telegram_user_id=3001)
    with unit_of_work(engine) as s:
        assert team.sync_listed_admins(s, frozenset({4242})) == 1
    assert role_of(engine, ada.id) == (Role.MANAGER, False)
    assert role_of(engine, ivy.id) == (Role.ADMIN, False)  # invited: not the list's to change
    with unit_of_work(engine) as s:
        row = s.exec(select(AuditLog).where(AuditLog.entity_id == ada.id,
                                            AuditLog.action == "update")).all()[-1]
    assert row.before and row.after
    assert (row.before["role"], row.before["listed_admin"]) == ("admin", True)
    assert (row.after["role"], row.after["listed_admin"]) == ("manager", False)
    with unit_of_work(engine) as s:  # listed again: admin again
        assert team.sync_listed_admins(s, frozenset({ADMIN_ID})) == 1
    assert role_of(engine, ada.id) == (Role.ADMIN, True)


async def test_a_removed_admin_loses_admin_commands_from_their_next_message(
        engine: Engine) -> None:
    ada = make_admin(engine)
    make_member(engine, by=ada, role=Role.ADMIN, name="Ivy", telegram_user_id=3001)
    removed = Chat(engine, settings=replace(SETTINGS, admin_ids=frozenset()))
    await removed.send("/invite admin")
    assert "not available for your role" in removed.text() or "cannot invite" in removed.text()
    assert role_of(engine, ada.id) == (Role.MANAGER, False)
    back = Chat(engine)  # ADMIN_TELEGRAM_IDS lists Ada again
    await back.send("/invite admin")
    assert "start=" in back.text()
