"""``growthlens imports``: list the import log, or remove one import."""

from __future__ import annotations

import click

from analytics.cli.common import CommandContext, common_options, emit_json
from analytics.store.imports import list_imports, remove_import
from analytics.wording import count_phrase


@click.command("imports")
@click.option(
    "--remove",
    "remove_id",
    type=int,
    default=None,
    metavar="IMPORT_ID",
    help="Delete this import's events, rejected rows and log entry, in one transaction.",
)
@common_options
def imports_command(remove_id: int | None, context: CommandContext) -> None:
    """List the files loaded into the database, or take one import back out."""
    database = context.database_path
    if remove_id is not None:
        removed = remove_import(database, remove_id, context.settings)
        if context.output_format == "json":
            emit_json(removed)
            return
        click.echo(
            f"Removed import {remove_id} ('{removed['file_name']}'): "
            f"{count_phrase(removed['events_removed'], 'event')}, "
            f"{count_phrase(removed['rejected_rows_removed'], 'rejected row')}, "
            f"{count_phrase(removed['skipped_duplicates_removed'], 'skipped duplicate')}."
        )
        return
    imports = list_imports(database, context.settings)
    if context.output_format == "json":
        emit_json({"imports": imports})
        return
    if not imports:
        click.echo(f"No imports in '{database}'.")
        return
    click.echo(
        f"{'id':>4}  {'loaded at (UTC)':19}  {'read':>10}  {'loaded':>10}  "
        f"{'rejected':>8}  {'duplicates':>10}  file"
    )
    for entry in imports:
        click.echo(
            f"{entry['import_id']:>4}  {entry['finished_at']:%Y-%m-%d %H:%M:%S}  "
            f"{entry['rows_read']:>10,}  {entry['rows_loaded']:>10,}  "
            f"{entry['rows_rejected']:>8,}  {entry['duplicates_skipped']:>10,}  "
            f"{entry['file_name']}"
        )
