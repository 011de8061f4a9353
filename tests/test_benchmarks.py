"""The benchmark peers do the same work as GrowthLens: equal answers on a hand-checked log.

Paid purchases (event type purchase, amount > 0) by UTC month, worked out by hand:

    2024-01  A (twice), B         C's order is free, so C is not active
    2024-02  A, C                 B's refund is not activity
    2024-03  nobody               D only signs up
    2024-04  B, A                 A's order at 01:00 +02:00 on 1 May is 23:00 UTC on 30 April

    month    S  E  N   (S = E of the month before, N = E minus those active the month before)
    2024-01  0  2  2
    2024-02  2  2  1   retained A, new C
    2024-03  2  0  0
    2024-04  0  2  2
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analytics.metrics import MetricOptions, compute_metrics
from analytics.store.connection import connect
from analytics.store.ingest import IngestOptions, ingest_file
from benchmarks import checks
from benchmarks.layout import cdnow_replicas, parse_size, size_label
from benchmarks.peers import pandas_retention, sql_retention
from benchmarks.peers.lifetimes_summary import rfm_summary

EVENT_LOG = """customer_id,event_time,event_type,amount
A,2024-01-05T10:00:00Z,purchase,10.00
A,2024-01-20T10:00:00Z,purchase,5.00
B,2024-01-10T10:00:00Z,purchase,20.00
C,2024-01-15T10:00:00Z,purchase,0.00
A,2024-02-03T10:00:00Z,purchase,12.00
C,2024-02-10T10:00:00Z,purchase,8.00
B,2024-02-12T10:00:00Z,refund,-20.00
D,2024-03-02T10:00:00Z,signup,0.00
B,2024-04-01T10:00:00Z,purchase,15.00
A,2024-05-01T01:00:00+02:00,purchase,7.00
"""

EXPECTED_RETENTION = [
    {"period": "2024-01", "S": 0, "E": 2, "N": 2},
    {"period": "2024-02", "S": 2, "E": 2, "N": 1},
    {"period": "2024-03", "S": 2, "E": 0, "N": 0},
    {"period": "2024-04", "S": 0, "E": 2, "N": 2},
]


@pytest.fixture
def event_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(EVENT_LOG, encoding="utf-8")
    return path


@pytest.fixture
def loaded_database(event_file: Path, settings) -> Path:
    result = ingest_file(event_file, IngestOptions(mapping={"event_time": "event_time"}), settings)
    assert result.rows_loaded == 10
    return settings.database_path


def growthlens_retention(database: Path) -> tuple[list[dict], dict]:
    with connect(database, read_only=True) as connection:
        result = compute_metrics(connection, MetricOptions(grain="month", window="period"))
    periods = [
        {key: period[key] for key in ("period", "S", "E", "N")} for period in result["periods"]
    ]
    return periods, result


def test_growthlens_retention_matches_hand_count(loaded_database: Path):
    periods, _ = growthlens_retention(loaded_database)
    assert periods == EXPECTED_RETENTION


def test_sql_peer_retention_matches_hand_count(loaded_database: Path):
    with connect(loaded_database, read_only=True) as connection:
        periods = sql_retention.monthly_retention(connection)
    assert periods == EXPECTED_RETENTION


def test_pandas_peer_retention_matches_hand_count(event_file: Path):
    events = pandas_retention.read_events(event_file, "event_time")
    table = pandas_retention.monthly_retention(events)
    periods = [
        {"period": row.period, "S": int(row.S), "E": int(row.E), "N": int(row.N)}
        for row in table.itertuples(index=False)
    ]
    assert periods == EXPECTED_RETENTION


def test_peers_pass_the_run_check_against_growthlens(loaded_database: Path, event_file: Path):
    reference, _ = growthlens_retention(loaded_database)
    with connect(loaded_database, read_only=True) as connection:
        checks.check_retention(
            reference, sql_retention.monthly_retention(connection), "sql", "tiny"
        )
    table = pandas_retention.monthly_retention(
        pandas_retention.read_events(event_file, "event_time")
    )
    checks.check_retention(reference, table.to_dict("records"), "pandas", "tiny")


def test_lifetimes_summary_counts_days_not_orders(event_file: Path):
    # Paid days: A on 5 Jan, 20 Jan, 3 Feb, 30 Apr; B on 10 Jan, 1 Apr; C on 10 Feb.
    events = pandas_retention.read_events(event_file, "event_time")
    summary, paid_rows = rfm_summary(events, date(2024, 4, 30))
    assert paid_rows == 7
    assert summary.loc["A", "frequency"] == 3
    assert summary.loc["B", "frequency"] == 1
    assert summary.loc["C", "frequency"] == 0
    assert summary.loc["A", "monetary_value"] == pytest.approx((5 + 12 + 7) / 3)
    assert summary.loc["B", "monetary_value"] == pytest.approx(15)


def test_lifetimes_check_agrees_with_growthlens_clv_inputs(loaded_database: Path, event_file: Path):
    _, result = growthlens_retention(loaded_database)
    assert result["clv"]["paying_customers"] == 3
    assert result["clv"]["paid_purchases"] == 7
    summary, paid_rows = rfm_summary(
        pandas_retention.read_events(event_file, "event_time"), date(2024, 4, 30)
    )
    lifetimes_answer = {
        "customers": len(summary),
        "paid_rows": paid_rows,
        "frequency_sum": int(summary["frequency"].sum()),
        "repeat_revenue": float((summary["frequency"] * summary["monetary_value"]).sum()),
    }
    # Audit by hand: 7 paid days of 3 customers; repeat days pay 5 + 12 + 7 (A) + 15 (B).
    audit = {"paid_days": 7, "customers": 3, "repeat_revenue": 39.0}
    checks.check_rfm(result["clv"], lifetimes_answer, audit, "tiny")


def test_retention_check_rejects_a_different_answer():
    changed = [dict(row) for row in EXPECTED_RETENTION]
    changed[1]["N"] = 2
    with pytest.raises(checks.AnswerMismatchError, match="2024-02"):
        checks.check_retention(EXPECTED_RETENTION, changed, "pandas", "tiny")


def test_rfm_check_rejects_a_frequency_off_by_one():
    # 7 paid days of 3 customers leave 4 repeat days; 5 would count a day twice.
    growthlens = {"paying_customers": 3, "paid_purchases": 7}
    audit = {"paid_days": 7, "customers": 3, "repeat_revenue": 39.0}
    answer = {"customers": 3, "paid_rows": 7, "frequency_sum": 4, "repeat_revenue": 39.0}
    checks.check_rfm(growthlens, answer, audit, "tiny")
    answer["frequency_sum"] = 5
    with pytest.raises(checks.AnswerMismatchError, match="frequency"):
        checks.check_rfm(growthlens, answer, audit, "tiny")


@pytest.mark.parametrize(
    ("text", "count"),
    [("1M", 1_000_000), ("10M", 10_000_000), ("500k", 500_000), ("2.5M", 2_500_000)],
)
def test_size_labels_parse_to_event_counts(text: str, count: int):
    assert parse_size(text) == count


def test_size_label_round_trips():
    assert size_label(parse_size("100M")) == "100M"


def test_cdnow_replicas_reach_the_target():
    # CDNOW has 69,659 rows: 15 copies are 1,044,885 rows, 14 would be 975,226.
    assert cdnow_replicas(1_000_000) == 15
    assert cdnow_replicas(10_000_000) == 144
