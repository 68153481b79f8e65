"""Route one ChatRequest: auth gate, dialogs, commands, buttons; one transaction per update."""

from __future__ import annotations

import logging
import time

from sqlalchemy.engine import Engine

from crm_store.db import unit_of_work
from crm_store.errors import DomainError
from crm_store.messaging import dialogs, inbox
from crm_store.models import Member
from crm_store.team import members as team
from handlers import flood
from handlers.areas import load_all
from handlers.callbacks import StaleButton
from handlers.context import Context, HandlerSettings
from handlers.i18n import Translator, language_for
from handlers.router import registry
from handlers.types import ChatRequest, Kind, Reply

log = logging.getLogger(__name__)
load_all()  # every area registers its commands, buttons and forms

MAX_INPUT = 4000
STRANGER_QUIET_SECONDS = 600
_refused: dict[int, float] = {}  # in memory only: nothing about a stranger is stored


async def handle(req: ChatRequest, *, engine: Engine, settings: HandlerSettings) -> list[Reply]:
    """Handle one request in one transaction and record its replies in the inbox row."""
    try:
        with unit_of_work(engine) as session:
            ctx = Context(session=session, req=req, settings=settings,
                          t=Translator(language_for(req.language_code, settings.default_language)))
            flooded = flood.gate(session, req, ctx.t, limit=settings.flood_messages_per_minute)
            replies = await _guarded(ctx) if flooded is None else flooded
            if req.update_id is not None:
                inbox.mark_handled(session, update_id=req.update_id, chat_id=req.chat_id,
                                   replies=[r.to_json() for r in replies],
                                   scrub=ctx.member_or_none is None)
            return replies
    except inbox.AlreadyHandled:  # another process answered it: this one's work rolls back
        raise
    except Exception:  # one bad update must never stop the bot or show a trace
        log.exception("update %s failed", req.update_id)
        t = Translator(_language_of(engine, req, settings))
        replies = [Reply(t("error.internal"))]
        if req.update_id is not None:
            with unit_of_work(engine) as session:
                inbox.mark_handled(session, update_id=req.update_id, chat_id=req.chat_id,
                                   replies=[r.to_json() for r in replies])
        return replies


def _language_of(engine: Engine, req: ChatRequest, settings: HandlerSettings) -> str:
    """The member's chosen language (/lang), else the Telegram app's, else the default."""
    try:
        with unit_of_work(engine) as session:
            member = team.member_by_telegram_id(session, req.user_id)
            if member is not None and member.language:
                return member.language
    except Exception:  # the store may be what failed: answer all the same
        log.warning("no member language for update %s", req.update_id, exc_info=True)
    return language_for(req.language_code, settings.default_language)


async def _guarded(ctx: Context) -> list[Reply]:
    """Turn domain errors into a reply in the user's language; roll back their writes."""
    _known_member(ctx)  # outside the savepoint: a refused command keeps a role change
    savepoint = ctx.session.begin_nested()
    try:
        replies = await _route(ctx)
        savepoint.commit()
        return replies
    except DomainError as exc:
        savepoint.rollback()
        reply = Reply(ctx.t(exc.key, **exc.params))
        if ctx.req.kind == Kind.CALLBACK:
            reply.toast = ctx.t.plain(exc.key, **exc.params)[:190]
        return [reply]


async def _route(ctx: Context) -> list[Reply]:
    req = ctx.req
    member = await _authenticate(ctx)
    if member is None:
        return _welcome_or_refuse(ctx)
    ctx.t = Translator(member.language)
    if not member.active:
        return [ctx.text("auth.deactivated")]
    if req.kind == Kind.COMMAND:
        return await _command(ctx)
    if req.kind == Kind.CALLBACK:
        return await _press(ctx)
    if req.kind == Kind.TEXT and len(req.text) > MAX_INPUT:
        return [ctx.text("error.too_long", limit=MAX_INPUT, length=len(req.text))]
    state = dialogs.get(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    if req.kind == Kind.TEXT and state is not None and state.flow in registry.flows:
        ctx.dialog = state
        return await registry.flows[state.flow](req, ctx)
    handler = registry.flows.get(f"kind:{req.kind.value}")
    if handler is None:
        return [ctx.text("error.unsupported")]
    return await handler(req, ctx)


async def _press(ctx: Context) -> list[Reply]:
    """A button: its family's handler gets the data unpacked.

    Unknown, malformed, over-long or forged data, and a family the member's role may not
    press, all raise StaleButton (here or in the family's unpack): `_guarded` answers it with
    the one stale-button reply and toast, and rolls back whatever the handler wrote.
    """
    spec = registry.button_for(ctx.req.callback_data)
    if spec is None or ctx.member.role not in spec.roles:
        raise StaleButton()
    return await spec.func(ctx.req, ctx)


async def _command(ctx: Context) -> list[Reply]:
    req = ctx.req
    if len(req.args) > MAX_INPUT:
        return [ctx.text("error.too_long", limit=MAX_INPUT, length=len(req.args))]
    spec = registry.commands.get(req.command)
    if spec is None:
        return [ctx.text("error.unknown_command", command="/" + req.command[:40])]
    if ctx.member.role not in spec.roles:
        return [ctx.text("error.forbidden", command="/" + spec.name)]
    if spec.name != "cancel":
        dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return await spec.func(req, ctx)


def _known_member(ctx: Context) -> None:
    """Find the member writing, applying ADMIN_TELEGRAM_IDS if it changed since they joined."""
    member = team.member_by_telegram_id(ctx.session, ctx.req.user_id)
    if member is not None:
        listed = ctx.req.user_id in ctx.settings.admin_ids
        if listed or member.listed_admin:
            team.sync_listed_admin(ctx.session, member, listed=listed)
    ctx.member_or_none = member


async def _authenticate(ctx: Context) -> Member | None:
    """Find the member; bootstrap listed admins; redeem an invite sent with /start."""
    req = ctx.req
    member = ctx.member_or_none
    if member is not None:
        return member
    user = team.NewUser(
        telegram_user_id=req.user_id,
        display_name=" ".join(p for p in (req.first_name, req.last_name) if p).strip()
        or (req.username or str(req.user_id)),
        username=req.username,
        language=ctx.t.language,
    )
    if req.user_id in ctx.settings.admin_ids:
        member = team.ensure_admin(ctx.session, user=user,
                                   timezone=ctx.settings.default_timezone)
    elif req.kind == Kind.COMMAND and req.command == "start" and req.args.strip():
        member = team.redeem_invite(ctx.session, token=req.args.strip(), user=user,
                                    timezone=ctx.settings.default_timezone)
    else:
        return None
    ctx.member_or_none = member
    _refused.pop(req.user_id, None)
    return member


def _welcome_or_refuse(ctx: Context) -> list[Reply]:
    """A stranger gets one polite refusal now and then; nothing about them is stored."""
    now = time.monotonic()
    last = _refused.get(ctx.req.user_id)
    if last is not None and now - last < STRANGER_QUIET_SECONDS:
        return []
    if len(_refused) > 10_000:
        _refused.clear()
    _refused[ctx.req.user_id] = now
    return [ctx.text("auth.stranger")]
