"""Name a contact by fuzzy text: one confident match, or buttons to choose — never a guess."""

from __future__ import annotations

from typing import Any

from crm_store.contacts import contacts, search
from crm_store.messaging import dialogs
from crm_store.models import Contact
from handlers.context import Context
from handlers.router import registry
from handlers.types import Button, ChatRequest, Reply

MAX_CHOICES = 6


async def resolve(
    ctx: Context, query: str, *, resume: str, data: dict[str, Any] | None = None
) -> Contact | list[Reply]:
    """Return the contact `query` names, or replies asking the user (choices or not found)."""
    query = query.strip()
    if query.startswith("#") and query[1:].isdigit():
        return contacts.get_contact(ctx.session, actor=ctx.member, contact_id=int(query[1:]))
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
    rows = [[Button(_label(c, companies, mark if c.deleted_at else ""), f"pk:{c.id}")]
            for c in found]
    rows.append([ctx.button("button.cancel", "cx")])
    return [ctx.text("pick.choose", query=query[:60], buttons=rows)]


def ask_about(ctx: Context, contact_id: int, *, flow: str, step: str, key: str,
              **params: object) -> list[Reply]:
    """Open a one-question form about a visible contact (its answer goes to `flow`)."""
    contact = contacts.get_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow=flow,
                step=step, data={"contact_id": contact_id})
    return [ctx.text(key, name=contact.name, buttons=[[ctx.button("button.cancel", "cx")]],
                     **params)]


def _label(contact: Contact, companies: dict[int, str], mark: str = "") -> str:
    company = companies.get(contact.company_id) if contact.company_id else None
    label = " · ".join(p for p in (contact.name, company, contact.phone) if p)
    return (f"{mark} {label}" if mark else label)[:60]


@registry.callback("pk")
async def picked(req: ChatRequest, ctx: Context) -> list[Reply]:
    """A contact was chosen from an ambiguous list: continue the command that asked."""
    state = dialogs.get(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    contact_id = _id(req.callback_data)
    if state is None or state.flow != "pick" or contact_id is None:
        return [Reply(ctx.t("error.stale_button"), toast=ctx.t.plain("error.stale_button"))]
    data = dict(state.data)
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    resumer = registry.resumers[data.pop("resume")]
    return await resumer(ctx, contact_id, data)


def _id(callback_data: str, position: int = 1) -> int | None:
    """The numeric id at `position` in colon-separated callback data, if well-formed."""
    parts = callback_data.split(":")
    if len(parts) <= position or not parts[position].isdigit() or len(parts[position]) > 12:
        return None
    return int(parts[position])


callback_id = _id
