"""The Upload page with AppTest: the shared input cases, bad files, the date-order
question, quantity × unit price, and a file analysed on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dashboard_support import (
    CASES_DIR,
    load_on_page,
    metric_values,
    metrics_of,
    open_app,
    problems_on,
    snapshot,
    texts,
    upload,
)

from analytics.config import Settings
from dashboard.components.format import md

# File, rows read, loaded, rejected and duplicates skipped, as worked out for each case.
CASE_COUNTS = [
    ("bom_header.csv", 6, 6, 0, 0),
    ("semicolon_decimal_comma.csv", 5, 5, 0, 0),
    ("quoted_newlines.csv", 4, 4, 0, 0),
    ("duplicate_event_ids.csv", 8, 5, 0, 3),
    ("joined_and_churned.csv", 10, 10, 0, 0),
    ("no_churn_yet.csv", 11, 11, 0, 0),
    ("one_time_buyers.csv", 5, 5, 0, 0),
    ("partial_last_period.csv", 10, 10, 0, 0),
    ("refunds.csv", 7, 7, 0, 0),
    ("free_orders.csv", 6, 6, 0, 0),
    ("invented_numbers.csv", 9, 9, 0, 0),
]


def upload_page() -> object:
    return open_app(page="upload.py")


def counts_on(app) -> tuple[str, str, str, str]:
    shown = metric_values(app)
    return (shown["Rows read"], shown["Loaded"], shown["Rejected"], shown["Duplicates skipped"])


@pytest.mark.parametrize(("name", "read", "loaded", "rejected", "duplicates"), CASE_COUNTS)
def test_case_file_counts(
    settings: Settings, name: str, read: int, loaded: int, rejected: int, duplicates: int
):
    app = upload(upload_page(), name, (CASES_DIR / name).read_bytes())

    assert app.selectbox(key="upload_map_event_time").value == "timestamp"
    load_on_page(app)

    assert problems_on(app) == []
    assert counts_on(app) == (str(read), str(loaded), str(rejected), str(duplicates))
    assert snapshot(settings.database_path)["events"] != []


def test_duplicate_ids_and_second_load(settings: Settings):
    content = (CASES_DIR / "duplicate_event_ids.csv").read_bytes()
    app = load_on_page(upload(upload_page(), "duplicate_event_ids.csv", content))
    assert "e002" in texts(app)
    assert "e005" in texts(app)
    before = snapshot(settings.database_path)

    again = load_on_page(upload(upload_page(), "duplicate_event_ids.csv", content))

    assert problems_on(again) == []
    assert "was loaded before" in texts(again)
    assert snapshot(settings.database_path) == before
    july = metrics_of(settings.database_path, window="period")["periods"][0]
    assert july["revenue"] == pytest.approx(220.00)  # 50 + 30 + 20 + 20 + 100


def test_windows_1252_file(settings: Settings):
    app = upload(upload_page(), "cp1252_excel.csv", (CASES_DIR / "cp1252_excel.csv").read_bytes())
    if not app.error:
        load_on_page(app)

    page = texts(app)
    if app.error:
        assert "line 2" in page
        assert "city" in page
        assert snapshot(settings.database_path) in (
            None,
            {"events": [], "imports": [], "rejected_rows": []},
        )
    else:
        assert "1252" in page
        assert counts_on(app) == ("4", "4", "0", "0")
        assert "Zürich" in str(snapshot(settings.database_path)["events"])
        assert "Noël €5 off" in str(snapshot(settings.database_path)["events"])


def test_chosen_encoding_is_used(settings: Settings):
    app = upload(upload_page(), "cp1252_excel.csv", (CASES_DIR / "cp1252_excel.csv").read_bytes())

    app.selectbox(key="upload_encoding").set_value("cp1252").run()
    load_on_page(app)

    events = str(snapshot(settings.database_path)["events"])
    assert problems_on(app) == []
    assert counts_on(app) == ("4", "4", "0", "0")
    assert "Genève" in events
    assert "Straße" in events


def test_ambiguous_date_order_asked(settings: Settings):
    content = b"customer,date,total\nA,01/02/2024,10\nB,03/04/2024,20\nA,05/06/2024,30\n"
    app = upload(upload_page(), "ambiguous.csv", content)

    assert app.radio(key="upload_date_order").value is None
    assert app.button(key="upload_add").disabled
    assert "Choose the date order before loading." in texts(app)

    app.radio(key="upload_date_order").set_value("dmy").run()
    assert not app.button(key="upload_add").disabled
    load_on_page(app)

    periods = metrics_of(settings.database_path, window="period")["periods"]
    assert problems_on(app) == []
    assert periods[0]["period"] == "2024-02"  # 01/02/2024 read day first: 1 February
    assert periods[-1]["period"] == "2024-06"


def test_amount_quantity_times_price(settings: Settings):
    content = b"customer,date,qty,unit_price\nA,2024-01-05,3,2.50\nB,2024-01-09,2,10\n"
    app = upload(upload_page(), "lines.csv", content)

    app.selectbox(key="upload_map_amount").set_value("\x00quantity × unit price").run()
    app.selectbox(key="upload_map_quantity").set_value("qty")
    app.selectbox(key="upload_map_unit_price").set_value("unit_price").run()
    load_on_page(app)

    january = metrics_of(settings.database_path, window="period")["periods"][0]
    assert problems_on(app) == []
    assert january["revenue"] == pytest.approx(27.50)  # 3 × 2.50 + 2 × 10


def test_binary_file_rejected(demo_database: Path):
    before = snapshot(demo_database)
    content = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 32

    app = upload(upload_page(), "photo.csv", content)

    assert len(app.error) == 1
    assert "photo.csv" in app.error[0].value
    assert not app.exception
    assert snapshot(demo_database) == before


def test_empty_file_rejected(demo_database: Path):
    before = snapshot(demo_database)

    app = upload(upload_page(), "empty.csv", b"")

    assert [error.value for error in app.error] == [
        "'empty.csv' is empty (0 bytes): there is nothing to load."
    ]
    assert snapshot(demo_database) == before


def test_oversized_file_rejected(demo_database: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GROWTH_MAX_UPLOAD_BYTES", "100")
    before = snapshot(demo_database)
    content = (CASES_DIR / "partial_last_period.csv").read_bytes()  # 430 bytes

    app = upload(upload_page(), "partial_last_period.csv", content)

    assert len(app.error) == 1
    assert "more than the upload limit of 100 bytes" in app.error[0].value
    assert snapshot(demo_database) == before


def test_all_rows_bad_rejected(demo_database: Path):
    before = snapshot(demo_database)
    content = b"customer_id,timestamp,amount\nA,not a date,10\nB,2024-13-45,20\n"

    app = load_on_page(upload(upload_page(), "bad_dates.csv", content))

    page = texts(app)
    assert len(app.error) == 1
    assert "line 2" in page
    assert "Nothing was loaded" in page
    assert snapshot(demo_database) == before


def test_rejected_rows_listed(settings: Settings):
    content = b"customer_id,timestamp,amount\nA,2024-01-05,10\nB,not a date,20\nC,2024-01-07,=1+2\n"

    app = load_on_page(upload(upload_page(), "mixed.csv", content))

    rejected = app.dataframe[-1].value
    assert problems_on(app) == []
    assert counts_on(app)[1] == "1"
    assert list(rejected["Line"]) == [3, 4]
    labels = [button.proto.label for button in app.get("download_button")]
    assert "Download rejected rows (CSV)" in labels


def test_scratch_analysis_keeps_workspace(demo_database: Path):
    before = snapshot(demo_database)
    content = (CASES_DIR / "partial_last_period.csv").read_bytes()
    app = upload(upload_page(), "partial_last_period.csv", content)

    load_on_page(app, target="scratch")

    assert problems_on(app) == []
    assert snapshot(demo_database) == before
    assert re.fullmatch(r"partial_last_period-[0-9a-f]{12}", app.query_params["dataset"])
    assert md("partial_last_period.csv") in texts(app)  # as Markdown, underscores escaped
    app.switch_page("pages/overview.py").run()
    assert metric_values(app)["Revenue"] == "80.00"  # February of the uploaded file
    app.button(key="sidebar_back_to_workspace").click().run()
    assert "dataset" not in app.query_params
    assert metric_values(app)["Revenue"] != "80.00"
