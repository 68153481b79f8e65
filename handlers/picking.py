"""Name a contact by fuzzy text: one confident match, or buttons to choose — never a guess."""

from __future__ import annotations

from typing import Any

from crm_store.contacts import contacts, search
from crm_store.errors import NotFound
from crm_store.messaging import dialogs
from crm_store.models import Contact
from handlers.callbacks import Callback
from handlers.context import Context
from handlers.general.buttons import Cancel
from handlers.ids import record_id
from handlers.router import registry
from handlers.types import Button, Reply

MAX_CHOICES = 6


class PickContact(Callback, prefix="pk"):
    """A contact chosen from an ambiguous list: the command that asked continues with it."""

    contact_id: int


async def resolve(
    ctx: Context, query: str, *, resume: str, data: dict[str, Any] | None = None
) -> Contact | list[Reply]:
    """Return the contact `query` names, or replies asking the user (choices or not found)."""
    query = query.strip()
    if query.startswith("#") and query[1:].isdigit():
        contact_id = record_id(query)
        if contact_id is None:
            raise NotFound("error.contact_not_found")
        return contacts.get_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    hits = contacts.search_contacts(ctx.session, actor=ctx.member, query=query, limit=MAX_CHOICES)
    if not hits:
        return [ctx.text("error.no_match", query=query[:60])]
    if search.is_confident([hit for _, hit in hits]):
        return hits[0][0]
    return choose(ctx, query, [c for c, _ in hits], resume=resume, data=data)


def choose(ctx: Context, query: str, found: list[Contact], *, resume: str,
           data: dict[str, Any] | None = None, mark: str = "") -> list[Reply]:
    """Ask which of `found` the user meant; the pick continues with resumer `resume`.

    `mark` is added to the label of a soft-deleted contact (e.g. for /erase).
    """
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow="pick",
                data={"resume": resume, **(data or {})})
    company_ids = {c.company_id for c in found if c.company_id}
    companies = contacts.company_names(ctx.session, company_ids)
    rows = [[Button(_label(c, companies, mark if c.deleted_at else ""),
                    PickContact(c.id or 0).pack())] for c in found]
    rows.append([ctx.button("button.cancel", Cancel())])
    return [ctx.text("pick.choose", query=query[:60], buttons=rows)]


def ask_about(ctx: Context, contact_id: int, *, flow: str, step: str, key: str,
              **params: object) -> list[Reply]:
    """Open a one-question form about a visible contact (its answer goes to `flow`)."""
    contact = contacts.get_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow=flow,
                step=step, data={"contact_id": contact_id})
    return [ctx.text(key, name=contact.name, buttons=[[ctx.button("button.cancel", Cancel())]],
                     **params)]


def _label(contact: Contact, companies: dict[int, str], mark: str = "") -> str:
    company = companies.get(contact.company_id) if contact.company_id else None
    label = " · ".join(p for p in (contact.name, company, contact.phone) if p)
    return (f"{mark} {label}" if mark else label)[:60]


@registry.button(PickContact)
async def picked(button: PickContact, ctx: Context) -> list[Reply]:
    """A contact was chosen from an ambiguous list: continue the command that asked."""
    data = dict(ctx.pending("pick").data)
    dialogs.clear(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id)
    resumer = registry.resumers[data.pop("resume")]
    return await resumer(ctx, button.contact_id, data)
