"""Reports page: render the summary report that ``growthlens report`` writes, preview it
and download its HTML, Markdown and CSV."""

from __future__ import annotations

import streamlit as st

from analytics.errors import GrowthLensError
from analytics.metrics import GRAINS, MetricOptions
from analytics.narrative import write_narrative
from analytics.reports.build import DEFAULT_SEGMENT_ATTRIBUTE, build_report
from analytics.reports.deliver import report_stem
from analytics.reports.render import render_report
from dashboard import state
from dashboard.components.format import md
from dashboard.data import read_data_version
from dashboard.engine import load_engine
from dashboard.filters import window_choices
from dashboard.messages import dashboard_message
from dashboard.page_stop import stop_page
from dashboard.shell import require_shell
from dashboard.view import read_segment_attributes

require_shell()

RESULT_KEY = "reports_result"
SEGMENT_DEFAULT = f"{DEFAULT_SEGMENT_ATTRIBUTE} when present"
SEGMENT_NONE = "none"
PREVIEW_HEIGHT = 900  # pixels of the HTML preview frame; it scrolls inside


def narrate(metrics: dict, settings):
    """Write the narrative with the engine the dashboard keeps loaded."""
    return write_narrative(metrics, settings, engine=load_engine(settings.model))


dataset = state.current_dataset()
settings = state.run_settings().replace(database=dataset.path)
filters = state.current_filters()

st.title("Reports")
st.caption(
    "The summary report that `growthlens report` writes and `growthlens schedule` sends: "
    "one HTML file that opens offline, the same in Markdown, and the metrics CSV."
)

try:
    attributes = read_segment_attributes(str(dataset.path), read_data_version(dataset.path))
except GrowthLensError as error:
    st.error(md(dashboard_message(error)))
    stop_page()

with st.form("reports_options"):
    first = st.columns(3)
    grain = first[0].selectbox(
        "Grain", GRAINS, index=GRAINS.index(filters.grain), key="reports_grain"
    )
    windows = window_choices(filters.window)
    window = first[1].selectbox(
        "Activity window", windows, index=windows.index(filters.window), key="reports_window"
    )
    segments = [SEGMENT_DEFAULT, SEGMENT_NONE, *attributes]
    preferred = filters.segment if filters.segment in attributes else SEGMENT_DEFAULT
    segment = first[2].selectbox(
        "CLV by segment", segments, index=segments.index(preferred), key="reports_segment"
    )
    second = st.columns(3)
    date_from = second[0].date_input("From", value=filters.date_from, key="reports_from")
    date_to = second[1].date_input("To", value=filters.date_to, key="reports_to")
    as_of = second[2].date_input("As of (empty: latest event)", value=None, key="reports_as_of")
    third = st.columns(2)
    lifespan_years = third[0].number_input(
        "Lifespan in years (empty: from pooled churn)",
        min_value=0.01,
        value=None,
        step=0.5,
        key="reports_lifespan",
    )
    gross_margin = third[1].number_input(
        "Gross margin as a fraction (empty: revenue CLV)",
        min_value=0.01,
        max_value=1.0,
        value=settings.gross_margin,
        step=0.05,
        key="reports_margin",
    )
    submitted = st.form_submit_button("Render report", type="primary")

if submitted:
    options = MetricOptions(
        grain=grain,
        window=window,
        date_from=date_from,
        date_to=date_to,
        as_of=as_of,
        timezone=settings.reporting_timezone,
        lifespan_years=lifespan_years,
        gross_margin=gross_margin,
        segment=segment if segment not in (SEGMENT_DEFAULT, SEGMENT_NONE) else None,
    )
    try:
        with st.spinner("Computing the metrics and writing the narrative…"):
            report = build_report(
                settings,
                options,
                narrator=narrate,
                default_segment=None if segment == SEGMENT_NONE else DEFAULT_SEGMENT_ATTRIBUTE,
            )
            rendered = render_report(report)
    except GrowthLensError as error:
        st.error(md(dashboard_message(error)))
        stop_page()
    st.session_state[RESULT_KEY] = (report, rendered)

result = st.session_state.get(RESULT_KEY)
if result is None:
    st.info("Choose the options and render a report to preview and download it.")
    stop_page()

report, rendered = result
stem = report_stem(report)
origin = (
    f"the model {report.narrative.model}" if report.narrative.source == "model" else "the template"
)
st.caption(
    f"{report.title}, as of {report.as_of}, generated "
    f"{report.generated_at:%Y-%m-%d %H:%M} UTC; narrative written by {origin}."
)

downloads = st.columns(3)
downloads[0].download_button(
    "Download HTML", rendered.html, file_name=f"{stem}.html", mime="text/html",
    key="reports_download_html",
)  # fmt: skip
downloads[1].download_button(
    "Download Markdown", rendered.markdown, file_name=f"{stem}.md", mime="text/markdown",
    key="reports_download_markdown",
)  # fmt: skip
downloads[2].download_button(
    "Download CSV", rendered.csv, file_name=f"{stem}.csv", mime="text/csv",
    key="reports_download_csv",
)  # fmt: skip

preview = st.radio("Preview", ["HTML", "Markdown"], horizontal=True, key="reports_preview")
if preview == "HTML":
    # The report is this app's own output, with every user value escaped, so running
    # its scripts (plotly.js) in the frame is safe.
    st.iframe(rendered.html, height=PREVIEW_HEIGHT)
else:
    # The Markdown escapes every user value, so Streamlit shows it as text.
    st.markdown(rendered.markdown)
