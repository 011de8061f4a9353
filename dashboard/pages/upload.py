"""Upload page: preview a file, confirm its column mapping, then load it into the
workspace or analyse it on its own in a scratch database."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from analytics.errors import GrowthLensError, InvalidInputError
from analytics.store.ingest import IngestOptions, file_sha256, preview_file
from analytics.store.ingest.options import DATE_ORDERS
from analytics.wording import count_phrase
from dashboard import state
from dashboard.components import format as show
from dashboard.components.ingest_report import render_outcome
from dashboard.components.mapping_editor import (
    choice_from_state,
    render_mapping_editor,
    reset_mapping_widgets,
)
from dashboard.components.tables import show_table
from dashboard.data import scratch_dataset, scratch_name_for, workspace_dataset
from dashboard.navigation import OVERVIEW
from dashboard.page_stop import stop_page
from dashboard.shell import require_shell
from dashboard.uploads import (
    discard_upload,
    error_message,
    load_file,
    save_upload,
    size_problem,
    upload_fingerprint,
)

require_shell()

FILE_KEY = "upload_file"
ENCODING_KEY = "upload_encoding"
TIMEZONE_KEY = "upload_timezone"
DATE_ORDER_KEY = "upload_date_order"
ENCODINGS = (None, "utf-8", "cp1252", "latin-1", "utf-16")
DATE_ORDER_LABELS = {"dmy": "Day first (31/01/2024)", "mdy": "Month first (01/31/2024)"}
STAGE_LABELS = {
    "checking": "Checking the file",
    "reading": "Reading rows",
    "validating": "Validating values",
    "loading": "Loading events",
    "done": "Done",
}

settings = state.run_settings()
upload = state.upload_state()
limit = settings.limits.max_upload_bytes

st.title("Upload")
st.caption(
    "CSV or TSV with any delimiter, whitespace-aligned text, Parquet or Excel (.xlsx). "
    "The column mapping is shown before anything is loaded."
)

uploaded = st.file_uploader("Event file", key=FILE_KEY)
if uploaded is None:
    discard_upload(upload.get("path"))
    upload.clear()
    stop_page()

problem = size_problem(uploaded.name, uploaded.size, limit)
if problem:
    st.error(show.md(problem))
    stop_page()

if upload.get("file_id") != uploaded.file_id:
    discard_upload(upload.get("path"))
    upload.clear()
    upload["file_id"] = uploaded.file_id
    upload["path"] = save_upload(settings, uploaded.name, uploaded.getvalue())
    upload["content_hash"] = file_sha256(upload["path"])
    reset_mapping_widgets()
    for key in (ENCODING_KEY, DATE_ORDER_KEY):
        st.session_state.pop(key, None)

# The preview reads the choices the widgets held on the previous run; the widgets are
# drawn below it because their options come from the preview.
previous_choice = choice_from_state()
read_options = IngestOptions(
    mapping=previous_choice.to_preview_mapping() if previous_choice else {},
    encoding=st.session_state.get(ENCODING_KEY),
    timezone=st.session_state.get(TIMEZONE_KEY) or settings.timezone,
)
preview_key = (uploaded.file_id, repr(read_options))
try:
    if upload.get("preview_key") != preview_key:
        upload["preview"] = preview_file(upload["path"], read_options, settings)
        upload["preview_key"] = preview_key
    preview = upload["preview"]
    preview_error = None
except InvalidInputError as error:
    preview, preview_error = None, error_message(error)
    upload.pop("preview_key", None)
except GrowthLensError as error:
    preview, preview_error = None, str(error)
    upload.pop("preview_key", None)

needs_encoding = preview is None or bool(preview.encoding_warning)
with st.expander("Reading options", expanded=needs_encoding, icon=":material/tune:"):
    st.selectbox(
        "Encoding",
        ENCODINGS,
        key=ENCODING_KEY,
        format_func=lambda name: "Detect automatically" if name is None else name,
        help="Text encoding of the file; Windows-1252 (cp1252) is common in Excel exports.",
    )
    st.session_state.setdefault(TIMEZONE_KEY, settings.timezone)
    st.text_input(
        "Time zone of timestamps without an offset",
        key=TIMEZONE_KEY,
        help="IANA name such as Europe/Berlin. Timestamps with an offset keep their own.",
    )

if preview is None:
    st.error(show.md(preview_error))
    st.caption("Nothing was loaded: the data is as it was.")
    stop_page()

st.subheader("Preview")
st.caption(
    f"{show.md(preview.file_name)}: {preview.source_format}, {preview.layout}"
    + (f", delimiter {show.md(repr(preview.delimiter))}" if preview.delimiter else "")
    + (f", encoding {preview.encoding}" if preview.encoding else "")
    + f", {count_phrase(preview.rows, 'record')}"
)
if preview.encoding_warning:
    st.warning(show.md(preview.encoding_warning))
for warning in preview.warnings:
    st.warning(show.md(warning))
if preview.sample_rows:
    sample = pl.DataFrame(
        preview.sample_rows, schema=[(name, pl.String) for name in preview.columns], orient="row"
    )
    show_table(
        sample,
        key="upload_sample",
        file_name=f"{Path(preview.file_name).stem}_preview.csv",
        caption=f"The first {count_phrase(sample.height, 'record')} as read, before any "
        "conversion; an empty cell is empty in the file.",
        placeholder="",
    )

st.subheader("Column mapping")
choice = render_mapping_editor(preview.columns, preview.mapping, preview.guessed_fields)
if preview.attributes:
    names = show.md(", ".join(f"{column} → {name}" for column, name in preview.attributes.items()))
    st.caption(f"Other columns become attributes that can split the metrics: {names}.")

date_order = None
blockers = choice.problems()
if preview.date_order_ambiguous or st.session_state.get(DATE_ORDER_KEY) is not None:
    examples = ", ".join(
        f"{show.md(example['value'])} (line {example['line']})"
        for example in preview.ambiguous_date_examples[:3]
    )
    st.warning(
        "Every date in the file fits both day-first and month-first order"
        + (f", for example {examples}" if examples else "")
        + ". Choose the order the file uses."
    )
    date_order = st.radio(
        "Date order",
        DATE_ORDERS,
        index=None,
        key=DATE_ORDER_KEY,
        format_func=DATE_ORDER_LABELS.get,
        horizontal=True,
    )
    if date_order is None:
        blockers.append("Choose the date order before loading.")
for blocker in blockers:
    st.info(show.md(blocker))

left, right = st.columns(2)
add = left.button(
    "Add to workspace",
    type="primary",
    disabled=bool(blockers),
    key="upload_add",
    icon=":material/add:",
)
alone = right.button(
    "Analyse on its own",
    disabled=bool(blockers),
    key="upload_analyse",
    icon=":material/science:",
    help="Load the file into a separate database; the workspace stays as it is.",
)

if add or alone:
    options = IngestOptions(
        mapping=choice.to_mapping(),
        date_order=date_order,
        encoding=read_options.encoding,
        timezone=read_options.timezone,
    )
    if add:
        dataset = workspace_dataset(settings)
    else:
        fingerprint = upload_fingerprint(upload["content_hash"], options)
        dataset = scratch_dataset(settings, scratch_name_for(uploaded.name, fingerprint))
    bar = st.progress(0.0, text="Starting")

    def report(stage: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=STAGE_LABELS.get(stage, stage))

    outcome = load_file(
        upload["path"],
        uploaded.file_id,
        options,
        settings,
        dataset,
        report,
        file_hash=upload["content_hash"],
    )
    upload["outcome"] = outcome
    if outcome.result is not None and (add or outcome.loaded_events):
        state.show_dataset(dataset)
    st.rerun()  # the sidebar, drawn before this page, then shows the new data

outcome = upload.get("outcome")
if outcome is not None and outcome.file_id == uploaded.file_id:
    st.subheader("Validation report")
    render_outcome(outcome)
    if outcome.loaded_events:
        st.page_link(OVERVIEW.path, label="Open the Overview", icon=":material/dashboard:")
