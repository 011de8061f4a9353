"""The staging database: a DuckDB file of its own in a work folder under GROWTH_HOME, where
a file is read, checked and converted without holding the main database's lock.

Staging leaves three tables for the final transaction: ``staged_rows`` (every record read,
converted, with a rejection reason where it failed), ``staged_rejections`` and
``staged_duplicates`` (rows whose event_id appeared earlier in the same file).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from analytics.config import Settings
from analytics.errors import InvalidInputError
from analytics.store.ingest import decisions, values
from analytics.store.ingest.mapping import ColumnMapping, build_mapping, require_complete
from analytics.store.ingest.options import IngestOptions
from analytics.store.ingest.progress import ProgressTracker, SqlRunner
from analytics.store.ingest.reading import ReadTable, column_names, read_source
from analytics.store.ingest.sources import Source

logger = logging.getLogger(__name__)

WORK_FOLDER = "tmp"
STAGING_FILE = "staging.duckdb"
_NON_MONETARY = ("signup", "subscription_start", "subscription_cancel")


@dataclass
class StagedFile:
    """A file read into the staging database, with what was decided about it."""

    source: Source
    table: ReadTable
    mapping: ColumnMapping
    decisions: decisions.ColumnDecisions
    staging_file: Path
    rows_valid: int = 0
    rows_rejected: int = 0
    warnings: list[str] = field(default_factory=list)


@contextmanager
def work_directory(settings: Settings) -> Iterator[Path]:
    """Create a private folder under GROWTH_HOME/tmp for one import and remove it afterwards.

    Folders left by a process that was killed are removed the next time one is created.
    """
    parent = settings.home / WORK_FOLDER
    parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(parent)
    folder = parent / f"ingest-{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_abandoned(parent: Path) -> None:
    for folder in parent.glob("ingest-*-*"):
        try:
            pid = int(folder.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _process_exists(pid):
            logger.info("removing the work folder of stopped process %s: %s", pid, folder)
            shutil.rmtree(folder, ignore_errors=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
def staging_connection(work_dir: Path, timezone: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the staging database; naive timestamps are read in ``timezone``."""
    connection = duckdb.connect(str(work_dir / STAGING_FILE))
    try:
        connection.execute("SET TimeZone = ?", [timezone])
        connection.execute("SET temp_directory = ?", [str(work_dir / "spill")])
        # Record order in the file is the rowid order of the tables read from it.
        connection.execute("SET preserve_insertion_order = true")
        yield connection
    finally:
        connection.close()


def inspect_file(
    runner: SqlRunner, source: Source, options: IngestOptions, settings: Settings
) -> tuple[ReadTable, ColumnMapping]:
    """Read the file into ``raw`` and work out its mapping."""
    table = read_source(runner, source, settings.limits)
    mapping = build_mapping(table.columns, options.mapping, source.file_name)
    return table, mapping


def decide_columns(
    runner: SqlRunner, source: Source, mapping: ColumnMapping, options: IngestOptions
) -> decisions.ColumnDecisions:
    """Decide date order, decimal marks and event type spellings from the whole file."""
    decided = decisions.ColumnDecisions()
    time_position = mapping.fields["event_time"]
    time_column = f"c{time_position}"
    profile = decisions.profile_date_order(runner, time_column)
    examples = (
        decisions.ambiguous_date_examples(runner, time_column) if profile.is_ambiguous else []
    )
    decided.date_order, warnings = decisions.decide_date_order(
        profile, options.date_order, mapping.columns[time_position], source.file_name, examples
    )
    decided.warnings.extend(warnings)
    for position in _amount_positions(mapping):
        mark, warnings = decisions.decide_decimal_mark(
            runner, f"c{position}", mapping.columns[position]
        )
        decided.decimal_marks[position] = mark
        decided.warnings.extend(warnings)
    if "event_type" in mapping.fields:
        position = mapping.fields["event_type"]
        decided.event_type_spellings = decisions.event_type_spellings(
            runner, f"c{position}", mapping.columns[position], source.file_name
        )
    return decided


def stage_file(
    source: Source,
    options: IngestOptions,
    settings: Settings,
    work_dir: Path,
    tracker: ProgressTracker,
) -> StagedFile:
    """Read, check and convert the file into the staging database and close it."""
    with staging_connection(work_dir, options.timezone) as connection:
        runner = SqlRunner(connection, tracker)
        table, mapping = inspect_file(runner, source, options, settings)
        require_complete(mapping, source.file_name)
        decided = decide_columns(runner, source, mapping, options)
        _prefer_write_speed(connection)
        runner.run(
            f"CREATE TABLE staged_rows AS {_conversion_sql(mapping, decided, options.timezone)}",
            stage="validating",
        )
        runner.run(
            f"""
            CREATE TABLE staged_rejections AS
            SELECT s.line, s.reject_column AS column_name, s.reject_reason AS reason,
                   {_raw_text_sql(source, len(mapping.columns))} AS raw_text
            FROM staged_rows s JOIN raw r ON r.line = s.line
            WHERE s.reject_check IS NOT NULL
            UNION ALL
            SELECT line, column_name, reason, raw_text FROM read_rejects
            """
        )
        runner.run(
            """
            CREATE TABLE staged_duplicates AS
            WITH repeated AS (
                SELECT event_id, min(line) AS first_line
                FROM staged_rows
                WHERE reject_check IS NULL AND event_id IS NOT NULL
                GROUP BY event_id
                HAVING count(*) > 1
            )
            SELECT s.line, s.event_id
            FROM staged_rows s JOIN repeated r ON s.event_id = r.event_id
            WHERE s.reject_check IS NULL AND s.line <> r.first_line
            """,
            stage="validating",
        )
        rows_valid = runner.scalar("SELECT count(*) FROM staged_rows WHERE reject_check IS NULL")
        rows_rejected = runner.scalar("SELECT count(*) FROM staged_rejections")
        connection.execute("CHECKPOINT")
    warnings = list(source.warnings) + table.warnings + decided.warnings
    return StagedFile(
        source=source,
        table=table,
        mapping=mapping,
        decisions=decided,
        staging_file=work_dir / STAGING_FILE,
        rows_valid=rows_valid,
        rows_rejected=rows_rejected,
        warnings=warnings,
    )


def _prefer_write_speed(connection: duckdb.DuckDBPyConnection) -> None:
    """Let DuckDB write the staging tables in parallel, in any order. Record order no longer
    matters at this point, because every row carries its line number.

    The tables stay compressed. Written uncompressed, the staging tables of a 10M-row CSV
    (CDNOW-shaped, on a shared 2-core machine) took a tenth less CPU time but six times
    the disk space and twice the memory.
    """
    connection.execute("SET preserve_insertion_order = false")


def _amount_positions(mapping: ColumnMapping) -> list[int]:
    if mapping.amount_product is not None:
        return list(mapping.amount_product)
    return [mapping.fields["amount"]]


def _raw_text_sql(source: Source, width: int) -> str:
    """SQL for a record's text as read, its values joined by the file's delimiter."""
    delimiter = source.layout.delimiter if source.layout and source.layout.delimiter else ","
    if source.format == "text":
        delimiter = " "
    values_sql = ", ".join(f"coalesce(r.{name}, '')" for name in column_names(width))
    return f"concat_ws({values.sql_string(delimiter)}, {values_sql})"


def _conversion_sql(
    mapping: ColumnMapping, decided: decisions.ColumnDecisions, timezone: str
) -> str:
    """SQL that converts every row of ``raw`` and gives the first reason it is rejected."""
    fields = mapping.fields
    label = {
        field: values.sql_string(mapping.columns[position]) for field, position in fields.items()
    }

    def column(field: str) -> str:
        return f"c{fields[field]}"

    amount_positions = _amount_positions(mapping)
    amount_texts = ", ".join(
        f"{values.text_sql(f'c{position}')} AS amount_text_{index}"
        for index, position in enumerate(amount_positions)
    )
    amount_parts = ", ".join(
        _amount_parts_column(index, decided.decimal_marks[position])
        for index, position in enumerate(amount_positions)
    )
    amount_values = ", ".join(
        values.amount_sql(
            f"amount_text_{index}", f"amount_parts_{index}", decided.decimal_marks[position]
        )
        + f" AS amount_value_{index}"
        for index, position in enumerate(amount_positions)
    )
    if len(amount_positions) > 1:
        amount = "TRY_CAST(amount_value_0 * amount_value_1 AS DECIMAL(18, 4))"
    else:
        amount = "amount_value_0"

    if "event_type" in fields:
        type_text = values.text_sql(column("event_type"))
        type_value = values.event_type_sql("type_text", decided.event_type_spellings)
    else:
        type_text, type_value = "'purchase'", "'purchase'"
    if "currency" in fields:
        currency_text = values.text_sql(column("currency"))
        currency = "upper(currency_text)"
    else:
        currency_text = "NULL::VARCHAR"
        currency = values.currency_from_amount_sql("amount_parts_0")
    event_id = values.text_sql(column("event_id")) if "event_id" in fields else "NULL::VARCHAR"
    attributes = _attributes_sql(mapping)
    event_time = values.event_time_sql(
        "time_text", "day_month", decided.date_order, naive_is_utc=timezone == "UTC"
    )
    time_label = values.DATE_ORDER_LABELS.get(decided.date_order or "dmy")
    check, reject_column, reject_reason = _rejection_cases(
        mapping, label, amount_positions, decided, time_label
    )

    return f"""
    WITH texts AS (
        SELECT line,
               {values.text_sql(column("customer_id"))} AS customer_id,
               {values.text_sql(column("event_time"))} AS time_text,
               {type_text} AS type_text,
               {amount_texts},
               {event_id} AS event_id,
               {currency_text} AS currency_text,
               {attributes} AS attributes
        FROM raw
    ),
    parts AS (
        SELECT *,
               CASE WHEN time_text IS NOT NULL AND NOT {values.is_iso_like_sql("time_text")}
                    THEN {values.day_month_parts_sql("time_text")} END AS day_month,
               {amount_parts}
        FROM texts
    ),
    converted AS (
        SELECT *,
               {event_time} AS event_time,
               {type_value} AS type_value,
               {amount_values},
               {currency} AS currency
        FROM parts
    ),
    checked AS (
        SELECT *,
               CASE WHEN amount_text_0 IS NULL AND type_value IN {_NON_MONETARY}
                    THEN 0::DECIMAL(18, 4) ELSE {amount} END AS amount,
               {check} AS reject_check
        FROM converted
    )
    SELECT line, event_id, customer_id, event_time,
           CASE WHEN type_value = 'purchase' AND amount < 0 THEN 'refund'
                ELSE type_value END AS event_type,
           amount, currency, attributes, reject_check,
           CASE WHEN reject_check IS NOT NULL THEN {reject_column} END AS reject_column,
           CASE WHEN reject_check IS NOT NULL THEN {reject_reason} END AS reject_reason
    FROM checked
    """


def _amount_parts_column(index: int, mark: str) -> str:
    text = f"amount_text_{index}"
    parts = values.amount_parts_sql(text)
    if mark == ".":
        # Plain numbers are read by a cast; only other values need splitting.
        return (
            f"CASE WHEN TRY_CAST({text} AS DECIMAL(18, 4)) IS NULL THEN {parts} END "
            f"AS amount_parts_{index}"
        )
    return f"{parts} AS amount_parts_{index}"


def _attributes_sql(mapping: ColumnMapping) -> str:
    if not mapping.attributes:
        return "CAST(MAP {} AS MAP(VARCHAR, VARCHAR))"
    # A struct cast to a MAP builds the same map several times faster than a MAP literal.
    entries = ", ".join(
        f"{values.sql_string(name)}: {values.text_sql(f'c{position}')}"
        for position, name in mapping.attributes.items()
    )
    return f"CAST({{{entries}}} AS MAP(VARCHAR, VARCHAR))"


def _rejection_cases(
    mapping: ColumnMapping,
    label: dict[str, str],
    amount_positions: list[int],
    decided: decisions.ColumnDecisions,
    time_label: str,
) -> tuple[str, str, str]:
    """Return SQL for the number of the first failing check (NULL when every check passes),
    and for the column and the reason that this number stands for."""
    checks = [
        ("customer_id IS NULL", label["customer_id"], "'customer id is empty'"),
        ("time_text IS NULL", label["event_time"], "'date is empty'"),
        (
            "event_time IS NULL",
            label["event_time"],
            f"""'date ' || {values.reason_value("time_text")} || CASE
                WHEN day_month.year <> '' THEN ' is not a valid {time_label} date'
                ELSE ' is not a recognised date or time' END""",
        ),
    ]
    if "event_type" in mapping.fields:
        allowed = "signup, purchase, refund, subscription_start, subscription_cancel (or cancel)"
        checks += [
            ("type_text IS NULL", label["event_type"], "'event type is empty'"),
            (
                "type_value IS NULL",
                label["event_type"],
                f"'event type ' || {values.reason_value('type_text')} || ' is not one of "
                f"{allowed}'",
            ),
        ]
    for index, position in enumerate(amount_positions):
        name = values.sql_string(mapping.columns[position])
        mark = "a decimal comma" if decided.decimal_marks[position] == "," else "a decimal point"
        empty = f"amount_text_{index} IS NULL"
        if index == 0 and len(amount_positions) == 1:
            empty += f" AND type_value NOT IN {_NON_MONETARY}"
        checks += [
            (empty, name, "'amount is empty'"),
            (
                f"amount_text_{index} IS NOT NULL AND amount_value_{index} IS NULL",
                name,
                f"'amount ' || {values.reason_value(f'amount_text_{index}')} || "
                f"' is not a number written with {mark}'",
            ),
        ]
    first_amount = values.sql_string(mapping.columns[amount_positions[0]])
    checks.append(("amount IS NULL", first_amount, "'amount is out of range'"))
    check_case = " ".join(
        f"WHEN {test} THEN {number}" for number, (test, _, _) in enumerate(checks, start=1)
    )
    column_case = " ".join(
        f"WHEN {number} THEN {name}" for number, (_, name, _) in enumerate(checks, start=1)
    )
    reason_case = " ".join(
        f"WHEN {number} THEN {reason}" for number, (_, _, reason) in enumerate(checks, start=1)
    )
    return (
        f"CASE {check_case} END",
        f"CASE reject_check {column_case} END",
        f"CASE reject_check {reason_case} END",
    )
