"""Recognise what a file is before reading it: format, encoding, delimiter or layout, header.

Text files are either delimited (`,` `;` tab or `|`, with RFC 4180 quoting) or aligned
with runs of whitespace, as in fixed-width exports. The header is always the first line.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from analytics.config import LimitSettings
from analytics.errors import InvalidInputError
from analytics.store import file_checks
from analytics.store.ingest import encoding as encodings
from analytics.store.ingest.options import ENCODING_HINT

logger = logging.getLogger(__name__)

SAMPLE_BYTES = 256 * 1024
SNIFF_RECORDS = 200
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_PARQUET_MAGIC = b"PAR1"
_ZIP_MAGIC = b"PK\x03\x04"
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")
_UNSUPPORTED_MAGIC = {
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or other OLE file; save it as .xlsx or CSV",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
}


@dataclass(frozen=True)
class TextLayout:
    """Field layout of a text file: delimited or aligned with whitespace."""

    kind: str  # "delimited" or "whitespace"
    delimiter: str | None  # for delimited files
    header: tuple[str, ...]

    @property
    def description(self) -> str:
        if self.kind == "whitespace":
            return "columns separated by runs of spaces"
        return f"{_DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))}-separated"


@dataclass(frozen=True)
class Source:
    """A file checked and ready to read, with everything learnt from its bytes."""

    path: Path
    file_name: str
    size_bytes: int
    format: str  # csv, text (whitespace-aligned), parquet or xlsx
    content_hash: str
    read_path: Path  # the file DuckDB reads: the file itself or its UTF-8 copy
    encoding: str | None = None  # codec the text was decoded with
    encoding_warning: str | None = None
    layout: TextLayout | None = None
    newline_count: int = 0  # line feeds in read_path
    ends_with_newline: bool = True
    has_carriage_return: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def line_count(self) -> int:
        """Physical lines in the text, the header included."""
        return self.newline_count + (0 if self.ends_with_newline else 1)


def open_source(
    path: Path,
    requested_encoding: str | None,
    limits: LimitSettings,
    work_dir: Path,
    progress: Callable[[float], None] | None = None,
) -> Source:
    """Check ``path`` and learn its format, encoding and layout; text in an encoding other
    than UTF-8 is copied to UTF-8 inside ``work_dir``. Raises InvalidInputError for a file
    that cannot be loaded, naming the line and column where that is known."""
    path = Path(path)
    name = path.name
    file_checks.check_regular_file(path)
    size = path.stat().st_size
    if size == 0:
        raise InvalidInputError(f"{name}: the file is empty (0 bytes).", file=name)
    if size > limits.max_upload_bytes:
        raise InvalidInputError(
            f"{name}: the file has {size:,} bytes, more than the limit of "
            f"{limits.max_upload_bytes:,} bytes (setting limits.max_upload_bytes).",
            file=name,
        )
    with path.open("rb") as stream:
        head = file_checks.read_head(stream, limits.max_line_bytes)

    file_checks.check_extension_matches(path, head)
    binary_format = _binary_format(path, head)
    if binary_format == "xlsx":
        file_checks.check_workbook(path, limits.max_unpacked_bytes)
    if binary_format is not None:
        scan = encodings.scan_bytes(path, check_utf8=False, progress=progress)
        return Source(
            path=path,
            file_name=name,
            size_bytes=size,
            format=binary_format,
            content_hash=scan.content_hash,
            read_path=path,
        )
    return _open_text(path, head, size, requested_encoding, limits, work_dir, progress)


def _binary_format(path: Path, head: bytes) -> str | None:
    """Return "parquet" or "xlsx" for those files, None for text; raise for anything else."""
    name = path.name
    suffix = path.suffix.lower()
    if head.startswith(_PARQUET_MAGIC):
        return "parquet"
    if head.startswith(_ZIP_MAGIC):
        if suffix in _SPREADSHEET_SUFFIXES or b"xl/" in head[:4096]:
            return "xlsx"
        raise InvalidInputError(
            f"{name}: the file is a zip archive, not a table. Extract the CSV, or give an .xlsx.",
            file=name,
        )
    for magic, description in _UNSUPPORTED_MAGIC.items():
        if head.startswith(magic):
            raise InvalidInputError(f"{name}: the file is {description}.", file=name)
    if encodings.detect_bom(head) == "utf-16":
        return None
    sample = head[:8192]
    control = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    if b"\x00" in head or control > len(sample) // 20:
        raise InvalidInputError(
            f"{name}: the file is binary, not text (it contains NUL or control bytes). "
            "Give a CSV, TSV, text, Parquet or .xlsx file.",
            file=name,
        )
    return None


def _open_text(
    path: Path,
    head: bytes,
    size: int,
    requested_encoding: str | None,
    limits: LimitSettings,
    work_dir: Path,
    progress: Callable[[float], None] | None,
) -> Source:
    name = path.name
    bom_encoding = encodings.detect_bom(head)
    if requested_encoding:
        try:
            encoding = encodings.canonical_encoding(requested_encoding)
        except LookupError as error:
            raise InvalidInputError(
                f"{name}: unknown encoding '{requested_encoding}'. "
                "Give a name such as utf-8, cp1252 or latin-1.",
                file=name,
            ) from error
        if encoding == "utf-8" and bom_encoding == "utf-8-sig":
            encoding = "utf-8-sig"
    else:
        encoding = bom_encoding or "utf-8"

    is_utf8 = encoding in encodings.UTF8_NAMES
    # UTF-8 is checked even when another encoding is given, to warn when the file is UTF-8.
    scan = encodings.scan_bytes(
        path, check_utf8=True, progress=progress, max_line_bytes=limits.max_line_bytes
    )
    if scan.first_long_line is not None:
        raise file_checks.line_too_long_error(name, scan.first_long_line, limits.max_line_bytes)
    layout = sniff_layout(_decode_sample(head, encoding, size), path.suffix.lower())
    _check_header(layout, name, limits)
    warning = None
    if is_utf8 and scan.first_invalid_utf8 is not None:
        if requested_encoding:
            raise _decode_error(path, encoding, scan.first_invalid_utf8, layout)
        detected = encodings.detect_encoding(path, scan.first_invalid_utf8)
        if detected is None:
            raise _decode_error(path, encoding, scan.first_invalid_utf8, layout)
        encoding, is_utf8 = detected, False
        layout = sniff_layout(_decode_sample(head, encoding, size), path.suffix.lower())
        _check_header(layout, name, limits)
        warning = (
            f"{name} is not UTF-8; it was read as {_encoding_label(encoding)}. "
            "Give the encoding if that is wrong."
        )
        logger.info("%s: not UTF-8, detected %s", name, encoding)

    if not is_utf8 and not scan.is_ascii and scan.first_invalid_utf8 is None:
        warning = (
            f"{name} is valid UTF-8 but was read as {_encoding_label(encoding)}, as requested; "
            "its accented letters may have changed. Leave the encoding unset to read it as "
            "UTF-8."
        )
    read_path = path
    if not is_utf8:
        read_path = work_dir / "source-utf8.txt"
        failure = encodings.transcode_to_utf8(path, encoding, read_path)
        if failure is not None:
            raise _decode_error(path, encoding, failure.offset, layout)
        scan = _rescan_copy(read_path, scan.content_hash)

    return Source(
        path=path,
        file_name=name,
        size_bytes=size,
        format="text" if layout.kind == "whitespace" else "csv",
        content_hash=scan.content_hash,
        read_path=read_path,
        encoding=encoding,
        encoding_warning=warning,
        layout=layout,
        newline_count=scan.newline_count,
        ends_with_newline=scan.ends_with_newline,
        has_carriage_return=scan.has_carriage_return,
        warnings=(warning,) if warning else (),
    )


def _rescan_copy(copy: Path, content_hash: str) -> encodings.ByteScan:
    """Count the lines of the UTF-8 copy; the content hash stays that of the original bytes."""
    counted = encodings.scan_bytes(copy, check_utf8=False)
    return encodings.ByteScan(
        content_hash=content_hash,
        newline_count=counted.newline_count,
        ends_with_newline=counted.ends_with_newline,
        has_carriage_return=counted.has_carriage_return,
        first_invalid_utf8=None,
    )


def _encoding_label(encoding: str) -> str:
    return "Windows-1252 (cp1252)" if encoding == encodings.WINDOWS_1252 else encoding


def _decode_sample(head: bytes, encoding: str, size: int) -> str:
    if len(head) < size:
        cut = head.rfind(b"\n")
        head = head[: cut + 1] if cut > 0 else head
    text = head.decode(encoding, errors="replace")
    return text.lstrip("\ufeff")


def _check_header(layout: TextLayout, name: str, limits: LimitSettings) -> None:
    if len(layout.header) > limits.max_columns:
        raise InvalidInputError(
            f"{name}: the header has {len(layout.header):,} columns, more than the limit of "
            f"{limits.max_columns:,} (setting limits.max_columns).",
            file=name,
            line=1,
        )


def _decode_error(path: Path, encoding: str, offset: int, layout: TextLayout) -> InvalidInputError:
    line, before = encodings.locate_offset(path, offset)
    column = column_at(before.decode(encoding, errors="replace"), layout)
    with path.open("rb") as stream:
        stream.seek(offset)
        byte = stream.read(1)
    where = f"line {line}" + (f", column '{column}'" if column else "")
    label = "UTF-8" if encoding in encodings.UTF8_NAMES else encoding
    return InvalidInputError(
        f"{path.name}: {where}: the file is not valid {label} (byte 0x{byte.hex().upper()}). "
        f"{ENCODING_HINT}",
        file=path.name,
        line=line,
        column=column,
    )


def column_at(line_prefix: str, layout: TextLayout) -> str | None:
    """Return the header name of the field that ``line_prefix`` ends in."""
    if layout.kind == "whitespace":
        position = len(line_prefix.split()) - (0 if line_prefix[-1:].isspace() else 1)
    else:
        fields = next(csv.reader([line_prefix], delimiter=layout.delimiter), [""])
        position = len(fields) - 1
    if 0 <= position < len(layout.header):
        return layout.header[position]
    return None


def sniff_layout(sample: str, suffix: str = "") -> TextLayout:
    """Find the delimiter, or whitespace alignment, that splits every sampled record into
    as many fields as the header has."""
    records_by_delimiter = {}
    for delimiter in _delimiter_preference(suffix):
        records = _parse_records(sample, delimiter)
        if _is_consistent([len(record) for record in records]):
            records_by_delimiter[delimiter] = records
    if records_by_delimiter:
        delimiter = max(records_by_delimiter, key=lambda d: len(records_by_delimiter[d][0]))
        header = records_by_delimiter[delimiter][0]
        return TextLayout("delimited", delimiter, tuple(clean_header(header)))

    lines = [line for line in sample.splitlines() if line.strip()][:SNIFF_RECORDS]
    if lines and _is_consistent([len(line.split()) for line in lines]):
        return TextLayout("whitespace", None, tuple(clean_header(lines[0].split())))

    delimiter = _delimiter_preference(suffix)[0]
    records = _parse_records(sample, delimiter)
    if records:
        header = records[0]
    elif sample:
        header = [sample.splitlines()[0]]
    else:
        header = [""]
    return TextLayout("delimited", delimiter, tuple(clean_header(header)))


def clean_header(names: list[str]) -> list[str]:
    """Strip byte order marks, carriage returns and surrounding spaces from header names;
    name an empty header ``column_N``."""
    cleaned = []
    for position, name in enumerate(names):
        name = name.replace("\ufeff", "").replace("\r", "").strip()
        cleaned.append(name or f"column_{position + 1}")
    return cleaned


def _delimiter_preference(suffix: str) -> tuple[str, ...]:
    if suffix in (".tsv", ".tab"):
        return ("\t", ",", ";", "|")
    return DELIMITERS


def _parse_records(sample: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
    records = []
    try:
        for record in reader:
            if record:
                records.append(record)
            if len(records) > SNIFF_RECORDS:
                break
    except csv.Error:
        pass
    return records


def _is_consistent(field_counts: list[int]) -> bool:
    """True when the header has two or more fields and more than half the records have as
    many. The other records are malformed, and reading rejects them."""
    if not field_counts or field_counts[0] < 2:
        return False
    rows = field_counts[1:]
    if not rows:
        return True
    matching = sum(1 for count in rows if count == field_counts[0])
    return matching * 2 > len(rows)
