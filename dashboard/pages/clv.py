"""CLV page: customer lifetime value with each part of its formula, overall and by segment."""

from __future__ import annotations

import streamlit as st

from analytics.errors import GrowthLensError
from dashboard import state
from dashboard.components import charts, formula, tables
from dashboard.components import format as show
from dashboard.components.caveats import render_metric_warnings
from dashboard.components.tables import COUNT, DECIMAL, FLAG, MONEY, RATE, TEXT, YEARS, Column
from dashboard.messages import dashboard_message
from dashboard.page_stop import stop_page
from dashboard.segments import ordered_segments, segment_label
from dashboard.shell import require_shell
from dashboard.view import load_view

require_shell()

SEGMENT_COLUMNS = (
    Column("value", "Segment value", TEXT),
    Column("paying_customers", "Paying customers", COUNT),
    Column("paid_purchases", "Paid purchases", COUNT),
    Column("apv", "APV", MONEY, "Average purchase value: net revenue / paid purchases."),
    Column("frequency_per_year", "Purchases per year", DECIMAL),
    Column("pooled_churn", "Pooled churn %", RATE),
    Column("lifespan_years", "Lifespan", YEARS),
    Column("clv", "CLV", MONEY),
    Column("estimable", "Estimable", FLAG),
    Column("reason", "Reason", TEXT, "Why the CLV is not estimable."),
)

st.title("Customer lifetime value")
view = load_view(state.run_settings())
clv = view.shown.get("clv") or {}
currency = view.currency

st.caption(
    f"{view.scope.capitalize()} · CLV = average purchase value × purchases per year × "
    f"lifespan in years{' × gross margin' if clv.get('gross_margin') else ''} · "
    f"pooled churn over complete {view.grain} periods"
)
render_metric_warnings(view.shown)

if clv.get("estimable"):
    st.metric("CLV", show.money(clv.get("clv"), currency), border=True)
else:
    st.metric("CLV", show.NOT_AVAILABLE, border=True)
    st.info(f"CLV is not estimable: {show.md(clv.get('reason') or 'no reason given')}.")

parts = st.columns(5)
parts[0].metric("Average purchase value (APV)", show.money(clv.get("apv"), currency))
parts[1].metric("Purchases per year", show.decimal(clv.get("frequency_per_year")))
parts[2].metric(f"Pooled churn per {view.grain}", show.rate(clv.get("pooled_churn")))
parts[3].metric("Lifespan", show.years(clv.get("lifespan_years")))
parts[4].metric(
    "Gross margin",
    show.fraction_as_rate(clv.get("gross_margin"))
    if clv.get("gross_margin") is not None
    else "not applied",
)

formula.render_formula_cards(
    ("clv", "apv", "frequency_per_year", "pooled_churn", "lifespan_years"),
    period=None,
    clv=clv,
    currency=currency,
    key="clv",
)

st.subheader("By segment")
attributes = view.segment_attributes()
if not attributes:
    st.info("The data has no attribute (such as channel, country or plan) to split CLV by.")
    stop_page()
default = view.filters.segment if view.filters.segment in attributes else attributes[0]
attribute = st.selectbox("Split by", attributes, index=attributes.index(default), key="clv_segment")
try:
    segmented = view.segmented_metrics(attribute)
except GrowthLensError as error:
    st.error(show.md(dashboard_message(error)))
    stop_page()
rows = [
    {**(part.get("clv") or {}), "value": segment_label(part.get("value"))}
    for part in ordered_segments(segmented.get("segments") or [])
]
if not rows:
    st.info(f"No customer has a value for {show.md(attribute)}.")
    stop_page()
for row in rows:
    row["reason"] = row.get("reason") or ""  # an estimable CLV has no reason, not an unknown one
if any(show.is_number(row.get("clv")) for row in rows):
    st.plotly_chart(
        charts.clv_by_segment_figure(rows, attribute, currency), key="clv_segment_chart"
    )
else:
    st.info(
        f"No value of {show.md(attribute)} has an estimable CLV, so there is no chart. The "
        "table gives each segment's reason."
    )
tables.show_table(
    tables.columns_frame(rows, SEGMENT_COLUMNS),
    key="clv_segments",
    file_name=f"growthlens_clv_by_{attribute}.csv",
    caption="Each segment's CLV uses its own APV, purchase frequency and pooled churn.",
    config=tables.column_config(SEGMENT_COLUMNS, currency),
)
