"""Options are checked at the boundary, with the valid values in each message."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.errors import InvalidInputError
from analytics.metrics.options import (
    ActivityWindow,
    MetricOptions,
    normalize_window,
    resolve_window,
    validate_options,
)


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("auto", "auto"),
        ("Period", "period"),
        ("subscription", "subscription"),
        ("90D", "90D"),
        ("30d", "30D"),
        (" 7D ", "7D"),
    ],
)
def test_window_is_normalized(given, canonical):
    assert normalize_window(given) == canonical


@pytest.mark.parametrize("window", ["0D", "D", "90", "weekly", "-5D", "9X"])
def test_invalid_window_lists_valid_ones(window):
    with pytest.raises(InvalidInputError, match="Valid windows: auto, period, subscription"):
        normalize_window(window)


def test_invalid_grain_lists_valid_ones():
    with pytest.raises(InvalidInputError, match="Valid grains: day, week, month, quarter, year"):
        validate_options(MetricOptions(grain="decade"))


def test_dates_are_parsed_from_text():
    options = validate_options(MetricOptions(date_from="2024-01-01", as_of=date(2024, 3, 1)))
    assert (options.date_from, options.date_to, options.as_of) == (
        date(2024, 1, 1),
        None,
        date(2024, 3, 1),
    )


def test_invalid_date_names_the_option():
    with pytest.raises(InvalidInputError, match="Invalid --as-of date '31/01/2024'"):
        validate_options(MetricOptions(as_of="31/01/2024"))


def test_from_after_to_is_rejected():
    with pytest.raises(InvalidInputError, match="after the --to date"):
        validate_options(MetricOptions(date_from="2024-03-01", date_to="2024-02-01"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gross_margin", 1.5),
        ("gross_margin", 0),
        ("lifespan_years", -1),
        ("lifespan_years", "x"),
        ("lifespan_years", float("inf")),
    ],
)
def test_invalid_clv_settings_are_rejected(field, value):
    with pytest.raises(InvalidInputError):
        validate_options(MetricOptions(**{field: value}))


def test_auto_window_follows_the_data():
    assert resolve_window("auto", has_subscription_events=True) == ActivityWindow("subscription")
    assert resolve_window("auto", has_subscription_events=False) == ActivityWindow(
        "transactional", 90
    )
    assert resolve_window("45D", has_subscription_events=True).label == "45D"
    assert resolve_window("period", has_subscription_events=True).label == "period"


@pytest.mark.parametrize(
    ("field", "value", "option"),
    [
        ("date_to", "9999-12-31", "--to"),
        ("date_from", "0001-01-01", "--from"),
        ("as_of", "1899-12-31", "--as-of"),
        ("date_to", date(2200, 1, 1), "--to"),
    ],
)
def test_dates_outside_supported_range_rejected(field, value, option):
    with pytest.raises(InvalidInputError) as caught:
        validate_options(MetricOptions(**{field: value}))

    assert f"Invalid {option} date" in str(caught.value)
    assert "1900-01-01 to 2199-12-31" in str(caught.value)


def test_dates_at_range_ends_accepted():
    options = validate_options(MetricOptions(date_from="1900-01-01", date_to="2199-12-31"))

    assert options.date_from == date(1900, 1, 1)
    assert options.date_to == date(2199, 12, 31)


def test_window_longer_than_ten_years_rejected():
    assert normalize_window("3660D") == "3660D"
    with pytest.raises(InvalidInputError, match="from 1 to 3,660"):
        normalize_window("3661D")
    with pytest.raises(InvalidInputError, match="from 1 to 3,660"):
        normalize_window("99999999999D")


def test_lifespan_over_a_century_rejected():
    assert validate_options(MetricOptions(lifespan_years=100)).lifespan_years == 100
    with pytest.raises(InvalidInputError, match="at most 100 years"):
        validate_options(MetricOptions(lifespan_years=1e308))
