"""Settings from the environment and `.env` (documented in .env.example)."""

from __future__ import annotations

import re
import socket
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from handlers.context import HandlerSettings

TELEGRAM_API = "https://api.telegram.org"
WEBHOOK_SECRET_MIN = 16
_SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook's secret_token accepts
MAKE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


def webhook_secret_problem(secret: str) -> str | None:
    """Why `secret` cannot guard a webhook (None if it can): at least 16 of A-Z a-z 0-9 _ -.

    Without it anyone who reaches the listener could post updates as any user.
    """
    if not secret:
        return ("WEBHOOK_SECRET is not set: webhook mode needs a secret of at least "
                f"{WEBHOOK_SECRET_MIN} characters (A-Z a-z 0-9 _ -) so that only Telegram can "
                f"post updates. Make one with: {MAKE_SECRET}")
    if len(secret) < WEBHOOK_SECRET_MIN or not _SECRET_CHARS.fullmatch(secret):
        return (f"WEBHOOK_SECRET must be {WEBHOOK_SECRET_MIN}-256 characters of A-Z a-z 0-9 _ - "
                f"(it has {len(secret)}). Make one with: {MAKE_SECRET}")
    return None


class Settings(BaseSettings):
    """Every knob of the assistant; names match the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str = ""
    telegram_api_url: str = TELEGRAM_API
    telegram_proxy: str = ""  # http://host:port (or socks5://) for every Bot API call
    bot_username: str = ""
    database_url: str = "sqlite:///crm.sqlite3"
    admin_telegram_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8080
    bot_framework: Literal["ptb", "aiogram"] = "ptb"
    default_timezone: str = "Asia/Shanghai"
    default_language: str = "en"
    default_phone_region: str = "CN"
    poll_timeout: int = Field(default=30, ge=0, le=50)
    reminder_interval_seconds: float = Field(default=60.0, gt=0)
    dispatch_lease_seconds: int = Field(default=60, ge=1)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    flood_messages_per_minute: int = Field(default=30, ge=0)
    run_reminders: bool = True
    metrics_port: int = Field(default=0, ge=0, le=65535)
    instance_name: str = Field(default="", max_length=64)
    startup_retry_seconds: float = Field(default=300.0, ge=0)  # 0: retry for ever
    inbox_retention_days: int = Field(default=7, ge=1)  # finished updates kept this long

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(";", ",").split(",")
                             if part.strip())
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("bot_framework", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def instance(self) -> str:
        """Who holds an inbox row while handling it: stable across restarts of one process.

        INSTANCE_NAME, else host and webhook port (two webhook processes on one host differ),
        else host and "polling" (polling has one consumer). A restarted process takes back at
        once what it held when it died; another process waits for the lease to run out.
        """
        if self.instance_name:
            return self.instance_name
        where = str(self.webhook_port) if self.webhook_url else "polling"
        return f"{socket.gethostname()}:{where}"[:64]

    def handler_settings(self, bot_username: str | None = None) -> HandlerSettings:
        """The part of the settings the conversation needs."""
        return HandlerSettings(
            admin_ids=self.admin_telegram_ids,
            default_language="zh-CN" if self.default_language.lower().startswith("zh") else "en",
            default_timezone=self.default_timezone,
            default_region=self.default_phone_region.upper(),
            bot_username=bot_username or self.bot_username or "crm_bot",
            flood_messages_per_minute=self.flood_messages_per_minute,
        )
