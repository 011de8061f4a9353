"""Progress of a long import, reported as (stage, overall fraction 0..1) to one callback.

DuckDB reports how far a running query has got through ``query_progress()``. A query
therefore runs on a worker thread while the calling thread polls it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import duckdb

ProgressCallback = Callable[[str, float], None]

# Share of the whole import that each stage takes, in order; the shares add up to 1.
STAGES = {"checking": 0.15, "reading": 0.35, "validating": 0.25, "loading": 0.25}
POLL_SECONDS = 0.25


class ProgressTracker:
    """Turn a fraction within one stage into a fraction of the whole import."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self.callback = callback
        self._last = 0.0

    def report(self, stage: str, within: float) -> None:
        if self.callback is None:
            return
        start = 0.0
        for name, share in STAGES.items():
            if name == stage:
                break
            start += share
        overall = start + STAGES.get(stage, 0.0) * min(max(within, 0.0), 1.0)
        self._last = max(self._last, overall)
        self.callback(stage, self._last)

    def stage_reporter(self, stage: str) -> Callable[[float], None] | None:
        if self.callback is None:
            return None
        return lambda within: self.report(stage, within)

    def finish(self) -> None:
        if self.callback is not None:
            self.callback("done", 1.0)


class SqlRunner:
    """Run SQL on one connection, reporting DuckDB's query progress for named stages."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, tracker: ProgressTracker) -> None:
        self.connection = connection
        self.tracker = tracker
        if tracker.callback is not None:
            connection.execute("SET enable_progress_bar = true")
            connection.execute("SET enable_progress_bar_print = false")

    def run(self, sql: str, parameters: list | None = None, *, stage: str | None = None):
        """Execute ``sql`` and return the connection, as ``DuckDBPyConnection.execute`` does."""
        if stage is None or self.tracker.callback is None:
            return self.connection.execute(sql, parameters)
        outcome: dict = {}

        def work() -> None:
            try:
                outcome["result"] = self.connection.execute(sql, parameters)
            except BaseException as error:  # re-raised on the calling thread below
                outcome["error"] = error

        worker = threading.Thread(target=work, name="growthlens-ingest-query", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            percent = self.connection.query_progress()
            if percent >= 0:
                self.tracker.report(stage, percent / 100)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    def scalar(self, sql: str, parameters: list | None = None):
        return self.connection.execute(sql, parameters).fetchone()[0]
