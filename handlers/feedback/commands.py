"""Feedback: /feedback, /csat, /nps, /resolve, /complaints, and the card's feedback section."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from crm_store.analytics import service_stats
from crm_store.contacts import contacts
from crm_store.errors import Invalid
from crm_store.messaging import dialogs
from crm_store.models import Contact, FeedbackKind, Member, Role
from crm_store.sales import feedback
from handlers.contacts.buttons import OpenContact
from handlers.context import Context
from handlers.feedback import views
from handlers.feedback.buttons import ComplaintsPage, ResolveFeedback, Severity
from handlers.general.buttons import Cancel
from handlers.i18n import Html
from handlers.ids import record_id
from handlers.picking import resolve
from handlers.router import registry
from handlers.types import Button, ChatRequest, Reply

PAGE = 10
KIND_WORDS: dict[str, FeedbackKind] = {
    "complaint": FeedbackKind.COMPLAINT, "complain": FeedbackKind.COMPLAINT,
    "投诉": FeedbackKind.COMPLAINT, "抱怨": FeedbackKind.COMPLAINT,
    "praise": FeedbackKind.PRAISE, "compliment": FeedbackKind.PRAISE,
    "表扬": FeedbackKind.PRAISE, "好评": FeedbackKind.PRAISE, "称赞": FeedbackKind.PRAISE,
    "suggestion": FeedbackKind.SUGGESTION, "suggest": FeedbackKind.SUGGESTION,
    "idea": FeedbackKind.SUGGESTION, "建议": FeedbackKind.SUGGESTION,
    "question": FeedbackKind.QUESTION, "ask": FeedbackKind.QUESTION,
    "咨询": FeedbackKind.QUESTION, "问题": FeedbackKind.QUESTION, "疑问": FeedbackKind.QUESTION,
}
SEVERITY_WORDS = {
    "low": "low", "minor": "low", "低": "low",
    "medium": "medium", "moderate": "medium", "中": "medium", "中等": "medium", "一般": "medium",
    "high": "high", "serious": "high", "severe": "high", "高": "high",
    "critical": "critical", "urgent": "critical", "blocker": "critical",
}
# Chinese has no spaces: these are found inside the text, longest (and negated) forms first.
SEVERITY_PHRASES = (("非常严重", "critical"), ("十万火急", "critical"), ("不紧急", "low"),
                    ("不严重", "low"), ("紧急", "critical"), ("严重", "high"), ("轻微", "low"))
NEGATIONS = {"not", "no", "non"}
_TOKENS = re.compile(r"[\s,.;:!?，。；：！？、()（）\[\]【】#=/\-]+")
_SCORE = re.compile(r"[+-]?[0-9]{1,6}")


def split_feedback_args(args: str) -> tuple[str, FeedbackKind, str] | None:
    """'张伟 投诉 发货太慢' → ('张伟', COMPLAINT, '发货太慢'); None when no kind word follows."""
    words = args.split(" ")
    for index, word in enumerate(words[1:], 1):
        kind = KIND_WORDS.get(word.strip().lower())
        if kind is not None:
            return " ".join(words[:index]).strip(), kind, " ".join(words[index + 1 :]).strip()
    return None


def find_severity(text: str) -> str | None:
    """The most severe severity word in the text ('urgent', '紧急', 'high'…), if any."""
    text = text.lower()
    found = []
    for phrase, severity in SEVERITY_PHRASES:
        if phrase in text:
            found.append(severity)
            text = text.replace(phrase, " ")
    tokens = [token for token in _TOKENS.split(text) if token]
    for index, token in enumerate(tokens):
        if token in SEVERITY_WORDS and (index == 0 or tokens[index - 1] not in NEGATIONS):
            found.append(SEVERITY_WORDS[token])
    return max(found, key=feedback.SEVERITIES.index) if found else None


def parse_score(kind: str, raw: str) -> int:
    """'4' → 4 for kind csat|nps; raise Invalid naming the range when not a whole number in it."""
    raw = unicodedata.normalize("NFKC", raw).strip().removesuffix("分")
    if not _SCORE.fullmatch(raw):
        if re.fullmatch(r"[+-]?[0-9]+", raw):  # too many digits to be anywhere near the range
            raise Invalid(f"feedback.{kind}_range", value=raw[:8] + "…")
        raise Invalid(f"feedback.{kind}_not_number", value=raw[:20])
    return feedback.check_score(kind, int(raw))


@registry.command("feedback", help_key="help.feedback")
async def feedback_command(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Log feedback: /feedback <contact> <complaint|praise|suggestion|question> <text>."""
    parsed = split_feedback_args(req.args.strip())
    if parsed is None or not parsed[0]:
        return [ctx.text("feedback.usage")]
    query, kind, text = parsed
    if not text:
        return [ctx.text("feedback.need_text")]
    data = {"kind": kind.value, "text": text}
    found = await resolve(ctx, query, resume="fb_new", data=data)
    return found if isinstance(found, list) else _feedback_for(ctx, found.id or 0, data)


@registry.resumer("fb_new")
async def _feedback_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    return _feedback_for(ctx, contact_id, data)


def _feedback_for(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    """Save now, or ask for the severity of a complaint that names none."""
    kind, text = FeedbackKind(data["kind"]), str(data["text"])
    severity = find_severity(text) if kind == FeedbackKind.COMPLAINT else None
    if kind != FeedbackKind.COMPLAINT or severity is not None:
        return _save(ctx, contact_id, kind, text, severity)
    contact = contacts.get_contact(ctx.session, actor=ctx.member, contact_id=contact_id)
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow="fb_sev",
                data={"contact_id": contact_id, "text": text})
    return [ctx.text("feedback.ask_severity", name=contact.name,
                     buttons=views.severity_buttons(contact_id, ctx.t))]


def _save(ctx: Context, contact_id: int, kind: FeedbackKind, text: str,
          severity: str | None, *, edit: bool = False) -> list[Reply]:
    row = feedback.log_feedback(ctx.session, actor=ctx.member, contact_id=contact_id, kind=kind,
                                text=text, severity=severity, at=ctx.now)
    contact, owner = _names(ctx, row.contact_id, row.owner_id)
    reply = ctx.html(views.saved(row, contact.name, owner, ctx.t), [[_open(ctx, contact)]])
    reply.edit = edit
    return [reply]


@registry.button(Severity)
async def severity_button(button: Severity, ctx: Context) -> list[Reply]:
    """A severity button under a pending complaint: save it."""
    req, contact_id = ctx.req, button.contact_id
    state = ctx.pending("fb_sev", contact_id=contact_id)
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return _save(ctx, contact_id, FeedbackKind.COMPLAINT, state.data["text"], button.severity,
                 edit=True)


@registry.flow("fb_sev")
async def severity_typed(req: ChatRequest, ctx: Context) -> list[Reply]:
    """A severity typed instead of pressed ('high', '紧急'); anything else asks again."""
    state = ctx.dialog
    assert state is not None  # the dispatcher routes here only while the form is open
    severity = find_severity(req.text)
    contact_id = int(state.data["contact_id"])
    if severity is None:
        return [ctx.text("feedback.pick_severity",
                         buttons=views.severity_buttons(contact_id, ctx.t))]
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return _save(ctx, contact_id, FeedbackKind.COMPLAINT, state.data["text"], severity)


@registry.command("csat", help_key="help.csat")
async def csat(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Store a satisfaction score: /csat <contact> <1-5>."""
    return await _rate(ctx, "csat", req.args)


@registry.command("nps", help_key="help.nps")
async def nps(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Store a net-promoter score: /nps <contact> <0-10>."""
    return await _rate(ctx, "nps", req.args)


async def _rate(ctx: Context, kind: str, args: str) -> list[Reply]:
    words = args.split()
    if len(words) < 2:
        return [ctx.text(f"feedback.{kind}_usage")]
    data = {"kind": kind, "score": parse_score(kind, words[-1])}
    found = await resolve(ctx, " ".join(words[:-1]), resume="fb_rate", data=data)
    return found if isinstance(found, list) else _save_rating(ctx, found.id or 0, data)


@registry.resumer("fb_rate")
async def _rating_after_pick(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    return _save_rating(ctx, contact_id, data)


def _save_rating(ctx: Context, contact_id: int, data: dict[str, Any]) -> list[Reply]:
    rate = feedback.rate_csat if data["kind"] == "csat" else feedback.rate_nps
    row = rate(ctx.session, actor=ctx.member, contact_id=contact_id, score=int(data["score"]),
               at=ctx.now)
    contact, _ = _names(ctx, row.contact_id, row.owner_id)
    return [ctx.html(views.rated(row, contact.name, ctx.t), [[_open(ctx, contact)]])]


@registry.command("resolve", help_key="help.resolve")
async def resolve_command(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Resolve open feedback: /resolve <id> <text> (without text, ask for it)."""
    parts = req.args.strip().split(maxsplit=1)
    if not parts:
        return [ctx.text("feedback.resolve_usage")]
    feedback_id = record_id(parts[0])
    if feedback_id is None:
        return [ctx.text("feedback.bad_id", value=parts[0][:20])]
    if len(parts) == 1:
        return _ask_resolution(ctx, feedback_id)
    return _resolve(ctx, feedback_id, parts[1])


@registry.button(ResolveFeedback)
async def resolve_button(button: ResolveFeedback, ctx: Context) -> list[Reply]:
    """The Resolve button in /complaints: ask how it was resolved."""
    return _ask_resolution(ctx, button.feedback_id)


def _ask_resolution(ctx: Context, feedback_id: int) -> list[Reply]:
    row = feedback.check_resolvable(ctx.session, actor=ctx.member, feedback_id=feedback_id)
    contact, _ = _names(ctx, row.contact_id, row.owner_id)
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow="fb_res",
                data={"feedback_id": feedback_id})
    return [ctx.text("feedback.ask_resolution", id=feedback_id, name=contact.name,
                     buttons=[[ctx.button("button.cancel", Cancel())]])]


@registry.flow("fb_res")
async def resolution_typed(req: ChatRequest, ctx: Context) -> list[Reply]:
    """The resolution note asked for by the Resolve button."""
    state = ctx.dialog
    assert state is not None  # the dispatcher routes here only while the form is open
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return _resolve(ctx, int(state.data["feedback_id"]), req.text)


def _resolve(ctx: Context, feedback_id: int, text: str) -> list[Reply]:
    row = feedback.resolve(ctx.session, actor=ctx.member, feedback_id=feedback_id, text=text,
                           at=ctx.now)
    contact, _ = _names(ctx, row.contact_id, row.owner_id)
    return [ctx.html(views.resolved(row, contact.name, ctx.t), [[_open(ctx, contact)]])]


@registry.command("complaints", help_key="help.complaints")
async def complaints(req: ChatRequest, ctx: Context) -> list[Reply]:
    """List open complaints, oldest first, with a Resolve button each."""
    return _complaints_page(ctx, 0)


@registry.button(ComplaintsPage)
async def complaints_page(button: ComplaintsPage, ctx: Context) -> list[Reply]:
    """Previous / Next in the complaints list."""
    replies = _complaints_page(ctx, button.page)
    replies[0].edit = True
    return replies


def _complaints_page(ctx: Context, number: int) -> list[Reply]:
    page = feedback.list_open_complaints(ctx.session, actor=ctx.member, offset=number * PAGE,
                                         limit=PAGE)
    if page.total and not page.rows:  # a page that no longer exists (complaints were resolved)
        return _complaints_page(ctx, (page.total - 1) // PAGE)
    body = (views.complaints_page(page, ctx.t, ctx.now) if page.total
            else ctx.t("feedback.no_complaints"))
    if ctx.member.role in (Role.MANAGER, Role.ADMIN):  # managers see the service figures on top
        summary = service_stats.service_summary(ctx.session, actor=ctx.member, now=ctx.now)
        body = Html(f"{views.service_summary(summary, ctx.t)}\n\n{body}")
    return [ctx.html(body, views.complaints_buttons(page, ctx.t))]


@registry.card_section
def _card_section(ctx: Context, contact: Contact) -> Html | None:
    data = feedback.for_contact(ctx.session, actor=ctx.member, contact_id=contact.id or 0)
    return views.card_section(data, ctx.t, ctx.tz, ctx.now)


def _names(ctx: Context, contact_id: int, owner_id: int) -> tuple[Contact, str]:
    contact = ctx.session.get(Contact, contact_id)
    owner = ctx.session.get(Member, owner_id)
    assert contact is not None  # feedback rows always point at a contact
    return contact, owner.display_name if owner else "?"


def _open(ctx: Context, contact: Contact) -> Button:
    return ctx.button("button.open", OpenContact(contact.id or 0), name=contact.name[:40])
