"""Orders and payments: what customers bought, what they paid, what they still owe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, or_, true
from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.contacts.contacts import get_contact
from crm_store.contacts.normalize import clean_text
from crm_store.errors import Invalid, NotFound
from crm_store.models import Contact, Member, Order, Payment, Team
from crm_store.money import MAX_AMOUNT_MINOR, format_money
from crm_store.outreach import loyalty
from crm_store.sql import AnySelect, select_columns
from crm_store.team.members import can_see_owner, visible_owner_ids

OPEN, PAID, CANCELLED = "open", "paid", "cancelled"
MAX_NOTE = 500
RECEIVABLES_PAGE = 15
MAX_OPEN_CHOICES = 10
_AUDITED = ("contact_id", "owner_id", "amount_minor", "margin_minor", "currency", "note",
            "ordered_at", "status")


@dataclass(frozen=True)
class PaymentResult:
    """A payment just recorded and the order it settles (fully or in part)."""

    order: Order
    payment: Payment
    contact_name: str

    @property
    def settled(self) -> bool:
        """Whether this payment paid the order off."""
        return self.order.status == PAID


@dataclass(frozen=True)
class PaymentLine:
    """One payment on an order card, with who recorded it."""

    payment: Payment
    member_name: str


@dataclass(frozen=True)
class OrderDetail:
    """Everything the order card shows."""

    order: Order
    contact_name: str
    payments: list[PaymentLine]


@dataclass(frozen=True)
class Receivable:
    """What one customer still owes: open balance, open orders, the oldest one's date."""

    contact_id: int
    name: str
    open_minor: int
    open_orders: int
    oldest_at: datetime


@dataclass(frozen=True)
class ReceivablesPage:
    """One page of /receivables, with totals over every page."""

    rows: list[Receivable]
    customers: int
    total_minor: int
    currency: str
    offset: int
    limit: int


@dataclass(frozen=True)
class PurchaseHistory:
    """A contact's latest orders and lifetime totals (cancelled orders left out)."""

    recent: list[Order]
    count: int
    revenue_minor: int
    open_minor: int
    currency: str


def balance(order: Order) -> int:
    """What is still owed on an order, in minor units."""
    return order.amount_minor - order.paid_minor


def seen_by(owners: set[int] | None) -> ColumnElement[bool]:
    """Orders within reach of `owners`: credited to one of them, or bought by their customer.

    The second half matters after a handover: a paid order keeps the rep who sold it, and the
    contact's new owner still sees the customer's whole purchase history.
    """
    if owners is None:
        return true()
    ids = sorted(owners)
    customers = select(Contact.id).where(col(Contact.owner_id).in_(ids))
    return or_(col(Order.owner_id).in_(ids), col(Order.contact_id).in_(customers))


def can_see_order(session: Session, actor: Member, order: Order) -> bool:
    """Tell whether `actor` may see `order`: its owner's or its customer's (same rule as SQL)."""
    if order.team_id != actor.team_id:
        return False
    if can_see_owner(session, actor, order.owner_id):
        return True
    contact = session.get(Contact, order.contact_id)
    return contact is not None and can_see_owner(session, actor, contact.owner_id)


def _visible(stmt: AnySelect, session: Session, actor: Member) -> AnySelect:
    owners = visible_owner_ids(session, actor)
    stmt = stmt.where(col(Order.team_id) == actor.team_id, col(Order.deleted_at).is_(None))
    return stmt if owners is None else stmt.where(seen_by(owners))


def _team_currency(session: Session, actor: Member) -> str:
    team = session.get(Team, actor.team_id)
    return team.currency if team else "CNY"


def create_order(
    session: Session, *, actor: Member, contact_id: int, amount_minor: int,
    margin_minor: int | None = None, note: str = "", at: datetime | None = None,
) -> Order:
    """Record a purchase by a visible contact; the contact's owner owns the order."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    currency = _team_currency(session, actor)
    if not 0 < amount_minor <= MAX_AMOUNT_MINOR:
        raise Invalid("order.amount_positive")
    if margin_minor is not None and margin_minor < 0:
        raise Invalid("order.margin_negative")
    if margin_minor is not None and margin_minor > amount_minor:
        raise Invalid("order.margin_too_large", margin=format_money(margin_minor, currency),
                      amount=format_money(amount_minor, currency))
    text = clean_text(note, limit=MAX_NOTE + 1)
    if len(text) > MAX_NOTE:
        raise Invalid("error.text_too_long", limit=MAX_NOTE)
    order = Order(
        team_id=actor.team_id, owner_id=contact.owner_id, contact_id=contact.id or 0,
        amount_minor=amount_minor, margin_minor=margin_minor, currency=currency, note=text,
        ordered_at=at or utcnow(),
    )
    session.add(order)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="order", entity_id=order.id or 0,
                 after=audit.snapshot(order, _AUDITED))
    loyalty.award_for_order(session, actor=actor, order=order)
    return order


def get_order(
    session: Session, *, actor: Member, order_id: int, for_update: bool = False
) -> Order:
    """Return an order `actor` may see (optionally locked for an update), or raise NotFound."""
    stmt = select(Order).where(Order.id == order_id)
    if for_update:  # PostgreSQL: two payments at once must not both see the old balance
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    order = session.exec(stmt).first()
    if order is None or order.deleted_at is not None or not can_see_order(session, actor, order):
        raise NotFound("order.not_found")  # another rep's order and none at all answer the same
    return order


def record_payment(
    session: Session, *, actor: Member, order_id: int, amount_minor: int,
    at: datetime | None = None,
) -> PaymentResult:
    """Record money received on an open order; refuse more than its balance."""
    if amount_minor <= 0:
        raise Invalid("order.amount_positive")
    order = get_order(session, actor=actor, order_id=order_id, for_update=True)
    if order.status != OPEN:
        raise Invalid("paid.already_paid" if order.status == PAID else "paid.not_open",
                      order=order.id)
    owed = balance(order)
    if amount_minor > owed:
        raise Invalid("paid.over_balance", order=order.id,
                      amount=format_money(amount_minor, order.currency),
                      balance=format_money(owed, order.currency))
    before = audit.snapshot(order, ("paid_minor", "status"))
    payment = Payment(team_id=order.team_id, order_id=order.id or 0, member_id=actor.id or 0,
                      amount_minor=amount_minor, paid_at=at or utcnow())
    order.paid_minor += amount_minor
    if order.paid_minor == order.amount_minor:
        order.status = PAID
    session.add(payment)
    session.add(order)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="payment",
                 entity_id=payment.id or 0,
                 after={"order_id": order.id, "amount_minor": amount_minor})
    audit.record(session, actor=actor, action="update", entity="order", entity_id=order.id or 0,
                 before=before, after=audit.snapshot(order, ("paid_minor", "status")))
    contact = session.get(Contact, order.contact_id)
    return PaymentResult(order=order, payment=payment,
                         contact_name=contact.name if contact else "?")


def order_detail(session: Session, *, actor: Member, order_id: int) -> OrderDetail:
    """Gather what the order card shows: the order, its customer, its payments."""
    order = get_order(session, actor=actor, order_id=order_id)
    contact = session.get(Contact, order.contact_id)
    rows = session.exec(
        select(Payment, Member.display_name)
        .join(Member, col(Member.id) == Payment.member_id)
        .where(Payment.order_id == order.id)
        .order_by(col(Payment.paid_at), col(Payment.id))
    ).all()
    return OrderDetail(order=order, contact_name=contact.name if contact else "?",
                       payments=[PaymentLine(p, name) for p, name in rows])


def open_orders(
    session: Session, *, actor: Member, contact_id: int
) -> tuple[Contact, list[Order]]:
    """A visible contact and its open orders that `actor` may see, oldest first."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    stmt = _visible(select(Order), session, actor).where(
        Order.contact_id == contact.id, Order.status == OPEN
    )
    stmt = stmt.order_by(col(Order.ordered_at), col(Order.id)).limit(MAX_OPEN_CHOICES)
    return contact, list(session.exec(stmt))


def receivables(
    session: Session, *, actor: Member, offset: int = 0, limit: int = RECEIVABLES_PAGE
) -> ReceivablesPage:
    """Open balance per visible customer, oldest unpaid order first, in one GROUP BY query."""
    owed = func.sum(col(Order.amount_minor) - col(Order.paid_minor))
    oldest = func.min(col(Order.ordered_at))
    stmt = _visible(
        select_columns(Contact.id, Contact.name, owed, func.count(col(Order.id)), oldest,
                       func.count().over(), func.sum(owed).over())
        .join(Contact, col(Contact.id) == Order.contact_id),
        session, actor,
    ).where(col(Order.status) == OPEN)
    stmt = (stmt.group_by(col(Contact.id), col(Contact.name))
            .order_by(oldest, col(Contact.id)).offset(max(offset, 0)).limit(limit))
    rows = session.exec(stmt).all()
    customers = int(rows[0][5]) if rows else 0
    total = int(rows[0][6]) if rows else 0
    return ReceivablesPage(
        rows=[Receivable(contact_id=cid, name=name, open_minor=int(amount), open_orders=count,
                         oldest_at=at)
              for cid, name, amount, count, at, _, _ in rows],
        customers=customers, total_minor=total, currency=_team_currency(session, actor),
        offset=offset, limit=limit,
    )


def history_for_contact(
    session: Session, *, actor: Member, contact_id: int, limit: int = 5
) -> PurchaseHistory:
    """A visible contact's last orders and totals: lifetime revenue, open balance, count."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    currency = _team_currency(session, actor)

    def mine(stmt: AnySelect) -> AnySelect:
        return _visible(stmt, session, actor).where(
            col(Order.contact_id) == contact.id, col(Order.status) != CANCELLED)

    open_part = case((col(Order.status) == OPEN, col(Order.amount_minor) - col(Order.paid_minor)),
                     else_=0)
    count, revenue, open_minor = session.exec(mine(select(
        func.count(col(Order.id)), func.coalesce(func.sum(col(Order.amount_minor)), 0),
        func.coalesce(func.sum(open_part), 0),
    ))).one()
    if not count:
        return PurchaseHistory(recent=[], count=0, revenue_minor=0, open_minor=0,
                               currency=currency)
    # The newest `limit` are picked here, not with ORDER BY … LIMIT: with that, SQLite (no
    # ANALYZE statistics) walks ix_order_team_ordered through every order of the team, newest
    # first (360 ms for 200k orders); without it, it reads this contact's orders through
    # ix_order_team_contact, as the totals above do (a customer has a handful of orders).
    dated = session.exec(mine(select(col(Order.ordered_at), col(Order.id)))).all()
    newest = [order_id for _, order_id in sorted(dated, reverse=True)[: max(limit, 0)]]
    found = {o.id: o for o in session.exec(select(Order).where(col(Order.id).in_(newest)))}
    recent = [found[order_id] for order_id in newest if order_id in found]
    return PurchaseHistory(recent=list(recent), count=int(count), revenue_minor=int(revenue),
                           open_minor=int(open_minor), currency=currency)
