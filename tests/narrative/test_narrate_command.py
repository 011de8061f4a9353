"""``growthlens narrate``: metrics options in, the narrative out as text or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shared_paths import CASES_DIR

from analytics.cli import main
from analytics.config import load_settings
from analytics.store.ingest import IngestOptions, ingest_file

CASE_OPTIONS = {
    "invented_numbers.csv": ["--grain", "month", "--window", "auto", "--as-of", "2024-06-30"],
    "partial_last_period.csv": ["--grain", "month", "--window", "period"],
}


def load_case(growth_home: Path, name: str) -> Path:
    settings = load_settings(growth_home)
    ingest_file(CASES_DIR / name, IngestOptions(mapping={"event_time": "timestamp"}), settings)
    return settings.database_path


@pytest.fixture
def no_model(monkeypatch, tmp_path) -> Path:
    """Point the model setting at a file that does not exist, so the template is used."""
    missing = tmp_path / "no-such-model.gguf"
    monkeypatch.setenv("GROWTH_MODEL_PATH", str(missing))
    return missing


def narrate_json(capsys, database: Path, name: str) -> dict:
    status = main(["narrate", "--db", str(database), "--format", "json", *CASE_OPTIONS[name]])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return json.loads(captured.out)


def test_narrate_json_without_model_uses_template(growth_home, capsys, no_model):
    database = load_case(growth_home, "invented_numbers.csv")
    payload = narrate_json(capsys, database, "invented_numbers.csv")
    facts = {fact["id"]: fact for fact in payload["facts"]}

    assert payload["source"] == "template"
    assert payload["model"] is None
    assert facts["crr"]["formatted"] == "66.67%"
    assert facts["churn_rate"]["formatted"] == "33.33%"
    assert facts["revenue_change"]["formatted"] == "-33.33%"
    assert "customer retention was 66.67% and churn was 33.33%" in payload["text"]
    assert any(str(no_model) in note and "not found" in note for note in payload["notes"])


def test_narrate_partial_period_compares_complete_months(growth_home, capsys, no_model):
    database = load_case(growth_home, "partial_last_period.csv")
    payload = narrate_json(capsys, database, "partial_last_period.csv")
    facts = {fact["id"]: fact for fact in payload["facts"]}

    assert facts["period"]["value"] == "2024-02"
    assert facts["previous_period"]["value"] == "2024-01"
    assert facts["revenue_change"]["formatted"] == "0.00%"
    assert "unchanged from January 2024" in payload["text"]
    assert "March 2024 is still incomplete" in payload["text"]


def test_narrate_text_prints_origin_and_notes_on_stderr(growth_home, capsys, no_model):
    database = load_case(growth_home, "invented_numbers.csv")
    status = main(["narrate", "--db", str(database), *CASE_OPTIONS["invented_numbers.csv"]])
    captured = capsys.readouterr()

    assert status == 0
    assert captured.out.startswith("In June 2024, customer retention was 66.67%")
    assert "Template narrative" in captured.err
    assert "note:" in captured.err


def test_narrate_without_database_is_rejected(growth_home, capsys, tmp_path):
    status = main(["narrate", "--db", str(tmp_path / "missing.duckdb")])

    assert status == 2
    assert "No database" in capsys.readouterr().err


@pytest.mark.model
def test_narrate_with_bundled_model_names_it(growth_home, capsys):
    database = load_case(growth_home, "invented_numbers.csv")
    payload = narrate_json(capsys, database, "invented_numbers.csv")

    assert payload["source"] in ("model", "template")
    assert payload["model"] == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert "66.67%" in payload["text"]
