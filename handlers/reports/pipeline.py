"""Pipeline figures by chat: /pipeline, /forecast, /funnel, /atrisk and its page buttons."""

from __future__ import annotations

import re

from crm_store.analytics import pipeline_stats as stats
from crm_store.errors import Invalid
from crm_store.models import Member, Role
from handlers.context import Context
from handlers.reports import pipeline_views as views
from handlers.reports.buttons import AtRiskPage
from handlers.router import registry
from handlers.types import ChatRequest, Reply

OWNER_WORDS = ("owner", "负责人", "销售")
_DAYS = re.compile(r"^(\d{1,6})\s*(?:d|days?|天)?$", re.IGNORECASE)


def _owner(ctx: Context, args: str, usage_key: str) -> Member | None:
    """The member named after the command ('owner 李明' or just '李明'), or None for all."""
    words = args.split(maxsplit=1)
    if not words:
        return None
    name = words[1] if words[0].casefold() in OWNER_WORDS and len(words) > 1 else args
    if name.strip().casefold() in OWNER_WORDS:
        raise Invalid(usage_key)
    return stats.find_owner(ctx.session, actor=ctx.member, query=name.strip()[:120])


def _currency(ctx: Context) -> str:
    return stats.team_currency(ctx.session, ctx.member.team_id)


@registry.command("pipeline", help_key="help.pipeline")
async def pipeline(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Open deals by stage: count, amount, weighted; per owner for managers."""
    owner = _owner(ctx, req.args, "pipeline.usage")
    rows = stats.pipeline_by_stage(ctx.session, actor=ctx.member, now=ctx.now,
                                   owner_id=owner.id if owner else None)
    by_owner = [] if owner or ctx.member.role == Role.REP else stats.pipeline_by_owner(
        ctx.session, actor=ctx.member, now=ctx.now)
    return [ctx.html(views.pipeline(rows, by_owner, owner.display_name if owner else None,
                                    _currency(ctx), ctx.t))]


@registry.command("forecast", help_key="help.forecast")
async def forecast(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Weighted forecast by expected close month, with best case and committed."""
    owner = _owner(ctx, req.args, "forecast.usage")
    found = stats.forecast(ctx.session, actor=ctx.member, now=ctx.now,
                           owner_id=owner.id if owner else None)
    return [ctx.html(views.forecast(found, owner.display_name if owner else None,
                                    _currency(ctx), ctx.t))]


@registry.command("funnel", help_key="help.funnel")
async def funnel(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Stage conversion from history, win rate, cycle and velocity: /funnel [days]."""
    text = req.args.strip()
    if not text:
        days = stats.funnel_days(ctx.session, ctx.member.team_id)
    elif match := _DAYS.match(text):
        days = int(match[1])
    else:
        raise Invalid("funnel.bad_days", value=text[:40])
    found = stats.funnel(ctx.session, actor=ctx.member, now=ctx.now, days=days)
    return [ctx.html(views.funnel(found, _currency(ctx), ctx.t))]


def _at_risk_page(ctx: Context, page: int) -> Reply:
    rows = stats.at_risk_for(ctx.session, actor=ctx.member, now=ctx.now)
    page = min(max(page, 1), views.pages(len(rows)))
    return ctx.html(views.at_risk(rows, page, _currency(ctx), ctx.t),
                    views.at_risk_buttons(rows, page, ctx.t))


@registry.command("atrisk", help_key="help.atrisk")
async def atrisk(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Customers at churn risk with reasons and owner, most value at risk first."""
    return [_at_risk_page(ctx, 1)]


@registry.button(AtRiskPage)
async def at_risk_page(button: AtRiskPage, ctx: Context) -> list[Reply]:
    """Another page of /atrisk (ar:<page>), edited in place."""
    reply = _at_risk_page(ctx, button.page)
    reply.edit = True
    return [reply]
