"""Customer care: birthdays (solar and lunar), anniversaries and holiday lists, on the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from lunardate import LunarDate
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from crm_store.db import unit_of_work
from crm_store.models import Contact, Member, Order, Outbox, Team
from crm_store.outreach import care
from crm_store.sales import orders
from scheduler.care import produce_care
from tests.builders import make_admin, make_contact, make_member
from tests.scheduler.helpers import FakeClock, acting, change


def customer(engine: Engine, owner: Member, name: str, **fields: Any) -> Contact:
    contact = make_contact(engine, owner=owner, name=name)
    if fields:
        change(engine, Contact, contact.id, **fields)
    return contact


def buy(engine: Engine, owner: Member, contact: Contact, amount: int, at: datetime) -> Order:
    with acting(engine, owner) as (s, me):
        return orders.create_order(s, actor=me, contact_id=contact.id or 0, amount_minor=amount,
                                   at=at)


def outbox(engine: Engine, kind: str | None = None) -> list[Outbox]:
    with unit_of_work(engine) as s:
        stmt = select(Outbox).order_by(col(Outbox.id))
        if kind:
            stmt = stmt.where(Outbox.kind == kind)
        return list(s.exec(stmt))


def local(day: date, hour: int, minute: int = 0, *, offset: int = 8) -> datetime:
    """A wall-clock time at a fixed UTC offset, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(
        hours=offset)


@pytest.fixture
def team(engine: Engine) -> dict[str, Member]:
    """An admin, a rep in Shanghai and a rep in New York."""
    admin = make_admin(engine)
    shanghai = make_member(engine, by=admin, name="Li")
    new_york = make_member(engine, by=admin, name="Ann")
    change(engine, Member, new_york.id, timezone="America/New_York")
    return {"admin": admin, "shanghai": shanghai, "new_york": new_york}


def test_solar_birthday_arrives_on_the_day_at_nine_local_in_each_time_zone_once(
    engine: Engine, team: dict[str, Member]
) -> None:
    wang = customer(engine, team["shanghai"], "王芳", birthday=date(1985, 5, 20))
    smith = customer(engine, team["new_york"], "Bob Smith", birthday=date(1979, 5, 20))
    customer(engine, team["shanghai"], "Not today", birthday=date(1985, 5, 21))
    clock = FakeClock(datetime(2026, 5, 19, 15, 59, tzinfo=UTC))  # Shanghai 23:59 the day before

    assert produce_care(engine, clock.now()) == 0
    clock.at = datetime(2026, 5, 19, 16, 5, tzinfo=UTC)  # Shanghai 00:05, New York still the 19th
    assert produce_care(engine, clock.now()) == 1
    clock.at = datetime(2026, 5, 20, 4, 5, tzinfo=UTC)  # New York 00:05 (EDT)
    assert produce_care(engine, clock.now()) == 1
    assert produce_care(engine, clock.now()) == 0

    rows = outbox(engine, "birthday")
    assert [(r.member_id, r.dedupe_key, r.due_at) for r in rows] == [
        (team["shanghai"].id, f"birthday:{wang.id}:2026", datetime(2026, 5, 20, 1, tzinfo=UTC)),
        (team["new_york"].id, f"birthday:{smith.id}:2026",
         datetime(2026, 5, 20, 13, tzinfo=UTC)),
    ]
    assert rows[0].payload == {"contact_id": wang.id, "contact_name": "王芳", "lunar": False,
                               "date": "2026-05-20", "tier": "C"}


def test_lunar_mid_autumn_birthday_arrives_on_its_solar_day_not_on_the_solar_date(
    engine: Engine, team: dict[str, Member]
) -> None:
    assert LunarDate(2026, 8, 15).to_solar_date() == date(2026, 9, 25)
    lunar = customer(engine, team["shanghai"], "陈静", birthday=date(1975, 8, 15),
                     birthday_lunar=True)

    assert produce_care(engine, local(date(2026, 8, 15), 8)) == 0
    assert produce_care(engine, local(date(2026, 9, 25), 0, 10)) == 2  # and the Mid-Autumn list

    [row] = outbox(engine, "birthday")
    assert row.dedupe_key == f"birthday:{lunar.id}:2026"
    assert row.due_at == local(date(2026, 9, 25), 9)
    assert row.payload["lunar"] is True and row.payload["date"] == "2026-09-25"


def test_lunar_day_thirty_missing_this_year_falls_on_the_months_last_day_once(
    engine: Engine, team: dict[str, Member]
) -> None:
    last_day = LunarDate(2026, 4, 29).to_solar_date()  # lunar 4th month of 2026 has 29 days
    customer(engine, team["shanghai"], "赵六", birthday=date(1990, 4, 30), birthday_lunar=True)

    assert produce_care(engine, local(last_day, 10)) == 1
    assert produce_care(engine, local(last_day + timedelta(days=1), 10)) == 0
    assert outbox(engine, "birthday")[0].payload["date"] == last_day.isoformat()


def test_lunar_birthday_is_kept_in_the_regular_month_not_the_leap_month(
    engine: Engine, team: dict[str, Member]
) -> None:
    customer(engine, team["shanghai"], "孙七", birthday=date(1988, 6, 10), birthday_lunar=True)

    assert produce_care(engine, local(LunarDate(2025, 6, 10, True).to_solar_date(), 10)) == 0
    assert produce_care(engine, local(LunarDate(2025, 6, 10).to_solar_date(), 10)) == 1


def test_deleted_contacts_and_inactive_owners_get_no_birthday_reminder(
    engine: Engine, team: dict[str, Member]
) -> None:
    customer(engine, team["shanghai"], "Gone", birthday=date(1985, 5, 20),
             deleted_at=datetime(2026, 1, 1, tzinfo=UTC))
    customer(engine, team["new_york"], "Owner left", birthday=date(1985, 5, 20))
    change(engine, Member, team["new_york"].id, active=False)

    assert produce_care(engine, datetime(2026, 5, 20, 12, tzinfo=UTC)) == 0


def test_anniversary_counts_years_from_the_first_order_left_uncancelled(
    engine: Engine, team: dict[str, Member]
) -> None:
    rep = team["shanghai"]
    loyal = customer(engine, rep, "老客户")
    buy(engine, rep, loyal, 10_000, local(date(2023, 6, 10), 10))
    buy(engine, rep, loyal, 20_000, local(date(2026, 1, 5), 10))
    newcomer = customer(engine, rep, "New buyer")
    cancelled = buy(engine, rep, newcomer, 5_000, local(date(2022, 6, 10), 10))
    change(engine, Order, cancelled.id, status="cancelled")
    buy(engine, rep, newcomer, 5_000, local(date(2025, 12, 1), 10))

    assert produce_care(engine, local(date(2026, 6, 9), 10)) == 0
    assert produce_care(engine, local(date(2026, 6, 10), 7)) == 1
    assert produce_care(engine, local(date(2026, 6, 10), 12)) == 0

    [row] = outbox(engine, "anniversary")
    assert row.dedupe_key == f"anniversary:{loyal.id}:2026"
    assert row.due_at == local(date(2026, 6, 10), 9)
    assert row.payload == {"contact_id": loyal.id, "contact_name": "老客户", "years": 3,
                           "since": "2023-06-10", "tier": "A"}


@pytest.fixture
def book(engine: Engine, team: dict[str, Member]) -> dict[str, Contact]:
    """Li's six customers with revenue 100, 500, 300, 0, 200, 0; Ann has one without."""
    li, names = team["shanghai"], {}
    for name, amount in (("c1", 100), ("c2", 500), ("c3", 300), ("c4", 0), ("c5", 200),
                         ("c6", 0)):
        names[name] = customer(engine, li, name)
        if amount:
            buy(engine, li, names[name], amount, datetime(2025, 12, 1, tzinfo=UTC))
    names["ann1"] = customer(engine, team["new_york"], "ann1")
    return names


def greeted(row: Outbox) -> list[tuple[str, str]]:
    return [(ref["contact_name"], ref["tier"]) for ref in row.payload["contacts"]]


LI_LIST = [("c2", "A"), ("c3", "B"), ("c5", "B"), ("c1", "B"), ("c4", "C"), ("c6", "C")]


def test_double_eleven_gives_each_owner_one_list_with_tier_a_first(
    engine: Engine, team: dict[str, Member], book: dict[str, Contact]
) -> None:
    shanghai_morning = local(date(2026, 11, 11), 0, 30)
    new_york_morning = local(date(2026, 11, 11), 0, 30, offset=-5)

    assert produce_care(engine, shanghai_morning) == 1  # the admin has no customers
    assert produce_care(engine, new_york_morning) == 1
    assert produce_care(engine, new_york_morning) == 0

    li_row, ann_row = outbox(engine, "holiday")
    assert li_row.dedupe_key == f"holiday:{team['shanghai'].id}:2026-11-11:Double 11"
    assert li_row.due_at == local(date(2026, 11, 11), 9)
    assert li_row.payload["holiday"] == "Double 11" and li_row.payload["date"] == "2026-11-11"
    assert greeted(li_row) == LI_LIST
    assert li_row.payload["contacts"][0]["contact_id"] == book["c2"].id
    assert ann_row.member_id == team["new_york"].id and greeted(ann_row) == [("ann1", "C")]


def test_spring_festival_by_lunar_calendar_gives_one_list_per_owner_not_two(
    engine: Engine, team: dict[str, Member], book: dict[str, Contact]
) -> None:
    spring_festival = date(2026, 2, 17)  # lunar 1-1, also a statutory holiday
    assert LunarDate(2026, 1, 1).to_solar_date() == spring_festival

    produce_care(engine, local(spring_festival, 6))

    [row] = [r for r in outbox(engine, "holiday") if r.payload["date"] == "2026-02-17"]
    assert row.dedupe_key == f"holiday:{team['shanghai'].id}:2026-02-17:Spring Festival"
    assert greeted(row) == LI_LIST


def test_national_day_list_comes_on_its_first_day_only(
    engine: Engine, team: dict[str, Member], book: dict[str, Contact]
) -> None:
    for day in (date(2026, 9, 30), date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 6)):
        for offset in (8, -4):  # the morning in Shanghai, then in New York
            produce_care(engine, local(day, 8, offset=offset))

    rows = outbox(engine, "holiday")
    assert [(r.member_id, r.payload["holiday"], r.payload["date"]) for r in rows] == [
        (team["shanghai"].id, "National Day", "2026-10-01"),
        (team["new_york"].id, "National Day", "2026-10-01"),
    ]


def test_holiday_list_stops_at_thirty_and_respects_working_hours(
    engine: Engine, team: dict[str, Member]
) -> None:
    rep = team["shanghai"]
    change(engine, Member, rep.id, work_start=10, work_end=19)
    with unit_of_work(engine) as s:
        for n in range(32):
            s.add(Contact(team_id=rep.team_id, owner_id=rep.id or 0, name=f"客户{n:02d}"))

    assert produce_care(engine, local(date(2026, 11, 11), 8)) == 1

    [row] = outbox(engine, "holiday")
    assert len(row.payload["contacts"]) == 30
    assert row.due_at == local(date(2026, 11, 11), 10)


def test_a_customer_in_the_top_fifth_of_an_owners_revenue_is_tier_a(
    engine: Engine, team: dict[str, Member], book: dict[str, Contact]
) -> None:
    old = customer(engine, team["shanghai"], "Bought long ago")
    buy(engine, team["shanghai"], old, 900, datetime(2025, 1, 1, tzinfo=UTC))

    with unit_of_work(engine) as s:
        tiers = care.tiers_for_team(s, team["admin"].team_id, datetime(2026, 3, 1, tzinfo=UTC))

    assert {name: tiers[c.id or 0] for name, c in book.items()} == {
        "c1": "B", "c2": "A", "c3": "B", "c4": "C", "c5": "B", "c6": "C", "ann1": "C"}
    assert tiers[old.id or 0] == "C"  # more than 365 days ago


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 2, 28), {(2, 28), (2, 29)}),
    (date(2028, 2, 28), {(2, 28)}),
    (date(2028, 2, 29), {(2, 29)}),
])
def test_a_29_february_birthday_is_kept_on_the_28th_in_common_years(
    day: date, expected: set[tuple[int, int]]
) -> None:
    assert care.solar_days_on(day) == expected


@pytest.mark.parametrize(("spec", "day", "matches"), [
    ("11-11", date(2026, 11, 11), True),
    ("lunar:01-01", date(2026, 2, 17), True),
    ("lunar:08-15", date(2026, 9, 25), True),
    ("lunar:08-15", date(2026, 8, 15), False),
    ("nonsense", date(2026, 11, 11), False),
    ("13-45", date(2026, 11, 11), False),
])
def test_care_dates_match_solar_and_lunar_days(spec: str, day: date, matches: bool) -> None:
    assert care.care_date_matches(spec, day) is matches


def test_malformed_team_care_dates_do_not_stop_the_other_reminders(
    engine: Engine, team: dict[str, Member], book: dict[str, Contact]
) -> None:
    change(engine, Team, team["admin"].team_id,
           settings={"care_dates": [{"date": "xx", "name": "Bad"},
                                    {"date": "03-08", "name": "Women's Day"}]})

    assert produce_care(engine, local(date(2026, 3, 8), 10)) == 1
    assert outbox(engine, "holiday")[0].payload["holiday"] == "Women's Day"
