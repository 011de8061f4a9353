"""Render a report as one self-contained HTML page, as Markdown, as an e-mail body and
as the metrics CSV.

HTML goes through Jinja2 with autoescape; Markdown through an environment whose every
``{{ }}`` output is escaped for Markdown unless a filter marked it safe. Either way a
template cannot forget to escape a user value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from analytics.exports import rows_to_csv
from analytics.insights import formatting as fmt
from analytics.reports import charts
from analytics.reports.formatting import (
    MarkdownSafe,
    escape_markdown_text,
    format_change,
    format_figure,
    markdown_code,
    narrative_paragraphs,
    truncate_value,
)
from analytics.reports.model import Report
from analytics.reports.summary import MAX_SEGMENT_ROWS

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
MAX_COHORT_ROWS = 36  # most recent cohorts drawn and tabled; the CSV and metrics JSON have all
MAX_COHORT_OFFSETS = 36

PERIOD_FIELDS = (
    "period", "start", "end", "complete", "S", "E", "N", "new_first_time", "returning",
    "retained", "churned", "joined_and_churned", "crr", "churn_rate", "revenue",
    "paid_purchases", "free_orders", "refunds",
)  # fmt: skip
CLV_FIELDS = (
    "apv", "paid_purchases", "paying_customers", "window_years", "frequency_per_year",
    "pooled_churn", "lifespan_years", "clv", "estimable", "reason",
)  # fmt: skip


@dataclass(frozen=True)
class RenderedReport:
    """The text of each output of one report."""

    html: str
    markdown: str
    csv: str
    email_html: str


def render_report(report: Report) -> RenderedReport:
    """Render every output of ``report``."""
    return RenderedReport(
        html=render_html(report),
        markdown=render_markdown(report),
        csv=render_csv(report),
        email_html=render_email_html(report),
    )


def render_html(report: Report) -> str:
    """Return the report as one HTML page with plotly.js and every chart inline."""
    return (
        _html_environment()
        .get_template("report.html.j2")
        .render(**_context(report), charts=_chart_fragments(report))
    )


def render_email_html(report: Report) -> str:
    """Return a script-free HTML summary for an e-mail body (mail clients drop scripts)."""
    return _html_environment().get_template("email.html.j2").render(**_context(report))


def render_markdown(report: Report) -> str:
    """Return the report as Markdown, with every user value escaped or in a code span."""
    return _markdown_environment().get_template("report.md.j2").render(**_context(report))


def render_csv(report: Report) -> str:
    """Return the metrics as CSV: one row per period for all customers and per segment.

    Each row repeats the CLV figures of its scope (all customers or its segment), and
    text cells that a spreadsheet would run as formulas are escaped."""
    rows = _csv_rows("all", None, report.metrics)
    for segment in report.metrics.get("segments") or []:
        rows.extend(_csv_rows("segment", segment.get("value"), segment, report.segment_attribute))
    return rows_to_csv(rows)


def _csv_rows(scope: str, value, metrics: dict, attribute: str | None = None) -> list[dict]:
    clv = metrics.get("clv") or {}
    clv_columns = {
        ("clv" if key == "clv" else f"clv_{key}"): _plain(clv.get(key)) for key in CLV_FIELDS
    }
    rows = []
    for period in metrics.get("periods") or []:
        row = {"scope": scope, "segment_attribute": attribute, "segment": value}
        row.update({key: _plain(period.get(key)) for key in PERIOD_FIELDS})
        row.update(clv_columns)
        rows.append(row)
    return rows


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    number = fmt.finite_or_none(value)
    return number if number is not None else str(value)


def _context(report: Report) -> dict:
    cohorts = list(report.cohorts)[-MAX_COHORT_ROWS:]
    max_offset = min(
        max((c["offset"] for co in cohorts for c in co.get("cells") or []), default=0),
        MAX_COHORT_OFFSETS - 1,
    )
    return {
        "report": report,
        "kpis": report.kpis,
        "headline": report.headline_period,
        "previous": report.previous_period,
        "periods": report.periods,
        "cohorts": cohorts,
        "cohorts_hidden": len(report.cohorts) - len(cohorts),
        "cohort_offsets": list(range(max_offset + 1)),
        "clv": report.clv,
        "segments": report.segments[:MAX_SEGMENT_ROWS],
        "segment_attribute": report.segment_attribute,
        "narrative": report.narrative,
        "narrative_paragraphs": narrative_paragraphs(report.narrative.text),
        "warnings": report.warnings,
        "currency": report.currency,
        "options": report.options,
        "generated_at": report.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
    }


def _chart_fragments(report: Report) -> dict[str, Markup]:
    figures = {
        "retention": charts.retention_figure(list(report.periods)),
        "revenue": charts.revenue_figure(list(report.periods), report.currency),
        "cohorts": charts.cohort_figure(list(report.cohorts)[-MAX_COHORT_ROWS:]),
    }
    if report.segment_attribute and any(row.clv is not None for row in report.segments):
        figures["segments"] = charts.segment_clv_figure(
            list(report.segments[:MAX_SEGMENT_ROWS]), report.segment_attribute
        )
    fragments = {}
    for index, (name, figure) in enumerate(figures.items()):
        html = charts.figure_html(figure, f"chart-{name}", include_plotlyjs=index == 0)
        fragments[name] = Markup(html)  # Plotly's export escapes the JSON it embeds
    return fragments


def _cohort_cell(cohort: dict, offset: int) -> str:
    for cell in cohort.get("cells") or []:
        if cell["offset"] == offset:
            rate = fmt.finite_or_none(cell.get("rate"))
            if rate is None:
                return ""
            return fmt.format_rate(rate) + ("" if cell.get("complete", True) else "*")
    return ""


def _common_filters() -> dict:
    return {
        "figure": lambda value, unit, currency=None: format_figure(value, unit, currency),
        "change": format_change,
        "cohort_cell": _cohort_cell,
        "period_words": lambda period, grain: fmt.format_period(
            str(period["period"]),
            grain,
            None if period.get("start") is None else str(period["start"]),
        ),
    }


def _html_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(_common_filters())
    environment.filters["value"] = truncate_value
    return environment


def _markdown_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize_markdown,
        keep_trailing_newline=True,
    )
    # Figures are escaped by finalize like any other output: a currency code is user data.
    environment.filters.update(_common_filters())
    environment.filters["value"] = markdown_code
    environment.filters["text"] = escape_markdown_text
    return environment


def _finalize_markdown(value) -> str:
    if isinstance(value, MarkdownSafe):
        return value
    return escape_markdown_text("" if value is None else value)
