"""Campaigns: the /campaign form, /campaigns, a rep's drafts with outcome buttons, results."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from crm_store.analytics import segments
from crm_store.errors import Invalid
from crm_store.messaging import dialogs
from crm_store.outreach import campaign_results, campaigns
from crm_store.outreach.campaigns import Audience, CampaignSpec
from handlers.campaigns import views
from handlers.campaigns.buttons import (
    OUTCOME_CODES,
    CampaignReport,
    ConfirmCampaign,
    DraftsPage,
    FormChoice,
    MarkOutcome,
)
from handlers.contacts.buttons import OpenContact
from handlers.context import Context
from handlers.general.buttons import Cancel
from handlers.i18n import Translator
from handlers.orders.views import local_date
from handlers.router import MANAGERS, registry
from handlers.types import Button, ChatRequest, Reply
from handlers.when import parse_when

FLOW = "campaign"
SPLIT = re.compile(r"[,，;；、]")
KEYWORDS = {"segment": "segment", "分群": "segment", "tier": "tier", "等级": "tier",
            "city": "city", "region": "city", "城市": "city", "地区": "city",
            "industry": "industry", "行业": "industry", "tag": "tag", "标签": "tag",
            "stage": "stage", "阶段": "stage", "birthday": "birthday_month",
            "生日": "birthday_month"}
EVERYONE_WORDS = {"all", "everyone", "全部", "所有", "-"}
DEFAULT_TIMING = {"days": 30, "window": 30, "control": 0}
# "30 45 10", optionally followed by a start: "from 2026-11-05", "从下周一", "starting monday".
TIMING = re.compile(r"(\d{1,4})\s+(\d{1,4})\s+(\d{1,4})"
                    r"(?:\s*(?:from|starting|starts|start|从|自|开始于?)\s*(?P<start>\S.*))?",
                    re.IGNORECASE)
ISO_DAY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def _key(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").split())


def _segment_names() -> dict[str, str]:
    names = {key: key for key in segments.SEGMENTS}
    for language in ("en", "zh-CN"):
        t = Translator(language)
        names.update({_key(t.plain(f"segments.rfm_{k}")): k for k in segments.SEGMENTS})
    return names


def parse_audience(text: str) -> Audience:
    """'At risk, tier A, Shanghai' → Audience(segment='at_risk', tier='A', city='Shanghai')."""
    if text.strip().lower() in EVERYONE_WORDS:
        return Audience()
    found: dict[str, Any] = {}
    names = _segment_names()
    for part in (p.strip() for p in SPLIT.split(text)):
        words = part.split()
        if not words:
            continue
        field = KEYWORDS.get(words[0].lower())
        value = " ".join(words[1:]) if field else part
        if field is None:
            if _key(part) in names:
                field, value = "segment", names[_key(part)]
            elif part.upper() in segments.TIERS:
                field, value = "tier", part.upper()
            else:
                field = "city"
        elif field == "segment":
            value = names.get(_key(value), _key(value))
        elif field == "tier":
            value = value.upper()
        elif field == "stage":
            value = _key(value)
        elif field == "birthday_month":
            if not value.isdigit():
                raise Invalid("campaign.bad_month")
            value = int(value)
        if not value:
            raise Invalid("campaign.bad_condition", value=part[:40], hint="")
        found[field] = value
    audience = Audience(**found)
    audience.check()
    return audience


@registry.command("campaign", help_key="help.campaign", roles=MANAGERS)
async def campaign(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Start the campaign form: name, audience, channel, template, timing, Confirm."""
    return _ask(ctx, "name", {})


def _ask(ctx: Context, step: str, data: dict[str, Any], *, before: list[Reply] | None = None
         ) -> list[Reply]:
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow=FLOW,
                step=step, data=data)
    cancel = [ctx.button("button.cancel", Cancel())]
    if step == "channel":
        choices = [ctx.button(f"campaign.channel.{c}", FormChoice("ch", c))
                   for c in campaigns.CHANNELS]
        rows = [choices[:3], choices[3:], cancel]
        return [*(before or []), ctx.text("campaign.ask_channel", buttons=rows)]
    if step == "timing":
        rows = [[ctx.button("campaign.button_defaults", FormChoice("def"))], cancel]
        return [*(before or []), ctx.text("campaign.ask_timing", buttons=rows)]
    key = {"name": "campaign.ask_name", "audience": "campaign.ask_audience",
           "template": "campaign.ask_template"}[step]
    return [*(before or []), ctx.text(key, buttons=[cancel])]


@registry.flow(FLOW)
async def campaign_step(req: ChatRequest, ctx: Context) -> list[Reply]:
    """An answer typed into the campaign form."""
    state = ctx.dialog
    assert state is not None
    data, text = dict(state.data), req.text.strip()
    if state.step == "name":
        name, _, goal = text.partition(":") if ":" in text else text.partition("：")
        data.update(name=name.strip(), goal=goal.strip())
        campaigns.check_name(ctx.session, actor=ctx.member, name=data["name"])
        return _ask(ctx, "audience", data)
    if state.step == "audience":
        audience = parse_audience(text)
        count = len(campaigns.audience_profiles(ctx.session, actor=ctx.member, now=ctx.now,
                                                audience=audience))
        data["audience"] = {k: v for k, v in vars(audience).items() if v is not None}
        size = ctx.text("campaign.audience_size", count=count)
        return _ask(ctx, "channel", data, before=[size])
    if state.step == "channel":
        return _channel(ctx, data, text.lower())
    if state.step == "template":
        data["template"] = "" if text == "-" else text[:campaigns.MAX_TEMPLATE]
        return _ask(ctx, "timing", data)
    if state.step == "timing":
        found = TIMING.fullmatch(text)
        if found is None:
            raise Invalid("campaign.bad_timing")
        data.update(days=int(found[1]), window=int(found[2]), control=int(found[3]))
        data.pop("start", None)
        if found["start"]:
            day = _start_day(ctx, found["start"].strip())
            if day > _today(ctx):
                data["start"] = day.isoformat()
        return _preview(ctx, data)
    raise Invalid("error.stale_button")


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.tz).date()


def _start_day(ctx: Context, text: str) -> date:
    """The start day a manager typed (2026-11-05, next monday, 下周一): today or later."""
    day: date | None = None
    if ISO_DAY.fullmatch(text):
        try:
            day = date.fromisoformat("-".join(f"{int(p):02d}" for p in text.split("-")))
        except ValueError:
            day = None
    else:
        moment = parse_when(text, now=ctx.now, tz=ctx.tz)
        day = moment.astimezone(ctx.tz).date() if moment else None
    if day is None:
        raise Invalid("campaign.bad_start_date", value=text[:40])
    if day < _today(ctx):
        raise Invalid("campaign.start_past", date=day.isoformat())
    if day > _today(ctx) + timedelta(days=campaigns.MAX_LEAD_DAYS):
        raise Invalid("campaign.bad_start", limit=campaigns.MAX_LEAD_DAYS)
    return day


def _starts_at(ctx: Context, data: dict[str, Any]) -> datetime | None:
    """A later start day begins at local midnight; none (today) starts at Confirm."""
    if not data.get("start"):
        return None
    day = date.fromisoformat(data["start"])
    return datetime.combine(day, time(0), tzinfo=ctx.tz).astimezone(UTC)


def _channel(ctx: Context, data: dict[str, Any], value: str) -> list[Reply]:
    if value not in campaigns.CHANNELS:
        raise Invalid("campaign.bad_channel", value=value[:20])
    data["channel"] = value
    return _ask(ctx, "template", data)


def _spec(ctx: Context, data: dict[str, Any]) -> CampaignSpec:
    return CampaignSpec(name=data["name"], goal=data.get("goal", ""),
                        audience=Audience(**data.get("audience", {})), channel=data["channel"],
                        template=data.get("template", ""), days=int(data["days"]),
                        conversion_days=int(data["window"]), control_pct=int(data["control"]),
                        starts_at=_starts_at(ctx, data))


def _preview(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    spec = _spec(ctx, data)
    campaigns.check_spec(spec)
    count = len(campaigns.audience_profiles(ctx.session, actor=ctx.member, now=ctx.now,
                                            audience=spec.audience))
    if not count:
        raise Invalid("campaign.empty")
    dialogs.put(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id, flow=FLOW,
                step="confirm", data=data)
    start = date.fromisoformat(data["start"]) if data.get("start") else _today(ctx)
    end = start + timedelta(days=spec.days)
    rows = [[ctx.button("campaign.button_confirm", ConfirmCampaign()),
             ctx.button("button.cancel", Cancel())]]
    return [ctx.html(views.preview(spec, start, end, count, ctx.t), rows)]


def _form(ctx: Context, step: str) -> dict[str, Any]:
    return dict(ctx.pending(FLOW, step=step).data)


@registry.button(FormChoice, roles=MANAGERS)
async def form_button(button: FormChoice, ctx: Context) -> list[Reply]:
    """A channel or the default timing pressed in the campaign form."""
    if button.channel is not None:
        return _channel(ctx, _form(ctx, "channel"), button.channel)
    form = _form(ctx, "timing")
    form.pop("start", None)
    return _preview(ctx, {**form, **DEFAULT_TIMING})


@registry.button(ConfirmCampaign, roles=MANAGERS)
async def confirm(button: ConfirmCampaign, ctx: Context) -> list[Reply]:
    """Confirm: create the campaign and give each target to its owner."""
    data = _form(ctx, "confirm")
    dialogs.clear(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id)
    created = campaigns.create_campaign(ctx.session, actor=ctx.member, spec=_spec(ctx, data),
                                        now=ctx.now)
    found = campaign_results.evaluate(ctx.session, actor=ctx.member, campaign_id=created.id or 0)
    key = ("campaign.scheduled" if campaigns.scheduled(created, ctx.now)
           else "campaign.created")
    reply = ctx.text(key, name=created.name, reached=found.total.targets,
                     reps=len(found.per_rep), held=found.control.targets,
                     start=local_date(created.starts_at, ctx.tz),
                     buttons=[[ctx.button("campaigns.button_report",
                                          CampaignReport(created.id or 0),
                                          name=created.name[:40])]])
    reply.edit = True
    return [reply]


@registry.command("campaigns", help_key="help.campaigns")
async def campaign_list(req: ChatRequest, ctx: Context) -> list[Reply]:
    """List campaigns, or show one: /campaigns [name] (results, and your drafts)."""
    if req.args.strip():
        found = campaigns.find_campaign(ctx.session, actor=ctx.member, name=req.args)
        return [_evaluation(ctx, found.id or 0), _drafts(ctx, found.id or 0, 0)]
    every = campaigns.visible_campaigns(ctx.session, actor=ctx.member)
    if not every:
        return [ctx.text("campaigns.none")]
    counts = campaigns.target_counts(ctx.session, actor=ctx.member,
                                     campaign_ids=[c.id or 0 for c in every])
    rows = [[ctx.button("campaigns.button_drafts", DraftsPage(c.id or 0, 0), name=c.name[:40]),
             ctx.button("campaigns.button_report", CampaignReport(c.id or 0),
                        name=c.name[:40])]
            for c in every[:10]]
    return [ctx.html(views.campaign_list(every, counts, ctx.t, ctx.tz, ctx.now), rows)]


def _evaluation(ctx: Context, campaign_id: int) -> Reply:
    found = campaign_results.evaluate(ctx.session, actor=ctx.member, campaign_id=campaign_id)
    return ctx.html(views.evaluation(found, ctx.t, ctx.tz))


@registry.button(CampaignReport)
async def report_button(button: CampaignReport, ctx: Context) -> list[Reply]:
    """A campaign's results from a button."""
    return [_evaluation(ctx, button.campaign_id)]


def _drafts(ctx: Context, campaign_id: int, offset: int) -> Reply:
    page = campaigns.my_drafts(ctx.session, actor=ctx.member, campaign_id=campaign_id,
                               offset=offset, limit=1, now=ctx.now)
    if campaigns.scheduled(page.campaign, ctx.now):
        return ctx.text("drafts.not_yet", name=page.campaign.name,
                        date=local_date(page.campaign.starts_at, ctx.tz))
    if not page.drafts:
        if offset and page.total:
            return _drafts(ctx, campaign_id, 0)
        return ctx.text("drafts.none", name=page.campaign.name)
    target = page.drafts[0].target
    outcomes = [ctx.button(f"drafts.button.{name}", MarkOutcome(target.id or 0, code, offset))
                for code, name in OUTCOME_CODES.items()]
    nav = []
    if offset:
        nav.append(ctx.button("drafts.prev", DraftsPage(campaign_id, offset - 1)))
    if offset + 1 < page.total:
        nav.append(ctx.button("drafts.next", DraftsPage(campaign_id, offset + 1)))
    rows: list[list[Button]] = [outcomes[:2], outcomes[2:]]
    rows += [nav] if nav else []
    rows.append([ctx.button("button.open", OpenContact(target.contact_id),
                            name=page.drafts[0].contact.name[:40])])
    return ctx.html(views.draft(page, ctx.t), rows)


@registry.button(DraftsPage)
async def drafts_page(button: DraftsPage, ctx: Context) -> list[Reply]:
    """Another of the rep's targets in a campaign."""
    reply = _drafts(ctx, button.campaign_id, button.offset)
    reply.edit = True
    return [reply]


@registry.button(MarkOutcome)
async def outcome_pressed(button: MarkOutcome, ctx: Context) -> list[Reply]:
    """Contacted / Responded / Not interested / Skip: save it, show the next to do."""
    target = campaigns.mark(ctx.session, actor=ctx.member, target_id=button.target_id,
                            outcome=OUTCOME_CODES[button.outcome], now=ctx.now)
    reply = _drafts(ctx, target.campaign_id, button.offset)
    reply.edit, reply.toast = True, ctx.t.plain("drafts.saved")
    return [reply]
