"""Builders for test data, through the same services the app uses."""

from __future__ import annotations

import itertools

from sqlalchemy.engine import Engine

from crm_store.contacts import contacts
from crm_store.db import unit_of_work
from crm_store.models import Contact, Member, Role
from crm_store.team import members as team

_ids = itertools.count(7_000_001)


def make_admin(engine: Engine, *, telegram_user_id: int = 1001, language: str = "en") -> Member:
    """An admin with a team, as ADMIN_TELEGRAM_IDS bootstraps one."""
    with unit_of_work(engine) as session:
        return team.ensure_admin(session, user=team.NewUser(telegram_user_id, "Ada Admin", None,
                                                             language), timezone="Asia/Shanghai")


def make_member(
    engine: Engine, *, by: Member, role: Role = Role.REP, name: str = "Rep",
    telegram_user_id: int | None = None, language: str = "en",
) -> Member:
    """A member who joined through an invite issued by `by`."""
    with unit_of_work(engine) as session:
        inviter = session.get(Member, by.id)
        assert inviter is not None
        invite = team.create_invite(session, actor=inviter, role=role)
        user = team.NewUser(telegram_user_id or next(_ids), name, None, language)
        return team.redeem_invite(session, token=invite.token, user=user,
                                  timezone="Asia/Shanghai")


def make_contact(engine: Engine, *, owner: Member, name: str, company: str | None = None,
                 phone: str | None = None, email: str | None = None) -> Contact:
    """A contact owned by `owner`, created without the duplicate check."""
    with unit_of_work(engine) as session:
        actor = session.get(Member, owner.id)
        assert actor is not None
        data = contacts.NewContact(name=name, company=company, phone=phone, email=email)
        return contacts.create_contact(session, actor=actor, data=data, force=True)
