import polars as pl
import pytest

from analytics.exports import escape_spreadsheet_cell, frame_to_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        ("organic", "organic"),
        ("", ""),
    ],
    ids=[
        "equals",
        "plus-command",
        "minus-formula",
        "at",
        "tab",
        "negative",
        "plus-number",
        "plain",
        "empty",
    ],
)
def test_escape_spreadsheet_cell(value, expected):
    assert escape_spreadsheet_cell(value) == expected


def test_frame_to_csv_escapes_only_text_columns():
    frame = pl.DataFrame({"campaign": ["=1+1", "spring"], "revenue": [-5.0, 10.0]})

    lines = frame_to_csv(frame).splitlines()

    assert lines[0] == "campaign,revenue"
    assert lines[1] == "'=1+1,-5.0"
    assert lines[2] == "spring,10.0"
