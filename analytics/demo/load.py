"""Loading the demo data set into the database through the same ingest path as user files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from analytics.config import Settings
from analytics.demo.generator import DEFAULT_CUSTOMERS, DEFAULT_SEED
from analytics.demo.writer import write_events
from analytics.errors import InvalidInputError
from analytics.store.connection import connect
from analytics.store.ingest import FIELDS, IngestOptions, IngestResult, file_sha256, ingest_file

DEMO_FILE_PREFIX = "demo_events"
DEMO_MAPPING = {field: field for field in FIELDS}
"""Every event field maps to the generator's column of the same name."""


@dataclass(frozen=True)
class DemoLoad:
    """The outcome of one ``growthlens demo`` run. Without ``ingest``, nothing was written
    because the database already had events."""

    message: str
    database: Path
    events_before: int  # events in the database before this run
    file: Path | None = None
    seed: int | None = None
    ingest: IngestResult | None = None
    customers: int = 0  # distinct customers among the loaded rows
    first_event: datetime | None = None  # UTC
    last_event: datetime | None = None  # UTC

    @property
    def rows_loaded(self) -> int:
        return self.ingest.rows_loaded if self.ingest is not None else 0


def demo_file_name(seed: int, customers: int) -> str:
    """Return the demo file's name, which the import log shows for the demo's import."""
    return f"{DEMO_FILE_PREFIX}_seed{seed}_customers{customers}.parquet"


def count_events(settings: Settings) -> int:
    """Return the number of events in the settings' database, 0 when it does not exist."""
    return _database_state(settings)[0]


def load_demo(
    settings: Settings,
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    if_empty: bool = False,
) -> DemoLoad:
    """Write the demo event log to GROWTH_HOME and ingest it into the settings' database.

    With ``if_empty``, nothing happens when the database already has events. Loading the
    same seed and customer count again changes nothing, because ingest skips a file it has
    loaded before. Raises InvalidInputError, changing nothing, when the database contains
    a different demo data set, because its customer and event ids would collide with these.
    """
    database = settings.database_path
    events_before, demo_imports = _database_state(settings)
    if if_empty and events_before > 0:
        return DemoLoad(
            message=f"The database already has {_count(events_before, 'event')}, so the demo "
            "data was not loaded.",
            database=database,
            events_before=events_before,
        )

    path = settings.home / demo_file_name(seed, customers)
    demo_file = write_events(path, seed=seed, customers=customers)
    if demo_imports and file_sha256(path) not in {content_hash for _, content_hash in demo_imports}:
        path.unlink(missing_ok=True)
        loaded_names = ", ".join(sorted({name for name, _ in demo_imports}))
        raise InvalidInputError(
            f"The database '{database}' already contains another demo data set ({loaded_names}). "
            "Two demo data sets reuse the same customer and event ids, so they cannot be "
            "mixed. Load this one into a new database file instead."
        )

    result = ingest_file(path, IngestOptions(mapping=DEMO_MAPPING), settings)
    customer_count, first, last = _describe_import(settings, result.import_id)
    return DemoLoad(
        message=_describe_outcome(
            result, seed, customers, events_before, customer_count, first, last
        ),
        database=database,
        events_before=events_before,
        file=demo_file.path,
        seed=seed,
        ingest=result,
        customers=customer_count,
        first_event=first,
        last_event=last,
    )


def _database_state(settings: Settings) -> tuple[int, list[tuple[str, str]]]:
    """Return the event count and (file name, content hash) of every earlier demo import."""
    path = settings.database_path
    if not path.exists():
        return 0, []
    with connect(path, read_only=True, lock_timeout=settings.limits.lock_timeout_seconds) as db:
        tables = {
            name
            for (name,) in db.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_name IN ('events', 'imports')"
            ).fetchall()
        }
        if tables != {"events", "imports"}:
            return 0, []
        events = db.execute("SELECT count(*) FROM events").fetchone()[0]
        demo_imports = db.execute(
            "SELECT file_name, content_hash FROM imports WHERE starts_with(file_name, ?)",
            [DEMO_FILE_PREFIX + "_"],
        ).fetchall()
    return events, demo_imports


def _describe_outcome(
    result: IngestResult,
    seed: int,
    customers: int,
    events_before: int,
    loaded_customers: int,
    first: datetime | None,
    last: datetime | None,
) -> str:
    if result.already_loaded:
        return (
            f"The demo data set for seed {seed} and {_count(customers, 'customer')} is already "
            "loaded. Nothing changed."
        )
    if result.rows_loaded == 0:
        return (
            f"No demo events were loaded: all {result.duplicates_skipped:,} event ids are "
            "already in the database. Load the demo data into a new database file instead."
        )
    sentences = [
        f"Loaded {_count(result.rows_loaded, 'demo event')} for "
        f"{_count(loaded_customers, 'customer')}, "
        f"{first:%Y-%m-%d} to {last:%Y-%m-%d}."
    ]
    if result.duplicates_skipped:
        sentences.append(
            f"{_count(result.duplicates_skipped, 'event')} "
            f"{'was' if result.duplicates_skipped == 1 else 'were'} skipped because their "
            "event ids were already loaded."
        )
    if result.rows_rejected:
        verb = "was" if result.rows_rejected == 1 else "were"
        sentences.append(f"{_count(result.rows_rejected, 'row')} {verb} rejected.")
    if events_before:
        sentences.append(f"The database already had {_count(events_before, 'other event')}.")
    return " ".join(sentences)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def _describe_import(
    settings: Settings, import_id: int | None
) -> tuple[int, datetime | None, datetime | None]:
    """Return the distinct customers and the first and last event time of one import."""
    if import_id is None:
        return 0, None, None
    with connect(
        settings.database_path, read_only=True, lock_timeout=settings.limits.lock_timeout_seconds
    ) as db:
        return db.execute(
            "SELECT count(DISTINCT customer_id), min(event_time), max(event_time) "
            "FROM events WHERE import_id = ?",
            [import_id],
        ).fetchone()
