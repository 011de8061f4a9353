"""Describe a file before loading it, for the Upload page's mapping preview."""

from __future__ import annotations

from pathlib import Path

from analytics.config import Settings, load_settings
from analytics.store.ingest.options import IngestOptions
from analytics.store.ingest.progress import ProgressTracker, SqlRunner
from analytics.store.ingest.reading import RecordSource
from analytics.store.ingest.results import FilePreview
from analytics.store.ingest.sources import Source, open_source
from analytics.store.ingest.staging import (
    check_options,
    inspect_file,
    staging_connection,
    work_directory,
)

PREVIEW_ROWS = 20


def preview_file(
    path: Path | str, options: IngestOptions | None = None, settings: Settings | None = None
) -> FilePreview:
    """Describe a file without loading it: format, encoding, layout, the mapping that would be
    used, sample rows and whether the date order has to be given. Raises InvalidInputError
    for a file that cannot be read or a mapping to a missing column."""
    options = options or IngestOptions()
    settings = settings or load_settings()
    check_options(options)
    with work_directory(settings) as work_dir:
        source = open_source(Path(path), options.encoding, settings.limits, work_dir)
        with staging_connection(work_dir, options.timezone, settings) as connection:
            runner = SqlRunner(connection, ProgressTracker(None))
            inspected = inspect_file(runner, source, options, settings, allow_ambiguous=True)
            sample = _sample_rows(runner, inspected.records)
    mapping, table, decided = inspected.mapping, inspected.table, inspected.decided
    described = mapping.describe()
    layout = source.layout
    ambiguous = bool(inspected.ambiguous_dates)
    if decided is not None:
        date_order, decision_warnings = decided.date_order, decided.warnings
    else:
        date_order = None if ambiguous else options.date_order
        decision_warnings = []
    return FilePreview(
        file_name=source.file_name,
        source_format=source.format,
        encoding=source.encoding,
        encoding_warning=source.encoding_warning,
        layout=layout.kind if layout else _binary_layout(source),
        delimiter=layout.delimiter if layout else None,
        columns=list(table.columns),
        mapping=described,
        guessed_fields=[field for field in described if field in mapping.guessed],
        given_fields=[field for field in described if field in mapping.given],
        missing_fields=mapping.missing_required(),
        attributes=mapping.attribute_names(),
        sample_rows=[list(row) for row in sample],
        rows=table.rows_read,
        date_order=date_order,
        date_order_ambiguous=ambiguous,
        ambiguous_date_examples=[
            {"line": line, "value": value} for line, value in inspected.ambiguous_dates
        ],
        # The encoding warning has its own field, so it is not repeated here.
        warnings=[w for w in source.warnings if w != source.encoding_warning]
        + table.warnings
        + decision_warnings,
    )


def _sample_rows(runner: SqlRunner, records: RecordSource) -> list[tuple]:
    """Return the first records as text, in file order."""
    names = ", ".join(f"CAST(c{position} AS VARCHAR)" for position in range(len(records.columns)))
    order = " ORDER BY line" if records.has_line else ""
    return runner.connection.execute(
        f"SELECT {names} FROM {records.relation}{order} LIMIT {PREVIEW_ROWS}"
    ).fetchall()


def _binary_layout(source: Source) -> str:
    return "spreadsheet" if source.format == "xlsx" else source.format
