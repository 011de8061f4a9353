"""The view filters and their form in the URL."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.filters import (
    Filters,
    default_filters,
    filters_from_query,
    filters_to_query,
    normalize_window,
    window_choices,
)

DEFAULTS = Filters(grain="month", window="auto")


def test_query_round_trip_keeps_every_filter():
    filters = Filters(
        grain="quarter",
        window="30D",
        date_from=date(1997, 1, 1),
        date_to=date(1997, 12, 31),
        segment="channel",
        segment_value="email",
    )

    params = filters_to_query(filters)
    restored, problems = filters_from_query(params, DEFAULTS)

    assert restored == filters
    assert problems == []


def test_query_parameter_names():
    filters = Filters(grain="week", window="period", date_from=date(2024, 2, 1), segment="plan")

    params = filters_to_query(filters)

    assert params == {"grain": "week", "window": "period", "from": "2024-02-01", "segment": "plan"}


def test_empty_query_gives_the_defaults():
    filters, problems = filters_from_query({}, Filters(grain="quarter", window="period"))

    assert filters == Filters(grain="quarter", window="period")
    assert problems == []


@pytest.mark.parametrize(
    ("params", "expected_word"),
    [
        ({"grain": "fortnight"}, "grain"),
        ({"window": "ninety"}, "window"),
        ({"window": "0D"}, "window"),
        ({"from": "1997-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
    ],
    ids=["grain", "window-word", "window-zero-days", "from-month-13", "to-word"],
)
def test_invalid_parameter_ignored_with_message(params, expected_word):
    filters, problems = filters_from_query(params, DEFAULTS)

    assert filters == DEFAULTS
    assert len(problems) == 1
    assert expected_word in problems[0]
    assert list(params.values())[0] in problems[0]


def test_reversed_date_range_is_ignored():
    filters, problems = filters_from_query({"from": "1998-01-01", "to": "1997-01-01"}, DEFAULTS)

    assert filters.date_from is None
    assert filters.date_to is None
    assert "after the end" in problems[0]


def test_segment_value_needs_attribute():
    filters, _ = filters_from_query({"value": "email"}, DEFAULTS)

    assert filters.segment is None
    assert filters.segment_value is None


def test_window_canonical_form():
    assert normalize_window("90d") == "90D"
    assert normalize_window(" Period ") == "period"
    assert normalize_window("weekly") is None


def test_unknown_configured_defaults_fall_back():
    assert default_filters("fortnight", "soon") == Filters(grain="month", window="auto")


def test_custom_window_added_to_choices():
    assert window_choices("45D")[-1] == "45D"
    assert window_choices("90D").count("90D") == 1
