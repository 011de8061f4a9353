"""Property tests: generated event logs, checked against invariants and a literal oracle."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metrics_reference import Event, period_start, reference_metrics
from metrics_support import RETENTION_FIELDS, EventLog

from analytics.errors import InvalidInputError

BASE = datetime(2024, 1, 20, tzinfo=UTC)
CUSTOMERS = ("c1", "c2", "c3", "c4")
# Days after BASE (2024-01-20) on or next to month ends and to one another 7 and 45 days
# apart, so that windows and period boundaries meet events and as-of dates exactly.
EDGE_DAYS = (0, 1, 7, 8, 11, 12, 19, 40, 41, 45, 46, 52, 53, 71, 72, 85, 86, 101, 102, 130)
EVENT_TYPES = (
    "purchase",
    "purchase",
    "purchase",
    "refund",
    "signup",
    "subscription_start",
    "subscription_start",
    "subscription_cancel",
    "subscription_cancel",
)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu")


@st.composite
def events(draw) -> list[Event]:
    count = draw(st.integers(min_value=1, max_value=20))
    generated = []
    for line in range(count):
        event_type = draw(st.sampled_from(EVENT_TYPES))
        if event_type == "purchase":
            amount = draw(st.sampled_from([0.0, 5.0, 12.5, 40.0, -3.25]))
        elif event_type == "refund":
            amount = draw(st.sampled_from([2.5, -2.5]))
        else:
            amount = 0.0
        offset = timedelta(
            days=draw(day_offsets(0, 130)),
            minutes=draw(st.sampled_from([0, 30, 600, 1410, 1439])),
        )
        customer = draw(st.sampled_from(CUSTOMERS))
        generated.append(
            Event(
                customer=customer,
                instant=BASE + offset,
                event_type=event_type,
                amount=amount,
                attribute=draw(st.sampled_from(["web", "ads", None])),
                line=2 * line,
            )
        )
        if draw(st.booleans()):
            # A follow-up subscription event of the same customer a few days later (or at
            # the same instant), which builds restarts, short subscriptions and ties.
            generated.append(
                Event(
                    customer=customer,
                    instant=BASE + offset + timedelta(days=draw(st.sampled_from([0, 1, 3, 9]))),
                    event_type=draw(st.sampled_from(["subscription_start", "subscription_cancel"])),
                    amount=0.0,
                    attribute=draw(st.sampled_from(["web", "ads", None])),
                    line=2 * line + 1,
                )
            )
    return generated


def load(log: list[Event]) -> EventLog:
    store = EventLog()
    for event in log:
        store.add(
            event.customer, event.instant, event.event_type, event.amount, channel=event.attribute
        )
    return store


def day_offsets(low: int, high: int):
    """Mostly edge days, so that events coincide with boundaries and with one another."""
    edges = st.sampled_from([day for day in EDGE_DAYS if low <= day <= high])
    return st.one_of(edges, edges, edges, st.integers(min_value=low, max_value=high))


def optional_day(draw, low: int, high: int) -> date | None:
    if draw(st.booleans()):
        return None
    return (BASE + timedelta(days=draw(day_offsets(low, high)))).date()


@st.composite
def scenarios(draw) -> tuple[list[Event], dict]:
    """Draw an event log and a request; the as-of date is often an event's day plus 0, 1,
    or a window length, where windows of N days begin or end."""
    log = draw(events())
    window = draw(st.sampled_from(["period", "7D", "45D", "subscription", "auto"]))
    as_of = optional_day(draw, 0, 140)
    if draw(st.booleans()):
        days = int(window[:-1]) if window.endswith("D") else 30
        anchor = draw(st.sampled_from(log)).instant.date()
        as_of = anchor + timedelta(days=draw(st.sampled_from([0, 1, days - 1, days, days + 1])))
    request = {
        "grain": draw(st.sampled_from(["day", "week", "month", "quarter", "year"])),
        "window": window,
        "timezone": draw(st.sampled_from(ZONES)),
        "as_of": as_of,
        "date_from": optional_day(draw, -10, 60),
        "date_to": optional_day(draw, 30, 150),
    }
    return log, request


def listed_starts(reference: dict, request: dict) -> list[date]:
    grain = request["grain"]
    starts = [row["start"] for row in reference["periods"]]
    if request["date_from"] is not None:
        starts = [s for s in starts if s >= period_start(request["date_from"], grain)]
    if request["date_to"] is not None:
        starts = [s for s in starts if s <= period_start(request["date_to"], grain)]
    return starts


def options_for(log: list[Event], request: dict) -> dict:
    """Return MetricOptions fields: the request, split by channel when any event has one."""
    options = {key: value for key, value in request.items() if value is not None}
    if any(event.attribute is not None for event in log):
        options["segment"] = "channel"
    return options


def leaves_no_period(log: list[Event], request: dict) -> bool:
    """Tell whether the request must be rejected: as-of before the first event, or
    --from/--to selecting no period between the first event and the as-of date."""
    if request["date_from"] and request["date_to"] and request["date_from"] > request["date_to"]:
        return True
    zone = ZoneInfo(request["timezone"])
    days = [event.instant.astimezone(zone).date() for event in log]
    as_of = request["as_of"] or max(days)
    if as_of < min(days):
        return True
    grain = request["grain"]
    first = max(
        period_start(min(days), grain),
        period_start(request["date_from"] or min(days), grain),
    )
    last = min(period_start(as_of, grain), period_start(request["date_to"] or as_of, grain))
    return first > last


COMMON = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(scenario=scenarios())
def test_figures_match_literal_reading_of_contract(scenario):
    log, request = scenario
    store = load(log)
    options = options_for(log, request)
    if leaves_no_period(log, request):
        with pytest.raises(InvalidInputError):
            store.metrics(**options)
        store.connection.close()
        return
    try:
        result = store.metrics(**options)
    finally:
        store.connection.close()
    reference = reference_metrics(
        log,
        request["grain"],
        request["window"],
        request["timezone"],
        request["as_of"],
        request["date_from"],
        request["date_to"],
    )

    rows = {row["start"].isoformat(): row for row in reference["periods"]}
    assert [p["start"] for p in result["periods"]] == [
        s.isoformat() for s in listed_starts(reference, request)
    ]
    assert result["as_of"] == reference["as_of"].isoformat()
    for entry in result["periods"]:
        expected = rows[entry["start"]]
        for name in (*RETENTION_FIELDS, "joined_and_churned", "paid_purchases", "free_orders"):
            assert entry[name] == expected[name], (entry["period"], name)
        assert entry["complete"] == expected["complete"]
        assert entry["revenue"] == pytest.approx(expected["revenue"], abs=1e-9)
        assert entry["refunds"] == pytest.approx(expected["refunds"], abs=1e-9)

    labels = {p["period"]: p["start"] for p in result["periods"]}
    for cohort in result["cohorts"]:
        expected = reference["triangle"][date.fromisoformat(labels[cohort["cohort"]])]
        actives = [cell["active"] for cell in cohort["cells"]]
        assert actives == expected[: len(actives)]
    listed = {date.fromisoformat(start) for start in labels.values()}
    assert {c["cohort"] for c in result["cohorts"]} == {
        label
        for label, start in labels.items()
        if date.fromisoformat(start) in reference["triangle"]
        and date.fromisoformat(start) in listed
    }

    clv = result["clv"]
    assert clv["paid_purchases"] == reference["clv"]["paid_purchases"]
    assert clv["paying_customers"] == reference["clv"]["paying_customers"]
    assert clv["net_revenue"] == pytest.approx(reference["clv"]["net_revenue"], abs=1e-9)
    assert clv["window_from"] == reference["clv"]["window_from"].isoformat()
    assert clv["window_to"] == reference["clv"]["window_to"].isoformat()

    for part in result.get("segments", []):
        members = {c for c, value in reference["segment_of"].items() if value == part["value"]}
        assert part["customers"] == len(members)
        for entry in part["periods"]:
            assert entry["E"] == len(rows[entry["start"]]["members"] & members)


@COMMON
@given(scenario=scenarios())
def test_figures_keep_their_invariants(scenario):
    log, request = scenario
    if leaves_no_period(log, request) or all(event.attribute is None for event in log):
        return
    store = load(log)
    try:
        result = store.metrics(**options_for(log, request))
    finally:
        store.connection.close()

    for scope in [result, *result["segments"]]:
        for entry in scope["periods"]:
            assert entry["E"] - entry["N"] == entry["retained"]
            assert entry["retained"] + entry["churned"] == entry["S"]
            assert entry["new_first_time"] + entry["returning"] == entry["N"]
            if entry["S"] == 0:
                assert entry["crr"] is None
                assert entry["churn_rate"] is None
            else:
                assert 0 <= entry["crr"] <= 100
                assert math.isclose(entry["churn_rate"], 100 - entry["crr"], abs_tol=1e-9)
            if entry["paid_purchases"] == 0:
                assert entry["average_order_value"] is None
        for cohort in scope["cohorts"]:
            assert cohort["cells"][0]["active"] == cohort["size"]
            assert all(0 <= cell["rate"] <= 100 for cell in cohort["cells"])
        clv = scope["clv"]
        if clv["estimable"]:
            assert clv["clv"] is not None and math.isfinite(clv["clv"])
            assert clv["reason"] is None
            if clv["net_revenue"] >= 0:
                assert clv["clv"] >= 0
        else:
            assert clv["clv"] is None
            assert clv["reason"]

    for index, entry in enumerate(result["periods"]):
        for name in ("S", "E", "N", "retained", "churned", "paid_purchases", "free_orders"):
            assert sum(part["periods"][index][name] for part in result["segments"]) == entry[name]
        assert sum(
            part["periods"][index]["revenue"] for part in result["segments"]
        ) == pytest.approx(entry["revenue"], abs=1e-9)
    assert sum(part["customers"] for part in result["segments"]) == result["customers"]
    assert (
        sum(part["clv"]["paying_customers"] for part in result["segments"])
        == result["clv"]["paying_customers"]
    )
