"""Monthly retention (window ``period``) written the way an analyst writes it in pandas.

Same definitions as :mod:`benchmarks.peers.sql_retention`: active in a month means a paid
purchase (``purchase`` with amount > 0) in it; E = active customers, S = E of the month
before, N = E minus customers also active the month before. Months run from the first to
the last event's month (UTC), empty months included.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_events(path: Path, time_column: str) -> pd.DataFrame:
    """Read an event file (Parquet or CSV) with the columns retention and RFM need.

    Returns columns customer_id (str), event_time (naive UTC datetime64), amount (float)
    and event_type (str); a file without an event type column is a transaction log, so
    every row becomes a purchase.
    """
    path = Path(path)
    if path.suffix == ".parquet":
        events = pd.read_parquet(path)
    else:
        events = pd.read_csv(path, dtype={"customer_id": str})
    times = pd.to_datetime(events[time_column], utc=True).dt.tz_localize(None)
    frame = pd.DataFrame(
        {
            "customer_id": events["customer_id"].astype(str),
            "event_time": times,
            "amount": pd.to_numeric(events["amount"]).astype("float64"),
        }
    )
    if "event_type" in events.columns:
        frame["event_type"] = events["event_type"].astype(str)
    else:
        frame["event_type"] = "purchase"
    return frame


def paid_purchases(events: pd.DataFrame) -> pd.DataFrame:
    """Return the rows that are paid purchases: event type purchase and amount > 0."""
    return events[(events["event_type"] == "purchase") & (events["amount"] > 0)]


def monthly_retention(events: pd.DataFrame) -> pd.DataFrame:
    """Return one row per month with columns period ('1997-01'), S, E and N."""
    paid = paid_purchases(events)
    active = pd.DataFrame(
        {"customer_id": paid["customer_id"], "month": paid["event_time"].dt.to_period("M")}
    ).drop_duplicates()

    active_count = active.groupby("month").size()
    month_before = active.assign(month=active["month"] + 1)
    retained_count = active.merge(month_before, on=["customer_id", "month"]).groupby("month").size()

    months = pd.period_range(
        events["event_time"].min().to_period("M"),
        events["event_time"].max().to_period("M"),
        freq="M",
    )
    table = pd.DataFrame(index=months)
    table["E"] = active_count.reindex(months, fill_value=0)
    table["S"] = table["E"].shift(1, fill_value=0)
    table["N"] = table["E"] - retained_count.reindex(months, fill_value=0)
    table.index = table.index.strftime("%Y-%m")
    return table.rename_axis("period").reset_index()[["period", "S", "E", "N"]]
