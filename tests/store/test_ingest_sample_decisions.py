"""A delimited file whose first records need no decision is converted before it is
profiled. Values further down that do need one (day/month dates, decimal commas, event type
spellings) are decided from the whole file all the same, and the file converted again."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from ingest_support import assert_accounted

from analytics.errors import AmbiguousDateOrderError
from analytics.store.ingest import decisions, staging

PLAIN_ROWS = 250  # more records than the sample looks at


@pytest.fixture
def conversions(monkeypatch) -> list[int]:
    """Record how many rows each conversion of the file staged."""
    counts: list[int] = []
    convert = staging._convert

    def convert_and_count(*args, **kwargs):
        converted = convert(*args, **kwargs)
        counts.append(converted)
        return converted

    monkeypatch.setattr(staging, "_convert", convert_and_count)
    return counts


@pytest.fixture
def profile_scans(monkeypatch) -> list[str]:
    """Record each separate profiling scan of a file."""
    scans: list[str] = []
    profile = decisions.profile_records

    def profile_and_record(runner, relation, *args, **kwargs):
        scans.append(relation)
        return profile(runner, relation, *args, **kwargs)

    monkeypatch.setattr(decisions, "profile_records", profile_and_record)
    return scans


def _file(write_file, tail: list[str], header: str = "customer_id,timestamp,amount"):
    lines = [header] + [f"P{index},2024-01-01,5" for index in range(PLAIN_ROWS)] + tail
    return write_file("late.csv", "\n".join(lines) + "\n")


def test_plain_file_converted_once(ingest, write_file, conversions, profile_scans):
    result = ingest(_file(write_file, ["Z,2024-02-01,7.50"]))
    assert result.rows_loaded == PLAIN_ROWS + 1
    assert conversions == [PLAIN_ROWS + 1]
    assert profile_scans == []


def test_late_day_first_dates_decided(ingest, query, write_file, conversions):
    result = ingest(_file(write_file, ["A,25/12/2024,1", "B,03/04/2024,1"]))
    assert result.rows_rejected == 0, result.rejections
    assert result.date_order == "dmy"
    assert len(conversions) == 2
    stored = query("SELECT event_time FROM events WHERE customer_id IN ('A', 'B') ORDER BY 1")
    assert stored == [(datetime(2024, 4, 3, tzinfo=UTC),), (datetime(2024, 12, 25, tzinfo=UTC),)]


def test_late_decimal_commas_decided(ingest, query, write_file, conversions):
    tail = [f'C{index},2024-01-02,"19,90"' for index in range(300)]
    result = ingest(_file(write_file, tail))
    assert_accounted(result)
    assert result.rows_rejected == 0, result.rejections
    assert len(conversions) == 2
    # 250 x 5 + 300 x 19.90 = 1250 + 5970 = 7220.
    assert query("SELECT sum(amount), max(amount) FROM events") == [
        (Decimal("7220.0000"), Decimal("19.9000"))
    ]


def test_late_thousands_commas_kept(ingest, query, write_file, conversions):
    result = ingest(_file(write_file, ['X,2024-01-03,"1,250.00"']))
    assert result.rows_rejected == 0, result.rejections
    assert len(conversions) == 1
    assert query("SELECT amount FROM events WHERE customer_id = 'X'") == [(Decimal("1250.0000"),)]


def test_late_event_type_alias_read(ingest, query, write_file, conversions):
    lines = [f"P{index},2024-01-01,purchase,5" for index in range(PLAIN_ROWS)]
    lines += ["R,2024-01-05,Refund,-5", "S,2024-01-06,cancel,0"]
    path = write_file("types.csv", "customer_id,timestamp,event_type,amount\n" + "\n".join(lines))
    result = ingest(path)
    assert result.rows_rejected == 0, result.rejections
    assert len(conversions) == 2
    stored = query("SELECT customer_id, event_type FROM events WHERE customer_id IN ('R', 'S')")
    assert sorted(stored) == [("R", "refund"), ("S", "subscription_cancel")]


def test_late_ambiguous_dates_name_lines(ingest, write_file, settings):
    path = _file(write_file, ["A,03/04/2024,1", "B,05/06/2024,1"])
    with pytest.raises(AmbiguousDateOrderError) as raised:
        ingest(path)
    # The header is line 1 and the plain rows take lines 2 to 251.
    assert raised.value.lines == [252, 253]
    assert not settings.database_path.exists()


def test_padded_event_types_read(ingest, query, write_file):
    text = (
        "customer_id,timestamp,event_type,amount\n"
        "A,2024-01-01, purchase ,10\n"
        "A,2024-01-02,Refund ,-4\n"
        "B,2024-01-03,  subscription_start,0\n"
    )
    result = ingest(write_file("padded.csv", text))
    assert result.rows_rejected == 0, result.rejections
    assert query("SELECT event_type FROM events ORDER BY source_line") == [
        ("purchase",),
        ("refund",),
        ("subscription_start",),
    ]
