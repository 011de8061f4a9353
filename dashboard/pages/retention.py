"""Retention page: CRR and churn over time, the S/E/N breakdown and the cohort heatmap."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.components import charts, formula, tables
from dashboard.components.caveats import render_metric_warnings
from dashboard.shell import require_shell
from dashboard.view import load_view

require_shell()

st.title("Retention")
view = load_view(state.run_settings())
metrics = view.shown
periods = list(metrics.get("periods") or [])
cohorts = list(metrics.get("cohorts") or [])
file_stem = f"growthlens_{view.grain}"

st.caption(
    f"{view.scope.capitalize()} · {view.grain} periods · activity model "
    f"{metrics.get('model', 'n/a')} · a hollow marker or hatched bar is an incomplete period"
)
render_metric_warnings(metrics)

st.plotly_chart(charts.retention_figure(periods, view.grain), key="retention_rates_chart")
st.plotly_chart(charts.breakdown_figure(periods, view.grain), key="retention_breakdown_chart")
st.plotly_chart(
    charts.revenue_figure(periods, view.currency, view.grain), key="retention_revenue_chart"
)

st.subheader("Customers per period")
tables.show_table(
    tables.periods_frame(periods),
    key="retention_periods",
    file_name=f"{file_stem}_periods.csv",
    caption="CRR = (E − N) / S × 100 and churn = churned / S × 100; both are n/a when S = 0. "
    "Customers who joined and churned inside a period are in neither S nor E. The CSV also "
    "has each period's first and last day, free orders and refunds.",
    config=tables.column_config(tables.PERIOD_COLUMNS, view.currency),
    csv_frame=tables.periods_csv_frame(periods),
)

complete = [period for period in periods if period.get("complete")]
if complete:
    labels = [str(period["period"]) for period in complete]
    chosen = st.selectbox(
        "Show the formula with the inputs of",
        labels,
        index=len(labels) - 1,
        key="retention_formula_period",
    )
    period = next(p for p in complete if str(p["period"]) == chosen)
    formula.render_formula_cards(
        ("crr", "churn_rate"),
        period=period,
        clv={},
        currency=view.currency,
        key="retention",
        expanded=True,
    )

st.subheader("Cohorts")
if cohorts:
    st.plotly_chart(charts.cohort_heatmap(cohorts), key="retention_cohort_chart")
    if len(cohorts) > charts.MAX_HEATMAP_COHORTS:
        st.caption(
            f"The heatmap shows the latest {charts.MAX_HEATMAP_COHORTS} of {len(cohorts)} "
            f"cohorts and their first {charts.MAX_HEATMAP_COHORTS} periods; the table below "
            "and its CSV have every cell."
        )
    tables.show_table(
        tables.cohorts_frame(cohorts),
        key="retention_cohorts",
        file_name=f"{file_stem}_cohorts.csv",
        caption="A cohort is the period of a customer's first activity; a cell counts the "
        "cohort's customers active k periods later. Cells not yet observable are empty.",
    )
else:
    st.info("No customer has been active yet, so there are no cohorts.")
