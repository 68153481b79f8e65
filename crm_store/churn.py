"""Churn risk: customers who have gone quiet for much longer than they usually do.

A customer's usual gap is the median number of days between their consecutive orders when they
have enough orders (Rules.churn_min_orders), else the team's median of those usual gaps, else
Rules.churn_fallback_gap_days while the team has too little history. A customer is at risk when
the days since their last order exceed Rules.churn_multiple times their usual gap.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlmodel import Session, col, select

from crm_store.models import Contact, Feedback, FeedbackKind, Order, Team
from crm_store.reminder_rules import Rules, rules_for

GAP, COMPLAINT_OPEN, LOW_CSAT = "gap", "complaint_open", "low_csat"  # reason codes
TEAM_MIN_CUSTOMERS = 3  # customers with their own usual gap needed for a team median
VALUE_WINDOW = timedelta(days=365)
GAP_POINTS_LOW, GAP_POINTS_HIGH = 20, 60  # at the threshold, and as the silence grows
REASON_POINTS = 20  # for an open complaint, and for a low CSAT
MIN_GAP_DAYS = 1.0  # several orders on one day must not make the usual gap zero
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class ChurnRisk:
    """A customer at risk of churning, why, and how much revenue is at stake."""

    contact_id: int
    contact_name: str
    owner_id: int
    days_since: int  # since the last order
    usual_gap_days: int
    ratio: float  # days since / usual gap
    score: int  # 0–100, higher is more urgent
    reasons: tuple[str, ...]  # GAP, COMPLAINT_OPEN, LOW_CSAT
    value_minor: int  # revenue over the last 365 days
    orders: int
    last_order_at: datetime


@dataclass(frozen=True)
class _History:
    """One customer's orders: when, and for how much."""

    times: list[datetime]
    amounts: list[int]

    def gaps(self) -> list[float]:
        """Days between consecutive orders."""
        return [(b - a).total_seconds() / DAY_SECONDS
                for a, b in zip(self.times, self.times[1:], strict=False)]


def _histories(session: Session, team_id: int) -> dict[int, _History]:
    """Orders of the team's live customers (cancelled and deleted ones left out), oldest first."""
    rows = session.exec(
        select(Order.contact_id, Order.ordered_at, Order.amount_minor)
        .join(Contact, col(Order.contact_id) == Contact.id)
        .where(Order.team_id == team_id, col(Order.deleted_at).is_(None),
               Order.status != "cancelled", col(Contact.deleted_at).is_(None))
        .order_by(col(Order.contact_id), col(Order.ordered_at), col(Order.id))
    ).all()
    found: dict[int, _History] = defaultdict(lambda: _History([], []))
    for contact_id, ordered_at, amount in rows:
        found[contact_id].times.append(ordered_at)
        found[contact_id].amounts.append(amount)
    return found


def _own_gap(history: _History, rules: Rules) -> float | None:
    """The customer's median gap in days, when they have enough orders to tell."""
    if len(history.times) < max(rules.churn_min_orders, 2):
        return None
    return max(median(history.gaps()), MIN_GAP_DAYS)


def team_gap(histories: dict[int, _History], rules: Rules) -> float:
    """The team's usual gap: the median of customers' own gaps, or the configured fallback."""
    own = [gap for h in histories.values() if (gap := _own_gap(h, rules)) is not None]
    if len(own) < TEAM_MIN_CUSTOMERS:
        return float(rules.churn_fallback_gap_days)
    return max(median(own), MIN_GAP_DAYS)


def score(ratio: float, multiple: float, reasons: tuple[str, ...]) -> int:
    """0–100: rises with the silence beyond the threshold, an open complaint and a low CSAT."""
    beyond = 1 - multiple / ratio if ratio > 0 else 0.0
    points = GAP_POINTS_LOW + (GAP_POINTS_HIGH - GAP_POINTS_LOW) * max(beyond, 0.0)
    points += REASON_POINTS * sum(code in (COMPLAINT_OPEN, LOW_CSAT) for code in reasons)
    return min(round(points), 100)


def _open_complaints(session: Session, team_id: int, contact_ids: list[int]) -> set[int]:
    rows = session.exec(
        select(Feedback.contact_id).where(
            Feedback.team_id == team_id, Feedback.kind == FeedbackKind.COMPLAINT,
            Feedback.status == "open", col(Feedback.contact_id).in_(contact_ids))
    ).all()
    return set(rows)


def _low_csat(session: Session, team_id: int, contact_ids: list[int], low: int) -> set[int]:
    """Customers whose latest CSAT score is `low` or below."""
    rows = session.exec(
        select(Feedback.contact_id, Feedback.csat).where(
            Feedback.team_id == team_id, col(Feedback.csat).is_not(None),
            col(Feedback.contact_id).in_(contact_ids))
        .order_by(col(Feedback.contact_id), col(Feedback.created_at), col(Feedback.id))
    ).all()
    latest = {contact_id: csat for contact_id, csat in rows}  # the last one per contact wins
    return {contact_id for contact_id, csat in latest.items() if csat <= low}


def at_risk(
    session: Session, team_id: int, now: datetime, *, owner_ids: set[int] | None = None
) -> list[ChurnRisk]:
    """Customers at risk of churning (only those of `owner_ids`, if given), most value first."""
    team = session.get(Team, team_id)
    if team is None:
        return []
    rules = rules_for(team)
    histories = _histories(session, team_id)
    fallback = team_gap(histories, rules)
    quiet: dict[int, tuple[float, float]] = {}
    for contact_id, history in histories.items():
        usual = _own_gap(history, rules) or fallback
        days_since = (now - history.times[-1]).total_seconds() / DAY_SECONDS
        if days_since > rules.churn_multiple * usual:
            quiet[contact_id] = (days_since, usual)
    if not quiet:
        return []
    contacts = session.exec(
        select(Contact.id, Contact.name, Contact.owner_id)
        .where(col(Contact.id).in_(list(quiet)))
    ).all()
    owned = [(cid, name, owner) for cid, name, owner in contacts
             if cid is not None and (owner_ids is None or owner in owner_ids)]
    ids = [cid for cid, _, _ in owned]
    complaints = _open_complaints(session, team_id, ids)
    unhappy = _low_csat(session, team_id, ids, rules.churn_low_csat)
    risks = []
    for contact_id, name, owner_id in owned:
        days_since, usual = quiet[contact_id]
        history = histories[contact_id]
        reasons = (GAP,) + ((COMPLAINT_OPEN,) if contact_id in complaints else ()) + (
            (LOW_CSAT,) if contact_id in unhappy else ())
        ratio = days_since / usual
        value = sum(amount for at, amount in zip(history.times, history.amounts, strict=True)
                    if at > now - VALUE_WINDOW)
        risks.append(ChurnRisk(
            contact_id=contact_id, contact_name=name, owner_id=owner_id,
            days_since=int(days_since), usual_gap_days=round(usual), ratio=round(ratio, 2),
            score=score(ratio, rules.churn_multiple, reasons), reasons=reasons,
            value_minor=value, orders=len(history.times), last_order_at=history.times[-1]))
    return sorted(risks, key=lambda r: (-r.value_minor, -r.score, r.contact_id))
