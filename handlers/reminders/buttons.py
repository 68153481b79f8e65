"""Buttons on reminder messages; each names the outbox row the reminder was sent from."""

from __future__ import annotations

from typing import Literal

from handlers.callbacks import Callback


class ReminderDone(Callback, prefix="rd"):
    """✅ Done on a follow-up reminder: complete its task."""

    outbox_id: int


class Snooze(Callback, prefix="rs"):
    """💤 on a reminder: in an hour (h) or tomorrow at the start of the working day (t)."""

    outbox_id: int
    until: Literal["h", "t"]


class ReminderLog(Callback, prefix="rl"):
    """📝 Log on a reminder: ask what happened with its contact."""

    outbox_id: int


class ReminderToday(Callback, prefix="ro"):
    """📅 Today on a digest or catch-up: the member's agenda."""

    outbox_id: int
