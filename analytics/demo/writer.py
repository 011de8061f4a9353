"""Writing the demo event log to CSV or Parquet in chunks, so that a log of a hundred
million events never has to fit in memory."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from analytics.demo.generator import (
    DEFAULT_CHUNK_CUSTOMERS,
    DEFAULT_CUSTOMERS,
    DEFAULT_END,
    DEFAULT_SEED,
    DEFAULT_START,
    estimate_customers,
    iter_event_chunks,
)
from analytics.errors import InvalidInputError

logger = logging.getLogger(__name__)

FORMATS = ("csv", "parquet")
CSV_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
PARQUET_COMPRESSION = "zstd"


@dataclass(frozen=True)
class DemoFile:
    """A written demo event log and what it contains."""

    path: Path
    file_format: str
    seed: int
    rows: int
    customers: int
    first_event: datetime | None  # UTC
    last_event: datetime | None  # UTC


def write_events(
    path: Path | str,
    *,
    seed: int = DEFAULT_SEED,
    customers: int | None = None,
    target_events: int | None = None,
    start: date | str = DEFAULT_START,
    end: date | str = DEFAULT_END,
    format: str | None = None,
    chunk_customers: int = DEFAULT_CHUNK_CUSTOMERS,
) -> DemoFile:
    """Generate the demo event log and write it to ``path`` one chunk at a time.

    Give ``customers`` or ``target_events`` (about that many events, sized on a pilot
    run), not both; with neither, DEFAULT_CUSTOMERS customers. ``format`` is
    ``csv`` or ``parquet``, by default taken from the file suffix. The file appears
    whole or not at all: chunks go to a temporary file that is renamed at the end.
    """
    path = Path(path)
    file_format = _resolve_format(path, format)
    if customers is not None and target_events is not None:
        raise InvalidInputError("Give either a customer count or a target event count, not both.")
    if target_events is not None:
        customers = estimate_customers(target_events, seed, start, end)
        logger.info("Sized %d customers for about %d events", customers, target_events)
    elif customers is None:
        customers = DEFAULT_CUSTOMERS

    chunks = iter_event_chunks(seed, customers, start, end, chunk_customers)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if file_format == "csv":
            rows, first, last = _write_csv(partial, chunks)
        else:
            rows, first, last = _write_parquet(partial, chunks)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)

    logger.info("Wrote %d demo events for %d customers to %s", rows, customers, path)
    return DemoFile(path, file_format, seed, rows, customers, first, last)


def _resolve_format(path: Path, file_format: str | None) -> str:
    chosen = file_format or path.suffix.lower().lstrip(".")
    if chosen not in FORMATS:
        raise InvalidInputError(
            f"Cannot write demo events to '{path}': unknown format {chosen!r}. "
            f"Use a .csv or .parquet file name, or give the format ({', '.join(FORMATS)})."
        )
    return chosen


def _write_csv(path: Path, chunks) -> tuple[int, datetime | None, datetime | None]:
    tracker = _RangeTracker()
    with path.open("wb") as sink:
        for number, chunk in enumerate(chunks):
            chunk.write_csv(sink, include_header=number == 0, datetime_format=CSV_TIME_FORMAT)
            tracker.add(chunk)
    return tracker.rows, tracker.first, tracker.last


def _write_parquet(path: Path, chunks) -> tuple[int, datetime | None, datetime | None]:
    tracker = _RangeTracker()
    writer = None
    try:
        for chunk in chunks:
            table = chunk.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression=PARQUET_COMPRESSION)
            writer.write_table(table)
            tracker.add(chunk)
    finally:
        if writer is not None:
            writer.close()
    return tracker.rows, tracker.first, tracker.last


class _RangeTracker:
    """Row count and earliest and latest event time over the chunks written so far."""

    def __init__(self) -> None:
        self.rows = 0
        self.first: datetime | None = None
        self.last: datetime | None = None

    def add(self, chunk: pl.DataFrame) -> None:
        self.rows += chunk.height
        if chunk.height == 0:
            return
        first, last = chunk["event_time"].min(), chunk["event_time"].max()
        self.first = first if self.first is None else min(self.first, first)
        self.last = last if self.last is None else max(self.last, last)
