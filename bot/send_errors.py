"""The Bot API's refusals in every framework's place: what a transport's sender raises.

Each framework's errors are translated into these (`ReplySender._translate`), so the inbox
loop, the reminder notifier and the metrics decide on them without knowing the framework.
"""

from __future__ import annotations


class FloodWait(Exception):
    """The Bot API answered 429: wait `seconds` before the next call."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Refused(Exception):
    """The Bot API answered 400 Bad Request; the message says why."""


class SendRejected(Exception):
    """Telegram refused the message for good (blocked, chat gone): do not retry."""


def bad_html(exc: Refused) -> bool:
    """Whether Telegram refused the text because it could not parse its HTML (entities)."""
    return "can't parse entities" in str(exc).lower()
