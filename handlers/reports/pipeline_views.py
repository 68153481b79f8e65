"""Pipeline figures as text: /pipeline, /forecast, /funnel and /atrisk (figures in, HTML out)."""

from __future__ import annotations

from crm_store.analytics.churn import COMPLAINT_OPEN, GAP, LOW_CSAT
from crm_store.analytics.pipeline_stats import (
    LATER,
    NO_DATE,
    OVERDUE,
    AtRiskRow,
    Forecast,
    ForecastBucket,
    Funnel,
    OwnerRow,
    StageRow,
)
from crm_store.money import format_money
from handlers.contacts.buttons import OpenContact
from handlers.deals.views import stage_name
from handlers.i18n import Html, Translator
from handlers.reports.buttons import AtRiskPage
from handlers.types import Button

PAGE = 10
LABEL = 60


def percent(rate: float) -> str:
    """0.625 → '62.5%', 0.4 → '40%'."""
    return f"{rate * 100:.1f}".removesuffix(".0") + "%"


def days_text(days: float) -> str:
    """45.0 → '45', 12.25 → '12.3'."""
    return f"{days:.1f}".removesuffix(".0")


def _figures(t: Translator, key: str, row: StageRow | OwnerRow, currency: str,
             **params: object) -> Html:
    return t(key, count=row.count, amount=format_money(row.amount_minor, currency),
             weighted=format_money(row.weighted_minor, currency), **params)


def pipeline(rows: list[StageRow], owners: list[OwnerRow], owner: str | None, currency: str,
             t: Translator) -> Html:
    """Open deals per stage with totals; per owner below when `owners` is given."""
    count, amount = sum(r.count for r in rows), sum(r.amount_minor for r in rows)
    weighted = sum(r.weighted_minor for r in rows)
    if not count:
        return t("pipeline.empty_owner", owner=owner) if owner else t("pipeline.empty")
    title = t("pipeline.title_owner" if owner else "pipeline.title", owner=owner or "",
              count=count, amount=format_money(amount, currency),
              weighted=format_money(weighted, currency))
    lines: list[str] = [title]
    for row in rows:
        stage = stage_name(row.stage, t)
        if not row.count:
            lines.append(t("pipeline.stage_empty", stage=stage, probability=row.probability))
            continue
        key = "pipeline.stage_line" if row.known else "pipeline.stage_removed"
        lines.append(_figures(t, key, row, currency, stage=stage, probability=row.probability))
    if owners:
        lines += ["", t("pipeline.by_owner")]
        lines += [_figures(t, "pipeline.owner_line", o, currency, owner=o.owner) for o in owners]
    return Html("\n".join([*lines, "", t("pipeline.footer")]))


def bucket_name(bucket: ForecastBucket, t: Translator) -> str:
    """'Overdue', '2024-10' / '2024年10月', 'Later', 'No close date'."""
    if bucket.month is not None:
        return t.plain("forecast.month", year=bucket.month.year, month=f"{bucket.month.month:02d}")
    return t.plain({OVERDUE: "forecast.overdue", LATER: "forecast.later",
                    NO_DATE: "forecast.no_date"}[bucket.key])


def forecast(found: Forecast, owner: str | None, currency: str, t: Translator) -> Html:
    """Buckets by expected close month (empty months shown, empty other buckets left out)."""
    if not found.total("count"):
        return t("forecast.empty")
    lines: list[str] = [t("forecast.title_owner", owner=owner) if owner else t("forecast.title")]
    for bucket in found.buckets:
        name = bucket_name(bucket, t)
        if bucket.count:
            lines.append(t("forecast.line", bucket=name, count=bucket.count,
                           weighted=format_money(bucket.weighted_minor, currency),
                           best=format_money(bucket.best_case_minor, currency),
                           committed=format_money(bucket.committed_minor, currency)))
        elif bucket.month is not None:
            lines.append(t("forecast.line_empty", bucket=name))
    lines += ["", t("forecast.total", count=found.total("count"),
                    weighted=format_money(found.total("weighted_minor"), currency),
                    best=format_money(found.total("best_case_minor"), currency),
                    committed=format_money(found.total("committed_minor"), currency)),
              t("forecast.footer", stage=stage_name(found.commit_stage, t))]
    return Html("\n".join(lines))


def funnel(found: Funnel, currency: str, t: Translator) -> Html:
    """Reached and moved-on per stage, win rate, cycle, velocity and how velocity is computed."""
    if not any(s.reached for s in found.stages) and not found.won + found.lost:
        return t("funnel.empty", days=found.days)
    lines: list[str] = [t("funnel.title", days=found.days)]
    for stage in found.stages:
        name = stage_name(stage.stage, t)
        if stage is found.stages[-1]:
            lines.append(t("funnel.won_line", stage=name, reached=stage.reached))
        elif stage.rate is None:
            lines.append(t("funnel.stage_none", stage=name))
        else:
            lines.append(t("funnel.stage_line", stage=name, reached=stage.reached,
                           rate=percent(stage.rate), moved=stage.moved_on))
    lines.append("")
    if found.win_rate is None:
        lines.append(t("funnel.win_rate_none"))
    else:
        lines.append(t("funnel.win_rate", rate=percent(found.win_rate), won=found.won,
                       closed=found.won + found.lost))
    if found.avg_won_minor is not None:
        lines.append(t("funnel.avg_won", amount=format_money(found.avg_won_minor, currency)))
    lines.append(t("funnel.cycle", days=days_text(found.avg_cycle_days))
                 if found.avg_cycle_days is not None else t("funnel.cycle_none"))
    lines.append(t("funnel.open", count=found.open_deals))
    per_day, per_month = found.velocity_per_day_minor, found.velocity_per_month_minor
    if per_day is None or per_month is None:
        lines += [t("funnel.velocity_none"), "", t("funnel.footer")]
        return Html("\n".join(lines))
    lines += [t("funnel.velocity", per_day=format_money(per_day, currency),
                per_month=format_money(per_month, currency)), "", t("funnel.footer"),
              t("funnel.footer_numbers", open=found.open_deals,
                avg_won=format_money(found.avg_won_minor or 0, currency),
                rate=percent(found.win_rate or 0),
                days=days_text(max(found.avg_cycle_days or 0, 1.0)))]
    return Html("\n".join(lines))


def pages(total: int) -> int:
    """How many pages of PAGE rows `total` rows fill (at least one)."""
    return max((total + PAGE - 1) // PAGE, 1)


def _reasons(row: AtRiskRow, t: Translator) -> str:
    words = {GAP: t("atrisk.reason_gap", days=row.risk.days_since,
                    usual=row.risk.usual_gap_days),
             COMPLAINT_OPEN: t("atrisk.reason_complaint"),
             LOW_CSAT: t("atrisk.reason_csat", low=row.low_csat)}
    return " · ".join(words[code] for code in row.risk.reasons if code in words)


def at_risk(rows: list[AtRiskRow], page: int, currency: str, t: Translator) -> Html:
    """One page of customers at risk, with owner, value at risk and reasons in words."""
    if not rows:
        return t("atrisk.empty")
    total = sum(r.risk.value_minor for r in rows)
    lines: list[str] = [t("atrisk.title", count=len(rows), value=format_money(total, currency),
                          page=page, pages=pages(len(rows)))]
    first = (page - 1) * PAGE
    for number, row in enumerate(rows[first : first + PAGE], first + 1):
        lines.append(t("atrisk.line", number=number, name=row.risk.contact_name, owner=row.owner,
                       value=format_money(row.risk.value_minor, currency),
                       score=row.risk.score))
        lines.append(f"   {_reasons(row, t)}")
    return Html("\n".join([*lines, "", t("atrisk.footer")]))


def at_risk_buttons(rows: list[AtRiskRow], page: int, t: Translator) -> list[list[Button]]:
    """A card button per customer on the page, then Previous / Next."""
    first = (page - 1) * PAGE
    shown = rows[first : first + PAGE]
    cards = [Button(f"👤 {r.risk.contact_name}"[:LABEL], OpenContact(r.risk.contact_id).pack())
             for r in shown]
    grid = [cards[i : i + 2] for i in range(0, len(cards), 2)]
    nav = []
    if page > 1:
        nav.append(Button(t.plain("atrisk.button_prev"), AtRiskPage(page - 1).pack()))
    if page < pages(len(rows)):
        nav.append(Button(t.plain("atrisk.button_next"), AtRiskPage(page + 1).pack()))
    return grid + ([nav] if nav else [])
