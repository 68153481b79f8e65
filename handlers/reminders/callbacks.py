"""Buttons on reminder messages: Done (rd), Snooze (rs), Log (rl), open today (ro).

Only the member a reminder was sent to may press its buttons: every callback names the outbox
row, and messaging.reminders checks the row's recipient before anything changes. The 👤 Card
buttons are the contacts area's OpenContact (`ct:<contact id>`).
"""

from __future__ import annotations

from datetime import timedelta

from crm_store.messaging import dialogs, reminders
from crm_store.models import InteractionKind, Outbox
from crm_store.sales import activity
from handlers.activity.commands import KIND_WORDS
from handlers.callbacks import StaleButton
from handlers.contacts.commands import card_replies
from handlers.context import Context
from handlers.picking import ask_about
from handlers.reminders import views
from handlers.reminders.buttons import ReminderDone, ReminderLog, ReminderToday, Snooze
from handlers.router import registry
from handlers.tasks.commands import today
from handlers.tasks.views import when_label
from handlers.types import ChatRequest, Reply

_KIND_EDGE = " :：,，-—"
_VERBS = ("called", "visited")


def _pressed(ctx: Context, row: Outbox, status_key: str, **params: object) -> Reply:
    """The reminder message edited in place: its text, what was done, no buttons left."""
    member = ctx.member
    shown = views.render_reminder(kind=row.kind, payload=row.payload or {},
                                  outbox_id=row.id or 0, language=member.language,
                                  timezone=member.timezone, now=ctx.now)
    status = ctx.t(status_key, **params)
    return Reply(views.pressed(shown.text, status), edit=True,
                 toast=ctx.t.plain(status_key, **params)[:190])


@registry.button(ReminderDone)
async def done_button(button: ReminderDone, ctx: Context) -> list[Reply]:
    """✅ Done on a follow-up reminder: rd:<outbox id> completes its task."""
    row = reminders.complete(ctx.session, actor=ctx.member, outbox_id=button.outbox_id,
                             now=ctx.now)
    return [_pressed(ctx, row, "reminders.done_status")]


@registry.button(Snooze)
async def snooze_button(button: Snooze, ctx: Context) -> list[Reply]:
    """💤 on a reminder: rs:<outbox id>:h (in an hour) or rs:<outbox id>:t (tomorrow)."""
    if button.until == "h":
        until = ctx.now + timedelta(hours=1)
    else:
        until = reminders.tomorrow_at_work(ctx.now, ctx.tz, ctx.member.work_start)
    row = reminders.snooze(ctx.session, actor=ctx.member, outbox_id=button.outbox_id,
                           until=until, now=ctx.now)
    return [_pressed(ctx, row, "reminders.snoozed_status",
                     when=when_label(until, ctx.t, ctx.tz, ctx.now))]


@registry.button(ReminderLog)
async def log_button(button: ReminderLog, ctx: Context) -> list[Reply]:
    """📝 Log on a reminder: rl:<outbox id> asks what happened with its contact."""
    row = reminders.reminder_for(ctx.session, actor=ctx.member, outbox_id=button.outbox_id)
    contact_id = reminders.contact_id_of(row)
    if contact_id is None:
        raise StaleButton()  # a reminder about no one (the button was never on it)
    return ask_about(ctx, contact_id, flow="rlog", step="text", key="reminders.log_ask")


@registry.flow("rlog")
async def log_answer(req: ChatRequest, ctx: Context) -> list[Reply]:
    """'call: wants the quote by Friday' typed after 📝 Log: log it with the contact."""
    state = ctx.dialog
    assert state is not None  # the dispatcher routes here only while the form is open
    kind, text = split_kind(req.text)
    if not text:
        return [ctx.text("reminders.log_need_text")]
    contact_id = int(state.data["contact_id"])
    activity.log_interaction(ctx.session, actor=ctx.member, contact_id=contact_id, kind=kind,
                             text=text, at=ctx.now)
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return [ctx.text("log.saved", kind=ctx.t.plain(f"kind.{kind.value}")),
            *card_replies(ctx, contact_id)]


def split_kind(text: str) -> tuple[InteractionKind, str]:
    """'call: asked for a quote' → (CALL, 'asked for a quote'); no kind word → a note."""
    stripped = text.strip()
    for word in sorted(KIND_WORDS, key=len, reverse=True):
        if stripped.lower().startswith(word):
            rest = stripped[len(word):]
            if not rest or rest[0] in _KIND_EDGE or not word.isascii():
                # "called him back" stays whole; "call: …" / "电话 …" drop the kind word
                body = stripped if word in _VERBS else rest.lstrip(_KIND_EDGE).strip()
                return KIND_WORDS[word], body
    return InteractionKind.NOTE, stripped


@registry.button(ReminderToday)
async def today_button(button: ReminderToday, ctx: Context) -> list[Reply]:
    """📅 Today on a digest or catch-up: ro:<outbox id> shows the member's agenda."""
    reminders.reminder_for(ctx.session, actor=ctx.member, outbox_id=button.outbox_id)
    return await today(ctx.req, ctx)
