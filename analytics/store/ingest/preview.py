"""Describe a file before loading it, for the Upload page's mapping preview."""

from __future__ import annotations

from pathlib import Path

from analytics.config import Settings, load_settings
from analytics.errors import AmbiguousDateOrderError
from analytics.store.ingest import decisions
from analytics.store.ingest.mapping import ColumnMapping
from analytics.store.ingest.options import IngestOptions
from analytics.store.ingest.progress import ProgressTracker, SqlRunner
from analytics.store.ingest.results import FilePreview
from analytics.store.ingest.sources import Source, open_source
from analytics.store.ingest.staging import (
    check_options,
    decide_columns,
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
        with staging_connection(work_dir, options.timezone) as connection:
            runner = SqlRunner(connection, ProgressTracker(None))
            table, mapping = inspect_file(runner, source, options, settings)
            names = ", ".join(f"c{position}" for position in range(len(table.columns)))
            sample = connection.execute(
                f"SELECT {names} FROM raw ORDER BY line LIMIT {PREVIEW_ROWS}"
            ).fetchall()
            date_order, ambiguous, examples, warnings = _preview_decisions(
                runner, source, mapping, options
            )
    described = mapping.describe()
    layout = source.layout
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
        ambiguous_date_examples=[{"line": line, "value": value} for line, value in examples],
        # The encoding warning has its own field, so it is not repeated here.
        warnings=[w for w in source.warnings if w != source.encoding_warning]
        + table.warnings
        + warnings,
    )


def _binary_layout(source: Source) -> str:
    return "spreadsheet" if source.format == "xlsx" else source.format


def _preview_decisions(runner: SqlRunner, source: Source, mapping: ColumnMapping, options):
    """Return (date order, ambiguous, examples, warnings) without raising for ambiguity."""
    if mapping.missing_required():
        return options.date_order, False, [], []
    try:
        decided = decide_columns(runner, source, mapping, options)
    except AmbiguousDateOrderError:
        column = f"c{mapping.fields['event_time']}"
        examples = decisions.ambiguous_date_examples(runner, column)
        return None, True, examples, []
    return decided.date_order, False, [], decided.warnings
