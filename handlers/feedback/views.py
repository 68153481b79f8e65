"""Feedback views: confirmations, the complaints list and the card section, as HTML."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from crm_store.analytics.service_stats import ServiceSummary
from crm_store.models import Feedback, FeedbackKind
from crm_store.sales.feedback import ComplaintPage, ContactFeedback
from handlers.feedback.buttons import ComplaintsPage, ResolveFeedback, Severity
from handlers.general.buttons import Cancel
from handlers.i18n import Html, Translator
from handlers.types import Button

SEVERITY_ICONS = {"low": "🟢", "medium": "🟡", "high": "🟠", "critical": "🔴"}
KIND_ICONS = {"complaint": "⚠️", "praise": "👍", "suggestion": "💡", "question": "❓"}


def severity_label(severity: str | None, t: Translator) -> str:
    """'🔴 critical' in the member's language ('—' when there is none)."""
    if severity not in SEVERITY_ICONS:
        return "—"
    return f"{SEVERITY_ICONS[severity]} {t.plain(f'feedback.sev_{severity}')}"


def age(since: datetime, now: datetime, t: Translator) -> Html:
    """How long ago, in hours under a day and in whole days after that."""
    hours = int((now - since).total_seconds() // 3600)
    if hours < 1:
        return t("feedback.age_new")
    if hours < 24:
        return t("feedback.age_hours", n=hours)
    return t("feedback.age_days", n=hours // 24)


def severity_buttons(contact_id: int, t: Translator) -> list[list[Button]]:
    """One button per severity, then Cancel."""
    row = [Button(severity_label(s, t), Severity(contact_id, s).pack()) for s in SEVERITY_ICONS]
    return [row[:2], row[2:], [Button(t.plain("button.cancel"), Cancel().pack())]]


def saved(row: Feedback, name: str, owner: str, t: Translator) -> Html:
    """The confirmation after /feedback."""
    if row.kind == FeedbackKind.COMPLAINT:
        return t("feedback.saved_complaint", id=row.id, name=name, owner=owner,
                 severity=severity_label(row.severity, t))
    kind = row.kind.value
    return t("feedback.saved", icon=KIND_ICONS.get(kind, "•"), id=row.id, name=name,
             kind=t.plain(f"feedback.kind_{kind}"))


def rated(row: Feedback, name: str, t: Translator) -> Html:
    """The confirmation after /csat or /nps."""
    if row.csat is not None:
        return t("feedback.csat_saved", score=row.csat, name=name)
    return t("feedback.nps_saved", score=row.nps, name=name)


def resolved(row: Feedback, name: str, t: Translator) -> Html:
    """The confirmation after /resolve, with how long the customer waited."""
    assert row.resolved_at is not None
    return t("feedback.resolved", id=row.id, name=name,
             age=age(row.created_at, row.resolved_at, t))


def complaints_page(page: ComplaintPage, t: Translator, now: datetime) -> Html:
    """The /complaints list: id, contact, severity, age, owner, first response."""
    first = page.offset + 1
    lines = [t("feedback.complaints_title", first=first, last=page.offset + len(page.rows),
               total=page.total)]
    for item in page.rows:
        fb = item.feedback
        responded = "feedback.responded_yes" if fb.first_response_at else "feedback.responded_no"
        lines.append(t("feedback.complaint_line", id=fb.id, name=item.contact_name,
                       severity=severity_label(fb.severity, t), age=age(fb.created_at, now, t),
                       owner=item.owner_name, responded=t.plain(responded)))
    return Html("\n".join(lines))


def complaints_buttons(page: ComplaintPage, t: Translator) -> list[list[Button]]:
    """A Resolve button per complaint (two a row), then Previous / Next."""
    resolve = [
        Button(t.plain("feedback.button_resolve", id=item.feedback.id,
                       name=item.contact_name)[:60], ResolveFeedback(item.feedback.id or 0).pack())
        for item in page.rows
    ]
    rows = [resolve[i : i + 2] for i in range(0, len(resolve), 2)]
    number = page.offset // page.limit
    nav = []
    if number > 0:
        nav.append(Button(t.plain("feedback.button_prev"), ComplaintsPage(number - 1).pack()))
    if page.offset + len(page.rows) < page.total:
        nav.append(Button(t.plain("feedback.button_next"), ComplaintsPage(number + 1).pack()))
    return rows + ([nav] if nav else [])


def card_section(data: ContactFeedback, t: Translator, tz: ZoneInfo, now: datetime) -> Html | None:
    """Open complaints and the latest CSAT and NPS, for the contact card."""
    if not (data.open_complaints or data.latest_csat or data.latest_nps):
        return None
    lines = [t("feedback.card_title")]
    lines += [t("feedback.card_complaint", id=fb.id, severity=severity_label(fb.severity, t),
                age=age(fb.created_at, now, t)) for fb in data.open_complaints]
    if data.latest_csat is not None:
        lines.append(t("feedback.card_csat", score=data.latest_csat.csat,
                       date=_day(data.latest_csat.created_at, tz)))
    if data.latest_nps is not None:
        lines.append(t("feedback.card_nps", score=data.latest_nps.nps,
                       date=_day(data.latest_nps.created_at, tz)))
    return Html("\n".join(lines))


def _day(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d")


def _hours(value: float | None, t: Translator) -> str:
    """2.5 → '2.5 h', 20.0 → '20 h', None → '—'."""
    if value is None:
        return "—"
    return t.plain("feedback.hours", n=f"{value:.1f}".removesuffix(".0"))


def service_summary(summary: ServiceSummary, t: Translator) -> Html:
    """The managers' service figures above the complaints list."""
    csat = "—" if summary.csat_percent is None else f"{summary.csat_percent:.0f}%"
    nps = "—" if summary.nps is None else (f"{round(summary.nps):+d}" if round(summary.nps)
                                           else "0")
    return Html("\n".join([
        t("feedback.summary_title", days=summary.days),
        t("feedback.summary_open", open=summary.open_complaints, breaches=summary.sla_breaches,
          sla=summary.sla_hours),
        t("feedback.summary_times", first=_hours(summary.median_first_response_hours, t),
          resolution=_hours(summary.median_resolution_hours, t)),
        t("feedback.summary_scores", csat=csat, csat_n=summary.csat_ratings, nps=nps,
          nps_n=summary.nps_ratings),
    ]))
