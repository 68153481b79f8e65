"""Segmentation on a hand-checked team (SQLite and PostgreSQL): RFM, ABC, value score, stages.

The team, at NOW = 2026-06-01 12:00 UTC, window 365 days. Orders are listed as days before NOW,
all at the same amount (yuan) and margin for one customer. 13 customers bought in the window:

name       orders (days ago)          each: amount/margin  R F M FM segment            tier
Zhang Wei  5 35 65 95 125 (+500 old)  20000 / 6000         5 5 5 5  champions          A
Liu Yang   200 230 260 290 320        15000 / 4500         2 5 5 5  cannot_lose        A
Chen Jie   120 190 260 330            10000 / 3000         3 4 4 4  loyal              A
Wang Fang  240 270 300 330             8000 / 2400         2 4 4 4  at_risk            A
Zhao Lei   300 320 340                 3000 / no margin    1 3 3 3  at_risk            A
Sun Li     100 160 220                 5000 / 1500         3 3 3 3  need_attention     B
Zhou Min   40 90 140                   4000 / 1200         4 3 3 3  potential_loyalist B
Wu Gang    270 350                     3000 / 900          1 2 2 2  hibernating        B
Xu Jing    170 260                     2500 / 750          2 2 2 2  hibernating        C
Ma Tao     80 150                      2000 / 600          3 2 2 2  about_to_sleep     C
Hu Yan     50                          2000 / 600          4 1 1 1  promising          C
Guo Qiang  330                         1500 / 450          1 1 1 1  lost               C
Lin Na     3                           1000 / 300          5 1 1 1  new                C

NTILE(5) over 13 buyers makes groups of 3, 3, 3, 2, 2: R ranks the last order (oldest = 1),
F the order count, M the revenue; FM = (F + M + 1) // 2. Old Li (orders 400 and 500 days ago)
and He Ping (no order) have no purchases in the window. Deleted Dan's orders never count.

ABC on margin (Zhao Lei's orders have none, so his revenue counts): values 30000, 22500,
12000, 9600, 9000 | 4500, 3600, 1800 | 1500, 1200, 600, 450, 300, total 97050. The value
before Zhao Lei is 74100 (76.4% < 80%): A; before Wu Gang 91200 (94.0% < 95%): B.
Top 20% of 13 buyers = 3 (Zhang, Liu, Chen): 215000 of 302500 revenue = 71.07%.

Lifecycle: the team's usual gap is the median of own gaps (customers with ≥ 3 orders):
20 30 30 30 50 60 70 → 30 days, so 2× = 60. Active: Zhang (5 ≤ 2×30), Chen (120 ≤ 2×70),
Sun (100 ≤ 2×60), Zhou (40 ≤ 2×50). New: Hu, Lin. At risk: silent > 180 days (Liu, Wang,
Zhao, Wu, Guo) or > 60 days with the team gap (Xu 170, Ma 80). Lost: Old Li. Prospect: He Ping.

Value score (default weights; percentile = (below + equal / 2) / customers with a value):
Zhang 85 and Wang 71 are strategic (≥ 70); the rest general — see VALUE below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm_store.analytics import churn, profiles, segment_rules, segments
from crm_store.analytics.segments import SegmentFilters
from crm_store.db import unit_of_work
from crm_store.errors import Invalid, NotFound
from crm_store.models import (
    Company,
    Contact,
    Feedback,
    FeedbackKind,
    Interaction,
    InteractionKind,
    Member,
    Order,
    Role,
    Team,
)
from tests.builders import make_admin, make_contact, make_member

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Spec:
    """One customer of the hand-checked team."""

    name: str
    owner: str  # "rep" (under the manager) or "other"
    days: tuple[int, ...]
    amount: int  # yuan per order
    margin: int | None  # yuan per order
    company: str | None = None
    city: str | None = None
    region: str | None = None
    industry: str | None = None
    tags: tuple[str, ...] = ()


SPECS = (
    Spec("Zhang Wei", "rep", (5, 35, 65, 95, 125, 500), 20000, 6000, "Acme", city="上海",
         industry="制造", tags=("VIP", "重点")),
    Spec("Liu Yang", "rep", (200, 230, 260, 290, 320), 15000, 4500, "Beta", region="华东"),
    Spec("Chen Jie", "rep", (120, 190, 260, 330), 10000, 3000, "Gamma"),
    Spec("Wang Fang", "rep", (240, 270, 300, 330), 8000, 2400, "Acme", city="上海市",
         tags=("VIP",)),
    Spec("Zhao Lei", "rep", (300, 320, 340), 3000, None),
    Spec("Sun Li", "other", (100, 160, 220), 5000, 1500, city="北京"),
    Spec("Zhou Min", "other", (40, 90, 140), 4000, 1200, tags=("VIP2",)),
    Spec("Wu Gang", "other", (270, 350), 3000, 900),
    Spec("Xu Jing", "other", (170, 260), 2500, 750),
    Spec("Ma Tao", "other", (80, 150), 2000, 600),
    Spec("Hu Yan", "other", (50,), 2000, 600),
    Spec("Guo Qiang", "other", (330,), 1500, 450),
    Spec("Lin Na", "other", (3,), 1000, 300),
    Spec("Old Li", "rep", (400, 500), 5000, 1500),
    Spec("He Ping", "rep", (), 0, None),
)
# name: (R, F, M, segment, tier, value score, lifecycle stage)
EXPECTED = {
    "Zhang Wei": (5, 5, 5, "champions", "A", 85, "active"),
    "Liu Yang": (2, 5, 5, "cannot_lose", "A", 54, "at_risk"),
    "Chen Jie": (3, 4, 4, "loyal", "A", 54, "active"),
    "Wang Fang": (2, 4, 4, "at_risk", "A", 71, "at_risk"),
    "Zhao Lei": (1, 3, 3, "at_risk", "A", 62, "at_risk"),
    "Sun Li": (3, 3, 3, "need_attention", "B", 52, "active"),
    "Zhou Min": (4, 3, 3, "potential_loyalist", "B", 48, "active"),
    "Wu Gang": (1, 2, 2, "hibernating", "B", 52, "at_risk"),
    "Xu Jing": (2, 2, 2, "hibernating", "C", 43, "at_risk"),
    "Ma Tao": (3, 2, 2, "about_to_sleep", "C", 38, "at_risk"),
    "Hu Yan": (4, 1, 1, "promising", "C", 30, "new"),
    "Guo Qiang": (1, 1, 1, "lost", "C", 36, "at_risk"),
    "Lin Na": (5, 1, 1, "new", "C", 25, "new"),
}
STRATEGIC = {"Zhang Wei", "Wang Fang"}
# Inputs of the value score besides orders: touches (calls in the window), latest rating,
# industry position of the company (Acme 5, Beta 4, Gamma 2). Hand-computed percentiles, e.g.
# Zhang Wei: margin 12.5/13, volume 12/13, cost 7.5/13 (0 touches, like 10 others),
# relationship 12.5/13 (500 days), satisfaction 3/4 (CSAT 5 ties Wang), position 3/4
# → 100 × (.3×.9615 + .15×.9231 + .15×.5769 + .15×.9615 + .15×.75 + .1×.75) = 84.5 → 85.
TOUCHES = {"Liu Yang": 10, "Chen Jie": 4}


@dataclass
class Shop:
    """The built team: members and contact ids by name."""

    admin: Member
    manager: Member
    rep: Member
    other: Member
    ids: dict[str, int]

    def name_of(self, contact_id: int) -> str:
        """The customer's name."""
        return next(name for name, cid in self.ids.items() if cid == contact_id)


def _orders(s: Session, team_id: int, contact: Contact, spec: Spec) -> None:
    for days in spec.days:
        s.add(Order(team_id=team_id, owner_id=contact.owner_id, contact_id=contact.id or 0,
                    amount_minor=spec.amount * 100, status="paid",
                    margin_minor=None if spec.margin is None else spec.margin * 100,
                    ordered_at=NOW - timedelta(days=days)))


def _touch(s: Session, contact: Contact, days: float, kind: InteractionKind = InteractionKind.CALL,
           deleted: bool = False) -> None:
    at = NOW - timedelta(days=days)
    s.add(Interaction(team_id=contact.team_id, contact_id=contact.id or 0,
                      member_id=contact.owner_id, kind=kind, occurred_at=at,
                      deleted_at=at if deleted else None))


def _rate(s: Session, contact: Contact, days: int, *, csat: int | None = None,
          nps: int | None = None) -> None:
    s.add(Feedback(team_id=contact.team_id, contact_id=contact.id or 0,
                   owner_id=contact.owner_id, member_id=contact.owner_id,
                   kind=FeedbackKind.RATING, status="closed", csat=csat, nps=nps,
                   created_at=NOW - timedelta(days=days)))


def build(engine: Engine) -> Shop:
    """The hand-checked team described in the module docstring."""
    segments.forget()
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Mei Manager")
    rep = make_member(engine, by=manager, name="李明")
    other = make_member(engine, by=admin, name="Olga Other")
    owners = {"rep": rep, "other": other}
    ids = {spec.name: make_contact(engine, owner=owners[spec.owner], name=spec.name,
                                   company=spec.company).id or 0 for spec in SPECS}
    dan = make_contact(engine, owner=rep, name="Deleted Dan")
    with unit_of_work(engine) as s:
        for spec in SPECS:
            contact = s.get(Contact, ids[spec.name])
            assert contact is not None
            contact.city, contact.region, contact.industry = spec.city, spec.region, spec.industry
            contact.tags = list(spec.tags)
            s.add(contact)
            _orders(s, admin.team_id, contact, spec)
            for day in range(TOUCHES.get(spec.name, 0)):
                _touch(s, contact, 10 + day)
        for name, (position, industry) in {"Acme": (5, None), "Beta": (4, None),
                                           "Gamma": (2, "机械制造")}.items():
            company = s.exec(select(Company).where(Company.name == name)).one()
            company.industry_position, company.industry = position, industry
            s.add(company)
        zhang, chen, liu, wang = (s.get(Contact, ids[n]) for n in (
            "Zhang Wei", "Chen Jie", "Liu Yang", "Wang Fang"))
        assert zhang and chen and liu and wang
        _touch(s, zhang, 3, InteractionKind.NOTE)  # notes cost nothing to serve
        _touch(s, zhang, 4, deleted=True)  # undone
        _touch(s, zhang, 400)  # before the window
        s.add(Order(team_id=admin.team_id, owner_id=rep.id or 0, contact_id=zhang.id or 0,
                    amount_minor=99_999_900, status="cancelled",
                    ordered_at=NOW - timedelta(days=10)))
        _rate(s, zhang, 20, csat=5)
        _rate(s, wang, 30, csat=5)
        _rate(s, liu, 40, nps=3)
        _rate(s, chen, 200, csat=2)
        _rate(s, chen, 20, csat=4)  # the latest rating counts
        gone = s.get(Contact, dan.id)
        assert gone is not None
        _orders(s, admin.team_id, gone, Spec("Deleted Dan", "rep", (10,), 50000, 20000))
        gone.deleted_at = NOW
        s.add(gone)
    return Shop(admin, manager, rep, other, ids)


@pytest.fixture(autouse=True, params=["live", "stored"])
def source(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every figure twice: computed live, and read from a stored snapshot (a big team's way)."""
    if request.param == "stored":
        monkeypatch.setattr(profiles, "LIVE_LIMIT", 0)
    return str(request.param)


@pytest.fixture
def shop(engine: Engine) -> Shop:
    """The hand-checked team on a fresh database."""
    return build(engine)


def ask(engine: Engine, func, actor: Member, **kwargs):  # type: ignore[no-untyped-def]
    """Call a segments function as `actor` at NOW in a unit of work."""
    with unit_of_work(engine) as s:
        me = s.get(Member, actor.id)
        assert me is not None
        return func(s, actor=me, now=kwargs.pop("now", NOW), **kwargs)


def test_every_named_customer_gets_the_hand_checked_rfm_scores_and_segment(
    engine: Engine, shop: Shop
) -> None:
    rows = ask(engine, segments.rfm, shop.admin)
    got = {shop.name_of(r.contact_id): (r.r, r.f, r.m, r.segment) for r in rows}
    assert got == {name: exp[:4] for name, exp in EXPECTED.items()}
    zhang = next(r for r in rows if r.name == "Zhang Wei")
    # the cancelled order and the order 500 days ago do not count
    assert (zhang.recency_days, zhang.frequency, zhang.monetary_minor) == (5, 5, 10_000_000)


def test_rfm_summary_counts_each_segment_with_its_revenue(engine: Engine, shop: Shop) -> None:
    summary = ask(engine, segments.rfm_summary, shop.admin)
    got = {s.key: (s.customers, s.revenue_minor // 100) for s in summary.segments}
    assert got == {"champions": (1, 100000), "loyal": (1, 40000),
                   "potential_loyalist": (1, 12000), "new": (1, 1000), "promising": (1, 2000),
                   "need_attention": (1, 15000), "about_to_sleep": (1, 4000),
                   "at_risk": (2, 41000), "cannot_lose": (1, 75000),
                   "hibernating": (2, 11000), "lost": (1, 1500)}
    assert [s.key for s in summary.segments] == list(segments.SEGMENTS)
    assert (summary.buyers, summary.no_purchases, summary.revenue_minor) == (13, 2, 30_250_000)


def test_value_tiers_cut_at_80_and_95_percent_of_margin_with_revenue_as_fallback(
    engine: Engine, shop: Shop
) -> None:
    abc = ask(engine, segments.abc_tiers, shop.admin)
    assert [(t.key, t.customers, t.value_minor // 100, t.revenue_minor // 100)
            for t in abc.tiers] == [("A", 5, 83100, 256000), ("B", 3, 9900, 33000),
                                    ("C", 5, 4050, 13500)]
    assert [round(t.share or 0, 4) for t in abc.tiers] == [0.8563, 0.1020, 0.0417]
    assert (abc.buyers, abc.value_minor, abc.revenue_minor) == (13, 9_705_000, 30_250_000)


def test_top_20_percent_of_buyers_make_71_percent_of_revenue(engine: Engine, shop: Shop) -> None:
    abc = ask(engine, segments.abc_tiers, shop.admin)
    assert (abc.top_customers, abc.top_revenue_minor) == (3, 21_500_000)
    assert round(abc.top_share or 0, 4) == 0.7107


def test_each_customer_gets_the_hand_checked_value_score_and_class(
    engine: Engine, shop: Shop
) -> None:
    scores = ask(engine, segments.value_scores, shop.admin)
    got = {shop.name_of(v.contact_id): (v.score, v.strategic) for v in scores}
    assert got == {name: (exp[5], name in STRATEGIC) for name, exp in EXPECTED.items()}


def test_each_customer_gets_the_documented_lifecycle_stage(engine: Engine, shop: Shop) -> None:
    stages = {shop.name_of(r.contact_id): r.stage
              for r in ask(engine, segments.lifecycle, shop.admin)}
    assert stages == {**{name: exp[6] for name, exp in EXPECTED.items()},
                      "Old Li": "lost", "He Ping": "prospect"}


def test_at_risk_stage_agrees_with_churn_risk_for_customers_neither_new_nor_lost(
    engine: Engine, shop: Shop
) -> None:
    stages = {r.contact_id: r.stage for r in ask(engine, segments.lifecycle, shop.admin)}
    with Session(engine) as s:
        flagged = {r.contact_id for r in churn.at_risk(s, shop.admin.team_id, NOW)}
    middle = {cid for cid, stage in stages.items() if stage in ("active", "at_risk")}
    silent = {cid for cid in middle if shop.name_of(cid) in
              ("Liu Yang", "Wang Fang", "Zhao Lei", "Wu Gang", "Guo Qiang")}  # > 180 days
    assert {cid for cid in middle if stages[cid] == "at_risk"} == (flagged & middle) | silent
    assert {shop.name_of(cid) for cid in flagged & middle} >= {"Xu Jing", "Ma Tao"}


def test_summary_puts_every_figure_of_the_team_in_one_answer(engine: Engine, shop: Shop) -> None:
    summary = ask(engine, segments.segment_summary, shop.admin)
    assert summary.customers == 15
    assert [(c.key, c.customers) for c in summary.classes] == [("strategic", 2), ("general", 11)]
    assert [(s.key, s.customers) for s in summary.stages] == [
        ("prospect", 1), ("new", 2), ("active", 4), ("at_risk", 7), ("lost", 1)]
    assert summary.abc.top_customers == 3 and summary.rfm.no_purchases == 2
    assert (summary.window_days, summary.strategic_threshold, summary.currency) == (
        365, 70, "CNY")


def test_rep_counts_own_customers_but_keeps_team_wide_scores(engine: Engine, shop: Shop) -> None:
    rows = ask(engine, segments.rfm, shop.rep)
    assert {shop.name_of(r.contact_id): (r.r, r.f, r.m, r.segment) for r in rows} == {
        name: EXPECTED[name][:4] for name in ("Zhang Wei", "Liu Yang", "Chen Jie", "Wang Fang",
                                              "Zhao Lei")}
    summary = ask(engine, segments.segment_summary, shop.rep)
    assert (summary.customers, summary.rfm.buyers, summary.rfm.no_purchases) == (7, 5, 2)
    # the rep's own Pareto: the top 20% of 5 buyers is Zhang Wei alone
    assert (summary.abc.top_customers, summary.abc.top_revenue_minor) == (1, 10_000_000)


def test_manager_sees_their_reps_customers_and_the_other_rep_only_their_own(
    engine: Engine, shop: Shop
) -> None:
    manager = ask(engine, segments.segment_summary, shop.manager)
    other = ask(engine, segments.segment_summary, shop.other)
    assert (manager.customers, other.customers) == (7, 8)
    assert {s.key: s.customers for s in other.rfm.segments if s.customers} == {
        "need_attention": 1, "potential_loyalist": 1, "hibernating": 2, "about_to_sleep": 1,
        "promising": 1, "lost": 1, "new": 1}


@pytest.mark.parametrize(("filters", "names"), [
    (SegmentFilters(city="上海"), {"Zhang Wei", "Wang Fang"}),
    (SegmentFilters(city="华东"), {"Liu Yang"}),  # the region counts as a city filter
    (SegmentFilters(industry="制造"), {"Zhang Wei", "Chen Jie"}),  # contact or company
    (SegmentFilters(tag="VIP"), {"Zhang Wei", "Wang Fang"}),  # exact tags only, not VIP2
    (SegmentFilters(tag="重点", city="上海"), {"Zhang Wei"}),
    (SegmentFilters(stage="new"), {"Hu Yan", "Lin Na"}),
    (SegmentFilters(stage="lost"), {"Old Li"}),
    (SegmentFilters(city="%"), set()),  # a LIKE wildcard is text, not a pattern
    (SegmentFilters(city="'; DROP TABLE contact; --"), set()),
])
def test_filters_narrow_the_customers_counted(
    engine: Engine, shop: Shop, filters: SegmentFilters, names: set[str]
) -> None:
    rows = ask(engine, segments.lifecycle, shop.admin, filters=filters)
    assert {shop.name_of(r.contact_id) for r in rows} == names
    assert ask(engine, segments.segment_summary, shop.admin, filters=filters).customers == len(
        names)


def test_owner_filter_counts_that_reps_customers_and_hides_others_from_a_rep(
    engine: Engine, shop: Shop
) -> None:
    mine = SegmentFilters(owner_id=shop.other.id)
    assert ask(engine, segments.segment_summary, shop.admin, filters=mine).customers == 8
    assert ask(engine, segments.segment_summary, shop.rep, filters=mine).customers == 0


def test_owner_is_found_by_name_and_ambiguity_or_strangers_are_refused(
    engine: Engine, shop: Shop
) -> None:
    with unit_of_work(engine) as s:
        admin = s.get(Member, shop.admin.id)
        rep = s.get(Member, shop.rep.id)
        assert admin and rep
        assert segments.find_owner(s, actor=admin, name="李明").id == shop.rep.id
        assert segments.find_owner(s, actor=admin, name="olga").id == shop.other.id
        assert segments.find_owner(s, actor=rep, name="me").id == shop.rep.id
        with pytest.raises(Invalid) as ambiguous:
            segments.find_owner(s, actor=admin, name="M")
        assert ambiguous.value.key == "segments.owner_ambiguous"
        with pytest.raises(NotFound):
            segments.find_owner(s, actor=rep, name="Olga Other")


def test_customers_of_a_group_come_by_revenue_ten_at_most_per_page(
    engine: Engine, shop: Shop
) -> None:
    page = ask(engine, segments.customers, shop.admin, group="stage", key="at_risk", limit=5)
    assert [r.name for r in page.rows] == ["Liu Yang", "Wang Fang", "Zhao Lei", "Wu Gang",
                                           "Xu Jing"]
    assert (page.total, page.rows[0].owner_name) == (7, "李明")
    second = ask(engine, segments.customers, shop.admin, group="stage", key="at_risk",
                 offset=5, limit=5)
    assert [r.name for r in second.rows] == ["Ma Tao", "Guo Qiang"]
    none = ask(engine, segments.customers, shop.admin, group="rfm", key="none")
    assert {r.name for r in none.rows} == {"Old Li", "He Ping"}
    with pytest.raises(Invalid):
        ask(engine, segments.customers, shop.admin, group="rfm", key="bogus")


def test_contact_card_profile_matches_the_team_figures(engine: Engine, shop: Shop) -> None:
    with unit_of_work(engine) as s:
        admin = s.get(Member, shop.admin.id)
        assert admin is not None
        wang = segments.contact_profile(s, actor=admin, contact_id=shop.ids["Wang Fang"], now=NOW)
        ping = segments.contact_profile(s, actor=admin, contact_id=shop.ids["He Ping"], now=NOW)
    assert (wang.r, wang.f, wang.m, wang.segment, wang.tier, wang.score, wang.klass,
            wang.stage) == (2, 4, 4, "at_risk", "A", 71, "strategic", "at_risk")
    assert (ping.segment, ping.tier, ping.score, ping.stage) == ("none", "none", None,
                                                                 "prospect")


def test_contact_card_profile_of_another_reps_customer_is_not_found(
    engine: Engine, shop: Shop
) -> None:
    with unit_of_work(engine) as s:
        rep = s.get(Member, shop.rep.id)
        assert rep is not None
        with pytest.raises(NotFound):
            segments.contact_profile(s, actor=rep, contact_id=shop.ids["Sun Li"], now=NOW)


def test_a_new_order_shows_at_once_although_answers_are_remembered(
    engine: Engine, shop: Shop, source: str
) -> None:
    before = ask(engine, segments.segment_summary, shop.admin)
    with unit_of_work(engine) as s:
        ping = s.get(Contact, shop.ids["He Ping"])
        assert ping is not None
        _orders(s, shop.admin.team_id, ping, Spec("He Ping", "rep", (1,), 500, 100))
    after = ask(engine, segments.segment_summary, shop.admin)
    if source == "stored":  # the snapshot of NOW stands until it is refreshed
        assert (before.as_of, after.as_of) == (NOW, NOW)
        assert after.rfm.buyers == 13
        later = NOW + profiles.MAX_AGE
        after = ask(engine, segments.segment_summary, shop.admin, now=later)
        assert after.as_of == later
    else:
        assert (before.as_of, after.as_of) == (None, None)
    assert (before.rfm.buyers, after.rfm.buyers) == (13, 14)
    assert [s.customers for s in after.stages][:2] == [0, 3]  # He Ping is new now


def test_team_settings_change_the_window_weights_and_threshold(
    engine: Engine, shop: Shop
) -> None:
    with unit_of_work(engine) as s:
        team = s.get(Team, shop.admin.team_id)
        assert team is not None
        team.settings = {"rfm_window_days": 100, "value_weights": {
            "margin": 1, "volume": 0, "cost_to_serve": 0, "relationship": 0, "satisfaction": 0,
            "industry_position": 0, "unknown": 5}, "strategic_threshold": 40}
        s.add(team)
    rows = {r.name: r for r in ask(engine, segments.rfm, shop.admin)}
    # 100 days: Zhang (5 35 65 95), Zhou (40 90), Lin, Hu, Ma (80), Sun (100 is not inside)
    assert {n: r.frequency for n, r in rows.items()} == {
        "Zhang Wei": 4, "Zhou Min": 2, "Lin Na": 1, "Hu Yan": 1, "Ma Tao": 1}
    scores = {v.name: (v.score, v.strategic) for v in ask(engine, segments.value_scores,
                                                          shop.admin)}
    # margin alone, (below + equal / 2) / 5: Lin 300 → 10; Hu and Ma 600 each → (1 + 1) / 5
    assert scores == {"Lin Na": (10, False), "Hu Yan": (40, True), "Ma Tao": (40, True),
                      "Zhou Min": (70, True), "Zhang Wei": (90, True)}


@pytest.mark.parametrize("settings", [
    {"rfm_window_days": "many"}, {"rfm_window_days": 5}, {"value_weights": {"margin": -1}},
    {"value_weights": {name: 0 for name in segment_rules.DEFAULT_WEIGHTS}},
    {"strategic_threshold": 400}, {"value_weights": "heavy"},
])
def test_bad_team_settings_fall_back_to_the_defaults(settings: dict[str, object]) -> None:
    got = segment_rules.settings_for(Team(name="T", settings=settings))
    assert got == segment_rules.SegmentSettings()


def test_ties_in_rfm_are_broken_by_contact_id_and_equal_values_share_a_tier(
    engine: Engine
) -> None:
    segments.forget()
    admin = make_admin(engine)
    ids = [make_contact(engine, owner=admin, name=f"Twin {i}").id or 0 for i in range(5)]
    with unit_of_work(engine) as s:
        for cid in ids:  # identical customers: one order, same time, same amount
            s.add(Order(team_id=admin.team_id, owner_id=admin.id or 0, contact_id=cid,
                        amount_minor=100_000, margin_minor=10_000, status="paid",
                        ordered_at=NOW - timedelta(days=7)))
    rows = sorted(ask(engine, segments.rfm, admin), key=lambda r: r.contact_id)
    assert [(r.r, r.f, r.m) for r in rows] == [(n, n, n) for n in range(1, 6)]
    assert [t.customers for t in ask(engine, segments.abc_tiers, admin).tiers] == [5, 0, 0]


def test_rule_table_puts_every_score_pair_in_exactly_one_segment() -> None:
    for r in range(1, 6):
        for fm in range(1, 6):
            owners = [key for key, boxes in segment_rules.RFM_RULES
                      for r1, r2, f1, f2 in boxes if r1 <= r <= r2 and f1 <= fm <= f2]
            assert len(owners) == 1, (r, fm, owners)
    assert {key for key, _ in segment_rules.RFM_RULES} == set(segments.SEGMENTS)
    assert segment_rules.segment_of(5, 4, 5) == "champions"  # FM = (4 + 5 + 1) // 2 = 5
    assert segment_rules.segment_of(1, 1, 1) == "lost"
    assert segment_rules.segment_of(1, 1, 2) == "hibernating"  # FM = (1 + 2 + 1) // 2 = 2
