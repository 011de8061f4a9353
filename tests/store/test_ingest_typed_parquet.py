"""Parquet columns are read in their own type: instants stay instants, dates and naive
timestamps are read in the dataset's zone, numbers become amounts, integer ids their text."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import duckdb
from ingest_support import CDNOW_DIR, assert_accounted


def _write_parquet(path, select_sql: str) -> None:
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute(f"COPY ({select_sql}) TO '{path}' (FORMAT parquet)")
    finally:
        connection.close()


def test_integer_ids_become_text(ingest, query, tmp_path):
    path = tmp_path / "ids.parquet"
    _write_parquet(
        path,
        "SELECT * FROM (VALUES (7::BIGINT, 1001::INTEGER, DATE '2024-03-01', 5.5::DOUBLE), "
        "(12345678901234567::BIGINT, 1002::INTEGER, DATE '2024-03-02', 2::DOUBLE)) "
        "t(customer_id, order_id, order_date, amount)",
    )
    result = ingest(path, mapping={"event_time": "order_date"})
    assert result.mapping["event_id"] == "order_id"
    rows = query("SELECT customer_id, event_id FROM events ORDER BY source_line")
    assert rows == [("7", "1001"), ("12345678901234567", "1002")]


def test_dates_read_in_dataset_zone(ingest, query, tmp_path):
    path = tmp_path / "dates.parquet"
    _write_parquet(
        path,
        "SELECT * FROM (VALUES ('A', DATE '2024-07-01', 1), ('B', DATE '2024-01-15', 2)) "
        "t(customer_id, order_date, amount)",
    )
    ingest(path, mapping={"event_time": "order_date"}, timezone="Europe/Berlin")
    # Midnight in Berlin is 22:00 UTC the day before in summer (UTC+2), 23:00 in winter.
    assert query("SELECT event_time FROM events ORDER BY source_line") == [
        (datetime(2024, 6, 30, 22, tzinfo=UTC),),
        (datetime(2024, 1, 14, 23, tzinfo=UTC),),
    ]


def test_missing_typed_values_rejected(ingest, query, tmp_path):
    path = tmp_path / "gaps.parquet"
    _write_parquet(
        path,
        "SELECT * FROM (VALUES "
        "('A', TIMESTAMPTZ '2024-05-01 10:00:00+00', 10.25::DECIMAL(12, 2)), "
        "('B', NULL, 3.00::DECIMAL(12, 2)), "
        "('C', 'infinity'::TIMESTAMPTZ, 4.00::DECIMAL(12, 2)), "
        "('D', TIMESTAMPTZ '2024-05-02 10:00:00+00', NULL)) t(customer_id, event_time, amount)",
    )
    result = ingest(path)
    assert_accounted(result)
    assert result.rows_loaded == 1
    assert result.rejections == [
        {"line": 3, "column": "event_time", "reason": "date is empty"},
        {
            "line": 4,
            "column": "event_time",
            "reason": "date 'infinity' is not a recognised date or time",
        },
        {"line": 5, "column": "amount", "reason": "amount is empty"},
    ]
    assert query("SELECT amount FROM events") == [(Decimal("10.2500"),)]
    raw = query("SELECT raw_text FROM rejected_rows WHERE line = 5")
    assert raw == [("D,2024-05-02 10:00:00+00,",)]


def test_double_amounts_match_text(ingest, query, tmp_path):
    path = tmp_path / "cdnow.parquet"
    _write_parquet(
        path,
        "SELECT customer_id, strptime(order_date, '%Y-%m-%d')::DATE AS order_date, "
        "quantity::INTEGER AS quantity, amount::DOUBLE AS amount "
        f"FROM read_csv('{CDNOW_DIR / 'cdnow_transactions.csv'}', all_varchar = true)",
    )
    result = ingest(path, mapping={"event_time": "order_date"})
    assert result.rows_loaded == 69_659
    # Published total of the CDNOW 1/10 sample: 2,500,315.63 dollars.
    assert query("SELECT sum(amount), count(*) FILTER (WHERE amount = 0) FROM events") == [
        (Decimal("2500315.6300"), 80)
    ]
    assert query(
        "SELECT customer_id, attributes['quantity'] FROM events WHERE source_line = 2"
    ) == [("00001", "1")]


def test_out_of_range_amount_rejected(ingest, tmp_path):
    path = tmp_path / "huge.parquet"
    _write_parquet(
        path,
        "SELECT * FROM (VALUES ('A', DATE '2024-01-01', 1::DOUBLE), "
        "('B', DATE '2024-01-02', 1e40::DOUBLE)) t(customer_id, order_date, amount)",
    )
    result = ingest(path, mapping={"event_time": "order_date"})
    assert result.rejections == [
        {
            "line": 3,
            "column": "amount",
            "reason": "amount '1e+40' is not a number written with a decimal point",
        }
    ]


def test_typed_dates_outside_range_rejected(ingest, query, tmp_path):
    path = tmp_path / "far.parquet"
    _write_parquet(
        path,
        "SELECT * FROM (VALUES ('A', DATE '2024-05-01', 1), ('B', DATE '9999-12-31', 2), "
        "('C', DATE '1800-06-01', 3)) t(customer_id, order_date, amount)",
    )

    result = ingest(path, mapping={"event_time": "order_date"})

    assert_accounted(result)
    assert result.rows_loaded == 1
    assert [(r["line"], r["column"]) for r in result.rejections] == [
        (3, "order_date"),
        (4, "order_date"),
    ]
    assert all("outside the supported range" in r["reason"] for r in result.rejections)
    assert query("SELECT customer_id FROM events") == [("A",)]


def test_date_beyond_timestamp_range_rejected(ingest, query, tmp_path):
    path = tmp_path / "huge.parquet"
    _write_parquet(
        path,
        "SELECT * FROM (VALUES ('A', DATE '2024-05-01', 1), ('B', DATE '5877642-06-25', 2)) "
        "t(customer_id, order_date, amount)",
    )

    result = ingest(path, mapping={"event_time": "order_date"})

    assert_accounted(result)
    assert result.rows_loaded == 1
    assert [(r["line"], r["column"]) for r in result.rejections] == [(3, "order_date")]
    assert query("SELECT customer_id FROM events") == [("A",)]
