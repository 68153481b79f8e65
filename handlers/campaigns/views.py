"""Text views of campaigns: the preview, the list, a rep's draft, the evaluation."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from crm_store.models import Campaign
from crm_store.money import format_money
from crm_store.outreach.campaign_results import Evaluation, Figures
from crm_store.outreach.campaigns import Audience, CampaignSpec, Draft, DraftPage, fill
from handlers.i18n import Html, Translator, escape
from handlers.loyalty.views import tier_name
from handlers.orders.views import local_date
from handlers.reminders.views import greeting_language


def channel(name: str, t: Translator) -> str:
    """A channel's label."""
    return t.plain(f"campaign.channel.{name}")


def segment_label(key: str, t: Translator) -> str:
    """An RFM segment's name as /segments shows it."""
    return t.plain(f"segments.rfm_{key}")


def audience(found: Audience, t: Translator) -> Html:
    """The audience's conditions in words."""
    parts = []
    for key, value in vars(found).items():
        if value is None:
            continue
        shown = segment_label(value, t) if key == "segment" else value
        parts.append(t(f"campaign.audience_{key}", value=shown))
    return Html(", ".join(parts)) if parts else t("campaign.audience_all")


def preview(spec: CampaignSpec, start: date, end: date, count: int, t: Translator) -> Html:
    """What Confirm will start."""
    goal = f" · {escape(spec.goal)}" if spec.goal else ""
    return t("campaign.preview", name=spec.name, goal=Html(goal),
             audience=audience(spec.audience, t), channel=channel(spec.channel, t),
             days=spec.days, window=spec.conversion_days, start=start.isoformat(),
             end=end.isoformat(), control=spec.control_pct,
             template=spec.template or t.raw("campaign.default_template"), count=count)


def campaign_list(found: list[Campaign], targets: dict[int, int], t: Translator,
                  tz: ZoneInfo, now: datetime) -> Html:
    """/campaigns: newest first; one not started yet is marked scheduled."""
    lines = [t("campaigns.title")]
    for c in found:
        line = t("campaigns.line", name=c.name, channel=channel(c.channel, t),
                 start=local_date(c.starts_at, tz), end=local_date(c.ends_at, tz),
                 targets=targets.get(c.id or 0, 0))
        if c.starts_at > now:
            line = Html(f"{line} · {t('campaigns.scheduled')}")
        lines.append(line)
    return Html("\n".join(lines))


def draft_values(draft: Draft, t: Translator) -> dict[str, str]:
    """The customer's own values for the template's placeholders."""
    return {"name": draft.contact.name, "company": draft.company,
            "last_product": draft.last_product, "points": str(draft.points),
            "tier": tier_name(draft.tier, t), "coupon": draft.coupon}


def draft(page: DraftPage, t: Translator) -> Html:
    """One target of the rep: who, how to reach them, the filled draft (escaped), the status."""
    item = page.drafts[0]
    contact = item.contact
    company = f" · {escape(item.company)}" if item.company else ""
    lines: list[str] = [
        t("drafts.title", campaign=page.campaign.name, n=page.offset + 1, total=page.total,
          channel=channel(page.campaign.channel, t)),
        t("drafts.customer", name=contact.name, company=Html(company), points=item.points,
          tier=tier_name(item.tier, t))]
    if contact.phone:
        lines.append(t("drafts.phone", phone=contact.phone))
    lines.append(t("drafts.outcome", outcome=t.plain(f"drafts.outcome.{item.target.outcome}")))
    # The standard text greets each customer in their own language (guessed from the name).
    template = page.campaign.template or Translator(
        greeting_language(contact.name)).raw("campaign.default_template")
    lines += ["", t("drafts.draft", text=fill(template, draft_values(item, t)))]
    return Html("\n".join(lines))


def _rate(figures: Figures, part: int) -> str:
    rate = figures.rate(part)
    return "—" if rate is None else f"{rate:.0%}"


def evaluation(found: Evaluation, t: Translator, tz: ZoneInfo) -> Html:
    """/campaigns <name>: totals, per rep, control group and lift."""
    c, total, cur = found.campaign, found.total, found.currency
    lines: list[str] = [
        t("report.campaign_title", name=c.name, channel=channel(c.channel, t),
          start=local_date(c.starts_at, tz), end=local_date(found.window_end, tz)),
        t("report.campaign_totals", targets=total.targets, reached=total.reached,
          reached_rate=_rate(total, total.reached), responded=total.responded,
          responded_rate=_rate(total, total.responded), converted=total.converted,
          converted_rate=_rate(total, total.converted),
          revenue=format_money(total.revenue_minor, cur))]
    if found.per_rep:
        lines += ["", t("report.campaign_per_rep")]
        lines += [t("report.campaign_rep", name=name, targets=f.targets, reached=f.reached,
                    responded=f.responded, converted=f.converted,
                    revenue=format_money(f.revenue_minor, cur)) for name, f in found.per_rep]
    lines.append("")
    if found.control.targets and found.lift is not None:
        lines.append(t("report.campaign_control", targets=found.control.targets,
                       converted=found.control.converted,
                       converted_rate=_rate(found.control, found.control.converted),
                       lift=f"{found.lift * 100:+.1f}"))
    else:
        lines.append(t("report.campaign_no_control"))
    return Html("\n".join(lines))
