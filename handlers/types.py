"""Framework-free request and reply types shared by every transport."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MAX_CALLBACK_BYTES = 64  # Telegram's limit on button data; Callback.pack checks it


class Kind(StrEnum):
    """What a chat update carries."""

    COMMAND = "command"
    TEXT = "text"
    CALLBACK = "callback"
    CONTACT = "contact"
    LOCATION = "location"
    DOCUMENT = "document"


@dataclass(frozen=True)
class ChatRequest:
    """One user action, stripped of any Telegram framework type."""

    user_id: int
    chat_id: int
    kind: Kind
    text: str = ""
    command: str = ""
    args: str = ""
    callback_data: str = ""
    callback_id: str = ""
    message_id: int | None = None
    language_code: str | None = None
    first_name: str = ""
    last_name: str = ""
    username: str | None = None
    chat_type: str = "private"
    payload: dict[str, Any] = field(default_factory=dict)
    update_id: int | None = None
    sent_at: float | None = None  # when the user sent it (Telegram's date, Unix seconds)


@dataclass(frozen=True)
class Button:
    """An inline button: a label and the data sent back when pressed (a packed Callback)."""

    label: str
    action: str


@dataclass
class Reply:
    """Something to show the user: HTML text (user data already escaped) and buttons."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    edit: bool = False
    photo: bytes | None = None
    document: bytes | None = None
    filename: str | None = None
    toast: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Serialise for the inbox, so a reply survives a crash before it is sent."""
        return {
            "text": self.text,
            "buttons": [[[b.label, b.action] for b in row] for row in self.buttons],
            "edit": self.edit,
            "toast": self.toast,
            # Charts and workbooks too (a /report replayed after a crash keeps its files).
            "photo": _b64(self.photo),
            "document": _b64(self.document),
            "filename": self.filename,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        """Rebuild a reply stored by `to_json`."""
        return cls(
            text=data["text"],
            buttons=[[Button(lbl, act) for lbl, act in row] for row in data.get("buttons", [])],
            edit=bool(data.get("edit")),
            toast=data.get("toast"),
            photo=_unb64(data.get("photo")),
            document=_unb64(data.get("document")),
            filename=data.get("filename"),
        )


def _b64(content: bytes | None) -> str | None:
    return None if content is None else base64.b64encode(content).decode("ascii")


def _unb64(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)
