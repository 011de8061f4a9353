"""The result's shape, and the engine's behaviour on an empty store."""

from __future__ import annotations

import json
import math

import pytest

from analytics.errors import InvalidInputError

PERIOD_KEYS = {
    "period",
    "start",
    "end",
    "complete",
    "measured_on",
    "S",
    "E",
    "N",
    "new_first_time",
    "returning",
    "retained",
    "churned",
    "joined_and_churned",
    "crr",
    "churn_rate",
    "revenue",
    "paid_amount",
    "paid_purchases",
    "average_order_value",
    "free_orders",
    "refunds",
}
CLV_KEYS = {
    "apv",
    "net_revenue",
    "paid_purchases",
    "paying_customers",
    "window_from",
    "window_to",
    "window_days",
    "window_years",
    "frequency_per_year",
    "pooled_churn",
    "periods_pooled",
    "lifespan_years",
    "lifespan_source",
    "gross_margin",
    "clv",
    "estimable",
    "reason",
}


def test_empty_store_is_rejected_with_a_message(events):
    with pytest.raises(InvalidInputError, match="No events loaded"):
        events.metrics()


def test_result_has_the_documented_shape(events):
    events.purchase("a", "2024-01-10", 10, channel="web").purchase("a", "2024-02-10", 10)
    result = events.metrics(window="period", segment="channel")
    assert set(result) == {
        "grain",
        "window",
        "model",
        "timezone",
        "as_of",
        "from",
        "to",
        "first_event_date",
        "last_event_date",
        "currency",
        "cohorts_truncated",
        "warnings",
        "customers",
        "periods",
        "cohorts",
        "clv",
        "segment",
        "segments",
    }
    assert set(result["periods"][0]) == PERIOD_KEYS
    assert set(result["clv"]) == CLV_KEYS
    assert set(result["cohorts"][0]) == {"cohort", "size", "cells"}
    assert set(result["cohorts"][0]["cells"][0]) == {"offset", "active", "rate", "complete"}
    assert set(result["segments"][0]) == {"value", "customers", "periods", "cohorts", "clv"}
    assert result["currency"] == "USD"
    assert result["cohorts_truncated"] is False
    assert result["warnings"] == []


def test_result_holds_only_plain_json_values(events):
    events.purchase("a", "2024-01-10", 10.1).add("a", "2024-01-12", "refund", -0.1)
    result = events.metrics(window="period")
    text = json.dumps(result, allow_nan=False)
    assert json.loads(text) == result

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            assert value is None or type(value) in (int, float, str, bool), type(value)
            if isinstance(value, float):
                assert math.isfinite(value)

    walk(result)
    assert result["periods"][0]["revenue"] == 10.0
    assert result["periods"][0]["refunds"] == 0.1


def test_refund_of_either_sign_lowers_revenue(events):
    events.purchase("a", "2024-01-10", 100).add("a", "2024-01-11", "refund", -30)
    events.add("a", "2024-01-12", "refund", 20).purchase("a", "2024-01-13", -10)
    january = events.metrics(window="period")["periods"][0]
    assert (january["revenue"], january["refunds"], january["paid_purchases"]) == (40.0, 60.0, 1)
    assert january["paid_amount"] == 100.0
    assert january["average_order_value"] == 40.0


def test_connection_keeps_no_temporary_tables(events):
    events.purchase("a", "2024-01-10", 10, channel="web")
    events.metrics(segment="channel")
    tables = events.connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary"
    ).fetchall()
    assert tables == [(0,)]
