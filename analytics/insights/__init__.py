"""Deterministic findings from metrics: named facts, segment movers and caveats.

The narrative is written from these facts only, never from raw data, so every figure a
reader sees can be traced to one fact and, through the metrics registry, to its inputs.
"""

from __future__ import annotations

from analytics.insights import formatting as fmt
from analytics.insights.headline import (
    PeriodSelection,
    clv_fact,
    level_and_change_facts,
    period_fact,
    select_periods,
)
from analytics.insights.model import (
    HEADLINE,
    MAJOR,
    MINOR,
    Fact,
    Insights,
    InsightWarning,
)
from analytics.insights.segments import mover_facts, retention_moves, revenue_moves
from analytics.insights.warnings import (
    clv_warnings,
    metric_warnings,
    period_warnings,
    small_sample_warnings,
)

__all__ = [
    "Fact",
    "InsightWarning",
    "Insights",
    "PeriodSelection",
    "build_insights",
    "clv_fact",
    "select_periods",
]

DEFAULT_SMALL_COHORT_THRESHOLD = 30
DEFAULT_MAX_ATTRIBUTE_CHARS = 1_000


def build_insights(
    metrics: dict,
    segment_metrics: dict | None = None,
    *,
    small_cohort_threshold: int = DEFAULT_SMALL_COHORT_THRESHOLD,
    max_attribute_chars: int = DEFAULT_MAX_ATTRIBUTE_CHARS,
) -> Insights:
    """Turn a metrics result (the JSON of ``growthlens metrics``) into named facts.

    Segment movers come from ``segment_metrics`` (a metrics result computed with a
    segment) or, when it is None, from ``metrics`` itself if it contains ``segments``.
    Only complete periods are stated or compared; a trailing incomplete period is named
    in a fact and a warning and nothing else.
    """
    grain = str(metrics.get("grain") or "month")
    currency = _currency(metrics)
    selection = select_periods(list(metrics.get("periods") or []))

    facts: list[Fact] = []
    if selection.latest is not None:
        facts.append(
            period_fact("period", "Latest complete period", selection.latest, grain, HEADLINE)
        )
    if selection.previous is not None:
        facts.append(
            period_fact(
                "previous_period", "Previous complete period", selection.previous, grain, MAJOR
            )
        )
    if selection.incomplete is not None:
        facts.append(
            period_fact(
                "incomplete_period", "Incomplete period", selection.incomplete, grain, MINOR
            )
        )
    facts.extend(level_and_change_facts(selection, currency))
    clv = clv_fact(metrics.get("clv"), currency)
    if clv is not None:
        facts.append(clv)

    segmented = segment_metrics if segment_metrics is not None else metrics
    attribute = _segment_attribute(segmented, max_attribute_chars)
    facts.extend(_segment_facts(segmented, selection, attribute, currency, max_attribute_chars))

    warnings: list[InsightWarning] = []
    warnings.extend(metric_warnings(metrics))
    warnings.extend(period_warnings(selection, grain, _text(metrics.get("as_of"))))
    warnings.extend(
        small_sample_warnings(
            selection, list(metrics.get("cohorts") or []), grain, small_cohort_threshold
        )
    )
    warnings.extend(clv_warnings(metrics.get("clv")))

    return Insights(
        grain=grain,
        facts=tuple(facts),
        warnings=tuple(warnings),
        period=_name(selection.latest),
        previous_period=_name(selection.previous),
        incomplete_period=_name(selection.incomplete),
        segment_attribute=attribute if _segments(segmented) else None,
        currency=currency,
    )


def _segment_facts(
    segmented: dict,
    selection: PeriodSelection,
    attribute: str,
    currency: str | None,
    max_chars: int,
) -> list[Fact]:
    segments = _segments(segmented)
    latest, previous = selection.latest, selection.previous
    if not segments or latest is None or previous is None:
        return []
    period, previous_period = str(latest["period"]), str(previous["period"])
    facts = mover_facts(
        "crr",
        retention_moves(segments, latest, previous, max_chars),
        attribute,
        period,
        previous_period,
        currency,
    )
    facts += mover_facts(
        "revenue",
        revenue_moves(segments, latest, previous, max_chars),
        attribute,
        period,
        previous_period,
        currency,
    )
    return facts


def _segments(metrics: dict) -> list[dict]:
    segments = metrics.get("segments")
    return [segment for segment in segments if isinstance(segment, dict)] if segments else []


def _segment_attribute(metrics: dict, max_chars: int) -> str:
    for key in ("segment", "segment_attribute", "attribute"):
        value = metrics.get(key)
        if isinstance(value, str) and value:
            return fmt.clean_attribute(value, max_chars)
    return "segment"


def _currency(metrics: dict) -> str | None:
    value = metrics.get("currency")
    return value if isinstance(value, str) and value.strip() else None


def _name(period: dict | None) -> str | None:
    return None if period is None else str(period["period"])


def _text(value) -> str | None:
    return None if value is None else str(value)
