"""Team activity: /team [today|week|month] and the per-rep drill-down buttons (TeamView)."""

from __future__ import annotations

from crm_store.analytics import team_activity
from crm_store.models import Role, Team
from handlers.context import Context
from handlers.reports import team_activity_views as views
from handlers.reports.buttons import TEAM_VIEW, TeamView
from handlers.router import registry
from handlers.types import ChatRequest, Reply

PERIOD_WORDS = {
    "": "w", "d": "d", "day": "d", "today": "d", "今天": "d", "今日": "d", "日": "d",
    "w": "w", "week": "w", "this week": "w", "本周": "w", "这周": "w", "周": "w",
    "m": "m", "month": "m", "this month": "m", "本月": "m", "这个月": "m", "月": "m",
}


def parse_period(args: str) -> str | None:
    """'week' / '本月' / '' → 'w' / 'm' / 'w'; None when it names no period."""
    return PERIOD_WORDS.get(" ".join(args.split()).lower())


@registry.command("team", help_key="help.team")
async def team_command(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Show what each rep did today, this week or this month (a rep sees their own)."""
    period = parse_period(req.args)
    if period is None:
        return [ctx.text("team_activity.usage")]
    return [_view(ctx, TEAM_VIEW, period)]


@registry.button(TeamView)
async def team_button(button: TeamView, ctx: Context) -> list[Reply]:
    """A drill-down into one rep, Back to the team, or another period."""
    reply = _view(ctx, button.member_id, button.period)
    reply.edit = True
    return [reply]


def _view(ctx: Context, member_id: int, period: str) -> Reply:
    me = ctx.member
    if me.role == Role.REP and member_id == TEAM_VIEW:  # a rep's "team" is their own card
        member_id = me.id or 0
    start, end = team_activity.period_bounds(period, now=ctx.now, tz=me.timezone)
    label = views.period_label(period, start, end, ctx.tz, ctx.t)
    team = ctx.session.get(Team, me.team_id)
    currency = team.currency if team else "CNY"
    if member_id == TEAM_VIEW:
        rows = team_activity.by_rep(ctx.session, actor=me, start_utc=start, end_utc=end,
                                        now=ctx.now)
        return ctx.html(views.team_table(rows, team_activity.totals(rows), label, ctx.t, currency),
                        views.team_buttons(rows, period, ctx.t))
    detail = team_activity.rep_detail(ctx.session, actor=me, member_id=member_id, start_utc=start,
                                   end_utc=end, now=ctx.now)
    return ctx.html(views.rep_card(detail, label, ctx.t, ctx.tz, currency),
                    views.rep_buttons(member_id, period, ctx.t, back=me.role != Role.REP))
