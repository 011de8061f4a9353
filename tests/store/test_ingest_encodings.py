"""Text encodings: UTF-8 with or without BOM, detected Windows-1252, given encodings, and
files that do not decode."""

from __future__ import annotations

import codecs

import pytest
from ingest_support import CASES_DIR

from analytics.errors import InvalidInputError
from analytics.store.ingest import encoding as encodings

TEXT = "customer_id,timestamp,amount,city\nA,2024-01-01,1,Zürich\nB,2024-01-02,2,Łódź €\n"
CITIES = "SELECT attributes['city'] FROM events ORDER BY source_line"


@pytest.mark.parametrize(
    ("name", "data", "encoding"),
    [
        ("plain.csv", TEXT.encode("utf-8"), "utf-8"),
        ("bom.csv", codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        ("utf16.csv", TEXT.encode("utf-16"), "utf-16"),
    ],
)
def test_unicode_files_load_without_warning(ingest, query, write_file, name, data, encoding):
    result = ingest(write_file(name, data))
    assert result.encoding == encoding
    assert result.warnings == []
    assert query(CITIES) == [("Zürich",), ("Łódź €",)]


def test_given_encoding_is_used(ingest, query, write_file):
    text = "customer_id,timestamp,amount,city\nA,2024-01-01,1,Zürich\nB,2024-01-02,2,Malmö\n"
    result = ingest(write_file("latin.csv", text, encoding="latin-1"), encoding="latin-1")
    assert result.encoding == "iso8859-1"
    assert query(CITIES) == [("Zürich",), ("Malmö",)]


def test_windows_1252_is_detected_far_into_the_file(ingest, query, write_file, monkeypatch):
    monkeypatch.setattr(encodings, "CHUNK_BYTES", 64)
    lines = ["customer_id,timestamp,amount,note"]
    lines += [f"C{index},2024-01-01,1,plain" for index in range(50)]
    lines.append("Z,2024-01-02,2,Crème brûlée – 5 €")
    path = write_file("late.csv", "\r\n".join(lines) + "\r\n", encoding="cp1252")
    result = ingest(path)
    assert result.encoding == "cp1252"
    assert query("SELECT attributes['note'] FROM events WHERE customer_id = 'Z'") == [
        ("Crème brûlée – 5 €",)
    ]


def test_wrong_utf8_encoding_names_position(ingest, settings):
    with pytest.raises(InvalidInputError) as raised:
        ingest(CASES_DIR / "cp1252_excel.csv", encoding="utf-8")
    error = raised.value
    assert (error.line, error.column) == (2, "city")
    assert "not valid UTF-8" in str(error)
    assert "encoding" in str(error)
    assert not settings.database_path.exists()


def test_bytes_undefined_in_the_given_encoding_are_refused(ingest, write_file):
    data = b"customer_id,timestamp,amount,city\nA,2024-01-01,1,ok\nB,2024-01-02,2,bad\x81x\n"
    with pytest.raises(InvalidInputError) as raised:
        ingest(write_file("undefined.csv", data), encoding="cp1252")
    assert (raised.value.line, raised.value.column) == (3, "city")
    assert "not valid cp1252" in str(raised.value)


def test_unknown_encoding_name_is_refused(ingest, write_file):
    with pytest.raises(InvalidInputError, match="unknown encoding 'klingon-8'"):
        ingest(write_file("any.csv", TEXT), encoding="klingon-8")


def test_scan_finds_invalid_utf8_across_chunk_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(encodings, "CHUNK_BYTES", 3)
    path = tmp_path / "split.txt"
    path.write_bytes("aé€b".encode() + b"\xff" + b"c\n")
    scan = encodings.scan_bytes(path, check_utf8=True)
    assert scan.first_invalid_utf8 == len("aé€b".encode())
    assert scan.newline_count == 1

    path.write_bytes("aé€bcd\n".encode())
    assert encodings.scan_bytes(path, check_utf8=True).first_invalid_utf8 is None


def test_single_byte_encoding_given_for_utf8_text_warns(ingest, query, write_file):
    text = "customer_id,timestamp,amount,city\nA,2024-01-01,1,Zürich\n"
    result = ingest(write_file("utf8.csv", text), encoding="cp1252")
    assert any("is valid UTF-8 but was read as Windows-1252" in w for w in result.warnings)
    assert query(CITIES) == [("ZÃ¼rich",)]


def test_short_windows_1252_file_is_detected(ingest, query, write_file):
    # Big5 accepts ASCII letters as the second byte of a character, so charset-normalizer
    # alone reads each accented letter and the letter after it as one Chinese character.
    data = (
        b"customer_id,event_time,amount,city\n"
        b"c1,2024-01-05,10,M\xfcnchen\n"
        b"c2,2024-01-06,12,K\xf6ln\n"
    )
    result = ingest(write_file("short.csv", data))
    assert result.encoding == "cp1252"
    assert any("read as Windows-1252" in warning for warning in result.warnings)
    assert query(CITIES) == [("München",), ("Köln",)]


def test_short_latin_1_french_text_is_detected(ingest, query, write_file):
    # Latin-1 and Windows-1252 encode these letters with the same bytes. Without the
    # single-byte rule, charset-normalizer reads this file as Big5.
    text = (
        "customer_id,timestamp,amount,city\n"
        "A,2024-01-01,1,Noël\n"
        "B,2024-01-02,2,Côte\n"
        "C,2024-01-03,3,Orléans\n"
    )
    result = ingest(write_file("french.csv", text, encoding="latin-1"))
    assert result.encoding == "cp1252"
    assert query(CITIES) == [("Noël",), ("Côte",), ("Orléans",)]


@pytest.mark.parametrize(
    ("encoding", "cities", "expected"),
    [
        ("big5", ("台北市", "高雄市"), "big5"),
        ("shift_jis", ("東京都", "大阪府"), "cp932"),
        ("gb18030", ("北京市", "上海市"), "gb18030"),
    ],
)
def test_multi_byte_text_is_detected(ingest, query, write_file, encoding, cities, expected):
    text = "customer_id,timestamp,amount,city\n" + "".join(
        f"C{index},2024-01-0{index + 1},1,{city}\n" for index, city in enumerate(cities)
    )
    result = ingest(write_file(f"{encoding}.csv", text, encoding=encoding))
    assert result.encoding == expected
    assert any(f"read as {expected}" in warning for warning in result.warnings)
    assert query(CITIES) == [(city,) for city in cities]


def test_bytes_undefined_in_cp1252_go_to_detector(tmp_path):
    # 0x81 and 0x8D have no character in Windows-1252, so charset-normalizer chooses an
    # encoding that decodes them.
    path = tmp_path / "undefined.csv"
    data = b"customer_id,city\nA,x\x81y\nB,p\x8dq\n"
    path.write_bytes(data)
    detected = encodings.detect_encoding(path, data.index(b"\x81"))
    assert detected is not None
    assert detected != "cp1252"
    data.decode(detected)


def test_utf16_without_bom_is_detected(tmp_path):
    # In UTF-16LE "ü" is the bytes FC 00, a lone byte above 0x7F followed by a NUL.
    path = tmp_path / "utf16le.csv"
    data = "customer_id,city\nA,München\nB,Köln\n".encode("utf-16-le")
    path.write_bytes(data)
    assert encodings.detect_encoding(path, data.index(b"\xfc")) == "utf-16-le"
