"""Short-lived DuckDB connections with a bounded wait for another process's lock.

DuckDB lets one process write a database file, or several processes read it, but not
both at once. Every caller therefore opens a connection for one unit of work and
closes it, and an open that meets a lock is retried until the timeout.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from analytics.errors import DatabaseBusyError, GrowthLensError
from analytics.store.migrations import migrate

logger = logging.getLogger(__name__)

DEFAULT_LOCK_TIMEOUT_SECONDS = 60.0


def _is_lock_conflict(error: duckdb.Error) -> bool:
    """Tell whether opening failed only because the file is in use with another mode.

    Another process holding the file gives an IOException about its lock; this process
    holding it in the other mode (read-only versus read-write) gives a ConnectionException
    about a different configuration. Both clear when the other connection closes.
    """
    text = str(error).lower()
    if isinstance(error, duckdb.IOException):
        return "lock" in text and ("conflicting" in text or "could not set" in text)
    if isinstance(error, duckdb.ConnectionException):
        return "different configuration" in text
    return False


@contextmanager
def connect(
    path: Path,
    *,
    read_only: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database at ``path`` for one unit of work, waiting while another process
    holds a conflicting lock; ``on_wait`` receives a message each time the open is retried.

    The session time zone is pinned to UTC so that no result depends on the machine.
    """
    path = Path(path)
    if read_only and not path.exists():
        ensure_database(path, lock_timeout=lock_timeout, on_wait=on_wait)
    connection = _open_with_retry(path, read_only, lock_timeout, on_wait)
    try:
        connection.execute("SET TimeZone = 'UTC'")
        yield connection
    finally:
        connection.close()


def ensure_database(
    path: Path,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
) -> None:
    """Create the database file if needed and apply pending migrations."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = _open_with_retry(path, False, lock_timeout, on_wait)
    try:
        connection.execute("SET TimeZone = 'UTC'")
        migrate(connection)
    finally:
        connection.close()


def _open_with_retry(
    path: Path,
    read_only: bool,
    lock_timeout: float,
    on_wait: Callable[[str], None] | None,
) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + lock_timeout
    delay = 0.05
    attempt = 0
    while True:
        attempt += 1
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as error:
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
