"""Checks on an input file before any reader opens it: that it is a regular file, that its
name's extension agrees with its content, that a workbook does not unpack to more than
the limit, and that no line is longer than the limit.

Each check raises InvalidInputError with a message naming the file, so a hostile file is
refused in bounded time and memory instead of reaching DuckDB or the spreadsheet reader.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path
from typing import BinaryIO

from analytics.errors import InvalidInputError

PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"
PARQUET_SUFFIXES = (".parquet", ".parq")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
WORKBOOK_PART = "xl/workbook.xml"
# A workbook written by a spreadsheet program has a few dozen parts; thousands mean a
# crafted archive, whose central directory alone would take time and memory to read.
MAX_WORKBOOK_ENTRIES = 10_000
HEAD_READ_BYTES = 256 * 1024


def check_regular_file(path: Path) -> None:
    """Raise InvalidInputError unless ``path`` is a regular file and not a symbolic link.

    A link is refused even when it points to an event file: the name a user gives is the
    file that is read, so a link cannot make GrowthLens read a file elsewhere (such as a
    system file) under an innocent name. Nothing is opened, so a FIFO cannot block.
    """
    name = path.name or str(path)
    try:
        status = path.lstat()
    except FileNotFoundError:
        raise InvalidInputError(f"File '{path}' not found.", file=name) from None
    except OSError as error:
        raise InvalidInputError(f"File '{path}' cannot be read: {error}.", file=name) from error
    if stat.S_ISLNK(status.st_mode):
        raise InvalidInputError(
            f"{name}: the path is a symbolic link; give the file it points to itself.",
            file=name,
        )
    if stat.S_ISDIR(status.st_mode):
        raise InvalidInputError(f"{name}: the path is a directory, not a file.", file=name)
    if not stat.S_ISREG(status.st_mode):
        raise InvalidInputError(
            f"{name}: the path is not a regular file (it is a {_file_kind(status.st_mode)}); "
            "give a CSV, TSV, text, Parquet or .xlsx file.",
            file=name,
        )


def check_extension_matches(path: Path, head: bytes) -> None:
    """Raise InvalidInputError when the name's extension promises Parquet or an Excel
    workbook and the first bytes are not one."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES and not head.startswith(PARQUET_MAGIC):
        raise InvalidInputError(
            f"{name}: the name ends in {suffix}, but the file is not a Parquet file (it does "
            "not start with PAR1). Rename it to match its content, or export it again.",
            file=name,
        )
    if suffix in WORKBOOK_SUFFIXES and not head.startswith(ZIP_MAGIC):
        raise InvalidInputError(
            f"{name}: the name ends in {suffix}, but the file is not an Excel workbook (an "
            ".xlsx file is a zip archive). Rename it to match its content, or save it "
            "again as .xlsx.",
            file=name,
        )


def check_workbook(path: Path, max_unpacked_bytes: int) -> None:
    """Raise InvalidInputError for a zip that is not a workbook, has too many entries, or
    declares more unpacked bytes than ``max_unpacked_bytes`` in its central directory.

    Only the central directory is read: no entry is decompressed here.
    """
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise InvalidInputError(
            f"{name}: the file is not an Excel workbook: its zip structure cannot be read "
            f"({error}).",
            file=name,
        ) from error
    if len(entries) > MAX_WORKBOOK_ENTRIES:
        raise InvalidInputError(
            f"{name}: the workbook has {len(entries):,} parts, more than the "
            f"{MAX_WORKBOOK_ENTRIES:,} a spreadsheet has; it was not unpacked.",
            file=name,
        )
    if not any(entry.filename == WORKBOOK_PART for entry in entries):
        raise InvalidInputError(
            f"{name}: the file is a zip archive but not an Excel workbook (it has no "
            f"{WORKBOOK_PART}).",
            file=name,
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > max_unpacked_bytes:
        largest = max(entries, key=lambda entry: entry.file_size)
        raise InvalidInputError(
            f"{name}: the workbook unpacks to {unpacked:,} bytes ({largest.filename} alone "
            f"to {largest.file_size:,}), more than the limit of {max_unpacked_bytes:,} bytes "
            "(setting limits.max_unpacked_bytes); it was not unpacked. Save the sheet as "
            "CSV instead.",
            file=name,
        )


def read_head(stream: BinaryIO, max_line_bytes: int) -> bytes:
    """Read the start of a file: at least HEAD_READ_BYTES, and more while the first line
    has not ended, up to one byte past ``max_line_bytes``, so that the header is whole."""
    head = stream.read(HEAD_READ_BYTES)
    while b"\n" not in head and len(head) <= max_line_bytes:
        more = stream.read(HEAD_READ_BYTES)
        if not more:
            break
        head += more
    return head


def line_too_long_error(name: str, line: int, max_line_bytes: int) -> InvalidInputError:
    return InvalidInputError(
        f"{name}: line {line:,} is longer than the limit of {max_line_bytes:,} bytes "
        "(setting limits.max_line_bytes).",
        file=name,
        line=line,
    )


class LineLengthCheck:
    """Find the first line longer than a limit while a file's bytes stream past.

    Fed chunk by chunk, it jumps from line end to line end with ``rfind`` inside windows of
    the limit's size, so its work grows with the file's size, not with its line count.
    """

    def __init__(self, max_line_bytes: int) -> None:
        self.max_line_bytes = max_line_bytes
        self.first_long_line: int | None = None  # 1-based line number
        self._line_ends = 0  # line feeds before the current line
        self._current = 0  # bytes of the current line in earlier chunks

    def feed(self, chunk: bytes) -> None:
        position = 0
        size = len(chunk)
        while self.first_long_line is None and position < size:
            # The current line may hold this many more bytes before its line feed.
            room = self.max_line_bytes - self._current
            window_end = position + room + 1
            line_end = chunk.rfind(b"\n", position, min(window_end, size))
            if line_end == -1:
                if window_end <= size:
                    self.first_long_line = self._line_ends + 1
                else:
                    self._current += size - position
                return
            self._line_ends += chunk.count(b"\n", position, line_end + 1)
            self._current = 0
            position = line_end + 1

    def finish(self) -> int | None:
        """Return the number of the first line over the limit, or None."""
        return self.first_long_line


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"
