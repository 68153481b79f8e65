"""General commands: /start, /help, /cancel, /lang, /settings."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import available_timezones

from crm_store.errors import Forbidden, Invalid
from crm_store.messaging import dialogs, reminders
from crm_store.messaging.reminder_rules import rules_for
from crm_store.models import Role, Team
from crm_store.team import members as team
from handlers.context import Context
from handlers.general.buttons import Cancel, ChooseLanguage
from handlers.i18n import LANGUAGES, Html, Translator
from handlers.router import registry
from handlers.tasks.views import day_label
from handlers.types import Button, ChatRequest, Reply
from handlers.when import parse_when

LANGUAGE_NAMES = {"en": "English", "zh-CN": "简体中文"}
AWAY_WORDS = ("away", "ooo", "vacation", "外出", "休假", "请假")
BACK_WORDS = ("back", "回来", "返回")
DIGEST_WORDS = ("digest", "日报")
_UNTIL = re.compile(r"^(?:until|till|to|到|直到)\s*", re.IGNORECASE)
_DAYS = re.compile(r"(\d{1,3})\s*(?:days?|d|天)", re.IGNORECASE)
_HOUR = re.compile(r"(\d{1,2})(?:[:：]00)?")


@registry.command("start", help_key="help.start")
async def start(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Greet a member (new or returning) and show what to try first."""
    member = ctx.member
    return [ctx.text("start.welcome", name=member.display_name,
                     role=ctx.t.plain(f"role.{member.role.value}"))]


@registry.command("help", help_key="help.help")
async def help_(req: ChatRequest, ctx: Context) -> list[Reply]:
    """List the commands this member's role may use."""
    return [Reply(help_text(ctx.t, ctx.member.role))]


def help_text(t: Translator, role: Role) -> Html:
    """The role-aware command list."""
    lines: list[str] = [t("help.title")]
    lines += [f"/{spec.name} — {t(spec.help_key)}" for spec in registry.visible_commands(role)]
    return Html("\n".join(lines))


@registry.command("cancel", help_key="help.cancel")
async def cancel(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Close whatever form or confirmation is open."""
    closed = dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    return [ctx.text("cancel.done" if closed else "cancel.nothing")]


@registry.button(Cancel)
async def cancel_button(button: Cancel, ctx: Context) -> list[Reply]:
    """The Cancel button on forms and confirmations."""
    dialogs.clear(ctx.session, chat_id=ctx.req.chat_id, user_id=ctx.req.user_id)
    return [Reply(ctx.t("cancel.done"), edit=True)]


@registry.command("lang", help_key="help.lang")
async def lang(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Switch the reply language: /lang en, /lang zh, or pick a button."""
    return _language_from_text(ctx, req.args)


def _language_from_text(ctx: Context, text: str) -> list[Reply]:
    wanted = text.strip().lower()
    choice = {"en": "en", "english": "en", "zh": "zh-CN", "zh-cn": "zh-CN", "cn": "zh-CN",
              "中文": "zh-CN"}.get(wanted)
    if choice:
        return _switch(ctx, choice, edit=False)
    if wanted:
        return [ctx.text("lang.unknown", value=wanted[:20])]
    buttons = [[Button(LANGUAGE_NAMES[code], ChooseLanguage(code).pack()) for code in LANGUAGES]]
    return [ctx.text("lang.choose", buttons=buttons)]


@registry.button(ChooseLanguage)
async def lang_button(button: ChooseLanguage, ctx: Context) -> list[Reply]:
    """A language button was pressed."""
    if button.code not in LANGUAGES:
        raise Invalid("error.language")
    return _switch(ctx, button.code, edit=True)


def _switch(ctx: Context, code: str, *, edit: bool) -> list[Reply]:
    team.set_language(ctx.session, actor=ctx.member, language=code)
    ctx.t = Translator(code)
    return [Reply(ctx.t("lang.switched", language=LANGUAGE_NAMES[code]), edit=edit)]


@registry.command("settings", help_key="help.settings")
async def settings(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Show settings, or change one: tz, hours, lang, away <day>, back, digest <hour>."""
    member = ctx.member
    parts = req.args.split()
    if not parts:
        return [_show_settings(ctx)]
    key, value = parts[0].lower(), " ".join(parts[1:])
    if key in ("lang", "language", "语言"):
        return _language_from_text(ctx, value)
    if key in AWAY_WORDS:
        return _away(ctx, value)
    if key in BACK_WORDS:
        written = reminders.come_back(ctx.session, actor=member, now=ctx.now)
        return [ctx.text("settings.back_catch_up" if written else "settings.back")]
    if key in DIGEST_WORDS:
        return _digest(ctx, value)
    if key in ("tz", "timezone", "时区"):
        if value not in available_timezones():
            raise Invalid("settings.bad_tz", value=value[:40])
        team.update_work_settings(ctx.session, actor=member, timezone=value)
    elif key in ("hours", "工作时间"):
        team.update_work_settings(ctx.session, actor=member, hours=_hours(value))
    else:
        return [ctx.html(Html(f"{ctx.t('settings.usage')}\n{ctx.t('settings.usage_more')}"))]
    return [ctx.text("settings.saved")]


def _show_settings(ctx: Context) -> Reply:
    member = ctx.member
    lines = [ctx.t("settings.show", language=LANGUAGE_NAMES.get(member.language, member.language),
                   tz=member.timezone, start=member.work_start, end=member.work_end)]
    away = member.out_of_office_until
    if away is not None and away > ctx.now:
        lines.append(ctx.t("settings.away_line",
                           date=day_label(away.astimezone(ctx.tz).date(), ctx.t)))
    else:
        lines.append(ctx.t("settings.present_line"))
    if member.role != Role.REP:
        team_row = ctx.session.get(Team, member.team_id)
        default = rules_for(team_row).digest_hour_default if team_row else 18
        hour = default if member.digest_hour is None else member.digest_hour
        lines.append(ctx.t("settings.digest_line", hour=hour))
    return ctx.html(Html("\n".join(lines)))


def _away(ctx: Context, value: str) -> list[Reply]:
    """/settings away 2026-12-01 | 3 days | next friday: out of office to the end of that day."""
    if not value.strip():
        return [ctx.text("settings.usage_more")]
    day = _away_day(ctx, value)
    if day is None:
        return [ctx.text("settings.away_bad", value=value[:40])]
    until = datetime.combine(day, time(23, 59, 59), tzinfo=ctx.tz).astimezone(UTC)
    reminders.set_away(ctx.session, actor=ctx.member, until=until, now=ctx.now)
    return [ctx.text("settings.away_set", date=day_label(day, ctx.t))]


def _away_day(ctx: Context, value: str) -> date | None:
    text = _UNTIL.sub("", value.strip())
    count = _DAYS.fullmatch(text)
    if count:
        return ctx.now.astimezone(ctx.tz).date() + timedelta(days=int(count[1]))
    moment = parse_when(text, now=ctx.now, tz=ctx.tz)
    return moment.astimezone(ctx.tz).date() if moment else None


def _digest(ctx: Context, value: str) -> list[Reply]:
    """/settings digest 18: the local hour of a manager's daily digest."""
    if ctx.member.role == Role.REP:
        raise Forbidden("settings.digest_managers")
    match = _HOUR.fullmatch(value.strip())
    if match is None:
        raise Invalid("settings.bad_digest", value=value[:10])
    reminders.set_digest_hour(ctx.session, actor=ctx.member, hour=int(match[1]))
    return [ctx.text("settings.digest_set", hour=int(match[1]))]


def _hours(value: str) -> tuple[int, int]:
    try:
        start_text, end_text = value.replace("–", "-").split("-", 1)
        start_hour, end_hour = int(start_text), int(end_text)
    except ValueError as exc:
        raise Invalid("settings.bad_hours", value=value[:20]) from exc
    if not 0 <= start_hour < end_hour <= 24:
        raise Invalid("settings.bad_hours", value=value[:20])
    return start_hour, end_hour
