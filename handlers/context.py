"""What every handler gets: the session, the acting member, text in their language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from crm_store.clock import utcnow
from crm_store.errors import Forbidden
from crm_store.messaging import dialogs
from crm_store.models import DialogState, Member, Role
from handlers.callbacks import Callback, StaleButton
from handlers.i18n import Html, Translator
from handlers.types import Button, ChatRequest, Reply


@dataclass(frozen=True)
class HandlerSettings:
    """Settings the conversation needs (bot/ fills them from the environment)."""

    admin_ids: frozenset[int] = frozenset()
    default_language: str = "en"
    default_timezone: str = "Asia/Shanghai"
    default_region: str = "CN"
    bot_username: str = "crm_bot"
    # Updates one Telegram user may send per minute (handlers/flood.py); 0 switches it off.
    # bot/settings.py passes FLOOD_MESSAGES_PER_MINUTE (default 30).
    flood_messages_per_minute: int = 0


@dataclass
class Context:
    """One update's collaborators; opened at the edge, one transaction per update."""

    session: Session
    req: ChatRequest
    t: Translator
    settings: HandlerSettings
    member_or_none: Member | None = None
    dialog: DialogState | None = None  # the open form this text answers, if any
    now: datetime = field(default_factory=utcnow)

    @property
    def member(self) -> Member:
        """The acting member (handlers behind the auth gate always have one)."""
        if self.member_or_none is None:
            raise Forbidden("error.not_member")
        return self.member_or_none

    @property
    def role(self) -> Role | None:
        """The acting member's role, or None for a stranger."""
        return self.member_or_none.role if self.member_or_none else None

    @property
    def tz(self) -> ZoneInfo:
        """The member's time zone, for showing times."""
        name = self.member_or_none.timezone if self.member_or_none else None
        try:
            return ZoneInfo(name or self.settings.default_timezone)
        except (KeyError, ValueError):
            return ZoneInfo("UTC")

    def pending(self, flow: str, *, step: str | None = None, **holding: object) -> DialogState:
        """The chat's open dialog a button answers: `flow` (at `step`, holding `holding`).

        StaleButton if it is not: the form or confirmation the button belongs to was finished,
        cancelled or replaced by another since.
        """
        state = dialogs.get(self.session, chat_id=self.req.chat_id, user_id=self.req.user_id)
        if state is None or state.flow != flow or (step is not None and state.step != step) or (
                any(state.data.get(key) != value for key, value in holding.items())):
            raise StaleButton()
        return state

    def text(self, key: str, buttons: list[list[Button]] | None = None, **params: object) -> Reply:
        """A reply with catalog text."""
        return Reply(self.t(key, **params), buttons=buttons or [])

    def html(self, text: Html, buttons: list[list[Button]] | None = None) -> Reply:
        """A reply with text a view has already rendered."""
        return Reply(str(text), buttons=buttons or [])

    def button(self, key: str, action: Callback, **params: object) -> Button:
        """A button with a catalog label and typed data."""
        return Button(self.t.plain(key, **params)[:60], action.pack())
