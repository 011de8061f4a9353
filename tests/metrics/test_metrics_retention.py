"""Tiny event logs with S, E, N, new, returning, retained, churned and the cohort triangle
worked out by hand, for each activity model and for week, month and quarter grains.

Rows of the expected tables: (S, E, N, new_first_time, returning, retained, churned).
"""

from __future__ import annotations

import pytest
from metrics_support import cohort_triangle, period, retention_table


@pytest.fixture
def monthly_buyers(events):
    """a buys in Jan, Feb, Apr; b in Jan, Mar; c in Feb, Mar; d only has a free order."""
    events.add("d", "2024-01-02", "signup")
    events.purchase("a", "2024-01-10", 10).purchase("b", "2024-01-20", 20)
    events.purchase("a", "2024-02-05", 10).purchase("c", "2024-02-28", 5)
    events.purchase("c", "2024-03-01", 5).purchase("d", "2024-03-10", 0)
    events.purchase("b", "2024-03-15", 20).purchase("a", "2024-04-01", 10)
    return events


def test_period_window_by_month(monthly_buyers):
    result = monthly_buyers.metrics(grain="month", window="period")
    assert (result["model"], result["window"]) == ("transactional", "period")
    assert result["as_of"] == "2024-04-01"
    assert retention_table(result) == {
        "2024-01": (0, 2, 2, 2, 0, 0, 0),
        "2024-02": (2, 2, 1, 1, 0, 1, 1),
        "2024-03": (2, 2, 1, 0, 1, 1, 1),
        "2024-04": (2, 1, 1, 0, 1, 0, 2),
    }
    assert cohort_triangle(result) == {"2024-01": [2, 1, 1, 1], "2024-02": [1, 1, 0]}
    assert [p["complete"] for p in result["periods"]] == [True, True, True, False]
    assert [p["revenue"] for p in result["periods"]] == [30.0, 15.0, 25.0, 10.0]
    assert [p["free_orders"] for p in result["periods"]] == [0, 0, 1, 0]
    assert result["customers"] == 4


def test_period_window_rates(monthly_buyers):
    result = monthly_buyers.metrics(grain="month", window="period")
    january, february, _, april = result["periods"]
    assert january["crr"] is None
    assert january["churn_rate"] is None
    assert february["crr"] == 50.0
    assert february["churn_rate"] == 50.0
    assert april["crr"] == 0.0
    assert april["churn_rate"] == 100.0
    second_cohort = result["cohorts"][1]
    assert [cell["rate"] for cell in second_cohort["cells"]] == [100.0, 100.0, 0.0]
    assert [cell["complete"] for cell in second_cohort["cells"]] == [True, True, False]


def test_period_window_by_iso_week(events):
    events.purchase("a", "2024-01-01").purchase("a", "2024-01-07").purchase("a", "2024-01-08")
    events.purchase("b", "2024-01-14").purchase("c", "2024-01-17").purchase("a", "2024-01-25")
    result = events.metrics(grain="week", window="period")
    assert retention_table(result) == {
        "2024-W01": (0, 1, 1, 1, 0, 0, 0),
        "2024-W02": (1, 2, 1, 1, 0, 1, 0),
        "2024-W03": (2, 1, 1, 1, 0, 0, 2),
        "2024-W04": (1, 1, 1, 0, 1, 0, 1),
    }
    assert cohort_triangle(result) == {
        "2024-W01": [1, 1, 0, 1],
        "2024-W02": [1, 0, 0],
        "2024-W03": [1, 0],
    }
    w01 = period(result, "2024-W01")
    assert (w01["start"], w01["end"], w01["paid_purchases"]) == ("2024-01-01", "2024-01-07", 2)
    assert period(result, "2024-W04")["complete"] is False


def test_period_window_by_quarter(events):
    events.purchase("a", "2023-11-15").purchase("a", "2024-02-10").purchase("b", "2024-01-05")
    events.purchase("c", "2024-05-20").purchase("b", "2024-07-01")
    result = events.metrics(grain="quarter", window="period")
    assert retention_table(result) == {
        "2023-Q4": (0, 1, 1, 1, 0, 0, 0),
        "2024-Q1": (1, 2, 1, 1, 0, 1, 0),
        "2024-Q2": (2, 1, 1, 1, 0, 0, 2),
        "2024-Q3": (1, 1, 1, 0, 1, 0, 1),
    }
    assert cohort_triangle(result) == {
        "2023-Q4": [1, 1, 0, 0],
        "2024-Q1": [1, 0, 1],
        "2024-Q2": [1, 0],
    }
    q3 = period(result, "2024-Q3")
    assert (q3["start"], q3["end"], q3["complete"]) == ("2024-07-01", "2024-09-30", False)


def test_days_window_counts_purchases_within_n_days(events):
    # The February window is (Jan 30, Feb 29]: d's purchase on Jan 30 falls just outside.
    events.purchase("a", "2024-01-10").purchase("b", "2024-01-31").purchase("d", "2024-01-30")
    events.purchase("c", "2024-02-15").purchase("b", "2024-03-25")
    result = events.metrics(grain="month", window="30D")
    assert result["window"] == "30D"
    assert retention_table(result) == {
        "2024-01": (0, 3, 3, 3, 0, 0, 0),
        "2024-02": (3, 2, 1, 1, 0, 1, 2),
        "2024-03": (2, 1, 0, 0, 0, 1, 1),
    }
    assert cohort_triangle(result) == {"2024-01": [3, 1, 1], "2024-02": [1, 0]}
    # March is incomplete, so its window ends on the as-of date: (Feb 24, Mar 25].
    assert period(result, "2024-03")["measured_on"] == "2024-03-25"


def test_long_days_window_carries_customers(events):
    events.purchase("a", "2024-01-10").purchase("b", "2024-02-20").purchase("a", "2024-05-02")
    result = events.metrics(grain="month", window="60D", as_of="2024-05-31")
    # a: Jan 10 counts through Mar 9 (Jan, Feb ends); b: Feb 20 counts through Apr 19.
    assert retention_table(result) == {
        "2024-01": (0, 1, 1, 1, 0, 0, 0),
        "2024-02": (1, 2, 1, 1, 0, 1, 0),
        "2024-03": (2, 1, 0, 0, 0, 1, 1),
        "2024-04": (1, 0, 0, 0, 0, 0, 1),
        "2024-05": (0, 1, 1, 0, 1, 0, 0),
    }
    assert cohort_triangle(result) == {"2024-01": [1, 1, 0, 0, 1], "2024-02": [1, 1, 0, 0]}


def test_short_days_window_misses_early_buyer(events):
    # A purchase on Jan 5 is 86 days before the end of Q1, outside a 30-day window.
    events.purchase("a", "2024-01-05").purchase("b", "2024-03-20").purchase("a", "2024-06-20")
    result = events.metrics(grain="quarter", window="30D")
    assert retention_table(result) == {
        "2024-Q1": (0, 1, 1, 1, 0, 0, 0),
        "2024-Q2": (1, 1, 1, 1, 0, 0, 1),
    }
    assert cohort_triangle(result) == {"2024-Q1": [1, 0], "2024-Q2": [1]}


@pytest.fixture
def subscribers(events):
    """Subscribers of January to March, and a buyer without a subscription.

    a runs from Jan 5 to Mar 10 and b from Jan 20. c starts and cancels in February. e
    cancels in February and starts again in March. f only buys.
    """
    events.start("a", "2024-01-05").start("b", "2024-01-20").start("e", "2024-01-25")
    events.purchase("f", "2024-02-01", 10).start("c", "2024-02-03").cancel("e", "2024-02-05")
    events.cancel("c", "2024-02-20").start("e", "2024-03-01").cancel("a", "2024-03-10")
    return events


@pytest.mark.parametrize("window", ["subscription", "auto"])
def test_subscription_model(subscribers, window):
    result = subscribers.metrics(grain="month", window=window, as_of="2024-03-31")
    assert (result["model"], result["window"]) == ("subscription", "subscription")
    assert retention_table(result) == {
        "2024-01": (0, 3, 3, 3, 0, 0, 0),
        "2024-02": (3, 2, 0, 0, 0, 2, 1),
        "2024-03": (2, 2, 1, 0, 1, 1, 1),
    }
    assert [p["joined_and_churned"] for p in result["periods"]] == [0, 1, 0]
    assert cohort_triangle(result) == {"2024-01": [3, 2, 2]}
    february = period(result, "2024-02")
    assert (february["revenue"], february["paid_purchases"]) == (10.0, 1)


def test_cancel_at_start_instant_keeps_subscription(events):
    events.start("a", "2024-01-10T10:00:00Z").cancel("a", "2024-01-10T10:00:00Z")
    events.start("b", "2024-01-10T10:00:00Z").cancel("b", "2024-01-10T10:00:01Z")
    result = events.metrics(grain="month", window="subscription")
    january = period(result, "2024-01")
    assert (january["E"], january["joined_and_churned"]) == (1, 1)


def test_subscription_restart_within_period(events):
    events.start("a", "2024-01-10").cancel("a", "2024-02-03").start("a", "2024-02-10")
    events.start("b", "2024-01-12").start("b", "2024-02-04").cancel("b", "2024-02-06")
    result = events.metrics(grain="month", window="subscription", as_of="2024-02-29")
    # b was in S and leaves in February: it churned, so it is not joined-and-churned.
    assert retention_table(result)["2024-02"] == (2, 1, 0, 0, 0, 1, 1)
    assert period(result, "2024-02")["joined_and_churned"] == 0


def test_auto_window_without_subscriptions_is_90_days(events):
    events.purchase("a", "2024-01-10").purchase("b", "2024-03-01")
    result = events.metrics(window="auto")
    assert (result["model"], result["window"]) == ("transactional", "90D")
    # a's purchase on Jan 10 is within 90 days of Mar 1, the as-of date.
    assert period(result, "2024-03")["E"] == 2


def test_transactional_model_ignores_subscriptions(subscribers):
    result = subscribers.metrics(grain="month", window="period", as_of="2024-03-31")
    assert [p["E"] for p in result["periods"]] == [0, 1, 0]
    assert [p["joined_and_churned"] for p in result["periods"]] == [0, 0, 0]


def test_day_grain_lists_empty_days(events):
    events.purchase("a", "2024-01-01").purchase("a", "2024-01-03")
    result = events.metrics(grain="day", window="period")
    assert retention_table(result) == {
        "2024-01-01": (0, 1, 1, 1, 0, 0, 0),
        "2024-01-02": (1, 0, 0, 0, 0, 0, 1),
        "2024-01-03": (0, 1, 1, 0, 1, 0, 0),
    }
    assert all(p["complete"] for p in result["periods"])
    assert cohort_triangle(result) == {"2024-01-01": [1, 0, 1]}


def test_year_grain_spans_many_words_of_periods(events):
    # 70 yearly periods need two 64-bit words per customer.
    events.purchase("a", "1960-06-01").purchase("a", "2029-06-01").purchase("b", "2028-01-01")
    result = events.metrics(grain="year", window="period")
    assert len(result["periods"]) == 70
    assert retention_table(result)["2029"] == (1, 1, 1, 0, 1, 0, 1)
    assert retention_table(result)["2028"] == (0, 1, 1, 1, 0, 0, 0)
    first = cohort_triangle(result)["1960"]
    assert (len(first), first[0], first[-1], sum(first)) == (70, 1, 1, 2)
