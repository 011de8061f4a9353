"""Calendar arithmetic on int64 arrays of seconds since 1970-01-01T00:00:00Z (UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

SECONDS_PER_DAY = 86_400
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


@dataclass(frozen=True)
class Span:
    """The dates the demo data covers, first and last day included."""

    start: date
    end: date

    @property
    def start_seconds(self) -> int:
        return day_seconds(self.start)

    @property
    def end_exclusive_seconds(self) -> int:
        """First second after the last day; every event is before it."""
        return day_seconds(self.end) + SECONDS_PER_DAY

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def first_month_index(self) -> int:
        return int(np.datetime64(self.start, "M").astype(np.int64))


def day_seconds(day: date) -> int:
    """Return the first second of ``day`` in UTC."""
    return int(np.datetime64(day, "D").astype(np.int64)) * SECONDS_PER_DAY


def month_index(seconds: np.ndarray) -> np.ndarray:
    """Return months since January 1970 for each instant."""
    return seconds.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)


def calendar_month(seconds: np.ndarray) -> np.ndarray:
    """Return the calendar month, 1 for January to 12 for December, of each instant."""
    return month_index(seconds) % 12 + 1


def add_months(anchor: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Return the instants ``months`` calendar months after ``anchor``, at the same time of
    day and day of month, or on the month's last day when it is shorter (31 Jan -> 29 Feb)."""
    days = anchor // SECONDS_PER_DAY
    time_of_day = anchor - days * SECONDS_PER_DAY
    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    day_of_month = (day - month.astype("datetime64[D]")).astype(np.int64)

    target_month = month + np.asarray(months, dtype=np.int64)
    first_day = target_month.astype("datetime64[D]")
    month_length = ((target_month + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    target_day = first_day + np.minimum(day_of_month, month_length - 1)
    return target_day.astype(np.int64) * SECONDS_PER_DAY + time_of_day
