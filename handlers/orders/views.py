"""Text views of orders: the order card, payment receipts, receivables, purchase history."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from crm_store.models import Order
from crm_store.money import format_money
from crm_store.sales.orders import (
    PAID,
    OrderDetail,
    PaymentResult,
    PurchaseHistory,
    ReceivablesPage,
    balance,
)
from handlers.contacts.views import local_time
from handlers.i18n import Html, Translator, escape

NOTE_PREVIEW = 60


def local_date(at: datetime, tz: ZoneInfo) -> str:
    """Show a stored UTC time as a date in the member's zone."""
    return at.astimezone(tz).strftime("%Y-%m-%d")


def margin_percent(margin_minor: int, amount_minor: int) -> str:
    """15000 of 50000 → '30'; one decimal only when needed ('12.5')."""
    pct = (Decimal(margin_minor) * 100 / Decimal(amount_minor)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(int(pct)) if pct == pct.to_integral_value() else str(pct)


def _preview(note: str) -> str:
    return note if len(note) <= NOTE_PREVIEW else note[:NOTE_PREVIEW] + "…"


def order_card(detail: OrderDetail, t: Translator, tz: ZoneInfo) -> Html:
    """The order card: amount, margin, paid, balance, status, note and every payment."""
    order, cur = detail.order, detail.order.currency
    lines: list[str] = [
        t("order.title", id=order.id, name=detail.contact_name),
        t("order.date", when=local_time(order.ordered_at, tz)),
        t("order.amount", amount=format_money(order.amount_minor, cur)),
    ]
    if order.margin_minor is not None:
        lines.append(t("order.margin", margin=format_money(order.margin_minor, cur),
                       percent=margin_percent(order.margin_minor, order.amount_minor)))
    lines += [
        t("order.paid", paid=format_money(order.paid_minor, cur)),
        t("order.balance", balance=format_money(balance(order), cur)),
        t("order.status", status=t.plain(f"order.status_{order.status}")),
    ]
    if order.note:
        lines.append(t("order.note", note=order.note))
    lines += ["", t("order.payments")]
    lines += [
        t("order.payment_line", when=local_time(line.payment.paid_at, tz),
          amount=format_money(line.payment.amount_minor, cur), who=line.member_name)
        for line in detail.payments
    ] or [t("order.no_payments")]
    return Html("\n".join(lines))


def payment_saved(result: PaymentResult, t: Translator) -> Html:
    """The receipt after /paid: what came in, what is paid, what is still owed."""
    order, cur = result.order, result.order.currency
    text = t("paid.saved", amount=format_money(result.payment.amount_minor, cur), id=order.id,
             name=result.contact_name, paid=format_money(order.paid_minor, cur),
             total=format_money(order.amount_minor, cur),
             balance=format_money(balance(order), cur))
    return Html(text + ("\n" + t("paid.settled", id=order.id) if result.settled else ""))


def order_choice(order: Order, t: Translator, tz: ZoneInfo) -> str:
    """A button label naming one open order: number, date, amount, balance."""
    return t.plain("paid.choice", id=order.id, date=local_date(order.ordered_at, tz),
                   amount=format_money(order.amount_minor, order.currency),
                   balance=format_money(balance(order), order.currency))[:60]


def receivables_page(page: ReceivablesPage, t: Translator, now: datetime) -> Html:
    """Who owes what, oldest unpaid first, with the total over every page."""
    pages = max(1, -(-page.customers // page.limit))
    lines: list[str] = [t("receivables.title", page=page.offset // page.limit + 1, pages=pages)]
    for number, row in enumerate(page.rows, page.offset + 1):
        lines.append(t("receivables.line", n=number, name=row.name,
                       amount=format_money(row.open_minor, page.currency),
                       orders=row.open_orders, days=max(0, (now - row.oldest_at).days)))
    lines += ["", t("receivables.total", total=format_money(page.total_minor, page.currency),
                    customers=page.customers)]
    return Html("\n".join(lines))


def history_section(history: PurchaseHistory, t: Translator, tz: ZoneInfo) -> Html:
    """The contact card's purchase history: last orders, then lifetime totals."""
    cur = history.currency
    lines: list[str] = [t("order.history_title")]
    for order in history.recent:
        amount, note = format_money(order.amount_minor, cur), _preview(order.note)
        if order.status == PAID:
            line = t("order.history_paid", id=order.id, date=local_date(order.ordered_at, tz),
                     amount=amount)
        else:
            line = t("order.history_open", id=order.id, date=local_date(order.ordered_at, tz),
                     amount=amount, paid=format_money(order.paid_minor, cur),
                     balance=format_money(balance(order), cur))
        lines.append(line + (f" · {escape(note)}" if note else ""))
    lines.append(t("order.history_totals", revenue=format_money(history.revenue_minor, cur),
                   balance=format_money(history.open_minor, cur), count=history.count))
    return Html("\n".join(lines))
