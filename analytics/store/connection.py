"""Short-lived DuckDB connections with a bounded wait for another process's lock, and the
memory, thread and spill settings that every DuckDB instance of GrowthLens runs with.

DuckDB lets one process write a database file, or several processes read it, but not
both at once. Every caller therefore opens a connection for one unit of work and
closes it, and an open that meets a lock is retried until the timeout.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb

from analytics.config import LimitSettings, Settings, load_settings
from analytics.errors import DatabaseBusyError, GrowthLensError, InvalidInputError
from analytics.store.migrations import applied_migrations, migrate

logger = logging.getLogger(__name__)

DEFAULT_LOCK_TIMEOUT_SECONDS = 60.0
# Every DuckDB database file starts with an 8-byte checksum followed by these bytes.
# DuckDB itself also opens some other files: a CSV or Parquet file as an in-memory
# database with a view of it, and a SQLite file through an extension it would download.
# So the header of a path is checked before the path reaches DuckDB.
DUCKDB_MAGIC = b"DUCK"
DUCKDB_MAGIC_OFFSET = 8
# Folders under the work folder that belong to one process: DuckDB's spill files of that
# process's connections (duckdb-PID) and import work folders (ingest-PID-TOKEN).
SPILL_FOLDER_PREFIX = "duckdb-"
PROCESS_FOLDER_PATTERNS = ("duckdb-*", "ingest-*-*")

Opened = TypeVar("Opened")


def _is_lock_conflict(error: duckdb.Error) -> bool:
    """Tell whether opening failed only because the file is in use with another mode.

    Another process holding the file gives an IOException about its lock. This process
    holding it in the other mode (read-only versus read-write) gives a ConnectionException
    about a different configuration, and holding it in another DuckDB instance (an import
    that has attached it) gives a ResourceInUseException about a unique file handle. All
    clear when the other connection closes.
    """
    text = str(error).lower()
    if isinstance(error, duckdb.IOException):
        return "lock" in text and ("conflicting" in text or "could not set" in text)
    if isinstance(error, duckdb.ConnectionException):
        return "different configuration" in text
    if isinstance(error, duckdb.ResourceInUseException):
        return "unique file handle conflict" in text
    return False


def _is_not_a_database(error: duckdb.Error) -> bool:
    """Return whether DuckDB rejected the file as not a database, such as an empty file."""
    return "not a valid duckdb database file" in str(error).lower()


@contextmanager
def connect(
    path: Path,
    *,
    read_only: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
    settings: Settings | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database at ``path`` for one unit of work, waiting while another process
    holds a conflicting lock. ``on_wait`` receives a message each time the open is retried.

    The session time zone is pinned to UTC so that no result depends on the machine. The
    memory limit, threads and spill folder come from ``settings`` (default: the settings
    of GROWTH_HOME).

    With ``read_only``, nothing is created, so the database must exist and contain the
    GrowthLens events table. Raises InvalidInputError for a missing file, or a file that is
    not a GrowthLens database.
    """
    path = Path(path)
    settings = settings or load_settings()
    if read_only:
        require_database(path)
    connection = _open_with_retry(path, read_only, lock_timeout, on_wait)
    try:
        if read_only:
            _check_growthlens_schema(connection, path)
        connection.execute("SET TimeZone = 'UTC'")
        configure_connection(connection, settings.limits, spill_folder(settings))
        yield connection
    finally:
        connection.close()


def ensure_database(
    path: Path,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
    settings: Settings | None = None,
) -> None:
    """Create the database file if needed and apply pending migrations.

    Raises InvalidInputError, and leaves the file unchanged, when ``path`` is a file that
    is not a DuckDB database or a DuckDB database of another application (tables but no
    applied GrowthLens migration).
    """
    path = Path(path)
    settings = settings or load_settings()
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = _open_with_retry(path, False, lock_timeout, on_wait)
    try:
        connection.execute("SET TimeZone = 'UTC'")
        configure_connection(connection, settings.limits, spill_folder(settings))
        if not applied_migrations(connection) and _has_tables(connection):
            raise InvalidInputError(
                f"'{path}' is not a GrowthLens database: it is a DuckDB database with "
                "tables of its own, which GrowthLens leaves alone. Give a new path, or the "
                "path of a GrowthLens database."
            )
        migrate(connection)
    finally:
        connection.close()


def attach_database(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    alias: str,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
) -> None:
    """Attach the database file at ``path`` read-write to ``connection`` as ``alias``,
    waiting like :func:`connect` while another connection has it open."""

    check_database_file(Path(path))

    def attach() -> None:
        connection.execute(f"ATTACH ? AS {alias}", [str(path)])

    _retry_while_locked(attach, Path(path), lock_timeout, on_wait)


def require_database(path: Path) -> None:
    """Raise InvalidInputError unless ``path`` is an existing DuckDB database file."""
    if not path.exists():
        raise InvalidInputError(
            f"No database at '{path}'. Load data first with 'growthlens ingest FILE' or "
            "'growthlens demo', or pass --db PATH."
        )
    check_database_file(path)


def check_database_file(path: Path) -> None:
    """Raise InvalidInputError when ``path`` exists but is not a DuckDB database file.

    An empty file passes: it may be a database that another process is creating, and
    DuckDB rejects it on open when it is not.
    """
    if path.is_dir():
        raise InvalidInputError(f"'{path}' is a folder, not a GrowthLens database file.")
    try:
        with path.open("rb") as file:
            header = file.read(DUCKDB_MAGIC_OFFSET + len(DUCKDB_MAGIC))
    except FileNotFoundError:
        return
    except OSError as error:
        raise GrowthLensError(f"Cannot open database '{path}': {error}") from error
    if header and header[DUCKDB_MAGIC_OFFSET:] != DUCKDB_MAGIC:
        raise InvalidInputError(_not_a_database(path))


def _not_a_database(path: Path) -> str:
    return (
        f"'{path}' is not a GrowthLens database: it is not a DuckDB database file. Pass "
        "--db the path of a database that 'growthlens ingest' or 'growthlens demo' created. "
        "To load a data file, use 'growthlens ingest FILE'."
    )


def _check_growthlens_schema(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    has_events = connection.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_name = 'events'"
    ).fetchone()[0]
    if not has_events:
        raise InvalidInputError(
            f"'{path}' is not a GrowthLens database: it is a DuckDB database without an "
            "events table. Load data into a new database with 'growthlens ingest FILE --db "
            "PATH'."
        )


def _has_tables(connection: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchone()[0]
    )


def configure_connection(
    connection: duckdb.DuckDBPyConnection, limits: LimitSettings, spill_to: Path
) -> None:
    """Set the memory limit and threads of the connection's DuckDB instance and the folder
    it spills to, and keep DuckDB's progress bar quiet. Raise InvalidInputError for a
    setting that DuckDB rejects."""
    # DuckDB prints a progress bar to standard output during queries longer than two
    # seconds, which would mix with the command line's JSON output.
    connection.execute("SET enable_progress_bar_print = false")

    try:
        connection.execute("SET memory_limit = ?", [limits.duckdb_memory_limit])
    except duckdb.Error as error:
        raise InvalidInputError(
            f"Setting limits.duckdb_memory_limit '{limits.duckdb_memory_limit}' is invalid "
            f"({error}). Give a size such as 1GB or 512MB."
        ) from error
    if limits.duckdb_threads is not None:
        try:
            connection.execute("SET threads = ?", [limits.duckdb_threads])
        except duckdb.Error as error:
            raise InvalidInputError(
                f"Setting limits.duckdb_threads {limits.duckdb_threads!r} is invalid ({error}). "
                "Give a whole number of at least 1, or leave it unset."
            ) from error

    # DuckDB creates the spill folder when it first spills, but not the folders above it.
    try:
        spill_to.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        logger.warning(
            "DuckDB spills to its default folder: cannot create %s (%s)", spill_to, error
        )
        return
    # A connection to a database that another connection of this process has open shares
    # its instance, whose spill folder cannot change once it contains spilled data.
    current = connection.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    if current != str(spill_to):
        try:
            connection.execute("SET temp_directory = ?", [str(spill_to)])
        except duckdb.NotImplementedException:
            logger.info("DuckDB keeps spilling to %s, which is in use", current)


def spill_folder(settings: Settings) -> Path:
    """Return the folder this process's database connections spill to. DuckDB creates it
    when it first spills and removes it when the instance closes."""
    return settings.work_folder / f"{SPILL_FOLDER_PREFIX}{os.getpid()}"


def remove_abandoned_folders(parent: Path) -> None:
    """Remove the process folders under ``parent`` whose process no longer runs."""
    for pattern in PROCESS_FOLDER_PATTERNS:
        for folder in parent.glob(pattern):
            try:
                pid = int(folder.name.split("-")[1])
            except (IndexError, ValueError):
                continue
            if pid != os.getpid() and not _process_exists(pid):
                logger.info("removing the folder of stopped process %s: %s", pid, folder)
                shutil.rmtree(folder, ignore_errors=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _open_with_retry(
    path: Path,
    read_only: bool,
    lock_timeout: float,
    on_wait: Callable[[str], None] | None,
) -> duckdb.DuckDBPyConnection:
    check_database_file(path)
    return _retry_while_locked(
        lambda: duckdb.connect(str(path), read_only=read_only), path, lock_timeout, on_wait
    )


def _retry_while_locked(
    open_database: Callable[[], Opened],
    path: Path,
    lock_timeout: float,
    on_wait: Callable[[str], None] | None,
) -> Opened:
    deadline = time.monotonic() + lock_timeout
    delay = 0.05
    attempt = 0
    while True:
        attempt += 1
        try:
            return open_database()
        except (
            duckdb.IOException,
            duckdb.ConnectionException,
            duckdb.ResourceInUseException,
        ) as error:
            if _is_not_a_database(error):
                raise InvalidInputError(_not_a_database(path)) from error
            if not _is_lock_conflict(error):
                raise GrowthLensError(f"Cannot open database '{path}': {error}") from error
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(
                    f"Database '{path}' is busy: another process has held it for more than "
                    f"{lock_timeout:.0f} s. Try again when that import or report has finished."
                ) from error
            message = (
                f"Database '{path}' is in use by another process; waiting (attempt {attempt})."
            )
            logger.info(message)
            if on_wait is not None:
                on_wait(message)
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 1.0)
        except duckdb.Error as error:
            raise GrowthLensError(f"Cannot open database '{path}': {error}") from error
