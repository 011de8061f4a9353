"""CLV = average purchase value x purchase frequency x customer lifespan."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.metrics.clv import (
    REASON_NO_CHURN,
    REASON_NO_COMPLETE_PERIOD,
    REASON_NO_PAID_PURCHASE,
    ClvInputs,
    average_purchase_value,
    clv_summary,
    customer_lifetime_value,
    lifespan_from_churn,
    pooled_churn,
    purchase_frequency_per_year,
)


def test_worked_example_is_two_thousand():
    # APV $100, 5 purchases a year, 4 years.
    assert customer_lifetime_value(100.0, 5.0, 4.0) == pytest.approx(2000.0)


def test_gross_margin_multiplies_clv():
    assert customer_lifetime_value(100.0, 5.0, 4.0, gross_margin=0.3) == pytest.approx(600.0)


def test_average_purchase_value_is_undefined_without_purchases():
    assert average_purchase_value(0.0, 0) is None
    assert average_purchase_value(200.0, 5) == 40.0
    assert average_purchase_value(0.0, 2) == 0.0


def test_purchase_frequency_per_year():
    assert purchase_frequency_per_year(5, 3, 366 / 365.25) == pytest.approx(1.6633, abs=1e-4)
    assert purchase_frequency_per_year(0, 0, 1.0) is None


def test_pooled_churn_skips_incomplete_periods():
    periods = [(0, 0, True), (4, 0, True), (4, 2, False), (10, 3, True)]
    churn, pooled = pooled_churn(periods)
    assert churn == pytest.approx(3 / 14)
    assert pooled == 2


def test_pooled_churn_is_undefined_without_qualifying_period():
    assert pooled_churn([(0, 0, True), (5, 5, False)]) == (None, 0)


def test_lifespan_is_inverse_churn_times_period_length():
    assert lifespan_from_churn(0.25, 1 / 12) == pytest.approx(1 / 3)
    assert lifespan_from_churn(1.0, 1.0) == 1.0
    assert lifespan_from_churn(0.0, 1 / 12) is None
    assert lifespan_from_churn(None, 1 / 12) is None


def summary(inputs: ClvInputs, periods, **options) -> dict:
    return clv_summary(inputs, date(2024, 1, 1), date(2024, 12, 31), periods, 1 / 12, **options)


def test_summary_estimates_clv_from_pooled_churn():
    result = summary(ClvInputs(1200.0, 12, 4), [(0, 0, True), (4, 1, True)])
    assert result["window_days"] == 366
    assert result["apv"] == 100.0
    assert result["frequency_per_year"] == pytest.approx(12 / 4 / (366 / 365.25))
    assert result["pooled_churn"] == 25.0
    assert result["lifespan_years"] == pytest.approx(1 / 3)
    assert result["lifespan_source"] == "computed"
    assert result["clv"] == pytest.approx(100 * 3 / (366 / 365.25) / 3)
    assert (result["estimable"], result["reason"]) == (True, None)


def test_summary_without_churn_is_not_estimable():
    result = summary(ClvInputs(100.0, 10, 2), [(2, 0, True), (2, 0, True)])
    assert result["pooled_churn"] == 0.0
    assert (result["clv"], result["estimable"], result["reason"]) == (None, False, REASON_NO_CHURN)
    assert result["apv"] == 10.0
    assert result["frequency_per_year"] is not None


def test_summary_without_complete_period_is_not_estimable():
    result = summary(ClvInputs(100.0, 10, 2), [(0, 0, True), (3, 1, False)])
    assert result["pooled_churn"] is None
    assert result["reason"] == REASON_NO_COMPLETE_PERIOD


def test_summary_without_paid_purchase_is_not_estimable():
    result = summary(ClvInputs(0.0, 0, 0), [(4, 1, True)])
    assert (result["apv"], result["frequency_per_year"], result["clv"]) == (None, None, None)
    assert result["lifespan_years"] == pytest.approx(1 / 3)
    assert result["reason"] == REASON_NO_PAID_PURCHASE


def test_given_lifespan_replaces_the_computed_one():
    result = summary(ClvInputs(100.0, 10, 2), [(2, 0, True)], lifespan_years=3.0)
    assert (result["lifespan_years"], result["lifespan_source"]) == (3.0, "given")
    assert result["estimable"] is True


def test_zero_net_revenue_gives_zero_clv():
    result = summary(ClvInputs(0.0, 2, 1), [(1, 1, True)])
    assert result["clv"] == 0.0
    assert result["estimable"] is True
