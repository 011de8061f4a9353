"""`growthlens report --out` must name a folder that can be written; otherwise exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_paths import CASES_DIR

from analytics.cli import main


@pytest.fixture
def loaded(database_path: Path, capsys) -> Path:
    """The test database with the refunds case loaded."""
    refunds = CASES_DIR / "refunds.csv"
    status = main(
        ["ingest", str(refunds), "--map", "event_time=timestamp", "--db", str(database_path)]
    )
    assert status == 0
    capsys.readouterr()
    return database_path


def report(capsys, database: Path, out: str) -> tuple[int, str]:
    status = main(["report", "--out", out, "--window", "period", "--db", str(database)])
    return status, capsys.readouterr().err


def test_empty_out_is_rejected(loaded, capsys, tmp_path, monkeypatch):
    current = tmp_path / "current"
    current.mkdir()
    monkeypatch.chdir(current)

    status, err = report(capsys, loaded, "")

    assert status == 2
    assert "the folder name is empty" in err
    assert list(current.iterdir()) == []


def test_out_naming_a_file_is_rejected(loaded, capsys, tmp_path):
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me", encoding="utf-8")

    status, err = report(capsys, loaded, str(existing))

    assert status == 2
    assert "is a file, not a folder" in err
    assert existing.read_text(encoding="utf-8") == "keep me"


def test_unwritable_out_exits_2(loaded, capsys, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")

    status, err = report(capsys, loaded, str(blocker / "reports"))

    assert status == 2
    assert "Failed to create the report folder" in err
    assert "Traceback" not in err
