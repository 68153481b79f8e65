"""What the scheduler needs from outside: a clock and a notifier (bot/ supplies both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from crm_store.clock import utcnow


class Clock(Protocol):
    """Tells the time; tests pass one they control."""

    def now(self) -> datetime:
        """The current time, aware, in UTC."""


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        return utcnow()


@dataclass(frozen=True)
class Delivery:
    """One outbox row handed to the notifier, with what rendering needs."""

    outbox_id: int
    member_id: int
    chat_id: int
    kind: str
    payload: dict[str, Any]
    language: str
    timezone: str


class RetryLater(Exception):
    """The Bot API asked us to wait (429 RetryAfter): pause sending for `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Undeliverable(Exception):
    """The chat is gone or the member blocked the bot: stop sending to them."""


class Notifier(Protocol):
    """Sends one reminder and returns Telegram's message_id.

    A notifier may also have `send_failed(reason: str) -> None`: the dispatcher calls it once
    for each failed send, with "flood_wait" (RetryLater), "rejected" (Undeliverable),
    "timeout" (the send outlived its lease) or "error" (anything else; retried later).
    """

    async def send(self, delivery: Delivery) -> int:
        """Render and send; raise RetryLater or Undeliverable as the Bot API answers."""
