"""Turn a raw Bot API update (JSON dict) into a framework-free ChatRequest."""

from __future__ import annotations

from typing import Any

from handlers.types import ChatRequest, Kind

MEDIA_KEYS = ("photo", "sticker", "voice", "video", "audio", "animation", "video_note")


def request_from_update(update: dict[str, Any], bot_username: str = "") -> ChatRequest | None:
    """Build the request for a message or button press; None for updates we ignore."""
    update_id = update.get("update_id")
    if "callback_query" in update:
        return _callback(update["callback_query"], update_id)
    message = update.get("message")
    if not isinstance(message, dict) or "from" not in message:
        return None  # edits, channel posts, membership changes
    base = _base(message["from"], message.get("chat", {}), update_id)
    base["message_id"] = message.get("message_id")
    if isinstance(message.get("date"), int | float):
        base["sent_at"] = float(message["date"])  # flood counting by send time, not arrival
    text = message.get("text") or ""
    if text.startswith("/"):
        command, args, for_us = _command(text, bot_username)
        if not for_us:
            return None
        return ChatRequest(kind=Kind.COMMAND, text=text, command=command, args=args, **base)
    if "contact" in message:
        return ChatRequest(kind=Kind.CONTACT, payload={"contact": message["contact"]}, **base)
    if "location" in message:
        return ChatRequest(kind=Kind.LOCATION, payload={"location": message["location"]}, **base)
    if "document" in message:
        return ChatRequest(kind=Kind.DOCUMENT, payload={"document": message["document"]}, **base)
    media = next((key for key in MEDIA_KEYS if key in message), None)
    if media:
        return ChatRequest(kind=Kind.DOCUMENT, payload={"media": media}, **base)
    return ChatRequest(kind=Kind.TEXT, text=text, **base)


def _base(user: dict[str, Any], chat: dict[str, Any], update_id: int | None) -> dict[str, Any]:
    return {
        "user_id": int(user["id"]),
        "chat_id": int(chat.get("id", user["id"])),
        "chat_type": chat.get("type", "private"),
        "language_code": user.get("language_code"),
        "first_name": user.get("first_name", ""),
        "last_name": user.get("last_name", ""),
        "username": user.get("username"),
        "update_id": update_id,
    }


def _command(text: str, bot_username: str) -> tuple[str, str, bool]:
    """'/find@crm_bot zhang' → ('find', 'zhang', True); a command for another bot is not ours."""
    head, _, args = text[1:].partition(" ")
    head, _, mention = head.partition("@")
    head, _, rest = head.partition("\n")  # '/add\nname' keeps the text after the newline
    args = (rest + " " + args).strip() if rest else args.strip()
    for_us = not mention or not bot_username or mention.lower() == bot_username.lower()
    return head.lower()[:64], args, for_us


def _callback(query: dict[str, Any], update_id: int | None) -> ChatRequest | None:
    message = query.get("message") or {}
    if "from" not in query:
        return None
    base = _base(query["from"], message.get("chat", {}), update_id)
    return ChatRequest(kind=Kind.CALLBACK, callback_data=str(query.get("data") or "")[:64],
                       callback_id=str(query.get("id", "")),
                       message_id=message.get("message_id"), **base)
