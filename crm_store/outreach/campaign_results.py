"""Campaign results: reached, responded, converted inside the window, revenue, per rep, lift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from crm_store.models import Campaign, CampaignTarget, Member, Order, Team
from crm_store.outreach.campaigns import REACHED, get_campaign
from crm_store.team.members import visible_owner_ids


@dataclass
class Figures:
    """Counts for one group of targets (a rep, the whole campaign, the control group)."""

    targets: int = 0
    reached: int = 0
    responded: int = 0
    converted: int = 0
    revenue_minor: int = 0

    def rate(self, part: int) -> float | None:
        """`part` as a share of the targets."""
        return part / self.targets if self.targets else None


@dataclass(frozen=True)
class Evaluation:
    """/campaigns <name>: the campaign's figures, per rep, and against the control group."""

    campaign: Campaign
    total: Figures
    per_rep: list[tuple[str, Figures]]
    control: Figures
    currency: str
    window_end: datetime

    @property
    def lift(self) -> float | None:
        """Conversion rate of the reached audience minus that of the held-out group."""
        treated, held = self.total.rate(self.total.converted), self.control.rate(
            self.control.converted)
        return None if treated is None or held is None else treated - held


def evaluate(session: Session, *, actor: Member, campaign_id: int) -> Evaluation:
    """Reached, responded, converted (orders inside the window), revenue, per rep, lift.

    The window is [start, min(end, start + conversion days)), for targets and control alike:
    an order before a scheduled campaign's start is not a conversion."""
    campaign = get_campaign(session, actor=actor, campaign_id=campaign_id)
    window_end = min(campaign.ends_at,
                     campaign.starts_at + timedelta(days=campaign.conversion_days))
    owners = visible_owner_ids(session, actor)
    stmt = select(CampaignTarget, Member.display_name).join(
        Member, col(Member.id) == CampaignTarget.owner_id).where(
        CampaignTarget.campaign_id == campaign.id)
    if owners is not None:
        stmt = stmt.where(col(CampaignTarget.owner_id).in_(sorted(owners)))
    rows = session.exec(stmt).all()
    ids = [t.contact_id for t, _ in rows]
    revenue: dict[int, int] = {}
    if ids:
        for contact_id, amount in session.exec(
            select(Order.contact_id, Order.amount_minor).where(
                col(Order.contact_id).in_(ids), col(Order.deleted_at).is_(None),
                Order.status != "cancelled", Order.ordered_at >= campaign.starts_at,
                Order.ordered_at < window_end)
        ).all():
            revenue[contact_id] = revenue.get(contact_id, 0) + int(amount)
    total, control = Figures(), Figures()
    reps: dict[str, Figures] = {}
    for target, rep_name in rows:
        groups = [control] if target.control else [total, reps.setdefault(rep_name, Figures())]
        for figures in groups:
            figures.targets += 1
            figures.reached += target.outcome in REACHED
            figures.responded += target.outcome == "responded"
            if target.contact_id in revenue:
                figures.converted += 1
                figures.revenue_minor += revenue[target.contact_id]
    team = session.get(Team, campaign.team_id)
    return Evaluation(campaign, total, sorted(reps.items()), control,
                      team.currency if team else "CNY", window_end)
