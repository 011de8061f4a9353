"""CLV page: customer lifetime value with each part of its formula, overall and by segment."""

from __future__ import annotations

import streamlit as st

from analytics.errors import GrowthLensError
from dashboard import state
from dashboard.components import charts, formula, tables
from dashboard.components import format as show
from dashboard.shell import require_shell
from dashboard.view import load_view

require_shell()

SEGMENT_COLUMNS = {
    "value": "Segment value",
    "paying_customers": "Paying customers",
    "paid_purchases": "Paid purchases",
    "apv": "APV",
    "frequency_per_year": "Purchases per year",
    "pooled_churn": "Pooled churn %",
    "lifespan_years": "Lifespan (years)",
    "clv": "CLV",
    "estimable": "Estimable",
    "reason": "Reason",
}

st.title("Customer lifetime value")
view = load_view(state.run_settings())
clv = view.shown.get("clv") or {}
currency = view.currency

st.caption(
    f"{view.scope.capitalize()} · CLV = average purchase value × purchases per year × "
    f"lifespan in years{' × gross margin' if clv.get('gross_margin') else ''} · "
    f"pooled churn over complete {view.grain} periods"
)

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
    st.stop()
default = view.filters.segment if view.filters.segment in attributes else attributes[0]
attribute = st.selectbox("Split by", attributes, index=attributes.index(default), key="clv_segment")
try:
    segmented = view.segmented_metrics(attribute)
except GrowthLensError as error:
    st.error(show.md(error))
    st.stop()
rows = [
    {"value": str(part.get("value")), **(part.get("clv") or {})}
    for part in segmented.get("segments") or []
]
if not rows:
    st.info(f"No customer has a value for {show.md(attribute)}.")
    st.stop()
st.plotly_chart(charts.clv_by_segment_figure(rows, attribute, currency), key="clv_segment_chart")
tables.show_table(
    tables.frame_from_rows(rows, SEGMENT_COLUMNS),
    key="clv_segments",
    file_name=f"growthlens_clv_by_{attribute}.csv",
    caption="Each segment's CLV uses its own APV, purchase frequency and pooled churn.",
)
