"""Activity: /log interactions, from a command or from a card's buttons."""

from __future__ import annotations

from typing import Any

from crm_store.messaging import dialogs
from crm_store.models import InteractionKind
from crm_store.sales import activity
from handlers.activity.buttons import LogInteraction
from handlers.contacts.commands import card_replies
from handlers.context import Context
from handlers.picking import ask_about, resolve
from handlers.router import registry
from handlers.types import ChatRequest, Reply

KIND_WORDS: dict[str, InteractionKind] = {k.value: k for k in InteractionKind} | {
    "phone": InteractionKind.CALL, "called": InteractionKind.CALL,
    "visited": InteractionKind.VISIT, "meet": InteractionKind.MEETING,
    "msg": InteractionKind.MESSAGE, "wechat": InteractionKind.MESSAGE,
    "电话": InteractionKind.CALL, "通话": InteractionKind.CALL, "打电话": InteractionKind.CALL,
    "拜访": InteractionKind.VISIT, "上门": InteractionKind.VISIT,
    "会议": InteractionKind.MEETING, "见面": InteractionKind.MEETING,
    "消息": InteractionKind.MESSAGE, "微信": InteractionKind.MESSAGE,
    "邮件": InteractionKind.EMAIL, "备注": InteractionKind.NOTE, "笔记": InteractionKind.NOTE,
}


def split_log_args(args: str) -> tuple[str, InteractionKind, str] | None:
    """'张伟 call asked for a quote' → ('张伟', CALL, 'asked for a quote'); None if no kind."""
    words = args.split(" ")
    for index, word in enumerate(words[1:], 1):
        kind = KIND_WORDS.get(word.strip().lower())
        if kind is not None:
            contact = " ".join(words[:index]).strip()
            return contact, kind, " ".join(words[index + 1 :]).strip()
    return None


@registry.command("log", help_key="help.log")
async def log(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Log an interaction: /log <contact> <call|visit|meeting|message|email|note> <text>."""
    parsed = split_log_args(req.args.strip())
    if parsed is None:
        return [ctx.text("log.usage")]
    query, kind, text = parsed
    if not text:
        return [ctx.text("log.need_text")]
    found = await resolve(ctx, query, resume="log", data={"kind": kind.value, "text": text})
    if isinstance(found, list):
        return found
    return _save(ctx, found.id or 0, kind, text)


@registry.resumer("log")
async def _log_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    return _save(ctx, contact_id, InteractionKind(data["kind"]), data["text"])


def _save(ctx: Context, contact_id: int, kind: InteractionKind, text: str) -> list[Reply]:
    activity.log_interaction(ctx.session, actor=ctx.member, contact_id=contact_id, kind=kind,
                             text=text, at=ctx.now)
    return [ctx.text("log.saved", kind=ctx.t.plain(f"kind.{kind.value}")),
            *card_replies(ctx, contact_id)]


@registry.button(LogInteraction)
async def log_button(button: LogInteraction, ctx: Context) -> list[Reply]:
    """A Log button on a card: ask for the note text."""
    kind = button.kind
    return ask_about(ctx, button.contact_id, flow="log", step=kind.value, key="log.ask_text",
                     kind=ctx.t.plain(f"kind.{kind.value}"))


@registry.flow("log")
async def log_text(req: ChatRequest, ctx: Context) -> list[Reply]:
    """The text for an interaction started from a card button."""
    state = ctx.dialog
    assert state is not None  # the dispatcher routes here only while the form is open
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return _save(ctx, int(state.data["contact_id"]), InteractionKind(state.step), req.text)
