"""Validation of the Settings page's values."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from analytics.config import Settings, load_settings
from dashboard.settings_form import (
    file_settings,
    form_from_settings,
    parse_gross_margin,
    settings_from_form,
)


def test_unchanged_form_same_settings(settings: Settings):
    updated, problems = settings_from_form(form_from_settings(settings), settings)

    assert problems == []
    assert updated == settings


def test_valid_changes_are_applied(settings: Settings):
    form = dataclasses.replace(
        form_from_settings(settings),
        context_size=4096,
        threads=2,
        seed=7,
        temperature=0.3,
        window="30d",
        reporting_timezone="Europe/Berlin",
        gross_margin="60%",
    )

    updated, problems = settings_from_form(form, settings)

    assert problems == []
    assert updated.model.context_size == 4096
    assert updated.model.threads == 2
    assert updated.model.seed == 7
    assert updated.model.temperature == 0.3
    assert updated.window == "30D"
    assert updated.reporting_timezone == "Europe/Berlin"
    assert updated.gross_margin == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"context_size": 16}, "Context size 16"),
        ({"temperature": 3.5}, "Temperature 3.5"),
        ({"window": "weekly"}, "Window 'weekly'"),
        ({"reporting_timezone": "Mars/Olympus"}, "Reporting time zone 'Mars/Olympus'"),
        ({"timezone": ""}, "Data time zone ''"),
        ({"gross_margin": "1.5"}, "Gross margin '1.5'"),
        ({"gross_margin": "lots"}, "Gross margin 'lots'"),
        ({"grain": "fortnight"}, "Grain 'fortnight'"),
        ({"seed": -1}, "Seed -1"),
    ],
    ids=lambda value: str(value),
)
def test_invalid_value_rejected(settings: Settings, change, expected):
    form = dataclasses.replace(form_from_settings(settings), **change)

    updated, problems = settings_from_form(form, settings)

    assert updated is None
    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_missing_model_file_is_rejected(settings: Settings, tmp_path: Path):
    form = dataclasses.replace(form_from_settings(settings), model_path=str(tmp_path / "none.gguf"))

    updated, problems = settings_from_form(form, settings)

    assert updated is None
    assert "none.gguf" in problems[0]
    assert "not found" in problems[0]


def test_non_gguf_model_rejected(settings: Settings, tmp_path: Path):
    fake = tmp_path / "model.gguf"
    fake.write_text("this is not a model", encoding="utf-8")
    form = dataclasses.replace(form_from_settings(settings), model_path=str(fake))

    updated, problems = settings_from_form(form, settings)

    assert updated is None
    assert problems[0].startswith("Model file:")


def test_gross_margin_fraction_or_percent():
    assert parse_gross_margin("") == (None, None)
    assert parse_gross_margin("0.25") == (0.25, None)
    assert parse_gross_margin("25%") == (0.25, None)
    assert parse_gross_margin("100%") == (1.0, None)
    assert parse_gross_margin("0")[0] is None
    assert parse_gross_margin("0")[1] is not None


def test_environment_values_stay_out_of_the_file(
    growth_home: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("GROWTH_MAX_UPLOAD_BYTES", "1234")
    monkeypatch.setenv("GROWTH_DB", str(growth_home / "elsewhere.duckdb"))
    effective = load_settings(growth_home)

    base = file_settings(effective)

    assert effective.limits.max_upload_bytes == 1234
    assert base.limits.max_upload_bytes != 1234
    assert base.database is None
