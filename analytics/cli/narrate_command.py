"""``growthlens narrate``: the narrative about the latest complete period."""

from __future__ import annotations

import click

from analytics.cli.common import CommandContext, common_options, echo_diagnostic, emit_json
from analytics.cli.metrics_command import metric_options, read_metrics
from analytics.metrics import MetricOptions
from analytics.narrative import MODEL, Narrative, write_narrative


@click.command("narrate")
@metric_options
@common_options
def narrate_command(options: MetricOptions, context: CommandContext) -> None:
    """Write a short narrative of the latest complete period, checked against the metrics."""
    metrics = read_metrics(context, options)
    narrative = write_narrative(metrics, context.settings)
    if context.output_format == "json":
        emit_json(narrative.to_dict())
        return
    click.echo(narrative.text)
    echo_diagnostic(describe_origin(narrative))
    for note in narrative.notes:
        echo_diagnostic(f"note: {note}")


def describe_origin(narrative: Narrative) -> str:
    """Return one line saying who wrote the narrative."""
    if narrative.source == MODEL:
        return f"Written by the model {narrative.model} and checked against the computed facts."
    if narrative.model:
        return f"Template narrative: the text of the model {narrative.model} was not used."
    return "Template narrative: no model was used."
