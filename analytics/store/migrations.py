"""Ordered, named schema migrations, each recorded in ``schema_migrations`` when applied.

Add a migration by appending a function to MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

EVENT_TYPES = ("signup", "purchase", "refund", "subscription_start", "subscription_cancel")


def m001_initial(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the events table, the import log, rejected rows and skipped duplicates."""
    event_types = ", ".join(f"'{name}'" for name in EVENT_TYPES)
    connection.execute("CREATE SEQUENCE import_id_sequence START 1")
    connection.execute(
        """
        CREATE TABLE imports (
            import_id BIGINT PRIMARY KEY,
            file_name VARCHAR NOT NULL,        -- base name of the file as the user gave it
            content_hash VARCHAR NOT NULL,     -- SHA-256 of the file's bytes, hex
            source_format VARCHAR NOT NULL,    -- csv, text, parquet or xlsx
            started_at TIMESTAMPTZ NOT NULL,   -- UTC
            finished_at TIMESTAMPTZ NOT NULL,  -- UTC
            rows_read BIGINT NOT NULL,
            rows_loaded BIGINT NOT NULL,
            rows_rejected BIGINT NOT NULL,
            duplicates_skipped BIGINT NOT NULL,
            options JSON NOT NULL,             -- mapping, encoding, date order, time zone
            warnings JSON NOT NULL             -- list of strings shown to the user
        )
        """
    )
    connection.execute(
        f"""
        CREATE TABLE events (
            import_id BIGINT NOT NULL,
            source_line BIGINT NOT NULL,       -- line (text files) or row (others) in the file; header is 1
            event_id VARCHAR,                  -- order or invoice id; unique when present
            customer_id VARCHAR NOT NULL,      -- always text: leading zeros and long ids survive
            event_time TIMESTAMPTZ NOT NULL,   -- instant, UTC
            event_type VARCHAR NOT NULL CHECK (event_type IN ({event_types})),
            amount DECIMAL(18, 4) NOT NULL,    -- currency units as in the file; refunds keep their sign
            currency VARCHAR,
            attributes MAP(VARCHAR, VARCHAR)   -- channel, country, plan, campaign and any other column
        )
        """
    )
    connection.execute(
        """
        CREATE TABLE rejected_rows (
            import_id BIGINT NOT NULL,
            line BIGINT NOT NULL,              -- header is line 1
            column_name VARCHAR,               -- null when the whole row is at fault
            reason VARCHAR NOT NULL,
            raw_text VARCHAR                   -- the row as read, for download
        )
        """
    )
    connection.execute(
        """
        CREATE TABLE skipped_duplicates (
            import_id BIGINT NOT NULL,
            line BIGINT NOT NULL,
            event_id VARCHAR NOT NULL
        )
        """
    )


Migration = Callable[[duckdb.DuckDBPyConnection], None]

MIGRATIONS: list[Migration] = [m001_initial]


def applied_migrations(connection: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """Return (version, name) of every migration recorded in the database, in order."""
    exists = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return []
    return connection.execute(
        "SELECT version, name FROM schema_migrations ORDER BY version"
    ).fetchall()


def migrate(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every migration not yet recorded, each in its own transaction; return their names."""
    connection.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name VARCHAR NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
        )
        """
    )
    done = {version for version, _ in applied_migrations(connection)}
    applied = []
    for version, migration in enumerate(MIGRATIONS, start=1):
        if version in done:
            continue
        connection.execute("BEGIN TRANSACTION")
        try:
            migration(connection)
            connection.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                [version, migration.__name__],
            )
            connection.execute("COMMIT")
        except Exception:
            connection.execute("ROLLBACK")
            raise
        applied.append(migration.__name__)
    return applied
