"""Reminder messages: one outbox row's kind and payload in, HTML and buttons out (no database).

bot/ calls `render_reminder` with a Delivery's fields; the buttons come back to
handlers/reminders.py (rd: done, rs: snooze, rl: log, ro: open today) or to the card (ct:).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from crm_store.clock import utcnow
from crm_store.messaging import reminder_kinds as rk
from crm_store.money import format_money
from crm_store.outreach.campaigns import CHANNELS
from handlers.callbacks import Callback
from handlers.campaigns.buttons import DraftsPage
from handlers.contacts.buttons import OpenContact
from handlers.i18n import CATALOGS, Html, Translator, escape
from handlers.reminders.buttons import ReminderDone, ReminderLog, ReminderToday, Snooze
from handlers.tasks.views import day_label, when_label
from handlers.types import Button, Reply

MAX_LIST = 25
CARD_BUTTONS = 6
LABEL = 40
TEXT = 200
_CJK = re.compile(r"[\u3400-\u9fff]")
ICONS = {rk.FOLLOWUP_DUE: "⏰", rk.FOLLOWUP_OVERDUE: "⚠️", rk.STALE_DEAL: "💤",
         rk.SLA_FIRST_RESPONSE: "🚨", rk.SLA_RESOLUTION: "🚨", rk.BIRTHDAY: "🎂",
         rk.ANNIVERSARY: "🤝", rk.HOLIDAY: "🎉", rk.CHURN: "📉", rk.DIGEST: "📊",
         rk.CATCH_UP: "📬", rk.LOYALTY_EXPIRING: "⏳"}
# Holiday names as producers write them (care dates, the holidays package) → catalog keys.
HOLIDAY_KEYS = {
    "spring festival": "spring", "chinese new year (spring festival)": "spring",
    "chinese new year": "spring", "chinese new year's eve": "new_year_eve",
    "mid-autumn": "mid_autumn", "mid-autumn festival": "mid_autumn", "618": "d618",
    "double 11": "d11", "national day": "national", "new year's day": "new_year",
    "dragon boat festival": "dragon_boat", "labor day": "labour", "labour day": "labour",
    "tomb-sweeping day": "qingming",
}
Payload = dict[str, Any]  # an outbox row's JSON, as its producer (scheduler/, crm_store/) wrote it
Renderer = Callable[[Payload, Translator, ZoneInfo, datetime], Html]


def render_reminder(*, kind: str, payload: Payload, outbox_id: int, language: str,
                    timezone: str, now: datetime | None = None) -> Reply:
    """The reminder as its recipient sees it: text in their language and zone, with buttons."""
    t = Translator(language if language in CATALOGS else "en")
    tz = _zone(timezone)
    render = RENDERERS.get(kind, _unknown)
    text = render(payload or {}, t, tz, now or utcnow())
    return Reply(str(text), buttons=reminder_buttons(kind, payload or {}, outbox_id, t))


def pressed(text: str, status: str) -> Html:
    """The reminder after a button was pressed: its text and what was done, no buttons."""
    return Html(f"{text}\n\n<b>{status}</b>")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _s(value: object, limit: int = TEXT) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(payload: Payload) -> str:
    return _s(payload.get("contact_name") or "?", 60)


def _int(value: object) -> int:
    if not isinstance(value, int | float | str):  # None, a list…: not a number
        return 0
    try:
        return int(value)
    except ValueError:
        return 0


def _at(value: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _star(payload: Payload) -> str:
    return "⭐ " if str(payload.get("tier") or "").upper() == "A" else ""


def _money(value: object, payload: Payload) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return format_money(value, str(payload.get("currency") or "CNY"))
    return _s(value, 40)


def greeting_language(name: str) -> str:
    """Guess the customer's language from their name: Chinese characters → Chinese."""
    return "zh-CN" if _CJK.search(name) else "en"


def _relative_day(day: date | None, t: Translator, tz: ZoneInfo, now: datetime) -> str:
    if day is None:
        return "?"
    delta = (day - now.astimezone(tz).date()).days
    if delta == 0:
        return t.plain("reminders.today")
    if delta == 1:
        return t.plain("reminders.tomorrow")
    return day_label(day, t)


def _due(at: datetime | None, t: Translator, tz: ZoneInfo, now: datetime) -> str:
    """'15:00' when due today (local), else 'Tue 24 Nov 15:00'."""
    if at is None:
        return "?"
    if at.astimezone(tz).date() == now.astimezone(tz).date():
        return at.astimezone(tz).strftime("%H:%M")
    return when_label(at, t, tz, now)


# --- one view per kind -----------------------------------------------------------------------

def _who(p: Payload, t: Translator) -> str:
    """A follow-up's contact, or '(no contact)' for a task that names none."""
    return _name(p) if p.get("contact_name") else t.plain("tasks.no_contact")


def _followup_due(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    return t("reminders.followup_due", name=_who(p, t), text=_s(p.get("text")),
             when=_due(_at(p.get("due_at")), t, tz, now))


def _followup_overdue(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    days = _int(p.get("days_late"))
    late = t.plain("reminders.late_days", days=days) if days > 1 else t.plain(
        "reminders.late_day" if days == 1 else "reminders.late_today")
    return t("reminders.followup_overdue", name=_who(p, t), text=_s(p.get("text")),
             when=_due(_at(p.get("due_at")), t, tz, now), late=late)


def _stage(value: object, t: Translator) -> str:
    key = f"stage.{value}"
    return t.plain(key) if key in CATALOGS[t.language] else _s(value, 30)


def _stale_deal(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    return t("reminders.stale_deal", title=_s(p.get("title"), 80), name=_name(p),
             stage=_stage(p.get("stage"), t), days=_int(p.get("days")),
             amount=_money(p.get("amount"), p))


def _severity(value: object, t: Translator) -> str:
    key = f"feedback.sev_{value}"
    return t.plain(key) if key in CATALOGS[t.language] else _s(value or "—", 20)


def _sla(key: str) -> Renderer:
    def view(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
        text = t(key, name=_name(p), severity=_severity(p.get("severity"), t),
                 hours=_int(p.get("hours")))
        if p.get("escalated"):
            text = Html(text + "\n" + t("reminders.escalated", owner=_s(p.get("owner"), 60)))
        return text
    return view


def _greeting(key: str, name: str, **params: object) -> Html:
    g = Translator(greeting_language(name))
    return g(key, name=name, **params)


def _birthday(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    name = _name(p)
    key = "reminders.birthday_lunar" if p.get("lunar") else "reminders.birthday"
    lines = [t(key, star=_star(p), name=name, when=_relative_day(_day(p.get("date")), t, tz, now)),
             t("reminders.suggested", text=_greeting("reminders.greet_birthday", name))]
    return Html("\n".join(lines))


def _anniversary(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    name, years = _name(p), _int(p.get("years"))
    since = _day(p.get("since"))
    lines = [t("reminders.anniversary", star=_star(p), name=name, years=years,
               since=since.isoformat() if since else "?"),
             t("reminders.suggested",
               text=_greeting("reminders.greet_anniversary", name, years=years))]
    return Html("\n".join(lines))


def holiday_name(value: object, t: Translator) -> str:
    """A holiday's name in `t`'s language (as written when it is not one we know)."""
    key = HOLIDAY_KEYS.get(str(value or "").strip().lower())
    return t.plain(f"reminders.holiday_{key}") if key else _s(value or "?", 40)


def _holiday(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    people = [c for c in p.get("contacts") or [] if isinstance(c, dict)]
    lines: list[str] = [t("reminders.holiday", holiday=holiday_name(p.get("holiday"), t),
                          when=_relative_day(_day(p.get("date")), t, tz, now),
                          count=len(people))]
    lines += [f"• {_star(c)}<b>{escape(_name(c))}</b>" for c in people[:MAX_LIST]]
    if len(people) > MAX_LIST:
        lines.append(t("reminders.more", count=len(people) - MAX_LIST))
    languages = sorted({greeting_language(_name(c)) for c in people}) or [t.language]
    for language in languages:
        g = Translator(language)
        lines.append(t("reminders.suggested", text=g("reminders.greet_holiday",
                                                     holiday=holiday_name(p.get("holiday"), g))))
    return Html("\n".join(lines))


def _churn(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    lines: list[str] = [t("reminders.churn", name=_name(p))]
    for code in p.get("reasons") or []:
        if code == "gap":
            gap = _int(p.get("usual_gap_days"))
            key = "reminders.reason_gap" if gap else "reminders.reason_gap_plain"
            lines.append("• " + t(key, days=_int(p.get("days_since")), usual=gap))
        elif code in ("complaint_open", "low_csat"):
            lines.append("• " + t(f"reminders.reason_{code}"))
    if p.get("value_minor"):
        lines.append(t("reminders.churn_value", value=_money(p.get("value_minor"), p)))
    return Html("\n".join(lines))


def _loyalty_expiring(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    lines: list[str] = [t("reminders.loyalty_expiring", name=_name(p))]
    at = _at(p.get("points_at"))
    if _int(p.get("points")) and at is not None:
        lines.append("• " + t("reminders.loyalty_points", points=_int(p.get("points")),
                              when=_relative_day(at.astimezone(tz).date(), t, tz, now)))
    for coupon in (p.get("coupons") or [])[:MAX_LIST]:
        if not isinstance(coupon, dict):
            continue
        at = _at(coupon.get("expires_at"))
        lines.append("• " + t("reminders.loyalty_coupon", code=_s(coupon.get("code"), 20),
                              value=_money(coupon.get("value_minor"), coupon),
                              when=_relative_day(at.astimezone(tz).date() if at else None,
                                                 t, tz, now)))
    return Html("\n".join(lines))

def _campaign_assigned(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    channel = str(p.get("channel") or "")
    label = t.plain(f"campaign.channel.{channel}") if channel in CHANNELS else _s(channel, 20)
    return t("reminders.campaign_assigned", name=_s(p.get("name"), 80),
             by=_s(p.get("by_name"), 60), customers=_int(p.get("customers")), channel=label)

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def figure_label(name: str, t: Translator) -> str:
    """A digest figure's label (known names are translated)."""
    key = f"reminders.fig_{name}"
    return t.plain(key) if key in CATALOGS[t.language] else _s(name.replace("_", " "), 30)


def _figure_value(name: str, value: object) -> str:
    if name.endswith("_minor") and isinstance(value, int):
        return format_money(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return _s(value, 20)


def _digest(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    day = _day(p.get("date"))
    period = str(p.get("period") or "day")
    key = f"reminders.digest_{period}" if period in ("day", "week", "month") else \
        "reminders.digest_day"
    title = t(key, date=day_label(day, t) if day else "?")
    figures = p.get("figures") if isinstance(p.get("figures"), dict) else {}
    if not figures:
        return Html(f"{title}\n{t('reminders.digest_empty')}")
    rows = [(figure_label(str(name), t), _figure_value(str(name), value))
            for name, value in list(figures.items())[:30]]
    wide = max(_width(label) for label, _ in rows)
    table = "\n".join(f"{label}{' ' * (wide - _width(label))}  {value}" for label, value in rows)
    return Html(f"{title}\n<pre>{escape(table)}</pre>")


def _catch_up(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    items = [i for i in p.get("items") or [] if isinstance(i, dict)]
    total = max(_int(p.get("total")), len(items))
    lines: list[str] = [t("reminders.catch_up", count=total)]
    for item in items[:MAX_LIST]:
        kind = str(item.get("kind") or "")
        label = t.plain(f"reminders.kind_{kind}") if kind in ICONS else _s(kind, 20)
        if kind == rk.HOLIDAY:
            summary = holiday_name(item.get("summary"), t)
        else:
            summary = _s(item.get("summary"), 80)
        parts = [f"• {ICONS.get(kind, '🔔')} {escape(label)}"]
        if item.get("contact_name"):
            parts.append(f"<b>{escape(_s(item['contact_name'], 60))}</b>")
        lines.append(" · ".join(parts) + (f" — {escape(summary)}" if summary else ""))
    if total > min(len(items), MAX_LIST):
        lines.append(t("reminders.more", count=total - min(len(items), MAX_LIST)))
    return Html("\n".join(lines))


def _handover(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    """Records another member gave this one (crm_store/offboarding.py; text: members catalog)."""
    counts = {k: _int(p.get(k)) for k in ("contact", "deal", "task", "order", "feedback")}
    names = {"source": _s(p.get("from_name"), 60), "by": _s(p.get("by_name"), 60)}
    if p.get("contact_name"):
        return t("members.notice_contact", name=_name(p), **names, **counts)
    return t("members.notice_leaver" if p.get("deactivated") else "members.notice_book",
             **names, **counts)


def _unreachable(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    """A member the bot could not reach was switched off (crm_store/outbox.py, to admins)."""
    return t("members.notice_unreachable", name=_s(p.get("name"), 60))


def _unknown(p: Payload, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    return t("reminders.generic", name=_name(p))


RENDERERS: dict[str, Renderer] = {
    rk.FOLLOWUP_DUE: _followup_due, rk.FOLLOWUP_OVERDUE: _followup_overdue,
    rk.STALE_DEAL: _stale_deal, rk.SLA_FIRST_RESPONSE: _sla("reminders.sla_first_response"),
    rk.SLA_RESOLUTION: _sla("reminders.sla_resolution"), rk.BIRTHDAY: _birthday,
    rk.ANNIVERSARY: _anniversary, rk.HOLIDAY: _holiday, rk.CHURN: _churn,
    rk.DIGEST: _digest, rk.CATCH_UP: _catch_up, rk.HANDOVER: _handover,
    rk.MEMBER_UNREACHABLE: _unreachable, rk.LOYALTY_EXPIRING: _loyalty_expiring,
    rk.CAMPAIGN_ASSIGNED: _campaign_assigned,
}


# --- buttons ---------------------------------------------------------------------------------

def reminder_buttons(kind: str, payload: Payload, outbox_id: int,
                     t: Translator) -> list[list[Button]]:
    """Done / Snooze / Log / Card, as the kind allows (callback data ≤ 64 bytes)."""
    def button(key: str, action: Callback) -> Button:
        return Button(t.plain(key), action.pack())

    snooze = [button("reminders.snooze_hour", Snooze(outbox_id, "h")),
              button("reminders.snooze_tomorrow", Snooze(outbox_id, "t"))]
    log = button("reminders.log", ReminderLog(outbox_id))
    contact_id = payload.get("contact_id")
    if kind in (rk.FOLLOWUP_DUE, rk.FOLLOWUP_OVERDUE) and isinstance(payload.get("task_id"), int):
        done = button("reminders.done", ReminderDone(outbox_id))
        return [[done, log] if isinstance(contact_id, int) else [done], snooze]
    if kind in rk.CONTACT_KINDS and isinstance(contact_id, int):
        return [snooze, [log, button("reminders.card", OpenContact(contact_id))]]
    if kind == rk.HOLIDAY:
        people = [c for c in payload.get("contacts") or [] if isinstance(c, dict)
                  and isinstance(c.get("contact_id"), int)][:CARD_BUTTONS]
        buttons = [Button(f"👤 {_name(c)}"[:LABEL], OpenContact(c["contact_id"]).pack())
                   for c in people]
        return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    campaign_id = payload.get("campaign_id")
    if kind == rk.CAMPAIGN_ASSIGNED and isinstance(campaign_id, int):
        return [[button("reminders.campaign_open", DraftsPage(campaign_id, 0))]]
    if kind in (rk.DIGEST, rk.CATCH_UP):
        return [[button("reminders.open_today", ReminderToday(outbox_id))]]
    return []
