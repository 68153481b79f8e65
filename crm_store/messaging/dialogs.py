"""Dialog state in the database, so a restart or another worker continues the conversation."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from crm_store.clock import utcnow
from crm_store.models import DialogState


def get(session: Session, *, chat_id: int, user_id: int) -> DialogState | None:
    """Return the open dialog of this user in this chat, if any."""
    stmt = select(DialogState).where(
        DialogState.chat_id == chat_id, DialogState.user_id == user_id
    )
    return session.exec(stmt).first()


def put(
    session: Session, *, chat_id: int, user_id: int, flow: str, step: str = "",
    data: dict[str, Any] | None = None,
) -> DialogState:
    """Start or move a dialog to `step`, replacing any other open dialog."""
    state = get(session, chat_id=chat_id, user_id=user_id)
    if state is None:
        state = DialogState(chat_id=chat_id, user_id=user_id, flow=flow)
    state.flow, state.step, state.data, state.updated_at = flow, step, dict(data or {}), utcnow()
    session.add(state)
    session.flush()
    return state


def clear(session: Session, *, chat_id: int, user_id: int) -> bool:
    """Close the open dialog; return whether there was one."""
    state = get(session, chat_id=chat_id, user_id=user_id)
    if state is None:
        return False
    session.delete(state)
    session.flush()
    return True
