"""Helpers for the reliability tests: the command line in a child process with its peak
memory, database snapshots, and generated input files."""

from __future__ import annotations

import csv
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

LAUNCHER = "import sys; from analytics.cli import main; sys.exit(main())"
TABLES = ("events", "imports", "rejected_rows", "skipped_duplicates", "schema_migrations")
MAX_PEAK_RSS_BYTES = 2 * 1024**3  # the bound every refused file must stay under
CLI_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class CliRun:
    """The outcome of one ``growthlens`` child process."""

    returncode: int
    stdout: str
    stderr: str
    peak_rss_bytes: int  # maximum resident set size of the child, from wait4


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-c", LAUNCHER, *args]


def run_cli(*args: str, timeout: float = CLI_TIMEOUT_SECONDS, env: dict | None = None) -> CliRun:
    """Run ``growthlens ARGS`` and return its exit status, output and peak memory.

    The child is killed when it runs past ``timeout``, and the test then fails on the
    exit status: a refused file must be refused within bounded time.
    """
    process = subprocess.Popen(
        cli_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env if env is not None else dict(os.environ),
    )
    output: dict[str, bytes] = {}

    def drain(name: str, stream) -> None:
        output[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=("stdout", process.stdout)),
        threading.Thread(target=drain, args=("stderr", process.stderr)),
    ]
    for reader in readers:
        reader.start()
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        # wait4 gives the resource usage of this one child, unlike RUSAGE_CHILDREN.
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    return CliRun(
        returncode=process.returncode,
        stdout=output["stdout"].decode("utf-8", errors="replace"),
        stderr=output["stderr"].decode("utf-8", errors="replace"),
        peak_rss_bytes=usage.ru_maxrss * 1024,  # kilobytes on Linux
    )


def start_cli_on_terminal(*args: str) -> tuple[subprocess.Popen, int]:
    """Start ``growthlens ARGS`` with stderr on a pseudo-terminal, so that it prints its
    progress stages there; return the process and the terminal's reading end."""
    reader, writer = pty.openpty()
    process = subprocess.Popen(
        cli_command(*args),
        stdout=subprocess.DEVNULL,
        stderr=writer,
        env=dict(os.environ),
        start_new_session=True,
    )
    os.close(writer)
    return process, reader


def kill_when_stage_starts(
    process: subprocess.Popen, terminal: int, stages: tuple[str, ...], timeout: float
) -> str:
    """Read the progress on ``terminal`` and SIGKILL the process as soon as one of
    ``stages`` is shown; return everything read. Fails when the process ends first."""
    seen = ""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([terminal], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(terminal, 4096)
                except OSError:
                    chunk = b""
                if not chunk and process.poll() is not None:
                    break
                seen += chunk.decode("utf-8", errors="replace")
                # Progress lines are redrawn with a carriage return; the stage leads each.
                current = seen.rsplit("\r", 1)[-1].strip()
                if current.split(" ")[0] in stages:
                    process.send_signal(signal.SIGKILL)
                    process.wait(timeout=60)
                    return seen
            elif process.poll() is not None:
                break
    finally:
        os.close(terminal)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)
    raise AssertionError(
        f"the import ended (status {process.returncode}) before any of {stages} was shown; "
        f"output: {seen[-500:]!r}"
    )


def snapshot(database: Path) -> dict[str, list[tuple]]:
    """Every row of every GrowthLens table, sorted, and the import id sequence."""
    connection = duckdb.connect(str(database), read_only=True)
    try:
        connection.execute("SET TimeZone = 'UTC'")
        tables = {}
        for table in TABLES:
            columns = "version, name" if table == "schema_migrations" else "*"
            tables[table] = sorted(
                connection.execute(f"SELECT {columns} FROM {table}").fetchall(), key=repr
            )
        tables["import_id_sequence"] = connection.execute(
            "SELECT last_value FROM duckdb_sequences() WHERE sequence_name = 'import_id_sequence'"
        ).fetchall()
        return tables
    finally:
        connection.close()


def table_counts(database: Path) -> dict[str, int]:
    connection = duckdb.connect(str(database), read_only=True)
    try:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in TABLES
        }
    finally:
        connection.close()


@dataclass(frozen=True)
class GeneratedLog:
    """A generated event CSV and the counts it was built to have."""

    path: Path
    rows: int
    rejected: int  # rows whose amount is not a number
    duplicates: int  # rows repeating an earlier row's event id

    @property
    def loaded(self) -> int:
        return self.rows - self.rejected - self.duplicates


def write_event_log(path: Path, rows: int, *, prefix: str = "o") -> GeneratedLog:
    """Write ``rows`` purchases with event ids: every 1000th row has an unreadable amount,
    and every 500th row that is not a 1000th repeats the event id of the row before it."""
    index = pl.int_range(0, rows, eager=True, dtype=pl.Int64)
    is_rejected = (index % 1000) == 999
    is_duplicate = ((index % 500) == 499) & ~is_rejected
    id_number = pl.when(is_duplicate).then(index - 1).otherwise(index)
    frame = pl.DataFrame({"index": index}).select(
        (pl.lit(prefix + "-") + id_number.cast(pl.String)).alias("event_id"),
        (pl.lit("c") + (index % 50_000).cast(pl.String)).alias("customer_id"),
        (pl.lit(datetime(2023, 1, 1, tzinfo=UTC)) + pl.duration(minutes=index % 525_600))
        .dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        .alias("event_time"),
        pl.when(is_rejected)
        .then(pl.lit("not-a-number"))
        .otherwise(((index % 9000) / 100 + 1).round(2).cast(pl.String))
        .alias("amount"),
        pl.when(index % 3 == 0).then(pl.lit("web")).otherwise(pl.lit("store")).alias("channel"),
    )
    frame.write_csv(path)
    return GeneratedLog(path, rows, int(is_rejected.sum()), int(is_duplicate.sum()))


def write_small_log(path: Path, customers: int = 3, first_day: datetime | None = None) -> int:
    """Write a few purchases in January and February 2024; return the row count."""
    first_day = first_day or datetime(2024, 1, 5, 10, tzinfo=UTC)
    rows = []
    for customer in range(customers):
        for month in range(2):
            when = first_day + timedelta(days=31 * month + customer)
            rows.append([f"s{customer}", when.isoformat(), "purchase", f"{10 + customer}.00"])
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["customer_id", "event_time", "event_type", "amount"])
        writer.writerows(rows)
    return len(rows)
