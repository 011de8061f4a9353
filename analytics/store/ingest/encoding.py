"""Bytes of a text file: one hashing pass, the encoding check, and the UTF-8 copy DuckDB reads.

DuckDB's CSV reader only reads UTF-8, so a file in any other encoding is copied to UTF-8
first. The copy keeps every line break, so line numbers in the copy are those of the file.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

from analytics.store.file_checks import LineLengthCheck

CHUNK_BYTES = 4 * 1024 * 1024
DETECTION_WINDOW_BYTES = 64 * 1024
UTF8_NAMES = ("utf-8", "utf-8-sig")
WINDOWS_1252 = "cp1252"
HIGH_BYTE_PAIR = re.compile(rb"[\x80-\xff]{2}")

Progress = Callable[[float], None]


@dataclass(frozen=True)
class ByteScan:
    """Facts gathered in one pass over a file's bytes."""

    content_hash: str  # SHA-256, hex
    newline_count: int  # LF bytes; for UTF-8 text, the number of line ends
    ends_with_newline: bool
    has_carriage_return: bool
    first_invalid_utf8: int | None  # byte offset of the first invalid UTF-8 sequence
    is_ascii: bool = True  # no byte above 0x7F
    first_long_line: int | None = None  # first line over the max_line_bytes given, 1-based


@dataclass(frozen=True)
class DecodeFailure:
    """Position of the first byte that does not decode in an encoding."""

    offset: int  # byte offset in the file
    byte_value: int


def canonical_encoding(name: str) -> str:
    """Return Python's name for an encoding; raise LookupError for an unknown one."""
    return codecs.lookup(name.strip()).name


def detect_bom(head: bytes) -> str | None:
    """Return the encoding a byte order mark at the start of ``head`` announces, if any."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes in hex, the content hash the import log records."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def scan_bytes(
    path: Path,
    *,
    check_utf8: bool,
    progress: Progress | None = None,
    max_line_bytes: int | None = None,
) -> ByteScan:
    """Hash the file, count its line feeds and, if asked, find its first invalid UTF-8 byte
    and its first line longer than ``max_line_bytes``."""
    digest = hashlib.sha256()
    line_check = LineLengthCheck(max_line_bytes) if max_line_bytes is not None else None
    newline_count = 0
    has_carriage_return = False
    first_invalid = None
    is_ascii = True
    pending = b""  # an incomplete UTF-8 sequence carried over from the previous chunk
    offset = 0
    last_byte = b""
    total = max(path.stat().st_size, 1)

    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
            newline_count += chunk.count(b"\n")
            if line_check is not None:
                line_check.feed(chunk)
            if not has_carriage_return and b"\r" in chunk:
                has_carriage_return = True
            chunk_is_ascii = chunk.isascii()
            is_ascii = is_ascii and chunk_is_ascii
            if check_utf8 and first_invalid is None and (pending or not chunk_is_ascii):
                data = pending + chunk
                try:
                    _, consumed = codecs.utf_8_decode(data, "strict", False)
                    pending = data[consumed:]
                except UnicodeDecodeError as error:
                    first_invalid = offset - len(pending) + error.start
                    pending = b""
            offset += len(chunk)
            last_byte = chunk[-1:]
            if progress is not None:
                progress(offset / total)

    if check_utf8 and first_invalid is None and pending:
        first_invalid = offset - len(pending)  # the file ends inside a multi-byte sequence
    return ByteScan(
        content_hash=digest.hexdigest(),
        newline_count=newline_count,
        ends_with_newline=last_byte == b"\n",
        has_carriage_return=has_carriage_return,
        first_invalid_utf8=first_invalid,
        is_ascii=is_ascii,
        first_long_line=line_check.finish() if line_check is not None else None,
    )


def detect_encoding(path: Path, near_offset: int) -> str | None:
    """Guess the encoding of a file that is not UTF-8 from the bytes around ``near_offset``.

    Text where no two bytes above 0x7F are adjacent is in a single-byte encoding, so it is
    read as Windows-1252 when that decodes it. East Asian multi-byte encodings put two such
    bytes together for almost every character, but charset-normalizer often ranks them first
    for short Western text. Other text is left to charset-normalizer, which ranks
    Windows-1250, -1252 and -1257 equally for most Western text. Among equally ranked
    candidates Windows-1252 is preferred because it is what spreadsheet programs on
    Western-locale Windows save. Returns None when nothing fits.
    """
    with path.open("rb") as stream:
        stream.seek(max(near_offset - DETECTION_WINDOW_BYTES // 2, 0))
        window = stream.read(DETECTION_WINDOW_BYTES)
    if _is_single_byte_text(window) and _decodes(window, WINDOWS_1252):
        return WINDOWS_1252
    matches = list(charset_normalizer.from_bytes(window))
    if not matches:
        return None
    lowest_chaos = min(match.chaos for match in matches)
    for match in matches:
        if match.encoding == WINDOWS_1252 and match.chaos <= lowest_chaos + 0.01:
            return WINDOWS_1252
    return canonical_encoding(matches[0].encoding)


def _is_single_byte_text(data: bytes) -> bool:
    """Return whether no two bytes above 0x7F are adjacent and no byte is NUL.

    NUL bytes mark UTF-16 or UTF-32 text, where a lone byte above 0x7F is part of a character.
    """
    return b"\x00" not in data and HIGH_BYTE_PAIR.search(data) is None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def transcode_to_utf8(
    source: Path, encoding: str, target: Path, progress: Progress | None = None
) -> DecodeFailure | None:
    """Write ``source`` decoded from ``encoding`` to ``target`` as UTF-8 without a byte order
    mark. Returns where decoding failed, in which case ``target`` is incomplete."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    total = max(source.stat().st_size, 1)
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK_BYTES):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return _failure_in_chunk(source, encoding, offset, chunk, error)
            writer.write(text.lstrip("\ufeff").encode("utf-8") if offset == 0 else text.encode())
            offset += len(chunk)
            if progress is not None:
                progress(offset / total)
        try:
            writer.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError:
            return DecodeFailure(offset=max(offset - 1, 0), byte_value=0)
    return None


def _failure_in_chunk(
    source: Path, encoding: str, chunk_offset: int, chunk: bytes, error: UnicodeDecodeError
) -> DecodeFailure:
    # The incremental decoder may hold a few bytes of the previous chunk, so the error's
    # position is found again by decoding the chunk on its own, which is exact for the
    # single-byte encodings where such failures occur.
    try:
        chunk.decode(encoding)
        position = error.start
    except UnicodeDecodeError as direct:
        position = direct.start
    position = min(max(position, 0), len(chunk) - 1)
    return DecodeFailure(offset=chunk_offset + position, byte_value=chunk[position])


def locate_offset(path: Path, offset: int) -> tuple[int, bytes]:
    """Return the line number (1-based) of byte ``offset`` and the bytes of that line before it."""
    line = 1
    position = 0
    line_start = b""
    with path.open("rb") as stream:
        while position < offset:
            chunk = stream.read(min(CHUNK_BYTES, offset - position))
            if not chunk:
                break
            line += chunk.count(b"\n")
            last_break = chunk.rfind(b"\n")
            line_start = chunk[last_break + 1 :] if last_break >= 0 else line_start + chunk
            position += len(chunk)
    return line, line_start
