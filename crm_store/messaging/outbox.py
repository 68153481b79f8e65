"""The outbox: reminders written once (unique dedupe key), sent once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.messaging import reminder_kinds as kinds
from crm_store.models import Member, Outbox, OutboxStatus, Role


def enqueue(
    session: Session, *, member: Member, kind: str, dedupe_key: str, due_at: datetime,
    payload: dict[str, Any],
) -> bool:
    """Add a reminder for `member`; False if one with this dedupe key already exists."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(Outbox)
        .values(team_id=member.team_id, member_id=member.id, chat_id=member.telegram_user_id,
                kind=kind, dedupe_key=dedupe_key[:160], payload=payload, due_at=due_at,
                status=OutboxStatus.PENDING.value, attempts=0, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(col(Outbox.id))
    )
    return session.connection().execute(stmt).first() is not None


# --- Sending side: leases, outcomes -------------------------------------------------------

MAX_ATTEMPTS = 5  # a row that failed this many sends becomes failed
ERROR_LENGTH = 500  # Outbox.error


def claim_due(
    session: Session, *, now: datetime, worker: str, lease_seconds: float, limit: int,
    per_chat: int | None = None,
) -> list[Outbox]:
    """Lease up to `limit` due pending rows to `worker`, oldest first, a prefix of each chat.

    A chat's rows are taken only from its earliest due pending row on, without gaps, so two
    workers never send one chat's reminders out of order: a chat whose earliest row another
    worker holds (leased, or locked by a claim in progress) is skipped as a whole.
    PostgreSQL locks the rows with FOR UPDATE SKIP LOCKED; SQLite's BEGIN IMMEDIATE already
    makes this transaction the only writer.
    """
    due = and_(col(Outbox.status) == OutboxStatus.PENDING, col(Outbox.due_at) <= now)
    rank = func.row_number().over(partition_by=col(Outbox.chat_id),
                                  order_by=(col(Outbox.due_at), col(Outbox.id)))
    ranked = select(col(Outbox.id).label("id"), rank.label("rank")).where(due).subquery()
    free = or_(col(Outbox.lease_until).is_(None), col(Outbox.lease_until) <= now)
    stmt = (
        select(Outbox, ranked.c.rank)
        .join(ranked, ranked.c.id == Outbox.id)
        .where(due, free)
        .order_by(col(Outbox.due_at), col(Outbox.id))
        .limit(limit)
    )
    if per_chat is not None:
        stmt = stmt.where(ranked.c.rank <= per_chat)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Outbox, skip_locked=True)
    rows = _chat_prefixes(list(session.exec(stmt)))
    lease_until = now + timedelta(seconds=lease_seconds)
    for row in rows:
        row.lease_owner, row.lease_until, row.attempts = worker, lease_until, row.attempts + 1
        session.add(row)
    session.flush()
    return rows


def _chat_prefixes(ranked_rows: list[tuple[Outbox, int]]) -> list[Outbox]:
    """Keep, per chat, the rows ranked 1, 2, 3… up to the first gap; due order overall."""
    by_chat: dict[int, list[tuple[Outbox, int]]] = {}
    for row, rank in ranked_rows:
        by_chat.setdefault(row.chat_id, []).append((row, rank))
    keep: set[int] = set()
    for chat_rows in by_chat.values():
        for expected, (row, rank) in enumerate(sorted(chat_rows, key=lambda pair: pair[1]), 1):
            if rank != expected:
                break
            keep.add(row.id or 0)
    return [row for row, _ in ranked_rows if row.id in keep]


def _ours(outbox_id: int, worker: str) -> Any:
    """The row is still pending under `worker`'s lease (nobody else has taken it over)."""
    return and_(col(Outbox.id) == outbox_id, col(Outbox.status) == OutboxStatus.PENDING,
                col(Outbox.lease_owner) == worker)


def _update_if_ours(session: Session, outbox_id: int, worker: str, **values: Any) -> bool:
    stmt = update(Outbox).where(_ours(outbox_id, worker)).values(**values)
    return session.connection().execute(stmt).rowcount == 1


def mark_sent(
    session: Session, *, outbox_id: int, worker: str, message_id: int, now: datetime
) -> bool:
    """Record the sent message; False if the lease is no longer `worker`'s (no double record)."""
    return _update_if_ours(session, outbox_id, worker, status=OutboxStatus.SENT.value,
                           sent_at=now, message_id=message_id, lease_until=None, error=None)


def release(
    session: Session, *, outbox_id: int, worker: str, due_at: datetime | None = None,
    refund_attempt: bool = True,
) -> bool:
    """Put a leased row back as pending (at `due_at` if given); the attempt is not counted."""
    values: dict[str, Any] = {"lease_owner": None, "lease_until": None}
    if due_at is not None:
        values["due_at"] = due_at
    if refund_attempt:
        values["attempts"] = case((col(Outbox.attempts) > 0, col(Outbox.attempts) - 1),
                                  else_=0)
    return _update_if_ours(session, outbox_id, worker, **values)


def retry_later(
    session: Session, *, outbox_id: int, worker: str, due_at: datetime, error: str
) -> bool:
    """Put a row whose send failed back as pending at `due_at`, keeping the attempt count."""
    return _update_if_ours(session, outbox_id, worker, due_at=due_at, lease_owner=None,
                           lease_until=None, error=error[:ERROR_LENGTH])


def mark_failed(session: Session, *, outbox_id: int, worker: str, error: str) -> bool:
    """Give up on a row after its last attempt, keeping the error text."""
    return _update_if_ours(session, outbox_id, worker, status=OutboxStatus.FAILED.value,
                           lease_until=None, error=error[:ERROR_LENGTH])


def retry_delay(attempts: int, *, base_seconds: float = 30.0) -> timedelta:
    """How long to wait after the `attempts`-th failed send: 30 s, 1 min, 2 min, 4 min…"""
    return timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0))


def hold_for_out_of_office(
    session: Session, *, rows: list[Outbox], now: datetime
) -> list[tuple[Outbox, Member]]:
    """Hold claimed rows of members away at `now`, cancel those of inactive members.

    Returns the rows still to send, each with its member (language, time zone).
    """
    ids = {row.member_id for row in rows}
    members = {m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(ids)))}
    sendable: list[tuple[Outbox, Member]] = []
    for row in rows:
        member = members.get(row.member_id)
        if member is None or not member.active:
            row.status, row.error = OutboxStatus.CANCELLED, "member inactive"
        elif member.out_of_office_until is not None and member.out_of_office_until > now:
            row.status, row.attempts = OutboxStatus.HELD, max(row.attempts - 1, 0)
        else:
            sendable.append((row, member))
            continue
        row.lease_owner, row.lease_until = None, None
        session.add(row)
    session.flush()
    return sendable


def mark_unreachable(session: Session, *, member_id: int, reason: str) -> int:
    """Deactivate a member the bot cannot reach and cancel their unsent rows; return how many.

    The team's active admins are told through the outbox, so they can /reactivate the member
    once the bot can reach them again (no record changes hands: nothing is lost meanwhile).
    """
    member = session.get(Member, member_id)
    if member is not None and member.active:
        before = audit.snapshot(member, ("active",))
        member.active = False
        session.add(member)
        audit.record(session, actor=None, action="update", entity="member",
                     entity_id=member_id, before=before,
                     after={"active": False, "reason": reason[:100]}, team_id=member.team_id)
        _tell_admins_unreachable(session, member, reason)
    unsent = (OutboxStatus.PENDING.value, OutboxStatus.HELD.value)
    stmt = (update(Outbox)
            .where(col(Outbox.member_id) == member_id, col(Outbox.status).in_(unsent))
            .values(status=OutboxStatus.CANCELLED.value, lease_owner=None, lease_until=None,
                    error=reason[:ERROR_LENGTH]))
    return session.connection().execute(stmt).rowcount



def _tell_admins_unreachable(session: Session, member: Member, reason: str) -> None:
    now = utcnow()
    admins = session.exec(select(Member).where(
        Member.team_id == member.team_id, Member.role == Role.ADMIN,
        col(Member.active).is_(True), Member.id != member.id)).all()
    for admin in admins:
        enqueue(session, member=admin, kind=kinds.MEMBER_UNREACHABLE,
                dedupe_key=f"unreachable:{member.id}:{admin.id}:{now.isoformat()}", due_at=now,
                payload={"member_id": member.id, "name": member.display_name,
                         "reason": reason[:100]})
