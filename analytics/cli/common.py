"""Options and output helpers shared by every ``growthlens`` command."""

from __future__ import annotations

import functools
import json
import math
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import click

from analytics.config import Settings, load_settings


@dataclass(frozen=True)
class CommandContext:
    """What every command receives: settings (with --db applied) and the output format."""

    settings: Settings
    output_format: str

    @property
    def database_path(self) -> Path:
        return self.settings.database_path


def common_options(command):
    """Add ``--db PATH`` and ``--format text|json`` and pass a CommandContext as ``context``."""

    @click.option(
        "--db",
        "database",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Database file (default: growthlens.duckdb under GROWTH_HOME).",
    )
    @click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Output format; JSON goes to stdout, diagnostics to stderr.",
    )
    @functools.wraps(command)
    def wrapper(*args, database: Path | None, output_format: str, **kwargs):
        settings = load_settings()
        if database is not None:
            settings = settings.replace(database=database.expanduser().resolve())
        context = CommandContext(settings=settings, output_format=output_format)
        return command(*args, context=context, **kwargs)

    return wrapper


def to_json_value(value):
    """Convert a result value to plain JSON: Decimal to float, dates to ISO text,
    and NaN or infinity to None so that an undefined figure is always null."""
    if isinstance(value, dict):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_value(item) for item in value]
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def emit_json(result) -> None:
    """Write ``result`` as JSON to stdout."""
    json.dump(to_json_value(result), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def echo_diagnostic(message: str) -> None:
    """Write a diagnostic line to stderr."""
    click.echo(message, err=True)
