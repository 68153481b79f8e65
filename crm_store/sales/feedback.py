"""Feedback: complaints, praise, suggestions, questions, CSAT/NPS scores, and their resolution."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.contacts.contacts import get_contact
from crm_store.contacts.normalize import clean_text
from crm_store.errors import Invalid, NotFound
from crm_store.models import Contact, Feedback, FeedbackKind, Member
from crm_store.team.members import can_see_owner, visible_owner_ids

SEVERITIES = ("low", "medium", "high", "critical")
OPEN, RESOLVED, CLOSED = "open", "resolved", "closed"  # ratings are stored closed: nothing to do
CSAT_RANGE = (1, 5)
NPS_RANGE = (0, 10)
MAX_TEXT = 4000
MAX_RESOLUTION = 2000
_AUDITED = ("contact_id", "owner_id", "kind", "severity", "status", "csat", "nps",
            "first_response_at", "resolved_at", "resolution")


@dataclass
class ComplaintRow:
    """One open complaint as the complaints list shows it."""

    feedback: Feedback
    contact_name: str
    owner_name: str


@dataclass
class ComplaintPage:
    """A page of open complaints, oldest first, and how many there are in all."""

    rows: list[ComplaintRow]
    total: int
    offset: int
    limit: int


@dataclass
class ContactFeedback:
    """What the contact card shows about feedback: open complaints and the latest scores."""

    open_complaints: list[Feedback] = field(default_factory=list)
    latest_csat: Feedback | None = None
    latest_nps: Feedback | None = None


def _utc(at: datetime | None) -> datetime:
    """Return `at` (or now) as an aware UTC time; naive times are a programming error."""
    at = at or utcnow()
    if at.utcoffset() is None:
        raise ValueError("feedback times must be timezone-aware")
    return at.astimezone(UTC)


def check_score(kind: str, score: int) -> int:
    """Return `score` if it lies in the CSAT (1–5) or NPS (0–10) range, else raise Invalid."""
    low, high = CSAT_RANGE if kind == "csat" else NPS_RANGE
    if not low <= score <= high:
        raise Invalid(f"feedback.{kind}_range", value=score)
    return score


def log_feedback(
    session: Session, *, actor: Member, contact_id: int, kind: FeedbackKind, text: str,
    severity: str | None = None, at: datetime | None = None,
) -> Feedback:
    """Record what a visible contact told us; a complaint needs a severity."""
    if kind == FeedbackKind.RATING:
        raise Invalid("feedback.usage")
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    body = clean_text(text, limit=MAX_TEXT + 1, multiline=True)
    if not body:
        raise Invalid("feedback.need_text")
    if len(body) > MAX_TEXT:
        raise Invalid("error.text_too_long", limit=MAX_TEXT)
    if kind == FeedbackKind.COMPLAINT and severity not in SEVERITIES:
        raise Invalid("feedback.bad_severity")
    return _add(session, actor, contact, kind=kind, text=body,
                severity=severity if kind == FeedbackKind.COMPLAINT else None, status=OPEN,
                created_at=_utc(at))


def rate_csat(
    session: Session, *, actor: Member, contact_id: int, score: int, at: datetime | None = None
) -> Feedback:
    """Store a customer-satisfaction score (1–5) for a visible contact."""
    check_score("csat", score)
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    return _add(session, actor, contact, kind=FeedbackKind.RATING, csat=score, status=CLOSED,
                created_at=_utc(at))


def rate_nps(
    session: Session, *, actor: Member, contact_id: int, score: int, at: datetime | None = None
) -> Feedback:
    """Store a net-promoter score (0–10) for a visible contact."""
    check_score("nps", score)
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    return _add(session, actor, contact, kind=FeedbackKind.RATING, nps=score, status=CLOSED,
                created_at=_utc(at))


def _add(
    session: Session, actor: Member, contact: Contact, *, kind: FeedbackKind, status: str,
    created_at: datetime, text: str = "", severity: str | None = None, csat: int | None = None,
    nps: int | None = None,
) -> Feedback:
    """Save feedback for `contact`: the contact's owner answers for it, `actor` logged it."""
    row = Feedback(team_id=contact.team_id, contact_id=contact.id or 0,
                   owner_id=contact.owner_id, member_id=actor.id or 0, kind=kind,
                   status=status, created_at=created_at, text=text, severity=severity,
                   csat=csat, nps=nps)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="feedback",
                 entity_id=row.id or 0, after=audit.snapshot(row, _AUDITED))
    return row


def get_feedback(
    session: Session, *, actor: Member, feedback_id: int, lock: bool = False
) -> Feedback:
    """Return feedback `actor` may see (its owner's or its contact's), or raise NotFound."""
    row = session.get(Feedback, feedback_id, with_for_update=lock)
    contact = session.get(Contact, row.contact_id) if row is not None else None
    if (
        row is None or contact is None or row.team_id != actor.team_id
        or contact.deleted_at is not None
        or not (can_see_owner(session, actor, row.owner_id)
                or can_see_owner(session, actor, contact.owner_id))
    ):
        raise NotFound("feedback.not_found", id=feedback_id)
    return row


def check_resolvable(
    session: Session, *, actor: Member, feedback_id: int, lock: bool = False
) -> Feedback:
    """Return visible, open feedback, or raise why it cannot be resolved."""
    row = get_feedback(session, actor=actor, feedback_id=feedback_id, lock=lock)
    if row.kind == FeedbackKind.RATING:
        raise Invalid("feedback.not_resolvable", id=feedback_id)
    if row.status != OPEN:
        raise Invalid("feedback.already_resolved", id=feedback_id)
    return row


def resolve(
    session: Session, *, actor: Member, feedback_id: int, text: str, at: datetime | None = None
) -> Feedback:
    """Close open feedback with a resolution; the first response is set if still missing."""
    body = clean_text(text, limit=MAX_RESOLUTION + 1, multiline=True)
    if not body:
        raise Invalid("feedback.need_resolution")
    if len(body) > MAX_RESOLUTION:
        raise Invalid("error.text_too_long", limit=MAX_RESOLUTION)
    row = check_resolvable(session, actor=actor, feedback_id=feedback_id, lock=True)
    before = audit.snapshot(row, _AUDITED)
    at = _utc(at)
    row.status, row.resolved_at, row.resolution = RESOLVED, at, body
    if row.first_response_at is None:
        row.first_response_at = at
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="feedback",
                 entity_id=row.id or 0, before=before, after=audit.snapshot(row, _AUDITED))
    return row


def note_response(
    session: Session, *, contact_id: int, at: datetime, actor: Member | None = None
) -> list[Feedback]:
    """Mark `at` as the first response on the contact's open feedback given before it."""
    at = _utc(at)
    stmt = (
        select(Feedback)
        .where(Feedback.contact_id == contact_id, Feedback.status == OPEN,
               col(Feedback.first_response_at).is_(None), col(Feedback.created_at) <= at)
        .order_by(col(Feedback.id))
        .with_for_update()
    )
    answered = list(session.exec(stmt))
    for row in answered:
        before = audit.snapshot(row, _AUDITED)
        row.first_response_at = at
        session.add(row)
        audit.record(session, actor=actor, action="update", entity="feedback",
                     entity_id=row.id or 0, before=before, after=audit.snapshot(row, _AUDITED))
    session.flush()
    return answered


def list_open_complaints(
    session: Session, *, actor: Member, offset: int = 0, limit: int = 10
) -> ComplaintPage:
    """Open complaints `actor` may see, oldest first, one page at a time."""
    owners = visible_owner_ids(session, actor)
    where = [col(Feedback.team_id) == actor.team_id, col(Feedback.kind) == FeedbackKind.COMPLAINT,
             col(Feedback.status) == OPEN, col(Contact.deleted_at).is_(None)]
    if owners is not None:
        where.append(or_(col(Feedback.owner_id).in_(owners), col(Contact.owner_id).in_(owners)))
    joined = col(Feedback.contact_id) == Contact.id
    total = session.exec(
        select(func.count()).select_from(Feedback).join(Contact, joined).where(*where)
    ).one()
    stmt = (
        select(Feedback, Contact.name, Member.display_name)
        .join(Contact, joined)
        .join(Member, col(Feedback.owner_id) == Member.id)
        .where(*where)
        .order_by(col(Feedback.created_at), col(Feedback.id))
        .offset(max(offset, 0))
        .limit(limit)
    )
    rows = [ComplaintRow(fb, name, owner) for fb, name, owner in session.exec(stmt)]
    return ComplaintPage(rows=rows, total=int(total), offset=max(offset, 0), limit=limit)


def for_contact(session: Session, *, actor: Member, contact_id: int) -> ContactFeedback:
    """Open complaints (oldest first) and the latest CSAT and NPS of a visible contact."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    base = select(Feedback).where(Feedback.contact_id == contact.id)
    complaints = session.exec(
        base.where(Feedback.kind == FeedbackKind.COMPLAINT, Feedback.status == OPEN)
        .order_by(col(Feedback.created_at), col(Feedback.id))
    ).all()
    newest = (col(Feedback.created_at).desc(), col(Feedback.id).desc())
    csat = session.exec(base.where(col(Feedback.csat).is_not(None)).order_by(*newest)).first()
    nps = session.exec(base.where(col(Feedback.nps).is_not(None)).order_by(*newest)).first()
    return ContactFeedback(open_complaints=list(complaints), latest_csat=csat, latest_nps=nps)
