"""The input cases loaded through the real ingest path, each with the figures its
description works out by hand (to 0.01)."""

from __future__ import annotations

from pathlib import Path

import pytest
from metrics_support import RETENTION_FIELDS, cohort_triangle, period, segment

from analytics.config import Settings
from analytics.metrics import MetricOptions, compute_metrics
from analytics.store import connect
from analytics.store.ingest import IngestOptions, ingest_file

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases"
MONEY_RUN = {"date_from": "2024-01-01", "date_to": "2024-12-31", "lifespan_years": 3}
TOLERANCE = 0.01


@pytest.fixture
def load_case(settings: Settings):
    """Load a case file into the test database and return a function computing metrics."""

    def load(name: str, **ingest_options):
        options = IngestOptions(mapping={"event_time": "timestamp"}, **ingest_options)
        ingest_file(CASES / name, options, settings)

        def metrics(**metric_options) -> dict:
            with connect(settings.database_path, read_only=True) as connection:
                return compute_metrics(connection, MetricOptions(grain="month", **metric_options))

        return metrics

    return load


def approx(value: float) -> object:
    return pytest.approx(value, abs=TOLERANCE)


def assert_periods(result: dict, expected: dict[str, tuple]) -> None:
    """Check (S, E, N, retained, churned, CRR, churn, revenue, paid, complete) per month."""
    assert [p["period"] for p in result["periods"]] == list(expected)
    for label, figures in expected.items():
        entry = period(result, label)
        s, e, n, retained, churned, crr, churn, revenue, paid, complete = figures
        assert (entry["S"], entry["E"], entry["N"]) == (s, e, n), label
        assert (entry["retained"], entry["churned"]) == (retained, churned), label
        assert entry["crr"] == (None if crr is None else approx(crr)), label
        assert entry["churn_rate"] == (None if churn is None else approx(churn)), label
        assert entry["revenue"] == approx(revenue), label
        assert entry["paid_purchases"] == paid, label
        assert entry["complete"] is complete, label


def test_bom_header_case(load_case):
    metrics = load_case("bom_header.csv")
    result = metrics(window="period")
    assert result["as_of"] == "2024-02-20"
    assert_periods(
        result,
        {
            "2024-01": (0, 2, 2, 0, 0, None, None, 55.50, 2, True),
            "2024-02": (2, 2, 1, 1, 1, 50.00, 50.00, 44.50, 2, False),
        },
    )
    assert [p["free_orders"] for p in result["periods"]] == [0, 0]
    assert cohort_triangle(result) == {"2024-01": [2, 1], "2024-02": [1]}
    first = result["cohorts"][0]["cells"]
    assert [(c["rate"], c["complete"]) for c in first] == [(100.0, True), (50.0, False)]
    assert result["cohorts"][1]["cells"][0]["complete"] is False

    clv = result["clv"]
    assert clv["estimable"] is False
    assert clv["clv"] is None
    assert clv["pooled_churn"] is None
    assert clv["apv"] == approx(25.00)
    assert clv["window_days"] == 47
    assert clv["window_years"] == pytest.approx(0.1287, abs=0.0001)
    assert clv["frequency_per_year"] == approx(10.3617)

    money = metrics(window="period", **MONEY_RUN)["clv"]
    assert money["frequency_per_year"] == approx(1.3306)
    assert money["clv"] == approx(99.80)
    assert money["estimable"] is True


def test_semicolon_decimal_comma_case(load_case):
    metrics = load_case("semicolon_decimal_comma.csv")
    result = metrics(window="period")
    assert result["as_of"] == "2024-03-15"
    assert_periods(
        result,
        {
            "2024-02": (0, 2, 2, 0, 0, None, None, 1254.40, 2, True),
            "2024-03": (2, 2, 1, 1, 1, 50.00, 50.00, 5.10, 2, False),
        },
    )
    assert period(result, "2024-03")["refunds"] == approx(0.99)
    clv = result["clv"]
    assert clv["estimable"] is False
    assert clv["apv"] == pytest.approx(314.875, abs=0.001)
    assert clv["window_days"] == 42
    assert clv["frequency_per_year"] == approx(11.5952)

    money = metrics(window="period", **MONEY_RUN)["clv"]
    assert money["net_revenue"] == approx(1259.50)
    assert (money["paid_purchases"], money["paying_customers"]) == (4, 3)
    assert money["clv"] == approx(1256.92)


@pytest.mark.parametrize("encoding", ["cp1252", None], ids=["given", "detected"])
def test_cp1252_excel_case(load_case, encoding):
    metrics = load_case("cp1252_excel.csv", encoding=encoding)
    result = metrics(window="period")
    april = period(result, "2024-04")
    assert (april["S"], april["E"], april["N"]) == (0, 3, 3)
    assert april["paid_purchases"] == 4
    assert april["revenue"] == approx(60.00)
    assert april["complete"] is False

    by_campaign = metrics(window="period", segment="campaign")
    expected = {"Café Crème": (22.00, 2), "Straße": (8.00, 1), "Noël €5 off": (30.00, 1)}
    assert {s["value"] for s in by_campaign["segments"]} == set(expected)
    for value, (revenue, paid) in expected.items():
        entry = period(segment(by_campaign, value), "2024-04")
        assert entry["revenue"] == approx(revenue)
        assert entry["paid_purchases"] == paid

    by_city = metrics(window="period", segment="city")
    for value, revenue in {"Zürich": 22.00, "München": 8.00, "Genève": 30.00}.items():
        assert period(segment(by_city, value), "2024-04")["revenue"] == approx(revenue)

    money = metrics(window="period", **MONEY_RUN)["clv"]
    assert money["apv"] == approx(15.00)
    assert money["frequency_per_year"] == approx(1.3306)
    assert money["clv"] == approx(59.88)


def test_quoted_newlines_case(load_case):
    metrics = load_case("quoted_newlines.csv")
    june = period(metrics(window="period"), "2024-06")
    assert (june["S"], june["E"], june["N"]) == (0, 2, 2)
    assert (june["paid_purchases"], june["free_orders"]) == (3, 0)
    assert june["revenue"] == approx(100.00)

    auto = metrics(window="auto")
    assert auto["model"] == "subscription"
    june = period(auto, "2024-06")
    assert (june["E"], june["N"]) == (1, 1)
    assert june["paid_purchases"] == 3
    assert june["revenue"] == approx(100.00)

    by_campaign = metrics(window="period", segment="campaign")
    values = {s["value"] for s in by_campaign["segments"]}
    assert "Summer" not in values
    wave_1 = period(segment(by_campaign, "Summer, wave 1"), "2024-06")
    wave_2 = period(segment(by_campaign, "Summer, wave 2"), "2024-06")
    assert (wave_1["revenue"], wave_1["paid_purchases"]) == (approx(60.00), 2)
    assert (wave_2["revenue"], wave_2["paid_purchases"]) == (approx(40.00), 1)

    money = metrics(window="period", **MONEY_RUN)["clv"]
    assert money["apv"] == approx(33.33)
    assert money["paying_customers"] == 2
    assert money["frequency_per_year"] == approx(1.4969)
    assert money["clv"] == approx(149.69)


def test_duplicate_event_ids_case(load_case, settings):
    metrics = load_case("duplicate_event_ids.csv")
    july = period(metrics(window="period"), "2024-07")
    assert (july["S"], july["E"], july["N"]) == (0, 3, 3)
    assert july["paid_purchases"] == 5
    assert july["revenue"] == approx(220.00)

    ingest_file(
        CASES / "duplicate_event_ids.csv",
        IngestOptions(mapping={"event_time": "timestamp"}),
        settings,
    )
    assert period(metrics(window="period"), "2024-07")["revenue"] == approx(220.00)

    money = metrics(window="period", **MONEY_RUN)["clv"]
    assert money["apv"] == approx(44.00)
    assert money["paying_customers"] == 3
    assert money["frequency_per_year"] == approx(1.6633)
    assert money["clv"] == approx(219.55)


def test_refunds_case(load_case):
    metrics = load_case("refunds.csv")
    result = metrics(window="period")
    assert result["as_of"] == "2024-06-01"
    assert_periods(
        result,
        {
            "2024-02": (0, 1, 1, 0, 0, None, None, 60.00, 1, True),
            "2024-03": (1, 1, 1, 0, 1, 0.00, 100.00, 0.00, 1, True),
            "2024-04": (1, 1, 1, 0, 1, 0.00, 100.00, 50.00, 1, True),
            "2024-05": (1, 1, 1, 0, 1, 0.00, 100.00, 60.00, 1, True),
            "2024-06": (1, 1, 1, 0, 1, 0.00, 100.00, 30.00, 1, False),
        },
    )
    assert [p["new_first_time"] for p in result["periods"]] == [1, 1, 1, 0, 0]
    assert [p["returning"] for p in result["periods"]] == [0, 0, 0, 1, 1]
    assert period(result, "2024-02")["refunds"] == approx(40.00)
    assert period(result, "2024-03")["refunds"] == approx(80.00)

    clv = result["clv"]
    assert clv["net_revenue"] == approx(200.00)
    assert (clv["paid_purchases"], clv["paying_customers"]) == (5, 3)
    assert clv["pooled_churn"] == approx(100.00)
    assert clv["lifespan_years"] == pytest.approx(1 / 12, abs=0.0001)
    assert clv["window_days"] == 122
    assert clv["apv"] == approx(40.00)
    assert clv["frequency_per_year"] == approx(4.9898)
    assert clv["clv"] == approx(16.63)

    money = metrics(window="period", **MONEY_RUN)["clv"]
    assert money["frequency_per_year"] == approx(1.6633)
    assert money["clv"] == approx(199.59)


def test_free_orders_case(load_case):
    metrics = load_case("free_orders.csv")
    result = metrics(window="period")
    assert result["as_of"] == "2024-09-03"
    assert_periods(
        result,
        {
            "2024-08": (0, 2, 2, 0, 0, None, None, 90.00, 3, True),
            "2024-09": (2, 0, 0, 0, 2, 0.00, 100.00, 0.00, 0, False),
        },
    )
    assert [p["free_orders"] for p in result["periods"]] == [2, 1]
    assert period(result, "2024-09")["average_order_value"] is None
    assert cohort_triangle(result) == {"2024-08": [2, 0]}
    cells = result["cohorts"][0]["cells"]
    assert [(c["rate"], c["complete"]) for c in cells] == [(100.0, True), (0.0, False)]

    clv = result["clv"]
    assert clv["estimable"] is False
    assert clv["apv"] == approx(30.00)
    assert clv["paying_customers"] == 2
    assert clv["window_days"] == 34
    assert clv["frequency_per_year"] == approx(16.1140)

    money = metrics(window="period", **MONEY_RUN)["clv"]
    assert money["apv"] == approx(30.00)
    assert money["frequency_per_year"] == approx(1.4969)
    assert money["clv"] == approx(134.72)


def test_one_time_buyers_case(load_case):
    metrics = load_case("one_time_buyers.csv")
    result = metrics(window="period")
    assert_periods(
        result,
        {
            "2024-02": (0, 2, 2, 0, 0, None, None, 70.00, 3, True),
            "2024-03": (2, 1, 1, 0, 2, 0.00, 100.00, 60.00, 1, True),
            "2024-04": (1, 1, 1, 0, 1, 0.00, 100.00, 30.00, 1, False),
        },
    )
    assert [p["new_first_time"] for p in result["periods"]] == [2, 1, 0]
    assert [p["returning"] for p in result["periods"]] == [0, 0, 1]
    assert cohort_triangle(result) == {"2024-02": [2, 0, 1], "2024-03": [1, 0]}
    assert result["cohorts"][0]["cells"][2]["rate"] == approx(50.00)

    clv = result["clv"]
    assert clv["net_revenue"] == approx(160.00)
    assert (clv["paid_purchases"], clv["paying_customers"]) == (5, 3)
    assert clv["pooled_churn"] == approx(100.00)
    assert clv["window_days"] == 53
    assert clv["frequency_per_year"] == approx(11.4858)
    assert clv["clv"] == approx(30.63)

    rolling = metrics(window="90D")
    assert rolling["window"] == "90D"
    assert_periods(
        rolling,
        {
            "2024-02": (0, 2, 2, 0, 0, None, None, 70.00, 3, True),
            "2024-03": (2, 3, 1, 2, 0, 100.00, 0.00, 60.00, 1, True),
            "2024-04": (3, 3, 0, 3, 0, 100.00, 0.00, 30.00, 1, False),
        },
    )
    assert rolling["clv"]["pooled_churn"] == approx(0.0)
    assert rolling["clv"]["estimable"] is False

    money = metrics(window="period", **MONEY_RUN)["clv"]
    assert money["frequency_per_year"] == approx(1.6633)
    assert money["clv"] == approx(159.67)


def test_joined_and_churned_case(load_case):
    metrics = load_case("joined_and_churned.csv")
    result = metrics(window="auto", as_of="2024-02-29")
    assert result["model"] == "subscription"
    january, february = result["periods"]
    assert [january[name] for name in RETENTION_FIELDS] == [0, 4, 4, 4, 0, 0, 0]
    assert [february[name] for name in RETENTION_FIELDS] == [4, 4, 1, 1, 0, 3, 1]
    assert (january["joined_and_churned"], february["joined_and_churned"]) == (0, 2)
    assert january["crr"] is None
    assert february["crr"] == approx(75.00)
    assert february["churn_rate"] == approx(25.00)
    for entry in result["periods"]:
        assert entry["complete"] is True
        assert (entry["revenue"], entry["paid_purchases"], entry["free_orders"]) == (0.0, 0, 0)
    assert cohort_triangle(result) == {"2024-01": [4, 3], "2024-02": [1]}
    assert result["cohorts"][0]["cells"][1]["rate"] == approx(75.00)

    clv = result["clv"]
    assert clv["pooled_churn"] == approx(25.00)
    assert clv["lifespan_years"] == pytest.approx(1 / 3, abs=0.0001)
    assert clv["apv"] is None
    assert clv["clv"] is None
    assert clv["estimable"] is False
    assert "paid purchase" in clv["reason"]


def test_partial_last_period_case(load_case):
    metrics = load_case("partial_last_period.csv")
    result = metrics(window="period")
    assert result["as_of"] == "2024-03-10"
    assert_periods(
        result,
        {
            "2024-01": (0, 4, 4, 0, 0, None, None, 80.00, 4, True),
            "2024-02": (4, 4, 0, 4, 0, 100.00, 0.00, 80.00, 4, True),
            "2024-03": (4, 2, 0, 2, 2, 50.00, 50.00, 40.00, 2, False),
        },
    )
    assert cohort_triangle(result) == {"2024-01": [4, 4, 2]}
    assert result["cohorts"][0]["cells"][2]["complete"] is False

    clv = result["clv"]
    assert clv["pooled_churn"] == approx(0.0)
    assert clv["periods_pooled"] == 1
    assert clv["estimable"] is False
    assert "churn" in clv["reason"]
    assert clv["apv"] == approx(20.00)
    assert clv["window_days"] == 66
    assert clv["frequency_per_year"] == approx(13.8352)

    rolling = metrics(window="90D")
    march = period(rolling, "2024-03")
    assert (march["S"], march["E"], march["retained"], march["churned"]) == (4, 4, 4, 0)
    assert march["crr"] == approx(100.00)
    assert march["complete"] is False
    assert rolling["clv"]["estimable"] is False

    money = metrics(window="period", **MONEY_RUN)["clv"]
    assert money["frequency_per_year"] == approx(2.4949)
    assert money["clv"] == approx(149.69)


def test_no_churn_yet_case(load_case):
    metrics = load_case("no_churn_yet.csv")
    options = {"window": "auto", "date_from": "2024-01-01", "date_to": "2024-03-31"}
    result = metrics(**options, as_of="2024-03-31")
    assert result["model"] == "subscription"
    assert_periods(
        result,
        {
            "2024-01": (0, 2, 2, 0, 0, None, None, 20.00, 2, True),
            "2024-02": (2, 3, 1, 2, 0, 100.00, 0.00, 30.00, 3, True),
            "2024-03": (3, 3, 0, 3, 0, 100.00, 0.00, 30.00, 3, True),
        },
    )
    assert cohort_triangle(result) == {"2024-01": [2, 2, 2], "2024-02": [1, 1]}

    clv = result["clv"]
    assert clv["pooled_churn"] == approx(0.0)
    assert clv["lifespan_years"] is None
    assert clv["clv"] is None
    assert clv["estimable"] is False
    assert "no churn" in clv["reason"]
    assert clv["apv"] == approx(10.00)
    assert clv["window_days"] == 91
    assert clv["frequency_per_year"] == approx(10.7033)

    given = metrics(**options, as_of="2024-03-31", lifespan_years=3)["clv"]
    assert given["estimable"] is True
    assert given["clv"] == approx(321.10)


def test_invented_numbers_case(load_case):
    metrics = load_case("invented_numbers.csv")
    result = metrics(window="auto", as_of="2024-06-30")
    assert result["model"] == "subscription"
    assert_periods(
        result,
        {
            "2024-05": (0, 3, 3, 0, 0, None, None, 90.00, 3, True),
            "2024-06": (3, 2, 0, 2, 1, 66.67, 33.33, 60.00, 2, True),
        },
    )
    assert cohort_triangle(result) == {"2024-05": [3, 2]}
    assert result["cohorts"][0]["cells"][1]["rate"] == approx(66.67)

    clv = result["clv"]
    assert (clv["window_from"], clv["window_to"], clv["window_days"]) == (
        "2024-05-02",
        "2024-06-10",
        40,
    )
    assert clv["apv"] == approx(30.00)
    assert clv["frequency_per_year"] == approx(15.2188)
    assert clv["pooled_churn"] == pytest.approx(100 / 3, abs=0.01)
    assert clv["lifespan_years"] == pytest.approx(0.25, abs=0.0001)
    assert clv["clv"] == approx(114.14)
