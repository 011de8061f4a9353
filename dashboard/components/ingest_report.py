"""The validation report of one import: counts, warnings, skipped duplicates and the
rejected rows with their reasons, downloadable as CSV."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analytics.exports import frame_to_csv
from analytics.store.ingest.results import MAX_REPORTED_DUPLICATE_IDS
from analytics.wording import count_phrase, noun_form
from dashboard.components import format as show
from dashboard.components.tables import frame_from_rows
from dashboard.data import read_duplicate_ids, read_rejected_rows
from dashboard.uploads import Outcome

REJECTION_COLUMNS = {
    "line": "Line",
    "column": "Column",
    "reason": "Reason",
    "raw_text": "Row as read",
}


def render_outcome(outcome: Outcome) -> None:
    """Draw the report of ``outcome``; an error states that nothing changed."""
    if outcome.error is not None:
        st.error(show.md(outcome.error))
        st.caption("Nothing was loaded: the data is as it was.")
        return
    result = outcome.result
    name = show.md(result.file_name)
    where = "the workspace" if outcome.dataset.is_workspace else "a data set of its own"
    if result.already_loaded:
        # The result's only warning repeats this message, so it is not shown below.
        st.info(
            f"'{name}' was loaded before (import {result.previous_import_id}); "
            "nothing was loaded again."
        )
    elif outcome.reused:
        st.info(
            f"'{name}' was analysed on its own before, with the same options, so that data "
            f"set (import {result.import_id}) is shown as it is."
        )
    elif result.rows_loaded == 0:
        st.warning(f"No row of '{name}' could be loaded; see the rejected rows.")
    else:
        st.success(
            f"Loaded {count_phrase(result.rows_loaded, 'event')} from '{name}' into {where}."
        )

    counts = st.columns(4)
    counts[0].metric("Rows read", show.count(result.rows_read))
    counts[1].metric("Loaded", show.count(result.rows_loaded))
    counts[2].metric("Rejected", show.count(result.rows_rejected))
    counts[3].metric("Duplicates skipped", show.count(result.duplicates_skipped))
    warnings = [] if result.already_loaded else result.warnings
    for warning in warnings:
        st.warning(show.md(warning))
    if result.duplicate_event_ids:
        st.caption(show.md(duplicate_ids_text(outcome)))
    if result.rows_rejected:
        _render_rejections(outcome)


def duplicate_ids_text(outcome: Outcome) -> str:
    """Return the caption listing the event ids skipped as duplicates, with the count of
    those left out when the result lists only the first ones."""
    listed = outcome.result.duplicate_event_ids
    total = len(listed)
    if total >= MAX_REPORTED_DUPLICATE_IDS and outcome.result.import_id is not None:
        # The result lists only the first ids, but the database keeps every skipped row.
        _, total = read_duplicate_ids(outcome.dataset.path, outcome.result.import_id, 0)
    text = f"Skipped repeated event {noun_form(len(listed), 'id')}: {', '.join(listed)}"
    if total > len(listed):
        text += f" and {count_phrase(total - len(listed), 'more id')}"
    return text + "."


def _render_rejections(outcome: Outcome) -> None:
    result = outcome.result
    st.subheader("Rejected rows")
    rows = list(result.rejections)
    if len(rows) < result.rows_rejected and result.import_id is not None:
        # The result lists the first rejections only; the database keeps every one.
        rows = read_rejected_rows(outcome.dataset.path, result.import_id)
    frame = frame_from_rows(rows, REJECTION_COLUMNS)
    st.dataframe(frame.head(1_000), hide_index=True, placeholder="", key="upload_rejections_table")
    if frame.height > 1_000:
        st.caption(
            f"Showing 1,000 of {frame.height:,} rejected rows; the download has all of them."
        )
    st.download_button(
        "Download rejected rows (CSV)",
        data=lambda: frame_to_csv(frame),  # written when clicked, not on every run
        file_name=f"{Path(result.file_name).stem}_rejected_rows.csv",
        mime="text/csv",
        key="upload_rejections_download",
        on_click="ignore",
        icon=":material/download:",
    )
