"""Calendar periods (day, ISO week, month, quarter, year) numbered by an integer index.

A period index counts periods from a fixed origin, so consecutive periods differ by 1
and ``P - 1`` is the previous period at every grain. The same numbering exists twice:
in Python for single dates and in SQL for event dates, and tests hold the two equal.
Dates are calendar dates in the reporting time zone; the conversion happens in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

_EPOCH = date(1970, 1, 1)
_EPOCH_MONDAY = date(1970, 1, 5)  # ISO weeks start on Monday

# Length of one period in years, used to turn churn per period into a lifespan in years.
PERIOD_YEARS = {
    "day": 1 / 365.25,
    "week": 7 / 365.25,
    "month": 1 / 12,
    "quarter": 1 / 4,
    "year": 1.0,
}


@dataclass(frozen=True)
class Period:
    """One calendar period: its index, label (``2024-W05``, ``1997-02``) and first and last day."""

    index: int
    label: str
    start: date
    end: date

    def is_complete(self, as_of: date) -> bool:
        """A period is complete when the as-of date is on or after its last day."""
        return as_of >= self.end

    def measured_on(self, as_of: date) -> date:
        """The day whose end the period's activity is taken at: its last day or the as-of date."""
        return min(self.end, as_of)


def period_index(day: date, grain: str) -> int:
    """Return the index of the period of ``grain`` that contains ``day``."""
    if grain == "day":
        return (day - _EPOCH).days
    if grain == "week":
        monday = day - timedelta(days=day.weekday())
        return (monday - _EPOCH_MONDAY).days // 7
    if grain == "month":
        return day.year * 12 + day.month - 1
    if grain == "quarter":
        return day.year * 4 + (day.month - 1) // 3
    if grain == "year":
        return day.year
    raise ValueError(f"unknown grain {grain!r}")


def period_at(index: int, grain: str) -> Period:
    """Return the period of ``grain`` with the given index."""
    if grain == "day":
        start = _EPOCH + timedelta(days=index)
        return Period(index, start.isoformat(), start, start)
    if grain == "week":
        start = _EPOCH_MONDAY + timedelta(days=7 * index)
        iso_year, iso_week, _ = start.isocalendar()
        return Period(index, f"{iso_year}-W{iso_week:02d}", start, start + timedelta(days=6))
    if grain == "month":
        year, month_zero = divmod(index, 12)
        start = date(year, month_zero + 1, 1)
        return Period(index, f"{year}-{month_zero + 1:02d}", start, _next_month(start) - _ONE_DAY)
    if grain == "quarter":
        year, quarter_zero = divmod(index, 4)
        start = date(year, 3 * quarter_zero + 1, 1)
        end = _next_month(_next_month(_next_month(start))) - _ONE_DAY
        return Period(index, f"{year}-Q{quarter_zero + 1}", start, end)
    if grain == "year":
        return Period(index, str(index), date(index, 1, 1), date(index, 12, 31))
    raise ValueError(f"unknown grain {grain!r}")


def period_index_sql(date_sql: str, grain: str) -> str:
    """Return a DuckDB expression of type INTEGER: the period index of the DATE ``date_sql``."""
    if grain == "day":
        return f"CAST(({date_sql}) - DATE '1970-01-01' AS INTEGER)"
    if grain == "week":
        # The Monday of the week lies a whole number of weeks after 1970-01-05, so the
        # division is exact and DuckDB's truncating // is safe for dates before 1970.
        return (
            f"CAST((({date_sql}) - DATE '1970-01-05' - (isodow({date_sql}) - 1)) // 7 AS INTEGER)"
        )
    if grain == "month":
        return f"CAST(year({date_sql}) * 12 + month({date_sql}) - 1 AS INTEGER)"
    if grain == "quarter":
        return f"CAST(year({date_sql}) * 4 + quarter({date_sql}) - 1 AS INTEGER)"
    if grain == "year":
        return f"CAST(year({date_sql}) AS INTEGER)"
    raise ValueError(f"unknown grain {grain!r}")


_ONE_DAY = timedelta(days=1)


def _next_month(first_day: date) -> date:
    if first_day.month == 12:
        return date(first_day.year + 1, 1, 1)
    return date(first_day.year, first_day.month + 1, 1)
