"""Tables with a CSV download; every download goes through analytics.exports, which
escapes cells a spreadsheet would run as formulas.

A table keeps its numbers as numbers, so it sorts by value. Each column's format shows
them as the KPI cards do (money to cents with the currency, rates with two decimals).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from analytics.exports import frame_to_csv
from analytics.insights.formatting import CURRENCY_SYMBOLS
from dashboard.components.format import NOT_AVAILABLE

COUNT = "count"
RATE = "rate"
MONEY = "money"
DECIMAL = "decimal"
YEARS = "years"
TEXT = "text"
FLAG = "flag"


@dataclass(frozen=True)
class Column:
    """Column of a table on a page: the result key, its header, kind and help text."""

    key: str
    header: str
    kind: str = COUNT
    help: str | None = None


# The per-period table on the page: the columns of the retention formula and revenue.
# The CSV download has every field of the result (PERIOD_CSV_COLUMNS).
PERIOD_COLUMNS = (
    Column("period", "Period", TEXT),
    Column("complete", "Complete", FLAG, "False while the as-of date is before the period's end."),
    Column("S", "S (at start)", help="Customers active for the previous period."),
    Column("E", "E (at end)", help="Customers active for this period."),
    Column("N", "N (new in E)", help="Customers in E that were not in S."),
    Column("new_first_time", "New, first time", help="Part of N: first activity in this period."),
    Column("returning", "Returning", help="Part of N: active before, then lapsed."),
    Column("retained", "Retained", help="Customers in both S and E."),
    Column("churned", "Churned", help="Customers in S and not in E."),
    Column(
        "joined_and_churned",
        "Joined and churned",
        help="Subscriptions started and cancelled inside the period. They are in neither S nor E.",
    ),
    Column("crr", "CRR %", RATE, "(E − N) / S × 100; n/a when S = 0."),
    Column("churn_rate", "Churn %", RATE, "Churned / S × 100; n/a when S = 0."),
    Column("revenue", "Revenue", MONEY, "Paid purchases minus refunds."),
    Column("paid_purchases", "Paid purchases"),
)
PERIOD_CSV_COLUMNS = {
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


def columns_frame(rows: list[dict], columns: tuple[Column, ...]) -> pl.DataFrame:
    """Build a frame with the ``columns`` the rows contain, under their headers."""
    return frame_from_rows(rows, {column.key: column.header for column in columns})


def column_config(columns: tuple[Column, ...], currency: str | None) -> dict:
    """Return st.dataframe's column configuration: format and help of each column."""
    config = {}
    for column in columns:
        if column.kind == TEXT:
            config[column.header] = st.column_config.TextColumn(help=column.help)
        elif column.kind == FLAG:
            config[column.header] = st.column_config.CheckboxColumn(help=column.help)
        else:
            config[column.header] = st.column_config.NumberColumn(
                help=column.help, format=number_format(column.kind, currency)
            )
    return config


def number_format(kind: str, currency: str | None) -> str:
    """Return the printf format of a number column, matching dashboard.components.format."""
    if kind == RATE:
        return "%.2f%%"
    if kind == MONEY:
        return money_prefix(currency) + "%,.2f"
    if kind == DECIMAL:
        return "%,.4f"
    if kind == YEARS:
        return "%.2f years"
    return "%,d"


def money_prefix(currency: str | None) -> str:
    """Return the text before an amount: ``$`` for USD, ``CHF `` for a code without symbol."""
    if currency is None:
        return ""
    code = currency.upper()
    return CURRENCY_SYMBOLS.get(code, f"{code} ")


def periods_frame(periods: list[dict]) -> pl.DataFrame:
    """Return the per-period table as shown on the page."""
    return columns_frame(periods, PERIOD_COLUMNS)


def periods_csv_frame(periods: list[dict]) -> pl.DataFrame:
    """Return every field of every period, for the CSV download."""
    return frame_from_rows(periods, PERIOD_CSV_COLUMNS)


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
    frame: pl.DataFrame,
    *,
    key: str,
    file_name: str,
    caption: str | None = None,
    config: dict | None = None,
    csv_frame: pl.DataFrame | None = None,
    placeholder: str = NOT_AVAILABLE,
) -> None:
    """Show ``frame`` and a button that downloads it, or ``csv_frame``, as CSV.

    Undefined cells show ``placeholder``: "n/a" for figures, an empty string for raw text.
    """
    if frame.is_empty():
        st.caption("No rows.")
        return
    st.dataframe(
        frame, hide_index=True, placeholder=placeholder, column_config=config, key=f"{key}_table"
    )
    if caption:
        st.caption(caption)
    download = frame if csv_frame is None else csv_frame
    st.download_button(
        "Download CSV",
        data=lambda: frame_to_csv(download),  # written when clicked, not on every run
        file_name=file_name,
        mime="text/csv",
        key=f"{key}_download",
        on_click="ignore",
        icon=":material/download:",
    )
