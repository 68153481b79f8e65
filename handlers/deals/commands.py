"""Deals: /deal, /deals, /won, /lost, /stages, the deal card and its buttons."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from crm_store.contacts import contacts
from crm_store.errors import Invalid
from crm_store.messaging import dialogs
from crm_store.models import Contact, Deal, DealStatus
from crm_store.sales import deals, pipeline
from handlers.context import Context
from handlers.deals import views
from handlers.deals.buttons import (
    SKIP_CLOSE_DATE,
    CloseDate,
    LoseDeal,
    MoveStage,
    NewDeal,
    OpenDeal,
    PickDeal,
    WinDeal,
)
from handlers.general.buttons import Cancel
from handlers.i18n import Html
from handlers.picking import ask_about, resolve
from handlers.router import ADMINS, registry
from handlers.types import Button, ChatRequest, Reply
from handlers.when import parse_when

MAX_NAME_WORDS = 4
_SEPARATORS = " ,，、"
CARD_DEAL_BUTTONS = 3


def _contact_and_title(ctx: Context, head: list[str], tail: list[str]) -> tuple[str, str]:
    """Find where the contact's name ends: after a comma, or where the best match ends."""
    text = " ".join(head)
    for comma in (",", "，"):
        if comma in text:
            query, _, title = text.partition(comma)
            return query.strip(), " ".join([title, *tail]).strip(_SEPARATORS)
    best = (0.0, 1)
    for n in range(1, min(len(head) - 1, MAX_NAME_WORDS) + 1):
        hits = contacts.search_contacts(ctx.session, actor=ctx.member,
                                        query=" ".join(head[:n]), limit=1)
        if hits and (hits[0][1].score, n) > best:
            best = (hits[0][1].score, n)
    return " ".join(head[: best[1]]), " ".join(head[best[1] :] + tail).strip(_SEPARATORS)


def _close_date(ctx: Context, text: str) -> date:
    moment = parse_when(text, now=ctx.now, tz=ctx.tz)
    if moment is None:
        raise Invalid("deal.bad_date", value=text[:40])
    day = moment.astimezone(ctx.tz).date()
    if day < ctx.now.astimezone(ctx.tz).date():
        raise Invalid("deal.close_past", date=day.isoformat())
    return day


def _cancel(ctx: Context) -> list[list[Button]]:
    return [[ctx.button("button.cancel", Cancel())]]


@registry.command("deal", help_key="help.deal")
async def deal(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Open a deal: /deal <contact> <title> <amount> [close <date>], or a form."""
    words = req.args.split()
    if not words:
        dialogs.put(ctx.session, chat_id=req.chat_id, user_id=req.user_id, flow="deal",
                    step="contact")
        return [ctx.text("deal.ask_contact", buttons=_cancel(ctx))]
    if len(words) < 3:
        return [ctx.text("deal.usage")]
    head, tail, amount_word, close_text = views.split_deal_args(words)
    data: dict[str, Any] = {"amount": views.parse_deal_amount(amount_word)}
    close = _close_date(ctx, close_text) if close_text else None
    data["close"] = close.isoformat() if close else None
    query, title = _contact_and_title(ctx, head, tail)
    if not query or not title:
        return [ctx.text("deal.need_title")]
    data["title"] = deals.clean_title(title)
    found = await resolve(ctx, query, resume="deal", data=data)
    return found if isinstance(found, list) else _create(ctx, found.id or 0, data)


@registry.resumer("deal")
async def _deal_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    return _create(ctx, contact_id, data)


def _create(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    close = date.fromisoformat(data["close"]) if data.get("close") else None
    new = deals.create_deal(ctx.session, actor=ctx.member, contact_id=contact_id,
                            title=data["title"], amount_minor=int(data["amount"]),
                            expected_close=close, now=ctx.now)
    return [ctx.text("deal.created", title=new.title, stage=views.stage_name(new.stage, ctx.t)),
            *_card(ctx, new.id or 0)]


@registry.resumer("deal_form")
async def _form_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    return ask_about(ctx, contact_id, flow="deal", step="title", key="deal.ask_title")


@registry.button(NewDeal)
async def new_deal_button(button: NewDeal, ctx: Context) -> list[Reply]:
    """'New deal' on a contact card: the /deal form with the contact chosen."""
    return ask_about(ctx, button.contact_id, flow="deal", step="title", key="deal.ask_title")


@registry.flow("deal")
async def deal_form(req: ChatRequest, ctx: Context) -> list[Reply]:
    """One answer of the /deal form: contact, title, amount, expected close ('-' skips)."""
    state = ctx.dialog
    assert state is not None  # the dispatcher routes here only while the form is open
    step, data, text = state.step, dict(state.data), req.text.strip()
    if step == "contact":
        found = await resolve(ctx, text, resume="deal_form")
        return found if isinstance(found, list) else await _form_after_pick(ctx, found.id or 0,
                                                                            {})
    if step == "title":
        return _form_next(ctx, "amount", data | {"title": deals.clean_title(text)})
    if step == "amount":
        return _form_next(ctx, "close", data | {"amount": views.parse_deal_amount(text)})
    close = None if text == "-" else _close_date(ctx, text)
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return _create(ctx, int(data["contact_id"]),
                   data | {"close": close.isoformat() if close else None})


def _form_next(ctx: Context, step: str, data: dict[str, Any]) -> list[Reply]:
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow="deal",
                step=step, data=data)
    skip = [[ctx.button("button.skip", SKIP_CLOSE_DATE)]] if step == "close" else []
    return [ctx.text(f"deal.ask_{step}", buttons=skip + _cancel(ctx))]


def _card(ctx: Context, deal_id: int, *, edit: bool = False, toast: str | None = None
          ) -> list[Reply]:
    card = deals.deal_card(ctx.session, actor=ctx.member, deal_id=deal_id)
    text = views.deal_card(card, ctx.t, ctx.tz, ctx.now)
    reply = ctx.html(text, views.card_buttons(card, ctx.t))
    reply.edit, reply.toast = edit, toast
    return [reply]


@registry.button(OpenDeal)
async def card_button(button: OpenDeal, ctx: Context) -> list[Reply]:
    """Open a deal's card."""
    return _card(ctx, button.deal_id)


@registry.button(MoveStage)
async def move_button(button: MoveStage, ctx: Context) -> list[Reply]:
    """A stage button on the deal card: move the deal there ('lost' asks for the reason)."""
    deal_id, stage = button.deal_id, button.stage
    if stage == pipeline.LOST:
        return _ask_deal(ctx, deal_id, "deal_lost", "deal.ask_reason")
    moved = deals.move_stage(ctx.session, actor=ctx.member, deal_id=deal_id, stage=stage,
                             now=ctx.now)
    return _card(ctx, deal_id, edit=True,
                 toast=ctx.t.plain("deal.moved", stage=views.stage_name(moved.stage, ctx.t)))


@registry.button(WinDeal)
async def won_button(button: WinDeal, ctx: Context) -> list[Reply]:
    """The Won button on the deal card."""
    return _won(ctx, button.deal_id)


def _won(ctx: Context, deal_id: int) -> list[Reply]:
    won = deals.win(ctx.session, actor=ctx.member, deal_id=deal_id, now=ctx.now)
    return [ctx.text("deal.won", title=won.title, amount=views.money(won)), *_card(ctx, deal_id)]


@registry.button(LoseDeal)
async def lost_button(button: LoseDeal, ctx: Context) -> list[Reply]:
    """The Lost button on the deal card: ask why."""
    return _ask_deal(ctx, button.deal_id, "deal_lost", "deal.ask_reason")


@registry.button(CloseDate)
async def close_date_button(button: CloseDate, ctx: Context) -> list[Reply]:
    """'Set close date' on the card (dk:<deal>), or Skip in the /deal form (dk:0)."""
    if button.deal_id:
        return _ask_deal(ctx, button.deal_id, "deal_close", "deal.ask_close_date")
    state = ctx.pending("deal", step="close")
    dialogs.clear(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id)
    return _create(ctx, int(state.data["contact_id"]), dict(state.data) | {"close": None})


def _ask_deal(ctx: Context, deal_id: int, flow: str, key: str) -> list[Reply]:
    """Open a one-question dialog about an open, visible deal."""
    asked = deals.get_deal(ctx.session, actor=ctx.member, deal_id=deal_id)
    if asked.status != DealStatus.OPEN:
        raise Invalid("deal.closed")
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow=flow,
                data={"deal_id": deal_id})
    return [ctx.text(key, title=asked.title, buttons=_cancel(ctx))]


@registry.flow("deal_lost")
async def lost_reason(req: ChatRequest, ctx: Context) -> list[Reply]:
    """The reason a deal was lost."""
    assert ctx.dialog is not None
    return _lost(ctx, int(ctx.dialog.data["deal_id"]), req.text)


def _lost(ctx: Context, deal_id: int, reason: str) -> list[Reply]:
    lost = deals.lose(ctx.session, actor=ctx.member, deal_id=deal_id, reason=reason, now=ctx.now)
    dialogs.clear(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id)
    return [ctx.text("deal.lost_saved", title=lost.title), *_card(ctx, deal_id)]


@registry.flow("deal_close")
async def close_date_text(req: ChatRequest, ctx: Context) -> list[Reply]:
    """The expected close date typed after 'Set close date' ('-' clears it)."""
    assert ctx.dialog is not None
    day = None if req.text.strip() == "-" else _close_date(ctx, req.text)
    deal_id = int(ctx.dialog.data["deal_id"])
    deals.set_expected_close(ctx.session, actor=ctx.member, deal_id=deal_id, expected_close=day,
                             now=ctx.now)
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    saved = ctx.text("deal.close_saved", date=day.isoformat()) if day else ctx.text(
        "deal.close_cleared")
    return [saved, *_card(ctx, deal_id)]


@registry.command("won", help_key="help.won")
async def won(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Mark a deal won: the only open one, the one named, or pick from buttons."""
    query = req.args.strip()
    if query:
        found, sure = deals.find_open_deals(ctx.session, actor=ctx.member, query=query[:100])
        if not found:
            return [ctx.text("deal.no_deal_match", query=query[:60])]
    else:
        found = deals.list_open(ctx.session, actor=ctx.member)
        sure = len(found) == 1
    if sure:
        return _won(ctx, found[0].id or 0)
    return _choose(ctx, found, "deal.choose_won", "w")


@registry.command("lost", help_key="help.lost")
async def lost(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Mark a deal lost with a reason: the only open one, or pick from buttons."""
    reason = req.args.strip()
    if reason:
        deals.clean_reason(reason)
    found = deals.list_open(ctx.session, actor=ctx.member)
    if not found:
        return [ctx.text("deal.none_open")]
    if len(found) == 1:
        deal_id = found[0].id or 0
        return _lost(ctx, deal_id, reason) if reason else _ask_deal(
            ctx, deal_id, "deal_lost", "deal.ask_reason")
    dialogs.put(ctx.session, chat_id=req.chat_id, user_id=req.user_id, flow="deal_pick",
                data={"reason": reason})
    return _choose(ctx, found, "deal.choose_lost", "l")


def _choose(ctx: Context, found: list[Deal], key: str, verb: Literal["w", "l"]) -> list[Reply]:
    if not found:
        return [ctx.text("deal.none_open")]
    names = deals.contact_names(ctx.session, {d.contact_id for d in found})
    text = Html("\n".join([ctx.t(key), *views.more_line(len(found), ctx.t)]))
    buttons = views.deal_buttons(found, names, lambda deal_id: PickDeal(deal_id, verb))
    return [ctx.html(text, buttons + _cancel(ctx))]


@registry.button(PickDeal)
async def picked_deal(button: PickDeal, ctx: Context) -> list[Reply]:
    """A deal chosen for /won (dp:<id>:w) or /lost (dp:<id>:l; the reason waits in a dialog)."""
    deal_id = button.deal_id
    if button.verb == "w":
        return _won(ctx, deal_id)
    state = dialogs.get(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id)
    reason = state.data.get("reason") if state and state.flow == "deal_pick" else None
    if reason:
        return _lost(ctx, deal_id, reason)
    return _ask_deal(ctx, deal_id, "deal_lost", "deal.ask_reason")


@registry.command("deals", help_key="help.deals")
async def deals_list(req: ChatRequest, ctx: Context) -> list[Reply]:
    """The member's visible open deals by stage, with totals; each deal a button."""
    groups = deals.open_pipeline(ctx.session, actor=ctx.member)
    if not groups:
        return [ctx.text("deal.none_open")]
    ordered = [d for g in groups for d in g.deals]
    names = deals.contact_names(ctx.session, {d.contact_id for d in ordered})
    return [ctx.html(views.pipeline(groups, ctx.t), views.deal_buttons(ordered, names))]


@registry.command("stages", help_key="help.stages", roles=ADMINS)
async def stages(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Show the pipeline, or set its open stages: /stages lead 10, qualified 25, ..."""
    if not req.args.strip():
        current = pipeline.stages_for(ctx.session, ctx.member.team_id)
        return [ctx.html(views.stages(current, ctx.t))]
    saved = pipeline.set_stages(ctx.session, actor=ctx.member, stages=views.parse_stages(req.args))
    return [ctx.html(Html("\n".join([ctx.t("deal.stages_saved"), views.stages(saved, ctx.t)])))]


@registry.card_section
def contact_deals(ctx: Context, contact: Contact) -> Html | None:
    """The open deals section of a contact card."""
    found = deals.list_open(ctx.session, actor=ctx.member, contact_id=contact.id, limit=10)
    return views.contact_deals(found, ctx.t) if found else None


@registry.card_button
def contact_deal_buttons(ctx: Context, contact: Contact) -> list[Button]:
    """'New deal' and the contact's newest open deals on the contact card."""
    found = deals.list_open(ctx.session, actor=ctx.member, contact_id=contact.id,
                            limit=CARD_DEAL_BUTTONS)
    return [ctx.button("deal.button_new", NewDeal(contact.id or 0)),
            *[Button(f"💼 {d.title}"[:60], OpenDeal(d.id or 0).pack()) for d in found]]
