"""Notifiers for the dispatcher: render a reminder with handlers' views and send it.

A framework's notifier is its `Transport.notifier(bot)` (bot/transport.py): this module
knows no framework.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from typing import TextIO

from bot.delivery import ReplySender
from bot.observability import record_send_error
from bot.render import html_to_plain
from bot.send_errors import FloodWait, Refused, SendRejected
from handlers.reminders.views import render_reminder
from handlers.types import Button, Reply
from scheduler.protocols import Delivery, RetryLater, Undeliverable


def render(delivery: Delivery) -> Reply:
    """The reminder as the member sees it, in their language and time zone."""
    return render_reminder(kind=delivery.kind, payload=delivery.payload,
                           outbox_id=delivery.outbox_id, language=delivery.language,
                           timezone=delivery.timezone)


class TelegramNotifier:
    """Send reminders through a transport's sender; Bot API errors become dispatcher signals."""

    def __init__(self, sender: ReplySender) -> None:
        self.sender = sender  # built with retries=0: the dispatcher does the waiting

    async def send(self, delivery: Delivery) -> int:
        """Render and send one reminder; return its message_id."""
        try:
            message_id = await self.sender.send_reply(delivery.chat_id, render(delivery))
        except FloodWait as exc:
            raise RetryLater(exc.seconds) from exc
        except SendRejected as exc:
            raise Undeliverable(str(exc)) from exc
        except Refused as exc:
            if "chat not found" in str(exc).lower():
                raise Undeliverable(str(exc)) from exc
            raise
        return int(message_id or 0)

    def send_failed(self, reason: str) -> None:
        """The dispatcher's report of a failed send: crm_send_errors_total{where="reminders"}."""
        record_send_error("reminders", reason)


class ConsoleNotifier:
    """Print reminders in the terminal as they come; their buttons join the numbered ones."""

    def __init__(self, out: TextIO = sys.stdout,
                 on_buttons: Callable[[list[Button]], int] | None = None,
                 chat_id: int | None = None) -> None:
        self.out = out
        self.on_buttons = on_buttons
        self.chat_id = chat_id  # only this chat is a person at the terminal
        self._ids = itertools.count(1_000_000)

    async def send(self, delivery: Delivery) -> int:
        """Print the reminder; buttons are numbered after those already on screen."""
        if self.chat_id is not None and delivery.chat_id != self.chat_id:
            return next(self._ids)  # a demo colleague's reminder: delivered, not shown
        reply = render(delivery)
        print(f"\n🔔 {html_to_plain(reply.text)}", file=self.out)
        flat = [b for row in reply.buttons for b in row]
        if flat and self.on_buttons is not None:
            first = self.on_buttons(flat)
            print("   ".join(f"[{first + i}] {b.label}" for i, b in enumerate(flat)),
                  file=self.out)
        self.out.flush()
        return next(self._ids)
