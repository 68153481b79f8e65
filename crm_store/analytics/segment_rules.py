"""A team's segmentation rules: the RFM table, its settings, and the SQL's parameters.

The rules are written down in docs/SEGMENTS.md. Profiles, segments and churn all read a team's
parameters from here (crm_store.analytics.segments holds the questions asked of them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from crm_store.analytics import segments_sql as q
from crm_store.messaging.reminder_rules import rules_for
from crm_store.models import Team

# RFM rule table: (segment, boxes of (R from, R to, FM from, FM to)), FM = the average of the F
# and M scores with halves rounded up. Every one of the 25 (R, FM) cells lies in exactly one box.
RFM_RULES: tuple[tuple[str, tuple[tuple[int, int, int, int], ...]], ...] = (
    ("champions", ((5, 5, 4, 5),)),
    ("loyal", ((3, 4, 4, 5),)),
    ("potential_loyalist", ((4, 5, 2, 3),)),
    ("new", ((5, 5, 1, 1),)),
    ("promising", ((4, 4, 1, 1),)),
    ("need_attention", ((3, 3, 3, 3),)),
    ("about_to_sleep", ((3, 3, 1, 2),)),
    ("at_risk", ((1, 2, 3, 4),)),
    ("cannot_lose", ((1, 2, 5, 5),)),
    ("hibernating", ((2, 2, 1, 2), (1, 1, 2, 2))),
    ("lost", ((1, 1, 1, 1),)),
)
DEFAULT_WINDOW_DAYS, WINDOW_DAYS_RANGE = 365, (30, 3650)
DEFAULT_WEIGHTS = {"margin": 0.30, "volume": 0.15, "cost_to_serve": 0.15,  # current value
                   "relationship": 0.15, "satisfaction": 0.15, "industry_position": 0.10}
DEFAULT_STRATEGIC = 70


def segment_of(r: int, f: int, m: int) -> str:
    """The RFM segment of scores 1–5, by RFM_RULES (the SQL CASE is built from the same table)."""
    fm = (f + m + 1) // 2
    for key, boxes in RFM_RULES:
        if any(r1 <= r <= r2 and f1 <= fm <= f2 for r1, r2, f1, f2 in boxes):
            return key
    raise ValueError(f"no segment for R{r} F{f} M{m}")


@dataclass(frozen=True)
class SegmentSettings:
    """A team's segmentation settings: Team.settings overrides on top of the defaults."""

    window_days: int = DEFAULT_WINDOW_DAYS
    weights: tuple[tuple[str, float], ...] = tuple(DEFAULT_WEIGHTS.items())
    strategic_threshold: int = DEFAULT_STRATEGIC


def _number(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def settings_for(team: Team) -> SegmentSettings:
    """Read "rfm_window_days", "value_weights" and "strategic_threshold"; ignore bad values."""
    raw = team.settings or {}
    window = _number(raw.get("rfm_window_days"), *WINDOW_DAYS_RANGE)
    threshold = _number(raw.get("strategic_threshold"), 0, 100)
    weights = dict(DEFAULT_WEIGHTS)
    given = raw.get("value_weights")
    if isinstance(given, dict):
        for name in weights:
            weight = _number(given.get(name), 0, 1000)
            if weight is not None:
                weights[name] = weight
    if sum(weights.values()) <= 0:
        weights = dict(DEFAULT_WEIGHTS)
    return SegmentSettings(int(window) if window else DEFAULT_WINDOW_DAYS, tuple(weights.items()),
                           round(threshold) if threshold is not None else DEFAULT_STRATEGIC)


def params_for(session: Session, team: Team, now: datetime) -> q.Params:
    """The SQL parameters of `team`'s segmentation as at `now`."""
    rules, settings = rules_for(team), settings_for(team)
    return q.Params(team_id=team.id or 0, now=now, window_days=settings.window_days,
                    weights=settings.weights, churn_multiple=float(rules.churn_multiple),
                    churn_min_orders=int(rules.churn_min_orders),
                    churn_fallback_gap_days=float(rules.churn_fallback_gap_days),
                    segment_rules=RFM_RULES, strategic_threshold=settings.strategic_threshold,
                    correlated=session.get_bind().dialect.name == "sqlite")
