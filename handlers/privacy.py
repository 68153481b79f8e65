"""Privacy: /erase a contact's personal data, after handing the admin an export of it."""

from __future__ import annotations

from typing import Any

from crm_store import contacts, dialogs, erasure
from crm_store.errors import Invalid
from handlers.context import Context
from handlers.picking import callback_id, resolve
from handlers.router import ADMINS, registry
from handlers.types import ChatRequest, Reply

ERASE_FLOW = "erase"


@registry.command("erase", help_key="help.erase", roles=ADMINS)
async def erase(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Erase a contact's personal data: /erase <contact>, confirmed with a button."""
    if not req.args.strip():
        return [ctx.text("privacy.erase_usage")]
    found = await resolve(ctx, req.args, resume=ERASE_FLOW)
    return found if isinstance(found, list) else await _offer(ctx, found.id or 0, {})


@registry.resumer(ERASE_FLOW)
async def _offer(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    """Send the contact's data export, then ask to confirm the erasure."""
    contact = contacts.get_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    export = erasure.export_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow=ERASE_FLOW,
                data={"contact_id": contact_id})
    buttons = [[ctx.button("privacy.button_confirm", f"er:{contact_id}"),
                ctx.button("button.cancel", "cx")]]
    return [
        Reply(ctx.t("privacy.export_caption", name=contact.name)[:1000],
              document=erasure.export_json(export), filename=f"contact-{contact_id}.json"),
        ctx.text("privacy.erase_confirm", buttons=buttons, name=contact.name, id=contact_id),
    ]


@registry.callback("er", roles=ADMINS)
async def erase_confirmed(req: ChatRequest, ctx: Context) -> list[Reply]:
    """The Confirm button of /erase: only for the contact the open confirmation names."""
    contact_id = callback_id(req.callback_data)
    state = dialogs.get(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    if contact_id is None or state is None or state.flow != ERASE_FLOW or (
        state.data.get("contact_id") != contact_id
    ):
        raise Invalid("error.stale_button")
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    done = erasure.erase_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    return [Reply(ctx.t("privacy.erased", id=contact_id, interactions=done.interactions,
                        orders=done.orders), edit=True)]
