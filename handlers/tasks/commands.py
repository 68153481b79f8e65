"""Follow-ups: /followup, /today, /tasks, /done, Done buttons and the card's follow-up button."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal

from crm_store.contacts import contacts
from crm_store.errors import Forbidden, NotFound
from crm_store.messaging import dialogs
from crm_store.models import Contact, Role
from crm_store.sales import tasks
from handlers.contacts.commands import card_replies
from handlers.context import Context
from handlers.i18n import Html
from handlers.ids import record_id
from handlers.picking import ask_about, resolve
from handlers.router import registry
from handlers.tasks import views
from handlers.tasks.buttons import FollowUp, TaskDone, TasksPage
from handlers.types import Button, ChatRequest, Reply
from handlers.when import find_when

PAGE = tasks.PAGE
MAX_BUTTONS = 20
MAX_NAME_WORDS = 5
_EDGE = " \t,，、。.:：;；-—~"
TEAM_WORDS = {"team", "all", "团队", "全部", "全队"}


# --- /followup -------------------------------------------------------------------------------

@registry.command("followup", help_key="help.followup")
async def followup(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Promise a follow-up: /followup <contact> <when> <text> (the text may come first)."""
    args = req.args.strip()
    if not args:
        return [ctx.text("followup.usage")]
    found = find_when(args, now=ctx.now, tz=ctx.tz)
    if found is None:
        return [ctx.text("followup.no_when")]
    due, phrase = found
    if due <= ctx.now:
        return [ctx.text("followup.past_at", when=views.when_label(due, ctx.t, ctx.tz, ctx.now))]
    before, after = _around(args, args.find(phrase), phrase)
    query, rest = split_contact(ctx, before or after)
    if not query:
        return [ctx.text("followup.need_contact")]
    text = " ".join(part for part in (rest, after if before else "") if part)
    contact = await resolve(ctx, query, resume="followup",
                            data={"due": due.isoformat(), "text": text})
    if isinstance(contact, list):
        return contact
    return _create(ctx, contact.id or 0, due, text)


def _around(text: str, start: int, phrase: str) -> tuple[str, str]:
    """What stands before and after the date phrase, without the separators next to it."""
    start = max(start, 0)
    return text[:start].rstrip(_EDGE).strip(), text[start + len(phrase) :].lstrip(_EDGE).strip()


def split_contact(ctx: Context, words: str) -> tuple[str, str]:
    """Split 'John Smith send the quote' / '张伟发报价' into (contact, text) by best match."""
    # The leading words (or Chinese characters) that name a visible contact best win; on a
    # tie the longer name wins. Only the split is chosen here: resolve() names the contact.
    if not words:
        return "", ""
    first, _, tail = words.partition(" ")
    if first.startswith("#") and first[1:].isdigit():
        return first, tail.lstrip(_EDGE)
    best: tuple[float, str, str] = (0.0, words, "")
    for query, rest in _splits(words):
        hits = contacts.search_contacts(ctx.session, actor=ctx.member, query=query, limit=1)
        if hits and hits[0][1].score > best[0]:
            best = (hits[0][1].score, query, rest)
    return best[1].rstrip(_EDGE), best[2].lstrip(_EDGE)


def _splits(words: str) -> list[tuple[str, str]]:
    """Candidate (contact, text) splits, longest contact first."""
    parts = words.split()
    found = [(" ".join(parts[:k]), " ".join(parts[k:]))
             for k in range(min(len(parts), MAX_NAME_WORDS), 0, -1)]
    head = parts[0]
    found += [(head[:k], " ".join([head[k:], *parts[1:]]))
              for k in range(min(len(head), 6) - 1, 1, -1) if "\u4e00" <= head[k - 1] <= "\u9fff"]
    return found


@registry.resumer("followup")
async def _followup_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    return _create(ctx, contact_id, datetime.fromisoformat(data["due"]), data.get("text", ""))


def _create(ctx: Context, contact_id: int, due: datetime, text: str) -> list[Reply]:
    text = text.strip() or ctx.t.plain("followup.default_text")
    task = tasks.create_task(ctx.session, actor=ctx.member, contact_id=contact_id, due_at=due,
                             text=text, now=ctx.now)
    contact = contacts.get_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    return [ctx.text("followup.saved", name=contact.name, text=task.text,
                     when=views.when_label(task.due_at, ctx.t, ctx.tz, ctx.now))]


@registry.button(FollowUp)
async def followup_button(button: FollowUp, ctx: Context) -> list[Reply]:
    """The card's Follow-up button: ask when and what."""
    return ask_about(ctx, button.contact_id, flow="followup", step="when", key="followup.ask")


@registry.flow("followup")
async def followup_answer(req: ChatRequest, ctx: Context) -> list[Reply]:
    """'明天下午3点 发报价' typed after the card's Follow-up button."""
    state = ctx.dialog
    assert state is not None  # the dispatcher routes here only while the form is open
    found = find_when(req.text, now=ctx.now, tz=ctx.tz)
    if found is None:
        return [ctx.text("followup.ask_again")]
    due, phrase = found
    if due <= ctx.now:
        return [ctx.text("followup.past_at", when=views.when_label(due, ctx.t, ctx.tz, ctx.now))]
    text = " ".join(part for part in _around(req.text, req.text.find(phrase), phrase) if part)
    contact_id = int(state.data["contact_id"])
    replies = _create(ctx, contact_id, due, text.strip())
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return [*replies, *card_replies(ctx, contact_id)]


@registry.card_section
def _card_followups(ctx: Context, contact: Contact) -> Html | None:
    lines = tasks.open_for_contact(ctx.session, actor=ctx.member, contact_id=contact.id or 0)
    return views.card_section(lines, ctx.t, ctx.tz, ctx.now) if lines else None


@registry.card_button
def _card_followup_button(ctx: Context, contact: Contact) -> list[Button]:
    return [ctx.button("followup.button", FollowUp(contact.id or 0))]


# --- /today ----------------------------------------------------------------------------------

@registry.command("today", help_key="help.today")
async def today(req: ChatRequest, ctx: Context) -> list[Reply]:
    """The member's agenda for their local today."""
    local_day = ctx.now.astimezone(ctx.tz).date()
    start = datetime.combine(local_day, time(), tzinfo=ctx.tz).astimezone(UTC)
    end = datetime.combine(local_day + timedelta(days=1), time(), tzinfo=ctx.tz).astimezone(UTC)
    agenda = tasks.agenda(ctx.session, actor=ctx.member, day_start_utc=start, day_end_utc=end,
                          local_today=local_day)
    buttons = views.done_buttons([*agenda.overdue, *agenda.today][:MAX_BUTTONS], ctx.t,
                                 ctx.tz)
    return [ctx.html(views.agenda_view(agenda, ctx.t, ctx.tz, ctx.now), buttons)]


# --- /tasks, /done ---------------------------------------------------------------------------

@registry.command("tasks", help_key="help.tasks")
async def task_list(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Open follow-ups by due time; managers: /tasks team for their hierarchy's."""
    arg = req.args.strip().lower()
    team = arg in TEAM_WORDS
    if arg and not team:
        return [ctx.text("tasks.usage")]
    if team and ctx.member.role == Role.REP:
        return [ctx.text("tasks.team_only_managers")]
    return [_page(ctx, offset=0, team=team)]


@registry.button(TasksPage)
async def task_page(button: TasksPage, ctx: Context) -> list[Reply]:
    """Another page of /tasks: tl:<offset>:<m|t>."""
    if button.scope == "t" and ctx.member.role == Role.REP:
        raise Forbidden("tasks.team_only_managers")
    reply = _page(ctx, offset=button.offset, team=button.scope == "t")
    reply.edit = True
    return [reply]


def _page(ctx: Context, *, offset: int, team: bool) -> Reply:
    lines, total = tasks.list_open(ctx.session, actor=ctx.member, team=team, offset=offset)
    if not lines and total:  # a stale Next button after tasks were closed: show the last page
        offset = (total - 1) // PAGE * PAGE
        lines, total = tasks.list_open(ctx.session, actor=ctx.member, team=team, offset=offset)
    if not lines:
        return ctx.text("tasks.empty")
    text = views.task_list(lines, total, offset, ctx.t, ctx.tz, ctx.now, team=team)
    buttons = views.done_buttons(lines, ctx.t, ctx.tz)
    scope: Literal["m", "t"] = "t" if team else "m"
    nav = []
    if offset > 0:
        nav.append(ctx.button("tasks.prev", TasksPage(max(offset - PAGE, 0), scope)))
    if offset + len(lines) < total:
        nav.append(ctx.button("tasks.next", TasksPage(offset + PAGE, scope)))
    return ctx.html(text, [*buttons, nav] if nav else buttons)


@registry.command("done", help_key="help.done")
async def done(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Close a follow-up: /done (choose), /done <contact> or /done #<task id>."""
    arg = req.args.strip()
    if not arg:
        lines, _ = tasks.list_open(ctx.session, actor=ctx.member, limit=PAGE)
        if not lines:
            return [ctx.text("done.nothing_open")]
        return [ctx.text("done.choose", buttons=views.done_buttons(lines, ctx.t, ctx.tz))]
    if arg.startswith("#") and arg[1:].isdigit():
        task_id = record_id(arg)
        if task_id is None:
            raise NotFound("tasks.not_found")
        return _complete(ctx, task_id)
    contact = await resolve(ctx, arg, resume="done")
    if isinstance(contact, list):
        return contact
    return await _done_for_contact(ctx, contact.id or 0, {})


@registry.resumer("done")
async def _done_for_contact(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    lines = tasks.open_for_contact(ctx.session, actor=ctx.member, contact_id=contact_id,
                                   limit=MAX_BUTTONS)
    mine = [line for line in lines if line.task.owner_id == ctx.member.id] or lines
    if not mine:
        name = contacts.get_contact(ctx.session, actor=ctx.member, contact_id=contact_id).name
        return [ctx.text("done.none_for_contact", name=name)]
    if len(mine) == 1:
        return _complete(ctx, mine[0].task.id or 0)
    return [ctx.text("done.choose", buttons=views.done_buttons(mine, ctx.t, ctx.tz))]


@registry.button(TaskDone)
async def done_button(button: TaskDone, ctx: Context) -> list[Reply]:
    """A Done button: td:<task id>."""
    return _complete(ctx, button.task_id)


def _complete(ctx: Context, task_id: int) -> list[Reply]:
    line = tasks.complete_task(ctx.session, actor=ctx.member, task_id=task_id, now=ctx.now)
    label = views.task_label(line, ctx.t, ctx.tz)
    return [Reply(ctx.t("tasks.done", label=label), toast=ctx.t.plain("tasks.done", label=label))]
