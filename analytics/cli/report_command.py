"""``growthlens report`` and ``growthlens schedule``: summary reports once or on a cron."""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path

import click

from analytics.cli.common import CommandContext, common_options, echo_diagnostic, emit_json
from analytics.cli.metrics_command import metric_options
from analytics.errors import InvalidInputError
from analytics.metrics import MetricOptions
from analytics.reports.deliver import SmtpSettings, validate_address
from analytics.reports.runner import produce_report
from analytics.reports.schedule import ReportScheduler, parse_cron
from analytics.wording import count_phrase

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
SIGNAL_POLL_SECONDS = 0.2


def _out_folder(context: click.Context, parameter: click.Parameter, value: str) -> Path:
    """Return --out as a path, rejecting an empty value, which would mean the current folder."""
    if not value.strip():
        raise click.BadParameter("the folder name is empty. Give a folder such as reports/.")
    folder = Path(value)
    if folder.exists() and not folder.is_dir():
        raise click.BadParameter(f"'{value}' is a file, not a folder.")
    return folder


out_option = click.option(
    "--out",
    "out_dir",
    required=True,
    callback=_out_folder,
    help="Folder for the HTML, Markdown and CSV files; created if missing.",
)


@click.command("report")
@out_option
@metric_options
@common_options
def report_command(out_dir: Path, options: MetricOptions, context: CommandContext) -> None:
    """Write an HTML and a Markdown summary report and the metrics CSV into --out."""
    outcome = produce_report(context.settings, options, out_dir, on_wait=echo_diagnostic)
    if context.output_format == "json":
        emit_json(outcome.summary())
        return
    for path in (outcome.files.html, outcome.files.markdown, outcome.files.csv):
        click.echo(str(path))
    echo_diagnostic(f"Narrative written by the {_origin(outcome.report.narrative)}.")
    for warning in outcome.report.warnings:
        echo_diagnostic(f"warning: {warning}")


@click.command("schedule")
@click.option(
    "--cron",
    "cron_expression",
    required=True,
    help="When to run, as crontab: 'minute hour day-of-month month day-of-week' "
    "(e.g. '0 7 * * 1' for Mondays at 07:00), or @daily, @weekly, @monthly.",
)
@out_option
@click.option(
    "--email-to",
    "email_to",
    multiple=True,
    help="Also e-mail each report to this address (repeatable). The e-mail contains the "
    "summary and has the metrics CSV attached (see --attach-html). The SMTP server comes "
    "from GROWTH_SMTP_HOST, GROWTH_SMTP_PORT, GROWTH_SMTP_USER, GROWTH_SMTP_PASSWORD, "
    "GROWTH_SMTP_FROM and GROWTH_SMTP_STARTTLS (auto, required or never).",
)
@click.option(
    "--cron-timezone",
    default=None,
    help="Time zone of the cron expression (default: this machine's local time, as cron).",
)
@click.option(
    "--attach-html/--no-attach-html",
    default=False,
    show_default=True,
    help="Also attach the full HTML report to each e-mail. It embeds plotly.js, so it is "
    "about 6.5 MB. Without this option the e-mail contains the summary and the metrics "
    "CSV, and the HTML report stays in --out.",
)
@metric_options
@common_options
def schedule_command(
    cron_expression: str,
    out_dir: Path,
    email_to: tuple[str, ...],
    cron_timezone: str | None,
    attach_html: bool,
    options: MetricOptions,
    context: CommandContext,
) -> None:
    """Write a report on a cron schedule until stopped with Ctrl+C or SIGTERM.

    A failed run is logged and retried at the next fire time.
    """
    # A long-running schedule logs every run's start and result even without --verbose.
    logging.getLogger("analytics.reports").setLevel(logging.INFO)
    trigger = parse_cron(cron_expression, _timezone(cron_timezone))
    recipients = [validate_address(address, "--email-to") for address in email_to]
    smtp = SmtpSettings.from_environment() if recipients else None
    settings = context.settings

    def run() -> str:
        outcome = produce_report(
            settings,
            options,
            out_dir,
            email_to=recipients,
            smtp=smtp,
            attach_html=attach_html,
            on_wait=echo_diagnostic,
        )
        sent = f"; e-mailed to {count_phrase(len(recipients), 'recipient')}" if recipients else ""
        return f"wrote {outcome.files.html.name} and its .md and .csv in {out_dir}{sent}"

    scheduler = ReportScheduler(trigger, run)
    echo_diagnostic(
        f"Running reports on '{cron_expression}' into {out_dir}; stop with Ctrl+C or SIGTERM."
    )
    scheduler.run_until_stopped(wait=_wait_for_stop_signal)
    if context.output_format == "json":
        emit_json({"runs": scheduler.runs, "out": str(out_dir)})


def _wait_for_stop_signal(stopped: threading.Event) -> None:
    """Block until SIGINT or SIGTERM arrives or ``stopped`` is set.

    The handler only records the signal: setting an Event from a signal handler can
    deadlock on the Event's lock, so this loop polls instead.
    """
    received: list[int] = []

    def record(signum, _frame) -> None:
        received.append(signum)

    previous = {number: signal.signal(number, record) for number in STOP_SIGNALS}
    try:
        while not received and not stopped.is_set():
            time.sleep(SIGNAL_POLL_SECONDS)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if received:
        name = signal.Signals(received[0]).name
        echo_diagnostic(f"Received {name}; stopping after the run in progress.")


def _timezone(name: str | None):
    if name is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            f"Unknown time zone {name!r} for --cron-timezone. Give an IANA name such as "
            "'Europe/Berlin' or 'UTC'."
        ) from None


def _origin(narrative) -> str:
    if narrative.source == "model":
        return f"model {narrative.model}"
    return "template"
