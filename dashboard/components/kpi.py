"""KPI cards: each headline metric in the latest complete period, with its change
against the previous complete period, taken from the same facts the narrative uses.

An incomplete latest period is never the headline; it is shown apart, marked as partial.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from analytics.insights import Insights
from dashboard.components import format as show

KPI_CONTAINER_KEY = "kpi_cards"
# Streamlit gives a keyed container the class st-key-<key>.
KPI_STYLE = f"""<style>
.st-key-{KPI_CONTAINER_KEY} [data-testid="stMetricValue"] {{
    font-size: clamp(1.4rem, 1.9vw, 2.25rem);
}}
</style>"""


@dataclass(frozen=True)
class Card:
    """One KPI: the fact with its level, the fact with its change, and the period field
    whose values over the complete periods draw the card's trend line."""

    label: str  # short, so that it fits the card
    name: str  # the metric's full name, shown in the card's help
    level_fact: str
    change_fact: str | None
    trend_key: str | None
    inverse: bool  # True when a rise is bad, as for churn


CARDS = (
    Card("Retention (CRR)", "Customer retention rate", "crr", "crr_change", "crr", False),
    Card("Churn", "Churn rate", "churn_rate", "churn_rate_change", "churn_rate", True),
    Card("CLV", "Customer lifetime value", "clv", None, None, False),
    Card(
        "Active (E)",
        "Active customers at the period's end",
        "active_customers",
        "active_customers_change",
        "E",
        False,
    ),
    Card("Revenue", "Net revenue", "revenue", "revenue_change", "revenue", False),
)


def trend(periods: list[dict], key: str | None) -> list[float] | None:
    """Return the values of ``key`` over the complete periods, undefined ones left out."""
    if key is None:
        return None
    values = [
        period[key]
        for period in periods
        if period.get("complete") and isinstance(period.get(key), int | float)
    ]
    return values if len(values) > 1 else None


def render_kpi_cards(insights: Insights, periods: list[dict], clv_note: str | None) -> None:
    """Draw one card per KPI with its trend; a missing figure shows "n/a" with the reason.

    The trend lines are drawn by st.metric itself: a Plotly chart here would load
    Plotly's 4.7 MB script before the cards appear in a new browser session.
    """
    previous = insights.previous_period
    # The cards have equal widths. KPI_STYLE sets their values in a smaller type than
    # st.metric's default, so an amount such as "$57,393.09" fits a fifth of a page that is
    # 1280 px or wider.
    st.html(KPI_STYLE)
    container = st.container(key=KPI_CONTAINER_KEY)
    columns = container.columns(len(CARDS))
    for column, card in zip(columns, CARDS, strict=True):
        level = insights.fact(card.level_fact)
        change = insights.fact(card.change_fact) if card.change_fact else None
        if level is None:
            reason = clv_note if card.level_fact == "clv" else _missing_level_reason(insights)
        elif card.change_fact and change is None:
            reason = "No change: the previous complete period is missing, or its value is 0 or undefined."
        elif change is not None:
            reason = f"Change against {previous}."
        else:
            reason = None
        help_text = f"{card.name}. {show.md(reason)}" if reason else f"{card.name}."
        unchanged = change is not None and shows_no_change(change.formatted)
        color = "inverse" if card.inverse else "normal"
        with column:
            st.metric(
                card.label,
                level.formatted if level is not None else show.NOT_AVAILABLE,
                delta=change.formatted if change is not None else None,
                delta_color="off" if unchanged else color,
                delta_arrow="off" if unchanged else "auto",
                help=help_text,
                border=True,
                height="stretch",
                chart_data=trend(periods, card.trend_key),
                chart_type="area" if card.trend_key == "revenue" else "line",
            )


def shows_no_change(formatted: str) -> bool:
    """Tell whether a formatted change reads as zero ("+0.00 pts", "0.0%"), which gets
    neither an arrow nor the colour of a rise or a fall."""
    return not any(character in "123456789" for character in formatted)


def _missing_level_reason(insights: Insights) -> str:
    if insights.period is None:
        return "No period is complete yet."
    return "Undefined in this period: no customers were active at its start (S = 0)."
