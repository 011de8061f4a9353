"""The calendar range GrowthLens works in.

Event times, and the dates given to the metrics, must fall between these days. A wider
range would reach the ends of the calendar, where the day after (or before) a date does
not exist, and placeholder dates such as 9999-12-31 would become periods of data.
"""

from __future__ import annotations

from datetime import date, timedelta

FIRST_SUPPORTED_DAY = date(1900, 1, 1)
LAST_SUPPORTED_DAY = date(2199, 12, 31)
SUPPORTED_RANGE_TEXT = f"{FIRST_SUPPORTED_DAY.isoformat()} to {LAST_SUPPORTED_DAY.isoformat()}"
# Imports check event times against the range in UTC. In a reporting time zone the local
# date of such an event may lie one day outside the range, so stored events get this margin.
_LOCAL_MARGIN = timedelta(days=1)


def is_supported_day(day: date) -> bool:
    """Tell whether ``day`` is inside the supported calendar range."""
    return FIRST_SUPPORTED_DAY <= day <= LAST_SUPPORTED_DAY


def is_storable_day(day: date) -> bool:
    """Tell whether ``day``, the local date of a stored event in some time zone, can come
    from an event time inside the supported range (in UTC)."""
    return FIRST_SUPPORTED_DAY - _LOCAL_MARGIN <= day <= LAST_SUPPORTED_DAY + _LOCAL_MARGIN
