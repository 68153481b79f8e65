"""Quick log: plain text outside a form becomes a proposal; nothing is written until Confirm."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm_store.contacts import contacts
from crm_store.messaging import dialogs
from crm_store.models import InteractionKind
from crm_store.money import format_money
from crm_store.sales import activity, tasks
from handlers.activity.buttons import (
    QuickBack,
    QuickConfirm,
    QuickContact,
    QuickDropFollowUp,
    QuickEdit,
    QuickKind,
    QuickText,
    QuickUndo,
)
from handlers.activity.quicklog_parse import name_tables, parse_quick_log
from handlers.contacts import views
from handlers.contacts.buttons import OpenContact
from handlers.context import Context
from handlers.general.buttons import Cancel
from handlers.i18n import Html, escape
from handlers.router import registry
from handlers.types import Button, ChatRequest, Reply

FLOW = "ql"


@registry.flow("kind:text")
async def free_text(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Plain text outside any form: propose what to log, or point to the commands."""
    index = contacts.visible_index(ctx.session, ctx.member)
    names = index.memo.get("quicklog")
    if names is None:  # prepared once per roster, kept with the cached index
        names = index.memo["quicklog"] = name_tables(
            [(key.contact_id, key.name, key.pinyin_full) for key in index.keys])
    parsed = parse_quick_log(req.text, names=names, now=ctx.now, tz=ctx.tz)
    if parsed is None:
        return [ctx.text("text.hint")]
    if not parsed.contact_ids:
        return [ctx.text("ql.no_contact")]
    proposal = {
        "contact_id": parsed.contact_ids[0], "kind": parsed.kind.value, "text": parsed.text,
        "follow_up_at": parsed.follow_up_at.isoformat() if parsed.follow_up_at else None,
        "amount_minor": parsed.amount_minor,
    }
    if len(parsed.contact_ids) > 1:
        dialogs.put(ctx.session, chat_id=req.chat_id, user_id=req.user_id, flow=FLOW,
                    step="contact", data=proposal)
        rows = [[Button(c.name[:60], QuickContact(c.id or 0).pack())] for c in contacts.recent(
            ctx.session, actor=ctx.member, first=list(parsed.contact_ids),
            limit=len(parsed.contact_ids))]
        rows.append([ctx.button("button.cancel", Cancel())])
        return [ctx.text("ql.which_contact", buttons=rows)]
    return _propose(ctx, proposal, edit=False)


def _propose(ctx: Context, proposal: dict[str, Any], *, edit: bool) -> list[Reply]:
    """Show the proposal with Confirm / Edit / Cancel and keep it in the dialog."""
    contact = contacts.get_contact(ctx.session, actor=ctx.member,
                                   contact_id=int(proposal["contact_id"]))
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow=FLOW,
                step="confirm", data=proposal)
    lines = [ctx.t("ql.proposal", kind=ctx.t.plain(f"kind.{proposal['kind']}"),
                   name=contact.name), f"«{escape(proposal['text'])}»"]
    if proposal.get("follow_up_at"):
        due = datetime.fromisoformat(proposal["follow_up_at"])
        lines.append(ctx.t("ql.follow_up", when=views.local_time(due, ctx.tz)))
    if proposal.get("amount_minor"):
        lines.append(ctx.t("ql.amount", amount=format_money(int(proposal["amount_minor"]))))
    buttons = [[ctx.button("ql.confirm", QuickConfirm()), ctx.button("ql.edit", QuickEdit()),
                ctx.button("button.cancel", Cancel())]]
    return [Reply(Html("\n".join(lines)), buttons=buttons, edit=edit)]


def _open_proposal(ctx: Context) -> dict[str, Any]:
    return dict(ctx.pending(FLOW).data)


@registry.button(QuickContact)
async def pick_contact(button: QuickContact, ctx: Context) -> list[Reply]:
    """Several contacts were named: this is the one meant."""
    proposal = _open_proposal(ctx)
    return _propose(ctx, {**proposal, "contact_id": button.contact_id}, edit=True)


@registry.button(QuickConfirm)
async def confirm(button: QuickConfirm, ctx: Context) -> list[Reply]:
    """Write what the proposal says; offer Undo."""
    req = ctx.req
    proposal = _open_proposal(ctx)
    contact_id = int(proposal["contact_id"])
    item = activity.log_interaction(
        ctx.session, actor=ctx.member, contact_id=contact_id,
        kind=InteractionKind(proposal["kind"]), text=proposal["text"], at=ctx.now,
        amount_minor=proposal.get("amount_minor"))
    task_id = 0
    if proposal.get("follow_up_at"):
        task = tasks.create_task(ctx.session, actor=ctx.member, contact_id=contact_id,
                                 text=proposal["text"][:200],
                                 due_at=datetime.fromisoformat(proposal["follow_up_at"]))
        task_id = task.id or 0
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    key = "ql.saved_with_task" if task_id else "ql.saved"
    return [Reply(ctx.t(key, kind=ctx.t.plain(f"kind.{proposal['kind']}")), edit=True,
                  buttons=[[ctx.button("ql.undo", QuickUndo(item.id or 0, task_id)),
                            ctx.button("ql.open_card", OpenContact(contact_id))]])]


@registry.button(QuickUndo)
async def undo(button: QuickUndo, ctx: Context) -> list[Reply]:
    """Remove what a confirmed quick log wrote."""
    activity.undo_interaction(ctx.session, actor=ctx.member,
                              interaction_id=button.interaction_id)
    if button.task_id:
        tasks.cancel_task(ctx.session, actor=ctx.member, task_id=button.task_id)
    return [Reply(ctx.t("ql.undone"), edit=True)]


KIND_BUTTONS = tuple(InteractionKind)  # call, visit, meeting, message, email, note


@registry.button(QuickEdit)
async def edit(button: QuickEdit, ctx: Context) -> list[Reply]:
    """Offer what can change: the kind, the text, the follow-up."""
    proposal = _open_proposal(ctx)
    kinds = [Button(ctx.t.plain(f"kind.{k.value}"), QuickKind(k).pack()) for k in KIND_BUTTONS]
    rows = [kinds[:3], kinds[3:], [ctx.button("ql.change_text", QuickText())]]
    if proposal.get("follow_up_at"):
        rows.append([ctx.button("ql.drop_follow_up", QuickDropFollowUp())])
    rows.append([ctx.button("ql.back", QuickBack())])
    return [Reply(ctx.t("ql.what_to_change"), buttons=rows, edit=True)]


@registry.button(QuickKind)
async def set_kind(button: QuickKind, ctx: Context) -> list[Reply]:
    """Change the kind of interaction."""
    return _propose(ctx, {**_open_proposal(ctx), "kind": button.kind.value}, edit=True)


@registry.button(QuickDropFollowUp)
async def drop_follow_up(button: QuickDropFollowUp, ctx: Context) -> list[Reply]:
    """Keep the note, skip the follow-up."""
    return _propose(ctx, {**_open_proposal(ctx), "follow_up_at": None}, edit=True)


@registry.button(QuickBack)
async def back(button: QuickBack, ctx: Context) -> list[Reply]:
    """Back to the proposal."""
    return _propose(ctx, _open_proposal(ctx), edit=True)


@registry.button(QuickText)
async def ask_text(button: QuickText, ctx: Context) -> list[Reply]:
    """Ask for the note text anew."""
    proposal = _open_proposal(ctx)
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow=FLOW,
                step="text", data=proposal)
    return [ctx.text("ql.type_text", buttons=[[ctx.button("button.cancel", Cancel())]])]


@registry.flow(FLOW)
async def typed_text(req: ChatRequest, ctx: Context) -> list[Reply]:
    """The new note text, or — while a proposal waits — a fresh message replaces it."""
    state = ctx.dialog
    assert state is not None  # routed here only while a quick log is open
    if state.step == "text":
        return _propose(ctx, {**state.data, "text": req.text.strip()[:4000]}, edit=False)
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return await free_text(req, ctx)
