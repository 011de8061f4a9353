"""Cron expressions follow crontab(5), not APScheduler 3's own reading of them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analytics.errors import InvalidInputError
from analytics.reports.schedule import next_fire_times, parse_cron

# 1 January 2025 was a Wednesday.
START = datetime(2025, 1, 1, 0, 0, 30, tzinfo=UTC)


def _fires(expression: str, count: int = 4) -> list[str]:
    trigger = parse_cron(expression, UTC)
    return [
        fire.strftime("%a %Y-%m-%d %H:%M:%S") for fire in next_fire_times(trigger, START, count)
    ]


def test_weekday_one_is_monday():
    assert _fires("0 8 * * 1", 2) == ["Mon 2025-01-06 08:00:00", "Mon 2025-01-13 08:00:00"]


@pytest.mark.parametrize("sunday", ["0", "7", "sun", "SUN"])
def test_sunday_is_zero_seven_or_name(sunday):
    assert _fires(f"30 6 * * {sunday}", 1) == ["Sun 2025-01-05 06:30:00"]


def test_weekday_range_monday_to_friday():
    assert _fires("0 9 * * 1-5", 4) == [
        "Wed 2025-01-01 09:00:00",
        "Thu 2025-01-02 09:00:00",
        "Fri 2025-01-03 09:00:00",
        "Mon 2025-01-06 09:00:00",
    ]


def test_weekday_range_ending_on_seven_includes_sunday():
    assert _fires("0 9 * * 5-7", 3) == [
        "Fri 2025-01-03 09:00:00",
        "Sat 2025-01-04 09:00:00",
        "Sun 2025-01-05 09:00:00",
    ]


def test_weekday_step_counts_from_sunday():
    # */2 over 0-6 is Sunday, Tuesday, Thursday, Saturday.
    assert _fires("0 9 * * */2", 4) == [
        "Thu 2025-01-02 09:00:00",
        "Sat 2025-01-04 09:00:00",
        "Sun 2025-01-05 09:00:00",
        "Tue 2025-01-07 09:00:00",
    ]


def test_both_day_fields_fire_on_either():
    # crontab: the 15th of the month or any Monday.
    assert _fires("0 7 15 * 1", 4) == [
        "Mon 2025-01-06 07:00:00",
        "Mon 2025-01-13 07:00:00",
        "Wed 2025-01-15 07:00:00",
        "Mon 2025-01-20 07:00:00",
    ]


def test_monthly_on_first_day():
    assert _fires("0 6 1 * *", 2) == ["Wed 2025-01-01 06:00:00", "Sat 2025-02-01 06:00:00"]


@pytest.mark.parametrize(
    ("shorthand", "first"),
    [
        ("@daily", "Thu 2025-01-02 00:00:00"),
        ("@weekly", "Sun 2025-01-05 00:00:00"),
        ("@monthly", "Sat 2025-02-01 00:00:00"),
        ("@hourly", "Wed 2025-01-01 01:00:00"),
    ],
)
def test_shorthands(shorthand, first):
    assert _fires(shorthand, 1) == [first]


def test_leading_seconds_field():
    assert _fires("*/20 * * * * *", 3) == [
        "Wed 2025-01-01 00:00:40",
        "Wed 2025-01-01 00:01:00",
        "Wed 2025-01-01 00:01:20",
    ]


def test_expression_in_a_time_zone():
    trigger = parse_cron("0 9 * * *", "Europe/Berlin")
    (fire,) = next_fire_times(trigger, START, 1)
    assert fire.astimezone(UTC).strftime("%Y-%m-%d %H:%M") == "2025-01-01 08:00"


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "daily",
        "* * * *",
        "* * * * * * *",
        "61 * * * *",
        "0 25 * * *",
        "0 8 * * 8",
        "0 8 * * mon-fry",
        "0 8 * * 5-1",
    ],
)
def test_invalid_expression_is_rejected(expression):
    with pytest.raises(InvalidInputError) as caught:
        parse_cron(expression, UTC)
    assert "Invalid cron expression" in str(caught.value)
    assert repr(expression) in str(caught.value)
