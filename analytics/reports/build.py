"""Gather the metrics, the narrative and the warnings of one report into a Report.

The database is opened read-only for the metrics query only and closed before the
narrative runs, so a report blocks an import for as short a time as it can. While an
import holds the file, the open is retried and ``on_wait`` hears about each retry.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import duckdb

from analytics.config import Settings
from analytics.insights import formatting as fmt
from analytics.metrics import MetricOptions, compute_metrics
from analytics.narrative import write_narrative
from analytics.reports.model import NarrativeSummary, Report
from analytics.reports.summary import (
    build_kpis,
    build_segment_rows,
    build_warnings,
    headline_periods,
)
from analytics.store import connect

logger = logging.getLogger(__name__)

# Attribute used for CLV by segment when the options name none and the data has it.
DEFAULT_SEGMENT_ATTRIBUTE = "channel"

Narrator = Callable[[dict, Settings], object]


def build_report(
    settings: Settings,
    options: MetricOptions,
    *,
    generated_at: datetime | None = None,
    on_wait: Callable[[str], None] | None = None,
    narrator: Narrator | None = None,
    default_segment: str | None = DEFAULT_SEGMENT_ATTRIBUTE,
) -> Report:
    """Compute the metrics for ``options`` and assemble the report.

    ``generated_at`` defaults to now (UTC); tests and the scheduler pass their own clock.
    ``narrator`` defaults to :func:`analytics.narrative.write_narrative`. Without a
    segment in ``options``, CLV is split by ``default_segment`` when the data has it.
    """
    generated_at = generated_at or datetime.now(UTC)
    metrics, options = load_metrics(
        settings, options, on_wait=on_wait, default_segment=default_segment
    )
    narrative = (narrator or write_narrative)(metrics, settings)
    return assemble_report(metrics, narrative, settings, options=options, generated_at=generated_at)


def load_metrics(
    settings: Settings,
    options: MetricOptions,
    *,
    on_wait: Callable[[str], None] | None = None,
    default_segment: str | None = DEFAULT_SEGMENT_ATTRIBUTE,
) -> tuple[dict, MetricOptions]:
    """Return the metrics result and the options it was computed with, which name
    ``default_segment`` when ``options`` name no segment and the data has that attribute."""
    with _open(settings, on_wait) as connection:
        if (
            options.segment is None
            and default_segment is not None
            and has_attribute(connection, default_segment)
        ):
            options = dataclasses.replace(options, segment=default_segment)
        return compute_metrics(connection, options), options


def _open(settings: Settings, on_wait: Callable[[str], None] | None):
    """Open the database read-only. A missing file, or one that is not a GrowthLens
    database, raises InvalidInputError."""
    return connect(
        settings.database_path,
        read_only=True,
        lock_timeout=settings.limits.lock_timeout_seconds,
        on_wait=on_wait,
    )


def has_attribute(connection: duckdb.DuckDBPyConnection, attribute: str) -> bool:
    """Tell whether any event carries ``attribute``."""
    row = connection.execute(
        "SELECT EXISTS (SELECT 1 FROM events WHERE map_contains(attributes, ?))",
        [attribute],
    ).fetchone()
    return bool(row and row[0])


def assemble_report(
    metrics: dict,
    narrative,
    settings: Settings,
    *,
    options: MetricOptions | None = None,
    generated_at: datetime,
) -> Report:
    """Build the report from a metrics result, its narrative and the options it was
    computed with; reads nothing else."""
    options = options or MetricOptions(grain=settings.grain, window=settings.window)
    periods = list(metrics.get("periods") or [])
    headline, previous = headline_periods(periods)
    grain = str(metrics.get("grain") or settings.grain)
    segments = build_segment_rows(metrics)
    segment_attribute = options.segment
    warnings = build_warnings(
        metrics,
        segments,
        small_cohort_threshold=settings.small_cohort_threshold,
        max_attribute_chars=settings.limits.max_attribute_chars,
    )
    if headline is not None:
        words = fmt.format_period(str(headline["period"]), grain, _text(headline.get("start")))
        title = f"GrowthLens report: {words}"
    else:
        title = "GrowthLens report: no data in range"
    return Report(
        title=title,
        generated_at=generated_at.astimezone(UTC),
        options=_options_summary(metrics, options),
        grain=grain,
        as_of=_text(metrics.get("as_of")) or "n/a",
        headline_period=headline,
        previous_period=previous,
        kpis=build_kpis(metrics),
        periods=tuple(periods),
        cohorts=tuple(metrics.get("cohorts") or ()),
        clv=dict(metrics.get("clv") or {}),
        segment_attribute=segment_attribute,
        segments=segments,
        narrative=summarise_narrative(narrative, shown_elsewhere=warnings),
        warnings=warnings,
        metrics=metrics,
        currency=metrics.get("currency") if isinstance(metrics.get("currency"), str) else None,
    )


def summarise_narrative(narrative, *, shown_elsewhere: tuple[str, ...] = ()) -> NarrativeSummary:
    """Keep what the report shows of a narrative: its text, origin, model and the notes
    that are not already among the report's warnings."""
    notes = [str(note) for note in getattr(narrative, "notes", None) or ()]
    return NarrativeSummary(
        text=str(getattr(narrative, "text", "") or ""),
        source=str(getattr(narrative, "source", "template") or "template"),
        model=getattr(narrative, "model", None),
        notes=tuple(note for note in notes if note not in shown_elsewhere),
    )


def _options_summary(metrics: dict, options: MetricOptions) -> dict:
    return {
        "grain": metrics.get("grain") or options.grain,
        "window": metrics.get("window") or options.window,
        "model": metrics.get("model") or "n/a",
        "as_of": _text(metrics.get("as_of")),
        "date_from": _text(options.date_from),
        "date_to": _text(options.date_to),
        "timezone": options.timezone,
        "lifespan_years": options.lifespan_years,
        "gross_margin": options.gross_margin,
        "segment": metrics.get("segment") or options.segment,
    }


def _text(value) -> str | None:
    return None if value is None else str(value)
