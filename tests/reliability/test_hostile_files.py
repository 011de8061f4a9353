"""Hostile files given to `growthlens ingest` and to the Upload page: each is refused with a
clear message (exit status 2, or an error on the page) in bounded time and memory, and the
database is left as it was."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from dashboard_support import open_app, problems_on, upload
from reliability_support import MAX_PEAK_RSS_BYTES, run_cli, snapshot, write_small_log

from analytics.config import Settings

GIGABYTE_LINE_BYTES = 1_000_000_000  # under the 1 GiB upload limit, so the line limit decides
LINE_BLOCK = b"x" * 1_000_000
WIDE_COLUMNS = 100_000
BOMB_SHEET_BYTES = 3 * 1024**3  # what the bomb's sheet XML expands to
SHEET_ENTRY = "xl/worksheets/sheet1.xml"


def write_giant_line(path: Path, *, with_header: bool) -> Path:
    """Write a file whose data line (or, without a header, whose only line) is 1 GB long."""
    with path.open("wb") as file:
        if with_header:
            file.write(b"customer_id,event_time,amount\n")
        file.write(b"c1,2024-01-05,")
        for _ in range(GIGABYTE_LINE_BYTES // len(LINE_BLOCK)):
            file.write(LINE_BLOCK)
        file.write(b"\n")
    return path


def wide_csv_bytes(columns: int = WIDE_COLUMNS) -> bytes:
    header = ",".join(f"c{position}" for position in range(columns))
    row = ",".join("1" for _ in range(columns))
    return f"{header}\n{row}\n".encode()


def small_workbook_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["customer_id", "event_time", "amount"])
    sheet.append(["c1", "2024-01-05", 10])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_workbook_bomb(path: Path) -> Path:
    """Write a valid .xlsx of a few MB whose sheet XML expands to BOMB_SHEET_BYTES: blank
    space inside sheetData, which deflate packs about a thousand to one."""
    original = zipfile.ZipFile(io.BytesIO(small_workbook_bytes()))
    block = b" " * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for entry in original.infolist():
            data = original.read(entry.filename)
            if entry.filename != SHEET_ENTRY:
                bomb.writestr(entry.filename, data)
                continue
            before, after = data.split(b"</sheetData>")
            with bomb.open(SHEET_ENTRY, "w", force_zip64=True) as sheet:
                sheet.write(before)
                for _ in range(BOMB_SHEET_BYTES // len(block)):
                    sheet.write(block)
                sheet.write(b"</sheetData>" + after)
    return path


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("events.csv", "customer_id,event_time,amount\nc1,2024-01-05,10\n")
    return buffer.getvalue()


CSV_TEXT = b"customer_id,event_time,amount\nc1,2024-01-05,10\nc2,2024-01-06,20\n"


@pytest.fixture(scope="module")
def workbook_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook_bomb(tmp_path_factory.mktemp("bomb") / "events.xlsx")


@pytest.fixture
def loaded_database(settings: Settings, tmp_path: Path) -> Path:
    """The test's database after one small import, to compare with after each refusal."""
    small = tmp_path / "small.csv"
    write_small_log(small)
    completed = run_cli("ingest", str(small))
    assert completed.returncode == 0, completed.stderr
    return settings.database_path


def shown_text(markdown: str) -> str:
    """The text a Markdown element shows: its backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def assert_refused(path: Path, database: Path, *expected: str) -> str:
    """Run the import of ``path``; check exit status 2, a one-line message containing
    every ``expected`` text, bounded memory and an unchanged database."""
    before = snapshot(database)

    completed = run_cli("ingest", str(path))

    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    message = completed.stderr.strip()
    for text in expected:
        assert text in message
    assert completed.peak_rss_bytes < MAX_PEAK_RSS_BYTES
    assert snapshot(database) == before
    return message


def test_gigabyte_data_line_is_refused(loaded_database: Path, tmp_path: Path):
    path = write_giant_line(tmp_path / "long.csv", with_header=True)
    try:
        message = assert_refused(
            path, loaded_database, "long.csv", "line 2", "limits.max_line_bytes"
        )
    finally:
        path.unlink()
    assert message.startswith("error: ")
    assert "\n" not in message


def test_gigabyte_header_line_is_refused(loaded_database: Path, tmp_path: Path):
    path = write_giant_line(tmp_path / "one_line.csv", with_header=False)
    try:
        assert_refused(path, loaded_database, "one_line.csv", "line 1", "limits.max_line_bytes")
    finally:
        path.unlink()


def test_hundred_thousand_columns_are_refused(loaded_database: Path, tmp_path: Path):
    path = tmp_path / "wide.csv"
    path.write_bytes(wide_csv_bytes())

    assert_refused(path, loaded_database, "wide.csv", "100,000 columns", "limits.max_columns")


def test_workbook_bomb_is_refused_before_unpacking(loaded_database: Path, workbook_bomb: Path):
    assert workbook_bomb.stat().st_size < 50 * 1024**2  # small on disk

    message = assert_refused(
        workbook_bomb, loaded_database, "events.xlsx", "limits.max_unpacked_bytes"
    )

    assert SHEET_ENTRY in message or "unpack" in message


LYING_FILES: dict[str, tuple[Callable[[], bytes], tuple[str, ...]]] = {
    "photo.csv": (png_bytes, ("photo.csv", "PNG image")),
    "archive.csv": (zip_bytes, ("archive.csv", "zip archive")),
    "events.parquet": (lambda: CSV_TEXT, ("events.parquet", "not a Parquet file")),
    "events.xlsx": (lambda: CSV_TEXT, ("events.xlsx", "not an Excel workbook")),
    "broken.xlsx": (lambda: b"PK\x03\x04" + bytes(200), ("broken.xlsx", "not an Excel workbook")),
}


@pytest.mark.parametrize("name", sorted(LYING_FILES))
def test_extension_that_lies_is_refused(loaded_database: Path, tmp_path: Path, name: str):
    make, expected = LYING_FILES[name]
    path = tmp_path / name
    path.write_bytes(make())

    assert_refused(path, loaded_database, *expected)


def test_symlink_to_system_file_is_refused(loaded_database: Path, tmp_path: Path):
    link = tmp_path / "passwd.csv"
    link.symlink_to("/etc/passwd")

    message = assert_refused(link, loaded_database, "passwd.csv", "symbolic link")

    assert "root:" not in message  # nothing of the linked file is shown


def test_symlink_to_a_good_file_is_refused(loaded_database: Path, tmp_path: Path):
    target = tmp_path / "real.csv"
    target.write_bytes(CSV_TEXT)
    link = tmp_path / "link.csv"
    link.symlink_to(target)

    assert_refused(link, loaded_database, "link.csv", "symbolic link")


def test_directory_is_refused(loaded_database: Path, tmp_path: Path):
    folder = tmp_path / "folder.csv"
    folder.mkdir()

    assert_refused(folder, loaded_database, "folder.csv", "is a directory")


def test_fifo_is_refused_without_blocking(loaded_database: Path, tmp_path: Path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)

    # Opening a FIFO for reading blocks until a writer comes; no writer ever comes here,
    # so only a refusal before opening finishes in time.
    assert_refused(fifo, loaded_database, "pipe.csv", "not a regular file")


def test_device_is_refused(loaded_database: Path):
    assert_refused(Path("/dev/zero"), loaded_database, "zero", "not a regular file")


# The Upload page receives the bytes itself, so links, folders and FIFOs cannot reach it.
UPLOADED_FILES: dict[str, tuple[Callable[[], bytes], tuple[str, ...]]] = {
    "long_line.csv": (
        lambda: b"customer_id,event_time,amount\nc1,2024-01-05," + b"9" * 20_000_000 + b"\n",
        ("long_line.csv", "line 2", "limits.max_line_bytes"),
    ),
    "wide.csv": (wide_csv_bytes, ("wide.csv", "100,000 columns")),
    "archive.csv": (zip_bytes, ("archive.csv", "zip archive")),
    "events.parquet": (lambda: CSV_TEXT, ("events.parquet", "not a Parquet file")),
    "events.xlsx": (lambda: CSV_TEXT, ("events.xlsx", "not an Excel workbook")),
}


@pytest.mark.parametrize("name", sorted(UPLOADED_FILES))
def test_upload_page_refuses_hostile_file(demo_database: Path, name: str):
    make, expected = UPLOADED_FILES[name]
    before = snapshot(demo_database)

    app = upload(open_app(page="upload.py"), name, make())

    assert not app.exception
    assert len(app.error) == 1
    for text in expected:
        assert text in shown_text(app.error[0].value)
    assert snapshot(demo_database) == before


def test_upload_page_refuses_workbook_bomb(demo_database: Path, workbook_bomb: Path):
    before = snapshot(demo_database)

    app = upload(open_app(page="upload.py"), "events.xlsx", workbook_bomb.read_bytes())

    assert problems_on(app) == [app.error[0].value]
    assert "limits.max_unpacked_bytes" in shown_text(app.error[0].value)
    assert snapshot(demo_database) == before
