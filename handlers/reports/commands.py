"""/report week|month: the period's charts as photos and every figure in an XLSX workbook."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from crm_store.analytics.report_data import (
    MONTH,
    WEEK,
    Period,
    RepActivity,
    ReportData,
    SegmentCount,
    StageRow,
    build_report,
    period_of,
)
from crm_store.errors import Invalid
from handlers.context import Context
from handlers.i18n import Html, Translator
from handlers.reports import views
from handlers.router import EVERYONE, registry
from handlers.types import ChatRequest, Reply

WEEK_WORDS = frozenset({"week", "w", "weekly", "周", "本周", "这周", "周报"})
MONTH_WORDS = frozenset({"month", "m", "monthly", "月", "本月", "这个月", "月报"})
LAST_WORDS = frozenset({"last", "previous", "prev", "上", "上个"})
LAST_WEEK, LAST_MONTH = frozenset({"上周"}), frozenset({"上月", "上个月"})
MONTH_TEXT = re.compile(r"(\d{4})-(\d{1,2})")
WEEK_TEXT = re.compile(r"(\d{4})-?w(\d{1,2})")
YEARS = range(2000, 2101)


def _named_day(word: str) -> tuple[str, date] | None:
    """'2026-10' → (month, 1 Oct 2026); '2026-W45' → (week, its Monday); else None."""
    try:
        if match := MONTH_TEXT.fullmatch(word):
            year, month = int(match[1]), int(match[2])
            return (MONTH, date(year, month, 1)) if year in YEARS else None
        if match := WEEK_TEXT.fullmatch(word):
            year, week = int(match[1]), int(match[2])
            return (WEEK, date.fromisocalendar(year, week, 1)) if year in YEARS else None
    except ValueError:  # month 13, week 54
        return None
    return None


def parse_period(text: str, *, now: datetime, tz: ZoneInfo) -> Period | None:
    """'month', 'week last', '上月', 'month 2026-10', '2026-W45' → the Period; None if unclear."""
    words = text.strip().lower().split()
    kinds: set[str] = set()
    day, last, named = now.astimezone(tz).date(), False, False
    if len(words) > 2:
        return None
    for word in words:
        if word in WEEK_WORDS | LAST_WEEK:
            kinds.add(WEEK)
        elif word in MONTH_WORDS | LAST_MONTH:
            kinds.add(MONTH)
        elif (found := _named_day(word)) is not None and not named:
            kinds.add(found[0])
            day, named = found[1], True
        elif word not in LAST_WORDS:
            return None
        last = last or word in LAST_WORDS | LAST_WEEK | LAST_MONTH
    if len(kinds) > 1 or (last and named):
        return None
    kind = kinds.pop() if kinds else MONTH
    if last:
        day = day - timedelta(days=7) if kind == WEEK else day.replace(day=1) - timedelta(days=1)
    period = period_of(kind, day, str(tz), now)
    if period.start_utc > now:
        raise Invalid("reports.future", period=period.label)
    return period


@dataclass(frozen=True)
class ReportFile:
    """One file of a report: a chart (PNG) or the workbook (XLSX), with its caption."""

    filename: str
    content: bytes
    caption: Html
    is_chart: bool


def report_files(data: ReportData, t: Translator, tz: ZoneInfo,
                 drawn: list[tuple[str, bytes]] | None = None) -> list[ReportFile]:
    """Render the charts and the workbook (CPU work, no database: fine in a thread)."""
    from handlers.reports.charts import report_charts  # matplotlib loads on the first report
    from handlers.reports.workbook import build_workbook

    files = [ReportFile(views.chart_filename(data, index, key), png,
                        views.caption(key, data, t), True)
             for index, (key, png) in enumerate(report_charts(data, t, drawn), start=1)]
    files.append(ReportFile(views.workbook_filename(data), build_workbook(data, t, tz),
                            views.workbook_caption(data, t, tz), False))
    return files


def as_replies(files: list[ReportFile]) -> list[Reply]:
    """A photo reply per chart and a document reply for the workbook."""
    return [Reply(str(f.caption), photo=f.content, filename=f.filename) if f.is_chart
            else Reply(str(f.caption), document=f.content, filename=f.filename) for f in files]


@registry.command("report", help_key="help.report", roles=EVERYONE)
async def report(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Send the period's charts and workbook: a manager's team, a rep's own figures."""
    period = parse_period(req.args, now=ctx.now, tz=ctx.tz)
    if period is None:
        return [ctx.text("reports.usage")]
    loop = asyncio.get_running_loop()
    drawing: list[asyncio.Future[list[tuple[str, bytes]]]] = []

    # Submitted at once (run_in_executor does not wait for the loop): charts are drawn in a
    # worker thread while the database gathers the slower figures.
    def draw_early(funnel: list[StageRow], pipeline: list[StageRow],
                   activity: list[RepActivity], currency: str) -> None:
        from handlers.reports.charts import early_charts

        drawing.append(loop.run_in_executor(None, early_charts, funnel, pipeline, activity,
                                            period.label, currency, ctx.t))

    def draw_segments(segments: list[SegmentCount], scheme: str) -> None:
        from handlers.reports.charts import segments_chart

        drawing.append(loop.run_in_executor(None, lambda: [(
            "reports.caption_segments", segments_chart(segments, scheme, ctx.t))]))

    data = build_report(ctx.session, actor=ctx.member, period=period, now=ctx.now,
                        charts_ready=draw_early, segments_ready=draw_segments)
    drawn = [chart for charts in await asyncio.gather(*drawing) for chart in charts]
    # Drawing takes a moment: off the event loop, so polling and the scheduler keep going.
    files = await asyncio.to_thread(report_files, data, ctx.t, ctx.tz, drawn)
    return as_replies(files)
