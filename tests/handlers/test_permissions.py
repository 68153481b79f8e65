"""The permission matrix: every command and button, as a stranger, a rep, a manager, an admin.

The tables below are the specification. A command or button family registered without a row
fails `test_every_command_and_button_has_a_rule`, so each new one needs a deliberate rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.messaging import dialogs
from crm_store.models import (
    AuditLog,
    Deal,
    Feedback,
    FeedbackKind,
    Member,
    Order,
    Role,
    Task,
)
from crm_store.records import restore
from handlers import dispatch
from handlers.i18n import Translator
from handlers.records import importing
from handlers.router import registry
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import ADMIN_ID, Chat

STRANGER, REP, MANAGER, ADMIN = "stranger", "rep", "manager", "admin"
EVERYONE, MANAGERS, ADMINS = frozenset({REP, MANAGER, ADMIN}), frozenset({MANAGER, ADMIN}), \
    frozenset({ADMIN})
# Outcome for an allowed role. REPLY: a normal reply, with no refusal or error text.
# REACHED: the handler runs (no refusal, no crash); pressed cold, without the form or record
# the button belongs to, it may answer that the button is no longer valid.
REPLY, REACHED = "reply", "reached"

# command -> (roles allowed, outcome of the bare command for them). Strangers: never.
COMMANDS: dict[str, tuple[frozenset[str], str]] = {
    "start": (EVERYONE, REPLY), "help": (EVERYONE, REPLY), "cancel": (EVERYONE, REPLY),
    "lang": (EVERYONE, REPLY), "settings": (EVERYONE, REPLY),
    "find": (EVERYONE, REPLY), "contact": (EVERYONE, REPLY), "edit": (EVERYONE, REPLY),
    "add": (EVERYONE, REPLY), "log": (EVERYONE, REPLY),
    "deal": (EVERYONE, REPLY), "won": (EVERYONE, REPLY), "lost": (EVERYONE, REPLY),
    "deals": (EVERYONE, REPLY), "stages": (ADMINS, REPLY),
    "feedback": (EVERYONE, REPLY), "csat": (EVERYONE, REPLY), "nps": (EVERYONE, REPLY),
    "resolve": (EVERYONE, REPLY), "complaints": (EVERYONE, REPLY),
    "followup": (EVERYONE, REPLY), "today": (EVERYONE, REPLY), "tasks": (EVERYONE, REPLY),
    "done": (EVERYONE, REPLY),
    "order": (EVERYONE, REPLY), "paid": (EVERYONE, REPLY), "receivables": (EVERYONE, REPLY),
    "pipeline": (EVERYONE, REPLY), "forecast": (EVERYONE, REPLY), "funnel": (EVERYONE, REPLY),
    "atrisk": (EVERYONE, REPLY), "report": (EVERYONE, REPLY), "segments": (EVERYONE, REPLY),
    "team": (EVERYONE, REPLY), "invite": (MANAGERS, REPLY),
    "members": (MANAGERS, REPLY), "deactivate": (ADMINS, REPLY), "reassign": (MANAGERS, REPLY),
    "reactivate": (ADMINS, REPLY),
    "audit": (EVERYONE, REPLY), "delete": (EVERYONE, REPLY), "restore": (EVERYONE, REPLY),
    "import": (EVERYONE, REPLY), "export": (EVERYONE, REPLY),
    "erase": (ADMINS, REPLY),
    "points": (EVERYONE, REPLY), "coupon": (EVERYONE, REPLY),
    "campaign": (MANAGERS, REPLY), "campaigns": (EVERYONE, REPLY),
}

# button prefix -> (roles allowed, outcome, sample data; {contact} {deal} {order} {task}
# {feedback} are records of the rep, which the rep, their manager and the admin all see).
CALLBACKS: dict[str, tuple[frozenset[str], str, str]] = {
    "pk": (EVERYONE, REACHED, "pk:{contact}"),
    "ct": (EVERYONE, REPLY, "ct:{contact}"),
    "ed": (EVERYONE, REPLY, "ed:{contact}"),
    "ef": (EVERYONE, REPLY, "ef:{contact}:phone"),
    "lg": (EVERYONE, REPLY, "lg:{contact}:call"),
    "ck": (EVERYONE, REACHED, "ck:{contact}"),
    "fs": (EVERYONE, REACHED, "fs:skip"),
    "dup": (EVERYONE, REACHED, "dup:add"),
    "dn": (EVERYONE, REPLY, "dn:{contact}"),
    "dc": (EVERYONE, REPLY, "dc:{deal}"),
    "dm": (EVERYONE, REACHED, "dm:{deal}:proposal"),
    "dw": (EVERYONE, REACHED, "dw:{deal}"),
    "dx": (EVERYONE, REACHED, "dx:{deal}"),
    "dk": (EVERYONE, REACHED, "dk:{deal}"),
    "dp": (EVERYONE, REACHED, "dp:{deal}:won"),
    "fv": (EVERYONE, REACHED, "fv:{contact}:high"),
    "fr": (EVERYONE, REACHED, "fr:{feedback}"),
    "fc": (EVERYONE, REACHED, "fc:1"),
    "tf": (EVERYONE, REPLY, "tf:{contact}"),
    "tl": (EVERYONE, REACHED, "tl:0:mine"),
    "td": (EVERYONE, REACHED, "td:{task}"),
    "cx": (EVERYONE, REPLY, "cx"),
    "lang": (EVERYONE, REPLY, "lang:en"),
    "oc": (EVERYONE, REPLY, "oc:{order}"),
    "op": (EVERYONE, REACHED, "op:{order}"),
    "or": (EVERYONE, REPLY, "or:0"),
    "ar": (EVERYONE, REACHED, "ar:0"),
    "qp": (EVERYONE, REACHED, "qp:{contact}"), "qc": (EVERYONE, REACHED, "qc"),
    "qu": (EVERYONE, REACHED, "qu:1:1"), "qe": (EVERYONE, REACHED, "qe"),
    "qk": (EVERYONE, REACHED, "qk:call"), "qf": (EVERYONE, REACHED, "qf"),
    "qb": (EVERYONE, REACHED, "qb"), "qt": (EVERYONE, REACHED, "qt"),
    "rd": (EVERYONE, REACHED, "rd:1"), "rs": (EVERYONE, REACHED, "rs:1:1h"),
    "rl": (EVERYONE, REACHED, "rl:1"), "ro": (EVERYONE, REACHED, "ro:1"),
    "sg": (EVERYONE, REPLY, "sg:"),
    "sl": (EVERYONE, REACHED, "sl:rfm:x:0:"),
    "tm": (EVERYONE, REACHED, "tm:0:week"),
    # Well-formed samples, so the handler's own checks run (not the stale-button return).
    "au": (EVERYONE, REPLY, "au:{contact}:{last_audit}"),
    "ax": (EVERYONE, REACHED, "ax:{contact}"),
    "av": (EVERYONE, REACHED, "av:c:{deleted_contact}"),
    "md": (ADMINS, REPLY, "md:{rep_member}:{manager_member}"),
    "mr": (MANAGERS, REPLY, "mr:{rep_member}:{manager_member}"),
    "imp": (EVERYONE, REPLY, "imp:no:{import_token}"),
    "er": (ADMINS, REACHED, "er:{contact}"),
    "po": (ADMINS, REACHED, "po:{contact}"),
    "cf": (MANAGERS, REACHED, "cf:ch:call"), "cc": (MANAGERS, REACHED, "cc"),
    "cg": (EVERYONE, REACHED, "cg:1:0"), "co": (EVERYONE, REACHED, "co:1:c:0"),
    "ce": (EVERYONE, REACHED, "ce:1"),
}

ROLES = (STRANGER, REP, MANAGER, ADMIN)
USER_IDS = {STRANGER: 9_999_001, REP: 2101, MANAGER: 2102, ADMIN: ADMIN_ID}
EN = Translator("en")
NEVER_IN_A_NORMAL_REPLY = (str(EN("auth.stranger")), str(EN("error.internal")),
                           str(EN("error.stale_button")), str(EN("error.not_member")),
                           "is not available for your role")


@dataclass
class World:
    """One chat per role and the ids of the rep's records."""

    chats: dict[str, Chat]
    ids: dict[str, Any]


@pytest.fixture
def world(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> World:
    """A team (admin > manager > rep) where the rep has a contact, deal, order, task, feedback."""
    monkeypatch.setattr(dispatch, "_refused", {})  # each stranger gets their refusal
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Mia Manager",
                          telegram_user_id=USER_IDS[MANAGER])
    make_member(engine, by=manager, role=Role.REP, name="Ray Rep",
                telegram_user_id=USER_IDS[REP])
    return World({role: Chat(engine, user_id=uid) for role, uid in USER_IDS.items()}, {})


def _seed_records(world: World) -> None:
    engine = world.chats[REP].engine
    with unit_of_work(engine) as s:
        rep = s.exec(select(Member).where(Member.telegram_user_id == USER_IDS[REP])).one()
        assert rep.id is not None
    contact = make_contact(engine, owner=rep, name="张伟", company="华东机械",
                           phone="13800138000")
    owned = {"team_id": rep.team_id, "owner_id": rep.id, "contact_id": contact.id}
    rows = {
        "contact": contact,
        "deal": Deal(**owned, title="ERP", amount_minor=5_000_000, stage="qualified"),
        "order": Order(**owned, amount_minor=500_000),
        "task": Task(**owned, text="call", due_at=utcnow() + timedelta(days=1)),
        "feedback": Feedback(**owned, member_id=rep.id, kind=FeedbackKind.PRAISE, text="great"),
    }
    gone = make_contact(engine, owner=rep, name="李娜", company="华南贸易")
    with unit_of_work(engine) as s:
        for row in rows.values():
            s.add(row)
        s.flush()
        world.ids.update({key: row.id for key, row in rows.items()})
        restore.delete_contact(s, actor=s.get(Member, rep.id), contact_id=gone.id or 0)
        world.ids["deleted_contact"] = gone.id
        world.ids["last_audit"] = (s.exec(select(AuditLog.id).order_by(
            AuditLog.id.desc())).first() or 0) + 1  # type: ignore[union-attr]
        members = {m.telegram_user_id: m.id for m in s.exec(select(Member))}
        world.ids.update({f"{role}_member": members[USER_IDS[role]]
                          for role in (REP, MANAGER, ADMIN)})
        # each member has an import waiting for Confirm/Cancel, as after sending a file
        world.ids["import_token"] = "t0k"
        for role in (REP, MANAGER, ADMIN):
            dialogs.put(s, chat_id=USER_IDS[role], user_id=USER_IDS[role], flow=importing.FLOW,
                        data={"token": "t0k", "rows": []})


def _registered_commands() -> list[str]:
    return sorted({spec.name for spec in registry.commands.values()})


def test_every_command_and_button_has_a_rule():
    assert sorted(set(_registered_commands()) - COMMANDS.keys()) == [], "add a COMMANDS row"
    assert sorted(registry.callbacks.keys() - CALLBACKS.keys()) == [], "add a CALLBACKS row"
    assert sorted(COMMANDS.keys() - set(_registered_commands())) == [], "stale COMMANDS row"
    assert sorted(CALLBACKS.keys() - registry.callbacks.keys()) == [], "stale CALLBACKS row"


def test_registry_declares_the_roles_the_matrix_expects():
    for key, spec in registry.commands.items():
        if spec.name in COMMANDS:
            assert {r.value for r in spec.roles} == COMMANDS[spec.name][0], f"/{key}"
    for prefix, cb in registry.callbacks.items():
        if prefix in CALLBACKS:
            assert {r.value for r in cb.roles} == CALLBACKS[prefix][0], prefix


def _assert_normal(text: str, what: str) -> None:
    assert text.strip(), f"{what}: empty reply"
    for bad in NEVER_IN_A_NORMAL_REPLY:
        assert bad not in text, f"{what}: {text[:200]!r}"


@pytest.mark.parametrize("name", sorted(registry.commands))
async def test_command_as_each_role(world: World, name: str):
    spec = registry.commands[name]
    if spec.name not in COMMANDS:
        pytest.skip(f"/{spec.name} has no rule (reported by test_every_command_…)")
    allowed, outcome = COMMANDS[spec.name]
    for role in ROLES:
        replies = await world.chats[role].send(f"/{name}")
        text = "\n".join(r.text for r in replies)
        what = f"/{name} as {role}"
        if role == STRANGER:
            assert text == EN("auth.stranger"), what
        elif role not in allowed:
            assert text == EN("error.forbidden", command=f"/{spec.name}"), what
        else:
            assert outcome == REPLY
            _assert_normal(text, what)


@pytest.mark.parametrize("prefix", sorted(registry.callbacks))
async def test_button_as_each_role(world: World, prefix: str, monkeypatch: pytest.MonkeyPatch):
    if prefix not in CALLBACKS:
        pytest.skip(f"{prefix}: has no rule (reported by test_every_command_…)")
    allowed, outcome, sample = CALLBACKS[prefix]
    if "{" in sample:
        _seed_records(world)
    calls: list[str] = []
    original = registry.callbacks[prefix]

    async def spy(req, ctx):  # type: ignore[no-untyped-def]
        calls.append(ctx.member.role.value)
        return await original.func(req, ctx)

    monkeypatch.setitem(registry.callbacks, prefix, replace(original, func=spy))
    data = sample.format(**world.ids)
    for role in ROLES:
        before = len(calls)
        replies = await world.chats[role].press_data(data)
        text = "\n".join(r.text for r in replies)
        what = f"button {data} as {role}"
        reached = len(calls) > before
        assert EN("error.internal") not in text, what
        if role == STRANGER:
            assert text == EN("auth.stranger") and not reached, what
        elif role not in allowed:
            assert text == EN("error.stale_button") and not reached, what
        else:
            assert reached, what
            if outcome == REPLY:
                _assert_normal(text, what)
