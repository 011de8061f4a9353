"""Segments: every metric split by one event attribute (channel, plan, country, ...).

A customer's segment value is the attribute on its first activity, which is its first paid
purchase or first subscription start, whichever comes first. A customer that was never
active takes the value on its first event. Events at the same instant are ordered by
import and line, so the choice is deterministic. A customer whose deciding event lacks the
attribute falls in the segment whose value is None.

Each customer belongs to exactly one segment, so segment counts and sums add up to the
totals; the engine computes per segment and sums for the totals.
"""

from __future__ import annotations

import duckdb

from analytics.errors import InvalidInputError
from analytics.metrics.aggregate import EventScope, date_at_most_sql, date_between_sql

# More segment values than this make an unreadable split, and usually mean an attribute
# that identifies single orders or customers (a note or an id).
MAX_SEGMENT_VALUES = 1000

# Weights of the event order key: |epoch microseconds| < 2**60 until the year 38,000.
# Powers of two are written as shifts: DuckDB's ** returns a DOUBLE, too coarse for the key.
_ACTIVITY_WEIGHT = "(CAST(1 AS HUGEINT) << 121)"
_INSTANT_WEIGHT = "(CAST(1 AS HUGEINT) << 60)"
_IMPORT_WEIGHT = "(CAST(1 AS HUGEINT) << 40)"


def valid_segment_attributes(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the attribute names present on any event, sorted: the valid ``--segment`` values."""
    rows = connection.execute(
        """
        SELECT DISTINCT name
        FROM (SELECT unnest(map_keys(attributes)) AS name FROM events)
        WHERE name IS NOT NULL
        ORDER BY name
        """
    ).fetchall()
    return [name for (name,) in rows]


def validate_segment_attribute(connection: duckdb.DuckDBPyConnection, attribute: str) -> None:
    """Raise InvalidInputError, listing the valid names, unless some event has ``attribute``."""
    present = connection.execute(
        "SELECT EXISTS (SELECT 1 FROM events WHERE map_contains(attributes, ?))", [attribute]
    ).fetchall()[0][0]
    if present:
        return
    valid = valid_segment_attributes(connection)
    listed = ", ".join(valid) if valid else "none (the loaded events carry no attributes)"
    raise InvalidInputError(f"Unknown segment attribute '{attribute}'. Valid attributes: {listed}.")


def create_customer_segments(
    connection: duckdb.DuckDBPyConnection, attribute: str, scope: EventScope
) -> list:
    """Create the temporary table ``customer_segments`` (customer_id, segment_code, paying)
    from the events dated on or before the as-of date, and return the segment values
    indexed by code: sorted, with None last. ``paying`` is true when the customer made a
    paid purchase in the CLV window.

    Raises InvalidInputError when the attribute has more than MAX_SEGMENT_VALUES values.
    """
    in_window = date_between_sql(connection, scope.timezone, scope.window_from, scope.window_to)
    # One HUGEINT orders a customer's events: activity first, then by instant, import and
    # line. A single arg_min over it is several times faster than one over a struct.
    # NOTE: the order is exact only while import ids stay below 2**20 and lines below 2**40.
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE customer_segment_values AS
        WITH classified AS (
            SELECT
                customer_id,
                attributes[$attribute] AS segment_value,
                (event_type = 'purchase' AND amount > 0)
                    OR event_type = 'subscription_start' AS is_activity,
                event_type = 'purchase' AND amount > 0 AND {in_window} AS is_paid_in_window,
                epoch_us(event_time) AS instant,
                import_id,
                source_line
            FROM events
            WHERE {date_at_most_sql(connection, scope.timezone, scope.as_of)}
        )
        SELECT
            customer_id,
            arg_min_null(
                segment_value,
                CAST(NOT is_activity AS HUGEINT) * {_ACTIVITY_WEIGHT}
                    + CAST(instant AS HUGEINT) * {_INSTANT_WEIGHT}
                    + CAST(import_id AS HUGEINT) * {_IMPORT_WEIGHT}
                    + source_line
            ) AS segment_value,
            bool_or(is_paid_in_window) AS paying
        FROM classified
        GROUP BY customer_id
        """,
        {"attribute": attribute},
    )
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE segment_values AS
        SELECT
            segment_value,
            CAST(row_number() OVER (ORDER BY segment_value NULLS LAST) - 1 AS INTEGER)
                AS segment_code
        FROM (SELECT DISTINCT segment_value FROM customer_segment_values)
        """
    )
    values = [
        value
        for (value,) in connection.execute(
            "SELECT segment_value FROM segment_values ORDER BY segment_code"
        ).fetchall()
    ]
    if len(values) > MAX_SEGMENT_VALUES:
        raise InvalidInputError(
            f"Attribute '{attribute}' has {len(values):,} distinct values; a segment split "
            f"allows at most {MAX_SEGMENT_VALUES:,}. Choose an attribute such as a channel, "
            "plan or country."
        )
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE customer_segments AS
        SELECT customer_id, segment_code, paying
        FROM customer_segment_values
        JOIN segment_values
            ON customer_segment_values.segment_value IS NOT DISTINCT FROM segment_values.segment_value
        """
    )
    connection.execute("DROP TABLE customer_segment_values")
    return values


def segmented_source(table: str, segmented: bool) -> tuple[str, str]:
    """Return (FROM clause, segment code expression) for a query over ``table``.

    Without a segment every customer has code 0, so one code covers them all.
    """
    if segmented:
        return f"{table} JOIN customer_segments USING (customer_id)", "segment_code"
    return table, "CAST(0 AS INTEGER)"
