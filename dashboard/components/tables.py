"""Tables with a CSV download; every download goes through analytics.exports, which
escapes cells a spreadsheet would run as formulas."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.exports import frame_to_csv
from dashboard.components.format import NOT_AVAILABLE

# Columns of the per-period table, in order, with their headers.
PERIOD_COLUMNS = {
    "period": "Period",
    "start": "Start",
    "end": "End",
    "complete": "Complete",
    "S": "S (at start)",
    "E": "E (at end)",
    "N": "N (new in E)",
    "new_first_time": "New, first time",
    "returning": "Returning",
    "retained": "Retained",
    "churned": "Churned",
    "joined_and_churned": "Joined and churned",
    "crr": "CRR %",
    "churn_rate": "Churn %",
    "revenue": "Revenue",
    "paid_purchases": "Paid purchases",
    "free_orders": "Free orders",
    "refunds": "Refunds",
}


def frame_from_rows(rows: list[dict], columns: dict[str, str] | None = None) -> pl.DataFrame:
    """Build a frame from result rows; ``columns`` picks and renames keys, in order."""
    frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
    if columns is None or frame.is_empty():
        return frame
    present = [name for name in columns if name in frame.columns]
    return frame.select(present).rename({name: columns[name] for name in present})


def periods_frame(periods: list[dict]) -> pl.DataFrame:
    return frame_from_rows(periods, PERIOD_COLUMNS)


def cohorts_frame(cohorts: list[dict]) -> pl.DataFrame:
    """Return one row per cohort cell: cohort, size, offset, active, rate, complete."""
    rows = [
        {
            "cohort": cohort["cohort"],
            "size": cohort.get("size"),
            "offset": cell.get("offset"),
            "active": cell.get("active"),
            "rate": cell.get("rate"),
            "complete": cell.get("complete"),
        }
        for cohort in cohorts
        for cell in cohort.get("cells", [])
    ]
    return frame_from_rows(rows)


def show_table(
    frame: pl.DataFrame, *, key: str, file_name: str, caption: str | None = None
) -> None:
    """Show ``frame`` with undefined cells as "n/a", and a button to download it as CSV."""
    if frame.is_empty():
        st.caption("No rows.")
        return
    st.dataframe(frame, hide_index=True, placeholder=NOT_AVAILABLE, key=f"{key}_table")
    if caption:
        st.caption(caption)
    st.download_button(
        "Download CSV",
        data=lambda: frame_to_csv(frame),  # written when clicked, not on every run
        file_name=file_name,
        mime="text/csv",
        key=f"{key}_download",
        on_click="ignore",
        icon=":material/download:",
    )
