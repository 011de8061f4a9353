"""The registry defines every figure of the result once, with its formula and inputs."""

from __future__ import annotations

from analytics.metrics import REGISTRY
from analytics.metrics.registry import UNIT_CURRENCY, UNIT_PERCENT


def test_retention_rate_formula_and_inputs():
    crr = REGISTRY["crr"]
    assert crr.formula == "(E - N) / S × 100"
    assert crr.inputs == ("S", "E", "N")
    assert crr.unit == UNIT_PERCENT


def test_every_input_is_itself_defined():
    for definition in REGISTRY.values():
        for name in definition.inputs:
            assert name in REGISTRY, (definition.name, name)


def test_every_figure_of_the_result_is_defined(events):
    events.purchase("a", "2024-01-10", 10).purchase("a", "2024-02-10", 10)
    result = events.metrics(window="period")
    descriptive = {"period", "start", "end", "complete", "measured_on"}
    for name in set(result["periods"][0]) - descriptive:
        assert name in REGISTRY, name
    clv_parts = {
        "apv",
        "net_revenue",
        "paid_purchases",
        "paying_customers",
        "window_years",
        "frequency_per_year",
        "pooled_churn",
        "lifespan_years",
        "clv",
    }
    assert clv_parts <= set(result["clv"])
    assert clv_parts <= set(REGISTRY)


def test_money_metrics_are_in_currency():
    for name in ("revenue", "refunds", "apv", "clv", "average_order_value"):
        assert REGISTRY[name].unit == UNIT_CURRENCY
