"""Per-team reminder rules: defaults here, overrides in Team.settings."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from crm_store.models import Team

# Care dates every Chinese sales team marks besides the statutory holidays (holidays package):
# month-day for solar dates, "lunar:month-day" for lunar ones.
DEFAULT_CARE_DATES = (
    {"date": "lunar:01-01", "name": "Spring Festival"},
    {"date": "lunar:08-15", "name": "Mid-Autumn"},
    {"date": "06-18", "name": "618"},
    {"date": "11-11", "name": "Double 11"},
)


@dataclass(frozen=True)
class Rules:
    """What the producers need to know about one team."""

    sla_first_response_hours: int = 4
    sla_resolution_hours: int = 48
    churn_multiple: float = 2.0
    churn_min_orders: int = 3
    churn_fallback_gap_days: int = 60
    churn_low_csat: int = 2
    stale_days_default: int = 14
    overdue_nag_hour: int = 9
    care_hour: int = 9
    digest_hour_default: int = 18
    care_dates: tuple[dict[str, str], ...] = field(default=DEFAULT_CARE_DATES)


def rules_for(team: Team) -> Rules:
    """The team's rules: its overrides in Team.settings on top of the defaults."""
    known = {f.name for f in fields(Rules)}
    overrides: dict[str, Any] = {k: v for k, v in (team.settings or {}).items() if k in known}
    if "care_dates" in overrides:
        overrides["care_dates"] = tuple(overrides["care_dates"])
    return Rules(**overrides)
