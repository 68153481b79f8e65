"""A chat driver: feed ChatRequests to the real dispatcher on a real database."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from sqlalchemy.engine import Engine

from handlers import dispatch
from handlers.context import HandlerSettings
from handlers.types import ChatRequest, Kind, Reply
from tests.botapi_standin import ApiError, parse_html

ADMIN_ID = 1001
SETTINGS = HandlerSettings(admin_ids=frozenset({ADMIN_ID}), bot_username="crm_test_bot")


@dataclass
class Chat:
    """One Telegram user talking to the assistant in a private chat."""

    engine: Engine
    user_id: int = ADMIN_ID
    language_code: str = "en"
    first_name: str = "Ada"
    settings: HandlerSettings = SETTINGS
    last: list[Reply] = field(default_factory=list)
    _updates: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def send(self, text: str) -> list[Reply]:
        """Type a message or a command."""
        if text.startswith("/"):
            head, _, args = text[1:].partition(" ")
            req = self._request(Kind.COMMAND, text=text, command=head.split("@")[0].lower(),
                                args=args)
        else:
            req = self._request(Kind.TEXT, text=text)
        return await self._handle(req)

    async def press(self, label_or_action: str, replies: list[Reply] | None = None) -> list[Reply]:
        """Press the button whose label contains, or whose action equals, the given text."""
        for reply in replies or self.last:
            for row in reply.buttons:
                for button in row:
                    if button.action == label_or_action or label_or_action in button.label:
                        return await self.press_data(button.action)
        raise AssertionError(f"no button {label_or_action!r} in {self.buttons()}")

    async def press_data(self, data: str) -> list[Reply]:
        """Send raw callback data, as a forged or stale button would."""
        return await self._handle(self._request(Kind.CALLBACK, callback_data=data,
                                                callback_id="cb1", message_id=1))

    async def share_contact(self, phone: str, first_name: str, last_name: str = "") -> list[Reply]:
        """Share a Telegram contact card."""
        payload = {"contact": {"phone_number": phone, "first_name": first_name,
                               "last_name": last_name}}
        return await self._handle(self._request(Kind.CONTACT, payload=payload))

    async def share_location(self, latitude: float, longitude: float) -> list[Reply]:
        """Share a map point (a visit check-in)."""
        payload = {"location": {"latitude": latitude, "longitude": longitude}}
        return await self._handle(self._request(Kind.LOCATION, payload=payload))

    def buttons(self) -> list[str]:
        """Labels of the buttons in the last replies."""
        return [b.label for r in self.last for row in r.buttons for b in row]

    def text(self) -> str:
        """All text of the last replies."""
        return "\n".join(r.text for r in self.last)

    def seen(self) -> str:
        """What the user reads of the last replies: the HTML as Telegram shows it."""
        return "\n".join(parse_html(r.text)[0] for r in self.last)

    def _request(self, kind: Kind, **fields: object) -> ChatRequest:
        return ChatRequest(user_id=self.user_id, chat_id=self.user_id, kind=kind,
                           language_code=self.language_code, first_name=self.first_name,
                           **fields)  # type: ignore[arg-type]

    async def _handle(self, req: ChatRequest) -> list[Reply]:
        self.last = await dispatch.handle(req, engine=self.engine, settings=self.settings)
        for reply in self.last:  # every reply is sent with parse_mode=HTML: Telegram must take it
            try:
                parse_html(reply.text)
            except ApiError as exc:
                raise AssertionError(f"Telegram would refuse {reply.text!r}: {exc}") from exc
        return self.last


@pytest.fixture
def chat(engine: Engine) -> Chat:
    """The admin's chat on a fresh database (SQLite and PostgreSQL)."""
    return Chat(engine)


@pytest.fixture
def sqlite_chat(sqlite_engine: Engine) -> Chat:
    """The admin's chat on a fresh SQLite database only."""
    return Chat(sqlite_engine)
