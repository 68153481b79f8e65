"""Text views of loyalty: a customer's points and tier, ledger lines, coupons."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from crm_store.models import Coupon, LoyaltyEntry
from crm_store.money import format_money
from crm_store.outreach.loyalty import EARNED, OVERRIDE, Standing
from handlers.i18n import CATALOGS, Html, Translator
from handlers.orders.views import local_date


def tier_name(tier: str | None, t: Translator) -> str:
    """A tier's name in the member's language (a team's own tier names as they are)."""
    if tier is None:
        return t.plain("loyalty.tier.none")
    key = f"loyalty.tier.{tier}"
    return t.plain(key) if key in CATALOGS["en"] else tier


def signed(delta: int) -> str:
    """+200 / -50."""
    return f"+{delta}" if delta > 0 else str(delta)


def points_changed(entry: LoyaltyEntry, name: str, t: Translator) -> Html:
    """The receipt for a points change."""
    key = "points.overridden" if entry.kind == OVERRIDE else "points.changed"
    return t(key, name=name, delta=signed(entry.delta), reason=entry.reason,
             balance=entry.balance_after)


def _entry(entry: LoyaltyEntry, t: Translator, tz: ZoneInfo) -> Html:
    key = "points.entry_order" if entry.kind == EARNED else "points.entry"
    return t(key, date=local_date(entry.created_at, tz), delta=signed(entry.delta),
             reason=entry.reason)


def coupon_line(coupon: Coupon, t: Translator, tz: ZoneInfo) -> Html:
    """One open coupon: code, value, last day."""
    return t("loyalty.card_coupon", code=coupon.code,
             value=format_money(coupon.value_minor, coupon.currency),
             date=local_date(coupon.expires_at, tz))


def standing(found: Standing, name: str, t: Translator, tz: ZoneInfo) -> Html:
    """/points name: balance, tier, the next tier, latest ledger lines, open coupons."""
    lines: list[str] = [t("points.title", name=name, points=found.points)]
    lines.append(t("points.tier", tier=tier_name(found.tier, t)) if found.tier
                 else t("points.no_tier"))
    if found.next_tier:
        lines.append(t("points.next_tier", missing=found.next_tier[1],
                       tier=tier_name(found.next_tier[0], t)))
    lines.append("")
    lines += [_entry(e, t, tz) for e in found.recent] or [t("points.no_entries")]
    if found.coupons:
        lines.append("")
        lines += [coupon_line(c, t, tz) for c in found.coupons]
    return Html("\n".join(lines))


def card_section(found: Standing, t: Translator, tz: ZoneInfo) -> Html:
    """The contact card's loyalty lines: points, tier, open coupons."""
    lines = [t("loyalty.card", points=found.points, tier=tier_name(found.tier, t))]
    lines += [coupon_line(c, t, tz) for c in found.coupons]
    return Html("\n".join(lines))


def coupon_list(found: Standing, name: str, t: Translator, tz: ZoneInfo) -> Html:
    """/coupon name: the customer's open coupons."""
    if not found.coupons:
        return t("coupon.none", name=name)
    lines = [t("coupon.list_title", name=name)]
    lines += [coupon_line(c, t, tz) for c in found.coupons]
    return Html("\n".join(lines))
