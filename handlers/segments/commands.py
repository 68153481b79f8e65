"""Segments: /segments [filters], a group's customers (SegmentList), back to the summary."""

from __future__ import annotations

from dataclasses import asdict, replace

from crm_store.analytics import segments
from crm_store.analytics.segments import SegmentFilters
from crm_store.errors import Invalid
from crm_store.messaging import dialogs
from crm_store.models import Contact, Member
from handlers.callbacks import StaleButton
from handlers.contacts.buttons import OpenContact
from handlers.context import Context
from handlers.i18n import Html
from handlers.router import registry
from handlers.segments import views
from handlers.segments.buttons import (
    MAX_VALUE,
    STORED,
    SegmentList,
    SegmentsSummary,
    decode,
    encode,
    fits,
)
from handlers.types import Button, ChatRequest, Reply

FILTER_WORDS = {
    "city": "city", "region": "city", "城市": "city", "地区": "city", "区域": "city",
    "industry": "industry", "行业": "industry",
    "tag": "tag", "标签": "tag",
    "owner": "owner", "负责人": "owner", "销售": "owner",
    "stage": "stage", "阶段": "stage", "生命周期": "stage",
}
STAGE_WORDS = {
    "prospect": "prospect", "潜在": "prospect", "潜在客户": "prospect", "潜客": "prospect",
    "new": "new", "新": "new", "新客": "new", "新客户": "new",
    "active": "active", "活跃": "active", "活跃客户": "active",
    "at_risk": "at_risk", "at-risk": "at_risk", "at risk": "at_risk", "atrisk": "at_risk",
    "risk": "at_risk", "风险": "at_risk", "有风险": "at_risk", "流失风险": "at_risk",
    "lost": "lost", "流失": "lost", "已流失": "lost",
}
SEPARATORS = ":：="
PAGE = 10
FILTERS_FLOW = "segments_filters"  # filters too long for a button, kept with the chat


def _split_token(token: str) -> tuple[str, str | None]:
    """'城市:上海' → ('城市', '上海'); a token that is not 'filter:value' → (token, None)."""
    for index, char in enumerate(token):
        if char in SEPARATORS:
            head = token[:index]
            return (head, token[index + 1:]) if head.casefold() in FILTER_WORDS else (token, None)
    return token, None


def parse_filters(args: str) -> dict[str, str]:
    """'city 上海 industry 制造' → {'city': '上海', 'industry': '制造'}; Invalid if malformed."""
    found: dict[str, str] = {}
    current: tuple[str, str] | None = None  # (filter, the word the user typed)
    words: list[str] = []

    def close() -> None:
        if current is None:
            return
        value = " ".join(words)
        if not value:
            raise Invalid("segments.filter_value_missing", word=current[1])
        if len(value) > MAX_VALUE:
            raise Invalid("segments.filter_too_long", limit=MAX_VALUE)
        found[current[0]] = value

    for token in args.split():
        head, rest = _split_token(token)
        name = FILTER_WORDS.get(head.casefold())
        if name is not None:
            close()
            if name in found:
                raise Invalid("segments.filter_twice", word=head)
            current, words = (name, head), [rest] if rest else []
        elif current is None:
            raise Invalid("segments.bad_filter", word=token[:40])
        else:
            words.append(token)
    close()
    return found


def filters_from_text(ctx: Context, args: str) -> SegmentFilters:
    """Parse /segments arguments and resolve the owner's name and the stage word."""
    found = parse_filters(args)
    stage = None
    if "stage" in found:
        stage = STAGE_WORDS.get(found["stage"].casefold())
        if stage is None:
            raise Invalid("segments.bad_stage", value=found["stage"])
    owner = None
    if "owner" in found:
        owner = segments.find_owner(ctx.session, actor=ctx.member, name=found["owner"]).id
    return SegmentFilters(city=found.get("city"), industry=found.get("industry"),
                          tag=found.get("tag"), owner_id=owner, stage=stage)


def _blob(ctx: Context, filters: SegmentFilters) -> str:
    blob = encode(filters)
    if blob is None or not fits(blob):
        dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id,
                    flow=FILTERS_FLOW, data=asdict(filters))
        return STORED
    return blob


def _filters_of(ctx: Context, blob: str) -> SegmentFilters:
    """The filters a button carries, or those kept with the chat when it carries '~'."""
    if blob == STORED:
        state = ctx.pending(FILTERS_FLOW)  # another /segments or a form replaces the filters
        try:
            return SegmentFilters(**state.data)
        except TypeError as exc:
            raise StaleButton() from exc  # kept by an older version of the bot
    filters = decode(blob)
    assert filters is not None  # the button's valid() read them already
    return filters


def _owner_name(ctx: Context, filters: SegmentFilters) -> str | None:
    if filters.owner_id is None:
        return None
    member = ctx.session.get(Member, filters.owner_id)
    return member.display_name if member and member.team_id == ctx.member.team_id else "?"


def _summary_reply(ctx: Context, filters: SegmentFilters) -> Reply:
    data = segments.segment_summary(ctx.session, actor=ctx.member, now=ctx.now, filters=filters)
    described = views.filters_text(filters, _owner_name(ctx, filters), ctx.t)
    if not data.customers:
        if described:
            return ctx.text("segments.no_match", filters=described)
        return ctx.text("segments.empty")
    blob = _blob(ctx, filters)

    def action(group: str, key: str) -> str:
        return SegmentList.first_page(group, key, blob).pack()

    as_of = data.as_of.astimezone(ctx.tz).strftime("%H:%M") if data.as_of else ""
    return ctx.html(views.summary(data, described, ctx.t, as_of),
                    views.summary_buttons(data, action, ctx.t))


@registry.command("segments", help_key="help.segments")
async def segments_command(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Show RFM segments, value tiers, value classes and lifecycle stages of your customers."""
    if req.args.strip().casefold() in ("help", "?", "帮助"):
        return [ctx.text("segments.usage")]
    return [_summary_reply(ctx, filters_from_text(ctx, req.args))]


@registry.button(SegmentsSummary)
async def summary_button(button: SegmentsSummary, ctx: Context) -> list[Reply]:
    """Back from a list to the summary, with the same filters."""
    reply = _summary_reply(ctx, _filters_of(ctx, button.filters))
    reply.edit = True
    return [reply]


@registry.button(SegmentList)
async def list_button(button: SegmentList, ctx: Context) -> list[Reply]:
    """One page (≤ 10) of the customers of a segment, tier, class or stage."""
    (group, key), page = button.segment(), button.page
    filters = _filters_of(ctx, button.filters)
    found = segments.customers(ctx.session, actor=ctx.member, now=ctx.now, group=group, key=key,
                               filters=filters, offset=page * PAGE, limit=PAGE)
    if not found.rows and page:
        raise StaleButton()  # the page is gone: customers moved out of the group since
    text = views.customer_page(found, group, key, ctx.t) if found.rows else ctx.t(
        "segments.list_empty")
    cards = [Button(row.name[:60], OpenContact(row.contact_id).pack()) for row in found.rows]
    rows = [cards[i:i + 2] for i in range(0, len(cards), 2)]
    nav = []
    if page:
        nav.append(ctx.button("segments.prev", replace(button, page=page - 1)))
    if (page + 1) * PAGE < found.total:
        nav.append(ctx.button("segments.next", replace(button, page=page + 1)))
    nav.append(ctx.button("segments.back", SegmentsSummary(button.filters)))
    reply = ctx.html(text, [*rows, nav])
    reply.edit = True
    return [reply]


@registry.card_section
def segment_section(ctx: Context, contact: Contact) -> Html | None:
    """The card's segment block: RFM segment and scores, tier, value score, lifecycle."""
    profile = segments.contact_profile(ctx.session, actor=ctx.member,
                                       contact_id=contact.id or 0, now=ctx.now)
    days = segments.window_days(ctx.session, actor=ctx.member)
    return views.card_section(profile, days, ctx.t)
