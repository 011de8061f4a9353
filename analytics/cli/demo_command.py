"""``growthlens demo``: load the generated demo data set into the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from analytics.cli.common import CommandContext, common_options, emit_json
from analytics.demo import DEFAULT_CUSTOMERS, DEFAULT_SEED

if TYPE_CHECKING:
    from analytics.demo.load import DemoLoad


@click.command("demo")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=DEFAULT_SEED,
    show_default=True,
    help="Random seed; the same seed and customer count give the same events.",
)
@click.option(
    "--customers",
    type=click.IntRange(min=1),
    default=DEFAULT_CUSTOMERS,
    show_default=True,
    help="Number of customers to generate (about 5.5 events each).",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Load nothing when the database already has events.",
)
@common_options
def demo_command(seed: int, customers: int, if_empty: bool, context: CommandContext) -> None:
    """Generate the demo event log under GROWTH_HOME and load it into the database."""
    from analytics.demo.load import load_demo

    outcome = load_demo(context.settings, seed=seed, customers=customers, if_empty=if_empty)
    if context.output_format == "json":
        emit_json(_as_json(outcome))
        return
    click.echo(outcome.message)
    if outcome.rows_loaded:
        click.echo(f"Database: {outcome.database}")


def _as_json(outcome: DemoLoad) -> dict:
    ingest = outcome.ingest
    return {
        "loaded": outcome.rows_loaded > 0,
        "message": outcome.message,
        "database": outcome.database,
        "events_before": outcome.events_before,
        "file": outcome.file,
        "seed": outcome.seed,
        "import_id": ingest.import_id if ingest else None,
        "already_loaded": ingest.already_loaded if ingest else False,
        "rows_read": ingest.rows_read if ingest else 0,
        "rows_loaded": outcome.rows_loaded,
        "rows_rejected": ingest.rows_rejected if ingest else 0,
        "duplicates_skipped": ingest.duplicates_skipped if ingest else 0,
        "warnings": ingest.warnings if ingest else [],
        "customers": outcome.customers,
        "first_event": outcome.first_event,
        "last_event": outcome.last_event,
    }
