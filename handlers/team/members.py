"""Members: /members (the team tree), /deactivate and /reassign (handing records over),
/reactivate (switching a deactivated or unreachable member back on).

Buttons (handlers/team/buttons.py): ConfirmDeactivation and ConfirmReassign (a whole book);
both are checked again by crm_store/team/handover.py when pressed.
"""

from __future__ import annotations

import re
from typing import Any

from crm_store.contacts.contacts import search_contacts
from crm_store.errors import DomainError, Invalid
from crm_store.models import Member
from crm_store.team import handover
from crm_store.team.handover import Book, Handover, TreeRow
from handlers import picking
from handlers.callbacks import Callback
from handlers.context import Context
from handlers.general.buttons import Cancel
from handlers.i18n import Html, Translator, escape
from handlers.router import ADMINS, MANAGERS, registry
from handlers.team.buttons import ConfirmDeactivation, ConfirmReassign
from handlers.types import Button, ChatRequest, Reply

RESUME = "members_reassign"
# "Bob to Carol", "王伟 给 李娜", "王伟→李娜": the last separator splits (names may hold spaces).
TO = re.compile(r"\s+(?:to|给|转给|交给|到)(?:\s+|$)|\s*(?:→|->)\s*", re.IGNORECASE)
# "all from Bob", "all Bob", "全部 从 王伟", "全部王伟" — but not a contact called "Allen".
WHOLE_BOOK = re.compile(r"^(?:(?:all|everything)(?=\s|$)|全部|所有)\s*"
                        r"(?:(?:from|of)(?=\s)|从)?\s*(.*)$", re.IGNORECASE)


def whole_book(text: str) -> str | None:
    """'all from Bob' → 'Bob' ('' when no one is named); None when `text` names a contact."""
    found = WHOLE_BOOK.match(text.strip())
    return found.group(1).strip() if found else None


def split_to(text: str) -> tuple[str, str | None]:
    """'Bob Lee to Carol' → ('Bob Lee', 'Carol'); no separator → (text, None)."""
    found = list(TO.finditer(text))
    if not found:
        return text.strip(), None
    last = found[-1]
    return text[: last.start()].strip(), text[last.end():].strip()


def splits(text: str) -> list[tuple[str, str]]:
    """Every (who, to) reading of `text`, the last separator first: 'A to B to C' →
    [('A to B', 'C'), ('A', 'B to C')]; a name may itself hold "to" (Anna To)."""
    found: list[tuple[str, str]] = []
    for start in range(len(text) - 1, -1, -1):  # overlapping too: "Anna To to Carol"
        match = TO.match(text, start)
        pair = (text[:start].strip(), text[match.end():].strip()) if match else None
        if pair is not None and pair not in found:
            found.append(pair)
    return found


def _member_or_none(ctx: Context, name: str) -> Member | None:
    if not name:
        return None
    try:
        return handover.find_member(ctx.session, actor=ctx.member, name=name)
    except DomainError:
        return None


def _both_members(ctx: Context, text: str) -> tuple[Member, Member] | None:
    """The first reading of 'who to whom' where both sides name a member, if any."""
    for who, to in splits(text):
        first = _member_or_none(ctx, who)
        second = _member_or_none(ctx, to) if first is not None else None
        if first is not None and second is not None:
            return first, second
    return None


# --- views -----------------------------------------------------------------------------------

def book_lines(book: Book, t: Translator) -> list[str]:
    """One line per kind of record: '• Contacts: 500'."""
    return [str(t(f"members.count_{kind}", n=n)) for kind, n in book.counts().items()]


def tree_view(rows: list[TreeRow], t: Translator) -> Html:
    """The team as an indented tree: role, status and what each member owns."""
    lines = [str(t("members.title", count=len(rows)))]
    for row in rows:
        m = row.member
        name = f"<b>{escape(m.display_name)}</b>"
        if m.username:
            name += f" @{escape(m.username)}"
        parts = [name, escape(t.plain(f"role.{m.role.value}"))]
        if not m.active:
            parts.append(str(t("members.deactivated_mark")))
        parts.append(f"👤 {row.contacts} · 💼 {row.open_deals} · ⏰ {row.open_tasks}")
        branch = "    " * row.depth + ("└ " if row.depth else "• ")
        lines.append(branch + " · ".join(parts))
    lines.append(str(t("members.legend")))
    return Html("\n".join(lines))


def summary_view(done: Handover, t: Translator) -> Html:
    """What a confirmed handover did, for the member who did it."""
    names = {"source": done.source.display_name, "target": done.target.display_name}
    if done.contact is not None:
        lines = [str(t("members.contact_moved", name=done.contact.name, **names)),
                 *book_lines(done.moved, t)[1:3]]
    else:
        key = "members.deactivated" if done.deactivated else "members.book_moved"
        lines = [str(t(key, **names)), *book_lines(done.moved, t)]
    lines.append(str(t("members.target_told" if done.notified else "members.kept_by_you",
                       target=done.target.display_name)))
    return Html("\n".join(lines))


# --- commands --------------------------------------------------------------------------------

@registry.command("members", help_key="help.members", roles=MANAGERS)
async def members(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Show the team tree: role, active or not, contacts, open deals and open tasks."""
    rows = handover.team_tree(ctx.session, actor=ctx.member)
    return [ctx.html(tree_view(rows, ctx.t))]


@registry.command("deactivate", help_key="help.deactivate", roles=ADMINS)
async def deactivate(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Ask before switching a member off: /deactivate <member> [to <member>]."""
    found = _both_members(ctx, req.args)
    whole = _member_or_none(ctx, req.args.strip()) if found is None else None
    if found is not None:  # "Anna To to Carol": the reading where both are members
        leaver, target = found
    elif whole is not None:  # "Anna To": To is her surname, not a missing receiver
        leaver = whole
        target = handover.default_receiver(ctx.session, actor=ctx.member, leaver=leaver)
    else:
        who, to = split_to(req.args)
        if not who or to == "":
            return [ctx.text("members.deactivate_usage")]
        leaver = handover.find_member(ctx.session, actor=ctx.member, name=who)
        target = (handover.find_member(ctx.session, actor=ctx.member, name=to) if to
                  else handover.default_receiver(ctx.session, actor=ctx.member,
                                                    leaver=leaver))
    handover.check_deactivation(ctx.session, actor=ctx.member, leaver=leaver, target=target)
    book = handover.book_of(ctx.session, owner=leaver)
    lines = [str(ctx.t("members.deactivate_confirm", source=leaver.display_name,
                       target=target.display_name)), *book_lines(book, ctx.t),
             str(ctx.t("members.credit_stays", source=leaver.display_name)),
             str(ctx.t("members.deactivate_warning", source=leaver.display_name))]
    confirm = ConfirmDeactivation(leaver.id or 0, target.id or 0)
    return [ctx.html(Html("\n".join(lines)), buttons=_confirm(ctx, confirm))]


@registry.button(ConfirmDeactivation, roles=ADMINS)
async def deactivate_confirmed(button: ConfirmDeactivation, ctx: Context) -> list[Reply]:
    """✅ on a deactivation: do it, all in this one transaction."""
    done = handover.deactivate(ctx.session, actor=ctx.member, leaver_id=button.leaver_id,
                                  target_id=button.target_id, now=ctx.now)
    return [Reply(summary_view(done, ctx.t), edit=True)]


@registry.command("reactivate", help_key="help.reactivate", roles=ADMINS)
async def reactivate(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Switch a deactivated member back on: /reactivate <member>."""
    who = req.args.strip()
    if not who:
        return [ctx.text("members.reactivate_usage")]
    member = handover.find_member(ctx.session, actor=ctx.member, name=who)
    member = handover.reactivate(ctx.session, actor=ctx.member, member_id=member.id or 0)
    return [ctx.text("members.reactivated", name=member.display_name)]


@registry.command("reassign", help_key="help.reassign", roles=MANAGERS)
async def reassign(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Give one contact, or a whole book, to another member."""
    # The last " to " whose right side names a member, else the last one (its errors show).
    what, to = next(((w, t) for w, t in splits(req.args) if w and _member_or_none(ctx, t)),
                    split_to(req.args))
    if not what or not to:
        return [ctx.text("members.reassign_usage")]
    target = handover.find_member(ctx.session, actor=ctx.member, name=to)
    source = whole_book(what)
    # "all from Bob" is a book; "All Star Trading", where no member is named, is a contact.
    if source is not None and (not source or _member_or_none(ctx, source) is not None
                               or not _contact_named(ctx, what)):
        return _ask_book(ctx, source, target)
    if not target.active:
        raise Invalid("members.target_inactive", name=target.display_name)
    found = await picking.resolve(ctx, what, resume=RESUME, data={"to": target.id})
    if isinstance(found, list):
        return found
    return _give_contact(ctx, found.id or 0, target.id or 0)


@registry.resumer(RESUME)
async def reassign_picked(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    """The contact was chosen from an ambiguous list: give it away."""
    return _give_contact(ctx, contact_id, int(data.get("to") or 0))


@registry.button(ConfirmReassign, roles=MANAGERS)
async def book_confirmed(button: ConfirmReassign, ctx: Context) -> list[Reply]:
    """✅ on a whole-book reassignment: move it all, in this one transaction."""
    done = handover.reassign_book(ctx.session, actor=ctx.member, source_id=button.source_id,
                                     target_id=button.target_id, now=ctx.now)
    return [Reply(summary_view(done, ctx.t), edit=True)]


def _ask_book(ctx: Context, name: str, target: Member) -> list[Reply]:
    if not name:
        return [ctx.text("members.reassign_usage")]
    source = handover.find_member(ctx.session, actor=ctx.member, name=name)
    handover.check_reassign(ctx.session, actor=ctx.member, source=source, target=target)
    book = handover.book_of(ctx.session, owner=source)
    if not any(book.counts().values()):
        return [ctx.text("members.nothing_to_move", source=source.display_name)]
    lines = [str(ctx.t("members.book_confirm", source=source.display_name,
                       target=target.display_name)), *book_lines(book, ctx.t),
             str(ctx.t("members.credit_stays", source=source.display_name))]
    confirm = ConfirmReassign(source.id or 0, target.id or 0)
    return [ctx.html(Html("\n".join(lines)), buttons=_confirm(ctx, confirm))]


def _contact_named(ctx: Context, text: str) -> bool:
    return bool(search_contacts(ctx.session, actor=ctx.member, query=text, limit=1))


def _give_contact(ctx: Context, contact_id: int, target_id: int) -> list[Reply]:
    done = handover.reassign_contact(ctx.session, actor=ctx.member, contact_id=contact_id,
                                        target_id=target_id, now=ctx.now)
    return [ctx.html(summary_view(done, ctx.t))]


def _confirm(ctx: Context, confirm: Callback) -> list[list[Button]]:
    return [[ctx.button("members.confirm", confirm), ctx.button("button.cancel", Cancel())]]
