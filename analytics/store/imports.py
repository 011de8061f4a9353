"""The import log: list what was loaded, and take one import back out."""

from __future__ import annotations

import json
from pathlib import Path

from analytics.config import Settings
from analytics.errors import InvalidInputError
from analytics.store.connection import connect

# Tables whose rows belong to one import, with the statements that count and delete them.
IMPORT_TABLES = {
    "events": (
        "SELECT count(*) FROM events WHERE import_id = ?",
        "DELETE FROM events WHERE import_id = ?",
    ),
    "rejected_rows": (
        "SELECT count(*) FROM rejected_rows WHERE import_id = ?",
        "DELETE FROM rejected_rows WHERE import_id = ?",
    ),
    "skipped_duplicates": (
        "SELECT count(*) FROM skipped_duplicates WHERE import_id = ?",
        "DELETE FROM skipped_duplicates WHERE import_id = ?",
    ),
}


def list_imports(database: Path, settings: Settings) -> list[dict]:
    """Return every import in the log, oldest first, with its counts and warnings."""
    if not Path(database).is_file():
        return []
    with connect(database, read_only=True, settings=settings) as connection:
        rows = connection.execute(
            """
            SELECT import_id, file_name, content_hash, source_format, started_at, finished_at,
                   rows_read, rows_loaded, rows_rejected, duplicates_skipped, warnings
            FROM imports
            ORDER BY import_id
            """
        ).fetchall()
    names = [
        "import_id",
        "file_name",
        "content_hash",
        "source_format",
        "started_at",
        "finished_at",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "duplicates_skipped",
        "warnings",
    ]
    imports = []
    for row in rows:
        entry = dict(zip(names, row, strict=True))
        entry["warnings"] = json.loads(entry["warnings"]) if entry["warnings"] else []
        imports.append(entry)
    return imports


def remove_import(database: Path, import_id: int, settings: Settings) -> dict:
    """Delete one import's events, rejected rows, skipped duplicates and log entry, in one
    transaction, and return how many rows were removed from each table.

    Afterwards the same file can be loaded again, and its event ids no longer count as
    duplicates. Raises InvalidInputError when no import has that id.
    """
    if not Path(database).is_file():
        raise InvalidInputError(
            f"Database '{database}' does not exist, so there is no import to remove."
        )
    lock_timeout = settings.limits.lock_timeout_seconds
    with connect(database, lock_timeout=lock_timeout, settings=settings) as connection:
        connection.execute("BEGIN TRANSACTION")
        try:
            found = connection.execute(
                "SELECT file_name FROM imports WHERE import_id = ?", [import_id]
            ).fetchone()
            if found is None:
                raise InvalidInputError(
                    f"No import has id {import_id}. List the imports with 'growthlens imports'."
                )
            removed = {"import_id": import_id, "file_name": found[0]}
            for table, (count_sql, delete_sql) in IMPORT_TABLES.items():
                (count,) = connection.execute(count_sql, [import_id]).fetchone()
                connection.execute(delete_sql, [import_id])
                removed[f"{table}_removed"] = count
            connection.execute("DELETE FROM imports WHERE import_id = ?", [import_id])
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return removed
