"""Store errors shown on a page name dashboard controls, not command-line options."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analytics.errors import InvalidInputError
from analytics.store.connection import connect
from dashboard.messages import dashboard_message


def store_error(path: Path) -> str:
    with pytest.raises(InvalidInputError) as caught, connect(path, read_only=True):
        pass
    return dashboard_message(caught.value)


def assert_dashboard_words(message: str) -> None:
    assert "growthlens " not in message
    assert "--db" not in message
    assert "Upload page" in message


def test_missing_database_points_to_upload(tmp_path: Path):
    message = store_error(tmp_path / "missing.duckdb")

    assert message.startswith("No database at")
    assert_dashboard_words(message)


def test_text_file_as_database_points_to_upload(tmp_path: Path):
    path = tmp_path / "orders.duckdb"
    path.write_bytes(b"customer_id,amount\nA,1\n" * 300)

    message = store_error(path)

    assert "is not a GrowthLens database" in message
    assert_dashboard_words(message)


def test_database_without_events_points_to_upload(tmp_path: Path):
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE orders (id INTEGER)")

    message = store_error(path)

    assert "without an events table" in message
    assert_dashboard_words(message)


def test_options_become_control_labels():
    message = dashboard_message("No period to report between --from/--to; try --grain month.")

    assert message == (
        "No period to report between the From and To dates; try grain (the Grain filter) month."
    )
