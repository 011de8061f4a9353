"""A metrics result worked out by hand, and a stand-in narrative, for report tests.

The metrics follow the partial-last-period example: four customers pay 20.00 in each of
January and February 2024; in March, cut off on the 10th, two of them have paid so far.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

# The shared folder sits beside the repository, as for CDNOW_DIR in tests/conftest.py.
CDNOW_FILE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "cdnow"
    / "cdnow_transactions.csv"
)

GENERATED_AT = datetime(2024, 3, 11, 6, 30, 0, tzinfo=UTC)
INJECTED_SCRIPT = "<script>alert(1)</script>"
INJECTED_FORMULA = '=HYPERLINK("x")'


def _period(
    period, start, end, complete, s, e, n, new, returning, retained, churned, crr, revenue, paid
):
    return {
        "period": period,
        "start": start,
        "end": end,
        "complete": complete,
        "S": s,
        "E": e,
        "N": n,
        "new_first_time": new,
        "returning": returning,
        "retained": retained,
        "churned": churned,
        "joined_and_churned": 0,
        "crr": crr,
        "churn_rate": None if crr is None else 100 - crr,
        "revenue": revenue,
        "paid_purchases": paid,
        "free_orders": 0,
        "refunds": 0.0,
    }


def partial_periods() -> list[dict]:
    return [
        _period("2024-01", "2024-01-01", "2024-01-31", True, 0, 4, 4, 4, 0, 0, 0, None, 80.0, 4),
        _period("2024-02", "2024-02-01", "2024-02-29", True, 4, 4, 0, 0, 0, 4, 0, 100.0, 80.0, 4),
        _period("2024-03", "2024-03-01", "2024-03-31", False, 4, 2, 0, 0, 0, 2, 2, 50.0, 40.0, 2),
    ]


def partial_clv(paid=10, paying=4, revenue=200.0) -> dict:
    window_years = 66 / 365.25
    return {
        "apv": revenue / paid,
        "paid_purchases": paid,
        "paying_customers": paying,
        "window_years": window_years,
        "frequency_per_year": paid / paying / window_years,
        "pooled_churn": 0.0,
        "lifespan_years": None,
        "clv": None,
        "estimable": False,
        "reason": "no churn observed in complete periods",
    }


def segment(value: str, periods: list[dict], clv: dict) -> dict:
    return {"value": value, "periods": periods, "cohorts": [], "clv": clv}


def build_partial_metrics() -> dict:
    """Return the metrics JSON of the partial-last-period example, segmented by channel, with
    two hostile channel names."""
    periods = partial_periods()
    clv = partial_clv()
    estimable = dict(
        clv, lifespan_years=3.0, clv=20.0 * 2.5 / (66 / 365.25) * 3, estimable=True, reason=None
    )
    return {
        "grain": "month",
        "window": "period",
        "model": "transactional",
        "as_of": "2024-03-10",
        "periods": periods,
        "cohorts": [
            {
                "cohort": "2024-01",
                "size": 4,
                "cells": [
                    {"offset": 0, "active": 4, "rate": 100.0, "complete": True},
                    {"offset": 1, "active": 4, "rate": 100.0, "complete": True},
                    {"offset": 2, "active": 2, "rate": 50.0, "complete": False},
                ],
            }
        ],
        "clv": clv,
        "segments": [
            segment(INJECTED_SCRIPT, periods, estimable),
            segment(INJECTED_FORMULA, periods, clv),
        ],
    }


def build_template_narrative() -> SimpleNamespace:
    """Return a narrative as the template would write it."""
    return SimpleNamespace(
        text="Revenue was 80.00 in February 2024, level with January 2024.",
        source="template",
        model=None,
        facts=[],
        notes=["The narrative model is not installed."],
    )


def insert_events(database_path, frame) -> None:
    """Insert a Polars frame of events (customer_id, event_time, event_type, amount and
    optional event_id, currency and attribute columns) straight into the events table.

    Tests use this to build exact event logs, such as hostile attribute values, without
    going through a file reader.
    """
    from analytics.store import connect, ensure_database

    core = ("event_id", "customer_id", "event_time", "event_type", "amount", "currency")
    entries = ", ".join(
        f"{{'key': '{name}', 'value': CAST(\"{name}\" AS VARCHAR)}}"
        for name in frame.columns
        if name not in core
    )
    attributes = (
        f"map_from_entries(list_filter([{entries}], lambda entry: entry.value IS NOT NULL))"
        if entries
        else "NULL"
    )
    optional = {
        name: name if name in frame.columns else "NULL" for name in ("event_id", "currency")
    }
    ensure_database(database_path)
    with connect(database_path) as connection:
        connection.register("incoming", frame.to_arrow())
        connection.execute(
            f"""
            INSERT INTO events (import_id, source_line, event_id, customer_id, event_time,
                                event_type, amount, currency, attributes)
            SELECT 0, row_number() OVER () + 1, {optional["event_id"]}, customer_id,
                   event_time, event_type, amount, {optional["currency"]}, {attributes}
            FROM incoming
            """
        )
        connection.unregister("incoming")
