"""An import killed with SIGKILL leaves the database exactly as it was, and the same file
then loads with every row accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reliability_support import (
    GeneratedLog,
    kill_when_stage_starts,
    run_cli,
    snapshot,
    start_cli_on_terminal,
    table_counts,
    write_event_log,
    write_small_log,
)

from analytics.config import Settings

LARGE_ROWS = 3_000_000
STAGE_TIMEOUT_SECONDS = 600
# Stages that the command line prints while the file is read and checked in the staging
# database, and the stage of the final insert into the main database.
STAGING_STAGES = ("reading", "validating")
FINAL_INSERT_STAGES = ("loading",)


@pytest.fixture(scope="module")
def large_log(tmp_path_factory: pytest.TempPathFactory) -> GeneratedLog:
    return write_event_log(tmp_path_factory.mktemp("large") / "events.csv", LARGE_ROWS)


@pytest.fixture
def database_with_one_import(settings: Settings, tmp_path: Path) -> Path:
    """The test's database after one small import, so that "as before" is not empty."""
    small = tmp_path / "small.csv"
    write_small_log(small)
    completed = run_cli("ingest", str(small))
    assert completed.returncode == 0, completed.stderr
    return settings.database_path


def import_json(path: Path) -> dict:
    completed = run_cli("ingest", str(path), "--format", "json")
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.parametrize(
    "stages", [STAGING_STAGES, FINAL_INSERT_STAGES], ids=["while_staging", "in_final_insert"]
)
def test_killed_import_changes_nothing(
    settings: Settings, database_with_one_import: Path, large_log: GeneratedLog, stages
):
    before = snapshot(database_with_one_import)
    process, terminal = start_cli_on_terminal("ingest", str(large_log.path))

    shown = kill_when_stage_starts(process, terminal, stages, STAGE_TIMEOUT_SECONDS)

    assert process.returncode == -9, shown
    assert snapshot(database_with_one_import) == before

    result = import_json(large_log.path)
    assert result["rows_read"] == large_log.rows
    assert result["rows_loaded"] == large_log.loaded
    assert result["rows_rejected"] == large_log.rejected
    assert result["duplicates_skipped"] == large_log.duplicates
    assert result["rows_read"] == (
        result["rows_loaded"] + result["rows_rejected"] + result["duplicates_skipped"]
    )
    counts = table_counts(database_with_one_import)
    assert counts["events"] == len(before["events"]) + large_log.loaded
    assert counts["rejected_rows"] == len(before["rejected_rows"]) + large_log.rejected
    assert counts["skipped_duplicates"] == len(before["skipped_duplicates"]) + large_log.duplicates
    assert counts["imports"] == len(before["imports"]) + 1
    # The killed process's work folder is removed by the next import.
    assert not any(settings.work_folder.glob(f"ingest-{process.pid}-*"))
