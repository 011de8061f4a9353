"""Every ``growthlens`` subcommand, each defined in its own module."""

from analytics.cli.demo_command import demo_command
from analytics.cli.imports_command import imports_command
from analytics.cli.ingest_command import ingest_command
from analytics.cli.metrics_command import metrics_command
from analytics.cli.narrate_command import narrate_command
from analytics.cli.report_command import report_command, schedule_command

ALL = [
    demo_command,
    imports_command,
    ingest_command,
    metrics_command,
    narrate_command,
    report_command,
    schedule_command,
]
