"""Fixtures for store tests: load a file into the test's database and read tables back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from analytics.config import Settings
from analytics.store.ingest import IngestOptions, IngestResult, ingest_file


@pytest.fixture
def ingest(settings: Settings) -> Callable[..., IngestResult]:
    """Load a file into the test database with the given IngestOptions fields, and check
    that the result accounts for every row read."""

    def run(path: Path, **options) -> IngestResult:
        result = ingest_file(path, IngestOptions(**options), settings)
        # Every row read is loaded, rejected or skipped as a duplicate, in every test.
        assert result.rows_read == (
            result.rows_loaded + result.rows_rejected + result.duplicates_skipped
        )
        return result

    return run


@pytest.fixture
def query(settings: Settings) -> Callable[..., list[tuple]]:
    """Run a read-only query on the test database (in UTC) and return all rows."""

    def run(sql: str, parameters: list | None = None) -> list[tuple]:
        connection = duckdb.connect(str(settings.database_path), read_only=True)
        try:
            connection.execute("SET TimeZone = 'UTC'")
            return connection.execute(sql, parameters).fetchall()
        finally:
            connection.close()

    return run


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in the test's folder and return its path."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / "input" / name
        path.parent.mkdir(exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return write
