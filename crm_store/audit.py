"""Append-only audit trail: every create, update and delete with before and after."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from crm_store.models import AuditLog, Member


def snapshot(row: SQLModel, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Return a JSON-safe copy of a row's fields."""
    data = row.model_dump(include=set(fields) if fields else None)
    return {key: _jsonable(value) for key, value in data.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def record(
    session: Session,
    *,
    actor: Member | None,
    action: str,
    entity: str,
    entity_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    team_id: int | None = None,
) -> None:
    """Add one audit row in the caller's transaction (`team_id` when there is no actor)."""
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    session.add(
        AuditLog(
            team_id=actor.team_id if actor else team_id,
            actor_id=actor.id if actor else None,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


def history(session: Session, *, entity: str, entity_id: int, limit: int = 20) -> list[AuditLog]:
    """Return the newest audit rows for one record."""
    stmt = (
        select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        .order_by(col(AuditLog.id).desc())
        .limit(limit)
    )
    return list(session.exec(stmt))
