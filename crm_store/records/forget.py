"""Forget what mentions an erased person outside their records: chat updates, reminders, forms.

Stored chat updates (the inbox) that mention them lose payload and replies; reminders of the
team have the person blanked in their payloads; open forms about or quoting them are dropped.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from crm_store.messaging import inbox
from crm_store.models import Contact, DialogState, Inbox, Member, Outbox
from crm_store.records.traces import Traces


def _team_user_ids(session: Session, team_id: int) -> list[int]:
    return [uid for uid in session.exec(
        select(Member.telegram_user_id).where(Member.team_id == team_id)) if uid is not None]


def forget_pending_texts(session: Session, contact: Contact, traces: Traces, *, erased: str,
                         free_text_keys: frozenset[str]) -> None:
    """Open forms about or quoting the contact drop; every reminder naming them blanks.

    Only the contact's team is scanned: no other team's rows can be about them.
    """
    contact_id = contact.id or 0
    users = _team_user_ids(session, contact.team_id)
    for state in session.exec(select(DialogState).where(col(DialogState.user_id).in_(users))):
        quoted = json.dumps(state.data, ensure_ascii=False)
        if state.data.get("contact_id") == contact_id or traces.found_in(quoted):
            session.delete(state)
    for row in session.exec(select(Outbox).where(Outbox.team_id == contact.team_id)):
        scrubbed = _scrub_payload(row.payload or {}, contact_id, traces, erased, free_text_keys)
        if scrubbed != row.payload:
            row.payload = scrubbed
            session.add(row)


def _scrub_payload(value: Any, contact_id: int, traces: Traces, erased: str,
                   keys: frozenset[str]) -> Any:
    """`value` with every part about the contact blanked: its name renamed, free text emptied.

    A dict is about the contact when its contact_id is the contact's or one of its texts
    quotes the contact (catch-up items carry only the name); other texts lose the quotes.
    """
    if isinstance(value, list):
        return [_scrub_payload(item, contact_id, traces, erased, keys) for item in value]
    if isinstance(value, str):
        return traces.blank(value, erased)
    if not isinstance(value, dict):
        return value
    about = value.get("contact_id") == contact_id or any(
        isinstance(v, str) and traces.found_in(v) for v in value.values())
    out: dict[str, Any] = {}
    for key, item in value.items():
        if about and key == "contact_name":
            out[key] = erased
        elif about and key in keys and isinstance(item, str):
            out[key] = ""
        else:
            out[key] = _scrub_payload(item, contact_id, traces, erased, keys)
    return out


def forget_chat_updates(session: Session, team_id: int, traces: Traces) -> int:
    """Forget stored chat updates that mention the contact (rows still in flight are kept).

    Private chats of the contact's team only (a private chat's id is its user's id); group
    chats (negative ids) and rows without a chat are scanned too, as any team may write there.
    Files in stored replies (an /erase export, a report) are searched as text where they are
    text, and dropped where they are not (a workbook): they were sent or given up already.
    """
    if traces.pattern is None:
        return 0
    users = _team_user_ids(session, team_id)
    count = 0
    chats = or_(col(Inbox.chat_id).in_(users), col(Inbox.chat_id).is_(None),
                col(Inbox.chat_id) < 0)
    stmt = select(Inbox).where(col(Inbox.status).in_([inbox.SENT, inbox.FAILED]),
                               col(Inbox.payload).is_not(None), chats)
    for row in session.exec(stmt):
        stored = json.dumps([row.payload, _readable(row.replies)], ensure_ascii=False)
        if traces.found_in(stored) or _has_binary_file(row.replies):
            row.payload, row.replies = None, None
            session.add(row)
            count += 1
    return count


def _file_text(encoded: str) -> str | None:
    """A stored reply file's text, or None when it is not UTF-8 text (a workbook, a chart)."""
    try:
        return base64.b64decode(encoded).decode("utf-8-sig")
    except (ValueError, UnicodeDecodeError):
        return None


def _readable(replies: list[dict[str, Any]] | None) -> list[Any]:
    """Stored replies with their text files (JSON, CSV, ICS) decoded, to be searched."""
    return [{**r, **{k: _file_text(r[k]) for k in ("document", "photo") if r.get(k)}}
            for r in replies or []]


def _has_binary_file(replies: list[dict[str, Any]] | None) -> bool:
    return any(r.get(k) and _file_text(r[k]) is None
               for r in replies or [] for k in ("document", "photo"))
