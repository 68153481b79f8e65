"""Contacts: /find, /contact (card with actions), /edit."""

from __future__ import annotations

from typing import Any

from crm_store.contacts import contacts
from crm_store.contacts.contacts import EDITABLE_FIELDS
from crm_store.messaging import dialogs
from crm_store.models import InteractionKind
from handlers.activity.buttons import LogInteraction
from handlers.contacts import views
from handlers.contacts.buttons import EditContact, EditField, OpenContact
from handlers.context import Context
from handlers.general.buttons import Cancel
from handlers.picking import ask_about, resolve
from handlers.router import registry
from handlers.types import Button, ChatRequest, Reply

FIND_LIMIT = 8


@registry.command("find", help_key="help.find", aliases=("search",))
async def find(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Find contacts by name, pinyin, initials, company, phone digits or email."""
    query = req.args.strip()
    if not query:
        return [ctx.text("find.usage")]
    hits = contacts.search_contacts(ctx.session, actor=ctx.member, query=query, limit=FIND_LIMIT)
    if not hits:
        return [ctx.text("error.no_match", query=query[:60])]
    company_ids = {c.company_id for c, _ in hits if c.company_id}
    companies = contacts.company_names(ctx.session, company_ids)
    text = views.search_results(hits, companies, ctx.t, query[:60])
    rows = [[Button(f"{n}. {c.name}"[:60], OpenContact(c.id or 0).pack())]
            for n, (c, _) in enumerate(hits, 1)]
    return [ctx.html(text, rows)]


@registry.command("contact", help_key="help.contact")
async def contact(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Show a contact's card with action buttons."""
    if not req.args.strip():
        return [ctx.text("contact.usage")]
    found = await resolve(ctx, req.args, resume="card")
    return found if isinstance(found, list) else card_replies(ctx, found.id or 0)


@registry.resumer("card")
async def _card_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    return card_replies(ctx, contact_id)


@registry.button(OpenContact)
async def card_button(button: OpenContact, ctx: Context) -> list[Reply]:
    """Open a contact's card from a button."""
    return card_replies(ctx, button.contact_id)


def card_replies(ctx: Context, contact_id: int) -> list[Reply]:
    """The card and its action buttons."""
    card = contacts.card(ctx.session, actor=ctx.member, contact_id=contact_id)
    cid = card.contact.id or 0
    extra = [section(ctx, card.contact) for section in registry.card_sections]
    text = views.contact_card(card, ctx.t, ctx.tz, [block for block in extra if block])
    area_buttons = [b for make in registry.card_buttons for b in make(ctx, card.contact)]
    buttons = [
        [ctx.button("button.log_call", LogInteraction(cid, InteractionKind.CALL)),
         ctx.button("button.log_visit", LogInteraction(cid, InteractionKind.VISIT))],
        [ctx.button("button.log_note", LogInteraction(cid, InteractionKind.NOTE)),
         ctx.button("button.edit", EditContact(cid))],
        *[area_buttons[i : i + 2] for i in range(0, len(area_buttons), 2)],
    ]
    return [ctx.html(text, buttons)]


@registry.command("edit", help_key="help.edit")
async def edit(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Change a contact: /edit <contact> [field value], or pick the field from buttons."""
    if not req.args.strip():
        return [ctx.text("edit.usage")]
    query, field, value = _split_edit_args(req.args)
    found = await resolve(ctx, query, resume="edit", data={"field": field, "value": value})
    if isinstance(found, list):
        return found
    return await _edit_after_pick(ctx, found.id or 0, {"field": field, "value": value})


def _split_edit_args(args: str) -> tuple[str, str | None, str]:
    """'/edit 张伟 phone 139…' → ('张伟', 'phone', '139…'); field words in en and zh."""
    words = args.split()
    for index, word in enumerate(words[1:], 1):
        field = FIELD_WORDS.get(word.lower())
        if field:
            return " ".join(words[:index]), field, " ".join(words[index + 1 :])
    return args, None, ""


FIELD_WORDS = {name: name for name in EDITABLE_FIELDS} | {
    "姓名": "name", "名字": "name", "公司": "company", "电话": "phone", "手机": "phone",
    "邮箱": "email", "职位": "title", "城市": "city", "行业": "industry", "mobile": "phone",
}


@registry.resumer("edit")
async def _edit_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    field, value = data.get("field"), data.get("value") or ""
    if field and value:
        return _save_field(ctx, contact_id, field, value)
    if field:
        return _ask_value(ctx, contact_id, field)
    return _field_buttons(ctx, contact_id, edit=False)


@registry.button(EditContact)
async def edit_button(button: EditContact, ctx: Context) -> list[Reply]:
    """The Edit button on a card: choose a field."""
    return _field_buttons(ctx, button.contact_id, edit=False)


def _field_buttons(ctx: Context, contact_id: int, *, edit: bool) -> list[Reply]:
    contact = contacts.get_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    labels = [ctx.button(f"card.{f}", EditField(contact_id, f)) for f in EDITABLE_FIELDS]
    rows = [labels[i : i + 3] for i in range(0, len(labels), 3)]
    rows.append([ctx.button("button.cancel", Cancel())])
    return [ctx.text("edit.choose_field", name=contact.name, buttons=rows)]


@registry.button(EditField)
async def field_button(button: EditField, ctx: Context) -> list[Reply]:
    """A field was chosen: ask for the new value."""
    return _ask_value(ctx, button.contact_id, button.field)


def _ask_value(ctx: Context, contact_id: int, field: str) -> list[Reply]:
    return ask_about(ctx, contact_id, flow="edit", step=field, key="edit.ask_value",
                     field=ctx.t.plain(f"card.{field}"))


@registry.flow("edit")
async def edit_value(req: ChatRequest, ctx: Context) -> list[Reply]:
    """The new value for the field chosen earlier ('-' clears an optional field)."""
    state = ctx.dialog
    assert state is not None  # the dispatcher routes here only while the form is open
    value = "" if req.text.strip() == "-" else req.text
    replies = _save_field(ctx, int(state.data["contact_id"]), state.step, value)
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return replies


def _save_field(ctx: Context, contact_id: int, field: str, value: str) -> list[Reply]:
    contacts.update_field(ctx.session, actor=ctx.member, contact_id=contact_id, name=field,
                          value=value, region=ctx.settings.default_region)
    return [ctx.text("edit.saved", field=ctx.t.plain(f"card.{field}")),
            *card_replies(ctx, contact_id)]
