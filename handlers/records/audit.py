"""Audit and restore: /audit <contact>, /delete <contact>, /restore [name], their buttons.

Who may read a contact's history: whoever may see the contact — a rep their own customers,
a manager their hierarchy's, an admin everyone's. The history covers the contact and every
deal, order, payment, follow-up, interaction and feedback on it. Every button press checks
visibility again: ids in callback data are never trusted.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from crm_store.contacts import search
from crm_store.contacts.contacts import get_contact
from crm_store.models import Company, Contact, Deal, Member, Team
from crm_store.records import restore
from crm_store.records.history import contact_history
from handlers.contacts.buttons import OpenContact
from handlers.context import Context
from handlers.general.buttons import Cancel
from handlers.picking import resolve
from handlers.records import audit_views as views
from handlers.records.buttons import AuditMore, ConfirmDelete, Restore
from handlers.router import registry
from handlers.types import Button, ChatRequest, Reply

PAGE = 15
DAYS = restore.RESTORE_WINDOW.days


def _currency(ctx: Context) -> str:
    team = ctx.session.get(Team, ctx.member.team_id)
    return team.currency if team else "CNY"


def _names(ctx: Context, ids: dict[str, set[int]]) -> views.Refs:
    """Names for the member and company ids a history page mentions (same team only)."""
    team_id = ctx.member.team_id
    members = ctx.session.exec(select(Member.id, Member.display_name).where(
        Member.team_id == team_id, col(Member.id).in_(ids["owner_id"] or {0})))
    companies = ctx.session.exec(select(Company.id, Company.name).where(
        Company.team_id == team_id, col(Company.id).in_(ids["company_id"] or {0})))
    return {"owner_id": {i: n for i, n in members if i is not None},
            "company_id": {i: n for i, n in companies if i is not None}}


def _history_reply(ctx: Context, contact_id: int, before_id: int | None) -> Reply:
    contact, rows, more = contact_history(ctx.session, actor=ctx.member, contact_id=contact_id,
                                          before_id=before_id, limit=PAGE)
    refs = _names(ctx, views.referenced_ids([row for row, _ in rows]))
    text = views.history(contact, rows, ctx.t, ctx.tz, _currency(ctx), before_id is None, refs)
    buttons = []
    if more and rows:
        buttons.append([ctx.button("audit.more", AuditMore(contact_id, rows[-1][0].id or 0))])
    return ctx.html(text, buttons)


@registry.command("audit", help_key="help.audit")
async def audit(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Show who changed what on a customer, newest first."""
    if not req.args.strip():
        return [ctx.text("audit.usage")]
    found = await resolve(ctx, req.args, resume="audit")
    if isinstance(found, list):
        return found
    return await _audit_after_pick(ctx, found.id or 0, {})


@registry.resumer("audit")
async def _audit_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    return [_history_reply(ctx, contact_id, None)]


@registry.button(AuditMore)
async def audit_more(button: AuditMore, ctx: Context) -> list[Reply]:
    """The next (older) page of a customer's history."""
    return [_history_reply(ctx, button.contact_id, button.before_id)]


@registry.command("delete", help_key="help.delete")
async def delete(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Ask before deleting a customer (restorable for 30 days)."""
    if not req.args.strip():
        return [ctx.text("audit.delete.usage")]
    found = await resolve(ctx, req.args, resume="delete")
    if isinstance(found, list):
        return found
    return await _delete_after_pick(ctx, found.id or 0, {})


@registry.resumer("delete")
async def _delete_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    contact = get_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    buttons = [[ctx.button("audit.delete.button", ConfirmDelete(contact_id)),
                ctx.button("button.cancel", Cancel())]]
    return [ctx.text("audit.delete.confirm", name=contact.name, days=DAYS, buttons=buttons)]


@registry.button(ConfirmDelete)
async def delete_confirmed(button: ConfirmDelete, ctx: Context) -> list[Reply]:
    """Delete the customer the confirmation named."""
    contact_id = button.contact_id
    contact = restore.delete_contact(ctx.session, actor=ctx.member, contact_id=contact_id,
                                     now=ctx.now)
    reply = ctx.text("audit.delete.done", name=contact.name, days=DAYS,
                     buttons=[[ctx.button("audit.delete.undo", Restore("c", contact_id))]])
    reply.edit = True
    return [reply]


@registry.command("restore", help_key="help.restore")
async def restore_command(req: ChatRequest, ctx: Context) -> list[Reply]:
    """List what can be restored, or restore the deleted customer the text names."""
    query = req.args.strip()
    if not query:
        return [_deleted_list(ctx)]
    hits = restore.find_deleted_contacts(ctx.session, actor=ctx.member, query=query,
                                         now=ctx.now)
    if not hits:
        return [ctx.text("audit.restore.no_match", query=query[:60], days=DAYS)]
    if len(hits) == 1 or search.is_confident([hit for _, hit in hits]):
        return [_restored(ctx, "c", hits[0][0].id or 0)]
    rows = [[Button(ctx.t.plain("audit.restore.button", label=c.name)[:60],
                    Restore("c", c.id or 0).pack())] for c, _ in hits]
    return [ctx.text("audit.restore.choose", query=query[:60], buttons=rows)]


def _deleted_list(ctx: Context) -> Reply:
    items = restore.list_deleted(ctx.session, actor=ctx.member, now=ctx.now)
    if not items:
        return ctx.text("audit.restore.none", days=DAYS)
    rows = [[Button(views.button_label(item, ctx.t)[:60], Restore(item.kind, item.id).pack())]
            for item in items]
    return ctx.html(views.deleted_list(items, ctx.t, ctx.tz), rows)


@registry.button(Restore)
async def restore_pressed(button: Restore, ctx: Context) -> list[Reply]:
    """Restore the record a button names, if it is still deleted and the member's to see."""
    return [_restored(ctx, button.kind, button.row_id)]


def _restored(ctx: Context, kind: str, row_id: int) -> Reply:
    row = restore.restore(ctx.session, actor=ctx.member, kind=kind, row_id=row_id, now=ctx.now)
    contact = row if isinstance(row, Contact) else ctx.session.get(Contact, row.contact_id)
    name = contact.name if contact else "?"
    open_card = [[ctx.button("audit.restore.open_contact",
                             OpenContact(contact.id or 0 if contact else 0),
                             name=name)]]
    if isinstance(row, Contact):
        return ctx.text("audit.restore.done_contact", name=name, buttons=open_card)
    if isinstance(row, Deal):
        return ctx.text("audit.restore.done_deal", title=row.title, name=name, buttons=open_card)
    return ctx.text("audit.restore.done_order", id=row.id, name=name, buttons=open_card)
