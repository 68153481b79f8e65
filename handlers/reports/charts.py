"""The report's charts as PNG bytes: matplotlib's object API on the Agg canvas, CJK-capable.

Each chart is its own Figure drawn on its own FigureCanvasAgg (no pyplot, no global figure), so
two reports rendered at once cannot draw into each other. The only global touched is rcParams,
set once at import: Noto Sans CJK SC (bundled by the mplfonts wheel) first, so Latin and Chinese
share one typeface, DejaVu Sans after it for any symbol the CJK font lacks.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from matplotlib import font_manager, rcParams
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from crm_store.analytics.report_data import RepActivity, ReportData, SegmentCount, StageRow
from crm_store.money import format_money
from handlers.i18n import Translator
from handlers.reports.views import (
    activity_kinds,
    conversions,
    kind_label,
    segment_label,
    stage_label,
)

log = logging.getLogger(__name__)
CJK_FAMILY = "Noto Sans CJK SC"
CJK_FILE = "NotoSansCJKsc-Regular.otf"
SIZE_INCHES, DPI = (10.0, 6.0), 100  # 1000 × 600 px
MAX_REPS = 25
_DRAWING = threading.Lock()
PALETTE = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3")


def cjk_font_path() -> Path | None:
    """The Noto Sans CJK SC file inside the installed mplfonts package, if there is one."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / CJK_FILE
    return path if path.is_file() else None


def _use_cjk_font() -> None:
    path = cjk_font_path()
    if path is None:
        log.warning("mplfonts is not installed: Chinese text in charts will show as boxes")
    elif CJK_FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [CJK_FAMILY, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = False  # a plain "-": every CJK font has it, not all U+2212


_use_cjk_font()


def _png(draw: Callable[[Axes], None]) -> bytes:
    """Draw on a fresh 1000×600 figure and return it as PNG bytes."""
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    buffer = io.BytesIO()
    with _DRAWING:  # matplotlib promises no thread safety; reports are rare, so take turns
        draw(axes)
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _frame(axes: Axes, title: str) -> None:
    axes.set_title(title, fontsize=16, pad=12)
    axes.spines[["top", "right"]].set_visible(False)


def _empty(axes: Axes, t: Translator) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, t.plain("reports.chart_empty"), ha="center", va="center", fontsize=16,
              color="#666666", transform=axes.transAxes)


def _whole_numbers(axis: Axis) -> None:
    """Tick only whole numbers (counts), keeping the default locator's steps."""
    locator = axis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default AutoLocator is one
        locator.set_params(integer=True)


def _money_axis(currency: str) -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: format_money(round(value * 100), currency))


def funnel_chart(rows: list[StageRow], t: Translator, period: str) -> bytes:
    """Deals reaching each stage (lost left out), with the share that went on to the next."""
    shown = [(row, share) for row, share in zip(rows, conversions(rows), strict=True)
             if row.stage != "lost"]

    def draw(axes: Axes) -> None:
        _frame(axes, t.plain("reports.chart_funnel", period=period))
        if not any(row.count for row, _ in shown):
            return _empty(axes, t)
        counts = [row.count for row, _ in shown]
        bars = axes.barh([stage_label(row.stage, t) for row, _ in shown], counts,
                         color=PALETTE[0])
        axes.invert_yaxis()
        axes.set_xlabel(t.plain("reports.axis_deals_entered"), fontsize=12)
        axes.tick_params(labelsize=12)
        notes = [str(row.count) if share is None else f"{row.count}  (→ {100 * share:.0f}%)"
                 for row, share in shown]
        axes.bar_label(bars, labels=notes, padding=4, fontsize=12)
        axes.set_xlim(0, max(counts) * 1.25)
        _whole_numbers(axes.xaxis)

    return _png(draw)


def pipeline_chart(rows: list[StageRow], t: Translator, currency: str) -> bytes:
    """Open deals by stage: amount as bars, the number of deals written on each."""

    def draw(axes: Axes) -> None:
        _frame(axes, t.plain("reports.chart_pipeline"))
        if not any(row.count for row in rows):
            return _empty(axes, t)
        labels = [stage_label(row.stage, t) for row in rows]
        amounts = [row.amount_minor / 100 for row in rows]
        bars = axes.bar(labels, amounts, color=PALETTE[2])
        notes = [t.plain("reports.chart_deals", count=row.count) for row in rows]
        axes.bar_label(bars, labels=notes, padding=3, fontsize=11)
        axes.yaxis.set_major_formatter(_money_axis(currency))
        axes.set_ylim(0, max(amounts) * 1.15 or 1)
        axes.set_ylabel(t.plain("reports.axis_amount"), fontsize=12)
        axes.tick_params(labelsize=12)

    return _png(draw)


def activity_chart(reps: list[RepActivity], t: Translator, period: str) -> bytes:
    """Interactions per member in the period, stacked by kind; long names are slanted."""
    shown = reps[:MAX_REPS]
    kinds = activity_kinds(shown)

    def draw(axes: Axes) -> None:
        _frame(axes, t.plain("reports.chart_activity", period=period))
        if not any(rep.total for rep in shown):
            return _empty(axes, t)
        names = [rep.name if len(rep.name) <= 24 else rep.name[:23] + "…" for rep in shown]
        positions = range(len(shown))
        bottom = [0] * len(shown)
        for index, kind in enumerate(kinds):
            values = [rep.by_kind.get(kind, 0) for rep in shown]
            axes.bar(positions, values, bottom=bottom, label=kind_label(kind, t),
                     color=PALETTE[index % len(PALETTE)])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        slanted = len(shown) > 6 or max(len(name) for name in names) > 10
        axes.set_xticks(list(positions), names, fontsize=11, rotation=30 if slanted else 0,
                        ha="right" if slanted else "center", rotation_mode="anchor")
        axes.set_ylabel(t.plain("reports.axis_interactions"), fontsize=12)
        _whole_numbers(axes.yaxis)
        axes.legend(fontsize=11, frameon=False, loc="upper right")
        axes.set_ylim(0, max(bottom) * 1.2)

    return _png(draw)


def segments_chart(segments: list[SegmentCount], scheme: str, t: Translator) -> bytes:
    """Customers per RFM segment (or lifecycle stage), with each one's share of them."""
    shown = [row for row in segments if row.group == scheme]
    total = sum(row.customers for row in shown)

    def draw(axes: Axes) -> None:
        _frame(axes, t.plain(f"reports.chart_segments_{scheme}"))
        if not total:
            return _empty(axes, t)
        counts = [row.customers for row in shown]
        bars = axes.barh([segment_label(row.key, scheme, t) for row in shown], counts,
                         color=PALETTE[4])
        axes.invert_yaxis()
        axes.bar_label(bars, labels=[f"{n}  ({100 * n / total:.0f}%)" for n in counts],
                       padding=4, fontsize=11)
        axes.set_xlim(0, max(counts) * 1.2)
        axes.set_xlabel(t.plain("reports.axis_customers"), fontsize=12)
        axes.tick_params(labelsize=11)
        _whole_numbers(axes.xaxis)

    return _png(draw)


def early_charts(funnel: list[StageRow], pipeline: list[StageRow], activity: list[RepActivity],
                 period: str, currency: str, t: Translator) -> list[tuple[str, bytes]]:
    """The charts whose figures are gathered first: funnel, pipeline, activity."""
    return [
        ("reports.caption_funnel", funnel_chart(funnel, t, period)),
        ("reports.caption_pipeline", pipeline_chart(pipeline, t, currency)),
        ("reports.caption_activity", activity_chart(activity, t, period)),
    ]


def report_charts(data: ReportData, t: Translator,
                  drawn: list[tuple[str, bytes]] | None = None) -> list[tuple[str, bytes]]:
    """Every chart of a report, each with its caption key, in the order they are sent.

    `drawn`: the charts of the same data drawn already, first ones first (early_charts(),
    then segments_chart()); the rest are drawn now.
    """
    label = data.period.label
    charts = list(drawn or ())
    if not charts:
        charts = early_charts(data.funnel, data.pipeline, data.activity, label, data.currency, t)
    if len(charts) == 3:
        charts.append(("reports.caption_segments",
                       segments_chart(data.segments, data.segment_scheme, t)))
    return charts
