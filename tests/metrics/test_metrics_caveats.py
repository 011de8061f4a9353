"""Limits and caveats: a cohort table truncated to its latest cohorts, the subscription
model on purchase data, and an as-of date far after the data."""

from __future__ import annotations

import pytest
from metrics_support import cohort_triangle, period, retention_table

from analytics.errors import InvalidInputError
from analytics.metrics import cohorts as cohorts_module
from analytics.metrics import retention as retention_module
from analytics.metrics.text import render_text


def four_days(events):
    """Four customers over 1-4 January 2024, one purchase of 10.00 per row.

    a buys on days 1, 2 and 4; b on 2 and 3; d on 3 and 4; c on 4. With the period
    window (grain day) the cohorts are 01-01 {a}, 01-02 {b}, 01-03 {d}, 01-04 {c}, and
    the whole triangle is 01-01 [1, 1, 0, 1], 01-02 [1, 1, 0], 01-03 [1, 1], 01-04 [1]:
    4 x 4 = 16 counters without a segment.
    """
    for customer, days in {"a": (1, 2, 4), "b": (2, 3), "d": (3, 4), "c": (4,)}.items():
        for day in days:
            events.purchase(customer, f"2024-01-0{day}", 10.0, channel="web")
    return events


def codes(result: dict) -> list[str]:
    return [warning["code"] for warning in result["warnings"]]


def test_cohorts_keep_latest_that_fit(events, monkeypatch):
    monkeypatch.setattr(cohorts_module, "MAX_COHORT_COUNTERS", 9)  # 3 x 3 fit, 4 x 4 do not
    result = four_days(events).metrics(grain="day", window="period")

    assert cohort_triangle(result) == {
        "2024-01-02": [1, 1, 0],
        "2024-01-03": [1, 1],
        "2024-01-04": [1],
    }
    assert result["cohorts_truncated"] is True
    assert codes(result) == ["cohorts_truncated"]
    message = result["warnings"][0]["message"]
    assert "only the latest 3 of the 4 day cohorts, from 2024-01-02 on" in message
    assert "16 counters, over the limit of 9" in message
    assert "--grain" not in message


def test_cohort_truncation_keeps_other_figures(events, monkeypatch):
    monkeypatch.setattr(cohorts_module, "MAX_COHORT_COUNTERS", 1)
    result = four_days(events).metrics(grain="day", window="period")

    # (S, E, N, new_first_time, returning, retained, churned), worked out from the log.
    assert retention_table(result) == {
        "2024-01-01": (0, 1, 1, 1, 0, 0, 0),
        "2024-01-02": (1, 2, 1, 1, 0, 1, 0),
        "2024-01-03": (2, 2, 1, 1, 0, 1, 1),
        "2024-01-04": (2, 3, 2, 1, 1, 1, 1),
    }
    assert period(result, "2024-01-04")["crr"] == pytest.approx(50.0)
    assert [row["revenue"] for row in result["periods"]] == [10.0, 20.0, 20.0, 30.0]
    assert result["clv"]["paid_purchases"] == 8
    assert result["clv"]["apv"] == pytest.approx(10.0)
    assert cohort_triangle(result) == {"2024-01-04": [1]}
    message = result["warnings"][0]["message"]
    assert "only the latest of the 4 day cohorts (2024-01-04)" in message


def test_cohorts_left_out_when_none_fit(events, monkeypatch):
    monkeypatch.setattr(cohorts_module, "MAX_COHORT_COUNTERS", 1)
    four_days(events).purchase("e", "2024-01-04", 10.0, channel="app")
    result = events.metrics(grain="day", window="period", segment="channel")

    assert result["cohorts"] == []
    assert all(segment["cohorts"] == [] for segment in result["segments"])
    assert result["cohorts_truncated"] is True
    assert "The cohort table is left out" in result["warnings"][0]["message"]
    assert [row["E"] for row in result["periods"]] == [1, 2, 2, 4]


def test_segmented_cohorts_truncate_together(events, monkeypatch):
    # Two segment values: 2 x 2 x 2 = 8 counters fit in 9, 2 x 3 x 3 = 18 do not.
    monkeypatch.setattr(cohorts_module, "MAX_COHORT_COUNTERS", 9)
    four_days(events).purchase("e", "2024-01-03", 10.0, channel="app")
    result = events.metrics(grain="day", window="period", segment="channel")

    assert cohort_triangle(result) == {"2024-01-03": [2, 1], "2024-01-04": [1]}
    by_value = {segment["value"]: segment for segment in result["segments"]}
    assert cohort_triangle(by_value["app"]) == {"2024-01-03": [1, 0]}
    assert cohort_triangle(by_value["web"]) == {"2024-01-03": [1, 1], "2024-01-04": [1]}
    assert "latest 2 of the 4 day cohorts" in result["warnings"][0]["message"]


def test_full_triangle_has_no_warning(events):
    result = four_days(events).metrics(grain="day", window="period")

    assert cohort_triangle(result) == {
        "2024-01-01": [1, 1, 0, 1],
        "2024-01-02": [1, 1, 0],
        "2024-01-03": [1, 1],
        "2024-01-04": [1],
    }
    assert result["cohorts_truncated"] is False
    assert result["warnings"] == []


def test_too_many_segment_periods_are_rejected(events, monkeypatch):
    monkeypatch.setattr(retention_module, "MAX_SEGMENT_PERIODS", 7)
    four_days(events).purchase("e", "2024-01-03", 10.0, channel="app")

    with pytest.raises(InvalidInputError) as raised:
        events.metrics(grain="day", window="period", segment="channel")
    message = str(raised.value)
    assert "Splitting 4 day periods by 2 segment values gives 8 rows" in message
    assert "coarser grain" in message


def test_subscription_model_without_subscriptions_warns(events):
    events.purchase("a", "2024-01-10").purchase("a", "2024-02-10").purchase("b", "2024-02-11")
    result = events.metrics(window="subscription")

    assert [row["E"] for row in result["periods"]] == [0, 0]
    assert [row["crr"] for row in result["periods"]] == [None, None]
    assert codes(result) == ["no_subscription_events"]
    assert "no subscription events" in result["warnings"][0]["message"]


def test_subscription_model_with_subscriptions_has_no_warning(events):
    events.start("a", "2024-01-10").purchase("b", "2024-01-11")
    result = events.metrics(window="subscription")

    assert result["warnings"] == []


def test_auto_window_on_purchases_has_no_warning(events):
    events.purchase("a", "2024-01-10")

    assert events.metrics(window="auto")["warnings"] == []


def test_as_of_far_after_data_is_rejected(events):
    events.purchase("a", "2024-01-10")

    with pytest.raises(InvalidInputError) as raised:
        events.metrics(as_of="2099-01-01")
    message = str(raised.value)
    # 2024-01-10 to 2099-01-10 is 75 x 365 days + 19 leap days (29 February 2024 to 2096),
    # less the 9 days from 1 to 10 January: 27,385.
    assert "27,385 days after the last event (2024-01-10)" in message
    assert "on or before 2025-01-10" in message


def test_as_of_a_year_after_data_is_accepted(events):
    events.purchase("a", "2024-01-10")
    result = events.metrics(as_of="2025-01-10")  # 366 days later: 2024 is a leap year

    assert result["as_of"] == "2025-01-10"
    assert result["periods"][-1]["period"] == "2025-01"


def test_as_of_one_day_too_late_is_rejected(events):
    events.purchase("a", "2024-01-10")

    with pytest.raises(InvalidInputError, match="367 days after the last event"):
        events.metrics(as_of="2025-01-11")


def test_empty_date_range_message_names_the_range(events):
    events.purchase("a", "2024-01-10")

    with pytest.raises(InvalidInputError) as raised:
        events.metrics(date_from="2030-01-01")
    message = str(raised.value)
    assert "the date range from 2030-01-01 on lies outside the events" in message
    assert "not set" not in message


def test_text_shows_warnings_and_singular_counts(events):
    events.purchase("a", "2024-01-10")
    text = render_text(events.metrics(window="subscription"))

    assert "Warning: The data has no subscription events" in text
    assert "1 customer;" in text
    assert "(1 day, " in text  # the CLV window is 2024-01-10 alone
    assert "over 0 complete periods" in text


def test_text_explains_a_cohort_table_left_out(events, monkeypatch):
    monkeypatch.setattr(cohorts_module, "MAX_COHORT_COUNTERS", 0)
    text = render_text(four_days(events).metrics(grain="day", window="period"))

    assert "Warning: The cohort table is left out" in text
    assert "No cohort shown: the cohort table was truncated" in text
    assert "no customer was active" not in text


def test_stored_date_outside_range_is_explained(events):
    # Written directly, as by an older version or another tool: imports reject such rows.
    events.purchase("c1", "2024-01-05").purchase("c2", "9999-12-31")

    with pytest.raises(InvalidInputError) as caught:
        events.metrics(grain="month", window="period")

    assert "9999-12-31" in str(caught.value)
    assert "growthlens imports --remove" in str(caught.value)


@pytest.mark.parametrize("timezone", ["America/Los_Angeles", "Pacific/Kiritimati"])
def test_range_ends_work_in_any_reporting_zone(events, timezone):
    # Both instants pass the import's UTC check, but their local dates fall one day
    # outside the range in these zones (1899-12-31 in Los Angeles, 2200-01-01 in Kiritimati).
    events.purchase("c1", "1900-01-01T00:00:00Z").purchase("c2", "2199-12-31T23:00:00Z")

    result = events.metrics(grain="year", window="period", timezone=timezone)

    assert sum(period["E"] for period in result["periods"]) == 2
