"""Erasure: /erase a contact's personal data, after handing the admin an export of it.

/erase reaches soft-deleted contacts too (named as in /restore, or by #id): a deleted contact
still holds its personal data (nothing purges it), exactly what an erasure request is about.
"""

from __future__ import annotations

from typing import Any

from crm_store.contacts import search
from crm_store.errors import NotFound
from crm_store.messaging import dialogs
from crm_store.records import erasure
from crm_store.records.restore import aware
from handlers.contacts.views import local_time
from handlers.context import Context
from handlers.general.buttons import Cancel
from handlers.i18n import Html
from handlers.ids import record_id
from handlers.picking import MAX_CHOICES, choose
from handlers.records.buttons import ConfirmErase
from handlers.router import ADMINS, registry
from handlers.types import ChatRequest, Reply

ERASE_FLOW = "erase"


@registry.command("erase", help_key="help.erase", roles=ADMINS)
async def erase(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Erase a contact's personal data: /erase <contact>, deleted ones too, after Confirm."""
    query = req.args.strip()
    if not query:
        return [ctx.text("erasure.erase_usage")]
    if query.startswith("#") and query[1:].isdigit():
        contact_id = record_id(query)
        if contact_id is None:
            raise NotFound("error.contact_not_found")
        return await _offer(ctx, contact_id, {})
    hits = erasure.find_erasable(ctx.session, actor=ctx.member, query=query, limit=MAX_CHOICES)
    if not hits:
        return [ctx.text("error.no_match", query=query[:60])]
    if search.is_confident([hit for _, hit in hits]):
        return await _offer(ctx, hits[0][0].id or 0, {})
    return choose(ctx, query, [contact for contact, _ in hits], resume=ERASE_FLOW,
                  mark=ctx.t.plain("erasure.deleted_mark"))


@registry.resumer(ERASE_FLOW)
async def _offer(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    """Send the contact's data export, then ask to confirm the erasure."""
    contact = erasure.get_erasable(ctx.session, actor=ctx.member, contact_id=contact_id)
    export = erasure.export_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow=ERASE_FLOW,
                data={"contact_id": contact_id})
    mentions = erasure.count_mentions(ctx.session, actor=ctx.member, contact_id=contact_id)
    buttons = [[ctx.button("erasure.button_confirm", ConfirmErase(contact_id)),
                ctx.button("button.cancel", Cancel())]]
    if mentions:
        buttons.insert(0, [ctx.button("erasure.button_mentions",
                                      ConfirmErase(contact_id, mentions=True), count=mentions)])
    confirm = ctx.text("erasure.erase_confirm", buttons=buttons, name=contact.name, id=contact_id)
    if mentions:
        confirm.text += "\n\n" + ctx.t("erasure.mentions", count=mentions)
    if contact.deleted_at is not None:
        confirm.text += "\n" + ctx.t("erasure.erase_deleted_note",
                                     date=local_time(aware(contact.deleted_at), ctx.tz))
    return [
        Reply(ctx.t("erasure.export_caption", name=contact.name)[:1000],
              document=erasure.export_json(export), filename=f"contact-{contact_id}.json"),
        confirm,
    ]


@registry.button(ConfirmErase, roles=ADMINS)
async def erase_confirmed(button: ConfirmErase, ctx: Context) -> list[Reply]:
    """The Confirm button of /erase: only for the contact the open confirmation names."""
    req, contact_id = ctx.req, button.contact_id
    ctx.pending(ERASE_FLOW, contact_id=contact_id)  # the open confirmation names it
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    done = erasure.erase_contact(ctx.session, actor=ctx.member, contact_id=contact_id,
                                 mentions=bool(button.mentions))
    text = ctx.t("erasure.erased", id=contact_id, interactions=done.interactions,
                 orders=done.orders)
    if done.mentions:
        text = Html(f"{text}\n{ctx.t('erasure.mentions_blanked', count=done.mentions)}")
    return [Reply(text, edit=True)]
