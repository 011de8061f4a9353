"""Reporting time zones, --from/--to and --as-of."""

from __future__ import annotations

import pytest
from metrics_support import cohort_triangle, period, retention_table

from analytics.errors import InvalidInputError


def test_reporting_zone_moves_event_into_next_month(events):
    # 23:30 UTC on Jan 31 is 00:30 on Feb 1 in Berlin.
    events.purchase("a", "2024-01-15T12:00:00Z", 10).purchase("a", "2024-01-31T23:30:00Z", 20)

    in_utc = events.metrics(window="period", timezone="UTC")
    assert [p["period"] for p in in_utc["periods"]] == ["2024-01"]
    assert in_utc["periods"][0]["revenue"] == 30.0
    assert in_utc["as_of"] == "2024-01-31"

    in_berlin = events.metrics(window="period", timezone="Europe/Berlin")
    assert in_berlin["as_of"] == "2024-02-01"
    assert in_berlin["timezone"] == "Europe/Berlin"
    assert retention_table(in_berlin) == {
        "2024-01": (0, 1, 1, 1, 0, 0, 0),
        "2024-02": (1, 1, 0, 0, 0, 1, 0),
    }
    assert [p["revenue"] for p in in_berlin["periods"]] == [10.0, 20.0]
    assert period(in_berlin, "2024-02")["complete"] is False


def test_reporting_zone_moves_event_into_previous_month(events):
    # 03:00 UTC on Mar 1 is 22:00 on Feb 29 in New York.
    events.purchase("a", "2024-02-10T12:00:00Z").purchase("b", "2024-03-01T03:00:00Z")
    result = events.metrics(window="period", timezone="America/New_York")
    assert [p["period"] for p in result["periods"]] == ["2024-02"]
    assert result["periods"][0]["E"] == 2
    assert result["clv"]["window_to"] == "2024-02-29"


def test_time_zone_name_is_matched_regardless_of_case(events):
    events.purchase("a", "2024-01-31T23:30:00Z")
    result = events.metrics(timezone="europe/berlin")
    assert result["timezone"] == "Europe/Berlin"
    assert result["as_of"] == "2024-02-01"


def test_unknown_time_zone_is_rejected(events):
    events.purchase("a", "2024-01-15")
    with pytest.raises(InvalidInputError, match="Unknown time zone 'Mars/Olympus'"):
        events.metrics(timezone="Mars/Olympus")


@pytest.fixture
def monthly_buyers(events):
    """The same log as in the retention tests: Jan {a, b}, Feb {a, c}, Mar {b, c}, Apr {a}."""
    events.add("d", "2024-01-02", "signup")
    events.purchase("a", "2024-01-10", 10).purchase("b", "2024-01-20", 20)
    events.purchase("a", "2024-02-05", 10).purchase("c", "2024-02-28", 5)
    events.purchase("c", "2024-03-01", 5).purchase("d", "2024-03-10", 0)
    events.purchase("b", "2024-03-15", 20).purchase("a", "2024-04-01", 10)
    return events


def test_from_and_to_narrow_periods_and_clv_window(monthly_buyers):
    result = monthly_buyers.metrics(window="period", date_from="2024-02-10", date_to="2024-03-20")
    # February's S still counts January's buyers; as-of stays at the last event.
    assert result["as_of"] == "2024-04-01"
    assert retention_table(result) == {
        "2024-02": (2, 2, 1, 1, 0, 1, 1),
        "2024-03": (2, 2, 1, 0, 1, 1, 1),
    }
    assert cohort_triangle(result) == {"2024-02": [1, 1]}
    assert (result["from"], result["to"]) == ("2024-02-10", "2024-03-20")

    clv = result["clv"]
    assert (clv["window_from"], clv["window_to"], clv["window_days"]) == (
        "2024-02-10",
        "2024-03-20",
        40,
    )
    # In the window: c on Feb 28 and Mar 1 (5 each), b on Mar 15 (20).
    assert (clv["paid_purchases"], clv["paying_customers"]) == (3, 2)
    assert clv["net_revenue"] == 30.0
    assert clv["apv"] == 10.0
    assert clv["frequency_per_year"] == pytest.approx(3 / 2 / (40 / 365.25))
    # Churn pooled over the listed complete months: (1 + 1) / (2 + 2).
    assert clv["pooled_churn"] == 50.0
    assert clv["lifespan_years"] == pytest.approx(2 / 12)
    assert clv["clv"] == pytest.approx(10 * (3 / 2 / (40 / 365.25)) * (2 / 12))


def test_as_of_ignores_later_events(monthly_buyers):
    result = monthly_buyers.metrics(window="period", as_of="2024-03-15")
    assert [p["period"] for p in result["periods"]] == ["2024-01", "2024-02", "2024-03"]
    march = period(result, "2024-03")
    assert (march["E"], march["revenue"], march["complete"]) == (2, 25.0, False)
    assert march["measured_on"] == "2024-03-15"
    assert result["last_event_date"] == "2024-03-15"
    clv = result["clv"]
    assert (clv["window_from"], clv["window_to"]) == ("2024-01-02", "2024-03-15")
    assert clv["pooled_churn"] == 50.0
    assert clv["periods_pooled"] == 1


def test_as_of_after_last_event_completes_the_period(monthly_buyers):
    result = monthly_buyers.metrics(window="period", as_of="2024-04-30")
    april = period(result, "2024-04")
    assert april["complete"] is True
    assert result["clv"]["window_to"] == "2024-04-01"
    # With April complete, its churn joins the pool: (1 + 1 + 2) / (2 + 2 + 2).
    assert result["clv"]["pooled_churn"] == pytest.approx(400 / 6)


def test_as_of_before_first_event_is_rejected(monthly_buyers):
    with pytest.raises(InvalidInputError, match="before the first event"):
        monthly_buyers.metrics(as_of="2023-12-31")


def test_range_without_periods_is_rejected(monthly_buyers):
    with pytest.raises(InvalidInputError, match="No period to report"):
        monthly_buyers.metrics(date_from="2024-06-01")


def test_gross_margin_scales_clv(monthly_buyers):
    plain = monthly_buyers.metrics(window="period", lifespan_years=2)["clv"]
    kept = monthly_buyers.metrics(window="period", lifespan_years=2, gross_margin=0.25)["clv"]
    assert plain["lifespan_source"] == "given"
    assert kept["clv"] == pytest.approx(plain["clv"] * 0.25)
    assert kept["gross_margin"] == 0.25
