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
