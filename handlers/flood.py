"""Flood protection: a per-user limit of updates per minute, checked before routing.

The window lives in this process's memory, keyed by Telegram user id: cheap, and enough for
one bot process. With several workers each one counts on its own, so a user could get up to
the limit per worker; a shared store (Redis, a table) would be needed to make it exact.

Updates count at the time the user sent them (Telegram's date) when known, not when they are
handled: after an outage the stored inbox replays in seconds, yet messages sent at a calm pace
must not look like a flood. Button presses carry no send time and count when handled.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from sqlmodel import Session

from crm_store.team import members as team
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
    """A sliding one-minute window of accepted updates per user (wall-clock seconds)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._windows: dict[int, _Window] = {}
        self._lock = threading.Lock()

    def check(self, user_id: int, *, limit: int, sent_at: float | None = None) -> Verdict:
        """Count one update from `user_id` sent at `sent_at` (default: now).

        `limit` 0 or less switches the guard off.
        """
        if limit <= 0:
            return Verdict.ALLOW
        clock_now = self._clock()
        # Never later than now, so a sender's clock ahead cannot block anyone.
        now = clock_now if sent_at is None else min(clock_now, sent_at)
        with self._lock:
            window = self._windows.get(user_id)
            if window is None:
                self._forget_idle(clock_now)
                window = self._windows[user_id] = _Window()
            while window.times and now - window.times[0] >= WINDOW_SECONDS:
                window.times.popleft()
            # Times stay sorted (a replayed update may be older than one already counted);
            # only those up to `now` are in this update's window.
            if bisect.bisect_right(window.times, now) < limit:
                # Only accepted updates count, so a user who keeps flooding gets back in a
                # minute after their last accepted message, not a minute after the flood ends.
                bisect.insort(window.times, now)
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
    verdict = GUARD.check(req.user_id, limit=limit, sent_at=req.sent_at)
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
