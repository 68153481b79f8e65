"""Churn risk: customers who have gone quiet for much longer than they usually do.

A customer's usual gap is the median number of days between their consecutive orders when they
have enough orders (Rules.churn_min_orders), else the team's median of those usual gaps, else
Rules.churn_fallback_gap_days while the team has too little history. A customer is at risk when
the days since their last order exceed Rules.churn_multiple times their usual gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from crm_store.analytics import profiles
from crm_store.analytics import segments_sql as q
from crm_store.analytics.segment_rules import params_for
from crm_store.messaging.reminder_rules import rules_for
from crm_store.models import Contact, Feedback, FeedbackKind, ProfileRow, Team
from crm_store.sql import select_columns, table_of

GAP, COMPLAINT_OPEN, LOW_CSAT = "gap", "complaint_open", "low_csat"  # reason codes
TEAM_MIN_CUSTOMERS = 3  # customers with their own usual gap needed for a team median
VALUE_WINDOW = timedelta(days=365)
GAP_POINTS_LOW, GAP_POINTS_HIGH = 20, 60  # at the threshold, and as the silence grows
REASON_POINTS = 20  # for an open complaint, and for a low CSAT
MIN_GAP_DAYS = 1.0  # several orders on one day must not make the usual gap zero
DAY_SECONDS = 86_400
LIMIT_SPARE = 100  # rows read past a limit, so ties in value are still ranked by score


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


def score(ratio: float, multiple: float, reasons: tuple[str, ...]) -> int:
    """0–100: rises with the silence beyond the threshold, an open complaint and a low CSAT."""
    beyond = 1 - multiple / ratio if ratio > 0 else 0.0
    points = GAP_POINTS_LOW + (GAP_POINTS_HIGH - GAP_POINTS_LOW) * max(beyond, 0.0)
    points += REASON_POINTS * sum(code in (COMPLAINT_OPEN, LOW_CSAT) for code in reasons)
    return min(round(points), 100)


# Complaints and ratings are few next to customers: the team's are read whole and matched in
# Python, rather than binding thousands of quiet customers' ids into an IN list.
def _open_complaints(session: Session, team_id: int, contact_ids: list[int]) -> set[int]:
    rows = session.exec(
        select(Feedback.contact_id).where(
            Feedback.team_id == team_id, Feedback.kind == FeedbackKind.COMPLAINT,
            Feedback.status == "open")
    ).all()
    return set(rows) & set(contact_ids)


def _low_csat(session: Session, team_id: int, contact_ids: list[int], low: int) -> set[int]:
    """Customers whose latest CSAT score is `low` or below."""
    rows = session.exec(
        select(Feedback.contact_id, Feedback.csat).where(
            Feedback.team_id == team_id, col(Feedback.csat).is_not(None))
        .order_by(col(Feedback.contact_id), col(Feedback.created_at), col(Feedback.id))
    ).all()
    latest = {contact_id: csat for contact_id, csat in rows}  # the last one per contact wins
    return {contact_id for contact_id, csat in latest.items()
            if csat is not None and csat <= low} & set(contact_ids)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def at_risk(
    session: Session, team_id: int, now: datetime, *, owner_ids: set[int] | None = None,
    limit: int | None = None,
) -> list[ChurnRisk]:
    """Customers at risk of churning (only those of `owner_ids`, if given), most value first.

    With `limit`, only the first `limit` of that order (a report's table).

    The gaps are medians computed in SQL (crm_store/segments_sql.py), from a big team's stored
    profiles when it has them (crm_store/profiles.py); only the quiet customers reach Python.
    """
    team = session.get(Team, team_id)
    if team is None:
        return []
    rules = rules_for(team)
    p = params_for(session, team, now)
    snapshot_id = profiles.source(session, p).snapshot_id
    stored = snapshot_id is not None
    s = table_of(ProfileRow).c if stored else q.churn_facts(p, owner_ids).c
    usual_gap = func.coalesce(s.own_gap, s.team_gap)
    stmt = select_columns(
        s.contact_id, s.last_at, usual_gap.label("usual"), s.orders, s.value_365, Contact.name,
        Contact.owner_id).join(Contact, col(Contact.id) == s.contact_id).where(
        s.last_at.is_not(None),
        q.days_between(s.last_at, q.at(now)) > usual_gap * rules.churn_multiple)
    if stored:  # today's contacts: live, visible, their current owner
        stmt = stmt.where(s.snapshot_id == snapshot_id, col(Contact.deleted_at).is_(None))
        if owner_ids is not None:
            stmt = stmt.where(col(Contact.owner_id).in_(sorted(owner_ids) or [0]))
    spare = LIMIT_SPARE if limit is not None else 0
    quiet = profiles.run(session, stmt if limit is None else stmt.order_by(
        s.value_365.desc(), s.contact_id).limit(limit + spare))
    if limit is not None and len(quiet) == limit + spare and (
            quiet[limit - 1].value_365 == quiet[-1].value_365):  # ties past the spare rows
        quiet = profiles.run(session, stmt.where(s.value_365 >= quiet[-1].value_365))
    multiple = rules.churn_multiple
    silent = [(row, (now - _aware(row.last_at)).total_seconds() / DAY_SECONDS) for row in quiet]
    rows = [(row, days) for row, days in silent if days > multiple * row.usual]
    ids = [row.contact_id for row, _ in rows]
    complaints = _open_complaints(session, team_id, ids)
    unhappy = _low_csat(session, team_id, ids, rules.churn_low_csat)
    risks = []
    for row, days_since in rows:
        reasons = (GAP,) + ((COMPLAINT_OPEN,) if row.contact_id in complaints else ()) + (
            (LOW_CSAT,) if row.contact_id in unhappy else ())
        ratio = days_since / row.usual
        risks.append(ChurnRisk(
            contact_id=row.contact_id, contact_name=row.name, owner_id=row.owner_id,
            days_since=int(days_since), usual_gap_days=round(row.usual), ratio=round(ratio, 2),
            score=score(ratio, rules.churn_multiple, reasons), reasons=reasons,
            value_minor=int(row.value_365), orders=int(row.orders), last_order_at=row.last_at))
    risks.sort(key=lambda r: (-r.value_minor, -r.score, r.contact_id))
    return risks if limit is None else risks[:limit]
