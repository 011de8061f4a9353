"""The import log command: listing imports and removing one."""

from __future__ import annotations

import json

import duckdb

from analytics.cli import main
from analytics.store.imports import list_imports, remove_import

FIRST_FILE = (
    "event_id,customer_id,timestamp,event_type,amount\n"
    "a1,U1,2024-07-01T10:00:00Z,purchase,50.00\n"
    "a2,U2,2024-07-02T10:00:00Z,purchase,20.00\n"
    "a2,U2,2024-07-02T10:00:00Z,purchase,20.00\n"
    "a3,U3,2024-07-03T10:00:00Z,purchase,not-a-number\n"
)
SECOND_FILE = (
    "event_id,customer_id,timestamp,event_type,amount\nb1,U1,2024-08-01T10:00:00Z,purchase,70.00\n"
)


def _table_counts(database) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("imports", "events", "rejected_rows", "skipped_duplicates")
        }


def test_imports_lists_each_load(tmp_path, settings, database_path, capsys):
    first = tmp_path / "first.csv"
    first.write_text(FIRST_FILE)
    second = tmp_path / "second.csv"
    second.write_text(SECOND_FILE)
    assert main(["ingest", str(first)]) == 0
    assert main(["ingest", str(second)]) == 0
    capsys.readouterr()

    imports = list_imports(database_path, settings)

    assert [entry["file_name"] for entry in imports] == ["first.csv", "second.csv"]
    assert imports[0]["rows_read"] == 4
    assert imports[0]["rows_loaded"] == 2
    assert imports[0]["rows_rejected"] == 1
    assert imports[0]["duplicates_skipped"] == 1


def test_remove_import_deletes_only_its_rows(tmp_path, settings, database_path, capsys):
    first = tmp_path / "first.csv"
    first.write_text(FIRST_FILE)
    second = tmp_path / "second.csv"
    second.write_text(SECOND_FILE)
    assert main(["ingest", str(first)]) == 0
    assert main(["ingest", str(second)]) == 0
    first_id = list_imports(database_path, settings)[0]["import_id"]

    removed = remove_import(database_path, first_id, settings)

    assert removed["events_removed"] == 2
    assert removed["rejected_rows_removed"] == 1
    assert removed["skipped_duplicates_removed"] == 1
    assert _table_counts(database_path) == {
        "imports": 1,
        "events": 1,
        "rejected_rows": 0,
        "skipped_duplicates": 0,
    }


def test_removed_file_can_be_loaded_again(tmp_path, settings, database_path, capsys):
    first = tmp_path / "first.csv"
    first.write_text(FIRST_FILE)
    assert main(["ingest", str(first)]) == 0
    first_id = list_imports(database_path, settings)[0]["import_id"]
    assert main(["imports", "--remove", str(first_id)]) == 0
    capsys.readouterr()

    assert main(["ingest", str(first), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)

    assert result["already_loaded"] is False
    assert result["rows_loaded"] == 2
    assert result["duplicates_skipped"] == 1


def test_remove_unknown_import_is_rejected(tmp_path, database_path, capsys):
    first = tmp_path / "first.csv"
    first.write_text(FIRST_FILE)
    assert main(["ingest", str(first)]) == 0
    before = _table_counts(database_path)
    capsys.readouterr()

    status = main(["imports", "--remove", "999"])

    assert status == 2
    assert "No import has id 999" in capsys.readouterr().err
    assert _table_counts(database_path) == before
