"""The schema that the migrations build, table by table and column by column."""

from __future__ import annotations

import duckdb

from analytics.store import MIGRATIONS, applied_migrations, ensure_database, migrate

EXPECTED_COLUMNS = {
    "events": [
        ("import_id", "BIGINT", "NO"),
        ("source_line", "BIGINT", "NO"),
        ("event_id", "VARCHAR", "YES"),
        ("customer_id", "VARCHAR", "NO"),
        ("event_time", "TIMESTAMP WITH TIME ZONE", "NO"),
        ("event_type", "VARCHAR", "NO"),
        ("amount", "DECIMAL(18,4)", "NO"),
        ("currency", "VARCHAR", "YES"),
        ("attributes", "MAP(VARCHAR, VARCHAR)", "YES"),
    ],
    "imports": [
        ("import_id", "BIGINT", "NO"),
        ("file_name", "VARCHAR", "NO"),
        ("content_hash", "VARCHAR", "NO"),
        ("source_format", "VARCHAR", "NO"),
        ("started_at", "TIMESTAMP WITH TIME ZONE", "NO"),
        ("finished_at", "TIMESTAMP WITH TIME ZONE", "NO"),
        ("rows_read", "BIGINT", "NO"),
        ("rows_loaded", "BIGINT", "NO"),
        ("rows_rejected", "BIGINT", "NO"),
        ("duplicates_skipped", "BIGINT", "NO"),
        ("options", "JSON", "NO"),
        ("warnings", "JSON", "NO"),
    ],
    "rejected_rows": [
        ("import_id", "BIGINT", "NO"),
        ("line", "BIGINT", "NO"),
        ("column_name", "VARCHAR", "YES"),
        ("reason", "VARCHAR", "NO"),
        ("raw_text", "VARCHAR", "YES"),
    ],
    "schema_migrations": [
        ("version", "INTEGER", "NO"),
        ("name", "VARCHAR", "NO"),
        ("applied_at", "TIMESTAMP WITH TIME ZONE", "NO"),
    ],
    "skipped_duplicates": [
        ("import_id", "BIGINT", "NO"),
        ("line", "BIGINT", "NO"),
        ("event_id", "VARCHAR", "NO"),
    ],
}


def _columns(connection: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str, str]]]:
    rows = connection.execute(
        """
        SELECT table_name, column_name, data_type, is_nullable
        FROM information_schema.columns
        WHERE table_schema = 'main'
        ORDER BY table_name, ordinal_position
        """
    ).fetchall()
    tables: dict[str, list[tuple[str, str, str]]] = {}
    for table, column, data_type, nullable in rows:
        tables.setdefault(table, []).append((column, data_type, nullable))
    return tables


def test_migrations_build_every_table_and_column(database_path):
    ensure_database(database_path)
    connection = duckdb.connect(str(database_path), read_only=True)
    try:
        assert _columns(connection) == EXPECTED_COLUMNS
        sequences = connection.execute(
            "SELECT sequence_name, start_value FROM duckdb_sequences()"
        ).fetchall()
        assert sequences == [("import_id_sequence", 1)]
    finally:
        connection.close()


def test_migrations_are_recorded_in_order_and_applied_once():
    connection = duckdb.connect()
    applied = migrate(connection)
    assert applied == [migration.__name__ for migration in MIGRATIONS]
    assert migrate(connection) == []
    recorded = applied_migrations(connection)
    assert recorded == [(version, name) for version, name in enumerate(applied, start=1)]


def test_event_type_check_rejects_unknown_types():
    connection = duckdb.connect()
    migrate(connection)
    try:
        connection.execute(
            "INSERT INTO events (import_id, source_line, customer_id, event_time, event_type, "
            "amount) VALUES (1, 2, 'C', TIMESTAMPTZ '2024-01-01 00:00:00+00', 'click', 0)"
        )
        raised = False
    except duckdb.ConstraintException:
        raised = True
    assert raised
