"""Entry point of the metrics engine: ``compute_metrics(connection, options) -> dict``.

A request runs a handful of DuckDB queries over the events table, each reading only the
columns and event types it needs. They find the table's extent, per-customer activity bits
(:mod:`activity`), money per period (:mod:`revenue`) and customer counts (:mod:`clv`).
With a segment, one more query finds each customer's segment value (:mod:`segments`).
What comes back is small: one row per customer with a few integers, and one row per
period. Retention and cohort counts follow in numpy, per-period figures in Polars.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from datetime import date

import duckdb
import numpy as np
import polars as pl

from analytics.errors import InvalidInputError
from analytics.metrics.activity import counts_customers, read_activity
from analytics.metrics.aggregate import (
    EventScope,
    canonical_timezone,
    last_event_date_through,
    read_event_extent,
)
from analytics.metrics.caveats import check_as_of, result_warnings
from analytics.metrics.clv import ClvInputs, read_customer_counts
from analytics.metrics.cohorts import cohort_triangle, plan_cohorts
from analytics.metrics.options import MetricOptions, resolve_window, validate_options
from analytics.metrics.periods import period_index
from analytics.metrics.result import (
    PERIOD_AMOUNTS,
    PERIOD_COUNTS,
    Layout,
    Scope,
    money,
    scope_result,
)
from analytics.metrics.retention import ActivityTally, check_tally_size, retention_frame
from analytics.metrics.revenue import read_period_money
from analytics.metrics.segments import create_customer_segments, validate_segment_attribute

logger = logging.getLogger(__name__)

_PERIOD_KEYS = ["segment_code", "period_index"]


def compute_metrics(connection: duckdb.DuckDBPyConnection, options: MetricOptions) -> dict:
    """Compute retention, cohorts, revenue and CLV as the ``growthlens metrics`` JSON object.

    ``connection`` may be read-only; the work happens in a cursor of its own, whose
    temporary tables disappear when it closes. Raises InvalidInputError for invalid
    options, an unknown segment attribute, or a database without events.
    """
    options = validate_options(options)
    started = time.perf_counter()
    cursor = connection.cursor()
    try:
        cursor.execute("SET TimeZone = 'UTC'")
        # DuckDB draws a progress bar on the terminal for long queries, which would mix
        # with the command line's output.
        cursor.execute("SET enable_progress_bar = false")
        result = _compute(cursor, options)
    finally:
        cursor.close()
    logger.info(
        "metrics: grain %s, window %s, %d periods in %.2f s",
        result["grain"],
        result["window"],
        len(result["periods"]),
        time.perf_counter() - started,
    )
    return result


def _compute(cursor: duckdb.DuckDBPyConnection, options: MetricOptions) -> dict:
    timezone = canonical_timezone(cursor, options.timezone)
    if timezone is None:
        raise InvalidInputError(
            f"Unknown time zone '{options.timezone}'. Give an IANA name such as 'UTC', "
            "'Europe/Berlin' or 'America/New_York'."
        )
    options = dataclasses.replace(options, timezone=timezone)
    extent = read_event_extent(cursor, options.timezone)
    if extent.event_count == 0:
        raise InvalidInputError(
            "No events loaded, so there is nothing to measure. "
            "Load a file first with 'growthlens ingest FILE'."
        )
    if options.segment is not None:
        validate_segment_attribute(cursor, options.segment)

    grain = options.grain
    as_of = options.as_of or extent.last_date
    if as_of < extent.first_date:
        raise InvalidInputError(
            f"The as-of date {as_of.isoformat()} is before the first event "
            f"({extent.first_date.isoformat()}). Give a later --as-of."
        )
    check_as_of(as_of, extent.last_date)
    last_date = extent.last_date
    if as_of < last_date:
        last_date = last_event_date_through(cursor, options.timezone, as_of)

    first_index = period_index(extent.first_date, grain)
    as_of_index = period_index(as_of, grain)
    listed_from = first_index
    if options.date_from is not None:
        listed_from = max(first_index, period_index(options.date_from, grain))
    listed_to = as_of_index
    if options.date_to is not None:
        listed_to = min(as_of_index, period_index(options.date_to, grain))
    if listed_from > listed_to:
        raise InvalidInputError(
            f"No period to report: the date range "
            f"{_range_text(options.date_from, options.date_to)} lies outside the events, "
            f"which run from {extent.first_date.isoformat()} to the as-of date "
            f"{as_of.isoformat()}."
        )
    window_from = options.date_from or extent.first_date
    # NOTE: a --from after the last event leaves no event in the window; the window then
    # shrinks to that single day rather than running backwards.
    window_to = max(options.date_to or last_date, window_from)

    window = resolve_window(options.window, extent.has_subscription_events)
    scope = EventScope(
        grain=grain,
        timezone=options.timezone,
        as_of=as_of,
        window_from=window_from,
        window_to=window_to,
    )
    segmented = options.segment is not None
    segment_values = [None]
    if segmented:
        segment_values = create_customer_segments(cursor, options.segment, scope)

    period_count = as_of_index - first_index + 1
    check_tally_size(len(segment_values), period_count, grain)
    cohorts = plan_cohorts(len(segment_values), listed_from, listed_to)
    tally = ActivityTally(len(segment_values), period_count, first_index, cohorts)
    tally.add_all(read_activity(cursor, window, scope, first_index, as_of_index, segmented))
    money_frame = read_period_money(cursor, scope, segmented)
    periods = _join_counts(
        retention_frame(tally, first_index),
        money_frame.drop("window_paid_purchases", "window_net_revenue"),
    )
    if counts_customers(window, segmented):
        customer_counts = pl.DataFrame(
            {
                "segment_code": np.arange(len(segment_values), dtype=np.int32),
                "customers": tally.customers,
                "paying_customers": tally.paying_customers,
            }
        )
    else:
        customer_counts = read_customer_counts(cursor, scope, segmented)
    clv_inputs = _clv_frame(money_frame, customer_counts)

    layout = Layout(
        grain=grain,
        as_of=as_of,
        listed_from=listed_from,
        listed_to=listed_to,
        window_from=window_from,
        window_to=window_to,
        lifespan_years=options.lifespan_years,
        gross_margin=options.gross_margin,
    )

    def scope_for(code: int | None) -> Scope:
        """Everyone when ``code`` is None, else the segment with that code."""
        if code is None:
            chosen_periods = periods.group_by("period_index").agg(
                pl.col(*PERIOD_COUNTS, *PERIOD_AMOUNTS).sum()
            )
            cohort_active = tally.cohort_active.sum(axis=0)
            inputs = clv_inputs
        else:
            chosen = pl.col("segment_code") == code
            chosen_periods = periods.filter(chosen)
            cohort_active = tally.cohort_active[code]
            inputs = clv_inputs.filter(chosen)
        return Scope(
            periods=chosen_periods,
            cohorts=cohort_triangle(cohort_active, cohorts),
            clv_inputs=ClvInputs(
                net_revenue=money(float(inputs["net_revenue"].sum() or 0.0)),
                paid_purchases=int(inputs["paid_purchases"].sum() or 0),
                paying_customers=int(inputs["paying_customers"].sum() or 0),
            ),
            customers=int(inputs["customers"].sum() or 0),
        )

    result = {
        "grain": grain,
        "window": window.label,
        "model": window.model,
        "timezone": options.timezone,
        "as_of": as_of.isoformat(),
        "from": window_from.isoformat(),
        "to": window_to.isoformat(),
        "first_event_date": extent.first_date.isoformat(),
        "last_event_date": last_date.isoformat(),
        "currency": extent.currency,
        "cohorts_truncated": cohorts.truncated,
        "warnings": result_warnings(cohorts, len(segment_values), grain, window, extent),
        **scope_result(scope_for(None), layout),
    }
    if segmented:
        result["segment"] = options.segment
        result["segments"] = [
            {"value": value, **scope_result(scope_for(code), layout)}
            for code, value in enumerate(segment_values)
        ]
    return result


def _join_counts(periods: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    counts = counts.with_columns(pl.col(_PERIOD_KEYS).cast(pl.Int32))
    added = [name for name in counts.columns if name not in _PERIOD_KEYS]
    return periods.join(counts, on=_PERIOD_KEYS, how="left").with_columns(
        pl.col(added).fill_null(0)
    )


def _clv_frame(money_frame: pl.DataFrame, customers: pl.DataFrame) -> pl.DataFrame:
    """Join the CLV window's sums per segment code to its customer counts."""
    window_sums = money_frame.group_by("segment_code").agg(
        pl.col("window_net_revenue").sum().alias("net_revenue"),
        pl.col("window_paid_purchases").sum().alias("paid_purchases"),
    )
    return customers.with_columns(pl.col("segment_code").cast(pl.Int32)).join(
        window_sums.with_columns(pl.col("segment_code").cast(pl.Int32)),
        on="segment_code",
        how="left",
    )


def _range_text(date_from: date | None, date_to: date | None) -> str:
    """Return the --from/--to range as text. At least one of the two dates must be set."""
    if date_to is None:
        return f"from {date_from.isoformat()} on"
    if date_from is None:
        return f"up to {date_to.isoformat()}"
    return f"{date_from.isoformat()} to {date_to.isoformat()}"
