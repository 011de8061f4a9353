"""Column mapping: guessed from common names, given with FIELD=COLUMN, and refused when a
column is missing."""

from __future__ import annotations

import pytest

from analytics.errors import InvalidInputError
from analytics.store.ingest.mapping import build_mapping, repeated_name_warnings, require_complete


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (
            ("CustomerID", "InvoiceDate", "InvoiceNo", "Revenue", "Country"),
            {"customer_id": 0, "event_time": 1, "event_id": 2, "amount": 3},
        ),
        (
            ("user_id", "created_at", "type", "total"),
            {"customer_id": 0, "event_time": 1, "event_type": 2, "amount": 3},
        ),
        (
            ("client_id", "Order Date", "Dollar Value", "Currency"),
            {"customer_id": 0, "event_time": 1, "amount": 2, "currency": 3},
        ),
        (
            ("customer", "date", "price", "order_id", "event"),
            {"customer_id": 0, "event_time": 1, "amount": 2, "event_id": 3, "event_type": 4},
        ),
    ],
)
def test_common_column_names_are_guessed(columns, expected):
    mapping = build_mapping(columns, {}, "file.csv")
    assert mapping.fields == expected
    assert mapping.guessed == frozenset(expected)
    assert mapping.missing_required() == []


def test_every_other_column_becomes_a_lowercase_attribute():
    columns = ("customer_id", "timestamp", "amount", "Sales Channel", "City", "city ", "")
    mapping = build_mapping(columns, {}, "file.csv")
    assert mapping.attributes == {3: "sales_channel", 4: "city", 5: "city_2", 6: "column_7"}


def test_given_mapping_overrides_the_guess():
    columns = ("customer_id", "timestamp", "order_date", "amount", "net")
    mapping = build_mapping(columns, {"event_time": "order_date", "amount": "NET"}, "f.csv")
    assert mapping.fields["event_time"] == 2
    assert mapping.fields["amount"] == 4
    assert mapping.given == frozenset({"event_time", "amount"})
    assert 1 in mapping.attributes
    assert 3 in mapping.attributes


def test_event_type_can_be_left_unmapped_on_purpose():
    columns = ("customer_id", "timestamp", "type", "amount")
    mapping = build_mapping(columns, {"event_type": ""}, "f.csv")
    assert "event_type" not in mapping.fields
    assert mapping.attributes == {2: "type"}


def test_product_amount_is_described_with_its_columns():
    columns = ("customer_id", "date", "qty", "unit price")
    mapping = build_mapping(columns, {"amount": "qty * Unit Price"}, "f.csv")
    assert mapping.amount_product == (2, 3)
    assert mapping.describe()["amount"] == "qty*unit price"
    assert mapping.missing_required() == []


def test_mapping_to_a_missing_column_lists_the_columns():
    with pytest.raises(InvalidInputError) as raised:
        build_mapping(("customer_id", "day", "amount"), {"event_time": "order_date"}, "f.csv")
    message = str(raised.value)
    assert "column 'order_date' given for event_time is not in the file" in message
    assert "'customer_id', 'day', 'amount'" in message


def test_unknown_field_is_refused():
    with pytest.raises(InvalidInputError, match="Unknown field 'price'"):
        build_mapping(("customer_id",), {"price": "customer_id"}, "f.csv")


def test_unmapped_required_field_lists_columns():
    mapping = build_mapping(("customer_id", "when", "amount"), {}, "f.csv")
    assert mapping.missing_required() == ["event_time"]
    with pytest.raises(InvalidInputError) as raised:
        require_complete(mapping, "f.csv")
    assert "no column found for event_time" in str(raised.value)
    assert "'when'" in str(raised.value)


def test_repeated_header_names_are_reported():
    mapping = build_mapping(
        ("customer_id", "customer_id", "event_time", "amount", "channel", "channel"), {}, "f.csv"
    )

    assert repeated_name_warnings(mapping) == [
        "The header names 2 columns 'customer_id' (columns 1, 2); they were loaded as "
        "customer_id, attribute 'customer_id'. Rename them in the file if that is wrong.",
        "The header names 2 columns 'channel' (columns 5, 6); they were loaded as "
        "attribute 'channel', attribute 'channel_2'. Rename them in the file if that is wrong.",
    ]


def test_distinct_header_names_give_no_warning():
    mapping = build_mapping(("customer_id", "event_time", "amount", "channel"), {}, "f.csv")

    assert repeated_name_warnings(mapping) == []


def test_repeated_header_reaches_ingest_warnings(ingest, write_file):
    path = write_file(
        "dup.csv", "customer_id,event_time,amount,channel,channel\nc1,2024-01-05,10,web,email\n"
    )

    result = ingest(path)

    assert result.rows_loaded == 1
    assert any("The header names 2 columns 'channel'" in warning for warning in result.warnings)
