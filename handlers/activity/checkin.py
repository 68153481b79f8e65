"""Visit check-in: a shared location logs a visit to a contact chosen by buttons."""

from __future__ import annotations

from typing import Any

from crm_store.contacts import contacts
from crm_store.messaging import dialogs
from crm_store.models import InteractionKind
from crm_store.sales import activity
from handlers.activity.buttons import CheckIn
from handlers.contacts.commands import card_replies
from handlers.context import Context
from handlers.general.buttons import Cancel
from handlers.picking import resolve
from handlers.router import registry
from handlers.types import Button, ChatRequest, Reply

CHOICES = 6


@registry.flow("kind:location")
async def location(req: ChatRequest, ctx: Context) -> list[Reply]:
    """A shared location: ask which customer was visited, recent contacts first."""
    point = req.payload.get("location") or {}
    try:
        lat, lon = float(point["latitude"]), float(point["longitude"])
    except (KeyError, TypeError, ValueError):
        return [ctx.text("checkin.bad_location")]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return [ctx.text("checkin.bad_location")]
    recent_ids = activity.recent_contact_ids(ctx.session, actor=ctx.member, limit=CHOICES)
    choices = contacts.recent(ctx.session, actor=ctx.member, first=recent_ids, limit=CHOICES)
    if not choices:
        return [ctx.text("checkin.no_contacts")]
    dialogs.put(ctx.session, chat_id=req.chat_id, user_id=req.user_id, flow="checkin",
                data={"lat": lat, "lon": lon})
    rows = [[Button(c.name[:60], CheckIn(c.id or 0).pack())] for c in choices]
    rows.append([ctx.button("button.cancel", Cancel())])
    return [ctx.text("checkin.which", buttons=rows)]


@registry.button(CheckIn)
async def chosen(button: CheckIn, ctx: Context) -> list[Reply]:
    """A contact button under a check-in."""
    return _check_in(ctx, button.contact_id, dict(ctx.pending("checkin").data))


@registry.flow("checkin")
async def typed_name(req: ChatRequest, ctx: Context) -> list[Reply]:
    """A name typed instead of pressing a button."""
    state = ctx.dialog
    assert state is not None  # the dispatcher routes here only while the check-in is open
    found = await resolve(ctx, req.text, resume="checkin", data=dict(state.data))
    return found if isinstance(found, list) else _check_in(ctx, found.id or 0, dict(state.data))


@registry.resumer("checkin")
async def _after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    return _check_in(ctx, contact_id, data)


def _check_in(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    activity.log_interaction(
        ctx.session, actor=ctx.member, contact_id=contact_id, kind=InteractionKind.VISIT,
        text=ctx.t.plain("checkin.note"), at=ctx.now, latitude=float(data["lat"]),
        longitude=float(data["lon"]))
    dialogs.clear(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id)
    return [ctx.text("checkin.done", lat=f"{data['lat']:.5f}", lon=f"{data['lon']:.5f}"),
            *card_replies(ctx, contact_id)]
