"""Operations: one structured log line per update, Prometheus metrics, database health.

`record_update` is called once per handled update; it logs at INFO (ids, kind, command name,
outcome, latency, never the message text or a command's arguments) and feeds the metrics.
The metrics live in a registry of their own (`Metrics`), not prometheus_client's global one,
so a test can build as many as it likes; the process uses `default_metrics()`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.send_errors import FloodWait, Refused, SendRejected
from crm_store.clock import utcnow
from crm_store.db import read_only
from crm_store.messaging import inbox
from crm_store.models import Inbox, Outbox, OutboxStatus
from scheduler.protocols import RetryLater, Undeliverable

log = logging.getLogger("bot.updates")

# Update handling from a few ms (a /help) to seconds (a report with charts, an import).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
HEALTH_TIMEOUT_S = 2.0
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_COMMAND = re.compile(r"[A-Za-z0-9_]{1,32}")


class Metrics:
    """The bot's metrics in their own registry; the backlog gauges are read at scrape time."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "crm_updates", "Updates handled, by kind and outcome", ["kind", "outcome"],
            registry=self.registry)
        self.latency = Histogram(
            "crm_update_handling_seconds", "Time from taking an update to its outcome",
            buckets=LATENCY_BUCKETS, registry=self.registry)
        self.send_errors = Counter(
            "crm_send_errors", "Bot API sends that failed, by where (replies, reminders) "
            "and reason", ["where", "reason"], registry=self.registry)
        self.webhook_requests = Counter(
            "crm_webhook_requests", "Webhook requests by result (stored, duplicate, "
            "unauthorized, bad_request)", ["result"], registry=self.registry)
        self._backlog = _BacklogCollector()
        self.registry.register(self._backlog)

    def watch(self, engine: Engine) -> None:
        """Read the inbox and outbox backlogs from this database at each scrape."""
        self._backlog.engine = engine

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format (queries the database: call off the loop)."""
        return generate_latest(self.registry)


_default: Metrics | None = None


def default_metrics() -> Metrics:
    """The process's metrics (served by `GET /metrics`)."""
    global _default
    if _default is None:
        _default = Metrics()
    return _default


# --- the per-update record ----------------------------------------------------------------

def command_name(command: str | None) -> str | None:
    """Just the command's name: '/find@crm_bot zhang' -> 'find'; never its arguments."""
    if not command:
        return None
    match = _COMMAND.match(command.strip().lstrip("/"))
    return match.group(0).lower() if match else None


def record_update(*, update_id: int, kind: str, command: str | None, outcome: str,
                  seconds: float, chat_id: int | None, user_id: int | None,
                  metrics: Metrics | None = None) -> None:
    """Log one INFO line for a handled update and count it (kind, outcome, latency).

    `outcome` is "ok", "duplicate", "ignored", "error", "send_failed", "deferred" or any other
    short word; `command` is reduced to its name, so arguments never reach the log.
    """
    name = command_name(command)
    milliseconds = round(max(seconds, 0.0) * 1000, 1)
    fields = {"update_id": update_id, "kind": kind, "command": name, "outcome": outcome,
              "latency_ms": milliseconds, "chat_id": chat_id, "user_id": user_id}
    log.info("update %s %s%s %s in %.1f ms chat=%s user=%s", update_id, kind,
             f" /{name}" if name else "", outcome, milliseconds, chat_id, user_id,
             extra=fields)
    target = metrics or default_metrics()
    target.updates.labels(kind=kind or "unknown", outcome=outcome or "unknown").inc()
    target.latency.observe(max(seconds, 0.0))


def record_send_error(where: str, reason: str, *, metrics: Metrics | None = None) -> None:
    """Count a send that failed for good: `where` is "replies" or "reminders"."""
    (metrics or default_metrics()).send_errors.labels(where=where, reason=reason).inc()


def send_error_reason(exc: BaseException) -> str:
    """A short, bounded reason for a failed send (a label value, not a message)."""
    if isinstance(exc, FloodWait | RetryLater):
        return "flood_wait"
    if isinstance(exc, SendRejected | Undeliverable):
        return "rejected"
    if isinstance(exc, Refused):
        return "refused"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, OSError):  # ConnectionError and friends
        return "network"
    name = type(exc).__name__.lower()
    if "timeout" in name or "timedout" in name:
        return "timeout"
    if "network" in name or "connect" in name:
        return "network"
    return "other"


# --- database health and backlog ----------------------------------------------------------

@dataclass(frozen=True)
class Backlog:
    """Inbox rows not finished and outbox rows due but not sent (nor failed, nor cancelled)."""

    inbox_pending: int
    outbox_due: int


def read_backlog(engine: Engine, now: datetime | None = None) -> Backlog:
    """Count the backlogs in one short read-only transaction."""
    now = now or utcnow()
    with read_only(engine) as conn:
        pending = conn.execute(select(func.count()).select_from(Inbox).where(
            col(Inbox.status).in_([inbox.NEW, inbox.HANDLED]))).scalar_one()
        due = conn.execute(select(func.count()).select_from(Outbox).where(
            col(Outbox.status) == OutboxStatus.PENDING, col(Outbox.due_at) <= now)).scalar_one()
    return Backlog(inbox_pending=int(pending), outbox_due=int(due))


def ping(engine: Engine) -> None:
    """SELECT 1; raises if the database does not answer."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1")).scalar_one()


async def health(
    engine: Engine, *, timeout: float = HEALTH_TIMEOUT_S
) -> tuple[bool, dict[str, Any]]:
    """(healthy, the JSON body): the database answers SELECT 1 within `timeout` seconds."""

    def check() -> Backlog:
        ping(engine)
        return read_backlog(engine)

    try:
        backlog = await asyncio.wait_for(asyncio.to_thread(check), timeout)
    except TimeoutError:
        return False, {"ok": False, "database": f"no answer within {timeout:g}s"}
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        log.warning("health check: database unreachable: %s", exc.__class__.__name__)
        return False, {"ok": False, "database": f"unreachable ({exc.__class__.__name__})"}
    return True, {"ok": True, "database": "ok", "inbox_pending": backlog.inbox_pending,
                  "outbox_due": backlog.outbox_due}


POLL_MARGIN_S = 30.0  # on top of 3 × POLL_TIMEOUT before polling counts as stale


class PollWatch:
    """When getUpdates last answered: /healthz turns 503 once that is too long ago.

    Stale after 3 × POLL_TIMEOUT + 30 s: a long poll answers within POLL_TIMEOUT, and a
    failed one is retried within 30 s, so only polling that has stopped gets there.
    """

    def __init__(self, poll_timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.stale_after = 3 * poll_timeout + POLL_MARGIN_S
        self._clock = clock
        self._last = clock()  # start-up counts as an answer: it has its own time to connect

    def polled(self) -> None:
        """getUpdates just answered."""
        self._last = self._clock()

    def report(self) -> tuple[bool, dict[str, Any]]:
        """(fresh, fields for the /healthz body)."""
        age = max(self._clock() - self._last, 0.0)
        fresh = age <= self.stale_after
        state = "ok" if fresh else f"stale: no getUpdates answer for {age:.0f}s"
        return fresh, {"polling": state, "last_poll_seconds_ago": round(age, 1)}


class _BacklogCollector(Collector):
    """crm_inbox_backlog, crm_outbox_backlog and crm_database_up, read at scrape time."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def describe(self) -> list[Any]:
        return []  # read at scrape time only: registering must not query the database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.engine is None:
            return
        up = GaugeMetricFamily("crm_database_up", "1 if the database answered the scrape")
        try:
            backlog = read_backlog(self.engine)
        except Exception as exc:  # noqa: BLE001 - a scrape must still answer
            log.warning("metrics: backlog not read: %s", exc.__class__.__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("crm_inbox_backlog", "Inbox updates received and not yet finished",
                                value=backlog.inbox_pending)
        yield GaugeMetricFamily("crm_outbox_backlog", "Outbox reminders due and not yet "
                                "sent, failed or cancelled", value=backlog.outbox_due)


# --- logging setup ------------------------------------------------------------------------

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, then the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and key not in entry:
                entry[key] = value
        if record.exc_text:  # already formatted (and redacted)
            entry["exc"] = record.exc_text
        elif record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"


class Redactor(logging.Filter):
    """Blank secrets (the bot token) out of every record: message, arguments, traceback, extras.

    PTB logs its API URLs at DEBUG and an HTTP error may quote the URL it failed on; both hold
    the token. Installed on every handler, so no line at any level shows it. The part after
    the token's colon is blanked on its own too, for URLs that encode the colon.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        found = {part for secret in secrets if secret
                 for part in (secret, secret.partition(":")[2]) if len(part) >= 8}
        self.secrets = sorted(found, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """`text` with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is the formatter's business
            message = str(record.msg)
        clean = self.redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _RESERVED and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


def configure_logging(level: str, fmt: str = "text", secrets: Iterable[str] = ()) -> None:
    """The root logger at `level`, as text (the default) or one JSON object per line.

    Every handler of the root logger redacts `secrets` (the bot token) from what it writes.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    redactor = Redactor(secrets)
    for each in logging.getLogger().handlers:
        each.addFilter(redactor)
    for noisy in ("httpx", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
