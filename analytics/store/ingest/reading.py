"""The records of a checked source as a SQL relation with columns c0, c1, ... in file order.

Text formats give every value as VARCHAR exactly as in the file (carriage returns removed).
Parquet columns keep their own types, so that timestamps and numbers are not turned into
text and parsed back.

Delimited text is not copied: its relation reads the file with DuckDB's CSV reader each
time it is scanned, and line numbers are worked out from record order (see :mod:`lines`).
Whitespace-aligned text and spreadsheets are read into the temporary table ``raw``, and
Parquet files are read through the view ``raw``; these have a ``line`` column. Line
numbers count the header as line 1; for spreadsheets and Parquet files the line is the
row number, the header row being 1.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import duckdb

from analytics.config import LimitSettings
from analytics.errors import InvalidInputError
from analytics.store.ingest.progress import SqlRunner
from analytics.store.ingest.sources import Source, clean_header
from analytics.store.ingest.values import sql_string
from analytics.wording import count_phrase, noun_form

logger = logging.getLogger(__name__)

MAX_RAW_TEXT_CHARS = 10_000  # a rejected record's text is cut to this length
TEXT_TYPE = "VARCHAR"
_READ_REJECT_REASONS = {
    "UNQUOTED VALUE": "a quoted value is not closed, or a quote stands inside an unquoted value",
    "INVALID ENCODING": "invalid UTF-8",
    "INVALID UNICODE": "invalid UTF-8",
}


@dataclass(frozen=True)
class RecordSource:
    """Relation of one file's records, with what is known about them before a scan."""

    columns: tuple[str, ...]  # header names
    types: tuple[str, ...]  # DuckDB type of each column c0, c1, ...
    relation: str  # SQL after FROM giving c0, c1, ... (and ``line`` when has_line)
    has_line: bool  # False for delimited text, whose line numbers follow from record order
    line_is_position: bool  # True when record k (0-based, in file order) is on line k + 2
    records: int | None  # None until a delimited file has been scanned
    malformed: int = 0  # records that could not be split into fields (rows of read_rejects)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReadTable:
    """Outcome of reading a file: its header and the number of records of each kind."""

    columns: tuple[str, ...]
    records: int  # records split into fields
    malformed: int  # rows in read_rejects
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.records + self.malformed


def column_names(count: int) -> list[str]:
    """Names of the record columns: c0, c1, ..."""
    return [f"c{position}" for position in range(count)]


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def open_records(runner: SqlRunner, source: Source, limits: LimitSettings) -> RecordSource:
    """Prepare the relation of ``source``'s records. Spreadsheets and whitespace-aligned text
    are read here; delimited text is only described. Raises InvalidInputError for a file
    that cannot be read at all or that has more columns than the limit."""
    if source.format == "parquet":
        records = _open_parquet(runner, source)
    elif source.format == "xlsx":
        records = _read_spreadsheet(runner, source)
    elif source.format == "text":
        records = _read_whitespace(runner, source, limits)
    else:
        header = source.layout.header
        records = RecordSource(
            columns=tuple(header),
            types=(TEXT_TYPE,) * len(header),
            relation=delimited_relation(source, limits),
            has_line=False,
            line_is_position=False,
            records=None,
        )
    if len(records.columns) > limits.max_columns:
        raise InvalidInputError(
            f"{source.file_name}: {len(records.columns):,} columns, more than the limit of "
            f"{limits.max_columns:,} (setting limits.max_columns).",
            file=source.file_name,
        )
    return records


def check_row_count(table: ReadTable, source: Source, limits: LimitSettings) -> None:
    """Raise InvalidInputError when the file has no data rows or more than the limit."""
    if table.rows_read > limits.max_rows_per_import:
        raise InvalidInputError(
            f"{source.file_name}: {table.rows_read:,} rows, more than the limit of "
            f"{limits.max_rows_per_import:,} per import (setting limits.max_rows_per_import).",
            file=source.file_name,
        )
    if table.rows_read == 0:
        raise InvalidInputError(
            f"{source.file_name}: the file has a header but no data rows.", file=source.file_name
        )


def delimited_relation(
    source: Source, limits: LimitSettings, *, store_rejects: bool = False
) -> str:
    """SQL reading a delimited file. Malformed records are skipped; with ``store_rejects``
    DuckDB lists them in the temporary table ``csv_reject_errors``.

    Every scan of the relation skips the same records, so the rejects of one scan with
    ``store_rejects`` are the records that every later scan skips.
    """
    names = column_names(len(source.layout.header))
    types = "{" + ", ".join(f"'{name}': '{TEXT_TYPE}'" for name in names) + "}"
    options = (
        f"header = true, auto_detect = false, columns = {types}, "
        f"delim = {sql_string(source.layout.delimiter)}, quote = '\"', escape = '\"', "
        f"strict_mode = true, max_line_size = {limits.max_line_bytes}, ignore_errors = true"
    )
    if store_rejects:
        options += (
            ", store_rejects = true, rejects_table = 'csv_reject_errors', "
            "rejects_scan = 'csv_reject_scans'"
        )
    reader = f"read_csv({sql_string(str(source.read_path))}, {options})"
    if not source.has_carriage_return:
        return reader
    # DuckDB reads CRLF line ends itself; carriage returns inside quoted values remain.
    select = ", ".join(f"replace({name}, chr(13), '') AS {name}" for name in names)
    return f"(SELECT {select} FROM {reader})"


def collect_csv_rejects(
    runner: SqlRunner, source: Source, width: int, limits: LimitSettings
) -> int:
    """Create ``read_rejects`` from DuckDB's CSV rejects and return its row count; raise
    InvalidInputError for a line longer than the limit."""
    too_long = runner.connection.execute(
        "SELECT min(line) FROM csv_reject_errors WHERE error_type = 'LINE SIZE OVER MAXIMUM'"
    ).fetchone()[0]
    if too_long is not None:
        raise InvalidInputError(
            f"{source.file_name}: line {too_long} is longer than the limit of "
            f"{limits.max_line_bytes:,} bytes (setting limits.max_line_bytes).",
            file=source.file_name,
            line=int(too_long),
        )
    cases = " ".join(
        f"WHEN '{error_type}' THEN '{reason}'"
        for error_type, reason in _READ_REJECT_REASONS.items()
    )
    runner.run(
        f"""
        CREATE TEMP TABLE read_rejects AS
        SELECT line::BIGINT AS line,
               CAST(NULL AS VARCHAR) AS column_name,
               CASE WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS')
                    THEN 'expected {width} fields, found '
                         || regexp_extract(error_message, 'Found: (\\d+)', 1)
                    ELSE coalesce(CASE error_type {cases} END, error_message)
               END AS reason,
               left(replace(ltrim(csv_line, chr(10)), chr(13), ''), {MAX_RAW_TEXT_CHARS})
                   AS raw_text
        FROM (
            SELECT line, min(error_type) AS error_type, any_value(error_message) AS error_message,
                   any_value(csv_line) AS csv_line
            FROM csv_reject_errors
            GROUP BY line
        )
        """
    )
    return runner.scalar("SELECT count(*) FROM read_rejects")


def read_physical_lines(runner: SqlRunner, source: Source, limits: LimitSettings) -> None:
    """Create ``physical_lines(line, text)``: every line of the file, blank ones included.

    Each line is read as one value: the delimiter is NUL, which a text file never contains
    (files with NUL bytes are rejected as binary), and quotes have no meaning.
    """
    try:
        runner.run(
            """
            CREATE OR REPLACE TEMP TABLE physical_line_text AS
            SELECT * FROM read_csv(?, header = false, auto_detect = false,
                                   columns = {'text': 'VARCHAR'}, delim = ?, quote = '',
                                   escape = '', max_line_size = ?, strict_mode = false)
            """,
            [str(source.read_path), "\x00", limits.max_line_bytes + 2],
            stage="reading",
        )
    except duckdb.InvalidInputException as error:
        if "line size" not in str(error).lower():
            raise
        raise InvalidInputError(
            f"{source.file_name}: a line is longer than the limit of "
            f"{limits.max_line_bytes:,} bytes (setting limits.max_line_bytes).",
            file=source.file_name,
        ) from error
    runner.run(
        "CREATE OR REPLACE TEMP TABLE physical_lines AS "
        "SELECT rowid + 1 AS line, text FROM physical_line_text"
    )


def _read_whitespace(runner: SqlRunner, source: Source, limits: LimitSettings) -> RecordSource:
    header = source.layout.header
    names = column_names(len(header))
    read_physical_lines(runner, source, limits)
    runner.run(
        """
        CREATE TEMP TABLE split_lines AS
        SELECT line, replace(text, chr(13), '') AS text,
               string_split_regex(regexp_replace(text, '^\\s+|\\s+$', '', 'g'), '\\s+') AS fields
        FROM physical_lines
        WHERE line > 1 AND regexp_replace(coalesce(text, ''), '\\s', '', 'g') <> ''
        """,
        stage="reading",
    )
    longest = runner.scalar("SELECT max(strlen(text)) FROM split_lines")
    if longest is not None and longest > limits.max_line_bytes:
        line = runner.scalar(f"SELECT min(line) FROM split_lines WHERE strlen(text) = {longest}")
        raise InvalidInputError(
            f"{source.file_name}: line {line} is longer than the limit of "
            f"{limits.max_line_bytes:,} bytes (setting limits.max_line_bytes).",
            file=source.file_name,
            line=line,
        )
    fields = ", ".join(f"fields[{position + 1}] AS {name}" for position, name in enumerate(names))
    width = len(header)
    runner.run(
        f"CREATE TEMP TABLE raw AS SELECT line, {fields} FROM split_lines "
        f"WHERE len(fields) = {width}"
    )
    runner.run(
        f"""
        CREATE TEMP TABLE read_rejects AS
        SELECT line, CAST(NULL AS VARCHAR) AS column_name,
               'expected {width} fields, found ' || len(fields) AS reason,
               left(text, {MAX_RAW_TEXT_CHARS}) AS raw_text
        FROM split_lines WHERE len(fields) <> {width}
        """
    )
    return RecordSource(
        columns=tuple(header),
        types=(TEXT_TYPE,) * width,
        relation="raw",
        has_line=True,
        line_is_position=False,
        records=runner.scalar("SELECT count(*) FROM raw"),
        malformed=runner.scalar("SELECT count(*) FROM read_rejects"),
    )


def _create_empty_rejects(runner: SqlRunner) -> None:
    runner.run(
        "CREATE TEMP TABLE read_rejects (line BIGINT, column_name VARCHAR, reason VARCHAR, "
        "raw_text VARCHAR)"
    )


def _open_parquet(runner: SqlRunner, source: Source) -> RecordSource:
    path = str(source.read_path)
    try:
        described = runner.connection.execute(
            "DESCRIBE SELECT * FROM read_parquet(?)", [path]
        ).fetchall()
    except duckdb.Error as error:
        raise InvalidInputError(
            f"{source.file_name}: not a readable Parquet file ({error}).", file=source.file_name
        ) from error
    header = clean_header([row[0] for row in described])
    columns = ", ".join(
        f"{quote_identifier(row[0])} AS c{position}" for position, row in enumerate(described)
    )
    # A view, not a table: Parquet is columnar and keeps its row order, so each later query
    # reads only the columns it needs, and a file larger than memory is never copied whole.
    runner.run(
        f"CREATE TEMP VIEW raw AS SELECT file_row_number + 2 AS line, {columns} "
        f"FROM read_parquet({sql_string(path)}, file_row_number = true)"
    )
    _create_empty_rejects(runner)
    try:
        records = runner.scalar("SELECT count(*) FROM raw")
    except duckdb.Error as error:
        raise InvalidInputError(
            f"{source.file_name}: the Parquet file could not be read ({error}).",
            file=source.file_name,
        ) from error
    return RecordSource(
        columns=tuple(header),
        types=tuple(row[1] for row in described),
        relation="raw",
        has_line=True,
        line_is_position=True,
        records=records,
    )


def _read_spreadsheet(runner: SqlRunner, source: Source) -> RecordSource:
    import fastexcel
    import pyarrow as pa

    try:
        reader = fastexcel.read_excel(str(source.read_path))
        sheet_names = reader.sheet_names
        batch = reader.load_sheet(0, dtypes="string").to_arrow()
    except Exception as error:  # fastexcel raises its own error types for unreadable files
        raise InvalidInputError(
            f"{source.file_name}: the spreadsheet could not be read ({error}).",
            file=source.file_name,
        ) from error
    names = [name if not name.startswith("__UNNAMED__") else "" for name in batch.schema.names]
    header = clean_header(names)
    positions = column_names(len(header))
    table = pa.Table.from_batches([batch]).rename_columns(positions)
    table = table.append_column("line", pa.array(range(2, table.num_rows + 2), pa.int64()))
    not_blank = " OR ".join(f"nullif(trim({name}), '') IS NOT NULL" for name in positions)
    runner.connection.register("spreadsheet_rows", table)
    try:
        runner.run(
            f"CREATE TEMP TABLE raw AS SELECT line, {', '.join(positions)} "
            f"FROM spreadsheet_rows WHERE {not_blank or 'false'}",
            stage="reading",
        )
    finally:
        runner.connection.unregister("spreadsheet_rows")
    _create_empty_rejects(runner)
    warnings = []
    if len(sheet_names) > 1:
        warnings.append(
            f"Read the first sheet, '{sheet_names[0]}'; the other "
            f"{count_phrase(len(sheet_names) - 1, 'sheet')} "
            f"{noun_form(len(sheet_names) - 1, 'was', 'were')} not loaded."
        )
    return RecordSource(
        columns=tuple(header),
        types=(TEXT_TYPE,) * len(header),
        relation="raw",
        has_line=True,
        line_is_position=False,
        records=runner.scalar("SELECT count(*) FROM raw"),
        warnings=warnings,
    )
