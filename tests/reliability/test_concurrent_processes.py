"""An import, a report and dashboard reads at the same time, each in its own process:
every one finishes (waiting with a message while another has the database locked), each read
sees the import whole or not at all, and the final row count is what the import loaded."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_support import (
    cli_command,
    run_cli,
    table_counts,
    write_event_log,
    write_small_log,
)

from analytics.config import Settings

LARGE_ROWS = 1_000_000
PROCESS_TIMEOUT_SECONDS = 600
WAIT_MESSAGE = "in use by another process; waiting"

# Reads the database as the dashboard does, round after round, until the stop file exists;
# prints the event count and paid purchases each round saw.
DASHBOARD_READER = """
import json, sys, time
from pathlib import Path
from dashboard.data import read_data_version, read_summary
from dashboard.view import MetricRequest, read_metrics

database, stop_file = Path(sys.argv[1]), Path(sys.argv[2])
request = MetricRequest("month", "period", None, None, "UTC", None, None)
deadline = time.monotonic() + float(sys.argv[3])
rounds = 0
while time.monotonic() < deadline and (rounds < 3 or not stop_file.exists()):
    version = read_data_version(database)
    summary = read_summary(str(database), version, "UTC")
    metrics = read_metrics(str(database), version, request)
    paid = sum(period["paid_purchases"] for period in metrics["periods"])
    print(json.dumps({"events": summary.events, "paid": paid}), flush=True)
    rounds += 1
"""


def start(command: list[str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
        **kwargs,
    )


def start_to_files(command: list[str], folder: Path, name: str) -> subprocess.Popen:
    """Start ``command`` with its output in files, so that a full pipe cannot stall it."""
    return subprocess.Popen(
        command,
        stdout=(folder / f"{name}.out").open("w"),
        stderr=(folder / f"{name}.err").open("w"),
        env=dict(os.environ),
    )


def outputs(folder: Path, name: str) -> tuple[str, str]:
    return (
        (folder / f"{name}.out").read_text(encoding="utf-8"),
        (folder / f"{name}.err").read_text(encoding="utf-8"),
    )


def reports_no_failure(stderr: str) -> bool:
    """True when the diagnostics hold only waits, warnings and the narrative's origin."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    return "Traceback" not in stderr and not any(line.startswith("error") for line in lines)


def paid_in_report_csv(out_dir: Path) -> int:
    (csv_path,) = out_dir.glob("*.csv")
    rows = csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8")))
    return sum(
        int(row["paid_purchases"])
        for row in rows
        if row.get("scope") == "all" and row.get("paid_purchases")
    )


@pytest.fixture
def started_database(settings: Settings, tmp_path: Path) -> int:
    """The database after one small import; returns its event count."""
    small = tmp_path / "small.csv"
    rows = write_small_log(small)
    completed = run_cli("ingest", str(small))
    assert completed.returncode == 0, completed.stderr
    return rows


def test_import_report_and_reads_at_once(settings: Settings, tmp_path: Path, started_database: int):
    database = settings.database_path
    log = write_event_log(tmp_path / "large.csv", LARGE_ROWS)
    before = started_database
    after = before + log.loaded
    stop_file = tmp_path / "stop"

    reader = start_to_files(
        [sys.executable, "-c", DASHBOARD_READER, str(database), str(stop_file), "400"],
        tmp_path,
        "reader",
    )
    importer = start_to_files(
        cli_command("ingest", str(log.path), "--format", "json"), tmp_path, "importer"
    )
    reporter = start_to_files(
        cli_command("report", "--out", str(tmp_path / "report"), "--window", "period"),
        tmp_path,
        "reporter",
    )
    metrics_runs = []
    while importer.poll() is None or len(metrics_runs) < 2:
        metrics_runs.append(run_cli("metrics", "--window", "period", "--format", "json"))
        assert len(metrics_runs) < 200
    reporter.wait(timeout=PROCESS_TIMEOUT_SECONDS)
    stop_file.touch()
    reader.wait(timeout=PROCESS_TIMEOUT_SECONDS)
    importer_out, importer_err = outputs(tmp_path, "importer")
    reporter_out, reporter_err = outputs(tmp_path, "reporter")
    reader_out, reader_err = outputs(tmp_path, "reader")

    assert importer.returncode == 0, importer_err
    result = json.loads(importer_out)
    assert result["rows_loaded"] == log.loaded
    assert result["rows_read"] == (
        result["rows_loaded"] + result["rows_rejected"] + result["duplicates_skipped"]
    )
    assert table_counts(database)["events"] == after

    assert reporter.returncode == 0, reporter_err
    assert reports_no_failure(reporter_err), reporter_err
    assert paid_in_report_csv(tmp_path / "report") in (before, after)

    for run in metrics_runs:
        assert run.returncode == 0, run.stderr
        assert reports_no_failure(run.stderr), run.stderr
        paid = sum(period["paid_purchases"] for period in json.loads(run.stdout)["periods"])
        assert paid in (before, after)
    last = json.loads(metrics_runs[-1].stdout)
    assert sum(period["paid_purchases"] for period in last["periods"]) == after

    assert reader.returncode == 0, reader_err
    seen = [json.loads(line) for line in reader_out.splitlines()]
    assert seen
    for observation in seen:
        assert observation["events"] in (before, after)
        assert observation["paid"] == observation["events"]


def test_reader_waits_with_message_while_writer_commits(
    settings: Settings, tmp_path: Path, started_database: int
):
    """A metrics run that meets a held write lock prints a wait message and finishes once
    the lock is released."""
    holder = start(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from analytics.store import connect\n"
            "with connect(sys.argv[1]) as connection:\n"
            "    connection.execute('BEGIN TRANSACTION')\n"
            "    print('locked', flush=True)\n"
            "    sys.stdin.readline()\n"
            "    connection.execute('COMMIT')\n",
            str(settings.database_path),
        ],
        stdin=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        waiting = start(cli_command("metrics", "--window", "period", "--format", "json"))
        deadline = time.monotonic() + 120
        stderr_seen = ""
        while WAIT_MESSAGE not in stderr_seen and time.monotonic() < deadline:
            stderr_seen += waiting.stderr.readline()
        holder.stdin.write("\n")
        holder.stdin.flush()
        out, err = waiting.communicate(timeout=PROCESS_TIMEOUT_SECONDS)
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=60)

    assert WAIT_MESSAGE in stderr_seen
    assert waiting.returncode == 0, err
    assert sum(period["paid_purchases"] for period in json.loads(out)["periods"]) == (
        started_database
    )
