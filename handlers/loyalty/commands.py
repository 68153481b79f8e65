"""Loyalty: /points (a customer's ledger), /coupon (issue, list, redeem), the card's lines."""

from __future__ import annotations

import re
from typing import Any

from crm_store.contacts import contacts
from crm_store.errors import Invalid
from crm_store.messaging import dialogs
from crm_store.models import Contact, Role
from crm_store.money import format_money
from crm_store.outreach import loyalty
from handlers.context import Context
from handlers.general.buttons import Cancel
from handlers.i18n import Html
from handlers.loyalty import views
from handlers.loyalty.buttons import OverridePoints
from handlers.orders.commands import split_at_amount
from handlers.orders.views import local_date
from handlers.picking import resolve
from handlers.router import ADMINS, registry
from handlers.types import ChatRequest, Reply

POINTS_WORD = re.compile(r"^([+\-−]?)(\d{1,9})$")
DAYS_WORD = re.compile(r"^(\d{1,4})(?:d|days?|天)?$", re.IGNORECASE)
REDEEM_WORDS = {"redeem", "use", "核销", "兑换", "使用"}
OVERRIDE_FLOW = "points_override"


def parse_points(args: str) -> tuple[str, int | None, str]:
    """'张伟 +200 trade fair' → ('张伟', 200, 'trade fair'); no number → (args, None, '')."""
    words = args.split()
    for index, word in enumerate(words[1:], 1):
        found = POINTS_WORD.match(word)
        if found:
            sign = -1 if found[1] and found[1] in "-−" else 1
            return " ".join(words[:index]), sign * int(found[2]), " ".join(words[index + 1:])
    return args.strip(), None, ""


@registry.command("points", help_key="help.points")
async def points(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Show or change a customer's points: /points <contact> [+n|-n reason]."""
    if not req.args.strip():
        return [ctx.text("points.usage")]
    name, delta, reason = parse_points(req.args)
    data: dict[str, Any] = {} if delta is None else {"delta": delta, "reason": reason}
    found = await resolve(ctx, name, resume="points", data=data)
    if isinstance(found, list):
        return found
    return await _points_after_pick(ctx, found.id or 0, data)


@registry.resumer("points")
async def _points_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    contact = contacts.get_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    if "delta" not in data:
        found = loyalty.standing(ctx.session, actor=ctx.member, contact_id=contact_id,
                                 now=ctx.now)
        return [ctx.html(views.standing(found, contact.name, ctx.t, ctx.tz))]
    delta, reason = int(data["delta"]), str(data.get("reason") or "")
    try:
        entry = loyalty.change_points(ctx.session, actor=ctx.member, contact_id=contact_id,
                                      delta=delta, reason=reason, now=ctx.now)
    except Invalid as exc:
        if exc.key != "points.would_go_negative" or ctx.member.role != Role.ADMIN:
            raise
        return [_offer_override(ctx, contact, exc, delta, reason)]
    return [ctx.html(views.points_changed(entry, contact.name, ctx.t))]


def _offer_override(ctx: Context, contact: Contact, refusal: Invalid, delta: int,
                    reason: str) -> Reply:
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id,
                flow=OVERRIDE_FLOW,
                data={"contact_id": contact.id, "delta": delta, "reason": reason})
    text = Html(f"{ctx.t(refusal.key, **refusal.params)}\n{ctx.t('points.override_offer')}")
    return ctx.html(text, [[ctx.button("points.button_override", OverridePoints(contact.id or 0))],
                           [ctx.button("button.cancel", Cancel())]])


@registry.button(OverridePoints, roles=ADMINS)
async def override_pressed(button: OverridePoints, ctx: Context) -> list[Reply]:
    """An admin confirmed taking points below zero."""
    state = ctx.pending(OVERRIDE_FLOW, contact_id=button.contact_id)
    dialogs.clear(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id)
    contact_id = int(state.data["contact_id"])
    contact = contacts.get_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    entry = loyalty.change_points(ctx.session, actor=ctx.member, contact_id=contact_id,
                                  delta=int(state.data["delta"]),
                                  reason=str(state.data["reason"]), override=True, now=ctx.now)
    return [ctx.html(views.points_changed(entry, contact.name, ctx.t))]


@registry.command("coupon", help_key="help.coupon")
async def coupon(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Issue, list or redeem coupons: /coupon <contact> <amount> [days] | redeem <code>."""
    words = req.args.split()
    if not words:
        return [ctx.text("coupon.usage")]
    if words[0].lower() in REDEEM_WORDS:
        if len(words) < 2:
            return [ctx.text("coupon.need_code")]
        return _redeem(ctx, "".join(words[1:]))
    found = split_at_amount(req.args)
    data: dict[str, Any] = {}
    name = req.args
    if found is not None:
        name, amount, rest = found
        days = DAYS_WORD.match(rest[0]) if rest else None
        data = {"amount": amount, "days": int(days[1]) if days else None,
                "note": " ".join(rest[1:] if days else rest)}
    picked = await resolve(ctx, name, resume="coupon", data=data)
    if isinstance(picked, list):
        return picked
    return await _coupon_after_pick(ctx, picked.id or 0, data)


@registry.resumer("coupon")
async def _coupon_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    contact = contacts.get_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    if "amount" not in data:
        found = loyalty.standing(ctx.session, actor=ctx.member, contact_id=contact_id,
                                 now=ctx.now)
        return [ctx.html(views.coupon_list(found, contact.name, ctx.t, ctx.tz))]
    issued = loyalty.issue_coupon(ctx.session, actor=ctx.member, contact_id=contact_id,
                                  value_minor=int(data["amount"]), days=data.get("days"),
                                  note=str(data.get("note") or ""), now=ctx.now)
    return [ctx.text("coupon.issued", code=issued.code, name=contact.name,
                     value=format_money(issued.value_minor, issued.currency),
                     date=local_date(issued.expires_at, ctx.tz))]


def _redeem(ctx: Context, code: str) -> list[Reply]:
    used = loyalty.redeem_coupon(ctx.session, actor=ctx.member, code=code, now=ctx.now)
    contact = contacts.get_contact(ctx.session, actor=ctx.member, contact_id=used.contact_id)
    return [ctx.text("coupon.redeemed", code=used.code, name=contact.name,
                     value=format_money(used.value_minor, used.currency))]


@registry.card_section
def loyalty_section(ctx: Context, contact: Contact) -> Html | None:
    """The contact card's points, tier and open coupons (nothing before the first point)."""
    found = loyalty.standing(ctx.session, actor=ctx.member, contact_id=contact.id or 0,
                             now=ctx.now, recent=0)
    if not found.points and not found.recent and not found.coupons:
        return None
    return views.card_section(found, ctx.t, ctx.tz)
