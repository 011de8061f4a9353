"""Preparing the benchmark data: CDNOW replicated, the demo generator's log, and loaded stores.

Each function runs in a child process started by :mod:`benchmarks.run`, writes its files
under ``benchmarks/work`` and finishes by writing a small JSON manifest; a data set whose
manifest exists is not prepared again.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from benchmarks.layout import CDNOW_FILE, CDNOW_ROWS, DataSet, cdnow_replicas

logger = logging.getLogger(__name__)


def prepare_data(dataset: DataSet, formats: list[str]) -> dict:
    """Write the data set's files in ``formats`` (csv, parquet) unless present; return its manifest."""
    manifest_file = dataset.manifest_file()
    manifest = _read_json(manifest_file) or {"dataset": dataset.key, "files": {}}
    missing = [name for name in formats if name not in manifest["files"]]
    if not missing:
        return manifest
    dataset.data_file("csv").parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if dataset.name == "cdnow":
        manifest.update(_write_cdnow(dataset, missing))
    elif dataset.name == "demo":
        manifest.update(_write_demo(dataset, missing, manifest.get("rows")))
    else:
        raise ValueError(f"Unknown data set '{dataset.name}'.")
    for name in missing:
        path = dataset.data_file(name)
        manifest["files"][name] = {"path": str(path), "bytes": path.stat().st_size}
    manifest["prepare_seconds"] = round(time.perf_counter() - started, 1)
    _write_json(manifest_file, manifest)
    return manifest


def _write_cdnow(dataset: DataSet, formats: list[str]) -> dict:
    """Replicate CDNOW: copy r of customer 00001 becomes ``00001-r0007``; dates are kept."""
    import duckdb

    replicas = cdnow_replicas(dataset.target_events)
    connection = duckdb.connect()
    try:
        connection.execute("SET preserve_insertion_order = true")
        connection.execute(
            """
            CREATE TABLE base AS
            SELECT row_number() OVER () AS line, customer_id, order_date, quantity, amount
            FROM read_csv(?, header = true, columns = {
                'customer_id': 'VARCHAR', 'order_date': 'DATE',
                'quantity': 'INTEGER', 'amount': 'DOUBLE'
            })
            """,
            [str(CDNOW_FILE)],
        )
        rows = connection.execute("SELECT count(*) FROM base").fetchone()[0]
        if rows != CDNOW_ROWS:
            raise RuntimeError(f"{CDNOW_FILE} has {rows} rows; expected {CDNOW_ROWS}.")
        replicated = f"""
            SELECT
                customer_id || '-r' || lpad(CAST(replica AS VARCHAR), 4, '0') AS customer_id,
                order_date,
                quantity,
                amount
            FROM range({replicas}) AS copies(replica), base
            ORDER BY replica, line
        """
        for name in formats:
            target = dataset.data_file(name)
            partial = target.with_name(f".{target.name}.partial")
            options = (
                "FORMAT csv, HEADER true" if name == "csv" else "FORMAT parquet, COMPRESSION zstd"
            )
            connection.execute(f"COPY ({replicated}) TO '{partial}' ({options})")
            os.replace(partial, target)
    finally:
        connection.close()
    return {"rows": replicas * CDNOW_ROWS, "replicas": replicas, "source": str(CDNOW_FILE)}


def _write_demo(dataset: DataSet, formats: list[str], known_rows: int | None) -> dict:
    from analytics.demo import write_events

    rows = known_rows
    customers = None
    for name in formats:
        written = write_events(
            dataset.data_file(name), target_events=dataset.target_events, format=name
        )
        if rows is not None and written.rows != rows:
            raise RuntimeError(
                f"The demo generator wrote {written.rows} rows to {written.path}, but "
                f"{rows} to the data set's other file."
            )
        rows, customers = written.rows, written.customers
    return {"rows": rows, "customers": customers}


def load_store(dataset: DataSet) -> dict:
    """Load the data set's Parquet file into its own GrowthLens database, once."""
    from analytics.config import load_settings
    from analytics.store.ingest import IngestOptions, ingest_file

    manifest_file = dataset.store_manifest()
    manifest = _read_json(manifest_file)
    if manifest is not None and dataset.store_database.exists():
        return manifest
    dataset.store_home.mkdir(parents=True, exist_ok=True)
    dataset.store_database.unlink(missing_ok=True)
    settings = load_settings(dataset.store_home)
    started = time.perf_counter()
    result = ingest_file(
        dataset.data_file("parquet"),
        IngestOptions(mapping={"event_time": dataset.time_column}),
        settings,
    )
    manifest = {
        "dataset": dataset.key,
        "database": str(dataset.store_database),
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "duplicates_skipped": result.duplicates_skipped,
        "load_seconds": round(time.perf_counter() - started, 1),
    }
    _write_json(manifest_file, manifest)
    return manifest


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def _write_json(path: Path, value: dict) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(value, indent=2), encoding="utf-8")
    os.replace(partial, path)
