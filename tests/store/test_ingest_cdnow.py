"""The CDNOW transaction log, as a CSV and as the original whitespace-aligned text export.

Published figures for the 1/10 sample of CDNOW customers: 69,659 transactions by 23,570
customers from 1997-01-01 to 1998-06-30, 2,500,315.63 dollars in all, 80 orders of 0.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import duckdb
from ingest_support import CDNOW_DIR, assert_accounted

CSV = CDNOW_DIR / "cdnow_transactions.csv"
TEXT = CDNOW_DIR / "CDNOW_master.txt"
SUMMARY = (
    "SELECT count(*), count(DISTINCT customer_id), min(event_time), max(event_time), "
    "sum(amount), count(*) FILTER (WHERE amount = 0) FROM events"
)
EXPECTED_SUMMARY = (
    69_659,
    23_570,
    datetime(1997, 1, 1, tzinfo=UTC),
    datetime(1998, 6, 30, tzinfo=UTC),
    Decimal("2500315.6300"),
    80,
)


def _repeated_rows_in_file() -> int:
    """Rows of the CSV identical to an earlier row, counted by DuckDB from the file itself."""
    connection = duckdb.connect()
    try:
        return connection.execute(
            "SELECT count(*) - count(DISTINCT (customer_id, order_date, quantity, amount)) "
            "FROM read_csv(?, all_varchar = true)",
            [str(CSV)],
        ).fetchone()[0]
    finally:
        connection.close()


def test_cdnow_csv_loads_the_published_figures(ingest, query):
    result = ingest(CSV, mapping={"event_time": "order_date"})
    assert_accounted(result)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (69_659, 69_659, 0)
    assert query(SUMMARY) == [EXPECTED_SUMMARY]
    assert query("SELECT DISTINCT event_type FROM events") == [("purchase",)]


def test_cdnow_csv_keeps_identical_rows_as_repeat_purchases(ingest, query):
    ingest(CSV, mapping={"event_time": "order_date"})
    assert _repeated_rows_in_file() == 255
    stored_repeats = query(
        "SELECT count(*) - count(DISTINCT (customer_id, event_time, amount, "
        "attributes['quantity'])) FROM events"
    )
    assert stored_repeats == [(255,)]


def test_cdnow_customer_ids_keep_leading_zeros(ingest, query):
    ingest(CSV, mapping={"event_time": "order_date"})
    first = query("SELECT customer_id, amount FROM events WHERE source_line = 2")
    assert first == [("00001", Decimal("11.7700"))]
    widths = query("SELECT DISTINCT length(customer_id) FROM events")
    assert widths == [(5,)]


def test_cdnow_second_load_is_no_op(ingest, query):
    first = ingest(CSV, mapping={"event_time": "order_date"})
    again = ingest(CSV, mapping={"event_time": "order_date"})
    assert again.already_loaded
    assert again.previous_import_id == first.import_id
    assert (again.rows_loaded, again.import_id) == (0, None)
    assert "already loaded" in again.warnings[0]
    assert query(SUMMARY) == [EXPECTED_SUMMARY]
    assert query("SELECT count(*) FROM imports") == [(1,)]


def test_cdnow_text_export_loads_without_options(ingest, query):
    result = ingest(TEXT)
    assert_accounted(result)
    assert result.source_format == "text"
    assert result.mapping == {
        "customer_id": "customer_id",
        "event_time": "date",
        "amount": "dollar_value",
    }
    assert (result.rows_read, result.rows_loaded) == (69_659, 69_659)
    assert query(SUMMARY) == [EXPECTED_SUMMARY]


def test_cdnow_text_and_csv_hold_the_same_rows(settings, ingest, query):
    ingest(TEXT)
    ingest(CSV, mapping={"event_time": "order_date"})
    differing = query(
        """
        SELECT count(*) FROM (
            (SELECT source_line, customer_id, event_time, amount FROM events WHERE import_id = 1
             EXCEPT ALL
             SELECT source_line, customer_id, event_time, amount FROM events WHERE import_id = 2)
            UNION ALL
            (SELECT source_line, customer_id, event_time, amount FROM events WHERE import_id = 2
             EXCEPT ALL
             SELECT source_line, customer_id, event_time, amount FROM events WHERE import_id = 1)
        )
        """
    )
    assert differing == [(0,)]
    quantities = query(
        "SELECT count(*) FROM events a JOIN events b ON a.source_line = b.source_line "
        "AND a.import_id = 1 AND b.import_id = 2 "
        "WHERE a.attributes['number_of_cds'] <> b.attributes['quantity']"
    )
    assert quantities == [(0,)]
