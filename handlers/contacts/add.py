"""Adding contacts: /add as a form or one line, shared Telegram contact cards, duplicates."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from crm_store.contacts import contacts
from crm_store.contacts.contacts import DuplicateSuspected, NewContact
from crm_store.contacts.normalize import looks_like_phone, normalise_email, normalise_phone
from crm_store.errors import Invalid
from crm_store.messaging import dialogs
from handlers.contacts.buttons import CreateAnyway, OpenContact, SkipField
from handlers.contacts.commands import card_replies
from handlers.context import Context
from handlers.general.buttons import Cancel
from handlers.i18n import Html
from handlers.router import registry
from handlers.types import Button, ChatRequest, Reply

FORM_STEPS = ("name", "company", "phone", "email")
_FIELD_SPLIT = re.compile(r"[,，;；]")


@registry.command("add", help_key="help.add", aliases=("new",))
async def add(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Add a contact: `/add name, company, phone, email`, or a step-by-step form."""
    if not req.args.strip():
        dialogs.put(ctx.session, chat_id=req.chat_id, user_id=req.user_id, flow="add",
                    step="name", data={})
        return [_ask(ctx, "name")]
    return _create(ctx, parse_add_line(req.args))


def parse_add_line(text: str) -> NewContact:
    """Split '张伟, 华东机械, 13800138000, zw@hd.cn'; phone and email are found anywhere."""
    parts = [p.strip() for p in _FIELD_SPLIT.split(text) if p.strip()]
    email = next((p for p in parts if "@" in p), None)
    phone = next((p for p in parts if p is not email and looks_like_phone(p)), None)
    rest = [p for p in parts if p is not email and p is not phone]
    if not rest:
        raise Invalid("error.name_required")
    return NewContact(name=rest[0], company=rest[1] if len(rest) > 1 else None,
                      phone=phone, email=email, title=rest[2] if len(rest) > 2 else None)


def _ask(ctx: Context, step: str) -> Reply:
    buttons: list[list[Button]] = []
    if step != "name":
        buttons.append([ctx.button("button.skip", SkipField())])
    buttons.append([ctx.button("button.cancel", Cancel())])
    return ctx.text(f"add.ask_{step}", buttons=buttons)


@registry.flow("add")
async def add_step(req: ChatRequest, ctx: Context) -> list[Reply]:
    """One answer of the /add form; '-' skips an optional field."""
    value = req.text.strip()
    return _advance(ctx, "" if value == "-" else value)


@registry.button(SkipField)
async def skip_button(button: SkipField, ctx: Context) -> list[Reply]:
    """Skip the current optional field of the form."""
    return _advance(ctx, "")


def _advance(ctx: Context, value: str) -> list[Reply]:
    state = ctx.pending("add")
    step, data = state.step, dict(state.data)
    if step == "name" and not value:
        return [_ask(ctx, "name")]
    if value and step == "phone":
        normalise_phone(value, ctx.settings.default_region)
    if value and step == "email":
        normalise_email(value)
    data[step] = value or None
    following = FORM_STEPS[FORM_STEPS.index(step) + 1 :]
    if following:
        dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow="add",
                    step=following[0], data=data)
        return [_ask(ctx, following[0])]
    dialogs.clear(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id)
    return _create(ctx, NewContact(**data))


@registry.flow("kind:contact")
async def shared_contact(req: ChatRequest, ctx: Context) -> list[Reply]:
    """A contact card shared from Telegram becomes a new contact."""
    shared: dict[str, Any] = req.payload.get("contact", {})
    name = " ".join(p for p in (shared.get("first_name"), shared.get("last_name")) if p)
    phone = str(shared.get("phone_number") or "")
    if phone and not phone.startswith("+") and len(phone) > 10:
        phone = "+" + phone  # Telegram sends international numbers without the plus
    data = NewContact(name=name or phone, phone=phone or None, source="telegram",
                      telegram_user_id=shared.get("user_id"))
    return _create(ctx, data)


def _create(ctx: Context, data: NewContact, *, force: bool = False) -> list[Reply]:
    try:
        contact = contacts.create_contact(ctx.session, actor=ctx.member, data=data,
                                          region=ctx.settings.default_region, force=force)
    except DuplicateSuspected as dup:
        return _duplicate_prompt(ctx, data, dup)
    return [ctx.text("add.created", name=contact.name), *card_replies(ctx, contact.id or 0)]


def _duplicate_prompt(ctx: Context, data: NewContact, dup: DuplicateSuspected) -> list[Reply]:
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow="dup",
                data=asdict(data))
    lines = [ctx.t("add.duplicate", name=data.name)]
    rows = []
    for match in dup.matches:
        if match.id in dup.visible_ids:
            lines.append(ctx.t("add.duplicate_line", name=match.name, phone=match.phone or "—"))
            rows.append([ctx.button("button.open", OpenContact(match.id or 0), name=match.name)])
        else:
            lines.append(ctx.t("add.duplicate_hidden"))
    rows.append([ctx.button("button.create_anyway", CreateAnyway()),
                 ctx.button("button.cancel", Cancel())])
    return [ctx.html(Html("\n".join(lines)), rows)]


@registry.button(CreateAnyway)
async def create_anyway(button: CreateAnyway, ctx: Context) -> list[Reply]:
    """Create the contact the duplicate check held back."""
    data = NewContact(**ctx.pending("dup").data)
    dialogs.clear(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id)
    return _create(ctx, data, force=True)
