"""``growthlens ingest PATH``: load an event file into the database."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from analytics.cli.common import CommandContext, common_options, emit_json
from analytics.errors import InvalidInputError
from analytics.store.ingest import FIELDS, IngestOptions, IngestResult, ingest_file
from analytics.store.ingest.options import CLI_HINTS
from analytics.wording import count_phrase, noun_form

SHOWN_REJECTIONS = 20
SHOWN_DUPLICATE_IDS = 10


def parse_mappings(pairs: tuple[str, ...]) -> dict[str, str]:
    """Turn ``FIELD=COLUMN`` pairs into a mapping; raise InvalidInputError for a malformed pair."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, separator, column = pair.partition("=")
        if not separator or not field.strip():
            raise InvalidInputError(
                f"--map '{pair}' is not FIELD=COLUMN (fields: {', '.join(FIELDS)})."
            )
        mapping[field.strip()] = column
    return mapping


@click.command("ingest")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Column for an event field (customer_id, event_time, event_type, amount, event_id, "
    "currency); repeatable. amount=quantity*unit_price multiplies two columns.",
)
@click.option(
    "--date-order",
    type=click.Choice(["dmy", "mdy"]),
    default=None,
    help="Order of day and month in dates such as 03/04/2024 (day-first dmy or month-first "
    "mdy); needed only when the data does not decide it.",
)
@click.option(
    "--encoding", default=None, help="Text encoding of the file, e.g. cp1252 (default: detected)."
)
@click.option(
    "--timezone",
    default=None,
    help="IANA time zone of timestamps without an offset (default: the timezone setting, UTC).",
)
@common_options
def ingest_command(
    path: Path,
    mappings: tuple[str, ...],
    date_order: str | None,
    encoding: str | None,
    timezone: str | None,
    context: CommandContext,
) -> None:
    """Load the events in PATH (CSV, TSV, whitespace-aligned text, Parquet or .xlsx)."""
    options = IngestOptions(
        mapping=parse_mappings(mappings),
        date_order=date_order,
        encoding=encoding,
        timezone=timezone or context.settings.timezone,
    )
    progress = _terminal_progress() if sys.stderr.isatty() else None
    try:
        result = ingest_file(path, options, context.settings, progress=progress)
    except InvalidInputError as error:
        message = str(error)
        for hint, flag_hint in CLI_HINTS.items():
            message = message.replace(hint, flag_hint)
        if message == str(error):
            raise
        raise InvalidInputError(
            message, file=error.file, line=error.line, column=error.column
        ) from error
    finally:
        if progress is not None:
            click.echo("", err=True)
    if context.output_format == "json":
        emit_json(result.to_dict())
    else:
        click.echo(format_result(result))


def format_result(result: IngestResult) -> str:
    """Return a short human summary of an import, with the mapping used."""
    if result.already_loaded:
        return "\n".join(result.warnings) or f"{result.file_name} was already loaded."

    encoding = f", {result.encoding}" if result.encoding else ""
    lines = [
        f"Loaded {result.file_name} ({result.source_format}{encoding}) as import "
        f"{result.import_id}: {count_phrase(result.rows_read, 'row')} read, "
        f"{result.rows_loaded:,} loaded, {result.rows_rejected:,} rejected, "
        f"{count_phrase(result.duplicates_skipped, 'duplicate')} skipped."
    ]
    mapping = ", ".join(f"{field} <- {column}" for field, column in result.mapping.items())
    lines.append(f"Mapping: {mapping}.")
    if "event_type" not in result.mapping:
        lines.append(
            "No event type column: every row was loaded as a purchase, and rows with a "
            "negative amount as refunds."
        )
    if result.date_order:
        lines.append(f"Date order: {result.date_order}.")

    if result.duplicate_event_ids:
        shown = ", ".join(result.duplicate_event_ids[:SHOWN_DUPLICATE_IDS])
        more = " ..." if len(result.duplicate_event_ids) > SHOWN_DUPLICATE_IDS else ""
        lines.append(f"Duplicate event ids: {shown}{more}")
    lines.extend(f"Warning: {warning}" for warning in result.warnings)

    for rejection in result.rejections[:SHOWN_REJECTIONS]:
        column = f", column '{rejection['column']}'" if rejection["column"] else ""
        lines.append(f"Rejected line {rejection['line']}{column}: {rejection['reason']}")
    if result.rows_rejected > SHOWN_REJECTIONS:
        lines.append(
            f"... {result.rows_rejected - SHOWN_REJECTIONS:,} more rejected "
            f"{noun_form(result.rows_rejected - SHOWN_REJECTIONS, 'row')} "
            "(use --format json, or the rejected_rows table)."
        )
    return "\n".join(lines)


def _terminal_progress():
    def show(stage: str, fraction: float) -> None:
        click.echo(f"\r{stage:<11} {fraction * 100:5.1f}%", err=True, nl=False)

    return show
