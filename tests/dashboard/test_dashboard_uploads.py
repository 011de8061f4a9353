"""Checks and choices of the Upload page that need no browser."""

from __future__ import annotations

import os
import time

from analytics.config import Settings
from analytics.errors import InvalidInputError
from dashboard.uploads import (
    MappingChoice,
    error_message,
    safe_file_name,
    save_upload,
    size_problem,
    split_product,
)


def test_empty_file_message():
    message = size_problem("orders.csv", 0, 1024)

    assert message is not None
    assert "'orders.csv'" in message
    assert "empty" in message


def test_oversized_file_message():
    message = size_problem("big.csv", 3 * 1024**2, 2 * 1024**2)

    assert message is not None
    assert "3.0 MB" in message
    assert "2.0 MB" in message
    assert "max_upload_bytes" in message


def test_file_at_the_limit_is_accepted():
    assert size_problem("fits.csv", 2048, 2048) is None


def test_upload_name_stays_in_folder():
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\Users\\me\\orders.csv") == "orders.csv"
    assert safe_file_name("..") == "upload"
    assert safe_file_name("bad\x00name.csv") == "badname.csv"


def test_mapping_lists_every_field():
    choice = MappingChoice(
        columns={"customer_id": "customer", "event_time": "order_date", "amount": "total"}
    )

    mapping = choice.to_mapping()

    assert mapping["customer_id"] == "customer"
    assert mapping["event_type"] == ""
    assert mapping["currency"] == ""
    assert choice.problems() == []


def test_amount_as_quantity_times_unit_price():
    choice = MappingChoice(
        columns={"customer_id": "id", "event_time": "date"},
        amount_is_product=True,
        quantity_column="qty",
        unit_price_column="price",
    )

    assert choice.to_mapping()["amount"] == "qty*price"
    assert split_product("qty*price") == ("qty", "price")
    assert split_product("total") is None
    assert choice.problems() == []


def test_mapping_problems_reported():
    choice = MappingChoice(columns={"customer_id": "id", "event_id": "id", "amount": "total"})

    problems = choice.problems()

    assert "Choose the column for event_time." in problems
    assert "Column 'id' is mapped to more than one field." in problems


def test_product_amount_needs_both_columns():
    choice = MappingChoice(
        columns={"customer_id": "id", "event_time": "date"},
        amount_is_product=True,
        quantity_column="qty",
    )

    assert choice.problems() == ["Choose both the quantity and the unit price columns."]


def test_error_message_adds_location():
    error = InvalidInputError("Value is not a date.", file="x.csv", line=7, column="when")

    assert error_message(error) == "Value is not a date. (line 7, column 'when')"


def test_error_message_keeps_location():
    error = InvalidInputError("x.csv line 7, column 'when': not a date.", line=7, column="when")

    assert error_message(error) == "x.csv line 7, column 'when': not a date."


def test_preview_mapping_omits_unchosen_fields():
    choice = MappingChoice(columns={"customer_id": "id", "event_time": "", "currency": ""})

    mapping = choice.to_preview_mapping()

    assert mapping["customer_id"] == "id"
    assert mapping["currency"] == ""
    assert "event_time" not in mapping
    assert "amount" not in mapping


def test_stale_upload_folders_are_pruned(settings: Settings):
    old = save_upload(settings, "old.csv", b"a,b\n")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old.parent, (two_days_ago, two_days_ago))

    fresh = save_upload(settings, "new.csv", b"a,b\n")

    assert not old.parent.exists()
    assert fresh.read_bytes() == b"a,b\n"
