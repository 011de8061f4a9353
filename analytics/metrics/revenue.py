"""Revenue, orders and refunds per period.

- paid purchase: a purchase with amount > 0
- free order: a purchase with amount = 0, counted on its own; neither a purchase, nor
  revenue, nor activity
- refund: a ``refund`` event, or a purchase with a negative amount; its refunded amount
  is the absolute value, whatever the sign in the file
- revenue = paid purchases - refunds (net revenue), in currency units
- refunds = the refunded amount, as a positive number
"""

from __future__ import annotations

import duckdb
import polars as pl

from analytics.metrics.aggregate import EventScope, classified_events_sql
from analytics.metrics.segments import segmented_source


def average_order_value(revenue: float, paid_purchases: int) -> float | None:
    """Net revenue per paid purchase, currency units; None without a paid purchase."""
    if paid_purchases <= 0:
        return None
    return revenue / paid_purchases


def read_period_money(
    connection: duckdb.DuckDBPyConnection, scope: EventScope, segmented: bool
) -> pl.DataFrame:
    """Sum orders, revenue and refunds per segment code and period, and the same sums
    inside the CLV window (columns ``window_*``), in one scan of the events."""
    classified = classified_events_sql(connection, scope)
    source, segment_code = segmented_source(f"({classified}) AS classified", segmented)
    paid = "coalesce(sum(amount) FILTER (WHERE is_paid), 0)"
    refunded = "coalesce(sum(abs(amount)) FILTER (WHERE is_refund), 0)"
    window_paid = "coalesce(sum(amount) FILTER (WHERE is_paid AND in_window), 0)"
    window_refunded = "coalesce(sum(abs(amount)) FILTER (WHERE is_refund AND in_window), 0)"
    return connection.sql(
        f"""
        SELECT
            {segment_code} AS segment_code,
            period_index,
            count(*) FILTER (WHERE is_paid) AS paid_purchases,
            count(*) FILTER (WHERE is_free) AS free_orders,
            CAST({paid} AS DOUBLE) AS paid_amount,
            CAST({refunded} AS DOUBLE) AS refunds,
            CAST({paid} - {refunded} AS DOUBLE) AS revenue,
            count(*) FILTER (WHERE is_paid AND in_window) AS window_paid_purchases,
            CAST({window_paid} - {window_refunded} AS DOUBLE) AS window_net_revenue
        FROM {source}
        GROUP BY ALL
        """
    ).pl()
