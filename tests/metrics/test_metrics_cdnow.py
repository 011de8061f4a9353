"""CDNOW (69,659 orders of 23,570 customers, 1997-01 to 1998-06) through the command line,
with figures checked against a plain count over the CSV."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from analytics.cli import main

CDNOW = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cdnow"
TRANSACTIONS = CDNOW / "cdnow_transactions.csv"


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def month_end(label: str) -> date:
    year, month = map(int, label.split("-"))
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


@pytest.fixture(scope="module")
def orders() -> list[tuple[str, date, float]]:
    """(customer, order date, amount) of every row of the CSV."""
    with TRANSACTIONS.open(newline="", encoding="utf-8") as handle:
        return [
            (row["customer_id"], date.fromisoformat(row["order_date"]), float(row["amount"]))
            for row in csv.DictReader(handle)
        ]


@pytest.fixture(scope="module")
def cdnow_database(tmp_path_factory) -> Path:
    """CDNOW loaded once with ``growthlens ingest``, shared by this module's tests."""
    database = tmp_path_factory.mktemp("cdnow") / "cdnow.duckdb"
    status = main(
        ["ingest", str(TRANSACTIONS), "--map", "event_time=order_date", "--db", str(database)]
    )
    assert status == 0
    return database


def run_metrics(database: Path, capsys, *arguments: str) -> dict:
    capsys.readouterr()
    status = main(["metrics", "--db", str(database), "--format", "json", *arguments])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return json.loads(captured.out)


def expected_period_window(orders) -> dict[str, dict]:
    """S, E, N, retained, churned and revenue per month, counted straight from the rows."""
    buyers = defaultdict(set)
    revenue = defaultdict(float)
    for customer, day, amount in orders:
        if amount > 0:
            buyers[month_of(day)].add(customer)
            revenue[month_of(day)] += amount
    months = sorted(buyers)
    figures = {}
    for index, label in enumerate(months):
        before = buyers[months[index - 1]] if index else set()
        now = buyers[label]
        figures[label] = {
            "S": len(before),
            "E": len(now),
            "N": len(now - before),
            "retained": len(now & before),
            "churned": len(before - now),
            "revenue": revenue[label],
        }
    return figures


def expected_90_day_window(orders) -> dict[str, dict]:
    """E per month with the 90-day window, by checking every customer at each month end."""
    paid_days = defaultdict(list)
    for customer, day, amount in orders:
        if amount > 0:
            paid_days[customer].append(day)
    months = sorted({month_of(day) for _, day, _ in orders})
    active = {}
    for label in months:
        end = month_end(label)
        active[label] = {
            customer
            for customer, days in paid_days.items()
            if any(end - timedelta(days=90) < day <= end for day in days)
        }
    figures = {}
    for index, label in enumerate(months):
        before = active[months[index - 1]] if index else set()
        figures[label] = {
            "S": len(before),
            "E": len(active[label]),
            "retained": len(active[label] & before),
        }
    return figures


def test_cdnow_monthly_period_window_matches_direct_count(cdnow_database, capsys, orders):
    result = run_metrics(cdnow_database, capsys, "--grain", "month", "--window", "period")
    expected = expected_period_window(orders)
    assert result["as_of"] == "1998-06-30"
    assert [p["period"] for p in result["periods"]] == sorted(expected)
    assert all(p["complete"] for p in result["periods"])
    for entry in result["periods"]:
        figures = expected[entry["period"]]
        for name in ("S", "E", "N", "retained", "churned"):
            assert entry[name] == figures[name], (entry["period"], name)
        assert entry["revenue"] == pytest.approx(figures["revenue"], abs=0.005)

    january = result["periods"][0]
    assert january["crr"] is None
    february = result["periods"][1]
    assert february["crr"] == pytest.approx((february["E"] - february["N"]) / february["S"] * 100)
    assert result["customers"] == len({customer for customer, _, _ in orders})
    assert result["clv"]["paying_customers"] == len({c for c, _, a in orders if a > 0})
    assert result["clv"]["paid_purchases"] == sum(1 for _, _, a in orders if a > 0)
    free_orders = sum(1 for _, _, a in orders if a == 0)
    assert sum(p["free_orders"] for p in result["periods"]) == free_orders


def test_cdnow_monthly_90_day_window_matches_direct_count(cdnow_database, capsys, orders):
    result = run_metrics(cdnow_database, capsys, "--grain", "month", "--window", "90D")
    expected = expected_90_day_window(orders)
    assert result["window"] == "90D"
    for entry in result["periods"]:
        figures = expected[entry["period"]]
        assert (entry["S"], entry["E"], entry["retained"]) == (
            figures["S"],
            figures["E"],
            figures["retained"],
        ), entry["period"]


def test_cdnow_text_output_lists_every_month(cdnow_database, capsys):
    capsys.readouterr()
    assert main(["metrics", "--db", str(cdnow_database), "--window", "period"]) == 0
    text = capsys.readouterr().out
    assert "1997-01" in text
    assert "1998-06" in text
    assert "Customer lifetime value:" in text
