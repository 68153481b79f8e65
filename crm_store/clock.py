"""Time in one place, so tests and services agree on what "now" is."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC (how the store keeps times)."""
    return datetime.now(UTC)
