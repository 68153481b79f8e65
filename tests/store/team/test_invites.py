"""Invites are single-use even when two people redeem one at the same moment."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.errors import Invalid
from crm_store.models import Invite, Member, Role
from crm_store.team import members as team
from tests.builders import make_admin


def person(telegram_id: int, name: str) -> team.NewUser:
    return team.NewUser(telegram_user_id=telegram_id, display_name=name, username=None,
                        language="en")


def invite_token(engine: Engine, role: Role = Role.REP) -> str:
    admin = make_admin(engine)
    with unit_of_work(engine) as s:
        return team.create_invite(s, actor=s.merge(admin), role=role).token


@pytest.mark.parametrize("role", [Role.REP, Role.ADMIN])
def test_second_redeemer_waiting_on_the_first_is_refused(engine: Engine, role: Role) -> None:
    token = invite_token(engine, role)
    outcome: list[str] = []

    def second() -> None:
        try:
            with unit_of_work(engine) as s:
                team.redeem_invite(s, token=token, user=person(3002, "Mallory"),
                                   timezone="UTC")
            outcome.append("admitted")
        except Invalid as exc:
            outcome.append(exc.key)

    with unit_of_work(engine) as s:  # the first redeemer is still inside its transaction
        team.redeem_invite(s, token=token, user=person(3001, "Ann"), timezone="UTC")
        racer = threading.Thread(target=second)
        racer.start()
        time.sleep(0.5)  # the second one reads the invite while the first has not committed
    racer.join(timeout=30)
    assert outcome == ["error.invite_invalid"]
    with Session(engine) as s:
        joined = s.exec(select(func.count()).select_from(Member)
                        .where(Member.telegram_user_id.in_([3001, 3002]))).one()  # type: ignore[attr-defined]
        used = s.exec(select(Invite).where(Invite.token == token)).one()
    assert joined == 1 and used.used_at is not None and used.used_by_id is not None


def test_expired_and_used_invites_say_which(engine: Engine) -> None:
    token = invite_token(engine)
    later = utcnow() + timedelta(days=8)
    with pytest.raises(Invalid) as expired, unit_of_work(engine) as s:
        team.redeem_invite(s, token=token, user=person(3001, "Ann"), timezone="UTC", now=later)
    assert expired.value.key == "error.invite_expired"
    with unit_of_work(engine) as s:
        team.redeem_invite(s, token=token, user=person(3001, "Ann"), timezone="UTC")
    with pytest.raises(Invalid) as used, unit_of_work(engine) as s:
        team.redeem_invite(s, token=token, user=person(3002, "Bo"), timezone="UTC")
    assert used.value.key == "error.invite_invalid"
    with pytest.raises(Invalid) as member, unit_of_work(engine) as s:
        team.redeem_invite(s, token=invite_token(engine), user=person(3001, "Ann"),
                           timezone="UTC")
    assert member.value.key == "error.already_member"
