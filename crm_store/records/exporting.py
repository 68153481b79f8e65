"""Export what a member may see: contacts, deals and orders (XLSX, CSV), follow-ups (ICS).

Taking the customer list out of the CRM is for managers and admins (a leaving rep must not
walk off with it); every member may take their own follow-ups to the phone's calendar. Each
export is written to the audit trail with what it held.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.errors import Forbidden
from crm_store.models import Company, Contact, Deal, Member, Order, Role
from crm_store.sales import tasks
from crm_store.sales.orders import seen_by
from crm_store.team.members import visible_owner_ids

CONTACT_COLUMNS = ("name", "company", "phone", "email", "title", "city", "industry", "tags")
DEAL_COLUMNS = ("contact", "deal", "amount", "currency", "stage", "status", "expected_close",
                "owner", "created")
ORDER_COLUMNS = ("contact", "amount", "paid", "currency", "status", "ordered", "owner", "note")
MAX_TASKS = 5000
EVENT_MINUTES = 30
_NUMBER_LIKE = re.compile(r"[+\-]?[\d\s().-]+")


@dataclass
class ExportData:
    """Rows of each kind, as plain values in column order."""

    contacts: list[list[Any]] = field(default_factory=list)
    deals: list[list[Any]] = field(default_factory=list)
    orders: list[list[Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Export:
    """What one /export hands a member: `data` is None for a role that gets the calendar only."""

    data: ExportData | None
    follow_ups: list[FollowUp]

    @property
    def files(self) -> list[str]:
        """The files this export makes: xlsx and csv with data, ics with follow-ups."""
        return (["xlsx", "csv"] if self.data is not None else []) + (
            ["ics"] if self.follow_ups else [])


@dataclass(frozen=True)
class FollowUp:
    """An open task with its due time, for the calendar."""

    task_id: int
    due_at: datetime  # aware, UTC
    text: str
    contact: str
    phone: str | None


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A naive local time for a spreadsheet cell (Excel has no time zones)."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(tz).replace(tzinfo=None)


def may_export_records(actor: Member) -> bool:
    """Tell whether `actor` may take contacts, deals and orders out (managers and admins)."""
    return actor.role in (Role.MANAGER, Role.ADMIN)


def export_for(session: Session, *, actor: Member, tz: ZoneInfo) -> Export:
    """What /export sends `actor`, recorded in the audit trail with its row counts.

    Managers and admins get every live contact, deal and order they may see; everyone gets
    their own open follow-ups.
    """
    data = gather(session, actor=actor, tz=tz) if may_export_records(actor) else None
    done = Export(data=data, follow_ups=follow_ups(session, actor=actor))
    rows = {"follow_ups": len(done.follow_ups)}
    if data is not None:
        rows = {"contacts": len(data.contacts), "deals": len(data.deals),
                "orders": len(data.orders), **rows}
    audit.record(session, actor=actor, action="export", entity="member",
                 entity_id=actor.id or 0, after={"files": done.files, **rows})
    return done


def gather(session: Session, *, actor: Member, tz: ZoneInfo) -> ExportData:
    """Every live contact, deal and order `actor` may see (managers and admins only)."""
    if not may_export_records(actor):
        raise Forbidden("export.managers")
    owners = visible_owner_ids(session, actor)
    members = {m.id: m.display_name for m in session.exec(
        select(Member).where(Member.team_id == actor.team_id))}
    data = ExportData()
    stmt = (select(Contact, Company.name)
            .join(Company, col(Contact.company_id) == Company.id, isouter=True)
            .where(Contact.team_id == actor.team_id, col(Contact.deleted_at).is_(None))
            .order_by(col(Contact.id)))
    if owners is not None:
        stmt = stmt.where(col(Contact.owner_id).in_(owners))
    names: dict[int, str] = {}
    for contact, company in session.exec(stmt):
        names[contact.id or 0] = contact.name
        data.contacts.append([contact.name, company, contact.phone, contact.email, contact.title,
                              contact.city, contact.industry, ", ".join(contact.tags or [])])
    deals = select(Deal).where(Deal.team_id == actor.team_id,
                                      col(Deal.deleted_at).is_(None))
    if owners is not None:
        deals = deals.where(col(Deal.owner_id).in_(owners))
    for deal in session.exec(deals.order_by(col(Deal.id))):
        data.deals.append([names.get(deal.contact_id, ""), deal.title, deal.amount_minor / 100,
                           deal.currency, deal.stage, str(deal.status), deal.expected_close,
                           members.get(deal.owner_id, ""), _local(deal.created_at, tz)])
    orders = select(Order).where(Order.team_id == actor.team_id, col(Order.deleted_at).is_(None))
    if owners is not None:
        orders = orders.where(seen_by(owners))  # a visible customer's whole purchase history
    for order in session.exec(orders.order_by(col(Order.id))):
        data.orders.append([names.get(order.contact_id, ""), order.amount_minor / 100,
                            order.paid_minor / 100, order.currency, order.status,
                            _local(order.ordered_at, tz), members.get(order.owner_id, ""),
                            order.note])
    return data


def follow_ups(session: Session, *, actor: Member) -> list[FollowUp]:
    """The actor's own open follow-ups, by due time."""
    lines, _ = tasks.list_open(session, actor=actor, limit=MAX_TASKS)
    phones: dict[int, str | None] = {}
    ids = {line.task.contact_id for line in lines if line.task.contact_id}
    if ids:
        stmt = select(Contact.id, Contact.phone).where(col(Contact.id).in_(ids))
        phones = {cid: phone for cid, phone in session.exec(stmt) if cid is not None}
    found = []
    for line in lines:
        due = line.task.due_at
        due = due if due.tzinfo else due.replace(tzinfo=UTC)
        found.append(FollowUp(task_id=line.task.id or 0, due_at=due.astimezone(UTC),
                              text=line.task.text, contact=line.contact_name or "",
                              phone=phones.get(line.task.contact_id or 0)))
    return found


def safe_cell(value: Any) -> Any:
    """Guard a cell a spreadsheet would run as a formula ('=…', '@…'); numbers like '+86…' stay.

    Every file we hand out (/export, the /report workbook) passes its string cells through this.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not (
            _NUMBER_LIKE.fullmatch(value)):
        return "'" + value
    return value


def contacts_csv(data: ExportData, labels: Mapping[str, str]) -> bytes:
    """Contacts as CSV in UTF-8 with a BOM, so Excel shows Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([labels.get(c, c) for c in CONTACT_COLUMNS])
    for row in data.contacts:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def workbook(data: ExportData, labels: Mapping[str, str], sheets: Sequence[str]) -> bytes:
    """One sheet per kind (contacts first, so the file imports back), header row frozen."""
    from openpyxl import Workbook  # heavy: only when exporting

    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    kinds = ((CONTACT_COLUMNS, data.contacts), (DEAL_COLUMNS, data.deals),
             (ORDER_COLUMNS, data.orders))
    for title, (columns, rows) in zip(sheets, kinds, strict=True):
        sheet = book.create_sheet(title[:31])
        sheet.append([labels.get(c, c) for c in columns])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns):
            width = 28 if column in ("company", "email", "deal", "note") else 16
            sheet.column_dimensions[chr(ord("A") + index)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def calendar(items: Sequence[FollowUp], *, name: str, now: datetime) -> bytes:
    """Follow-ups as an iCalendar file: one 30-minute event per task, stable UIDs."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//crm-assistant-bot//follow-ups//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for item in items:
        event = Event()
        event.add("uid", f"task-{item.task_id}@crm-assistant-bot")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", item.due_at)
        event.add("dtend", item.due_at + timedelta(minutes=EVENT_MINUTES))
        summary = f"{item.contact}: {item.text}" if item.contact else item.text
        event.add("summary", summary[:200])
        details = [item.text] + ([item.phone] if item.phone else [])
        event.add("description", "\n".join(details))
        cal.add_component(event)
    return cal.to_ical()
