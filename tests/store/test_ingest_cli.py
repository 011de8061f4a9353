"""``growthlens ingest``: output formats, exit statuses, and refused input that changes nothing."""

from __future__ import annotations

import json

import pytest
from ingest_support import CASES_DIR, CDNOW_DIR, snapshot

from analytics.cli import main


def _run(capsys, *arguments: str) -> tuple[int, str, str]:
    status = main(["ingest", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_json_output_has_the_documented_fields(capsys):
    status, out, _ = _run(capsys, str(CASES_DIR / "duplicate_event_ids.csv"), "--format", "json")
    assert status == 0
    document = json.loads(out)
    assert document["rows_read"] == 8
    assert document["rows_loaded"] == 5
    assert document["rows_rejected"] == 0
    assert document["duplicates_skipped"] == 3
    assert document["rejections"] == []
    assert document["warnings"] == []
    assert document["already_loaded"] is False
    assert document["duplicate_event_ids"] == ["e002", "e005"]
    assert document["mapping"]["event_time"] == "timestamp"


def test_json_rejections_have_line_column_and_reason(capsys, write_file):
    path = write_file("bad.csv", "customer_id,timestamp,amount\nA,2024-01-01,1\nB,never,2\n")
    status, out, _ = _run(capsys, str(path), "--format", "json")
    assert status == 0
    assert json.loads(out)["rejections"] == [
        {
            "line": 3,
            "column": "timestamp",
            "reason": "date 'never' is not a recognised date or time",
        }
    ]


def test_text_output_summarises_counts_and_mapping(capsys):
    path = CDNOW_DIR / "cdnow_transactions.csv"
    status, out, _ = _run(capsys, str(path), "--map", "event_time=order_date")
    assert status == 0
    assert "69,659 rows read, 69,659 loaded, 0 rejected, 0 duplicates skipped" in out
    assert "event_time <- order_date" in out


def test_second_load_exits_zero_and_says_already_loaded(capsys):
    path = str(CASES_DIR / "refunds.csv")
    assert _run(capsys, path)[0] == 0
    status, out, _ = _run(capsys, path, "--format", "json")
    assert status == 0
    document = json.loads(out)
    assert document["already_loaded"] is True
    assert document["rows_loaded"] == 0
    assert "already loaded" in document["warnings"][0]


def test_ambiguous_dates_exit_two_and_name_the_option(capsys, write_file):
    path = write_file("amb.csv", "customer_id,date,amount\nA,03/04/2024,1\nB,05/06/2024,2\n")
    status, _, err = _run(capsys, str(path))
    assert status == 2
    assert "--date-order dmy" in err
    assert "line 2" in err
    assert _run(capsys, str(path), "--date-order", "dmy")[0] == 0


def _settings_limits(growth_home, **limits) -> None:
    (growth_home / "settings.json").write_text(json.dumps({"limits": limits}))


BAD_INPUTS = {
    "missing-required-column": ("orders.csv", b"customer_id,amount\nA,1\n", [], "no column found"),
    "header-only": ("header.csv", b"customer_id,timestamp,amount\n", [], "no data rows"),
    "zero-bytes": ("zero.csv", b"", [], "empty (0 bytes)"),
    "binary": ("image.csv", bytes(range(256)) * 4, [], "binary"),
    "unknown-encoding": (
        "any.csv",
        b"customer_id,timestamp,amount\nA,2024-01-01,1\n",
        ["--encoding", "ebcdic-42"],
        "unknown encoding",
    ),
    "map-to-missing-column": (
        "any.csv",
        b"customer_id,timestamp,amount\nA,2024-01-01,1\n",
        ["--map", "event_time=order_date"],
        "column 'order_date' given for event_time is not in the file",
    ),
    "malformed-map": (
        "any.csv",
        b"customer_id,timestamp,amount\nA,2024-01-01,1\n",
        ["--map", "event_time"],
        "FIELD=COLUMN",
    ),
    "undecodable": (
        "cities.csv",
        b"customer_id,timestamp,amount,city\nA,2024-01-01,1,Z\xfcrich\n",
        ["--encoding", "utf-8"],
        "line 2, column 'city'",
    ),
    "all-rows-rejected": (
        "allbad.csv",
        b"customer_id,timestamp,amount\nA,2024-01-01,x\nB,2024-01-02,y\n",
        [],
        "all 2 rows were rejected",
    ),
    "missing-file": (None, None, [], "not found"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_two_unchanged(capsys, settings, write_file, tmp_path, case):
    assert _run(capsys, str(CASES_DIR / "free_orders.csv"))[0] == 0
    before = snapshot(settings)
    name, content, options, expected = BAD_INPUTS[case]
    path = write_file(name, content) if name else tmp_path / "absent.csv"

    status, out, err = _run(capsys, str(path), *options)

    assert status == 2
    assert out == ""
    assert expected in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(settings) == before


@pytest.mark.parametrize(
    ("limits", "content", "expected"),
    [
        ({"max_upload_bytes": 10}, "customer_id,timestamp,amount\nA,2024-01-01,1\n", "bytes"),
        (
            {"max_rows_per_import": 1},
            "customer_id,timestamp,amount\nA,2024-01-01,1\nB,2024-01-01,1\n",
            "2 rows, more than the limit of 1",
        ),
        (
            {"max_columns": 2},
            "customer_id,timestamp,amount\nA,2024-01-01,1\n",
            "3 columns, more than the limit of 2",
        ),
        (
            {"max_line_bytes": 40},
            "customer_id,timestamp,amount,note\nA,2024-01-01,1," + "x" * 100 + "\n",
            "line 2 is longer than the limit of 40 bytes",
        ),
    ],
    ids=["upload-bytes", "rows", "columns", "line-bytes"],
)
def test_limits_are_refused_with_the_setting_named(
    capsys, growth_home, settings, write_file, limits, content, expected
):
    _settings_limits(growth_home, **limits)
    status, _, err = _run(capsys, str(write_file("limited.csv", content)))
    assert status == 2
    assert expected in err
    assert "limits." in err
    assert not settings.database_path.exists()
