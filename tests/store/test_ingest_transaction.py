"""An import lands whole or not at all: a failure or a killed process leaves every table as
it was, and the staging work folder does not outlive the import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from ingest_support import CASES_DIR, snapshot

from analytics.errors import InvalidInputError
from analytics.store.ingest import loader, staging

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def _fail(*args, **kwargs):
    raise RuntimeError("injected failure")


def test_failure_during_insert_leaves_the_database_unchanged(ingest, settings, monkeypatch):
    ingest(CASES_DIR / "duplicate_event_ids.csv")
    before = snapshot(settings)
    monkeypatch.setattr(loader, "_record_rejections", _fail)
    with pytest.raises(RuntimeError, match="injected failure"):
        ingest(CASES_DIR / "refunds.csv")
    assert snapshot(settings) == before

    monkeypatch.undo()
    result = ingest(CASES_DIR / "refunds.csv")
    assert not result.already_loaded
    assert result.rows_loaded == 7


def test_failure_in_import_log_leaves_no_events(ingest, settings, monkeypatch):
    ingest(CASES_DIR / "free_orders.csv")
    before = snapshot(settings)
    monkeypatch.setattr(loader, "_record_import", _fail)
    with pytest.raises(RuntimeError):
        ingest(CASES_DIR / "one_time_buyers.csv")
    assert snapshot(settings) == before


def test_killed_process_leaves_the_database_unchanged(ingest, settings, growth_home):
    ingest(CASES_DIR / "bom_header.csv")
    before = snapshot(settings)
    script = textwrap.dedent(
        f"""
        import os, signal
        from analytics.config import load_settings
        from analytics.store.ingest import IngestOptions, ingest_file, loader

        def killed(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)

        loader._record_import = killed
        ingest_file({str(CASES_DIR / "refunds.csv")!r}, IngestOptions(), load_settings())
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, "GROWTH_HOME": str(growth_home)},
        capture_output=True,
        timeout=120,
    )
    assert completed.returncode == -signal.SIGKILL
    assert snapshot(settings) == before

    result = ingest(CASES_DIR / "refunds.csv")
    assert result.rows_loaded == 7
    leftovers = list((growth_home / staging.WORK_FOLDER).glob("ingest-*"))
    assert leftovers == []


def test_work_folder_is_removed_after_success_and_failure(ingest, growth_home, write_file):
    ingest(CASES_DIR / "free_orders.csv")
    with pytest.raises(InvalidInputError):
        ingest(write_file("broken.csv", "customer_id\nA\n"))
    assert list((growth_home / staging.WORK_FOLDER).iterdir()) == []


def test_refused_input_does_not_create_the_database(ingest, settings, write_file):
    with pytest.raises(InvalidInputError):
        ingest(write_file("empty.csv", ""))
    assert not settings.database_path.exists()


def test_database_is_not_locked_while_staging(ingest, settings, monkeypatch):
    ingest(CASES_DIR / "free_orders.csv")
    stage_file = staging.stage_file
    observed: list[subprocess.CompletedProcess] = []

    def stage_and_probe(*args, **kwargs):
        staged = stage_file(*args, **kwargs)
        # Another process can write the database while this one has staged its file.
        probe = (
            "import duckdb, sys; "
            "connection = duckdb.connect(sys.argv[1]); "
            "connection.execute('CREATE TABLE probe AS SELECT 1 AS x'); "
            "connection.execute('DROP TABLE probe'); connection.close()"
        )
        observed.append(
            subprocess.run(
                [sys.executable, "-c", probe, str(settings.database_path)],
                capture_output=True,
                timeout=120,
            )
        )
        return staged

    monkeypatch.setattr(loader, "stage_file", stage_and_probe)
    result = ingest(CASES_DIR / "one_time_buyers.csv")
    assert result.rows_loaded == 5
    assert observed[0].returncode == 0, observed[0].stderr


def test_same_file_from_two_threads_loads_once(settings):
    from concurrent.futures import ThreadPoolExecutor

    from analytics.store.ingest import IngestOptions, ingest_file

    def load():
        return ingest_file(CASES_DIR / "duplicate_event_ids.csv", IngestOptions(), settings)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda _: load(), range(2)))
    assert sorted(outcome.already_loaded for outcome in outcomes) == [False, True]
    assert len(snapshot(settings)["events"]) == 5


HOLD_LOCK = """
import pathlib, sys, time
import duckdb

connection = duckdb.connect(sys.argv[1])
pathlib.Path(sys.argv[2]).write_text("ready")
while not pathlib.Path(sys.argv[3]).exists():
    time.sleep(0.05)
connection.close()
"""


def test_staging_proceeds_while_another_process_holds_the_database(
    ingest, settings, monkeypatch, tmp_path
):
    ingest(CASES_DIR / "free_orders.csv")
    ready, release = tmp_path / "ready", tmp_path / "release"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(settings.database_path), str(ready), str(release)]
    )
    try:
        for _ in range(1200):
            if ready.exists() or holder.poll() is not None:
                break
            time.sleep(0.05)
        assert ready.exists()
        stage_file = staging.stage_file
        staged_while_held: list[bool] = []

        def stage_then_release(*args, **kwargs):
            staged = stage_file(*args, **kwargs)
            staged_while_held.append(holder.poll() is None)
            release.write_text("done")
            return staged

        monkeypatch.setattr(loader, "stage_file", stage_then_release)
        result = ingest(CASES_DIR / "refunds.csv")
    finally:
        release.write_text("done")
        holder.wait(timeout=60)
    assert staged_while_held == [True]
    assert result.rows_loaded == 7
