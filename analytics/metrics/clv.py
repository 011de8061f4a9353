"""Customer lifetime value: average purchase value x purchase frequency x customer lifespan.

Over an analysis window (by default the first to the last event date, both included):

- APV = net revenue / paid purchases, net revenue = paid purchases - refunds
- frequency per year = paid purchases / paying customers / window years, where
  window years = days in the window / 365.25
- pooled churn per period = sum of churned / sum of S over the complete periods with S > 0
- lifespan years = (1 / pooled churn) x period length in years, unless a lifespan is given
- CLV = APV x frequency per year x lifespan years, times the gross margin when one is given

CLV is not estimable, with the reason, when there is no paid purchase in the window, or
when no lifespan is given and pooled churn is 0 or no complete period has S > 0. APV,
purchases and frequency are still reported then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from analytics.metrics.aggregate import EventScope, date_at_most_sql, date_between_sql

DAYS_PER_YEAR = 365.25

REASON_NO_PAID_PURCHASE = "no paid purchase in the analysis window"
REASON_NO_CHURN = (
    "no churn observed in the complete periods, so the customer lifespan is unknown; "
    "give a lifespan in years to estimate CLV"
)
REASON_NO_COMPLETE_PERIOD = (
    "no complete period with customers at its start (S > 0) to estimate churn from; "
    "give a lifespan in years to estimate CLV"
)


def customer_lifetime_value(
    average_purchase_value: float,
    frequency_per_year: float,
    lifespan_years: float,
    gross_margin: float | None = None,
) -> float:
    """CLV in currency units: APV x purchases per year x lifespan in years [x gross margin]."""
    value = average_purchase_value * frequency_per_year * lifespan_years
    return value * gross_margin if gross_margin is not None else value


def average_purchase_value(net_revenue: float, paid_purchases: int) -> float | None:
    """APV in currency units: net revenue / paid purchases; None without a paid purchase."""
    if paid_purchases <= 0:
        return None
    return net_revenue / paid_purchases


def purchase_frequency_per_year(
    paid_purchases: int, paying_customers: int, window_years: float
) -> float | None:
    """Paid purchases per paying customer per year; None without a paying customer."""
    if paying_customers <= 0 or window_years <= 0:
        return None
    return paid_purchases / paying_customers / window_years


def pooled_churn(periods: Iterable[tuple[int, int, bool]]) -> tuple[float | None, int]:
    """Return (sum of churned / sum of S as a fraction, number of periods pooled).

    ``periods`` contains (S, churned, complete) per period; only complete periods with S > 0
    are pooled. The fraction is None when no period qualifies.
    """
    start_total = 0
    churned_total = 0
    pooled = 0
    for start, churned, complete in periods:
        if complete and start > 0:
            start_total += start
            churned_total += churned
            pooled += 1
    if start_total == 0:
        return None, 0
    return churned_total / start_total, pooled


def lifespan_from_churn(churn_per_period: float | None, period_years: float) -> float | None:
    """Expected lifespan in years, (1 / churn per period) x period length; None when the
    churn is unknown or 0."""
    if churn_per_period is None or churn_per_period <= 0:
        return None
    return period_years / churn_per_period


@dataclass(frozen=True)
class ClvInputs:
    """Sums over the analysis window for one segment (or for everyone)."""

    net_revenue: float
    paid_purchases: int
    paying_customers: int


def clv_summary(
    inputs: ClvInputs,
    window_from: date,
    window_to: date,
    retention_periods: Iterable[tuple[int, int, bool]],
    period_years: float,
    lifespan_years: float | None = None,
    gross_margin: float | None = None,
) -> dict:
    """Return the ``clv`` object of the metrics result, with every part and the reason
    when CLV is not estimable. ``retention_periods`` contains (S, churned, complete)."""
    window_days = (window_to - window_from).days + 1
    window_years = window_days / DAYS_PER_YEAR
    apv = average_purchase_value(inputs.net_revenue, inputs.paid_purchases)
    frequency = purchase_frequency_per_year(
        inputs.paid_purchases, inputs.paying_customers, window_years
    )
    churn, periods_pooled = pooled_churn(retention_periods)
    if lifespan_years is not None:
        lifespan, lifespan_source = lifespan_years, "given"
    else:
        lifespan = lifespan_from_churn(churn, period_years)
        lifespan_source = "computed" if lifespan is not None else None

    reasons = []
    if apv is None:
        reasons.append(REASON_NO_PAID_PURCHASE)
    if lifespan is None:
        reasons.append(REASON_NO_COMPLETE_PERIOD if churn is None else REASON_NO_CHURN)
    value = None
    if not reasons:
        value = customer_lifetime_value(apv, frequency, lifespan, gross_margin)
    return {
        "apv": apv,
        "net_revenue": inputs.net_revenue,
        "paid_purchases": inputs.paid_purchases,
        "paying_customers": inputs.paying_customers,
        "window_from": window_from.isoformat(),
        "window_to": window_to.isoformat(),
        "window_days": window_days,
        "window_years": window_years,
        "frequency_per_year": frequency,
        "pooled_churn": churn * 100 if churn is not None else None,
        "periods_pooled": periods_pooled,
        "lifespan_years": lifespan,
        "lifespan_source": lifespan_source,
        "gross_margin": gross_margin,
        "clv": value,
        "estimable": value is not None,
        "reason": "; ".join(reasons) if reasons else None,
    }


def read_customer_counts(
    connection: duckdb.DuckDBPyConnection, scope: EventScope, segmented: bool
) -> pl.DataFrame:
    """Count per segment code the ``customers`` with any event and the
    ``paying_customers`` with a paid purchase in the CLV window."""
    if segmented:
        return connection.sql(
            """
            SELECT
                segment_code,
                count(*) AS customers,
                count(*) FILTER (WHERE paying) AS paying_customers
            FROM customer_segments
            GROUP BY ALL
            """
        ).pl()
    # One pass groups by customer: DuckDB counts two DISTINCT values in one query several
    # times slower, and two single DISTINCT counts scan the table twice.
    as_of_condition = date_at_most_sql(connection, scope.timezone, scope.as_of)
    in_window = date_between_sql(connection, scope.timezone, scope.window_from, scope.window_to)
    customers, paying = connection.execute(
        f"""
        SELECT count(*), count(*) FILTER (WHERE paying)
        FROM (
            SELECT
                customer_id,
                bool_or(event_type = 'purchase' AND amount > 0 AND {in_window}) AS paying
            FROM events
            WHERE {as_of_condition}
            GROUP BY customer_id
        )
        """
    ).fetchone()
    return pl.DataFrame(
        {"segment_code": [0], "customers": [customers], "paying_customers": [paying]},
        schema={"segment_code": pl.Int32, "customers": pl.Int64, "paying_customers": pl.Int64},
    )
