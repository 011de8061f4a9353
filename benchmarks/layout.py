"""Names, sizes and paths of the benchmark data sets; standard library only.

The orchestrator imports this module, so it must stay free of DuckDB, pandas and the
analytics package: whatever the orchestrator has in memory when it starts a child sets a
floor under the child's measured peak memory (see :mod:`benchmarks.harness`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS_DIR = Path(__file__).resolve().parent
REPOSITORY_ROOT = BENCHMARKS_DIR.parent
WORK_DIR = BENCHMARKS_DIR / "work"
DATA_DIR = WORK_DIR / "data"
STORES_DIR = WORK_DIR / "stores"
RUNS_DIR = WORK_DIR / "runs"
LOGS_DIR = WORK_DIR / "logs"
RESULTS_FILE = BENCHMARKS_DIR / "RESULTS.md"
RAW_RESULTS_FILE = WORK_DIR / "results.json"

CDNOW_FILE = REPOSITORY_ROOT.parent / "shared" / "data" / "cdnow" / "cdnow_transactions.csv"
CDNOW_ROWS = 69_659  # data rows of cdnow_transactions.csv

DATASETS = ("cdnow", "demo")
FORMATS = ("csv", "parquet")

# Column of each data set that holds the event time; the other required columns are found
# by GrowthLens's own name guessing (customer_id, amount, event_type).
TIME_COLUMNS = {"cdnow": "order_date", "demo": "event_time"}

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$")


def parse_size(text: str) -> int:
    """Return the event count of a size label: ``1M`` is 1,000,000 and ``500k`` is 500,000."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"Invalid size '{text}': write a count such as 1M, 10M or 500k.")
    number, unit = float(match.group(1)), match.group(2).lower()
    count = int(number * {"": 1, "k": 1_000, "m": 1_000_000}[unit])
    if count < 1:
        raise ValueError(f"Invalid size '{text}': the count must be at least 1.")
    return count


def size_label(count: int) -> str:
    """Return the label of an event count: 1,000,000 is ``1M``."""
    if count % 1_000_000 == 0:
        return f"{count // 1_000_000}M"
    if count % 1_000 == 0:
        return f"{count // 1_000}k"
    return str(count)


def cdnow_replicas(target_events: int) -> int:
    """Return how many copies of CDNOW make at least ``target_events`` rows."""
    return max(1, math.ceil(target_events / CDNOW_ROWS))


@dataclass(frozen=True)
class DataSet:
    """One prepared event log: CDNOW replicated or the demo generator's output."""

    name: str  # "cdnow" or "demo"
    size: str  # label such as "10M"

    @property
    def key(self) -> str:
        return f"{self.name}-{self.size}"

    @property
    def target_events(self) -> int:
        return parse_size(self.size)

    @property
    def time_column(self) -> str:
        return TIME_COLUMNS[self.name]

    def data_file(self, file_format: str) -> Path:
        return DATA_DIR / f"{self.key}.{file_format}"

    def manifest_file(self) -> Path:
        return DATA_DIR / f"{self.key}.json"

    @property
    def store_home(self) -> Path:
        """GROWTH_HOME of the database loaded once from this data set for the metrics runs."""
        return STORES_DIR / self.key

    @property
    def store_database(self) -> Path:
        return self.store_home / "growthlens.duckdb"

    def store_manifest(self) -> Path:
        return self.store_home / "loaded.json"
