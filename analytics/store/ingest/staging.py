"""Staging: a file is read, checked and converted in an in-memory DuckDB database of its
own, without holding the main database's lock. Its temporary tables spill to the import's
work folder under GROWTH_HOME/tmp when they outgrow the memory limit.

One statement converts and checks every record into ``staged_records``. Before it, one
aggregate scan counts the records and makes the per-column decisions. A delimited file
whose first records need no decision skips that scan: it is converted with provisional
decisions, which the converted rows then confirm or correct (see :mod:`sample`).

Staging leaves, for the final transaction, ``staged_rows`` (every record read, converted,
with its line and a rejection reason where it failed), ``staged_rejections`` and
``staged_duplicates`` (rows whose event_id appeared earlier in the same file).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from analytics.config import WORK_FOLDER_NAME, Settings
from analytics.errors import AmbiguousDateOrderError, GrowthLensError, InvalidInputError
from analytics.store.connection import configure_connection, remove_abandoned_folders
from analytics.store.ingest import decisions, lines
from analytics.store.ingest.conversion import ConversionInput, conversion_sql
from analytics.store.ingest.mapping import (
    ColumnMapping,
    build_mapping,
    repeated_name_warnings,
    require_complete,
)
from analytics.store.ingest.options import IngestOptions
from analytics.store.ingest.progress import ProgressTracker, SqlRunner
from analytics.store.ingest.reading import (
    ReadTable,
    RecordSource,
    check_row_count,
    collect_csv_rejects,
    column_names,
    delimited_relation,
    open_records,
)
from analytics.store.ingest.sample import plain_sample
from analytics.store.ingest.sources import Source

logger = logging.getLogger(__name__)

WORK_FOLDER = WORK_FOLDER_NAME
SPILL_FOLDER = "spill"


@dataclass
class StagedFile:
    """A file read into the staging connection, with what was decided about it."""

    source: Source
    table: ReadTable
    mapping: ColumnMapping
    decisions: decisions.ColumnDecisions
    connection: duckdb.DuckDBPyConnection
    column_types: tuple[str, ...]  # DuckDB type of each file column
    has_event_ids: bool
    rows_valid: int = 0
    rows_rejected: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class InspectedFile:
    """A file's records, mapping and decisions, before any row is converted."""

    records: RecordSource
    table: ReadTable
    mapping: ColumnMapping
    decided: decisions.ColumnDecisions | None  # None while a required field is unmapped
    ambiguous_dates: list[tuple[int, str]]  # (line, value) when the date order is undecided


@contextmanager
def work_directory(settings: Settings) -> Iterator[Path]:
    """Create a private folder under GROWTH_HOME/tmp for one import and remove it afterwards.

    Folders left by a process that was killed are removed the next time one is created.
    """
    parent = settings.work_folder
    parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned_folders(parent)
    folder = parent / f"ingest-{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_options(options: IngestOptions) -> None:
    """Raise InvalidInputError for a date order or time zone that does not exist."""
    if options.date_order is not None and options.date_order not in ("dmy", "mdy"):
        raise InvalidInputError(f"Date order '{options.date_order}' is invalid; use dmy or mdy.")
    try:
        ZoneInfo(options.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInputError(
            f"Unknown time zone '{options.timezone}'; use an IANA name such as Europe/Berlin."
        ) from error


@contextmanager
def staging_connection(
    work_dir: Path, timezone: str, settings: Settings
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open an in-memory staging database; naive timestamps are read in ``timezone``."""
    connection = duckdb.connect(":memory:")
    try:
        configure_connection(connection, settings.limits, work_dir / SPILL_FOLDER)
        connection.execute("SET TimeZone = ?", [timezone])
        # Record order in the file is the rowid order of the tables filled from it.
        connection.execute("SET preserve_insertion_order = true")
        yield connection
    finally:
        connection.close()


def inspect_file(
    runner: SqlRunner,
    source: Source,
    options: IngestOptions,
    settings: Settings,
    *,
    allow_ambiguous: bool = False,
) -> InspectedFile:
    """Scan the file once: count its records, work out its mapping and make the decisions.

    With an unmapped required field nothing is decided. A date order that the data does not
    decide raises AmbiguousDateOrderError, or with ``allow_ambiguous`` is returned as
    examples instead.
    """
    records = open_records(runner, source, settings.limits)
    mapping = build_mapping(records.columns, options.mapping, source.file_name)
    return _profile_and_decide(
        runner, source, records, mapping, options, settings, allow_ambiguous=allow_ambiguous
    )


def stage_file(
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    options: IngestOptions,
    settings: Settings,
    tracker: ProgressTracker,
) -> StagedFile:
    """Read, check and convert the file into the staging connection's temporary tables."""
    runner = SqlRunner(connection, tracker)
    records = open_records(runner, source, settings.limits)
    mapping = build_mapping(records.columns, options.mapping, source.file_name)

    embedded_breaks = None
    if plain_sample(source, records, mapping, options):
        table, decided, embedded_breaks = _convert_then_decide(
            runner, source, records, mapping, options, settings
        )
    else:
        inspected = _profile_and_decide(runner, source, records, mapping, options, settings)
        require_complete(mapping, source.file_name)
        table, decided = inspected.table, inspected.decided
        count_breaks = not records.has_line and lines.needs_line_breaks(
            source, table.records, table.malformed
        )
        conversion = _conversion_input(source, records, mapping, decided, options, count_breaks)
        _convert(runner, conversion, source, table.records)

    warnings = list(source.warnings) + repeated_name_warnings(mapping)
    warnings += table.warnings + decided.warnings
    warnings += _number_staged_rows(runner, source, settings, records, table, embedded_breaks)
    runner.run(
        """
        CREATE TEMP TABLE staged_rejections AS
        SELECT line, reject_column AS column_name, reject_reason AS reason, raw_text
        FROM staged_rows
        WHERE reject_check IS NOT NULL
        UNION ALL
        SELECT line, column_name, reason, raw_text FROM read_rejects
        """
    )
    has_event_ids = "event_id" in mapping.fields
    _find_repeated_event_ids(runner, has_event_ids)

    rows_valid, rows_rejected = connection.execute(
        "SELECT count(*) FILTER (WHERE reject_check IS NULL), "
        "count(*) FILTER (WHERE reject_check IS NOT NULL) FROM staged_records"
    ).fetchone()
    return StagedFile(
        source=source,
        table=table,
        mapping=mapping,
        decisions=decided,
        connection=connection,
        column_types=records.types,
        has_event_ids=has_event_ids,
        rows_valid=rows_valid,
        rows_rejected=rows_rejected + table.malformed,
        warnings=warnings,
    )


def _number_staged_rows(
    runner: SqlRunner,
    source: Source,
    settings: Settings,
    records: RecordSource,
    table: ReadTable,
    embedded_breaks: int | None,
) -> list[str]:
    """Create ``staged_rows``: ``staged_records`` with each record's line. Return warnings."""
    if records.has_line and not records.line_is_position:
        runner.run("CREATE TEMP VIEW staged_rows AS SELECT * FROM staged_records")
        return []
    if records.line_is_position:
        runner.run(
            "CREATE TEMP VIEW staged_rows AS SELECT rowid + 2 AS line, * FROM staged_records"
        )
        return []
    return lines.number_records(
        runner,
        source,
        settings.limits,
        "staged_records",
        "staged_rows",
        records=table.records,
        malformed=table.malformed,
        embedded_breaks=embedded_breaks,
    )


def _profile_and_decide(
    runner: SqlRunner,
    source: Source,
    records: RecordSource,
    mapping: ColumnMapping,
    options: IngestOptions,
    settings: Settings,
    *,
    allow_ambiguous: bool = False,
) -> InspectedFile:
    limits = settings.limits
    if records.has_line:
        profile_relation = records.relation
    else:
        profile_relation = delimited_relation(source, limits, store_rejects=True)
    profile = decisions.profile_records(
        runner, profile_relation, mapping, records.types, source.file_name
    )
    malformed = records.malformed
    if not records.has_line:
        malformed = collect_csv_rejects(runner, source, len(records.columns), limits)
    table = ReadTable(records.columns, profile.records, malformed, list(records.warnings))
    check_row_count(table, source, limits)
    if mapping.missing_required():
        return InspectedFile(records, table, mapping, None, [])
    try:
        decided = _decide_columns(runner, source, records, mapping, profile, options, [])
    except AmbiguousDateOrderError:
        examples = _ambiguous_examples(runner, source, settings, records, mapping, table)
        if allow_ambiguous:
            return InspectedFile(records, table, mapping, None, examples)
        _decide_columns(runner, source, records, mapping, profile, options, examples)
        raise
    return InspectedFile(records, table, mapping, decided, [])


def _convert_then_decide(
    runner: SqlRunner,
    source: Source,
    records: RecordSource,
    mapping: ColumnMapping,
    options: IngestOptions,
    settings: Settings,
) -> tuple[ReadTable, decisions.ColumnDecisions, int]:
    """Convert a delimited file with provisional decisions, then profile the converted rows
    and convert again only when the profile decides otherwise. This saves the separate
    profiling scan for files like their sample: ISO dates, decimal points and canonical
    event types. Return the records' counts, the decisions and the number of line breaks
    inside values.

    NOTE: a file with line breaks inside quoted values is converted twice, because its
    line numbers need each record's count of them, which the first conversion leaves out.
    """
    limits = settings.limits
    provisional = decisions.ColumnDecisions.provisional(mapping, options.date_order)
    conversion = _conversion_input(
        source, records, mapping, provisional, options, count_breaks=False, profile_columns=True
    )
    counted = replace(conversion, relation=delimited_relation(source, limits, store_rejects=True))
    converted = _convert(runner, counted, source, None)
    malformed = collect_csv_rejects(runner, source, len(records.columns), limits)
    table = ReadTable(records.columns, converted, malformed, list(records.warnings))
    check_row_count(table, source, limits)

    profile = decisions.profile_staged(
        runner, "staged_records", mapping, records.types, source.file_name
    )
    try:
        decided = _decide_columns(runner, source, records, mapping, profile, options, [])
    except AmbiguousDateOrderError:
        examples = _ambiguous_examples(runner, source, settings, records, mapping, table)
        _decide_columns(runner, source, records, mapping, profile, options, examples)
        raise

    embedded = 0
    if lines.needs_line_breaks(source, table.records, table.malformed):
        breaks = lines.line_breaks_sql(column_names(len(records.columns)))
        embedded = runner.scalar(f"SELECT coalesce(sum({breaks}), 0) FROM {records.relation}")
    if embedded or not provisional.converts_like(decided):
        logger.info("%s: converting again with the decisions its profile made", source.file_name)
        runner.run("DROP TABLE staged_records")
        again = _conversion_input(
            source, records, mapping, decided, options, count_breaks=embedded > 0
        )
        _convert(runner, again, source, table.records)
    return table, decided, embedded


def _conversion_input(
    source: Source,
    records: RecordSource,
    mapping: ColumnMapping,
    decided: decisions.ColumnDecisions,
    options: IngestOptions,
    count_breaks: bool,
    profile_columns: bool = False,
) -> ConversionInput:
    return ConversionInput(
        relation=records.relation,
        types=records.types,
        stage_line=records.has_line and not records.line_is_position,
        mapping=mapping,
        decided=decided,
        timezone=options.timezone,
        raw_delimiter=_raw_delimiter(source),
        count_line_breaks=count_breaks,
        profile_columns=profile_columns,
    )


def _convert(
    runner: SqlRunner, conversion: ConversionInput, source: Source, expected: int | None
) -> int:
    """Create ``staged_records`` and return its row count, which must be ``expected``."""
    converted = runner.run(
        f"CREATE TEMP TABLE staged_records AS {conversion_sql(conversion)}", stage="validating"
    ).fetchone()[0]
    if expected is not None and converted != expected:
        raise GrowthLensError(
            f"{source.file_name}: the file changed while it was read ({expected:,} "
            f"records counted, then {converted:,} converted). Nothing was loaded."
        )
    return converted


def _find_repeated_event_ids(runner: SqlRunner, has_event_ids: bool) -> None:
    """Create ``staged_duplicates``: valid rows whose event_id an earlier valid row has."""
    runner.run("CREATE TEMP TABLE staged_duplicates (line BIGINT, event_id VARCHAR)")
    if not has_event_ids:
        return
    repeated = runner.run(
        """
        CREATE TEMP TABLE repeated_event_ids AS
        SELECT event_id, min(line) AS first_line
        FROM staged_rows
        WHERE reject_check IS NULL AND event_id IS NOT NULL
        GROUP BY event_id
        HAVING count(*) > 1
        """,
        stage="validating",
    ).fetchone()[0]
    if repeated == 0:
        return
    runner.run(
        """
        INSERT INTO staged_duplicates
        SELECT s.line, s.event_id
        FROM staged_rows s JOIN repeated_event_ids r ON s.event_id = r.event_id
        WHERE s.reject_check IS NULL AND s.line <> r.first_line
        """
    )


def _decide_columns(
    runner: SqlRunner,
    source: Source,
    records: RecordSource,
    mapping: ColumnMapping,
    profile: decisions.RecordProfile,
    options: IngestOptions,
    examples: list[tuple[int, str]],
) -> decisions.ColumnDecisions:
    """Decide date order, decimal marks and event type spellings from the profile."""
    decided = decisions.ColumnDecisions()
    time_position = mapping.fields["event_time"]
    decided.date_order, warnings = decisions.decide_date_order(
        profile.date_order,
        options.date_order,
        mapping.columns[time_position],
        source.file_name,
        examples,
    )
    decided.warnings.extend(warnings)
    for position in decisions.amount_positions(mapping):
        with_comma = profile.comma_amounts.get(position, 0)
        mark, warnings = decisions.decide_decimal_mark(
            runner, records.relation, f"c{position}", mapping.columns[position], with_comma
        )
        decided.decimal_marks[position] = mark
        decided.warnings.extend(warnings)
    if profile.event_types is not None:
        decided.event_type_spellings = decisions.event_type_spellings(profile.event_types)
    return decided


def _ambiguous_examples(
    runner: SqlRunner,
    source: Source,
    settings: Settings,
    records: RecordSource,
    mapping: ColumnMapping,
    table: ReadTable,
) -> list[tuple[int, str]]:
    """Return (line, value) of the first dates that fit both orders."""
    column = f"c{mapping.fields['event_time']}"
    if records.has_line:
        return decisions.ambiguous_date_examples(runner, records.relation, column)
    select = column
    if lines.needs_line_breaks(source, table.records, table.malformed):
        select += f", {lines.line_breaks_sql(column_names(len(records.columns)))} AS breaks"
    runner.run(f"CREATE TEMP TABLE date_records AS SELECT {select} FROM {records.relation}")
    lines.number_records(
        runner,
        source,
        settings.limits,
        "date_records",
        "date_rows",
        records=table.records,
        malformed=table.malformed,
    )
    return decisions.ambiguous_date_examples(runner, "date_rows", column)


def _raw_delimiter(source: Source) -> str:
    if source.format == "text":
        return " "
    if source.layout is not None and source.layout.delimiter:
        return source.layout.delimiter
    return ","
