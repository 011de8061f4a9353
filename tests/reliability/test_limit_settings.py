"""Every bound on what one request may cost is a setting with a default, can be set by an
environment variable, and is enforced with a message that names the setting."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import duckdb
import pytest
from reliability_support import run_cli

from analytics.config import _ENVIRONMENT_FIELDS, LimitSettings, ModelSettings, load_settings

# Ten customers buy in January and February 2024; one purchase on 1 March completes February.
CSV_ROWS = "".join(
    f"c{i},2024-{month:02d}-{1 + i:02d},{10 + i}\n" for month in (1, 2) for i in range(10)
)
CSV_TEXT = "customer_id,event_time,amount\n" + CSV_ROWS + "c0,2024-03-01,10\n"


def environment_variable(dotted: str) -> str:
    (variable,) = [name for name, (field, _) in _ENVIRONMENT_FIELDS.items() if field == dotted]
    return variable


def test_every_limit_has_an_environment_variable():
    limits = {f"limits.{field.name}" for field in dataclasses.fields(LimitSettings)}
    model_limits = {"model.max_file_bytes", "model.max_tokens", "model.context_size"}
    configured = {field for field, _ in _ENVIRONMENT_FIELDS.values()}

    assert limits - configured == set()
    assert model_limits - configured == set()


def test_limit_defaults_are_positive():
    limits = LimitSettings()
    for field in dataclasses.fields(LimitSettings):
        value = getattr(limits, field.name)
        if field.name == "duckdb_threads":
            assert value is None  # one thread per core
        elif field.name == "duckdb_memory_limit":
            duckdb.connect().execute("SET memory_limit = ?", [value])  # a size DuckDB reads
        else:
            assert value > 0, field.name
    assert ModelSettings().max_file_bytes > 0


def test_environment_variable_sets_each_limit(monkeypatch: pytest.MonkeyPatch, growth_home):
    for field in dataclasses.fields(LimitSettings):
        dotted = f"limits.{field.name}"
        value = "3GB" if field.name == "duckdb_memory_limit" else "7"
        monkeypatch.setenv(environment_variable(dotted), value)
    settings = load_settings(growth_home)

    for field in dataclasses.fields(LimitSettings):
        expected = "3GB" if field.name == "duckdb_memory_limit" else 7
        assert getattr(settings.limits, field.name) == expected, field.name


def write_workbook(path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>" + " " * 5_000)
    path.write_bytes(buffer.getvalue())
    return path


# Setting, the value that makes the small file exceed it, and a text the message contains.
ENFORCED = [
    ("limits.max_upload_bytes", "50", "more than the limit of 50 bytes"),
    ("limits.max_rows_per_import", "10", "21 rows, more than the limit of 10"),
    ("limits.max_columns", "2", "3 columns, more than the limit of 2"),
    ("limits.max_line_bytes", "16", "longer than the limit of 16 bytes"),
]


@pytest.mark.parametrize(("dotted", "value", "expected"), ENFORCED, ids=[e[0] for e in ENFORCED])
def test_import_limit_is_enforced(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, dotted: str, value: str, expected: str
):
    path = tmp_path / "events.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    monkeypatch.setenv(environment_variable(dotted), value)

    completed = run_cli("ingest", str(path))

    assert completed.returncode == 2, completed.stderr
    assert expected in completed.stderr
    assert f"setting {dotted}" in completed.stderr


def test_unpacked_size_limit_is_enforced(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    path = write_workbook(tmp_path / "events.xlsx")
    monkeypatch.setenv(environment_variable("limits.max_unpacked_bytes"), "1000")

    completed = run_cli("ingest", str(path))

    assert completed.returncode == 2, completed.stderr
    assert "setting limits.max_unpacked_bytes" in completed.stderr


def test_invalid_memory_limit_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    path = tmp_path / "events.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    monkeypatch.setenv(environment_variable("limits.duckdb_memory_limit"), "lots")

    completed = run_cli("ingest", str(path))

    assert completed.returncode == 2, completed.stderr
    assert "limits.duckdb_memory_limit" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_prompt_budget_limit_gives_template(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    path = tmp_path / "events.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    assert run_cli("ingest", str(path)).returncode == 0
    monkeypatch.setenv(environment_variable("limits.prompt_budget_tokens"), "5")

    completed = run_cli("narrate", "--window", "period", "--format", "json")

    assert completed.returncode == 0, completed.stderr
    narrative = json.loads(completed.stdout)
    assert narrative["source"] == "template"
    assert any("limits.prompt_budget_tokens" in note for note in narrative["notes"])
