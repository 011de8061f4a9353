"""The DuckDB SQL that reads the events table.

Every query here reads only events dated on or before the as-of date: the as-of date is
the day the figures are known at, so a later event does not exist yet for them. Dates are
calendar dates in the reporting time zone.

An event is classified as:

- paid purchase: ``purchase`` with amount > 0 (a purchase and activity)
- free order: ``purchase`` with amount = 0 (counted on its own; not activity, not revenue)
- refund: ``refund`` of either sign, or ``purchase`` with amount < 0; the refunded
  amount is the absolute value
- subscription event: ``subscription_start`` or ``subscription_cancel``

Nothing is kept per customer and period: money and counts are summed per period, and
activity per customer (:mod:`analytics.metrics.activity`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from analytics.dates import SUPPORTED_RANGE_TEXT, is_storable_day
from analytics.errors import InvalidInputError
from analytics.metrics.periods import period_index_sql

# Zones whose local date is the UTC date. For them the date comes from the epoch, which is
# several times faster in DuckDB than an ICU time zone conversion of every event.
_UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Universal", "Etc/Universal", "Zulu"})
_MICROSECONDS_PER_DAY = 86_400_000_000

SUBSCRIPTION_EVENT_TYPES = ("subscription_start", "subscription_cancel")


@dataclass(frozen=True)
class EventExtent:
    """Event count of the table, the dates (reporting zone) the events span, and more."""

    event_count: int
    first_date: date | None
    last_date: date | None
    has_subscription_events: bool
    currency: str | None  # the one currency code on the events, or None for none or several


@dataclass(frozen=True)
class EventScope:
    """The events a request reads (up to the as-of date) and the calendar that dates them."""

    grain: str
    timezone: str
    as_of: date
    window_from: date  # CLV analysis window, both days included
    window_to: date


def local_date_sql(timestamp_sql: str, timezone: str) -> str:
    """Return a DuckDB DATE expression: the calendar date of a TIMESTAMPTZ in ``timezone``.

    ``timezone`` must be a zone name that DuckDB accepts (see :func:`canonical_timezone`).
    """
    if timezone in _UTC_ZONES:
        return (
            "CAST(DATE '1970-01-01' + "
            f"CAST(fdiv(epoch_us({timestamp_sql}), {_MICROSECONDS_PER_DAY}) AS INTEGER) AS DATE)"
        )
    quoted = timezone.replace("'", "''")
    return f"CAST(timezone('{quoted}', {timestamp_sql}) AS DATE)"


def canonical_timezone(connection: duckdb.DuckDBPyConnection, timezone: str) -> str | None:
    """Return the name of the zone in DuckDB's ICU time zone database that matches
    ``timezone`` regardless of case (``europe/berlin`` gives ``Europe/Berlin``), or None."""
    rows = connection.execute(
        "SELECT name FROM pg_timezone_names() WHERE lower(name) = lower(?) ORDER BY name = ? DESC",
        [timezone, timezone],
    ).fetchall()
    return rows[0][0] if rows else None


def read_event_extent(connection: duckdb.DuckDBPyConnection, timezone: str) -> EventExtent:
    """Count the events and find their first and last dates in the reporting zone."""
    subscription_types = ", ".join(f"'{name}'" for name in SUBSCRIPTION_EVENT_TYPES)
    count, first_date, last_date, has_subscriptions, lowest, highest = connection.execute(
        f"""
        SELECT
            count(*),
            {local_date_sql("min(event_time)", timezone)},
            {local_date_sql("max(event_time)", timezone)},
            coalesce(bool_or(event_type IN ({subscription_types})), false),
            min(currency),
            max(currency)
        FROM events
        """
    ).fetchall()[0]
    currency = lowest if lowest == highest else None
    for day in (first_date, last_date):
        if day is not None and not is_storable_day(day):
            # Imports check this range, so only a database written by other tools gets here.
            raise InvalidInputError(
                f"The events include the date {day.isoformat()}, outside the supported range "
                f"{SUPPORTED_RANGE_TEXT}. Remove the import that brought it with "
                "'growthlens imports --remove IMPORT_ID' and load the file again."
            )
    return EventExtent(int(count), first_date, last_date, bool(has_subscriptions), currency)


def last_event_date_through(
    connection: duckdb.DuckDBPyConnection, timezone: str, as_of: date
) -> date | None:
    """Return the date of the latest event dated on or before ``as_of``."""
    row = connection.execute(
        f"""
        SELECT {local_date_sql("max(event_time)", timezone)}
        FROM events
        WHERE {date_at_most_sql(connection, timezone, as_of)}
        """
    ).fetchall()[0]
    return row[0]


def day_start_instant(
    connection: duckdb.DuckDBPyConnection, timezone: str, day: date
) -> datetime | None:
    """Return the first instant (UTC) whose date in ``timezone`` is ``day``, or None when
    ICU's reading of local midnight does not check out (a DST change at midnight)."""
    quoted = timezone.replace("'", "''")
    instant, on_day, before_day = connection.execute(
        f"""
        WITH candidate AS (SELECT timezone('{quoted}', CAST($day AS TIMESTAMP)) AS instant)
        SELECT
            instant,
            {local_date_sql("instant", timezone)},
            {local_date_sql("instant - INTERVAL 1 MICROSECOND", timezone)}
        FROM candidate
        """,
        {"day": day},
    ).fetchall()[0]
    if on_day != day or before_day != day - timedelta(days=1):
        return None
    return instant


def date_at_most_sql(connection: duckdb.DuckDBPyConnection, timezone: str, day: date) -> str:
    """Return a condition on ``event_time``: its date in ``timezone`` is on or before ``day``.

    An instant comparison lets DuckDB skip whole row groups and avoids converting every
    event's time zone; the date comparison is the fallback when midnight is ambiguous.
    """
    end = day_start_instant(connection, timezone, day + timedelta(days=1))
    if end is not None:
        return f"event_time < TIMESTAMPTZ '{end.isoformat()}'"
    return f"{local_date_sql('event_time', timezone)} <= DATE '{day.isoformat()}'"


def date_between_sql(
    connection: duckdb.DuckDBPyConnection, timezone: str, first: date, last: date
) -> str:
    """Return a condition on ``event_time``: its date in ``timezone`` is in [first, last]."""
    start = day_start_instant(connection, timezone, first)
    if start is not None:
        return (
            f"event_time >= TIMESTAMPTZ '{start.isoformat()}' AND "
            f"{date_at_most_sql(connection, timezone, last)}"
        )
    return (
        f"{local_date_sql('event_time', timezone)} BETWEEN "
        f"DATE '{first.isoformat()}' AND DATE '{last.isoformat()}'"
    )


def classified_events_sql(
    connection: duckdb.DuckDBPyConnection, scope: EventScope, source: str = "events"
) -> str:
    """Return a SELECT over ``source`` of the events dated on or before the as-of date,
    with ``event_date``, ``period_index`` and the flags is_paid, is_free, is_refund and
    in_window (inside the CLV window)."""
    event_date = local_date_sql("event_time", scope.timezone)
    in_window = date_between_sql(connection, scope.timezone, scope.window_from, scope.window_to)
    return f"""
        SELECT
            *,
            {period_index_sql("event_date", scope.grain)} AS period_index,
            event_type = 'purchase' AND amount > 0 AS is_paid,
            event_type = 'purchase' AND amount = 0 AS is_free,
            event_type = 'refund' OR (event_type = 'purchase' AND amount < 0) AS is_refund,
            {in_window} AS in_window
        FROM (
            SELECT *, {event_date} AS event_date
            FROM {source}
            WHERE {date_at_most_sql(connection, scope.timezone, scope.as_of)}
        )
    """
