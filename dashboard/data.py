"""Data sets the dashboard can show, their data versions and cached summaries.

Every read opens a short-lived read-only connection. Cached results are keyed by the
database path and a data version (import count, latest import id and time, which change
with every import), so an import invalidates them without a restart.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import streamlit as st

from analytics.config import Settings
from analytics.store import connect, ensure_database

logger = logging.getLogger(__name__)

SCRATCH_FOLDER_NAME = "scratch"
SCRATCH_NAME_MAX_CHARS = 64
SCRATCH_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# Hex digits of the content fingerprint in a scratch name. 48 bits give two different
# uploads with the same file name the same scratch name with a chance of about 1 in 10^14.
SCRATCH_FINGERPRINT_CHARS = 12


@dataclass(frozen=True)
class DataSet:
    """A database the pages can show: the workspace or one file analysed on its own."""

    path: Path
    scratch_name: str | None = None  # None for the workspace database

    @property
    def is_workspace(self) -> bool:
        return self.scratch_name is None


@dataclass(frozen=True)
class DataVersion:
    """Changes whenever an import lands, so caches keyed by it invalidate."""

    imports: int
    latest_import_id: int
    latest_import_at: str | None = None  # differs for a scratch database created again


@dataclass(frozen=True)
class DataSummary:
    """Facts about a database that the sidebar and the empty states show."""

    events: int
    first_day: date | None  # in the reporting time zone
    last_day: date | None
    latest_file_name: str | None


def workspace_dataset(settings: Settings) -> DataSet:
    return DataSet(path=settings.database_path)


def scratch_folder(settings: Settings) -> Path:
    return settings.home / SCRATCH_FOLDER_NAME


def scratch_name_for(file_name: str, fingerprint: str) -> str:
    """Return the scratch database name for an uploaded file.

    The name is the file's stem as a safe slug, then the start of ``fingerprint``, a hex
    digest of the file's bytes and load options.

    Two different files with the same name therefore get different data sets, and a
    shared ``?dataset=`` link keeps showing the data it was made with.
    """
    suffix = fingerprint[:SCRATCH_FINGERPRINT_CHARS].lower()
    if not re.fullmatch(r"[0-9a-f]+", suffix):
        raise ValueError(f"Invalid fingerprint {fingerprint!r}: expected a hex digest.")
    stem = Path(file_name).stem.lower()
    room = SCRATCH_NAME_MAX_CHARS - len(suffix) - 1
    slug = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_")[:room].rstrip("-_")
    return f"{slug or 'upload'}-{suffix}"


def scratch_dataset(settings: Settings, name: str) -> DataSet:
    """Return the scratch data set called ``name``; the name must be a slug."""
    if not SCRATCH_NAME_PATTERN.match(name):
        raise ValueError(f"Invalid scratch data set name {name!r}: expected a lowercase slug.")
    return DataSet(path=scratch_folder(settings) / f"{name}.duckdb", scratch_name=name)


def dataset_from_query(settings: Settings, name: str | None) -> tuple[DataSet, str | None]:
    """Return the data set a URL names, or the workspace and a message if it cannot be shown."""
    workspace = workspace_dataset(settings)
    if not name:
        return workspace, None
    if not SCRATCH_NAME_PATTERN.match(name):
        return workspace, f"Ignored data set '{name}': not a valid name. Showing the workspace."
    dataset = scratch_dataset(settings, name)
    if not dataset.path.is_file():
        return workspace, (
            f"Data set '{name}' was not found in {scratch_folder(settings)}. "
            "Showing the workspace; upload the file again to analyse it on its own."
        )
    return dataset, None


def file_signature(path: Path) -> tuple:
    """Return the modification time and size of a database file and its write-ahead log.

    A committed import changes one of them, and reading changes neither, so the data
    version is read again only when the signature changes.
    """
    signature = []
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            stat = candidate.stat()
        except FileNotFoundError:
            signature.append(None)
        else:
            signature.append((stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


def read_data_version(path: Path) -> DataVersion:
    """Return the data version of the database at ``path``; a missing file is empty."""
    if not path.is_file():
        return DataVersion(0, 0)
    return _read_data_version(str(path), file_signature(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _read_data_version(database: str, signature: tuple) -> DataVersion:
    del signature  # part of the cache key only
    path = Path(database)
    query = (
        "SELECT count(*), coalesce(max(import_id), 0), CAST(max(finished_at) AS VARCHAR) "
        "FROM imports"
    )
    try:
        with connect(path, read_only=True) as connection:
            imports, latest, finished = connection.execute(query).fetchone()
    except duckdb.CatalogException:
        # A database created before the import log existed: bring its schema up to date.
        logger.info("migrating database %s before reading it", path)
        ensure_database(path)
        with connect(path, read_only=True) as connection:
            imports, latest, finished = connection.execute(query).fetchone()
    return DataVersion(int(imports), int(latest), finished)


@st.cache_data(show_spinner=False, max_entries=32)
def read_summary(database: str, version: DataVersion, timezone: str) -> DataSummary:
    """Return the event count, the first and last event day and the latest file name."""
    del version  # part of the cache key only
    path = Path(database)
    if not path.is_file():
        return DataSummary(0, None, None, None)
    with connect(path, read_only=True) as connection:
        events, first_time, last_time = connection.execute(
            "SELECT count(*), min(event_time), max(event_time) FROM events"
        ).fetchone()
        latest = connection.execute(
            "SELECT file_name FROM imports ORDER BY import_id DESC LIMIT 1"
        ).fetchone()
    return DataSummary(
        events=int(events),
        first_day=_local_day(first_time, timezone),
        last_day=_local_day(last_time, timezone),
        latest_file_name=latest[0] if latest else None,
    )


def read_import_record(path: Path, content_hash: str) -> dict | None:
    """Return the import log entry of the file with ``content_hash`` in the database at
    ``path``, or None when the database is missing or never loaded those bytes."""
    if not path.is_file():
        return None
    with connect(path, read_only=True) as connection:
        record = connection.execute(
            "SELECT import_id, file_name, source_format, rows_read, rows_loaded, rows_rejected, "
            "duplicates_skipped, options, warnings FROM imports WHERE content_hash = ? "
            "ORDER BY import_id LIMIT 1",
            [content_hash],
        ).fetchone()
    if record is None:
        return None
    names = (
        "import_id",
        "file_name",
        "source_format",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "duplicates_skipped",
        "options",
        "warnings",
    )
    entry = dict(zip(names, record, strict=True))
    entry["options"] = json.loads(entry["options"])
    entry["warnings"] = json.loads(entry["warnings"])
    return entry


def read_duplicate_ids(path: Path, import_id: int, limit: int) -> tuple[list[str], int]:
    """Return up to ``limit`` event ids that one import skipped as duplicates, in file
    order, and the number of distinct ids it skipped."""
    with connect(path, read_only=True) as connection:
        listed = connection.execute(
            "SELECT event_id FROM skipped_duplicates WHERE import_id = ? "
            "GROUP BY event_id ORDER BY min(line) LIMIT ?",
            [import_id, limit],
        ).fetchall()
        (total,) = connection.execute(
            "SELECT count(DISTINCT event_id) FROM skipped_duplicates WHERE import_id = ?",
            [import_id],
        ).fetchone()
    return [event_id for (event_id,) in listed], int(total)


def read_rejected_rows(path: Path, import_id: int) -> list[dict]:
    """Return every rejected row of one import: line, column, reason and the row as read."""
    with connect(path, read_only=True) as connection:
        records = connection.execute(
            "SELECT line, column_name, reason, raw_text FROM rejected_rows "
            "WHERE import_id = ? ORDER BY line",
            [import_id],
        ).fetchall()
    return [
        {"line": line, "column": column, "reason": reason, "raw_text": raw_text}
        for line, column, reason, raw_text in records
    ]


def _local_day(instant: datetime | None, timezone: str) -> date | None:
    if instant is None:
        return None
    try:
        zone = ZoneInfo(timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")  # the metrics call reports the invalid zone to the user
    return instant.astimezone(zone).date()
