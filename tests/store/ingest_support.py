"""Helpers shared by the ingest tests."""

from __future__ import annotations

from pathlib import Path

import duckdb

from analytics.config import Settings
from analytics.store.ingest import IngestResult

SHARED_ROOT = Path(__file__).resolve().parents[3] / "shared"
CASES_DIR = SHARED_ROOT / "cases"
CDNOW_DIR = SHARED_ROOT / "data" / "cdnow"
TABLES = ("events", "imports", "rejected_rows", "skipped_duplicates", "schema_migrations")


def snapshot(settings: Settings) -> dict[str, list[tuple]] | None:
    """Every row of every GrowthLens table, sorted, or None when the database does not exist."""
    if not settings.database_path.exists():
        return None
    connection = duckdb.connect(str(settings.database_path), read_only=True)
    try:
        connection.execute("SET TimeZone = 'UTC'")
        tables = {}
        for table in TABLES:
            if table == "schema_migrations":
                sql = "SELECT version, name FROM schema_migrations"
            else:
                sql = f"SELECT * FROM {table}"
            tables[table] = sorted(connection.execute(sql).fetchall(), key=repr)
        tables["next_import_id"] = connection.execute(
            "SELECT start_value, last_value FROM duckdb_sequences() "
            "WHERE sequence_name = 'import_id_sequence'"
        ).fetchall()
        return tables
    finally:
        connection.close()


def assert_accounted(result: IngestResult) -> None:
    """Every row read is loaded, rejected or skipped as a duplicate."""
    assert result.rows_read == (
        result.rows_loaded + result.rows_rejected + result.duplicates_skipped
    )
