"""Dates and times: ISO with offsets, naive times in the dataset's zone, day/month order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ingest_support import assert_accounted

from analytics.errors import AmbiguousDateOrderError


def _dates_file(write_file, dates: list[str]):
    lines = ["customer_id,timestamp,amount"]
    lines += [f"C{index},{value},1" for index, value in enumerate(dates)]
    return write_file("dates.csv", "\n".join(lines) + "\n")


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


STORED = "SELECT event_time FROM events ORDER BY source_line"


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (
            [
                "2024-01-05T10:00:00Z",
                "2024-01-05T10:00:00+02:00",
                "2024-01-05T10:00:00-0530",
                "2024-01-05 10:00+02",
                "2024-01-05T10:00:00.250Z",
            ],
            [
                _utc(2024, 1, 5, 10),
                _utc(2024, 1, 5, 8),
                _utc(2024, 1, 5, 15, 30),
                _utc(2024, 1, 5, 8),
                _utc(2024, 1, 5, 10, 0, 0, 250000),
            ],
        ),
        (
            ["2024-01-05", "2024-01-05 07:08", "2024-01-05 07:08:09.5"],
            [_utc(2024, 1, 5), _utc(2024, 1, 5, 7, 8), _utc(2024, 1, 5, 7, 8, 9, 500000)],
        ),
        (["19970101", "19981231"], [_utc(1997, 1, 1), _utc(1998, 12, 31)]),
        (["2024/03/15", "2024.3.5 14:30"], [_utc(2024, 3, 15), _utc(2024, 3, 5, 14, 30)]),
        (
            ["15.03.2024 18:40", "01.02.2024 09:15:30"],
            [_utc(2024, 3, 15, 18, 40), _utc(2024, 2, 1, 9, 15, 30)],
        ),
        (["25/12/2024", "01/02/2024"], [_utc(2024, 12, 25), _utc(2024, 2, 1)]),
        (["12/25/2024", "01/02/2024"], [_utc(2024, 12, 25), _utc(2024, 1, 2)]),
        (
            ["12/25/2024 9:05 PM", "1/2/2024 12:00 AM"],
            [_utc(2024, 12, 25, 21, 5), _utc(2024, 1, 2, 0, 0)],
        ),
        (["05-05-2024", "11-11-2024"], [_utc(2024, 5, 5), _utc(2024, 11, 11)]),
    ],
    ids=[
        "iso-offsets",
        "iso-naive",
        "compact",
        "year-first",
        "dotted-day-first",
        "slash-day-first",
        "slash-month-first",
        "twelve-hour",
        "day-equals-month",
    ],
)
def test_date_notations(ingest, query, write_file, dates, expected):
    result = ingest(_dates_file(write_file, dates))
    assert result.rows_rejected == 0, result.rejections
    assert [row[0] for row in query(STORED)] == expected


def test_month_first_is_decided_by_the_data(ingest, write_file):
    result = ingest(_dates_file(write_file, ["03/04/2024", "12/31/2024"]))
    assert result.date_order == "mdy"


def test_ambiguous_dates_raise_until_the_order_is_given(ingest, query, write_file, settings):
    path = _dates_file(write_file, ["03/04/2024", "05/06/2024", "07/08/2024", "09/10/2024"])
    with pytest.raises(AmbiguousDateOrderError) as raised:
        ingest(path)
    error = raised.value
    assert error.column == "timestamp"
    assert error.lines == [2, 3, 4]
    assert "line 2: '03/04/2024'" in str(error)
    assert not settings.database_path.exists()

    result = ingest(path, date_order="dmy")
    assert result.date_order == "dmy"
    assert [row[0] for row in query(STORED)][:2] == [_utc(2024, 4, 3), _utc(2024, 6, 5)]


def test_given_month_first_order_reads_ambiguous_dates(ingest, query, write_file):
    ingest(_dates_file(write_file, ["03/04/2024", "05/06/2024"]), date_order="mdy")
    assert [row[0] for row in query(STORED)] == [_utc(2024, 3, 4), _utc(2024, 5, 6)]


def test_date_impossible_under_the_decided_order_is_rejected(ingest, query, write_file):
    dates = ["25/12/2024", "31/01/2024", "12/13/2024", "01/02/2024"]
    result = ingest(_dates_file(write_file, dates))
    assert_accounted(result)
    assert result.date_order == "dmy"
    assert result.rejections == [
        {
            "line": 4,
            "column": "timestamp",
            "reason": "date '12/13/2024' is not a valid day-first (dd/mm/yyyy) date",
        }
    ]
    assert any("mixes date orders" in warning for warning in result.warnings)


def test_unrecognised_dates_are_rejected(ingest, write_file):
    result = ingest(
        _dates_file(write_file, ["2024-01-01", "yesterday", "2024-02-30", "31.13.2024"])
    )
    assert_accounted(result)
    assert [(r["line"], r["reason"]) for r in result.rejections] == [
        (3, "date 'yesterday' is not a recognised date or time"),
        (4, "date '2024-02-30' is not a recognised date or time"),
        (5, "date '31.13.2024' is not a valid day-first (dd/mm/yyyy) date"),
    ]


def test_naive_times_are_read_in_the_dataset_zone(ingest, query, write_file):
    dates = ["2024-01-15 12:00", "2024-07-15 12:00", "2024-07-15T12:00:00Z", "15.01.2024 08:00"]
    ingest(_dates_file(write_file, dates), timezone="Europe/Berlin")
    assert [row[0] for row in query(STORED)] == [
        _utc(2024, 1, 15, 11),
        _utc(2024, 7, 15, 10),
        _utc(2024, 7, 15, 12),
        _utc(2024, 1, 15, 7),
    ]


def test_unknown_time_zone_is_refused(ingest, write_file):
    from analytics.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="Unknown time zone 'Mars/Olympus'"):
        ingest(_dates_file(write_file, ["2024-01-01"]), timezone="Mars/Olympus")


def test_dates_outside_supported_range_are_rejected(ingest, query, write_file):
    dates = ["1900-01-01", "9999-12-31", "0001-01-01", "1899-12-31 23:59", "2199-12-31 23:59"]

    result = ingest(_dates_file(write_file, dates))

    assert_accounted(result)
    assert result.rows_loaded == 2
    assert [(r["line"], r["column"], r["reason"]) for r in result.rejections] == [
        (3, "timestamp", "date '9999-12-31' is outside the supported range 1900-01-01 to 2199-12-31 (UTC)"),
        (4, "timestamp", "date '0001-01-01' is outside the supported range 1900-01-01 to 2199-12-31 (UTC)"),
        (
            5,
            "timestamp",
            "date '1899-12-31 23:59' is outside the supported range 1900-01-01 to 2199-12-31 (UTC)",
        ),
    ]  # fmt: skip
    assert query(STORED) == [(_utc(1900, 1, 1),), (_utc(2199, 12, 31, 23, 59),)]
