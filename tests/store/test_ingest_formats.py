"""Source formats: delimited text with any delimiter, whitespace-aligned text, Parquet, .xlsx."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import duckdb
import openpyxl
import pytest
from ingest_support import assert_accounted

ROWS = [
    ("C1", "2024-03-01T10:00:00Z", "purchase", "12.50", "email"),
    ("C2", "2024-03-02T11:30:00Z", "purchase", "7.25", "ads"),
    ("C1", "2024-03-05T09:00:00Z", "refund", "-2.50", "email"),
]
HEADER = ("customer_id", "timestamp", "event_type", "amount", "channel")
EXPECTED = [
    ("C1", datetime(2024, 3, 1, 10, tzinfo=UTC), "purchase", Decimal("12.5000"), "email"),
    ("C2", datetime(2024, 3, 2, 11, 30, tzinfo=UTC), "purchase", Decimal("7.2500"), "ads"),
    ("C1", datetime(2024, 3, 5, 9, tzinfo=UTC), "refund", Decimal("-2.5000"), "email"),
]
STORED = (
    "SELECT customer_id, event_time, event_type, amount, attributes['channel'] "
    "FROM events ORDER BY source_line"
)


def _delimited(delimiter: str, line_end: str = "\n") -> str:
    return "".join(delimiter.join(row) + line_end for row in [HEADER, *ROWS])


@pytest.mark.parametrize(
    ("name", "delimiter"),
    [
        ("comma.csv", ","),
        ("semicolon.csv", ";"),
        ("tab.tsv", "\t"),
        ("pipe.txt", "|"),
        ("tab_named.csv", "\t"),
    ],
)
def test_delimiter_is_sniffed(ingest, query, write_file, name, delimiter):
    result = ingest(write_file(name, _delimited(delimiter)))
    assert_accounted(result)
    assert result.rows_loaded == 3
    assert query(STORED) == EXPECTED


def test_crlf_file_stores_no_carriage_return(ingest, query, write_file):
    text = _delimited(",", "\r\n") + 'C3,2024-03-06T00:00:00Z,purchase,1.00,"two\r\nlines"\r\n'
    ingest(write_file("crlf.csv", text))
    assert query(STORED)[:3] == EXPECTED
    note = query("SELECT attributes['channel'] FROM events WHERE customer_id = 'C3'")
    assert note == [("two\nlines",)]
    assert query("SELECT count(*) FROM events WHERE contains(attributes::VARCHAR, chr(13))") == [
        (0,)
    ]


def test_quoted_fields_keep_separators_and_doubled_quotes(ingest, query, write_file):
    text = (
        "customer_id;timestamp;amount;campaign\n"
        'C1;2024-01-01;5;"Spring; wave ""A"""\n'
        'C2;2024-01-02;6;"line one\nline two; done"\n'
        "C3;2024-01-03;7;plain\n"
    )
    result = ingest(write_file("quoted.csv", text))
    assert result.rows_loaded == 3
    rows = query("SELECT source_line, attributes['campaign'] FROM events ORDER BY source_line")
    assert rows == [
        (2, 'Spring; wave "A"'),
        (3, "line one\nline two; done"),
        (5, "plain"),
    ]


def test_whitespace_aligned_text_splits_on_spaces(ingest, query, write_file):
    text = (
        "  customer   order_date     total  channel\n"
        "  00042      2024-05-01     19.99  web\n"
        "\n"
        "  00043      2024-05-02      5.00  store\n"
        "  00044 2024-05-03 1.00\n"
    )
    result = ingest(write_file("aligned.txt", text))
    assert result.source_format == "text"
    assert_accounted(result)
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert result.rejections == [
        {"line": 5, "column": None, "reason": "expected 4 fields, found 3"}
    ]
    rows = query(
        "SELECT source_line, customer_id, amount, attributes['channel'] FROM events "
        "ORDER BY source_line"
    )
    assert rows == [
        (2, "00042", Decimal("19.9900"), "web"),
        (4, "00043", Decimal("5.0000"), "store"),
    ]


def test_parquet_file_is_read_with_its_types(ingest, query, tmp_path):
    path = tmp_path / "events.parquet"
    connection = duckdb.connect()
    connection.execute(
        f"""
        COPY (
            SELECT * FROM (VALUES
                ('007', TIMESTAMPTZ '2024-02-01 10:00:00+02', 'purchase', 19.9::DECIMAL(10, 2),
                 'DE'),
                ('12345678901234567890', TIMESTAMPTZ '2024-02-02 00:00:00+00', 'refund',
                 -5::DECIMAL(10, 2), 'FR')
            ) t(customer_id, event_time, event_type, revenue, country)
        ) TO '{path}' (FORMAT parquet)
        """
    )
    connection.close()
    result = ingest(path)
    assert result.source_format == "parquet"
    assert result.mapping["amount"] == "revenue"
    rows = query(
        "SELECT source_line, customer_id, event_time, amount, attributes['country'] "
        "FROM events ORDER BY source_line"
    )
    assert rows == [
        (2, "007", datetime(2024, 2, 1, 8, tzinfo=UTC), Decimal("19.9000"), "DE"),
        (3, "12345678901234567890", datetime(2024, 2, 2, tzinfo=UTC), Decimal("-5.0000"), "FR"),
    ]


def test_naive_parquet_timestamps_use_dataset_zone(ingest, query, tmp_path):
    path = tmp_path / "naive.parquet"
    connection = duckdb.connect()
    connection.execute(
        f"COPY (SELECT 'C1' AS customer_id, TIMESTAMP '2024-07-01 12:00:00' AS event_time, "
        f"10 AS amount) TO '{path}' (FORMAT parquet)"
    )
    connection.close()
    ingest(path, timezone="America/New_York")
    assert query("SELECT event_time FROM events") == [(datetime(2024, 7, 1, 16, tzinfo=UTC),)]


def test_xlsx_first_sheet_is_read_as_text(ingest, query, tmp_path):
    path = tmp_path / "orders.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Orders"
    sheet.append(["CustomerID", "InvoiceDate", "Quantity", "UnitPrice", "Country"])
    sheet.append(["00017", datetime(2024, 1, 5, 10, 30), 3, 2.5, "UK"])
    sheet.append([None, None, None, None, None])
    sheet.append(["00018", "2024-01-06", 1, 10, "NL"])
    workbook.create_sheet("Notes").append(["not loaded"])
    workbook.save(path)

    result = ingest(path, mapping={"amount": "Quantity*UnitPrice"})
    assert result.source_format == "xlsx"
    assert_accounted(result)
    assert result.rows_read == 2
    assert any("first sheet, 'Orders'" in warning for warning in result.warnings)
    rows = query(
        "SELECT source_line, customer_id, event_time, amount, attributes['country'] "
        "FROM events ORDER BY source_line"
    )
    assert rows == [
        (2, "00017", datetime(2024, 1, 5, 10, 30, tzinfo=UTC), Decimal("7.5000"), "UK"),
        (4, "00018", datetime(2024, 1, 6, tzinfo=UTC), Decimal("10.0000"), "NL"),
    ]
