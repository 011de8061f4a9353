"""A report while another process writes the database: the report waits with a message,
and both finish with every row accounted for."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date, timedelta

import duckdb
import polars as pl
from report_cli import start_cli
from report_parsing import csv_rows
from report_samples import insert_events

from analytics.metrics import MetricOptions
from analytics.narrative import ScriptedEngine, write_narrative
from analytics.reports.runner import produce_report
from analytics.store import connect

# Holds a write connection, inserts rows inside a transaction, and commits only when a
# line arrives on stdin.
LOCK_HOLDER = """
import sys
from analytics.store import connect
path, rows = sys.argv[1], int(sys.argv[2])
with connect(path) as connection:
    connection.execute("BEGIN TRANSACTION")
    connection.execute(
        "INSERT INTO events (import_id, source_line, customer_id, event_time, event_type, amount) "
        "SELECT 99, i + 1, 'late-' || i, TIMESTAMPTZ '2024-01-15 12:00:00+00', 'purchase', 10 "
        "FROM range(?) t(i)",
        [rows],
    )
    print("locked", flush=True)
    sys.stdin.readline()
    connection.execute("COMMIT")
print("released", flush=True)
"""


def template_narrator(metrics, settings):
    return write_narrative(metrics, settings, engine=ScriptedEngine([""]), use_cache=False)


def small_log() -> pl.DataFrame:
    """Three customers buying in January and February 2024."""
    return pl.DataFrame(
        {
            "customer_id": ["a", "b", "c", "a", "b"],
            "event_time": pl.Series(
                [
                    "2024-01-05 10:00",
                    "2024-01-06 10:00",
                    "2024-01-07 10:00",
                    "2024-02-05 10:00",
                    "2024-02-06 10:00",
                ]
            ).str.to_datetime(time_zone="UTC"),
            "event_type": ["purchase"] * 5,
            "amount": pl.Series(["20.00", "30.00", "40.00", "20.00", "30.00"]).cast(
                pl.Decimal(18, 4)
            ),
        }
    )


def total_paid_purchases(csv_path) -> int:
    rows = csv_rows(csv_path.read_text(encoding="utf-8"))
    return sum(int(row["paid_purchases"]) for row in rows if row["scope"] == "all")


def event_count(path) -> int:
    with connect(path, read_only=True) as connection:
        return connection.execute("SELECT count(*) FROM events").fetchone()[0]


def test_report_waits_for_writer_and_sees_its_rows(settings, tmp_path):
    database = settings.database_path
    insert_events(database, small_log())
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(database), "7"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        waits: list[str] = []
        waited = threading.Event()

        def on_wait(message: str) -> None:
            waits.append(message)
            waited.set()

        outcome: dict = {}

        def report() -> None:
            outcome["result"] = produce_report(
                settings,
                MetricOptions(window="period"),
                tmp_path / "reports",
                on_wait=on_wait,
                narrator=template_narrator,
            )

        worker = threading.Thread(target=report)
        worker.start()
        assert waited.wait(timeout=60)  # the report met the lock and reported it
        holder.stdin.write("commit\n")
        holder.stdin.flush()
        worker.join(timeout=120)
        assert holder.wait(timeout=60) == 0
        assert holder.stdout.readline().strip() == "released"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()

    assert not worker.is_alive()
    assert "in use by another process; waiting" in waits[0]
    assert event_count(database) == 5 + 7
    # The report opened the database after the commit, so it counts the 7 new purchases.
    assert total_paid_purchases(outcome["result"].files.csv) == 5 + 7


def write_large_csv(path, rows: int) -> None:
    first = date(2024, 1, 1)
    frame = pl.DataFrame(
        {
            "customer_id": [f"L{index % 40_000:06d}" for index in range(rows)],
            "order_date": [
                (first + timedelta(days=index % 360)).isoformat() for index in range(rows)
            ],
            "amount": [f"{5 + index % 50}.25" for index in range(rows)],
        }
    )
    frame.write_csv(path)


def test_report_during_large_ingest_both_finish(settings, tmp_path):
    database = settings.database_path
    insert_events(database, small_log())
    big = tmp_path / "big.csv"
    rows = 400_000
    write_large_csv(big, rows)

    ingest = start_cli(
        "ingest",
        str(big),
        "--map",
        "event_time=order_date",
        "--db",
        str(database),
        "--format",
        "json",
    )
    # Start the report once the ingest has opened the database for writing, or has ended.
    while ingest.poll() is None:
        try:
            duckdb.connect(str(database), read_only=True).close()
        except duckdb.IOException:
            break
    waits: list[str] = []
    outcome = produce_report(
        settings,
        MetricOptions(window="period"),
        tmp_path / "reports",
        on_wait=waits.append,
        narrator=template_narrator,
    )
    stdout, stderr = ingest.communicate(timeout=600)

    assert ingest.returncode == 0, stderr
    result = json.loads(stdout)
    assert result["rows_read"] == rows
    assert result["rows_loaded"] == rows
    assert event_count(database) == 5 + rows
    # The report saw the database either before or after the import, never half of it.
    assert total_paid_purchases(outcome.files.csv) in (5, 5 + rows)
    if waits:
        assert all("waiting" in message for message in waits)
