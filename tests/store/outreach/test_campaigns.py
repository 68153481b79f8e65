"""Campaigns: the audience is the analytics filter, attribution stays in the window, lift."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from crm_store.analytics import segments
from crm_store.analytics.segments import SegmentFilters
from crm_store.db import unit_of_work
from crm_store.errors import Forbidden, Invalid, NotFound
from crm_store.models import AuditLog, CampaignTarget, Contact, Member, Order, Role
from crm_store.outreach import campaign_results, campaigns, loyalty
from crm_store.outreach.campaigns import Audience, CampaignSpec
from tests.builders import make_admin, make_member

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CITIES = ("Shanghai", "Beijing", "Shenzhen", "Shanghai Pudong")


@pytest.fixture
def team(engine: Engine):  # type: ignore[no-untyped-def]
    """40 customers of two reps (one under the manager), orders spread over two years."""
    segments.forget()
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Mia")
    reps = [make_member(engine, by=manager, name="Ray"), make_member(engine, by=admin,
                                                                    name="Olga")]
    rng = random.Random(8)
    with unit_of_work(engine) as s:
        for n in range(40):
            owner = reps[n % 2]
            contact = Contact(team_id=admin.team_id, owner_id=owner.id or 0, name=f"C{n:02d}",
                              city=CITIES[n % 4], industry="valves" if n % 3 else "pumps",
                              tags=["vip"] if n % 5 == 0 else [],
                              birthday=date(1980, 1 + n % 12, 5))
            s.add(contact)
            s.flush()
            for _ in range(rng.randint(0, 6)):
                s.add(Order(team_id=admin.team_id, owner_id=owner.id or 0,
                            contact_id=contact.id or 0,
                            amount_minor=rng.randint(1, 50) * 100_000,
                            ordered_at=NOW - timedelta(days=rng.randint(1, 700))))
    return admin, manager, reps


def _as(engine: Engine, who: Member, fn, **kw):  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        actor = s.get(Member, who.id)
        assert actor is not None
        return fn(s, actor=actor, **kw)


def _page_ids(engine: Engine, who: Member, group: str, key: str,
              filters: SegmentFilters) -> set[int]:
    page = _as(engine, who, segments.customers, now=NOW, group=group, key=key, filters=filters,
               limit=1000)
    return {p.contact_id for p in page.rows}


@pytest.mark.parametrize("segment", ["at_risk", "champions", "hibernating", None])
@pytest.mark.parametrize("tier", ["A", "C", None])
def test_audience_equals_the_analytics_filter(engine: Engine, team, segment, tier) -> None:
    admin, _, _ = team
    filters = SegmentFilters(city="Shanghai")
    audience = Audience(segment=segment, tier=tier, city="Shanghai")
    got = {p.contact_id for p in _as(engine, admin, campaigns.audience_profiles, now=NOW,
                                     audience=audience)}
    expected = {p.contact_id for p in _as(engine, admin, segments.customer_profiles, now=NOW,
                                          filters=filters)}
    if segment:
        expected &= _page_ids(engine, admin, "rfm", segment, filters)
    if tier:
        expected &= _page_ids(engine, admin, "tier", tier, filters)
    assert got == expected
    if segment is None and tier is None:
        assert len(got) == 20  # "Shanghai" and "Shanghai Pudong": the filter matches a part


def test_audience_by_stage_industry_tag_and_birthday_month(engine: Engine, team) -> None:
    admin, _, _ = team
    filters = SegmentFilters(industry="valves", tag="vip", stage="at_risk")
    expected = {p.contact_id for p in _as(engine, admin, segments.customer_profiles, now=NOW,
                                          filters=filters)}
    got = _as(engine, admin, campaigns.audience_profiles, now=NOW,
              audience=Audience(industry="valves", tag="vip", stage="at_risk"))
    assert {p.contact_id for p in got} == expected
    march = _as(engine, admin, campaigns.audience_profiles, now=NOW,
                audience=Audience(birthday_month=3))
    assert sorted(p.name for p in march) == ["C02", "C14", "C26", "C38"]


def test_bad_filters_are_refused(engine: Engine, team) -> None:
    admin, _, _ = team
    for audience in (Audience(segment="vips"), Audience(tier="D"), Audience(birthday_month=13)):
        with pytest.raises(Invalid):
            _as(engine, admin, campaigns.audience_profiles, now=NOW, audience=audience)


def test_confirm_gives_each_target_to_its_owner_and_reps_cannot_create(
    engine: Engine, team
) -> None:
    admin, manager, reps = team
    with pytest.raises(Forbidden):
        _as(engine, reps[0], campaigns.create_campaign, spec=CampaignSpec(name="x"), now=NOW)
    campaign = _as(engine, admin, campaigns.create_campaign, now=NOW,
                   spec=CampaignSpec(name="Spring", audience=Audience(city="Shanghai")))
    with unit_of_work(engine) as s:
        targets = s.exec(select(CampaignTarget, Contact.owner_id).join(
            Contact, Contact.id == CampaignTarget.contact_id).where(
            CampaignTarget.campaign_id == campaign.id)).all()
        audited = s.exec(select(AuditLog).where(AuditLog.entity == "campaign")).one()
    assert targets and all(t.owner_id == owner for t, owner in targets)
    assert audited.after and audited.after["targets"] == len(targets)
    with pytest.raises(Invalid):  # the same name twice
        _as(engine, admin, campaigns.create_campaign, now=NOW,
            spec=CampaignSpec(name="Spring", audience=Audience(city="Shanghai")))
    # The manager sees only the rep below them.
    mine = _as(engine, manager, campaigns.create_campaign, now=NOW,
               spec=CampaignSpec(name="Mine", audience=Audience(city="Shanghai")))
    with unit_of_work(engine) as s:
        owners = set(s.exec(select(CampaignTarget.owner_id).where(
            CampaignTarget.campaign_id == mine.id)).all())
    assert owners == {reps[0].id}


def test_drafts_carry_the_customers_own_values(engine: Engine, team) -> None:
    admin, _, reps = team
    campaign = _as(engine, admin, campaigns.create_campaign, now=NOW,
                   spec=CampaignSpec(name="D", audience=Audience(city="Shanghai"),
                                     template="Hi {name} of {company}: {points} pts {coupon}"))
    page = _as(engine, reps[0], campaigns.my_drafts, campaign_id=campaign.id)
    assert page.drafts and all(d.target.owner_id == reps[0].id for d in page.drafts)
    first = page.drafts[0]
    _as(engine, reps[0], loyalty.change_points, contact_id=first.contact.id, delta=77,
        reason="x")
    coupon = _as(engine, reps[0], loyalty.issue_coupon, contact_id=first.contact.id,
                 value_minor=100)
    first = _as(engine, reps[0], campaigns.my_drafts, campaign_id=campaign.id).drafts[0]
    values = {"name": first.contact.name, "company": first.company,
              "points": str(first.points), "coupon": first.coupon}
    assert first.points >= 77 and first.coupon == coupon.code
    assert campaigns.fill(campaign.template, values) == (
        f"Hi {first.contact.name} of : {first.points} pts {coupon.code}")
    assert campaigns.fill("{name.__class__} {x} {name}", {"name": "A"}) == "{name.__class__} {x} A"
    with pytest.raises(NotFound):  # another rep's target
        _as(engine, reps[1], campaigns.mark, target_id=first.target.id, outcome="contacted")


def test_conversion_counts_only_orders_inside_the_window_and_lift(engine: Engine, team) -> None:
    admin, _, reps = team
    campaign = _as(engine, admin, campaigns.create_campaign, now=NOW,
                   spec=CampaignSpec(name="W", audience=Audience(), conversion_days=30,
                                     control_pct=30))
    with unit_of_work(engine) as s:
        targets = list(s.exec(select(CampaignTarget).where(
            CampaignTarget.campaign_id == campaign.id).order_by(CampaignTarget.id)))
    treated = [t for t in targets if not t.control]
    held = [t for t in targets if t.control]
    assert held and treated and 0.1 < len(held) / len(targets) < 0.5
    buy = {treated[0].contact_id: 10, treated[1].contact_id: 29, held[0].contact_id: 5}
    late = {treated[2].contact_id: 31, treated[3].contact_id: -1}  # after, before the window
    with unit_of_work(engine) as s:
        for contact_id, day in {**buy, **late}.items():
            contact = s.get(Contact, contact_id)
            assert contact is not None
            s.add(Order(team_id=admin.team_id, owner_id=contact.owner_id, contact_id=contact_id,
                        amount_minor=100_000, ordered_at=NOW + timedelta(days=day)))
    _as(engine, admin, campaigns.mark, target_id=treated[0].id, outcome="responded")
    _as(engine, admin, campaigns.mark, target_id=treated[4].id, outcome="contacted")
    found = _as(engine, admin, campaign_results.evaluate, campaign_id=campaign.id)
    assert (found.total.targets, found.total.reached, found.total.responded,
            found.total.converted, found.total.revenue_minor) == (len(treated), 2, 1, 2, 200_000)
    assert (found.control.targets, found.control.converted) == (len(held), 1)
    assert found.lift == pytest.approx(2 / len(treated) - 1 / len(held))
    assert sum(f.targets for _, f in found.per_rep) == len(treated)
    assert {name for name, _ in found.per_rep} == {"Ray", "Olga"}


def test_a_handed_over_customer_moves_to_the_new_owners_drafts(engine: Engine, team) -> None:
    from crm_store.team import handover

    admin, _, reps = team
    campaign = _as(engine, admin, campaigns.create_campaign, now=NOW,
                   spec=CampaignSpec(name="H", audience=Audience(city="Shanghai")))
    before = [_as(engine, rep, campaigns.my_drafts, campaign_id=campaign.id, limit=100).total
              for rep in reps]
    first = _as(engine, reps[0], campaigns.my_drafts, campaign_id=campaign.id).drafts[0]
    _as(engine, admin, handover.reassign_contact, contact_id=first.contact.id,
        target_id=reps[1].id, now=NOW)
    after = [_as(engine, rep, campaigns.my_drafts, campaign_id=campaign.id, limit=100).total
             for rep in reps]
    assert after == [before[0] - 1, before[1] + 1]
    marked = _as(engine, reps[1], campaigns.mark, target_id=first.target.id,
                 outcome="contacted")
    assert marked.outcome == "contacted" and marked.owner_id == reps[0].id  # credited as set


def test_each_rep_given_customers_is_told_once(engine: Engine, team) -> None:
    from crm_store.messaging import reminder_kinds as rk
    from crm_store.models import Outbox

    admin, _, reps = team
    campaign = _as(engine, admin, campaigns.create_campaign, now=NOW,
                   spec=CampaignSpec(name="N", audience=Audience(city="Shanghai")))
    with unit_of_work(engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == rk.CAMPAIGN_ASSIGNED)).all()
        given = {owner: n for owner, n in s.exec(
            select(CampaignTarget.owner_id, func.count()).where(
                CampaignTarget.campaign_id == campaign.id).group_by(CampaignTarget.owner_id))}
    assert {r.member_id: r.payload["customers"] for r in rows} == given
    assert {r.member_id for r in rows} == {rep.id for rep in reps}
    assert all(r.payload["campaign_id"] == campaign.id for r in rows)


def test_a_campaign_scheduled_for_next_week_waits_for_its_start(engine: Engine, team) -> None:
    from crm_store.messaging import reminder_kinds as rk
    from crm_store.models import Outbox

    admin, _, reps = team
    start = NOW + timedelta(days=7)
    campaign = _as(engine, admin, campaigns.create_campaign, now=NOW,
                   spec=CampaignSpec(name="Later", audience=Audience(city="Shanghai"),
                                     days=20, starts_at=start))
    assert (campaign.starts_at, campaign.ends_at) == (start, start + timedelta(days=20))
    assert campaigns.scheduled(campaign, NOW) and not campaigns.scheduled(campaign, start)
    before = _as(engine, reps[0], campaigns.my_drafts, campaign_id=campaign.id, now=NOW)
    assert (before.drafts, before.total) == ([], 0)
    after = _as(engine, reps[0], campaigns.my_drafts, campaign_id=campaign.id,
                now=start + timedelta(hours=1))
    assert after.drafts and after.total > 0
    with pytest.raises(Invalid):  # no outcome before the start
        _as(engine, reps[0], campaigns.mark, target_id=after.drafts[0].target.id,
            outcome="contacted", now=NOW)
    with unit_of_work(engine) as s:
        notices = s.exec(select(Outbox).where(Outbox.kind == rk.CAMPAIGN_ASSIGNED)).all()
    # The notice waits for the start (20:00 in Shanghai: the next working morning, 09:00).
    assert notices and all(n.due_at == datetime(2026, 6, 9, 1, 0, tzinfo=UTC) for n in notices)
    # A start already passed means at Confirm.
    now_one = _as(engine, admin, campaigns.create_campaign, now=NOW,
                  spec=CampaignSpec(name="Past", audience=Audience(city="Shanghai"),
                                    starts_at=NOW - timedelta(days=3)))
    assert now_one.starts_at == NOW and not campaigns.scheduled(now_one, NOW)
    with pytest.raises(Invalid):  # more than a year ahead
        _as(engine, admin, campaigns.create_campaign, now=NOW,
            spec=CampaignSpec(name="Far", audience=Audience(city="Shanghai"),
                              starts_at=NOW + timedelta(days=400)))


def test_conversion_runs_from_the_start_to_the_end_or_the_window(engine: Engine, team) -> None:
    admin, _, _ = team
    start = NOW + timedelta(days=7)
    campaign = _as(engine, admin, campaigns.create_campaign, now=NOW,
                   spec=CampaignSpec(name="S", audience=Audience(), days=10,
                                     conversion_days=30, control_pct=30, starts_at=start))
    with unit_of_work(engine) as s:
        targets = list(s.exec(select(CampaignTarget).where(
            CampaignTarget.campaign_id == campaign.id).order_by(CampaignTarget.id)))
    treated = [t for t in targets if not t.control]
    held = [t for t in targets if t.control]
    # Days after the start: before it (after Confirm), inside, after the end (day 10) though
    # inside the 30-day conversion window; the same for the control group.
    days = {treated[0].contact_id: -2, treated[1].contact_id: 3, treated[2].contact_id: 12,
            held[0].contact_id: -1, held[1].contact_id: 9}
    with unit_of_work(engine) as s:
        for contact_id, day in days.items():
            contact = s.get(Contact, contact_id)
            assert contact is not None
            s.add(Order(team_id=admin.team_id, owner_id=contact.owner_id, contact_id=contact_id,
                        amount_minor=100_000, ordered_at=start + timedelta(days=day)))
    found = _as(engine, admin, campaign_results.evaluate, campaign_id=campaign.id)
    assert (found.total.converted, found.total.revenue_minor) == (1, 100_000)
    assert found.control.converted == 1
    assert found.window_end == start + timedelta(days=10)


def test_a_manager_sees_no_campaign_of_another_branch(engine: Engine, team) -> None:
    admin, manager, reps = team
    other = make_member(engine, by=admin, role=Role.MANAGER, name="Otto")
    with unit_of_work(engine) as s:  # Olga (under the admin) joins Otto's branch
        olga = s.get(Member, reps[1].id)
        assert olga is not None
        olga.manager_id = other.id
    theirs = _as(engine, other, campaigns.create_campaign, now=NOW,
                 spec=CampaignSpec(name="Otto's secret push", audience=Audience(city="Beijing")))
    everyone = _as(engine, admin, campaigns.create_campaign, now=NOW,
                   spec=CampaignSpec(name="Team-wide", audience=Audience(city="Shanghai")))
    ours = _as(engine, manager, campaigns.create_campaign, now=NOW,
               spec=CampaignSpec(name="Mia's", audience=Audience(city="Shenzhen")))
    seen = {c.name for c in _as(engine, manager, campaigns.visible_campaigns)}
    assert seen == {"Mia's", "Team-wide"}  # the admin's reaches Ray, below Mia
    with pytest.raises(NotFound):
        _as(engine, manager, campaigns.find_campaign, name="secret")
    with pytest.raises(NotFound):
        _as(engine, manager, campaigns.get_campaign, campaign_id=theirs.id or 0)
    assert {c.name for c in _as(engine, other, campaigns.visible_campaigns)} == {
        "Otto's secret push", "Team-wide"}
    assert {c.id for c in _as(engine, admin, campaigns.visible_campaigns)} == {
        theirs.id, everyone.id, ours.id}
