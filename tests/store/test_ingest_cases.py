"""The input cases whose faults sit in the ingest path, each with the stored values its
description states."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from ingest_support import CASES_DIR, assert_accounted


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_bom_header_loads_clean_values(ingest, query):
    result = ingest(CASES_DIR / "bom_header.csv")
    assert (result.rows_read, result.rows_loaded) == (6, 6)
    assert (result.rows_rejected, result.duplicates_skipped) == (0, 0)
    assert result.mapping["customer_id"] == "customer_id"
    assert "\ufeff" not in "".join(result.mapping.values())
    rows = query("SELECT event_type, amount FROM events WHERE customer_id = 'A3'")
    assert rows == [("purchase", Decimal("30.0000"))]
    with_cr = query(
        "SELECT count(*) FROM events WHERE contains(customer_id || event_type, chr(13))"
    )
    assert with_cr == [(0,)]
    signups = query("SELECT count(*), sum(amount) FROM events WHERE event_type = 'signup'")
    assert signups == [(2, Decimal("0.0000"))]


def test_semicolon_decimal_comma_values(ingest, query):
    result = ingest(CASES_DIR / "semicolon_decimal_comma.csv")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 5, 0)
    assert result.duplicates_skipped == 0
    assert result.date_order == "dmy"
    rows = query(
        "SELECT amount, event_time, event_type, attributes['country'] FROM events "
        "ORDER BY source_line"
    )
    assert [row[0] for row in rows] == [
        Decimal("19.90"),
        Decimal("5.10"),
        Decimal("1234.50"),
        Decimal("0.99"),
        Decimal("-0.99"),
    ]
    assert [row[1] for row in rows] == [
        _utc("2024-02-03T09:15"),
        _utc("2024-03-15T18:40"),
        _utc("2024-02-28T11:00"),
        _utc("2024-03-01T08:05"),
        _utc("2024-03-12T20:30"),
    ]
    assert rows[4][2] == "refund"
    assert {row[3] for row in rows} == {"DE", "AT"}


CP1252_VALUES = [
    ("Zürich", "Café Crème"),
    ("München", "Straße"),
    ("Zürich", "Café Crème"),
    ("Genève", "Noël €5 off"),
]


def test_cp1252_with_encoding_option_stores_accented_values(ingest, query):
    result = ingest(CASES_DIR / "cp1252_excel.csv", encoding="cp1252")
    assert (result.rows_read, result.rows_loaded) == (4, 4)
    assert result.warnings == []
    rows = query(
        "SELECT attributes['city'], attributes['campaign'] FROM events ORDER BY source_line"
    )
    assert rows == CP1252_VALUES


def test_cp1252_without_option_is_detected_and_warned(ingest, query):
    result = ingest(CASES_DIR / "cp1252_excel.csv")
    assert (result.rows_read, result.rows_loaded) == (4, 4)
    assert result.encoding == "cp1252"
    assert any("Windows-1252" in warning for warning in result.warnings)
    rows = query(
        "SELECT attributes['city'], attributes['campaign'] FROM events ORDER BY source_line"
    )
    assert rows == CP1252_VALUES
    stored = "".join(city + campaign for city, campaign in rows)
    assert "\ufffd" not in stored
    assert "\x80" not in stored


def test_cp1252_revenue_by_campaign_and_city(ingest, query):
    ingest(CASES_DIR / "cp1252_excel.csv")
    by_campaign = query(
        "SELECT attributes['campaign'], sum(amount), count(*) FROM events GROUP BY 1 ORDER BY 1"
    )
    assert by_campaign == [
        ("Café Crème", Decimal("22.0000"), 2),
        ("Noël €5 off", Decimal("30.0000"), 1),
        ("Straße", Decimal("8.0000"), 1),
    ]
    by_city = query("SELECT attributes['city'], sum(amount) FROM events GROUP BY 1 ORDER BY 1")
    assert by_city == [
        ("Genève", Decimal("30.0000")),
        ("München", Decimal("8.0000")),
        ("Zürich", Decimal("22.0000")),
    ]


def test_quoted_newlines_are_four_records_with_their_values(ingest, query):
    result = ingest(CASES_DIR / "quoted_newlines.csv")
    assert (result.rows_read, result.rows_loaded) == (4, 4)
    rows = query(
        "SELECT customer_id, event_type, attributes['campaign'], attributes['note'] "
        "FROM events ORDER BY source_line"
    )
    assert [row[2] for row in rows] == [
        "Summer, wave 1",
        "Summer, wave 2",
        "Summer, wave 1",
        "Organic",
    ]
    assert rows[1][3] == "asked for invoice\nsent by email"
    assert rows[2][3] == 'said "great" service'
    assert rows[3][3] in (None, "")
    assert rows[3][1] == "subscription_start"


def test_quoted_newlines_report_the_physical_start_line(ingest, query):
    ingest(CASES_DIR / "quoted_newlines.csv")
    lines = query("SELECT customer_id, source_line FROM events ORDER BY source_line")
    # Q2's record spans lines 3 and 4, so the next record starts on line 5.
    assert lines == [("Q1", 2), ("Q2", 3), ("Q1", 5), ("Q3", 6)]


def test_duplicate_event_ids_are_skipped_and_named(ingest, query):
    result = ingest(CASES_DIR / "duplicate_event_ids.csv")
    assert (result.rows_read, result.rows_loaded) == (8, 5)
    assert (result.duplicates_skipped, result.rows_rejected) == (3, 0)
    assert result.duplicate_event_ids == ["e002", "e005"]
    ids = query("SELECT event_id FROM events ORDER BY event_id")
    assert ids == [("e001",), ("e002",), ("e003",), ("e004",), ("e005",)]
    assert query("SELECT sum(amount) FROM events") == [(Decimal("220.0000"),)]
    skipped = query("SELECT line, event_id FROM skipped_duplicates ORDER BY line")
    assert skipped == [(4, "e002"), (8, "e005"), (9, "e005")]


def test_duplicate_event_ids_second_load_changes_nothing(ingest, query):
    first = ingest(CASES_DIR / "duplicate_event_ids.csv")
    second = ingest(CASES_DIR / "duplicate_event_ids.csv")
    assert second.already_loaded
    assert second.import_id is None
    assert second.previous_import_id == first.import_id
    assert second.rows_loaded == 0
    assert query("SELECT sum(amount), count(*) FROM events") == [(Decimal("220.0000"), 5)]
    assert query("SELECT count(*) FROM imports") == [(1,)]


def test_refunds_keep_sign_and_negative_purchase_becomes_refund(ingest, query):
    result = ingest(CASES_DIR / "refunds.csv")
    assert (result.rows_read, result.rows_loaded) == (7, 7)
    refunds = query(
        "SELECT customer_id, amount FROM events WHERE event_type = 'refund' ORDER BY source_line"
    )
    assert refunds == [("R1", Decimal("-40.0000")), ("R2", Decimal("-80.0000"))]
    purchases = query(
        "SELECT count(*), sum(amount) FROM events WHERE event_type = 'purchase' AND amount > 0"
    )
    assert purchases == [(5, Decimal("320.0000"))]
    net = query(
        "SELECT sum(CASE WHEN event_type = 'refund' THEN -abs(amount) ELSE amount END) FROM events"
    )
    assert net == [(Decimal("200.0000"),)]


def test_free_orders_are_loaded_as_zero_amount_purchases(ingest, query):
    result = ingest(CASES_DIR / "free_orders.csv")
    assert (result.rows_read, result.rows_loaded) == (6, 6)
    free = query(
        "SELECT customer_id FROM events WHERE event_type = 'purchase' AND amount = 0 "
        "ORDER BY source_line"
    )
    assert free == [("Z1",), ("Z2",), ("Z4",)]
    assert query("SELECT sum(amount) FROM events") == [(Decimal("90.0000"),)]


@pytest.mark.parametrize(
    ("name", "rows", "cancels"),
    [
        ("one_time_buyers.csv", 5, 0),
        ("joined_and_churned.csv", 10, 3),
        ("partial_last_period.csv", 10, 0),
        ("no_churn_yet.csv", 11, 0),
        ("invented_numbers.csv", 9, 1),
    ],
)
def test_other_cases_load_every_row(ingest, query, name, rows, cancels):
    result = ingest(CASES_DIR / name)
    assert_accounted(result)
    assert (result.rows_read, result.rows_loaded) == (rows, rows)
    stored = query("SELECT count(*) FROM events WHERE event_type = 'subscription_cancel'")
    assert stored == [(cancels,)]


@pytest.mark.parametrize("path", sorted(CASES_DIR.glob("*.csv")), ids=lambda path: path.name)
def test_every_case_file_accounts_for_every_row(ingest, path):
    result = ingest(path)
    assert_accounted(result)
    assert result.rows_read > 0
