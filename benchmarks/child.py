"""Run one preparation step or measurement in this process and write its result as JSON.

    python -m benchmarks.child TASK --dataset cdnow --size 1M --out result.json [...]

:mod:`benchmarks.run` starts one such process per measurement, so that every run starts
cold and its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from benchmarks.layout import DataSet

# Folder holding a copy of the analytics package to measure instead of the working tree's
# (benchmarks.run --snapshot). It goes first on the path, before analytics is imported.
SNAPSHOT_VARIABLE = "GROWTHLENS_BENCHMARK_CODE"
if os.environ.get(SNAPSHOT_VARIABLE):
    sys.path.insert(0, os.environ[SNAPSHOT_VARIABLE])

TASKS = (
    "prepare-data",
    "load-store",
    "ingest-growthlens",
    "ingest-duckdb",
    "metrics-growthlens",
    "metrics-sql",
    "metrics-pandas",
    "rfm-lifetimes",
    "audit-store",
    "narrative",
)


def run_task(arguments: argparse.Namespace) -> dict:
    """Run the task named by ``arguments.task`` and return its result."""
    from benchmarks import datasets, measurements

    dataset = DataSet(arguments.dataset, arguments.size)
    task = arguments.task
    if task == "prepare-data":
        return {"answer": datasets.prepare_data(dataset, arguments.formats.split(","))}
    if task == "load-store":
        return {"answer": datasets.load_store(dataset)}
    if task == "ingest-growthlens":
        return measurements.ingest_growthlens(
            dataset, arguments.format, Path(arguments.home), keep_store=arguments.keep_store
        )
    if task == "ingest-duckdb":
        return measurements.ingest_duckdb(dataset, arguments.format, Path(arguments.home))
    if task == "metrics-growthlens":
        return measurements.metrics_growthlens(dataset)
    if task == "metrics-sql":
        return measurements.metrics_sql(dataset)
    if task == "metrics-pandas":
        return measurements.metrics_pandas(dataset)
    if task == "rfm-lifetimes":
        return measurements.rfm_lifetimes(dataset, arguments.as_of)
    if task == "audit-store":
        return measurements.audit_store(dataset)
    if task == "narrative":
        return measurements.narrative_speed(dataset)
    raise ValueError(f"Unknown task '{task}'.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.child")
    parser.add_argument("task", choices=TASKS)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--size", required=True)
    parser.add_argument("--out", required=True, help="file the JSON result is written to")
    parser.add_argument("--format", choices=("csv", "parquet"))
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--home", help="scratch folder of an ingest run, emptied first")
    parser.add_argument(
        "--keep-store",
        action="store_true",
        help="keep the loaded database as the data set's store for the metrics runs",
    )
    parser.add_argument("--as-of", help="observation end of the lifetimes summary, YYYY-MM-DD")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    cpu_started = time.process_time()
    result = run_task(arguments)
    # CPU time of every thread of this process, over the whole task: a steadier figure than
    # wall time on a machine shared with other work.
    result["task_cpu_seconds"] = time.process_time() - cpu_started
    Path(arguments.out).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
