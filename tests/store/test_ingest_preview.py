"""preview_file: what the Upload page shows before loading, and the progress callback."""

from __future__ import annotations

import pytest
from ingest_support import CASES_DIR, CDNOW_DIR

from analytics.errors import InvalidInputError
from analytics.store.ingest import IngestOptions, ingest_file, preview_file


def test_preview_shows_layout_mapping_and_sample(settings):
    preview = preview_file(CASES_DIR / "semicolon_decimal_comma.csv", IngestOptions(), settings)
    assert preview.source_format == "csv"
    assert (preview.layout, preview.delimiter) == ("delimited", ";")
    assert preview.encoding == "utf-8"
    assert preview.columns == ["customer_id", "timestamp", "event_type", "amount", "country"]
    assert preview.mapping == {
        "customer_id": "customer_id",
        "event_time": "timestamp",
        "event_type": "event_type",
        "amount": "amount",
    }
    assert preview.guessed_fields == ["customer_id", "event_time", "event_type", "amount"]
    assert preview.given_fields == []
    assert preview.missing_fields == []
    assert preview.attributes == {"country": "country"}
    assert preview.sample_rows[0] == ["K100", "03.02.2024 09:15", "purchase", "19,90", "DE"]
    assert preview.rows == 5
    assert (preview.date_order, preview.date_order_ambiguous) == ("dmy", False)
    assert not settings.database_path.exists()


def test_preview_header_is_clean(settings):
    preview = preview_file(CASES_DIR / "bom_header.csv", IngestOptions(), settings)
    assert preview.columns == ["customer_id", "timestamp", "event_type", "amount"]
    assert preview.sample_rows[-1] == ["A3", "2024-02-20T16:00:00Z", "purchase", "30.00"]


def test_preview_reports_the_detected_encoding(settings):
    preview = preview_file(CASES_DIR / "cp1252_excel.csv", IngestOptions(), settings)
    assert preview.encoding == "cp1252"
    assert "Windows-1252" in preview.encoding_warning
    assert preview.encoding_warning not in preview.warnings
    assert preview.sample_rows[3][4:] == ["Genève", "Noël €5 off"]


def test_preview_flags_ambiguous_dates_with_examples(settings, write_file):
    path = write_file("amb.csv", "customer_id,date,amount\nA,03/04/2024,1\nB,05/06/2024,2\n")
    preview = preview_file(path, IngestOptions(), settings)
    assert preview.date_order_ambiguous
    assert preview.ambiguous_date_examples == [
        {"line": 2, "value": "03/04/2024"},
        {"line": 3, "value": "05/06/2024"},
    ]
    decided = preview_file(path, IngestOptions(date_order="mdy"), settings)
    assert (decided.date_order, decided.date_order_ambiguous) == ("mdy", False)


def test_preview_lists_missing_fields_instead_of_raising(settings, write_file):
    path = write_file("partial.csv", "client,when,total\nA,2024-01-01,1\n")
    preview = preview_file(path, IngestOptions(), settings)
    assert preview.missing_fields == ["event_time"]
    assert preview.mapping == {"customer_id": "client", "amount": "total"}
    given = preview_file(path, IngestOptions(mapping={"event_time": "when"}), settings)
    assert given.missing_fields == []
    assert given.given_fields == ["event_time"]


def test_preview_refuses_a_mapping_to_a_missing_column(settings):
    with pytest.raises(InvalidInputError, match="'order_date'"):
        preview_file(
            CASES_DIR / "refunds.csv", IngestOptions(mapping={"event_time": "order_date"}), settings
        )


def test_progress_reaches_every_stage_in_order(settings):
    reports: list[tuple[str, float]] = []
    ingest_file(
        CDNOW_DIR / "CDNOW_master.txt",
        IngestOptions(),
        settings,
        progress=lambda stage, fraction: reports.append((stage, fraction)),
    )
    stages = [stage for stage, _ in reports]
    assert stages[0] == "checking"
    assert stages[-1] == "done"
    assert reports[-1][1] == 1.0
    fractions = [fraction for _, fraction in reports]
    assert fractions == sorted(fractions)
    assert all(0.0 <= fraction <= 1.0 for fraction in fractions)
