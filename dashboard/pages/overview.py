"""Overview page: KPI cards for the latest complete period, with trends, and formula cards."""

from __future__ import annotations

import streamlit as st

from analytics.insights import build_insights
from dashboard import state
from dashboard.components import format as show
from dashboard.components import formula
from dashboard.components.caveats import render_metric_warnings, warning_messages
from dashboard.components.kpi import render_kpi_cards
from dashboard.shell import require_shell
from dashboard.view import load_view

require_shell()

st.title("Overview")
view = load_view(state.run_settings())
metrics = view.shown
periods = list(metrics.get("periods") or [])
insights = build_insights(
    metrics,
    small_cohort_threshold=view.settings.small_cohort_threshold,
    max_attribute_chars=view.settings.limits.max_attribute_chars,
)

st.caption(
    f"{view.scope.capitalize()} · {view.grain} periods · activity model "
    f"{metrics.get('model', 'n/a')} (window {metrics.get('window', view.filters.window)}) · "
    f"data as of {metrics.get('as_of', 'n/a')}"
)
render_metric_warnings(metrics)

if insights.period is None:
    st.info("No period is complete yet, so there is no headline figure to compare.")
else:
    latest = show.period_name(insights.period, view.grain)
    if insights.previous_period:
        previous = show.period_name(insights.previous_period, view.grain)
        st.subheader(f"{latest}, compared with {previous}")
    else:
        st.subheader(latest)

clv_note = next(
    (warning.message for warning in insights.warnings if warning.code.startswith("clv")),
    (metrics.get("clv") or {}).get("reason"),
)
render_kpi_cards(insights, periods, clv_note)

incomplete = periods[-1] if periods and not periods[-1].get("complete") else None
if incomplete is not None:
    name = show.period_name(str(incomplete["period"]), view.grain, incomplete.get("start"))
    st.warning(
        f"**{name} is incomplete** (data runs to {metrics.get('as_of')}), so it is not the "
        f"headline and is left out of comparisons. So far: revenue "
        f"{show.md(show.money(incomplete.get('revenue'), view.currency))}, active customers "
        f"{show.count(incomplete.get('E'))}, CRR {show.md(show.rate(incomplete.get('crr')))}.",
        icon=":material/hourglass_top:",
    )

# The metrics result's own warnings are shown above the cards already.
shown_codes = {"incomplete_period", *(w.get("code") for w in metrics.get("warnings") or [])}
shown_messages = set(warning_messages(metrics))
other_warnings = [
    w for w in insights.warnings if w.code not in shown_codes and w.message not in shown_messages
]
if other_warnings:
    with st.expander("Caveats", icon=":material/info:"):
        for warning in other_warnings:
            st.markdown(f"- {show.md(warning.message)}")

st.subheader("How each figure is computed")
headline = next((p for p in periods if str(p["period"]) == insights.period), None)
formula.render_formula_cards(
    ("crr", "churn_rate", "E", "revenue", "clv"),
    period=headline,
    clv=metrics.get("clv") or {},
    currency=view.currency,
    key="overview",
)
