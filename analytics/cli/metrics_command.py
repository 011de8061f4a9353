"""``growthlens metrics``: retention, cohorts, revenue and CLV from the loaded events.

``metric_options`` adds the metrics options to any command (``report``, ``schedule``,
``narrate``) and passes them on as one ``MetricOptions``.
"""

from __future__ import annotations

import functools

import click

from analytics.cli.common import CommandContext, common_options, echo_diagnostic, emit_json
from analytics.config import load_settings
from analytics.metrics import GRAINS, MetricOptions, compute_metrics
from analytics.metrics.text import render_text
from analytics.store import connect


def metric_options(command):
    """Add the metrics options and pass them to ``command`` as ``options: MetricOptions``.

    Options left out take their defaults from the settings (grain, window, reporting time
    zone, gross margin).
    """

    @click.option(
        "--grain",
        type=click.Choice(GRAINS),
        default=None,
        help="Calendar period: day, ISO week (Monday), month, quarter or year "
        "(default: the grain setting, month).",
    )
    @click.option(
        "--window",
        default=None,
        metavar="auto|period|subscription|ND",
        help="Activity model: 'period' (a paid purchase in the period), 'ND' such as 90D "
        "(latest paid purchase within N days), 'subscription', or 'auto' (subscription when "
        "the data has subscription events, else 90D).",
    )
    @click.option(
        "--from",
        "date_from",
        default=None,
        metavar="DATE",
        help="First day (YYYY-MM-DD) of the periods listed and of the CLV window.",
    )
    @click.option(
        "--to",
        "date_to",
        default=None,
        metavar="DATE",
        help="Last day (YYYY-MM-DD) of the periods listed and of the CLV window.",
    )
    @click.option(
        "--as-of",
        "as_of",
        default=None,
        metavar="DATE",
        help="Day the figures are known at (default: the latest event date); later events "
        "are ignored. It may be at most 366 days after the latest event. A later date is "
        "rejected, because its extra periods could only be empty.",
    )
    @click.option(
        "--timezone",
        default=None,
        help="IANA time zone whose calendar defines the periods (default: the "
        "reporting_timezone setting, UTC).",
    )
    @click.option(
        "--lifespan-years",
        type=float,
        default=None,
        help="Customer lifespan in years for CLV, in place of the one computed from churn.",
    )
    @click.option(
        "--gross-margin",
        type=float,
        default=None,
        help="Fraction of revenue kept, in (0, 1]; CLV is multiplied by it.",
    )
    @click.option(
        "--segment",
        default=None,
        metavar="ATTRIBUTE",
        help="Split every metric by this event attribute (channel, country, plan, ...).",
    )
    @functools.wraps(command)
    def wrapper(
        *args,
        grain: str | None,
        window: str | None,
        date_from: str | None,
        date_to: str | None,
        as_of: str | None,
        timezone: str | None,
        lifespan_years: float | None,
        gross_margin: float | None,
        segment: str | None,
        **kwargs,
    ):
        settings = load_settings()
        options = MetricOptions(
            grain=grain or settings.grain,
            window=window or settings.window,
            date_from=date_from,
            date_to=date_to,
            as_of=as_of,
            timezone=timezone or settings.reporting_timezone,
            lifespan_years=lifespan_years,
            gross_margin=gross_margin if gross_margin is not None else settings.gross_margin,
            segment=segment,
        )
        return command(*args, options=options, **kwargs)

    return wrapper


def read_metrics(context: CommandContext, options: MetricOptions) -> dict:
    """Compute the metrics from the command's database, waiting with a message while
    another process writes to it."""
    with connect(
        context.database_path,
        read_only=True,
        lock_timeout=context.settings.limits.lock_timeout_seconds,
        on_wait=echo_diagnostic,
    ) as connection:
        return compute_metrics(connection, options)


@click.command("metrics")
@metric_options
@common_options
def metrics_command(options: MetricOptions, context: CommandContext) -> None:
    """Compute retention, churn, cohorts, revenue and CLV per period."""
    result = read_metrics(context, options)
    if context.output_format == "json":
        emit_json(result)
    else:
        click.echo(render_text(result))
