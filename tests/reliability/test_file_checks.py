"""The checks made on an input file before it is read: file kind, extension, workbook size
and line length."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.errors import InvalidInputError
from analytics.store.file_checks import (
    LineLengthCheck,
    check_extension_matches,
    check_regular_file,
    check_workbook,
    read_head,
)


def first_long_line(data: bytes, limit: int) -> int | None:
    """The oracle: split the bytes into lines and measure each."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if len(line) > limit:
            return number
    return None


@given(
    lines=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=30),
    limit=st.integers(min_value=1, max_value=30),
    chunk=st.integers(min_value=1, max_value=50),
)
def test_line_check_agrees_with_splitting(lines: list[int], limit: int, chunk: int):
    data = b"\n".join(b"x" * length for length in lines)
    check = LineLengthCheck(limit)
    for start in range(0, len(data), chunk):
        check.feed(data[start : start + chunk])

    assert check.finish() == first_long_line(data, limit)


def test_line_check_finds_line_number_after_many_lines():
    data = b"ab\n" * 1_000 + b"c" * 11 + b"\n"
    check = LineLengthCheck(10)
    check.feed(data)

    assert check.finish() == 1_001


def test_regular_file_passes(tmp_path: Path):
    path = tmp_path / "events.csv"
    path.write_text("a,b\n1,2\n")

    check_regular_file(path)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("missing", "not found"),
        ("link", "symbolic link"),
        ("directory", "is a directory"),
        ("fifo", "FIFO"),
    ],
)
def test_other_kinds_are_refused(tmp_path: Path, kind: str, expected: str):
    path = tmp_path / "events.csv"
    if kind == "link":
        target = tmp_path / "real.csv"
        target.write_text("a,b\n")
        path.symlink_to(target)
    elif kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)

    with pytest.raises(InvalidInputError, match=expected):
        check_regular_file(path)


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("events.parquet", b"customer_id,amount\n", "not a Parquet file"),
        ("events.xlsx", b"customer_id,amount\n", "not an Excel workbook"),
        ("EVENTS.XLSM", b"%PDF-1.7", "not an Excel workbook"),
    ],
)
def test_extension_must_match_content(name: str, head: bytes, expected: str):
    with pytest.raises(InvalidInputError, match=expected):
        check_extension_matches(Path(name), head)


def test_matching_extensions_pass():
    check_extension_matches(Path("events.parquet"), b"PAR1\x15\x04")
    check_extension_matches(Path("events.xlsx"), b"PK\x03\x04rest")
    check_extension_matches(Path("events.csv"), b"PK\x03\x04rest")  # the content decides


def zip_file(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_workbook_within_limit_passes(tmp_path: Path):
    path = zip_file(tmp_path / "book.xlsx", {"xl/workbook.xml": b"<w/>", "a.xml": b" " * 500})

    check_workbook(path, max_unpacked_bytes=1_000)


def test_workbook_over_unpacked_limit_is_refused(tmp_path: Path):
    path = zip_file(
        tmp_path / "book.xlsx", {"xl/workbook.xml": b"<w/>", "xl/sheet.xml": b" " * 5_000}
    )

    with pytest.raises(InvalidInputError, match="xl/sheet.xml alone to 5,000"):
        check_workbook(path, max_unpacked_bytes=1_000)


def test_zip_without_workbook_part_is_refused(tmp_path: Path):
    path = zip_file(tmp_path / "book.xlsx", {"events.csv": b"a,b\n"})

    with pytest.raises(InvalidInputError, match="no xl/workbook.xml"):
        check_workbook(path, max_unpacked_bytes=1_000)


def test_broken_zip_is_refused(tmp_path: Path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(100))

    with pytest.raises(InvalidInputError, match="zip structure cannot be read"):
        check_workbook(path, max_unpacked_bytes=1_000)


def test_head_holds_whole_first_line():
    header = b",".join(b"column_%d" % i for i in range(60_000)) + b"\n"
    head = read_head(io.BytesIO(header + b"1,2\n"), max_line_bytes=len(header) + 10)

    assert head.startswith(header)


def test_head_stops_past_line_limit():
    head = read_head(io.BytesIO(b"x" * 2_000_000), max_line_bytes=300_000)

    assert 300_000 < len(head) < 2_000_000
