"""Exporting: XLSX and CSV that import back as duplicates, ICS follow-ups, visibility."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from crm_store.db import unit_of_work
from crm_store.errors import Forbidden
from crm_store.models import AuditLog, Contact, Member, Role, Task, TaskStatus
from crm_store.records import exporting, importing
from crm_store.sales import deals, orders, tasks
from tests.builders import make_admin, make_contact, make_member

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime.now(UTC)
LABELS = {"name": "姓名", "company": "公司", "phone": "电话", "email": "邮箱", "title": "职位",
          "city": "城市", "industry": "行业", "tags": "标签"}
SHEETS = ("联系人", "商机", "订单")


def seed(engine: Engine, owner: Member) -> list[Contact]:
    """Contacts in every shape an export must carry back: Chinese, tags, odd characters."""
    made = [
        make_contact(engine, owner=owner, name="张伟", company="华东机械", phone="13800138000",
                     email="zw@hd.cn"),
        make_contact(engine, owner=owner, name="=HYPERLINK(\"x\")", company="Acme, Inc."),
        make_contact(engine, owner=owner, name="李娜", company="华东机械"),
        make_contact(engine, owner=owner, name="Li Na", email="li.na@example.com"),
        make_contact(engine, owner=owner, name="王芳"),
    ]
    with unit_of_work(engine) as s:
        first = s.get(Contact, made[0].id)
        assert first is not None
        first.tags, first.city, first.industry = ["VIP", "老客户"], "上海", "制造"
    return made


def exported(engine: Engine, actor: Member) -> exporting.ExportData:
    """What `actor` would export."""
    with unit_of_work(engine) as s:
        member = s.get(Member, actor.id)
        assert member is not None
        return exporting.gather(s, actor=member, tz=TZ)


def reimport(engine: Engine, actor: Member, content: bytes, name: str) -> importing.ImportPreview:
    """Preview importing an exported file back."""
    with unit_of_work(engine) as s:
        member = s.get(Member, actor.id)
        assert member is not None
        return importing.preview_import(s, actor=member, content=content, file_name=name)


def test_exported_csv_and_xlsx_import_back_as_all_duplicates(engine: Engine) -> None:
    admin = make_admin(engine)
    seed(engine, admin)
    data = exported(engine, admin)
    for content, name in ((exporting.contacts_csv(data, LABELS), "contacts.csv"),
                          (exporting.workbook(data, LABELS, SHEETS), "crm.xlsx")):
        result = reimport(engine, admin, content, name)
        assert (result.rows, len(result.duplicates), result.errors, result.ok) == (5, 5, [], [])


def test_export_guards_formulas_and_keeps_the_values(engine: Engine) -> None:
    admin = make_admin(engine)
    seed(engine, admin)
    data = exported(engine, admin)
    rows = list(csv.reader(io.StringIO(exporting.contacts_csv(data, LABELS).decode("utf-8-sig"))))
    assert rows[0] == list(LABELS.values())
    assert rows[1] == ["张伟", "华东机械", "+8613800138000", "zw@hd.cn", "", "上海", "制造",
                       "VIP, 老客户"]
    assert rows[2][0] == "'=HYPERLINK(\"x\")"
    book = load_workbook(io.BytesIO(exporting.workbook(data, LABELS, SHEETS)))
    assert book.sheetnames == list(SHEETS)
    assert book["联系人"]["A3"].value == "'=HYPERLINK(\"x\")"
    assert book["联系人"]["C2"].value == "+8613800138000"


def test_workbook_has_deals_and_orders_sheets(engine: Engine) -> None:
    admin = make_admin(engine)
    zhang = seed(engine, admin)[0]
    with unit_of_work(engine) as s:
        member = s.get(Member, admin.id)
        assert member is not None
        deals.create_deal(s, actor=member, contact_id=zhang.id or 0, title="机床 20 台",
                          amount_minor=50_000_000)
        orders.create_order(s, actor=member, contact_id=zhang.id or 0, amount_minor=1_234_56,
                            note="首单")
    book = load_workbook(io.BytesIO(exporting.workbook(exported(engine, admin), LABELS, SHEETS)))
    deal_row = [c.value for c in book["商机"][2]]
    order_row = [c.value for c in book["订单"][2]]
    assert deal_row[:4] == ["张伟", "机床 20 台", 500_000, "CNY"]
    assert order_row[:4] == ["张伟", 1234.56, 0, "CNY"] and order_row[-1] == "首单"


def test_calendar_parses_back_with_one_event_per_open_follow_up(engine: Engine) -> None:
    admin = make_admin(engine)
    zhang = seed(engine, admin)[0]
    due = (NOW + timedelta(days=2)).replace(microsecond=0)
    with unit_of_work(engine) as s:
        member = s.get(Member, admin.id)
        assert member is not None
        kept = tasks.create_task(s, actor=member, contact_id=zhang.id or 0, due_at=due,
                                 text="报价跟进", now=NOW)
        s.add(Task(team_id=member.team_id, owner_id=member.id or 0, contact_id=zhang.id,
                   text="done already", due_at=due, status=TaskStatus.DONE))
        items = exporting.follow_ups(s, actor=member)
    cal = Calendar.from_ical(exporting.calendar(items, name="CRM", now=NOW))
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["uid"]) == f"task-{kept.id}@crm-assistant-bot"
    assert str(event["summary"]) == "张伟: 报价跟进"
    assert event.decoded("dtstart") == due
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert "+8613800138000" in str(event["description"])


def test_manager_exports_their_team_admin_everyone_and_a_rep_no_records(
        engine: Engine) -> None:
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Mgr")
    rep = make_member(engine, by=manager, role=Role.REP, name="Rep")
    other = make_member(engine, by=admin, role=Role.REP, name="Other")
    for owner, name in ((rep, "Rep Client"), (other, "Other Client"), (manager, "Mgr Client")):
        make_contact(engine, owner=owner, name=name)
    names = {m.display_name: sorted(r[0] for r in exported(engine, m).contacts)
             for m in (manager, admin)}
    assert names == {"Mgr": ["Mgr Client", "Rep Client"],
                     "Ada Admin": ["Mgr Client", "Other Client", "Rep Client"]}
    with pytest.raises(Forbidden):  # the customer list never leaves through a rep
        exported(engine, rep)


def test_every_export_is_audited_with_its_row_counts(engine: Engine) -> None:
    admin = make_admin(engine)
    rep = make_member(engine, by=admin, role=Role.REP, name="Rep")
    zhang = make_contact(engine, owner=rep, name="张伟")
    with unit_of_work(engine) as s:
        member = s.get(Member, rep.id)
        assert member is not None
        tasks.create_task(s, actor=member, contact_id=zhang.id or 0, text="call",
                          due_at=NOW + timedelta(days=1), now=NOW)
        got = exporting.export_for(s, actor=member, tz=TZ)
        assert got.data is None and len(got.follow_ups) == 1 and got.files == ["ics"]
        boss = s.get(Member, admin.id)
        assert boss is not None
        full = exporting.export_for(s, actor=boss, tz=TZ)
        assert full.data is not None and full.files == ["xlsx", "csv"]  # no tasks of their own
    with unit_of_work(engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.action == "export")
                      .order_by(col(AuditLog.id))).all()
        assert [(r.actor_id, r.entity, r.entity_id, r.after) for r in rows] == [
            (rep.id, "member", rep.id, {"files": ["ics"], "follow_ups": 1}),
            (admin.id, "member", admin.id, {"files": ["xlsx", "csv"], "contacts": 1,
                                            "deals": 0, "orders": 0, "follow_ups": 0})]
