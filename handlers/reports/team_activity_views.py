"""Team activity views: the per-rep table, a rep's drill-down, and their buttons, as HTML."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from crm_store.analytics.team_activity import PERIODS, RecentTouch, RepActivity, RepDetail
from crm_store.money import format_money
from handlers.contacts.views import KIND_ICONS, local_time
from handlers.i18n import Html, Translator
from handlers.reports.buttons import TEAM_VIEW, TeamView
from handlers.types import Button

PREVIEW = 80
MAX_DRILL_BUTTONS = 40  # Telegram allows 100 buttons a message; the top reps come first
NAME_IN_BUTTON = 30


def period_label(period: str, start: datetime, end: datetime, tz: ZoneInfo, t: Translator
                 ) -> Html:
    """'this week (2024-05-13 – 2024-05-19)' in the member's language and zone."""
    first = start.astimezone(tz).date()
    last = (end.astimezone(tz) - timedelta(days=1)).date()
    dates = first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
    return t("team_activity.period", name=t.plain(f"team_activity.period_{period}"), dates=dates)


def figures_line(row: RepActivity, t: Translator) -> Html:
    """The compact figures of one line: calls, visits, meetings … open complaints."""
    return t("team_activity.figures", calls=row.calls, visits=row.visits, meetings=row.meetings,
             contacts=row.new_contacts, deals=row.new_deals, moves=row.stage_moves,
             overdue=row.overdue_followups, complaints=row.complaints_open)


def _won(row: RepActivity, t: Translator, currency: str) -> Html:
    return t("team_activity.won", amount=format_money(row.won_minor, currency), n=row.deals_won)


def team_table(
    rows: list[RepActivity], total: RepActivity, period: Html, t: Translator, currency: str
) -> Html:
    """The /team table: one block per rep (most won first), then the totals."""
    lines = [t("team_activity.title", period=period), t("team_activity.legend"), ""]
    for number, row in enumerate(rows, 1):
        lines.append(t("team_activity.rep_line", n=number, name=row.name,
                       won=_won(row, t, currency)))
        lines.append(figures_line(row, t))
    lines += ["", t("team_activity.total_line", reps=len(rows), won=_won(total, t, currency)),
              figures_line(total, t)]
    return Html("\n".join(lines))


def _recent_line(touch: RecentTouch, t: Translator, tz: ZoneInfo) -> Html:
    item = touch.interaction
    text = item.text if len(item.text) <= PREVIEW else item.text[:PREVIEW] + "…"
    return t("team_activity.recent_line", icon=KIND_ICONS.get(item.kind.value, "•"),
             when=local_time(item.occurred_at, tz), kind=t.plain(f"kind.{item.kind.value}"),
             name=touch.contact_name, text=text)


def rep_card(detail: RepDetail, period: Html, t: Translator, tz: ZoneInfo, currency: str
             ) -> Html:
    """A rep's figures for the period, what they have open now, and their latest touches."""
    row = detail.activity
    lines = [
        t("team_activity.rep_title", name=row.name, period=period),
        t("team_activity.d_calls", n=row.calls),
        t("team_activity.d_visits", n=row.visits),
        t("team_activity.d_meetings", n=row.meetings),
        t("team_activity.d_contacts", n=row.new_contacts),
        t("team_activity.d_deals", n=row.new_deals),
        t("team_activity.d_moves", n=row.stage_moves),
        t("team_activity.d_won", won=_won(row, t, currency)),
        t("team_activity.d_overdue", n=row.overdue_followups),
        t("team_activity.d_complaints", n=row.complaints_open),
        t("team_activity.d_open_deals", n=detail.open_deals,
          amount=format_money(detail.open_deals_minor, currency)),
        "",
    ]
    if detail.recent:
        lines.append(t("team_activity.recent_title"))
        lines += [_recent_line(touch, t, tz) for touch in detail.recent]
    else:
        lines.append(t("team_activity.no_recent"))
    return Html("\n".join(lines))


def period_buttons(member_id: int, current: str, t: Translator) -> list[Button]:
    """Today / This week / This month for the same view; the current one marked."""
    return [
        Button(("• " if period == current else "")
               + t.plain(f"team_activity.button_{period}"), TeamView(member_id, period).pack())
        for period in PERIODS
    ]


def team_buttons(rows: list[RepActivity], period: str, t: Translator) -> list[list[Button]]:
    """A drill-down button per rep (two a row), then the period switch."""
    drill = [Button(t.plain("team_activity.button_rep", name=row.name[:NAME_IN_BUTTON]),
                    TeamView(row.member_id, period).pack()) for row in rows[:MAX_DRILL_BUTTONS]]
    return [drill[i : i + 2] for i in range(0, len(drill), 2)] + [
        period_buttons(TEAM_VIEW, period, t)]


def rep_buttons(member_id: int, period: str, t: Translator, *, back: bool
                ) -> list[list[Button]]:
    """The period switch for this rep, and Back to the team for managers."""
    rows = [period_buttons(member_id, period, t)]
    if back:
        rows.append([Button(t.plain("team_activity.button_back"),
                            TeamView(TEAM_VIEW, period).pack())])
    return rows
