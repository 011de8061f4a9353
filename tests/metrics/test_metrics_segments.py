"""Segments: every metric split by the attribute on each customer's first activity."""

from __future__ import annotations

import pytest
from metrics_support import period, segment

from analytics.errors import InvalidInputError
from analytics.metrics import valid_segment_attributes


@pytest.fixture
def channels(events):
    """Customers whose segment values are ads, partner, seo and None.

    a's first paid purchase came by ads. b's first activity is a subscription start by a
    partner. c never pays, so its first event (a signup by seo) decides. d has no channel.
    """
    events.add("a", "2024-01-02", "signup", channel="seo")
    events.purchase("a", "2024-01-10", 10, channel="ads")
    events.purchase("a", "2024-02-05", 30, channel="email")
    events.add("b", "2024-01-03", "signup", channel="seo")
    events.start("b", "2024-01-05", channel="partner")
    events.purchase("b", "2024-01-20", 20, channel="ads")
    events.add("c", "2024-01-03", "signup", channel="seo")
    events.purchase("c", "2024-01-15", 0, channel="web")
    events.purchase("d", "2024-02-01", 5)
    return events


def test_segment_value_comes_from_first_activity(channels):
    result = channels.metrics(window="period", segment="channel")
    assert result["segment"] == "channel"
    assert [part["value"] for part in result["segments"]] == ["ads", "partner", "seo", None]
    assert [part["customers"] for part in result["segments"]] == [1, 1, 1, 1]

    ads = segment(result, "ads")
    assert [p["E"] for p in ads["periods"]] == [1, 1]
    assert [p["revenue"] for p in ads["periods"]] == [10.0, 30.0]
    assert ads["clv"]["paying_customers"] == 1

    partner = segment(result, "partner")
    assert period(partner, "2024-01")["revenue"] == 20.0

    seo = segment(result, "seo")
    assert [p["E"] for p in seo["periods"]] == [0, 0]
    assert period(seo, "2024-01")["free_orders"] == 1
    assert seo["cohorts"] == []
    assert seo["clv"]["estimable"] is False

    unknown = segment(result, None)
    assert period(unknown, "2024-02")["revenue"] == 5.0


def test_same_instant_tie_goes_to_earlier_line(events):
    # a's rows are stored in line order, b's in reverse: the lower line decides both.
    instant = "2024-01-10T09:00:00Z"
    events.add("a", instant, "purchase", 5, line=30, channel="x")
    events.add("a", instant, "purchase", 5, line=90, channel="y")
    events.add("b", instant, "purchase", 5, line=91, channel="x")
    events.add("b", instant, "purchase", 5, line=31, channel="y")
    result = events.metrics(window="period", segment="channel")
    assert [(part["value"], part["customers"]) for part in result["segments"]] == [
        ("x", 1),
        ("y", 1),
    ]
    assert segment(result, "x")["clv"]["net_revenue"] == 10.0


def test_segments_add_up_to_the_totals(channels):
    result = channels.metrics(window="period", segment="channel")
    for index, entry in enumerate(result["periods"]):
        for name in ("S", "E", "N", "retained", "churned", "paid_purchases", "free_orders"):
            assert sum(part["periods"][index][name] for part in result["segments"]) == entry[name]
    assert sum(part["customers"] for part in result["segments"]) == result["customers"] == 4


def test_segment_split_under_subscription_model(channels):
    result = channels.metrics(window="auto", segment="channel")
    assert result["model"] == "subscription"
    partner = segment(result, "partner")
    assert [p["E"] for p in partner["periods"]] == [1, 1]
    assert partner["cohorts"][0]["size"] == 1


def test_unknown_segment_attribute_lists_valid_ones(channels):
    channels.purchase("e", "2024-02-02", 1, country="DE")
    with pytest.raises(InvalidInputError) as raised:
        channels.metrics(segment="plan")
    assert "Unknown segment attribute 'plan'" in str(raised.value)
    assert "channel, country" in str(raised.value)


def test_valid_segment_attributes_are_sorted_names(channels):
    channels.purchase("e", "2024-02-02", 1, country="DE", campaign="spring")
    assert valid_segment_attributes(channels.connection) == ["campaign", "channel", "country"]


def test_attribute_with_too_many_values_is_rejected(events, monkeypatch):
    monkeypatch.setattr("analytics.metrics.segments.MAX_SEGMENT_VALUES", 2)
    for number in range(3):
        events.purchase(f"c{number}", "2024-01-10", 1, note=f"order {number}")
    with pytest.raises(InvalidInputError, match="'note' has 3 distinct values"):
        events.metrics(segment="note")
