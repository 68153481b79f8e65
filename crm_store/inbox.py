"""The inbox: raw updates are committed before Telegram is told they arrived."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from crm_store.clock import utcnow
from crm_store.models import Inbox

NEW, HANDLED, SENT, FAILED = "new", "handled", "sent", "failed"
MAX_ATTEMPTS = 3


def store(session: Session, *, update_id: int, payload: dict[str, Any]) -> bool:
    """Insert a raw update; return False if it was already there (a duplicate)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(Inbox)
        .values(update_id=update_id, payload=payload, status=NEW, attempts=0,
                received_at=utcnow())
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(Inbox.update_id)  # rowcount is not reliable for ON CONFLICT on every driver
    )
    return session.connection().execute(stmt).first() is not None


def next_offset(session: Session) -> int | None:
    """The getUpdates offset that confirms everything already stored."""
    last = session.exec(select(func.max(Inbox.update_id))).one()
    return None if last is None else int(last) + 1


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
    """Record the replies in the handler's own transaction; `scrub` forgets the payload."""
    row = session.get(Inbox, update_id)
    if row is None:
        return
    row.status, row.replies, row.chat_id, row.handled_at = HANDLED, replies, chat_id, utcnow()
    if scrub:
        row.payload = None
    session.add(row)


def mark_sent(session: Session, *, update_id: int) -> None:
    """The replies reached Telegram; nothing is left to do for this update."""
    row = session.get(Inbox, update_id)
    if row is not None:
        row.status, row.replies = SENT, None
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
