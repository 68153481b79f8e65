"""Campaigns: an audience from the analytics filters, targets per owner, outcomes, evaluation."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from crm_store import audit
from crm_store.analytics import segments
from crm_store.clock import utcnow
from crm_store.contacts.contacts import company_names
from crm_store.contacts.normalize import clean_text
from crm_store.errors import Forbidden, Invalid, NotFound
from crm_store.messaging import outbox
from crm_store.messaging import reminder_kinds as rk
from crm_store.models import (
    Campaign,
    CampaignTarget,
    Contact,
    Coupon,
    Member,
    Order,
    Role,
)
from crm_store.outreach import loyalty
from crm_store.team.members import visible_owner_ids
from crm_store.team.worktime import into_working_hours

CHANNELS = ("call", "visit", "message", "email", "wechat")
OUTCOMES = ("contacted", "responded", "not_interested", "skipped")
PENDING = "pending"
REACHED = ("contacted", "responded", "not_interested")
MAX_NAME, MAX_GOAL, MAX_TEMPLATE = 80, 200, 1000
DRAFTS_PAGE = 5
MAX_LEAD_DAYS = 366  # how far ahead a campaign may be scheduled


@dataclass(frozen=True)
class Audience:
    """Who a campaign is for, in the terms of /segments (None: no condition)."""

    segment: str | None = None  # an RFM segment key
    tier: str | None = None  # ABC tier A | B | C
    city: str | None = None  # city or region
    industry: str | None = None
    tag: str | None = None
    stage: str | None = None  # lifecycle stage
    birthday_month: int | None = None

    def check(self) -> None:
        """Refuse keys the analytics do not know."""
        if self.segment is not None and self.segment not in segments.SEGMENTS:
            raise Invalid("campaign.bad_segment", value=self.segment)
        if self.tier is not None and self.tier not in segments.TIERS:
            raise Invalid("campaign.bad_tier", value=self.tier)
        if self.stage is not None and self.stage not in segments.STAGES:
            raise Invalid("campaign.bad_stage", value=self.stage)
        if self.birthday_month is not None and not 1 <= self.birthday_month <= 12:
            raise Invalid("campaign.bad_month")


@dataclass(frozen=True)
class CampaignSpec:
    """Everything the /campaign form collects."""

    name: str
    audience: Audience = field(default_factory=Audience)
    goal: str = ""
    channel: str = "call"
    template: str = ""
    days: int = 30  # how long the campaign runs
    # When it starts (UTC); None or a moment already passed: at Confirm. Before it the
    # campaign is scheduled: no drafts yet, and the notice to reps waits for it.
    starts_at: datetime | None = None
    conversion_days: int = 30
    control_pct: int = 0


def audience_profiles(session: Session, *, actor: Member, now: datetime,
                      audience: Audience) -> list[segments.CustomerProfile]:
    """The visible customers matching `audience`, through the same filters /segments uses."""
    audience.check()
    filters = segments.SegmentFilters(city=audience.city, industry=audience.industry,
                                      tag=audience.tag, stage=audience.stage)
    found = segments.customer_profiles(session, actor=actor, now=now, filters=filters)
    found = [p for p in found
             if (audience.segment is None or p.segment == audience.segment)
             and (audience.tier is None or p.tier == audience.tier)]
    if audience.birthday_month is not None and found:
        ids = [p.contact_id for p in found]
        born = set(session.exec(select(col(Contact.id), col(Contact.birthday))
                                .where(col(Contact.id).in_(ids))).all())
        in_month = {cid for cid, day in born if day is not None
                    and day.month == audience.birthday_month}
        found = [p for p in found if p.contact_id in in_month]
    return found


def _clean_name(name: str) -> str:
    cleaned = clean_text(name, limit=MAX_NAME + 1)
    if not cleaned or len(cleaned) > MAX_NAME:
        raise Invalid("campaign.bad_name", limit=MAX_NAME)
    return cleaned


def check_name(session: Session, *, actor: Member, name: str) -> str:
    """A campaign name, cleaned, that the team does not use yet."""
    cleaned = _clean_name(name)
    taken = session.exec(select(Campaign.id).where(Campaign.team_id == actor.team_id,
                                                   Campaign.name == cleaned)).first()
    if taken is not None:
        raise Invalid("campaign.name_taken", name=cleaned)
    return cleaned


def check_spec(spec: CampaignSpec) -> tuple[str, str, str]:
    """Refuse a spec that cannot start; return its cleaned name, goal and template."""
    name = _clean_name(spec.name)
    spec.audience.check()
    if spec.channel not in CHANNELS:
        raise Invalid("campaign.bad_channel", value=spec.channel)
    if not 1 <= spec.days <= 366 or not 1 <= spec.conversion_days <= 366:
        raise Invalid("campaign.bad_days")
    if not 0 <= spec.control_pct <= 50:
        raise Invalid("campaign.bad_control")
    goal, template = clean_text(spec.goal, limit=MAX_GOAL), spec.template.strip()
    if len(template) > MAX_TEMPLATE:
        raise Invalid("error.text_too_long", limit=MAX_TEMPLATE)
    return name, goal, template


def held_out(campaign_id: int, contact_id: int, control_pct: int) -> bool:
    """Whether a customer falls in the control group: a stable hash, not a coin toss."""
    digest = hashlib.sha256(f"{campaign_id}:{contact_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < control_pct


def create_campaign(session: Session, *, actor: Member, spec: CampaignSpec,
                    now: datetime | None = None) -> Campaign:
    """Create a campaign and give each target to its owner (managers and admins only)."""
    if actor.role == Role.REP:
        raise Forbidden("campaign.managers_only")
    at = now or utcnow()
    _, goal, template = check_spec(spec)
    name = check_name(session, actor=actor, name=spec.name)
    found = audience_profiles(session, actor=actor, now=at, audience=spec.audience)
    if not found:
        raise Invalid("campaign.empty")
    start = max(spec.starts_at or at, at)
    if start > at + timedelta(days=MAX_LEAD_DAYS):
        raise Invalid("campaign.bad_start", limit=MAX_LEAD_DAYS)
    campaign = Campaign(team_id=actor.team_id, created_by_id=actor.id or 0, name=name, goal=goal,
                        audience={k: v for k, v in asdict(spec.audience).items()
                                  if v is not None},
                        channel=spec.channel, template=template, starts_at=start,
                        ends_at=start + timedelta(days=spec.days),
                        conversion_days=spec.conversion_days, control_pct=spec.control_pct)
    session.add(campaign)
    session.flush()
    cid = campaign.id or 0
    for profile in found:
        session.add(CampaignTarget(campaign_id=cid, contact_id=profile.contact_id,
                                   owner_id=profile.owner_id,
                                   control=held_out(cid, profile.contact_id, spec.control_pct)))
    session.flush()
    _tell_owners(session, actor, campaign, found, at)
    audit.record(session, actor=actor, action="create", entity="campaign", entity_id=cid,
                 after={**audit.snapshot(campaign, ("name", "channel", "audience", "starts_at",
                                                    "ends_at", "conversion_days",
                                                    "control_pct")),
                        "targets": len(found)})
    return campaign


def scheduled(campaign: Campaign, now: datetime) -> bool:
    """Whether the campaign has not started yet (its drafts are not offered before the start)."""
    return campaign.starts_at > now


def _tell_owners(session: Session, actor: Member, campaign: Campaign,
                 found: list[segments.CustomerProfile], now: datetime) -> None:
    """Queue a notice for each member given customers to reach (not the one who confirmed):
    at Confirm, or for a scheduled campaign at the start (inside the member's working hours)."""
    counts: dict[int, int] = {}
    for profile in found:
        if not held_out(campaign.id or 0, profile.contact_id, campaign.control_pct):
            counts[profile.owner_id] = counts.get(profile.owner_id, 0) + 1
    for owner_id, customers in sorted(counts.items()):
        owner = session.get(Member, owner_id)
        if owner is None or owner_id == actor.id or not owner.active:
            continue
        due = campaign.starts_at if not scheduled(campaign, now) else into_working_hours(
            campaign.starts_at, tz=owner.timezone, work_start=owner.work_start,
            work_end=owner.work_end)
        outbox.enqueue(session, member=owner, kind=rk.CAMPAIGN_ASSIGNED,
                       dedupe_key=f"campaign:{campaign.id}:{owner_id}", due_at=due,
                       payload={"campaign_id": campaign.id, "name": campaign.name,
                                "channel": campaign.channel, "customers": customers,
                                "by_name": actor.display_name})


def _owned_by(actor: Member) -> SelectOfScalar[int | None]:
    return select(col(Contact.id)).where(Contact.owner_id == actor.id,
                                         col(Contact.deleted_at).is_(None))


def visible_campaigns(session: Session, *, actor: Member) -> list[Campaign]:
    """The campaigns `actor` may see, newest first.

    A rep: those with targets of theirs. A manager: those created in their branch or reaching
    its customers, never another branch's. An admin: the whole team's.
    """
    stmt = select(Campaign).where(Campaign.team_id == actor.team_id)
    if actor.role == Role.REP:
        mine = select(CampaignTarget.campaign_id).where(or_(
            col(CampaignTarget.owner_id) == actor.id, col(CampaignTarget.contact_id).in_(
                _owned_by(actor))))
        stmt = stmt.where(col(Campaign.id).in_(mine))
    elif actor.role == Role.MANAGER:
        branch = visible_owner_ids(session, actor) or set()
        reaching = select(CampaignTarget.campaign_id).where(
            col(CampaignTarget.owner_id).in_(branch))
        stmt = stmt.where(or_(col(Campaign.created_by_id).in_(branch),
                              col(Campaign.id).in_(reaching)))
    return list(session.exec(stmt.order_by(col(Campaign.id).desc()).limit(20)))


def find_campaign(session: Session, *, actor: Member, name: str) -> Campaign:
    """A campaign of the team by name (exact, then a unique part), or NotFound."""
    found = visible_campaigns(session, actor=actor)
    key = name.strip().casefold()
    exact = [c for c in found if c.name.casefold() == key]
    part = [c for c in found if key and key in c.name.casefold()]
    hit = exact or (part if len(part) == 1 else [])
    if not hit:
        raise NotFound("campaign.not_found", name=name[:60])
    return hit[0]


def get_campaign(session: Session, *, actor: Member, campaign_id: int) -> Campaign:
    """A campaign `actor` may see, by id."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.id not in {
        c.id for c in visible_campaigns(session, actor=actor)
    }:
        raise NotFound("campaign.not_found", name=f"#{campaign_id}")
    return campaign


@dataclass(frozen=True)
class Draft:
    """One target of a rep with what the draft message needs."""

    target: CampaignTarget
    contact: Contact
    company: str
    last_product: str
    points: int
    tier: str | None
    coupon: str


@dataclass(frozen=True)
class DraftPage:
    """One page of a rep's targets in a campaign."""

    campaign: Campaign
    drafts: list[Draft]
    total: int
    offset: int


def my_drafts(session: Session, *, actor: Member, campaign_id: int, offset: int = 0,
              limit: int = DRAFTS_PAGE, now: datetime | None = None) -> DraftPage:
    """The acting member's own targets (not held out), pending ones first; none before the
    campaign starts."""
    campaign = get_campaign(session, actor=actor, campaign_id=campaign_id)
    if scheduled(campaign, now or utcnow()):
        return DraftPage(campaign, [], 0, offset)
    # The customer's current owner works the draft: a handover after Confirm moves it too.
    base = select(CampaignTarget).where(CampaignTarget.campaign_id == campaign.id,
                                        col(CampaignTarget.contact_id).in_(_owned_by(actor)),
                                        col(CampaignTarget.control).is_(False))
    every = list(session.exec(base.order_by(col(CampaignTarget.outcome) != PENDING,
                                            col(CampaignTarget.id))))
    page = every[max(offset, 0):max(offset, 0) + limit]
    contacts = {c.id: c for c in session.exec(select(Contact).where(
        col(Contact.id).in_([t.contact_id for t in page])))}
    companies = company_names(session, {c.company_id for c in contacts.values()
                                        if c.company_id})
    drafts = []
    for target in page:
        contact = contacts[target.contact_id]
        found = loyalty.standing(session, actor=actor, contact_id=contact.id or 0, recent=0)
        last = session.exec(select(Order.note).where(Order.contact_id == contact.id,
                                                     col(Order.deleted_at).is_(None))
                            .order_by(col(Order.ordered_at).desc())).first()
        coupon: Coupon | None = found.coupons[0] if found.coupons else None
        drafts.append(Draft(target, contact, companies.get(contact.company_id or 0, ""),
                            last or "", found.points, found.tier,
                            coupon.code if coupon else ""))
    return DraftPage(campaign, drafts, len(every), offset)


def mark(session: Session, *, actor: Member, target_id: int, outcome: str,
         now: datetime | None = None) -> CampaignTarget:
    """Record what came of reaching a target (its owner, or a manager above them)."""
    if outcome not in OUTCOMES:
        raise Invalid("error.stale_button")
    target = session.get(CampaignTarget, target_id)
    owners = visible_owner_ids(session, actor)
    campaign = session.get(Campaign, target.campaign_id) if target else None
    contact = session.get(Contact, target.contact_id) if target else None
    if target is None or campaign is None or contact is None or (
        campaign.team_id != actor.team_id
    ) or (owners is not None and not {target.owner_id, contact.owner_id} & owners) or (
        target.control
    ):
        raise NotFound("campaign.target_not_found")
    if scheduled(campaign, now or utcnow()):
        raise Invalid("campaign.not_started")
    before = audit.snapshot(target, ("outcome",))
    target.outcome, target.outcome_at = outcome, now or utcnow()
    session.add(target)
    audit.record(session, actor=actor, action="update", entity="campaign_target",
                 entity_id=target.id or 0, before=before,
                 after=audit.snapshot(target, ("outcome",)))
    return target


PLACEHOLDER = re.compile(r"\{(name|company|last_product|points|tier|coupon)\}")


def fill(template: str, values: dict[str, str]) -> str:
    """Put the customer's values into the known {placeholders}; any other brace stays as is."""
    return PLACEHOLDER.sub(lambda m: values.get(m[1], ""), template)


def target_counts(session: Session, *, actor: Member, campaign_ids: list[int]) -> dict[int, int]:
    """Targets per campaign that `actor` may see (held-out ones included)."""
    owners = visible_owner_ids(session, actor)
    stmt = select(CampaignTarget.campaign_id, func.count()).where(
        col(CampaignTarget.campaign_id).in_(campaign_ids))
    if owners is not None:
        stmt = stmt.where(col(CampaignTarget.owner_id).in_(sorted(owners)))
    return {cid: int(n)
            for cid, n in session.exec(stmt.group_by(col(CampaignTarget.campaign_id)))}
