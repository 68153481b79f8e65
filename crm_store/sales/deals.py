"""Deals: open, move through the pipeline with history, win, lose, list and show cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.clock import utcnow
from crm_store.contacts import search
from crm_store.contacts.contacts import get_contact
from crm_store.contacts.normalize import clean_text
from crm_store.errors import Invalid
from crm_store.models import Contact, Deal, DealStatus, Member, StageChange, Team
from crm_store.money import MAX_AMOUNT_MINOR
from crm_store.sales.pipeline import (
    LOST,
    WON,
    Stage,
    stages_for,
)
from crm_store.team.members import visible_or_not_found, visible_owner_ids

MAX_TITLE, MAX_REASON = 200, 300
_AUDITED = ("title", "amount_minor", "stage", "probability", "status", "expected_close",
            "lost_reason", "closed_at", "owner_id", "contact_id")


@dataclass(frozen=True)
class HistoryEntry:
    """One stage change of a deal, with the member's name."""

    from_stage: str | None
    to_stage: str
    member: str
    at: datetime


@dataclass
class DealCard:
    """Everything the deal card shows."""

    deal: Deal
    contact: Contact
    owner: str
    stage: Stage | None  # None: the team has removed the stage this deal sits in
    open_stages: list[Stage]
    history: list[HistoryEntry]


@dataclass
class StageGroup:
    """Open deals sitting in one stage, with their totals."""

    stage: Stage
    deals: list[Deal]
    known: bool = True  # False for a stage the team no longer has

    @property
    def total(self) -> int:
        """Sum of amounts, minor units."""
        return sum(d.amount_minor for d in self.deals)

    @property
    def weighted(self) -> int:
        """Sum of probability-weighted amounts, minor units."""
        return sum(weighted_amount(d) for d in self.deals)


def weighted_amount(deal: Deal) -> int:
    """Amount times the deal's probability (minor units, rounded down)."""
    return deal.amount_minor * deal.probability // 100


def _bounded(value: str, limit: int, empty_key: str, long_key: str) -> str:
    value = clean_text(value, limit=limit + 1)
    if not value:
        raise Invalid(empty_key)
    if len(value) > limit:
        raise Invalid(long_key, limit=limit)
    return value


def clean_title(title: str) -> str:
    """Return the title as stored, or raise Invalid when empty or too long."""
    return _bounded(title, MAX_TITLE, "deal.title_required", "deal.title_too_long")


def clean_reason(reason: str) -> str:
    """Return the lost reason as stored, or raise Invalid when empty or too long."""
    return _bounded(reason, MAX_REASON, "deal.reason_required", "deal.reason_too_long")


def create_deal(
    session: Session, *, actor: Member, contact_id: int, title: str, amount_minor: int,
    expected_close: date | None = None, now: datetime | None = None,
) -> Deal:
    """Open a deal owned by `actor` for a visible contact, in the pipeline's first stage."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    title = clean_title(title)
    if amount_minor <= 0:
        raise Invalid("deal.amount_zero" if amount_minor == 0 else "deal.amount_negative")
    if amount_minor > MAX_AMOUNT_MINOR:
        raise Invalid("error.amount_too_large", value=amount_minor // 100)
    now = now or utcnow()
    first = stages_for(session, actor.team_id)[0]
    team = session.get(Team, actor.team_id)
    deal = Deal(
        team_id=actor.team_id, owner_id=actor.id or 0, contact_id=contact.id or 0, title=title,
        amount_minor=amount_minor, currency=team.currency if team else "CNY", stage=first.key,
        probability=first.probability, expected_close=expected_close, stage_entered_at=now,
        last_activity_at=now, created_at=now, updated_at=now,
    )
    session.add(deal)
    session.flush()
    session.add(StageChange(team_id=deal.team_id, deal_id=deal.id or 0, from_stage=None,
                            to_stage=first.key, member_id=actor.id, at=now))
    audit.record(session, actor=actor, action="create", entity="deal",
                 entity_id=deal.id or 0, after=audit.snapshot(deal, _AUDITED))
    return deal


def get_deal(session: Session, *, actor: Member, deal_id: int) -> Deal:
    """Return a deal `actor` may see, or raise NotFound."""
    deal = session.get(Deal, deal_id)
    return visible_or_not_found(session, actor, deal, "deal.not_found")


def _open_deal(session: Session, actor: Member, deal_id: int) -> Deal:
    deal = get_deal(session, actor=actor, deal_id=deal_id)
    if deal.status != DealStatus.OPEN:
        raise Invalid("deal.closed")
    return deal


def _move(
    session: Session, actor: Member, deal: Deal, stage: Stage, now: datetime,
    **changes: object,
) -> Deal:
    session.add(StageChange(team_id=deal.team_id, deal_id=deal.id or 0,
                            from_stage=deal.stage, to_stage=stage.key, member_id=actor.id,
                            at=now))
    return _update(session, actor, deal, now, stage=stage.key, probability=stage.probability,
                   stage_entered_at=now, **changes)


def _update(
    session: Session, actor: Member, deal: Deal, now: datetime, **changes: object
) -> Deal:
    before = audit.snapshot(deal, _AUDITED)
    for name, value in changes.items():
        setattr(deal, name, value)
    deal.last_activity_at = deal.updated_at = now
    session.add(deal)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="deal",
                 entity_id=deal.id or 0, before=before, after=audit.snapshot(deal, _AUDITED))
    return deal


def move_stage(
    session: Session, *, actor: Member, deal_id: int, stage: str, now: datetime | None = None
) -> Deal:
    """Move an open deal to another open stage of its team's pipeline ('won' wins it)."""
    if stage == WON:
        return win(session, actor=actor, deal_id=deal_id, now=now)
    deal = _open_deal(session, actor, deal_id)
    target = next((s for s in stages_for(session, deal.team_id)
                   if s.is_open and s.key == stage), None)
    if target is None:
        raise Invalid("deal.unknown_stage", stage=stage[:30])
    if target.key == deal.stage:
        raise Invalid("deal.same_stage")
    return _move(session, actor, deal, target, now or utcnow())


def win(session: Session, *, actor: Member, deal_id: int, now: datetime | None = None
        ) -> Deal:
    """Mark an open deal won: stage 'won', probability 100, closed now."""
    deal = _open_deal(session, actor, deal_id)
    now = now or utcnow()
    return _move(session, actor, deal, Stage(WON, 100, 0), now, status=DealStatus.WON,
                 closed_at=now)


def lose(
    session: Session, *, actor: Member, deal_id: int, reason: str, now: datetime | None = None
) -> Deal:
    """Mark an open deal lost, with the reason: stage 'lost', probability 0, closed now."""
    deal = _open_deal(session, actor, deal_id)
    reason = clean_reason(reason)
    now = now or utcnow()
    return _move(session, actor, deal, Stage(LOST, 0, 0), now, status=DealStatus.LOST,
                 closed_at=now, lost_reason=reason)


def set_expected_close(
    session: Session, *, actor: Member, deal_id: int, expected_close: date | None,
    now: datetime | None = None,
) -> Deal:
    """Set (or clear, with None) when an open deal is expected to close."""
    deal = _open_deal(session, actor, deal_id)
    return _update(session, actor, deal, now or utcnow(), expected_close=expected_close)


def list_open(
    session: Session, *, actor: Member, contact_id: int | None = None,
    owner_id: int | None = None, limit: int = 1000,
) -> list[Deal]:
    """Open deals `actor` may see (optionally of one contact or owner), newest first."""
    stmt = select(Deal).where(
        Deal.team_id == actor.team_id, Deal.status == DealStatus.OPEN,
        col(Deal.deleted_at).is_(None))
    owners = visible_owner_ids(session, actor)
    if owners is not None:
        stmt = stmt.where(col(Deal.owner_id).in_(owners))
    if contact_id is not None:
        stmt = stmt.where(Deal.contact_id == contact_id)
    if owner_id is not None:
        stmt = stmt.where(Deal.owner_id == owner_id)
    stmt = stmt.order_by(col(Deal.created_at).desc(), col(Deal.id).desc())
    return list(session.exec(stmt.limit(limit)))


def open_pipeline(session: Session, *, actor: Member) -> list[StageGroup]:
    """Visible open deals grouped by stage in pipeline order; removed stages come last."""
    groups = {s.key: StageGroup(s, []) for s in stages_for(session, actor.team_id) if s.is_open}
    for deal in list_open(session, actor=actor):
        group = groups.get(deal.stage)
        if group is None:
            group = groups[deal.stage] = StageGroup(
                Stage(deal.stage, deal.probability, len(groups)), [], known=False)
        group.deals.append(deal)
    return [g for g in groups.values() if g.deals]


def contact_names(session: Session, contact_ids: set[int]) -> dict[int, str]:
    """Map contact ids to names, in one query."""
    if not contact_ids:
        return {}
    stmt = select(Contact.id, Contact.name).where(col(Contact.id).in_(contact_ids))
    return {cid: name for cid, name in session.exec(stmt) if cid is not None}


def find_open_deals(
    session: Session, *, actor: Member, query: str, limit: int = 6
) -> tuple[list[Deal], bool]:
    """Rank visible open deals by title and contact name; say whether the top one is certain."""
    deals = {d.id: d for d in list_open(session, actor=actor)}
    people = {c.id: c for c in session.exec(select(Contact).where(
        col(Contact.id).in_({d.contact_id for d in deals.values()})))}
    # search.rank ranks "contacts"; here each key stands for a deal (its title as the company).
    keys = [search.SearchKey(contact_id=deal_id or 0, name=people[d.contact_id].name,
                             company=d.title, pinyin_full=people[d.contact_id].pinyin_full,
                             pinyin_initials=people[d.contact_id].pinyin_initials,
                             phone="", email="")
            for deal_id, d in deals.items() if d.contact_id in people]
    hits = search.rank(keys, query, limit=limit)
    return [deals[h.contact_id] for h in hits], search.is_confident(hits)


def deal_history(session: Session, *, actor: Member, deal_id: int) -> list[HistoryEntry]:
    """Stage changes of a visible deal, oldest first, with who made them."""
    deal = get_deal(session, actor=actor, deal_id=deal_id)
    stmt = (select(StageChange, Member.display_name)
            .join(Member, col(StageChange.member_id) == Member.id, isouter=True)
            .where(StageChange.deal_id == deal.id)
            .order_by(col(StageChange.at), col(StageChange.id)))
    return [HistoryEntry(change.from_stage, change.to_stage, name or "?", change.at)
            for change, name in session.exec(stmt)]


def deal_card(session: Session, *, actor: Member, deal_id: int) -> DealCard:
    """Gather what the deal card shows."""
    deal = get_deal(session, actor=actor, deal_id=deal_id)
    contact = session.get(Contact, deal.contact_id)
    owner = session.get(Member, deal.owner_id)
    assert contact is not None  # a foreign key guarantees it
    pipeline = stages_for(session, deal.team_id)
    return DealCard(
        deal=deal, contact=contact, owner=owner.display_name if owner else "?",
        stage=next((s for s in pipeline if s.key == deal.stage), None),
        open_stages=[s for s in pipeline if s.is_open],
        history=deal_history(session, actor=actor, deal_id=deal_id),
    )
