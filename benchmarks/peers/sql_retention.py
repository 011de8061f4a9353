"""Monthly retention (window ``period``) as one hand-written DuckDB query: the ceiling.

A customer is active in a month when it made a paid purchase (a ``purchase`` with
amount > 0) in it. Per month: E = active customers, S = E of the month before,
retained = customers active in both months, N = E - retained. Months run from the first
event's month to the last event's month (events of any type), empty months included.
Months are UTC calendar months, as GrowthLens reports them by default.
"""

from __future__ import annotations

import duckdb

MONTHLY_RETENTION_SQL = """
WITH paid AS (
    SELECT DISTINCT
        customer_id,
        date_trunc('month', CAST(event_time AS TIMESTAMP)) AS month
    FROM events
    WHERE event_type = 'purchase' AND amount > 0
),
per_month AS (
    SELECT
        current.month,
        count(*) AS active,
        count(earlier.customer_id) AS retained
    FROM paid AS current
    LEFT JOIN paid AS earlier
        ON earlier.customer_id = current.customer_id
        AND earlier.month = current.month - INTERVAL 1 MONTH
    GROUP BY current.month
),
calendar AS (
    SELECT unnest(generate_series(
        date_trunc('month', CAST(min(event_time) AS TIMESTAMP)),
        date_trunc('month', CAST(max(event_time) AS TIMESTAMP)),
        INTERVAL 1 MONTH
    )) AS month
    FROM events
)
SELECT
    strftime(calendar.month, '%Y-%m') AS period,
    coalesce(lag(per_month.active) OVER (ORDER BY calendar.month), 0) AS "S",
    coalesce(per_month.active, 0) AS "E",
    coalesce(per_month.active, 0) - coalesce(per_month.retained, 0) AS "N"
FROM calendar
LEFT JOIN per_month USING (month)
ORDER BY calendar.month
"""


def monthly_retention(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Return [{"period": "1997-01", "S": ..., "E": ..., "N": ...}, ...] from table ``events``.

    The connection's time zone must be UTC: the cast to TIMESTAMP takes the UTC wall time.
    """
    rows = connection.execute(MONTHLY_RETENTION_SQL).fetchall()
    return [{"period": period, "S": s, "E": e, "N": n} for period, s, e, n in rows]
