"""Read a checked source into the staging database as text, one row per record.

The result is the relation ``raw(line, c0, c1, ...)``, every value VARCHAR exactly as in
the file (carriage returns removed), and the table ``read_rejects(line, column_name,
reason, raw_text)`` of records that could not be split into fields.

Line numbers count the header as line 1 and give the physical line where a record starts,
so a record after a quoted line break gets the number an editor shows. For spreadsheets
and Parquet files the line is the row number, the header row being 1.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import duckdb

from analytics.config import LimitSettings
from analytics.errors import InvalidInputError
from analytics.store.ingest.progress import SqlRunner
from analytics.store.ingest.sources import Source, clean_header

logger = logging.getLogger(__name__)

MAX_RAW_TEXT_CHARS = 10_000  # a rejected record's text is cut to this length
_READ_REJECT_REASONS = {
    "UNQUOTED VALUE": "a quoted value is not closed, or a quote stands inside an unquoted value",
    "INVALID ENCODING": "invalid UTF-8",
    "INVALID UNICODE": "invalid UTF-8",
}


@dataclass(frozen=True)
class ReadTable:
    """Outcome of reading a file: its header and the number of records in each table."""

    columns: tuple[str, ...]
    records: int  # rows in raw
    malformed: int  # rows in read_rejects
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.records + self.malformed


def column_names(count: int) -> list[str]:
    """Names of the text columns in ``raw``: c0, c1, ..."""
    return [f"c{position}" for position in range(count)]


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_source(runner: SqlRunner, source: Source, limits: LimitSettings) -> ReadTable:
    """Create ``raw`` and ``read_rejects`` from ``source``; raise InvalidInputError when a limit
    is exceeded or the file cannot be read at all."""
    if source.format == "parquet":
        table = _read_parquet(runner, source)
    elif source.format == "xlsx":
        table = _read_spreadsheet(runner, source)
    elif source.format == "text":
        table = _read_whitespace(runner, source, limits)
    else:
        table = _read_delimited(runner, source, limits)
    if len(table.columns) > limits.max_columns:
        raise InvalidInputError(
            f"{source.file_name}: {len(table.columns):,} columns, more than the limit of "
            f"{limits.max_columns:,} (setting limits.max_columns).",
            file=source.file_name,
        )
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
    return table


def _text_expression(column: str, strip_carriage_returns: bool) -> str:
    if strip_carriage_returns:
        return f"replace({column}, chr(13), '') AS {column}"
    return column


def _read_delimited(runner: SqlRunner, source: Source, limits: LimitSettings) -> ReadTable:
    header = source.layout.header
    names = column_names(len(header))
    types = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in names) + "}"
    select = ", ".join(_text_expression(name, source.has_carriage_return) for name in names)
    runner.run(
        f"""
        CREATE TEMP TABLE raw_records AS
        SELECT {select}
        FROM read_csv(?, header = true, auto_detect = false, columns = {types}, delim = ?,
                      quote = '"', escape = '"', strict_mode = true, max_line_size = ?,
                      ignore_errors = true, store_rejects = true,
                      rejects_table = 'csv_reject_errors', rejects_scan = 'csv_reject_scans')
        """,
        [str(source.read_path), source.layout.delimiter, limits.max_line_bytes],
        stage="reading",
    )
    _collect_csv_rejects(runner, source, len(header), limits)
    records = runner.scalar("SELECT count(*) FROM raw_records")
    malformed = runner.scalar("SELECT count(*) FROM read_rejects")
    warnings = _number_csv_lines(runner, source, limits, records, malformed, names)
    return ReadTable(tuple(header), records, malformed, warnings)


def _collect_csv_rejects(
    runner: SqlRunner, source: Source, width: int, limits: LimitSettings
) -> None:
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


def _number_csv_lines(
    runner: SqlRunner,
    source: Source,
    limits: LimitSettings,
    records: int,
    malformed: int,
    names: list[str],
) -> list[str]:
    """Create ``raw`` from ``raw_records`` with the physical line where each record starts.

    Record k (0-based, in file order, which DuckDB keeps as the table's rowid) starts on line
    k + 2 unless earlier lines were taken by malformed records, blank lines or line breaks
    inside quoted values. DuckDB reports a malformed record by its line counted without
    quoted line breaks. Blank and malformed lines are gaps in that count, and the line
    breaks inside earlier records' values are added on top.
    """
    if source.line_count == 1 + records + malformed:
        if malformed == 0:
            runner.run("CREATE TEMP VIEW raw AS SELECT rowid + 2 AS line, * FROM raw_records")
            return []
        _number_with_gaps(runner, "SELECT line FROM read_rejects", embedded=False)
        return []

    breaks = " + ".join(
        f"coalesce(length({name}) - length(replace({name}, chr(10), '')), 0)" for name in names
    )
    runner.run(
        f"CREATE TEMP TABLE record_breaks AS SELECT rowid AS record, {breaks} AS breaks "
        "FROM raw_records"
    )
    embedded = runner.scalar("SELECT coalesce(sum(breaks), 0) FROM record_breaks")
    reject_breaks = runner.scalar(
        "SELECT coalesce(sum(length(raw_text) - length(replace(raw_text, chr(10), ''))), 0) "
        "FROM read_rejects"
    )
    gap_lines = "SELECT line FROM read_rejects"
    warnings: list[str] = []
    if source.line_count != 1 + records + malformed + embedded + reject_breaks:
        _read_physical_lines(runner, source, limits)
        gap_lines += (
            " UNION ALL SELECT line FROM physical_lines "
            "WHERE line > 1 AND coalesce(replace(text, chr(13), ''), '') = ''"
        )
        if embedded:
            # NOTE: blank lines are found by their physical number, which exceeds DuckDB's
            # count by the quoted line breaks before them. Lines after such a mix may be
            # off by those breaks.
            warnings.append(
                "Line numbers after blank lines may be off by the line breaks inside quoted "
                "values before them."
            )
    _number_with_gaps(runner, gap_lines, embedded=embedded > 0)
    return warnings


def _number_with_gaps(runner: SqlRunner, gap_lines_sql: str, *, embedded: bool) -> None:
    # A gap at counted line g, with j gaps before it, sits where record g - j - 2 would have
    # started had no gap existed. Every record from that position on moves down by j + 1.
    runner.run(
        f"""
        CREATE TEMP TABLE line_gaps AS
        SELECT position, max(gaps_so_far) AS gaps_so_far
        FROM (
            SELECT line - row_number() OVER (ORDER BY line) + 1 AS position,
                   row_number() OVER (ORDER BY line) AS gaps_so_far
            FROM ({gap_lines_sql})
        )
        GROUP BY position
        """
    )
    logical_line = "r.record + 2 + coalesce(g.gaps_so_far, 0)"
    if not embedded:
        runner.run(
            f"""
            CREATE TEMP TABLE raw AS
            SELECT {logical_line} AS line, r.* EXCLUDE (record)
            FROM (SELECT rowid AS record, * FROM raw_records) r
            ASOF LEFT JOIN line_gaps g ON r.record + 2 >= g.position
            """,
            stage="reading",
        )
        return
    runner.run(
        f"""
        CREATE TEMP TABLE raw AS
        SELECT {logical_line} + coalesce(sum(b.breaks) OVER (
                   ORDER BY r.record ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                   AS line,
               {logical_line} AS logical_line,
               b.breaks AS breaks,
               r.* EXCLUDE (record)
        FROM (SELECT rowid AS record, * FROM raw_records) r
        JOIN record_breaks b ON b.record = r.record
        ASOF LEFT JOIN line_gaps g ON r.record + 2 >= g.position
        """,
        stage="reading",
    )
    # A malformed record's line from DuckDB leaves out the quoted line breaks before it.
    runner.run(
        """
        UPDATE read_rejects SET line = line + coalesce(
            (SELECT sum(breaks) FROM raw WHERE raw.logical_line < read_rejects.line), 0)
        """
    )


def _read_physical_lines(runner: SqlRunner, source: Source, limits: LimitSettings) -> None:
    """Create ``physical_lines(line, text)``: every line of the file, blank ones included.

    Each line is read as one value: the delimiter is NUL, which a text file never contains
    (files with NUL bytes are rejected as binary), and quotes have no meaning.
    """
    try:
        runner.run(
            """
            CREATE TEMP TABLE physical_line_text AS
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
        "CREATE TEMP TABLE physical_lines AS SELECT rowid + 1 AS line, text FROM physical_line_text"
    )


def _read_whitespace(runner: SqlRunner, source: Source, limits: LimitSettings) -> ReadTable:
    header = source.layout.header
    names = column_names(len(header))
    _read_physical_lines(runner, source, limits)
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
    records = runner.scalar("SELECT count(*) FROM raw")
    malformed = runner.scalar("SELECT count(*) FROM read_rejects")
    return ReadTable(tuple(header), records, malformed)


def _create_empty_rejects(runner: SqlRunner) -> None:
    runner.run(
        "CREATE TEMP TABLE read_rejects (line BIGINT, column_name VARCHAR, reason VARCHAR, "
        "raw_text VARCHAR)"
    )


def _read_parquet(runner: SqlRunner, source: Source) -> ReadTable:
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
    casts = ", ".join(
        f"CAST({quote_identifier(row[0])} AS VARCHAR) AS c{position}"
        for position, row in enumerate(described)
    )
    # A view, not a table: Parquet is columnar and keeps its row order, so each later query
    # reads only the columns it needs, and a file larger than memory is never copied whole.
    literal_path = "'" + path.replace("'", "''") + "'"
    runner.run(
        f"CREATE TEMP VIEW raw AS SELECT file_row_number + 2 AS line, {casts} "
        f"FROM read_parquet({literal_path}, file_row_number = true)"
    )
    _create_empty_rejects(runner)
    try:
        records = runner.scalar("SELECT count(*) FROM raw")
    except duckdb.Error as error:
        raise InvalidInputError(
            f"{source.file_name}: the Parquet file could not be read ({error}).",
            file=source.file_name,
        ) from error
    return ReadTable(tuple(header), records, 0)


def _read_spreadsheet(runner: SqlRunner, source: Source) -> ReadTable:
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
    records = runner.scalar("SELECT count(*) FROM raw")
    warnings = []
    if len(sheet_names) > 1:
        warnings.append(
            f"Read the first sheet, '{sheet_names[0]}'; the other {len(sheet_names) - 1} "
            "sheet(s) were not loaded."
        )
    return ReadTable(tuple(header), records, 0, warnings)
