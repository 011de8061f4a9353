"""Plotly figures built from the metrics result; they draw values, they compute none.

An incomplete period is drawn with a hollow marker or a hatched bar and named in the
hover text, so a partial figure is never mistaken for a complete one.
"""

from __future__ import annotations

import plotly.graph_objects as go

from analytics.insights import formatting as fmt
from analytics.reports.formatting import CHART_HOVER_CHARS, category_ticks, chart_label
from dashboard.components import format as show

RETENTION_COLOR = "#2a9d8f"
CHURN_COLOR = "#e76f51"
NEW_COLOR = "#264653"
RETURNING_COLOR = "#8ab17d"
REVENUE_COLOR = "#457b9d"
INCOMPLETE_NOTE = " (incomplete)"
MAX_HEATMAP_COHORTS = 60  # cohorts (rows) and offsets (columns) drawn at most
# Up to this many offsets, each heatmap cell is wide enough to print its rate ("95%").
MAX_LABELLED_OFFSETS = 24
# Grains whose periods are drawn on a date axis, which spaces its labels by itself. The
# labels of a few hundred days or weeks on a category axis would overlap.
DATE_AXIS_GRAINS = ("day", "week")


def _layout(figure: go.Figure, title: str, y_title: str, grain: str = "month") -> go.Figure:
    figure.update_layout(
        title=title,
        yaxis_title=y_title,
        xaxis_title=None,
        xaxis_type="date" if grain in DATE_AXIS_GRAINS else "category",
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 50, "b": 40, "l": 10, "r": 10},
        height=360,
    )
    return figure


def _labels(periods: list[dict], grain: str = "month") -> list[str]:
    """Return the x values: each period's first day on a date axis, else its label."""
    if grain in DATE_AXIS_GRAINS:
        return [str(period.get("start") or period["period"]) for period in periods]
    return [str(period["period"]) for period in periods]


def _hover_text(text: object) -> str:
    """Return text for hover labels, escaped and bounded. A missing or empty text gives
    an empty string."""
    return chart_label(text, CHART_HOVER_CHARS) if text not in (None, "") else ""


def _marker_symbols(periods: list[dict]) -> list[str]:
    return ["circle" if period.get("complete") else "circle-open" for period in periods]


def _completeness(periods: list[dict]) -> list[str]:
    return ["" if period.get("complete") else INCOMPLETE_NOTE for period in periods]


def retention_figure(periods: list[dict], grain: str = "month") -> go.Figure:
    """CRR and churn rate per period; periods with S = 0 leave a gap."""
    labels = _labels(periods, grain)
    notes = _completeness(periods)
    figure = go.Figure()
    for key, name, color in (("crr", "CRR", RETENTION_COLOR), ("churn_rate", "Churn", CHURN_COLOR)):
        figure.add_trace(
            go.Scatter(
                x=labels,
                y=[period.get(key) for period in periods],
                name=name,
                mode="lines+markers",
                line={"color": color},
                marker={"symbol": _marker_symbols(periods), "size": 8},
                customdata=notes,
                hovertemplate=f"{name} %{{y:.2f}}%%{{customdata}}<extra></extra>",
                connectgaps=False,
            )
        )
    figure.update_yaxes(range=[0, 100], ticksuffix="%")
    return _layout(figure, "Retention and churn", "Percent of customers at start (S)", grain)


def breakdown_figure(periods: list[dict], grain: str = "month") -> go.Figure:
    """Customers active at the end of each period (E), split into retained, new and
    returning, with the churned shown below zero."""
    labels = _labels(periods, grain)
    notes = _completeness(periods)
    patterns = ["" if period.get("complete") else "/" for period in periods]
    figure = go.Figure()
    series = (
        ("retained", "Retained (in S and E)", RETENTION_COLOR, 1),
        ("new_first_time", "New, first time", NEW_COLOR, 1),
        ("returning", "Returning", RETURNING_COLOR, 1),
        ("churned", "Churned (in S, not E)", CHURN_COLOR, -1),
    )
    for key, name, color, sign in series:
        values = [period.get(key) for period in periods]
        figure.add_trace(
            go.Bar(
                x=labels,
                y=[None if value is None else sign * value for value in values],
                name=name,
                marker={"color": color, "pattern": {"shape": patterns}},
                customdata=[
                    [show.count(value), note] for value, note in zip(values, notes, strict=True)
                ],
                hovertemplate=f"{name}: %{{customdata[0]}}%{{customdata[1]}}<extra></extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=labels,
            y=[period.get("S") for period in periods],
            name="Customers at start (S)",
            mode="markers",
            marker={"symbol": "line-ew", "size": 24, "line": {"width": 3, "color": "#333333"}},
            hovertemplate="S: %{y:,}<extra></extra>",
        )
    )
    figure.update_layout(barmode="relative")
    return _layout(figure, "Where active customers come from", "Customers", grain)


def revenue_figure(periods: list[dict], currency: str | None, grain: str = "month") -> go.Figure:
    """Net revenue per period; an incomplete period's bar is hatched."""
    labels = _labels(periods, grain)
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=[period.get("revenue") for period in periods],
            name="Revenue",
            marker={
                "color": REVENUE_COLOR,
                "pattern": {"shape": ["" if p.get("complete") else "/" for p in periods]},
            },
            customdata=[
                [_hover_text(show.money(period.get("revenue"), currency)), note]
                for period, note in zip(periods, _completeness(periods), strict=True)
            ],
            hovertemplate="Revenue %{customdata[0]}%{customdata[1]}<extra></extra>",
        )
    )
    return _layout(figure, "Net revenue", "Revenue", grain)


def cohort_heatmap(cohorts: list[dict], max_cohorts: int = MAX_HEATMAP_COHORTS) -> go.Figure:
    """Share of each cohort active k periods after its first; hover shows the counts.

    Cells not yet observable stay empty; cells in an incomplete period carry a mark.
    Only the latest ``max_cohorts`` cohorts and their first ``max_cohorts`` offsets are
    drawn, so a daily grain stays readable and light. Cells print their rate, rounded to
    whole percents, up to MAX_LABELLED_OFFSETS offsets, where they are still wide enough.
    """
    cohorts = cohorts[-max_cohorts:]
    offsets = sorted(
        {
            cell["offset"]
            for cohort in cohorts
            for cell in cohort.get("cells", [])
            if cell["offset"] < max_cohorts
        }
    )
    rows, texts, hovers = [], [], []
    for cohort in cohorts:
        cells = {cell["offset"]: cell for cell in cohort.get("cells", [])}
        row, text, hover = [], [], []
        for offset in offsets:
            cell = cells.get(offset)
            if cell is None:
                row.append(None)
                text.append("")
                hover.append("not yet observable")
                continue
            mark = "" if cell.get("complete", True) else "*"
            rate = fmt.finite_or_none(cell.get("rate"))
            row.append(rate)
            text.append(f"{rate:.0f}%{mark}" if rate is not None else "")
            hover.append(
                f"{show.count(cell.get('active'))} of {show.count(cohort.get('size'))} customers"
                f" ({show.rate(rate)})"
                f"{INCOMPLETE_NOTE if mark else ''}"
            )
        rows.append(row)
        texts.append(text)
        hovers.append(hover)
    figure = go.Figure(
        go.Heatmap(
            z=rows,
            # Numbers on a linear axis, so that Plotly spaces the labels of many offsets.
            x=offsets,
            y=[str(cohort["cohort"]) for cohort in cohorts],
            text=texts,
            texttemplate="%{text}" if len(offsets) <= MAX_LABELLED_OFFSETS else None,
            textfont={"size": 10},
            customdata=hovers,
            hovertemplate="Cohort %{y}, +%{x}: %{customdata}<extra></extra>",
            colorscale="Teal",
            zmin=0,
            zmax=100,
            colorbar={"title": "Active %"},
            hoverongaps=False,
        )
    )
    figure.update_yaxes(autorange="reversed", type="category", title="Cohort")
    figure.update_xaxes(
        type="linear",
        tickprefix="+",
        tickformat="d",
        # One label per offset while they fit, else Plotly picks whole-number steps.
        dtick=1 if len(offsets) <= MAX_LABELLED_OFFSETS else None,
        title="Periods since the cohort's first",
    )
    figure.update_layout(
        title="Cohort retention (* = incomplete period)",
        height=max(320, 28 * len(cohorts) + 140),
        margin={"t": 50, "b": 40, "l": 10, "r": 10},
    )
    return figure


def clv_by_segment_figure(rows: list[dict], attribute: str, currency: str | None) -> go.Figure:
    """CLV per segment value; a value whose CLV is not estimable has no bar.

    Bars are drawn at positions 0, 1, ... named by the values' shortened, escaped labels, so
    two long values that shorten alike stay two bars. The hover shows a longer form.
    """
    figure = go.Figure(
        go.Bar(
            x=list(range(len(rows))),
            y=[row.get("clv") for row in rows],
            marker={"color": REVENUE_COLOR},
            customdata=[
                [
                    chart_label(row["value"], CHART_HOVER_CHARS),
                    _hover_text(show.money(row.get("clv"), currency)),
                    _hover_text(row.get("reason")),
                ]
                for row in rows
            ],
            hovertemplate=(
                "%{customdata[0]}: CLV %{customdata[1]} %{customdata[2]}<extra></extra>"
            ),
        )
    )
    figure.update_xaxes(
        title=chart_label(attribute), **category_ticks([row["value"] for row in rows])
    )
    figure.update_layout(
        title=f"CLV by {chart_label(attribute)}",
        yaxis_title="CLV",
        height=360,
        margin={"t": 50, "b": 40, "l": 10, "r": 10},
    )
    return figure
