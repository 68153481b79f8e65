"""Words of a report: labels for stages, kinds, segments and figures; captions; file names."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from crm_store.analytics.churn import ChurnRisk
from crm_store.analytics.report_data import KINDS, RepActivity, ReportData, StageRow
from handlers.deals.views import stage_name
from handlers.i18n import CATALOGS, Html, Translator
from handlers.reminders.views import figure_label as digest_label


def _known(key: str, t: Translator) -> bool:
    return key in CATALOGS[t.language]


def stage_label(key: str, t: Translator) -> str:
    """A pipeline stage's name in the member's language (custom stages keep their key)."""
    return stage_name(key, t)


def activity_kinds(reps: list[RepActivity]) -> list[str]:
    """The interaction kinds the reps have counts for, in the usual order (call, visit…)."""
    present = {kind for rep in reps for kind in rep.by_kind}
    return [k for k in KINDS if k in present] + sorted(present - set(KINDS))


def kind_label(kind: str, t: Translator) -> str:
    """'call' → 'Calls' / '电话'."""
    key = f"reports.kind_{kind}"
    return t.plain(key) if _known(key, t) else kind


def segment_label(code: str, scheme: str, t: Translator) -> str:
    """An RFM segment or lifecycle stage in the member's language ('Need attention' → 需要关注)."""
    key = f"reports.{scheme}_" + code.strip().replace(" ", "_").replace("-", "_")
    key = key if _known(key, t) else key.lower()
    return t.plain(key) if _known(key, t) else code


def group_label(group: str, t: Translator) -> str:
    """'rfm' → 'RFM segment', 'tier' → 'Value tier (ABC)'…"""
    key = f"reports.group_{group}"
    return t.plain(key) if _known(key, t) else group


def segment_figure_label(name: str, t: Translator) -> str:
    """'top_share_rate' → 'Revenue share of the top 20% of customers'…"""
    key = f"reports.segfig_{name}"
    return t.plain(key) if _known(key, t) else name.replace("_", " ")


def figure_label(name: str, t: Translator) -> str:
    """A figure's name: the digest's own label when it has one, so both read the same."""
    key = f"reports.fig_{name}"
    return t.plain(key) if _known(key, t) else digest_label(name, t)


def funnel_label(name: str, t: Translator) -> str:
    """A funnel figure's name ('win_rate' → 'Win rate (won ÷ closed)')."""
    key = f"reports.fnl_{name}"
    return t.plain(key) if _known(key, t) else name.replace("_", " ")


def conversions(rows: list[StageRow]) -> list[float | None]:
    """Per funnel stage, the share that moved on (or, without that, reached the next stage)."""
    steps = [row for row in rows if row.stage != "lost"]
    shares: list[float | None] = []
    for row in rows:
        moved: int | None
        if row.stage in ("won", "lost"):  # ends, not steps: nothing comes after them
            moved = None
        elif row.moved_on is not None:
            moved = row.moved_on
        else:
            place = steps.index(row) if row in steps else len(steps) - 1
            moved = steps[place + 1].count if place + 1 < len(steps) else None
        shares.append(moved / row.count if moved is not None and row.count else None)
    return shares


def service_label(name: str, t: Translator) -> str:
    """A service figure's name ('median_first_response_hours' → 'Median first response…')."""
    key = f"reports.svc_{name}"
    return t.plain(key) if _known(key, t) else name.replace("_", " ")


def reasons_text(risk: ChurnRisk, t: Translator) -> str:
    """Why a customer is at risk, in words."""
    words = []
    for code in risk.reasons:
        key = "reminders.reason_gap_plain" if code == "gap" else f"reminders.reason_{code}"
        words.append(t.plain(key, days=risk.days_since) if _known(key, t) else code)
    return "; ".join(words)


def period_range(data: ReportData, tz: ZoneInfo) -> tuple[str, str]:
    """First and last local day the report covers, as ISO dates."""
    start = data.period.start_utc.astimezone(tz).date()
    last = (data.period.end_utc - timedelta(microseconds=1)).astimezone(tz).date()
    return start.isoformat(), max(start, last).isoformat()


def scope_text(data: ReportData, t: Translator) -> str:
    """Whose figures these are: the member's own, or theirs and their team's."""
    key = "reports.info_scope_own" if data.own_only else "reports.info_scope_team"
    return t.plain(key, name=data.scope_name)


def caption(key: str, data: ReportData, t: Translator) -> Html:
    """A chart's caption (HTML, the period escaped)."""
    return t(key, period=data.period.label)


def workbook_caption(data: ReportData, t: Translator, tz: ZoneInfo) -> Html:
    """The workbook's caption: period, its days and whose figures."""
    start, end = period_range(data, tz)
    return t("reports.caption_workbook", period=data.period.label, start=start, end=end,
             scope=scope_text(data, t))


def workbook_filename(data: ReportData) -> str:
    """crm-report-2026-11.xlsx, crm-report-2026-W47.xlsx."""
    return f"crm-report-{data.period.label}.xlsx"


def chart_filename(data: ReportData, index: int, key: str) -> str:
    """crm-report-2026-11-1-funnel.png (for the command line and the console)."""
    return f"crm-report-{data.period.label}-{index}-{key.rpartition('_')[2]}.png"
