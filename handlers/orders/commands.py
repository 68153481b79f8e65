"""Orders and money: /order, /paid, /receivables, the order card and the card's purchases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from crm_store.errors import Invalid, NotFound
from crm_store.messaging import dialogs
from crm_store.models import Contact, Order
from crm_store.money import format_money, parse_amount
from crm_store.sales import orders
from handlers.callbacks import StaleButton
from handlers.contacts.buttons import OpenContact
from handlers.context import Context
from handlers.general.buttons import Cancel
from handlers.i18n import Html
from handlers.ids import record_id
from handlers.orders import views
from handlers.orders.buttons import OpenOrder, PayOrder, ReceivablesPage
from handlers.picking import resolve
from handlers.router import registry
from handlers.types import Button, ChatRequest, Reply

CURRENCY_SIGNS = "¥￥$€£"
# A word that starts like a number is meant as an amount: parse it, or say why it is not one.
AMOUNT_WORD = re.compile(rf"^[{CURRENCY_SIGNS}]?[-+−]?\d")
MARGIN_PREFIX = re.compile(
    rf"^(?:毛利率|毛利|利润|margin|gp)(?:[:：=]|(?=[\d{CURRENCY_SIGNS}+\-−])|$)", re.IGNORECASE
)
PERCENT = re.compile(r"^([-+−]?\d+(?:\.\d+)?)\s*[%％]$")
ORDER_REF = re.compile(r"^#(\d{1,12})$")
PICK_FLOW = "paid_pick"


@dataclass(frozen=True)
class OrderArgs:
    """What /order was told: whose order, how much, the margin, a note."""

    contact: str
    amount_minor: int
    margin_minor: int | None
    note: str


def _is_negative(word: str) -> bool:
    return word.lstrip(CURRENCY_SIGNS).startswith(("-", "−"))


def amount_word(word: str) -> int:
    """Parse an amount a user typed; zero and negative sums get their own message."""
    if _is_negative(word):
        raise Invalid("order.amount_negative", value=word[:40])
    minor = parse_amount(word, allow_zero=True)
    if minor == 0:
        raise Invalid("order.amount_zero")
    return minor


def split_at_amount(args: str) -> tuple[str, int, list[str]] | None:
    """'John Smith 5万 rest' → ('John Smith', 5_000_000, ['rest']); None if no amount."""
    words = args.split()
    for index, word in enumerate(words[1:], 1):
        if AMOUNT_WORD.match(word):
            return " ".join(words[:index]), amount_word(word), words[index + 1 :]
    return None


def _margin(words: list[str], amount: int) -> tuple[int | None, list[str]]:
    """Take a margin ('30%', '毛利30%', '1.5万', 'margin 8000') off the front of `words`."""
    if not words:
        return None, words
    prefix = MARGIN_PREFIX.match(words[0])
    value, rest = (words[0][prefix.end():], words[1:]) if prefix else (words[0], words[1:])
    if prefix and not value and rest:
        value, rest = rest[0], rest[1:]
    percent = PERCENT.match(value)
    if percent or AMOUNT_WORD.match(value):
        if _is_negative(value):
            raise Invalid("order.margin_negative")
        if percent:
            share = Decimal(percent[1]) * amount / 100
            return int(share.to_integral_value(rounding=ROUND_HALF_UP)), rest
        return parse_amount(value, allow_zero=True), rest
    if prefix:
        raise Invalid("order.margin_invalid", value=(value or words[0])[:40])
    return None, words


def parse_order_args(args: str) -> OrderArgs | None:
    """Split '/order' arguments: contact, amount, optional margin, note; None if no amount."""
    found = split_at_amount(args)
    if found is None:
        return None
    contact, amount, rest = found
    margin, rest = _margin(rest, amount)
    return OrderArgs(contact, amount, margin, " ".join(rest))


@registry.command("order", help_key="help.order")
async def order(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Record an order: /order <contact> <amount> [margin] [note]."""
    if not req.args.strip():
        return [ctx.text("order.usage")]
    parsed = parse_order_args(req.args)
    if parsed is None:
        return [ctx.text("order.need_amount")]
    data = {"amount": parsed.amount_minor, "margin": parsed.margin_minor, "note": parsed.note}
    found = await resolve(ctx, parsed.contact, resume="order", data=data)
    if isinstance(found, list):
        return found
    return await _order_after_pick(ctx, found.id or 0, data)


@registry.resumer("order")
async def _order_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    new = orders.create_order(ctx.session, actor=ctx.member, contact_id=contact_id,
                              amount_minor=int(data["amount"]), margin_minor=data.get("margin"),
                              note=str(data.get("note") or ""), at=ctx.now)
    return [order_card_reply(ctx, new.id or 0, headline=ctx.t("order.created", id=new.id))]


def order_card_reply(ctx: Context, order_id: int, *, headline: Html | None = None) -> Reply:
    """The order card with a button back to the customer."""
    detail = orders.order_detail(ctx.session, actor=ctx.member, order_id=order_id)
    text = views.order_card(detail, ctx.t, ctx.tz)
    return ctx.html(Html(f"{headline}\n\n{text}") if headline else text,
                    [[ctx.button("order.button_customer", OpenContact(detail.order.contact_id))]])


@registry.button(OpenOrder)
async def order_card_button(button: OpenOrder, ctx: Context) -> list[Reply]:
    """Open an order card from a button."""
    return [order_card_reply(ctx, button.order_id)]


@registry.command("paid", help_key="help.paid")
async def paid(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Record a payment: /paid <#order or contact> <amount>."""
    if not req.args.strip():
        return [ctx.text("paid.usage")]
    found = split_at_amount(req.args)
    if found is None:
        return [ctx.text("paid.need_amount")]
    ref, amount, rest = found
    if rest:
        return [ctx.text("paid.usage")]
    order_ref = ORDER_REF.match(ref)
    if order_ref:
        order_id = record_id(order_ref[1])
        if order_id is None:
            raise NotFound("order.not_found")
        return _pay(ctx, order_id, amount)
    picked = await resolve(ctx, ref, resume="paid", data={"amount": amount})
    if isinstance(picked, list):
        return picked
    return await _paid_after_pick(ctx, picked.id or 0, {"amount": amount})


@registry.resumer("paid")
async def _paid_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    amount = int(data["amount"])
    contact, candidates = orders.open_orders(ctx.session, actor=ctx.member,
                                             contact_id=contact_id)
    if len(candidates) == 1:
        return _pay(ctx, candidates[0].id or 0, amount)
    if not candidates:
        return [ctx.text("paid.no_open_orders", name=contact.name)]
    return _choose_order(ctx, contact, candidates, amount)


def _choose_order(
    ctx: Context, contact: Contact, candidates: list[Order], amount: int
) -> list[Reply]:
    ids = [o.id for o in candidates]
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow=PICK_FLOW,
                data={"amount": amount, "orders": ids})
    rows = [[Button(views.order_choice(o, ctx.t, ctx.tz), PayOrder(o.id or 0).pack())]
            for o in candidates]
    rows.append([ctx.button("button.cancel", Cancel())])
    return [ctx.text("paid.choose_order", name=contact.name, buttons=rows,
                     amount=format_money(amount, candidates[0].currency))]


@registry.button(PayOrder)
async def order_picked(button: PayOrder, ctx: Context) -> list[Reply]:
    """An order was chosen for the payment typed with /paid."""
    req, order_id = ctx.req, button.order_id
    state = ctx.pending(PICK_FLOW)
    if order_id not in state.data.get("orders", []):
        raise StaleButton()  # an order this /paid did not offer
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return _pay(ctx, order_id, int(state.data["amount"]))


def _pay(ctx: Context, order_id: int, amount: int) -> list[Reply]:
    result = orders.record_payment(ctx.session, actor=ctx.member, order_id=order_id,
                                   amount_minor=amount, at=ctx.now)
    button = ctx.button("order.button_open", OpenOrder(result.order.id or 0), id=result.order.id)
    return [ctx.html(views.payment_saved(result, ctx.t), [[button]])]


@registry.command("receivables", help_key="help.receivables")
async def receivables(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Who owes what: open balance per customer, oldest unpaid first."""
    return [_receivables_reply(ctx, 0)]


@registry.button(ReceivablesPage)
async def receivables_page(button: ReceivablesPage, ctx: Context) -> list[Reply]:
    """Another page of /receivables."""
    reply = _receivables_reply(ctx, button.page)
    reply.edit = True
    return [reply]


def _receivables_reply(ctx: Context, page: int) -> Reply:
    size = orders.RECEIVABLES_PAGE
    found = orders.receivables(ctx.session, actor=ctx.member, offset=page * size, limit=size)
    if not found.rows:
        if page:
            raise StaleButton()  # the page is gone: debts were paid since
        return ctx.text("receivables.none")
    nav = []
    if page:
        nav.append(ctx.button("receivables.prev", ReceivablesPage(page - 1)))
    if (page + 1) * size < found.customers:
        nav.append(ctx.button("receivables.next", ReceivablesPage(page + 1)))
    return ctx.html(views.receivables_page(found, ctx.t, ctx.now), [nav] if nav else [])


@registry.card_section
def purchase_history(ctx: Context, contact: Contact) -> Html | None:
    """The contact card's purchases: last five orders and lifetime totals."""
    history = orders.history_for_contact(ctx.session, actor=ctx.member,
                                         contact_id=contact.id or 0)
    return views.history_section(history, ctx.t, ctx.tz) if history.count else None
