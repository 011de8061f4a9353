"""``growthlens metrics``: JSON and text output, and rejected options (exit status 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.cli import main
from analytics.store.connection import ensure_database

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases"


@pytest.fixture
def loaded(database_path: Path, capsys) -> Path:
    """The test database with the refunds case loaded through ``growthlens ingest``."""
    status = main(
        [
            "ingest",
            str(CASES / "refunds.csv"),
            "--map",
            "event_time=timestamp",
            "--db",
            str(database_path),
        ]
    )
    assert status == 0
    capsys.readouterr()
    return database_path


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    status = main(["metrics", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_json_output_goes_to_stdout(loaded, capsys):
    status, out, err = run(capsys, "--db", str(loaded), "--format", "json", "--window", "period")
    assert status == 0
    result = json.loads(out)
    assert (result["grain"], result["window"], result["model"]) == (
        "month",
        "period",
        "transactional",
    )
    assert [p["period"] for p in result["periods"]][0] == "2024-02"
    assert result["periods"][0]["crr"] is None
    assert err == ""


def test_all_options_reach_the_engine(loaded, capsys):
    status, out, _ = run(
        capsys,
        "--db",
        str(loaded),
        "--format",
        "json",
        "--grain",
        "quarter",
        "--window",
        "45d",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--as-of",
        "2024-05-31",
        "--timezone",
        "Europe/Berlin",
        "--lifespan-years",
        "3",
        "--gross-margin",
        "0.5",
    )
    assert status == 0
    result = json.loads(out)
    assert (result["grain"], result["window"], result["timezone"]) == (
        "quarter",
        "45D",
        "Europe/Berlin",
    )
    assert result["as_of"] == "2024-05-31"
    assert [p["period"] for p in result["periods"]] == ["2024-Q1", "2024-Q2"]
    clv = result["clv"]
    assert (clv["window_from"], clv["window_to"]) == ("2024-01-01", "2024-12-31")
    assert (clv["lifespan_years"], clv["gross_margin"]) == (3.0, 0.5)
    # Up to May 31: purchases 100, 80, 50, 60 and refunds 40, 80 from 3 customers.
    assert clv["clv"] == pytest.approx(170 / 3 / (366 / 365.25) * 3 * 0.5)


def test_text_output_shows_undefined_as_not_available(loaded, capsys):
    status, out, _ = run(capsys, "--db", str(loaded), "--window", "period")
    assert status == 0
    lines = out.splitlines()
    february = next(line for line in lines if line.startswith("2024-02 "))
    assert "n/a" in february
    assert any(line.startswith("2024-06*") for line in lines)
    assert "Customer lifetime value:" in out
    assert "16.63" in out


def test_segment_text_output_has_one_section_per_value(database_path, capsys):
    main(
        [
            "ingest",
            str(CASES / "cp1252_excel.csv"),
            "--map",
            "event_time=timestamp",
            "--encoding",
            "cp1252",
            "--db",
            str(database_path),
        ]
    )
    capsys.readouterr()
    status, out, _ = run(capsys, "--db", str(database_path), "--segment", "city")
    assert status == 0
    for city in ("Zürich", "München", "Genève"):
        assert f"Segment city = {city}" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--window", "weekly"], "Valid windows: auto, period, subscription"),
        (["--grain", "decade"], "'day', 'week', 'month', 'quarter', 'year'"),
        (["--timezone", "Nowhere/City"], "Unknown time zone 'Nowhere/City'"),
        (["--segment", "plan"], "Unknown segment attribute 'plan'"),
        (["--as-of", "yesterday"], "Invalid --as-of date 'yesterday'"),
        (["--gross-margin", "2"], "Invalid gross margin"),
        (["--lifespan-years", "many"], "'many' is not a valid float"),
        (["--from", "2030-01-01"], "No period to report"),
    ],
)
def test_rejected_options_exit_with_status_2(loaded, capsys, arguments, message):
    status, out, err = run(capsys, "--db", str(loaded), *arguments)
    assert status == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_empty_database_says_so(database_path, capsys):
    ensure_database(database_path)
    status, out, err = run(capsys, "--db", str(database_path))
    assert status == 2
    assert "No events loaded" in err


def test_missing_database_is_not_created(database_path, capsys):
    status, out, err = run(capsys, "--db", str(database_path))
    assert status == 2
    assert "No database at" in err
    assert not database_path.exists()
