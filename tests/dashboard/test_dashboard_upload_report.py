"""The Upload page's wording, and scratch data sets that are never replaced silently."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard_support import (
    CASES_DIR,
    load_on_page,
    metric_values,
    open_app,
    problems_on,
    snapshot,
    texts,
    upload,
)

from analytics.config import Settings
from analytics.store import ensure_database
from analytics.store.ingest import IngestOptions, ingest_file
from dashboard.data import SCRATCH_NAME_PATTERN, scratch_folder, scratch_name_for
from dashboard.uploads import upload_fingerprint

DUPLICATES = (CASES_DIR / "duplicate_event_ids.csv").read_bytes()
ONE_ROW = b"customer_id,timestamp,amount\nA,2024-01-05,10.00\n"
# Same file name, other content: January orders of 10.00 and 20.00, then of 99.00.
FIRST_VERSION = b"customer_id,timestamp,amount\nA,2024-01-05,10.00\nB,2024-01-06,20.00\n"
SECOND_VERSION = b"customer_id,timestamp,amount\nC,2024-01-07,99.00\n"


def upload_page():
    return open_app(page="upload.py")


def alerts(app) -> list[str]:
    return [element.value for element in (*app.info, *app.warning, *app.success, *app.error)]


def scratch_files(settings: Settings) -> list[str]:
    folder = scratch_folder(settings)
    return sorted(path.name for path in folder.glob("*.duckdb")) if folder.is_dir() else []


def test_duplicate_ids_listed_without_ellipsis(settings: Settings):
    app = load_on_page(upload(upload_page(), "duplicate_event_ids.csv", DUPLICATES))

    captions = [caption.value for caption in app.caption if "repeated event" in caption.value]
    assert problems_on(app) == []
    assert captions == ["Skipped repeated event ids: e002, e005."]  # every id, so no "…"


def test_reloaded_file_reported_once(settings: Settings):
    load_on_page(upload(upload_page(), "duplicate_event_ids.csv", DUPLICATES))

    again = load_on_page(upload(upload_page(), "duplicate_event_ids.csv", DUPLICATES))

    load_alerts = [text for text in alerts(again) if "loaded" in text]
    assert problems_on(again) == []
    assert len(load_alerts) == 1
    assert "was loaded before" in load_alerts[0]


def test_one_event_is_singular(settings: Settings):
    app = load_on_page(upload(upload_page(), "one.csv", ONE_ROW))

    success = [element.value for element in app.success]
    assert problems_on(app) == []
    assert len(success) == 1
    assert success[0].startswith("Loaded 1 event from")


def test_raw_preview_shows_empty_cells_empty(settings: Settings):
    content = b"customer_id,timestamp,amount,channel\nA,2024-01-05,10.00,\nB,2024-01-06,20.00,web\n"

    app = upload(upload_page(), "gaps.csv", content)

    preview = app.dataframe[0]
    assert problems_on(app) == []
    assert preview.proto.placeholder == ""
    assert "The first 2 records as read" in texts(app)


def test_scratch_name_changes_with_content_and_options():
    options = IngestOptions(mapping={"customer_id": "customer_id"})
    first = scratch_name_for("Sales 2024.csv", upload_fingerprint("a" * 64, options))
    other_content = scratch_name_for("Sales 2024.csv", upload_fingerprint("b" * 64, options))
    other_options = scratch_name_for(
        "Sales 2024.csv", upload_fingerprint("a" * 64, IngestOptions(date_order="dmy"))
    )

    assert re.fullmatch(r"sales-2024-[0-9a-f]{12}", first)
    assert len({first, other_content, other_options}) == 3


def test_scratch_name_stays_a_valid_slug():
    name = scratch_name_for("É" * 30 + "x" * 200 + ".csv", "0123456789abcdef")

    assert SCRATCH_NAME_PATTERN.match(name)
    assert name.endswith("-0123456789ab")
    assert scratch_name_for("___.csv", "ff" * 32) == "upload-ffffffffffff"


def test_same_name_other_content_gets_own_data_set(settings: Settings):
    first = load_on_page(upload(upload_page(), "sales.csv", FIRST_VERSION), target="scratch")
    first_link = first.query_params["dataset"]
    first_database = scratch_folder(settings) / f"{first_link}.duckdb"
    first_rows = snapshot(first_database)

    second = load_on_page(upload(upload_page(), "sales.csv", SECOND_VERSION), target="scratch")

    assert problems_on(second) == []
    assert second.query_params["dataset"] != first_link
    assert len(scratch_files(settings)) == 2
    assert snapshot(first_database) == first_rows
    old_link = open_app({"dataset": first_link, "window": "period"})
    assert old_link.query_params["dataset"] == first_link
    assert "revenue 30.00" in texts(old_link)  # 10.00 + 20.00 so far in January, not 99.00


def test_same_file_again_reuses_data_set(settings: Settings):
    first = load_on_page(upload(upload_page(), "sales.csv", FIRST_VERSION), target="scratch")
    database = scratch_folder(settings) / f"{first.query_params['dataset']}.duckdb"
    before = (snapshot(database), database.stat().st_mtime_ns)

    again = load_on_page(upload(upload_page(), "sales.csv", FIRST_VERSION), target="scratch")

    assert problems_on(again) == []
    assert again.query_params["dataset"] == first.query_params["dataset"]
    assert "analysed on its own before" in texts(again)
    assert metric_values(again)["Loaded"] == "2"
    assert (snapshot(database), database.stat().st_mtime_ns) == before
    assert scratch_files(settings) == [database.name]


def test_taken_scratch_name_is_not_overwritten(settings: Settings, tmp_path: Path):
    # Load the file once to learn the name the page gives it, then put other data there.
    loaded = load_on_page(upload(upload_page(), "sales.csv", FIRST_VERSION), target="scratch")
    database = scratch_folder(settings) / f"{loaded.query_params['dataset']}.duckdb"
    database.unlink()
    other = tmp_path / "other.csv"
    other.write_bytes(SECOND_VERSION)
    ensure_database(database)
    ingest_file(other, IngestOptions(), settings.replace(database=database))
    before = snapshot(database)

    again = load_on_page(upload(upload_page(), "sales.csv", FIRST_VERSION), target="scratch")

    errors = [error.value for error in again.error]
    assert len(errors) == 1
    assert "already exists with other data" in errors[0]
    assert snapshot(database) == before


def test_scratch_name_taken_by_non_database(settings: Settings):
    loaded = load_on_page(upload(upload_page(), "sales.csv", FIRST_VERSION), target="scratch")
    database = scratch_folder(settings) / f"{loaded.query_params['dataset']}.duckdb"
    database.unlink()
    database.write_bytes(b"customer_id,amount\nX,1\n" * 300)  # text, not a DuckDB file

    again = load_on_page(upload(upload_page(), "sales.csv", FIRST_VERSION), target="scratch")

    errors = [error.value for error in again.error]
    assert [exception.value for exception in again.exception] == []
    assert len(errors) == 1
    assert "already exists with other data" in errors[0]
    assert database.read_bytes() == b"customer_id,amount\nX,1\n" * 300
