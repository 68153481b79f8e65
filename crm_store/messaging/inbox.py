"""The inbox: raw updates are committed before Telegram is told they arrived.

A row keeps the raw update only while it is needed: once handled and its replies sent, the
payload and replies are dropped (the row stays for the update_id's uniqueness and the polling
offset); a stranger's row keeps no identifier of them; finished rows are purged after the
retention days (`purge`), all but the newest, which the polling offset is read from.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from crm_store.clock import utcnow
from crm_store.models import Inbox

NEW, HANDLED, SENT, FAILED = "new", "handled", "sent", "failed"
UNFINISHED = (NEW, HANDLED)
MAX_ATTEMPTS = 3


class AlreadyHandled(Exception):
    """Another process handled this update first: roll back, send nothing."""


def chat_of(payload: dict[str, Any]) -> int | None:
    """The chat an update belongs to (updates of one chat are handled in order)."""
    query = payload.get("callback_query")
    source = query if isinstance(query, dict) else payload  # a button press, or a message
    message = source.get("message")
    message = message if isinstance(message, dict) else {}
    sender = (query if source is query else message).get("from")
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else sender
    found = chat.get("id") if isinstance(chat, dict) else None
    return found if isinstance(found, int) else None


def store(session: Session, *, update_id: int, payload: dict[str, Any]) -> bool:
    """Insert a raw update; return False if it was already there (a duplicate)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(Inbox)
        .values(update_id=update_id, payload=payload, status=NEW, attempts=0,
                received_at=utcnow(), chat_id=chat_of(payload))
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(col(Inbox.update_id))  # rowcount is unreliable for ON CONFLICT on some drivers
    )
    return session.connection().execute(stmt).first() is not None


def next_offset(session: Session) -> int | None:
    """The getUpdates offset that confirms everything already stored."""
    last = session.exec(select(func.max(Inbox.update_id))).one()
    return None if last is None else int(last) + 1


def claim(session: Session, *, update_id: int, owner: str, now: datetime,
          lease_seconds: float) -> bool:
    """Take an unfinished row for `owner` until now + lease; True if it is now theirs.

    A row is free when nobody holds it, its lease ran out (its holder died) or `owner`
    already holds it, and no earlier row of the same chat is unfinished: that one goes first,
    and whoever finishes it takes this one next (`next_in_chat`). One atomic UPDATE, so two
    processes never both win (PostgreSQL re-checks the row under its lock; SQLite writes one
    at a time).
    """
    earlier = aliased(Inbox)
    blocked = exists().where(col(earlier.chat_id) == col(Inbox.chat_id),
                             col(earlier.update_id) < col(Inbox.update_id),
                             col(earlier.status).in_(UNFINISHED))
    stmt = (
        update(Inbox)
        .where(col(Inbox.update_id) == update_id, col(Inbox.status).in_(UNFINISHED),
               or_(col(Inbox.claimed_until).is_(None), col(Inbox.claimed_until) < now,
                   col(Inbox.claimed_by) == owner),
               ~blocked)
        .values(claimed_by=owner, claimed_until=now + timedelta(seconds=lease_seconds))
    )
    return bool(session.connection().execute(stmt).rowcount == 1)


def next_in_chat(session: Session, *, chat_id: int) -> int | None:
    """The oldest unfinished update of a chat, if any."""
    stmt = select(func.min(Inbox.update_id)).where(col(Inbox.chat_id) == chat_id,
                                                   col(Inbox.status).in_(UNFINISHED))
    found = session.exec(stmt).one()
    return None if found is None else int(found)


def claimable(session: Session, *, now: datetime, quiet_seconds: float,
              limit: int = 500) -> list[int]:
    """Unfinished rows nobody holds (received over `quiet_seconds` ago) or whose lease ran out.

    What a process sweeps up: what a dead process left, or an update whose turn came while
    nobody was looking. Its chat's order is checked again when it is claimed.
    """
    stmt = (
        select(Inbox.update_id)
        .where(col(Inbox.status).in_(UNFINISHED),
               or_(col(Inbox.claimed_until) < now,
                   (col(Inbox.claimed_until).is_(None))
                   & (col(Inbox.received_at) <= now - timedelta(seconds=quiet_seconds))))
        .order_by(col(Inbox.update_id))
        .limit(limit)
    )
    return [int(update_id) for update_id in session.exec(stmt)]


def pending(session: Session, *, limit: int = 100) -> list[Inbox]:
    """Rows received but not yet handled, or handled but whose replies were not sent."""
    stmt = (
        select(Inbox)
        .where(col(Inbox.status).in_([NEW, HANDLED]))
        .order_by(col(Inbox.update_id))
        .limit(limit)
    )
    return list(session.exec(stmt))


def mark_handled(
    session: Session, *, update_id: int, replies: list[dict[str, Any]], chat_id: int | None,
    scrub: bool = False,
) -> None:
    """Record the replies in the handler's own transaction; `scrub` forgets the payload.

    Raises AlreadyHandled if the row is no longer new (another process finished it first,
    after this one's lease ran out): the caller's transaction must roll back.
    """
    values: dict[str, Any] = {"status": HANDLED, "replies": replies, "chat_id": chat_id,
                              "handled_at": utcnow()}
    if scrub:  # a stranger: nothing that identifies them stays (the refusal is sent from memory)
        values["payload"] = values["chat_id"] = None
    stmt = (update(Inbox).where(col(Inbox.update_id) == update_id, col(Inbox.status) == NEW)
            .values(**values))
    if session.connection().execute(stmt).rowcount == 1:
        return
    if session.exec(select(Inbox.update_id).where(col(Inbox.update_id) == update_id)).first():
        raise AlreadyHandled(update_id)


def mark_sent(session: Session, *, update_id: int) -> None:
    """The replies reached Telegram; nothing is left to do for this update."""
    row = session.get(Inbox, update_id)
    if row is not None:
        row.status, row.payload, row.replies = SENT, None, None
        session.add(row)


def mark_attempt_failed(session: Session, *, update_id: int, error: str) -> bool:
    """Count a failed attempt; return True when the row is given up (status failed)."""
    row = session.get(Inbox, update_id)
    if row is None:
        return True
    row.attempts += 1
    row.error = error[:500]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = FAILED
    session.add(row)
    return row.status == FAILED


PURGE_CHUNK = 2_000  # rows per transaction: the write lock is never held for long


def purge(session: Session, *, before: datetime, limit: int | None = None) -> int:
    """Delete up to `limit` finished rows received before `before`; return how many.

    The newest row always stays: the polling offset is read from it, and a restart must not
    take the last confirmed updates for new ones.
    """
    newest = session.exec(select(func.max(Inbox.update_id))).one()
    ids = list(session.exec(
        select(Inbox.update_id).where(col(Inbox.status).in_([SENT, FAILED]),
                                      col(Inbox.received_at) < before,
                                      col(Inbox.update_id) != newest)
        .order_by(col(Inbox.update_id)).limit(limit or PURGE_CHUNK)))
    if ids:
        session.execute(delete(Inbox).where(col(Inbox.update_id).in_(ids)))
    return len(ids)
