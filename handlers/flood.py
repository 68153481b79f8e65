"""Flood protection: a per-user limit of updates per minute, checked before routing.

The window lives in this process's memory, keyed by Telegram user id: cheap, and enough for
one bot process. With several workers each one counts on its own, so a user could get up to
the limit per worker; a shared store (Redis, a table) would be needed to make it exact.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from sqlmodel import Session

from crm_store import team
from handlers.i18n import Translator
from handlers.types import ChatRequest, Kind, Reply

WINDOW_SECONDS = 60.0
MAX_TRACKED_USERS = 50_000  # beyond this, users with an empty window are forgotten


class Verdict(Enum):
    """What to do with one update."""

    ALLOW = "allow"
    WARN = "warn"  # the first update over the limit: one polite warning
    SILENT = "silent"  # every further one until the window has room again


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    warned: bool = False


class FloodGuard:
    """A sliding one-minute window of accepted updates per user."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[int, _Window] = {}
        self._lock = threading.Lock()

    def check(self, user_id: int, *, limit: int) -> Verdict:
        """Count one update from `user_id`; `limit` 0 or less switches the guard off."""
        if limit <= 0:
            return Verdict.ALLOW
        now = self._clock()
        with self._lock:
            window = self._windows.get(user_id)
            if window is None:
                self._forget_idle(now)
                window = self._windows[user_id] = _Window()
            while window.times and now - window.times[0] >= WINDOW_SECONDS:
                window.times.popleft()
            if len(window.times) < limit:
                # Only accepted updates count, so a user who keeps flooding gets back in a
                # minute after their last accepted message, not a minute after the flood ends.
                window.times.append(now)
                window.warned = False
                return Verdict.ALLOW
            if window.warned:
                return Verdict.SILENT
            window.warned = True
            return Verdict.WARN

    def reset(self) -> None:
        """Forget every window (tests)."""
        with self._lock:
            self._windows.clear()

    def _forget_idle(self, now: float) -> None:
        if len(self._windows) < MAX_TRACKED_USERS:
            return
        idle = [uid for uid, w in self._windows.items()
                if not w.times or now - w.times[-1] >= WINDOW_SECONDS]
        for uid in idle:
            del self._windows[uid]


GUARD = FloodGuard()


def gate(session: Session, req: ChatRequest, t: Translator, *, limit: int) -> list[Reply] | None:
    """None to go on routing; otherwise the replies for a flooded update (a warning or none)."""
    verdict = GUARD.check(req.user_id, limit=limit)
    if verdict is Verdict.ALLOW:
        return None
    if verdict is Verdict.SILENT:
        return []
    member = team.member_by_telegram_id(session, req.user_id)
    if member is not None:
        t = Translator(member.language)
    reply = Reply(t("flood.warning", limit=limit))
    if req.kind == Kind.CALLBACK:
        reply.toast = t.plain("flood.warning", limit=limit)[:190]
    return [reply]
