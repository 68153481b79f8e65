"""Quick log: plain text outside a form becomes a proposal; nothing is written until Confirm."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm_store.contacts import contacts
from crm_store.errors import Invalid
from crm_store.messaging import dialogs
from crm_store.models import InteractionKind
from crm_store.sales import activity, tasks
from handlers.activity.quicklog_parse import name_tables, parse_quick_log
from handlers.contacts import views
from handlers.context import Context
from handlers.i18n import Html, escape
from handlers.picking import callback_id
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
        rows = [[Button(c.name[:60], f"qp:{c.id}")] for c in contacts.recent(
            ctx.session, actor=ctx.member, first=list(parsed.contact_ids),
            limit=len(parsed.contact_ids))]
        rows.append([ctx.button("button.cancel", "cx")])
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
        from crm_store.money import format_money

        lines.append(ctx.t("ql.amount", amount=format_money(int(proposal["amount_minor"]))))
    buttons = [[ctx.button("ql.confirm", "qc"), ctx.button("ql.edit", "qe"),
                ctx.button("button.cancel", "cx")]]
    return [Reply(Html("\n".join(lines)), buttons=buttons, edit=edit)]


def _open_proposal(ctx: Context) -> dict[str, Any]:
    state = dialogs.get(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id)
    if state is None or state.flow != FLOW:
        raise Invalid("error.stale_button")
    return dict(state.data)


@registry.callback("qp")
async def pick_contact(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Several contacts were named: this is the one meant."""
    contact_id = callback_id(req.callback_data)
    proposal = _open_proposal(ctx)
    if contact_id is None:
        raise Invalid("error.stale_button")
    return _propose(ctx, {**proposal, "contact_id": contact_id}, edit=True)


@registry.callback("qc")
async def confirm(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Write what the proposal says; offer Undo."""
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
                  buttons=[[ctx.button("ql.undo", f"qu:{item.id}:{task_id}"),
                            ctx.button("ql.open_card", f"ct:{contact_id}")]])]


@registry.callback("qu")
async def undo(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Remove what a confirmed quick log wrote."""
    interaction_id, task_id = callback_id(req.callback_data), callback_id(req.callback_data, 2)
    if interaction_id is None or task_id is None:
        raise Invalid("error.stale_button")
    activity.undo_interaction(ctx.session, actor=ctx.member, interaction_id=interaction_id)
    if task_id:
        tasks.cancel_task(ctx.session, actor=ctx.member, task_id=task_id)
    return [Reply(ctx.t("ql.undone"), edit=True)]


KIND_BUTTONS = ("call", "visit", "meeting", "message", "email", "note")


@registry.callback("qe")
async def edit(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Offer what can change: the kind, the text, the follow-up."""
    proposal = _open_proposal(ctx)
    kinds = [Button(ctx.t.plain(f"kind.{k}"), f"qk:{k}") for k in KIND_BUTTONS]
    rows = [kinds[:3], kinds[3:], [ctx.button("ql.change_text", "qt")]]
    if proposal.get("follow_up_at"):
        rows.append([ctx.button("ql.drop_follow_up", "qf")])
    rows.append([ctx.button("ql.back", "qb")])
    return [Reply(ctx.t("ql.what_to_change"), buttons=rows, edit=True)]


@registry.callback("qk")
async def set_kind(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Change the kind of interaction."""
    kind = req.callback_data.partition(":")[2]
    if kind not in KIND_BUTTONS:
        raise Invalid("error.stale_button")
    return _propose(ctx, {**_open_proposal(ctx), "kind": kind}, edit=True)


@registry.callback("qf")
async def drop_follow_up(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Keep the note, skip the follow-up."""
    return _propose(ctx, {**_open_proposal(ctx), "follow_up_at": None}, edit=True)


@registry.callback("qb")
async def back(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Back to the proposal."""
    return _propose(ctx, _open_proposal(ctx), edit=True)


@registry.callback("qt")
async def ask_text(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Ask for the note text anew."""
    proposal = _open_proposal(ctx)
    dialogs.put(ctx.session, chat_id=req.chat_id, user_id=req.user_id, flow=FLOW, step="text",
                data=proposal)
    return [ctx.text("ql.type_text", buttons=[[ctx.button("button.cancel", "cx")]])]


@registry.flow(FLOW)
async def typed_text(req: ChatRequest, ctx: Context) -> list[Reply]:
    """The new note text, or — while a proposal waits — a fresh message replaces it."""
    state = ctx.dialog
    assert state is not None  # routed here only while a quick log is open
    if state.step == "text":
        return _propose(ctx, {**state.data, "text": req.text.strip()[:4000]}, edit=False)
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return await free_text(req, ctx)
