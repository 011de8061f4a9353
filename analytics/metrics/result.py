"""Turn the per-segment frames into the plain ``dict`` that ``growthlens metrics`` prints.

Every value is a Python int, float, str, bool or None; dates are ISO text. An undefined
rate or average is None, never 0, NaN or infinity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from analytics.metrics.clv import ClvInputs, clv_summary
from analytics.metrics.cohorts import cohort_rate
from analytics.metrics.periods import PERIOD_YEARS, period_at
from analytics.metrics.retention import RETENTION_COUNTS, churn_rate, customer_retention_rate
from analytics.metrics.revenue import average_order_value

# Counts in the period frame, summed over segments for the totals.
PERIOD_COUNTS = (
    *RETENTION_COUNTS,
    "joined_and_churned",
    "paid_purchases",
    "free_orders",
)
PERIOD_AMOUNTS = ("paid_amount", "refunds", "revenue")
# DuckDB sums amounts exactly as decimals and hands them over as doubles, which the totals
# add up again. The store keeps 4 decimal places, so rounding to 4 places gives back the
# exact decimal total.
MONEY_DECIMALS = 4


@dataclass(frozen=True)
class Scope:
    """The figures of one scope (everyone, or one segment) as frames and sums."""

    periods: pl.DataFrame  # period_index, PERIOD_COUNTS, PERIOD_AMOUNTS
    cohorts: list[tuple[int, list[int]]]  # cohort period index, active per offset
    clv_inputs: ClvInputs
    customers: int


@dataclass(frozen=True)
class Layout:
    """Settings shared by every scope: grain, as-of date, listed range and CLV settings."""

    grain: str
    as_of: date
    listed_from: int
    listed_to: int
    window_from: date
    window_to: date
    lifespan_years: float | None
    gross_margin: float | None


def money(value: float | None) -> float | None:
    """Round a summed amount to the store's precision; None stays None."""
    if value is None:
        return None
    return round(float(value), MONEY_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def scope_result(scope: Scope, layout: Layout) -> dict:
    """Return ``periods``, ``cohorts`` and ``clv`` for one scope."""
    periods = period_rows(scope.periods, layout)
    clv = clv_summary(
        scope.clv_inputs,
        layout.window_from,
        layout.window_to,
        [(row["S"], row["churned"], row["complete"]) for row in periods],
        PERIOD_YEARS[layout.grain],
        lifespan_years=layout.lifespan_years,
        gross_margin=layout.gross_margin,
    )
    clv["net_revenue"] = money(clv["net_revenue"])
    return {
        "customers": scope.customers,
        "periods": periods,
        "cohorts": cohort_rows(scope.cohorts, layout),
        "clv": clv,
    }


def period_rows(frame: pl.DataFrame, layout: Layout) -> list[dict]:
    """Return one dict per listed period, oldest first."""
    listed = frame.filter(
        pl.col("period_index").is_between(layout.listed_from, layout.listed_to)
    ).sort("period_index")
    rows = []
    for row in listed.iter_rows(named=True):
        period = period_at(row["period_index"], layout.grain)
        revenue = money(row["revenue"])
        rows.append(
            {
                "period": period.label,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "complete": period.is_complete(layout.as_of),
                "measured_on": period.measured_on(layout.as_of).isoformat(),
                **{name: int(row[name]) for name in RETENTION_COUNTS},
                "joined_and_churned": int(row["joined_and_churned"]),
                "crr": customer_retention_rate(row["S"], row["E"], row["N"]),
                "churn_rate": churn_rate(row["churned"], row["S"]),
                "revenue": revenue,
                "paid_amount": money(row["paid_amount"]),
                "paid_purchases": int(row["paid_purchases"]),
                "average_order_value": average_order_value(revenue, row["paid_purchases"]),
                "free_orders": int(row["free_orders"]),
                "refunds": money(row["refunds"]),
            }
        )
    return rows


def cohort_rows(cohorts: list[tuple[int, list[int]]], layout: Layout) -> list[dict]:
    """Return one dict per cohort, oldest first, each with its cells by offset."""
    rows = []
    for cohort_index, actives in cohorts:
        size = actives[0]
        cells = [
            {
                "offset": offset,
                "active": active,
                "rate": cohort_rate(active, size),
                "complete": period_at(cohort_index + offset, layout.grain).is_complete(
                    layout.as_of
                ),
            }
            for offset, active in enumerate(actives)
        ]
        rows.append(
            {"cohort": period_at(cohort_index, layout.grain).label, "size": size, "cells": cells}
        )
    return rows
