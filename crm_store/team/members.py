"""Teams, members, invites, and the one place that decides who sees whose records."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, or_, update
from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.errors import Forbidden, Invalid, NotFound
from crm_store.models import Invite, Member, Role, Team

INVITE_TTL = timedelta(days=7)
DEFAULT_TEAM_NAME = "Sales"


@dataclass(frozen=True)
class NewUser:
    """What Telegram tells us about a person who writes to the bot."""

    telegram_user_id: int
    display_name: str
    username: str | None
    language: str


def member_by_telegram_id(session: Session, telegram_user_id: int) -> Member | None:
    """Return the member with this Telegram id, active or not."""
    stmt = select(Member).where(Member.telegram_user_id == telegram_user_id)
    return session.exec(stmt).first()


LISTED_FIELDS = ("role", "active", "listed_admin")


def ensure_admin(
    session: Session, *, user: NewUser, timezone: str, team_name: str = DEFAULT_TEAM_NAME
) -> Member:
    """Create (or reactivate) an admin listed in ADMIN_TELEGRAM_IDS, with a team if none."""
    member = member_by_telegram_id(session, user.telegram_user_id)
    if member is not None:
        sync_listed_admin(session, member, listed=True)
        return member
    team = session.exec(select(Team).order_by(col(Team.id))).first()
    if team is None:
        team = Team(name=team_name)
        session.add(team)
        session.flush()
    member = _new_member(session, team_id=team.id or 0, user=user, role=Role.ADMIN,
                         manager_id=None, timezone=timezone)
    member.listed_admin = True
    audit.record(session, actor=member, action="create", entity="member",
                 entity_id=member.id or 0, after=audit.snapshot(member, ("role", "display_name")))
    return member


def sync_listed_admin(session: Session, member: Member, *, listed: bool) -> bool:
    """Make `member` agree with ADMIN_TELEGRAM_IDS; True if anything changed.

    Listed: an active admin. No longer listed, after being made admin by the list: a manager
    (records and reports stay), unless they are the team's last active admin — a team is never
    left without one. Admins made by invite or by another admin are not the list's to change.
    """
    before = audit.snapshot(member, LISTED_FIELDS)
    if listed:
        member.listed_admin = True
        if member.role != Role.ADMIN or not member.active:
            member.role, member.active = Role.ADMIN, True
    elif member.listed_admin:
        others = session.exec(select(Member.id).where(
            Member.team_id == member.team_id, Member.role == Role.ADMIN,
            col(Member.active).is_(True), Member.id != member.id)).first()
        if member.role == Role.ADMIN and others is None:
            return False
        member.listed_admin = False
        if member.role == Role.ADMIN:
            member.role = Role.MANAGER
    after = audit.snapshot(member, LISTED_FIELDS)
    if after == before:
        return False
    session.add(member)
    audit.record(session, actor=member, action="update", entity="member",
                 entity_id=member.id or 0, before=before, after=after)
    return True


def sync_listed_admins(session: Session, admin_ids: frozenset[int]) -> int:
    """Apply ADMIN_TELEGRAM_IDS to every member it lists or once listed (at start-up)."""
    stmt = select(Member).where(or_(col(Member.telegram_user_id).in_(admin_ids),
                                    col(Member.listed_admin).is_(True)))
    return sum(sync_listed_admin(session, m, listed=m.telegram_user_id in admin_ids)
               for m in session.exec(stmt).all())


def _new_member(
    session: Session, *, team_id: int, user: NewUser, role: Role, manager_id: int | None,
    timezone: str,
) -> Member:
    member = Member(
        team_id=team_id,
        telegram_user_id=user.telegram_user_id,
        display_name=user.display_name[:120] or str(user.telegram_user_id),
        username=user.username,
        role=role,
        manager_id=manager_id,
        language=user.language,
        timezone=timezone,
    )
    session.add(member)
    session.flush()
    return member


def create_invite(
    session: Session, *, actor: Member, role: Role, now: datetime | None = None
) -> Invite:
    """Issue a single-use invite; managers may invite reps only, admins anyone."""
    if actor.role == Role.REP or (actor.role == Role.MANAGER and role != Role.REP):
        raise Forbidden("error.invite_forbidden")
    now = now or utcnow()
    invite = Invite(
        token=secrets.token_urlsafe(16),
        team_id=actor.team_id,
        role=role,
        created_by_id=actor.id,
        manager_id=actor.id if actor.role == Role.MANAGER else None,
        expires_at=now + INVITE_TTL,
    )
    session.add(invite)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="invite", entity_id=invite.id or 0,
                 after={"role": role.value})
    return invite


def create_system_invite(session: Session, *, role: Role, now: datetime | None = None) -> Invite:
    """Issue an invite from the command line (`crm-bot invite`) into the first team."""
    team = session.exec(select(Team).order_by(col(Team.id))).first()
    if team is None:
        team = Team(name=DEFAULT_TEAM_NAME)
        session.add(team)
        session.flush()
    invite = Invite(token=secrets.token_urlsafe(16), team_id=team.id or 0, role=role,
                    expires_at=(now or utcnow()) + INVITE_TTL)
    session.add(invite)
    session.flush()
    audit.record(session, actor=None, action="create", entity="invite", entity_id=invite.id or 0,
                 after={"role": role.value, "by": "cli"}, team_id=team.id)
    return invite


def redeem_invite(
    session: Session, *, token: str, user: NewUser, timezone: str, now: datetime | None = None
) -> Member:
    """Turn a valid invite into a member; the token cannot be used again."""
    now = now or utcnow()
    if member_by_telegram_id(session, user.telegram_user_id) is not None:
        raise Invalid("error.already_member")
    # Claim the invite in one conditional UPDATE: of two people redeeming it at the same
    # moment (two processes on PostgreSQL), the second waits for the first's row lock, then
    # finds it used and changes nothing.
    claimed = session.execute(
        update(Invite)
        .where(col(Invite.token) == token[:64], col(Invite.used_at).is_(None),
               col(Invite.expires_at) > now)
        .values(used_at=now)
    )
    invite = session.exec(select(Invite).where(Invite.token == token[:64])
                          .execution_options(populate_existing=True)).first()
    if invite is None or cast("CursorResult[Any]", claimed).rowcount != 1:
        if invite is not None and invite.used_at is None:
            raise Invalid("error.invite_expired")
        raise Invalid("error.invite_invalid")
    member = _new_member(session, team_id=invite.team_id, user=user, role=invite.role,
                         manager_id=invite.manager_id, timezone=timezone)
    invite.used_by_id = member.id
    session.add(invite)
    audit.record(session, actor=member, action="create", entity="member",
                 entity_id=member.id or 0,
                 after={"role": invite.role.value, "invite_id": invite.id})
    return member


def visible_owner_ids(session: Session, actor: Member) -> set[int] | None:
    """Member ids whose records `actor` may see; None means the whole team (admins)."""
    if actor.role == Role.ADMIN:
        return None
    seen = {actor.id or 0}
    if actor.role == Role.MANAGER:
        frontier = {actor.id or 0}
        while frontier:
            stmt = select(Member.id).where(
                Member.team_id == actor.team_id, col(Member.manager_id).in_(frontier)
            )
            frontier = {mid for mid in session.exec(stmt) if mid is not None} - seen
            seen |= frontier
    return seen


def can_see_owner(session: Session, actor: Member, owner_id: int) -> bool:
    """Tell whether `actor` may see records owned by `owner_id`."""
    owners = visible_owner_ids(session, actor)
    return owners is None or owner_id in owners


Owned = TypeVar("Owned")


def visible_or_not_found(session: Session, actor: Member, row: Owned | None, key: str) -> Owned:
    """Return `row` if it is live, in the actor's team and theirs to see; else NotFound(key).

    A record of another rep and a record that does not exist answer the same, on purpose.
    """
    if (
        row is None
        or getattr(row, "deleted_at", None) is not None
        or getattr(row, "team_id", None) != actor.team_id
        or not can_see_owner(session, actor, getattr(row, "owner_id", -1))
    ):
        raise NotFound(key)
    return row


def get_member(session: Session, *, actor: Member, member_id: int) -> Member:
    """Return a team member `actor` may see."""
    member = session.get(Member, member_id)
    if member is None or member.team_id != actor.team_id:
        raise NotFound("error.member_not_found")
    return member


def set_language(session: Session, *, actor: Member, language: str) -> Member:
    """Change the language replies come in."""
    if language not in ("en", "zh-CN"):
        raise Invalid("error.language")
    before = audit.snapshot(actor, ("language",))
    actor.language = language
    session.add(actor)
    audit.record(session, actor=actor, action="update", entity="member", entity_id=actor.id or 0,
                 before=before, after=audit.snapshot(actor, ("language",)))
    return actor


def update_work_settings(session: Session, *, actor: Member, timezone: str | None = None,
                         hours: tuple[int, int] | None = None) -> Member:
    """Change the member's time zone and/or working hours (validated by the caller), audited."""
    fields = ("timezone", "work_start", "work_end")
    before = audit.snapshot(actor, fields)
    if timezone is not None:
        actor.timezone = timezone
    if hours is not None:
        actor.work_start, actor.work_end = hours
    session.add(actor)
    audit.record(session, actor=actor, action="update", entity="member", entity_id=actor.id or 0,
                 before=before, after=audit.snapshot(actor, fields))
    return actor


SELF_WORDS = ("me", "我", "自己")


def pick_member(members: list[Member], name: str, *, actor: Member, unknown: str,
                ambiguous: str) -> Member:
    """The member of `members` that `name` means; never a guess.

    "me"/"我" is the actor; then an exact name or @username; else a unique part of a name.
    None found raises NotFound(`unknown`), several Invalid(`ambiguous`) listing them.
    """
    wanted = " ".join(name.split()).casefold()
    if wanted in SELF_WORDS:
        return actor
    exact = [m for m in members
             if wanted in (m.display_name.casefold(), "@" + (m.username or "").casefold())]
    found = exact or [m for m in members if wanted and wanted in m.display_name.casefold()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(unknown, name=name[:60])
    names = ", ".join(sorted(m.display_name for m in found)[:6])
    raise Invalid(ambiguous, name=name[:60], names=names)
