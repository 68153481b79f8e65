"""Text views of follow-ups: due times in the member's zone, agenda, lists and Done buttons."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from crm_store.money import format_money
from crm_store.sales.tasks import Agenda, DealLine, TaskLine
from handlers.i18n import CATALOGS, Html, Translator, escape
from handlers.tasks.buttons import TaskDone
from handlers.types import Button

LABEL = 60
PREVIEW = 120


def day_label(day: date, t: Translator) -> str:
    """'Wed 18 Nov' / '11月18日（周三）'."""
    return t.plain("tasks.day", weekday=t.plain("tasks.weekdays").split()[day.weekday()],
                   day=day.day, month=t.plain("tasks.months").split()[day.month - 1])


def when_label(at: datetime, t: Translator, tz: ZoneInfo, now: datetime | None = None) -> str:
    """A due time in the member's zone with its weekday: 'Tue 24 Nov 10:00'."""
    local = at.astimezone(tz)
    same_year = now is None or now.astimezone(tz).year == local.year
    return t.plain("tasks.when" if same_year else "tasks.when_year",
                   weekday=t.plain("tasks.weekdays").split()[local.weekday()], day=local.day,
                   month=t.plain("tasks.months").split()[local.month - 1], year=local.year,
                   time=local.strftime("%H:%M"))


def late_label(due: datetime, now: datetime, t: Translator) -> str:
    """How late an overdue task is: '2 d late', '3 h late', '逾期20分钟'."""
    minutes = max(int((now - due).total_seconds() // 60), 1)
    if minutes >= 24 * 60:
        return t.plain("tasks.late_days", count=minutes // (24 * 60))
    if minutes >= 60:
        return t.plain("tasks.late_hours", count=minutes // 60)
    return t.plain("tasks.late_minutes", count=minutes)


def _short(text: str, limit: int = PREVIEW) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _who(line: TaskLine, t: Translator) -> str:
    return line.contact_name or t.plain("tasks.no_contact")


def task_line(line: TaskLine, t: Translator, tz: ZoneInfo, now: datetime, *,
              owner: bool = False, late: bool = False, time_only: bool = False) -> Html:
    """'• Tue 24 Nov 10:00 · <b>张伟</b> — send the quote (#12)'."""
    task = line.task
    when = task.due_at.astimezone(tz).strftime("%H:%M") if time_only else when_label(
        task.due_at, t, tz, now)
    parts = [f"• {escape(when)} · <b>{escape(_who(line, t))}</b> — {escape(_short(task.text))}"]
    if late:
        parts.append(f"⚠️ {escape(late_label(task.due_at, now, t))}")
    if owner:
        parts.append(f"👤 {escape(line.owner_name)}")
    parts.append(f"(#{task.id})")
    return Html(" ".join(parts))


def task_label(line: TaskLine, t: Translator, tz: ZoneInfo) -> str:
    """A short plain label naming a task: '11-24 15:00 张伟 · send the quote'."""
    due = line.task.due_at.astimezone(tz).strftime("%m-%d %H:%M")
    return f"{due} {_who(line, t)[:20]} · {line.task.text}"[: LABEL - 4]


def done_buttons(lines: list[TaskLine], t: Translator, tz: ZoneInfo) -> list[list[Button]]:
    """One Done button per task."""
    return [[Button(t.plain("tasks.button_done", label=task_label(line, t, tz))[:LABEL],
                    TaskDone(line.task.id or 0).pack())] for line in lines]


def _deal_line(line: DealLine, t: Translator) -> Html:
    deal = line.deal
    stage_key = f"stage.{deal.stage}"
    stage = t.plain(stage_key) if stage_key in CATALOGS[t.language] else deal.stage
    closes = day_label(deal.expected_close, t) if deal.expected_close else "—"
    return t("today.deal_line", contact=line.contact_name, title=_short(deal.title, 60),
             amount=format_money(deal.amount_minor, deal.currency), stage=stage, date=closes)


def agenda_view(agenda: Agenda, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    """The /today message: overdue (with how late), due today, deals closing soon."""
    lines: list[str] = [t("today.title", day=day_label(now.astimezone(tz).date(), t))]
    if agenda.empty:
        return Html("\n".join([*lines, "", t("today.empty")]))
    if agenda.overdue:
        lines += ["", t("today.overdue")]
        lines += [task_line(item, t, tz, now, late=True) for item in agenda.overdue]
    if agenda.today:
        lines += ["", t("today.due")]
        lines += [task_line(item, t, tz, now, time_only=True, late=item.task.due_at < now)
                  for item in agenda.today]
    if agenda.deals:
        lines += ["", t("today.deals")]
        lines += [_deal_line(item, t) for item in agenda.deals]
    return Html("\n".join(lines))


def task_list(lines: list[TaskLine], total: int, offset: int, t: Translator, tz: ZoneInfo,
              now: datetime, *, team: bool) -> Html:
    """The /tasks page: a title, one line per task, and where this page is in the list."""
    title = t("tasks.team_title" if team else "tasks.title", total=total)
    body = [task_line(item, t, tz, now, owner=team, late=item.task.due_at < now)
            for item in lines]
    footer = []
    if total > len(lines):
        footer = ["", t("tasks.page", first=offset + 1, last=offset + len(lines), total=total)]
    return Html("\n".join([title, *body, *footer]))


def card_section(lines: list[TaskLine], t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    """The contact card's block of open follow-ups."""
    rows = [f"• {escape(when_label(item.task.due_at, t, tz, now))} — "
            f"{escape(_short(item.task.text, 80))}"
            + (f" ⚠️ {escape(late_label(item.task.due_at, now, t))}" if item.task.due_at < now
               else "")
            for item in lines]
    return Html("\n".join([t("followup.card_title"), *rows]))
