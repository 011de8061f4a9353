"""Calendar periods: labels, bounds, and the SQL numbering matching the Python one."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from analytics.metrics.periods import PERIOD_YEARS, period_at, period_index, period_index_sql


@pytest.mark.parametrize(
    ("day", "grain", "label", "start", "end"),
    [
        (date(2024, 1, 31), "day", "2024-01-31", date(2024, 1, 31), date(2024, 1, 31)),
        (date(2024, 1, 31), "week", "2024-W05", date(2024, 1, 29), date(2024, 2, 4)),
        (date(2021, 1, 3), "week", "2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
        (date(2024, 12, 30), "week", "2025-W01", date(2024, 12, 30), date(2025, 1, 5)),
        (date(1997, 2, 14), "month", "1997-02", date(1997, 2, 1), date(1997, 2, 28)),
        (date(2024, 2, 14), "month", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 31), "quarter", "2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 11, 5), "quarter", "2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
        (date(2024, 7, 1), "year", "2024", date(2024, 1, 1), date(2024, 12, 31)),
        (date(1969, 12, 31), "week", "1970-W01", date(1969, 12, 29), date(1970, 1, 4)),
    ],
)
def test_period_label_and_bounds(day, grain, label, start, end):
    period = period_at(period_index(day, grain), grain)
    assert (period.label, period.start, period.end) == (label, start, end)


@pytest.mark.parametrize("grain", ["day", "week", "month", "quarter", "year"])
def test_consecutive_periods_differ_by_one(grain):
    index = period_index(date(2023, 12, 20), grain)
    current = period_at(index, grain)
    following = period_at(index + 1, grain)
    assert following.start == current.end + timedelta(days=1)


@pytest.mark.parametrize("grain", ["day", "week", "month", "quarter", "year"])
def test_sql_period_index_matches_python(grain):
    days = [date(1965, 3, 1) + timedelta(days=offset * 37) for offset in range(800)]
    days += [date(1970, 1, 1), date(1969, 12, 31), date(2000, 2, 29), date(2024, 12, 30)]
    connection = duckdb.connect()
    rows = connection.execute(
        f"SELECT day, {period_index_sql('day', grain)} FROM unnest(?) AS t(day)", [days]
    ).fetchall()
    assert {day: index for day, index in rows} == {day: period_index(day, grain) for day in days}


def test_completeness_and_measuring_day():
    february = period_at(period_index(date(2024, 2, 10), "month"), "month")
    assert february.is_complete(date(2024, 2, 29)) is True
    assert february.is_complete(date(2024, 2, 28)) is False
    assert february.measured_on(date(2024, 2, 20)) == date(2024, 2, 20)
    assert february.measured_on(date(2024, 5, 1)) == date(2024, 2, 29)


def test_period_lengths_in_years():
    assert PERIOD_YEARS == {
        "day": 1 / 365.25,
        "week": 7 / 365.25,
        "month": 1 / 12,
        "quarter": 1 / 4,
        "year": 1.0,
    }
