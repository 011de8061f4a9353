"""Every row read is loaded, rejected with its line, or skipped as a duplicate. Line numbers
are the physical lines where records start, and the header is line 1."""

from __future__ import annotations

from ingest_support import assert_accounted

from analytics.store.ingest import results

HEADER = "event_id,customer_id,timestamp,amount,note\n"


def test_malformed_records_are_rejected_with_their_lines(ingest, query, write_file):
    text = (
        HEADER
        + "e1,A,2024-01-01,1,ok\n"
        + "e2,B,2024-01-02,2\n"
        + "e3,C,2024-01-03,3,ok\n"
        + "e4,D,2024-01-04,4,ok,extra\n"
        + "e5,E,2024-01-05,5,ok\n"
    )
    result = ingest(write_file("malformed.csv", text))
    assert_accounted(result)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 3, 2)
    assert result.rejections == [
        {"line": 3, "column": None, "reason": "expected 5 fields, found 4"},
        {"line": 5, "column": None, "reason": "expected 5 fields, found 6"},
    ]
    lines = query("SELECT event_id, source_line FROM events ORDER BY source_line")
    assert lines == [("e1", 2), ("e3", 4), ("e5", 6)]
    raw = query("SELECT raw_text FROM rejected_rows ORDER BY line")
    assert raw == [("e2,B,2024-01-02,2",), ("e4,D,2024-01-04,4,ok,extra",)]


def test_blank_lines_keep_line_numbers(ingest, query, write_file):
    text = HEADER + "e1,A,2024-01-01,1,ok\n\n\ne2,B,2024-01-02,2,ok\n\n"
    result = ingest(write_file("blank.csv", text))
    assert (result.rows_read, result.rows_loaded) == (2, 2)
    assert query("SELECT event_id, source_line FROM events ORDER BY source_line") == [
        ("e1", 2),
        ("e2", 5),
    ]


def test_quoted_line_breaks_and_malformed_records_together(ingest, query, write_file):
    text = (
        HEADER
        + 'e1,A,2024-01-01,1,"two\nlines"\n'
        + "e2,B,2024-01-02\n"
        + 'e3,C,2024-01-03,3,"three\nlong\nlines"\n'
        + "e4,D,bad-date,4,ok\n"
        + "e5,E,2024-01-05,5,ok\n"
    )
    result = ingest(write_file("mixed.csv", text))
    assert_accounted(result)
    assert [(r["line"], r["column"]) for r in result.rejections] == [
        (4, None),
        (8, "timestamp"),
    ]
    lines = query("SELECT event_id, source_line FROM events ORDER BY source_line")
    assert lines == [("e1", 2), ("e3", 5), ("e5", 9)]


def test_duplicates_against_the_database_and_within_the_file(ingest, query, write_file):
    first = ingest(write_file("first.csv", HEADER + "e1,A,2024-01-01,1,a\ne2,A,2024-01-02,2,a\n"))
    assert first.rows_loaded == 2
    text = (
        HEADER
        + "e2,A,2024-01-02,2,again\n"
        + "e3,B,2024-01-03,x,bad amount\n"
        + "e3,B,2024-01-03,3,first valid e3\n"
        + "e3,B,2024-01-03,3,repeat\n"
        + ",C,2024-01-04,4,no id\n"
        + ",C,2024-01-04,4,no id\n"
    )
    result = ingest(write_file("second.csv", text))
    assert_accounted(result)
    assert (result.rows_loaded, result.rows_rejected, result.duplicates_skipped) == (3, 1, 2)
    assert result.duplicate_event_ids == ["e2", "e3"]
    kept = query(
        "SELECT source_line, attributes['note'] FROM events WHERE import_id = ? "
        "ORDER BY source_line",
        [result.import_id],
    )
    assert kept == [(4, "first valid e3"), (6, "no id"), (7, "no id")]
    skipped = query(
        "SELECT line, event_id FROM skipped_duplicates WHERE import_id = ? ORDER BY line",
        [result.import_id],
    )
    assert skipped == [(2, "e2"), (5, "e3")]


def test_import_log_stores_the_counts(ingest, query, write_file):
    text = HEADER + "e1,A,2024-01-01,1,ok\ne1,A,2024-01-01,1,ok\ne2,,2024-01-01,1,ok\n"
    result = ingest(write_file("log.csv", text), mapping={"event_time": "timestamp"})
    logged = query(
        "SELECT file_name, source_format, rows_read, rows_loaded, rows_rejected, "
        "duplicates_skipped, options->>'$.mapping.event_time', length(content_hash) FROM imports"
    )
    assert logged == [("log.csv", "csv", 3, 1, 1, 1, "timestamp", 64)]
    assert result.import_id == 1


def test_long_rejection_lists_are_capped_in_the_result(ingest, query, write_file, monkeypatch):
    monkeypatch.setattr(results, "MAX_REPORTED_REJECTIONS", 2)
    from analytics.store.ingest import loader

    monkeypatch.setattr(loader, "MAX_REPORTED_REJECTIONS", 2)
    text = HEADER + "".join(f"e{index},A,2024-01-01,bad,ok\n" for index in range(5))
    text += "e9,A,2024-01-01,1,ok\n"
    result = ingest(write_file("many.csv", text))
    assert result.rows_rejected == 5
    assert len(result.rejections) == 2
    assert any("first 2 of 5 rejected rows" in warning for warning in result.warnings)
    assert query("SELECT count(*) FROM rejected_rows") == [(5,)]
