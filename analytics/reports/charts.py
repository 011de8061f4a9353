"""Plotly figures for the report and their HTML, exported by Plotly itself.

Incomplete periods are drawn apart (open markers, pale bars, starred heatmap cells)
because their figures are partial. Every user value on a chart goes through
:func:`~analytics.reports.formatting.chart_label`.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from analytics.insights import formatting as fmt
from analytics.reports.formatting import CHART_HOVER_CHARS, category_ticks, chart_label
from analytics.reports.model import SegmentClv

COMPLETE_COLOUR = "#2f6db5"
INCOMPLETE_COLOUR = "#a9c1e0"
CHURN_COLOUR = "#c0504d"
CHART_HEIGHT = 360  # pixels
# The Plotly logo in the modebar links to plotly.com; a report meant for offline use omits it.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def retention_figure(periods: list[dict]) -> go.Figure:
    """CRR and churn rate per period, in percent; incomplete periods get open markers."""
    labels = [str(period["period"]) for period in periods]
    symbols = ["circle" if period.get("complete") else "circle-open" for period in periods]
    figure = go.Figure()
    for key, name, colour in (
        ("crr", "CRR", COMPLETE_COLOUR),
        ("churn_rate", "Churn", CHURN_COLOUR),
    ):
        figure.add_trace(
            go.Scatter(
                x=labels,
                y=[fmt.finite_or_none(period.get(key)) for period in periods],
                name=name,
                mode="lines+markers",
                marker={"symbol": symbols, "size": 8, "color": colour},
                line={"color": colour},
                hovertemplate="%{x}: %{y:.2f}%<extra>" + name + "</extra>",
            )
        )
    figure.update_layout(
        title="Customer retention and churn (%)",
        yaxis={"range": [0, 100], "ticksuffix": "%"},
        xaxis={"type": "category"},
    )
    return _styled(figure)


def revenue_figure(periods: list[dict], currency: str | None = None) -> go.Figure:
    """Net revenue per period as bars; incomplete periods are pale."""
    figure = go.Figure(
        go.Bar(
            x=[str(period["period"]) for period in periods],
            y=[fmt.finite_or_none(period.get("revenue")) for period in periods],
            marker={
                "color": [
                    COMPLETE_COLOUR if period.get("complete") else INCOMPLETE_COLOUR
                    for period in periods
                ]
            },
            hovertemplate="%{x}: %{y:,.2f}<extra></extra>",
            name="Revenue",
        )
    )
    suffix = f" ({chart_label(currency)})" if currency else ""
    figure.update_layout(title=f"Net revenue{suffix}", xaxis={"type": "category"})
    return _styled(figure)


def cohort_figure(cohorts: list[dict]) -> go.Figure:
    """Share of each cohort active k periods after its first, as a heatmap.

    Cells not yet observable stay empty; cells in an incomplete period carry a star.
    """
    max_offset = max(
        (cell["offset"] for cohort in cohorts for cell in cohort.get("cells") or []), default=0
    )
    rates: list[list[float | None]] = []
    texts: list[list[str]] = []
    for cohort in cohorts:
        row_rates: list[float | None] = [None] * (max_offset + 1)
        row_texts = [""] * (max_offset + 1)
        for cell in cohort.get("cells") or []:
            rate = fmt.finite_or_none(cell.get("rate"))
            row_rates[cell["offset"]] = rate
            if rate is not None:
                star = "" if cell.get("complete", True) else "*"
                row_texts[cell["offset"]] = f"{rate:.0f}%{star}"
        rates.append(row_rates)
        texts.append(row_texts)
    labels = [
        f"{cohort['cohort']} (n={fmt.format_count(cohort.get('size') or 0)})" for cohort in cohorts
    ]
    figure = go.Figure(
        go.Heatmap(
            z=rates,
            x=list(range(max_offset + 1)),
            y=labels,
            text=texts,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=100,
            hovertemplate="cohort %{y}, +%{x}: %{z:.2f}%<extra></extra>",
            colorbar={"ticksuffix": "%"},
        )
    )
    figure.update_layout(
        title="Cohort retention (% of cohort active; * incomplete period)",
        xaxis={"title": "periods since first activity", "dtick": 1},
        yaxis={"autorange": "reversed", "type": "category"},
        height=max(CHART_HEIGHT, 28 * len(cohorts) + 140),
    )
    return _styled(figure)


def segment_clv_figure(rows: list[SegmentClv], attribute: str) -> go.Figure:
    """CLV per segment value as horizontal bars; unestimable segments are left out."""
    shown = [row for row in rows if row.clv is not None]
    figure = go.Figure(
        go.Bar(
            x=[row.clv for row in shown],
            y=list(range(len(shown))),
            orientation="h",
            marker={"color": COMPLETE_COLOUR},
            customdata=[chart_label(row.value, CHART_HOVER_CHARS) for row in shown],
            hovertemplate="%{customdata}: %{x:,.2f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"CLV by {chart_label(attribute)}",
        yaxis={"autorange": "reversed", **category_ticks([row.value for row in shown])},
        height=max(CHART_HEIGHT, 26 * len(shown) + 140),
    )
    return _styled(figure)


def figure_html(figure: go.Figure, div_id: str, *, include_plotlyjs: bool) -> str:
    """Return the figure as an HTML fragment from Plotly's own export.

    With ``include_plotlyjs`` the fragment carries plotly.js inline, so the page needs no
    network; the other fragments of the same page then reuse it. The div id is fixed so
    the same report renders to the same bytes.
    """
    return pio.to_html(
        figure,
        full_html=False,
        include_plotlyjs=include_plotlyjs,
        include_mathjax=False,
        config=PLOTLY_CONFIG,
        div_id=div_id,
        default_width="100%",
        default_height=f"{figure.layout.height or CHART_HEIGHT}px",
    )


def _styled(figure: go.Figure) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        height=figure.layout.height or CHART_HEIGHT,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.2},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"},
    )
    return figure
