"""The report's XLSX workbook (openpyxl): one sheet per topic, headers in the member's language.

Money is written as numbers (major units) with the team currency's number format, shares as
fractions with a percent format, so the sheets sum and chart in Excel like hand-built ones.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from crm_store.analytics.digest_figures import FIGURES
from crm_store.analytics.report_data import ReportData
from crm_store.money import SYMBOLS
from crm_store.records.exporting import safe_cell
from handlers.i18n import Translator
from handlers.reports import views

PERCENT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
MAX_WIDTH = 60


class Money(int):
    """An amount in minor units, written as a currency number."""


class Share(float):
    """A fraction written with a percent format."""


Cell = str | int | float | None  # Money and Share are an int and a float
Figure = int | float | None  # a figure as crm_store.analytics.report_data holds it


def money_format(currency: str) -> str:
    """Excel number format for the team currency: '"¥"#,##0.00', or '#,##0.00 "CHF"'."""
    symbol = SYMBOLS.get(currency)
    return f'"{symbol}"#,##0.00' if symbol else f'#,##0.00 "{currency}"'


def _width(value: Cell) -> int:
    text = f"{value:,.2f}" if isinstance(value, float | Money) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet(book: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]],
           currency: str) -> Worksheet:
    """A sheet with a bold frozen header, typed cells and fitted column widths."""
    sheet: Worksheet = book.create_sheet(title[:31])  # Any in the stubs (write-only or not)
    sheet.append([safe_cell(value) for value in header])
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=False)
    sheet.freeze_panes = "A2"
    number = money_format(currency)
    for row in rows:
        sheet.append([value / 100 if isinstance(value, Money) else safe_cell(value)
                      for value in row])  # names are typed by members: never live formulas
        for cell, value in zip(sheet[sheet.max_row], row, strict=True):
            if isinstance(value, Money):
                cell.number_format = number
            elif isinstance(value, Share):
                cell.number_format = PERCENT
    for index, column in enumerate(zip(header, *rows, strict=True), start=1):
        wide = max(_width(value) for value in column if value is not None)
        sheet.column_dimensions[get_column_letter(index)].width = min(wide + 3, MAX_WIDTH)
    return sheet


def typed(name: str, value: Figure) -> Cell:
    """A figure as the cell should hold it, by its name: money, a share, or a plain number."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if name.endswith("_minor"):
        return Money(round(value))
    if name.endswith("_rate"):
        return Share(value)
    if name.endswith(("_percent", "_pct")):
        return Share(value / 100)
    return round(value, 2) if isinstance(value, float) else value


def _summary(data: ReportData, t: Translator, tz: ZoneInfo) -> list[list[Cell]]:
    start, end = views.period_range(data, tz)
    info: list[list[Cell]] = [
        [t.plain("reports.info_period"), data.period.label],
        [t.plain("reports.info_from"), start], [t.plain("reports.info_to"), end],
        [t.plain("reports.info_scope"), views.scope_text(data, t)]]
    return info + [[views.figure_label(name, t), typed(name, data.summary.get(name, 0))]
                   for name in FIGURES]


def _funnel(data: ReportData, t: Translator) -> tuple[list[str], list[list[Cell]]]:
    p = t.plain
    header = [p("reports.col_stage"), p("reports.col_entered"), p("reports.col_conversion")]
    rows: list[list[Cell]] = [
        [views.stage_label(row.stage, t), row.count, None if share is None else Share(share)]
        for row, share in zip(data.funnel, views.conversions(data.funnel), strict=True)]
    if data.funnel_figures:
        rows.append([None, None, None])
        rows += [[views.funnel_label(name, t), typed(name, value), None]
                 for name, value in data.funnel_figures]
    return header, rows


def _activity(data: ReportData, t: Translator) -> tuple[list[str], list[list[Cell]]]:
    kinds = views.activity_kinds(data.activity)
    more = list(dict.fromkeys(k for rep in data.activity for k in rep.more))
    header = [t.plain("reports.col_rep"), *(views.kind_label(k, t) for k in kinds),
              t.plain("reports.col_total"), *(views.figure_label(name, t) for name in more)]
    rows = [[rep.name, *(rep.by_kind.get(k, 0) for k in kinds), rep.total,
             *(typed(name, rep.more.get(name, 0)) for name in more)] for rep in data.activity]
    return header, rows


def _segments(data: ReportData, t: Translator) -> list[list[Cell]]:
    """One block per group (RFM, tiers, classes, lifecycle), then the overall figures."""
    rows: list[list[Cell]] = []
    for group in dict.fromkeys(row.group for row in data.segments):
        members = [row for row in data.segments if row.group == group]
        total = sum(row.customers for row in members)
        if rows:
            rows.append([None] * 6)
        rows += [[views.group_label(group, t), views.segment_label(row.key, group, t),
                  row.customers, Share(row.customers / total) if total else None,
                  None if row.revenue_minor is None else Money(row.revenue_minor),
                  None if row.share is None else Share(row.share)]
                 for row in members]
    if data.segment_figures:
        rows.append([None] * 6)
        rows += [[views.segment_figure_label(name, t), None, typed(name, value), None, None,
                  None] for name, value in data.segment_figures]
    return rows


def _service(data: ReportData, t: Translator) -> list[list[Cell]]:
    return [[views.service_label(name, t), typed(name, value)] for name, value in data.service]


def _at_risk(data: ReportData, t: Translator, tz: ZoneInfo) -> list[list[Cell]]:
    return [[r.contact_name, data.owner_names.get(r.owner_id, ""), r.days_since,
             r.usual_gap_days, r.score, Money(r.value_minor), views.reasons_text(r, t),
             r.last_order_at.astimezone(tz).date().isoformat()] for r in data.at_risk]


def build_workbook(data: ReportData, t: Translator, tz: ZoneInfo) -> bytes:
    """The report as XLSX bytes: summary, pipeline, funnel, activity, segments, service, risk."""
    book = Workbook()
    for blank in book.worksheets:  # a new workbook opens with one empty sheet
        book.remove(blank)
    cur, p = data.currency, t.plain
    _sheet(book, p("reports.sheet_summary"), [p("reports.col_figure"), p("reports.col_value")],
           _summary(data, t, tz), cur)
    weighted = any(r.weighted_minor is not None for r in data.pipeline)
    _sheet(book, p("reports.sheet_pipeline"),
           [p("reports.col_stage"), p("reports.col_deals"), p("reports.col_amount"),
            *([p("reports.col_weighted")] if weighted else [])],
           [[views.stage_label(r.stage, t), r.count, Money(r.amount_minor),
             *([Money(r.weighted_minor or 0)] if weighted else [])] for r in data.pipeline], cur)
    header, rows = _funnel(data, t)
    _sheet(book, p("reports.sheet_funnel"), header, rows, cur)
    header, rows = _activity(data, t)
    _sheet(book, p("reports.sheet_activity"), header, rows, cur)
    _sheet(book, p("reports.sheet_segments"), [
        p("reports.col_grouping"), p("reports.col_segment"), p("reports.col_customers"),
        p("reports.col_share"), p("reports.col_revenue"), p("reports.col_value_share")],
        _segments(data, t), cur)
    _sheet(book, p("reports.sheet_service"), [p("reports.col_figure"), p("reports.col_value")],
           _service(data, t), cur)
    _sheet(book, p("reports.sheet_at_risk"), [
        p("reports.col_customer"), p("reports.col_owner"), p("reports.col_days_since"),
        p("reports.col_usual_gap"), p("reports.col_score"), p("reports.col_value_at_risk"),
        p("reports.col_reasons"), p("reports.col_last_order")], _at_risk(data, t, tz), cur)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
