"""Text views of segments: the /segments summary, a group's customers, the card section."""

from __future__ import annotations

from collections.abc import Callable

from crm_store.analytics.segments import (
    NONE,
    CustomerPage,
    CustomerProfile,
    GroupFigure,
    SegmentFilters,
    SegmentSummary,
)
from crm_store.money import format_money
from handlers.i18n import Html, Translator
from handlers.types import Button

ActionFor = Callable[[str, str], str]  # (group, key) → callback data listing that group


def percent(share: float | None) -> str:
    """0.8004 → '80.0%'; None → '—'."""
    return "—" if share is None else f"{share * 100:.1f}%"


def group_label(group: str, key: str, t: Translator) -> str:
    """The name of a segment, tier, class or stage in the member's language."""
    return t.plain(f"segments.{group}_{key.lower()}")


def filters_text(filters: SegmentFilters, owner_name: str | None, t: Translator) -> str:
    """'city 上海 · industry 制造' (plain text; the caller escapes it)."""
    parts = [t.plain(f"segments.f_{name}", value=value) for name, value in (
        ("city", filters.city), ("industry", filters.industry), ("tag", filters.tag),
        ("owner", owner_name)) if value]
    if filters.stage:
        parts.append(t.plain("segments.f_stage", value=group_label("stage", filters.stage, t)))
    return " · ".join(parts)


def summary(data: SegmentSummary, filters: str, t: Translator, as_of: str = "") -> Html:
    """RFM segments with revenue, ABC tiers and shares, value classes, lifecycle stages.

    `as_of` is the local time of a big team's stored profiles ("" when computed now).
    """
    cur = data.currency
    lines: list[str] = [t("segments.title")]
    if filters:
        lines.append(t("segments.filters", filters=filters))
    if as_of:
        lines.append(t("segments.as_of", time=as_of))
    lines += [t("segments.customers", count=data.customers, days=data.window_days), "",
              t("segments.rfm_title")]
    lines += [t("segments.rfm_line", label=group_label("rfm", s.key, t), count=s.customers,
                revenue=format_money(s.revenue_minor, cur))
              for s in data.rfm.segments if s.customers]
    if not data.rfm.buyers:
        lines.append(t("segments.no_buyers", days=data.window_days))
    lines += [t("segments.no_purchases", count=data.rfm.no_purchases), "",
              t("segments.abc_title")]
    lines += [t("segments.tier_line", tier=tier.key, count=tier.customers,
                share=percent(tier.share)) for tier in data.abc.tiers]
    lines.append(t("segments.top_share", count=data.abc.top_customers,
                   share=percent(data.abc.top_share)))
    strategic, general = (c.customers for c in data.classes)
    lines += ["", t("segments.value_title", threshold=data.strategic_threshold),
              t("segments.value_line", strategic=strategic, general=general), "",
              t("segments.stage_title")]
    lines.append(" · ".join(t("segments.stage_count", label=group_label("stage", s.key, t),
                              count=s.customers) for s in data.stages))
    return Html("\n".join(lines))


def _buttons(group: str, figures: list[GroupFigure], per_row: int, action: ActionFor,
             t: Translator) -> list[list[Button]]:
    found = [Button(t.plain("segments.button_group", label=group_label(group, f.key, t),
                            count=f.customers)[:60], action(group, f.key))
             for f in figures if f.customers]
    return [found[i:i + per_row] for i in range(0, len(found), per_row)]


def summary_buttons(data: SegmentSummary, action: ActionFor, t: Translator) -> list[list[Button]]:
    """One button per non-empty group, listing its customers."""
    none = GroupFigure(NONE, data.rfm.no_purchases)
    return [*_buttons("rfm", [*data.rfm.segments, none], 2, action, t),
            *_buttons("tier", data.abc.tiers, 3, action, t),
            *_buttons("class", data.classes, 2, action, t),
            *_buttons("stage", data.stages, 3, action, t)]


def _details(row: CustomerProfile, t: Translator) -> str:
    if row.r is None:
        return t.plain("segments.stage_short", stage=group_label("stage", row.stage, t))
    return t.plain("segments.list_details", r=row.r, f=row.f, m=row.m, tier=row.tier,
                   score=row.score, stage=group_label("stage", row.stage, t))


def customer_page(page: CustomerPage, group: str, key: str, t: Translator) -> Html:
    """One page of a group's customers: name, owner, revenue in the window, scores, stage."""
    pages = max(1, -(-page.total // page.limit))
    lines = [t("segments.list_title", label=group_label(group, key, t), count=page.total,
               page=page.offset // page.limit + 1, pages=pages)]
    lines += [t("segments.list_line", n=number, name=row.name, owner=row.owner_name,
                revenue=format_money(row.revenue_minor, page.currency),
                details=_details(row, t))
              for number, row in enumerate(page.rows, page.offset + 1)]
    return Html("\n".join(lines))


def card_section(profile: CustomerProfile, window_days: int, t: Translator) -> Html:
    """The card's segment block: RFM segment and scores, tier, value score, lifecycle stage."""
    lines = [t("segments.card_title")]
    if profile.r is None:
        lines.append(t("segments.card_no_purchases", days=window_days))
    else:
        lines.append(t("segments.card_rfm", segment=group_label("rfm", profile.segment, t),
                       r=profile.r, f=profile.f, m=profile.m, tier=profile.tier))
        lines.append(t("segments.card_value", score=profile.score,
                       klass=group_label("class", profile.klass, t)))
    lines.append(t("segments.card_stage", stage=group_label("stage", profile.stage, t)))
    return Html("\n".join(lines))
