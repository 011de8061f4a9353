"""The segments that moved a headline metric most between two complete periods.

A segment's contribution is its share of the overall change, so the contributions of all
segments add up to that change exactly:
- retention, in points: 100 × (retained_s,t / S_t − retained_s,t−1 / S_t−1), where S is
  the overall number of customers at the start of the period;
- revenue, in money: revenue_s,t − revenue_s,t−1.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.insights import formatting as fmt
from analytics.insights import model
from analytics.insights.labels import metric_label
from analytics.insights.model import Fact

MOVERS_PER_METRIC = 3


@dataclass(frozen=True)
class SegmentMove:
    """One segment's contribution to an overall change, with its own level and change."""

    name: str
    contribution: float
    level: float | None
    change: float | None  # points for a rate, percent for an amount


def retention_moves(
    segments: list[dict], latest: dict, previous: dict, max_chars: int
) -> list[SegmentMove]:
    """Return each segment's contribution to the change in retention, largest first."""
    start_now = fmt.finite_or_none(latest.get("S"))
    start_before = fmt.finite_or_none(previous.get("S"))
    if not start_now or not start_before:
        return []
    moves = []
    for segment in segments:
        now = _period_row(segment, latest["period"])
        before = _period_row(segment, previous["period"])
        retained_now = fmt.finite_or_none(now.get("retained")) or 0.0
        retained_before = fmt.finite_or_none(before.get("retained")) or 0.0
        contribution = 100 * (retained_now / start_now - retained_before / start_before)
        level = fmt.finite_or_none(now.get("crr"))
        level_before = fmt.finite_or_none(before.get("crr"))
        change = None if level is None or level_before is None else level - level_before
        moves.append(SegmentMove(_segment_name(segment, max_chars), contribution, level, change))
    return _largest(moves)


def revenue_moves(
    segments: list[dict], latest: dict, previous: dict, max_chars: int
) -> list[SegmentMove]:
    """Return each segment's contribution to the change in revenue, largest first."""
    moves = []
    for segment in segments:
        now = fmt.finite_or_none(_period_row(segment, latest["period"]).get("revenue"))
        before = fmt.finite_or_none(_period_row(segment, previous["period"]).get("revenue"))
        now_or_zero, before_or_zero = now or 0.0, before or 0.0
        change = None
        if now is not None and before:
            change = (now - before) / abs(before) * 100
        moves.append(
            SegmentMove(
                _segment_name(segment, max_chars), now_or_zero - before_or_zero, now, change
            )
        )
    return _largest(moves)


def mover_facts(
    metric: str,
    moves: list[SegmentMove],
    attribute: str,
    period: str,
    previous_period: str,
    currency: str | None,
) -> list[Fact]:
    """Return facts for the segments that moved ``metric`` (``crr`` or ``revenue``) most."""
    facts = []
    label = metric_label(metric)
    for rank, move in enumerate(moves[:MOVERS_PER_METRIC], start=1):
        prefix = f"{metric}_mover_{rank}"
        priority = model.MINOR if rank == 1 else model.DETAIL
        facts.append(
            Fact(
                id=prefix,
                label=f"Segment with the largest contribution to {label.lower()} (rank {rank})",
                value=move.name,
                unit=model.TEXT,
                period=period,
                formatted=f'{attribute} "{move.name}"',
                priority=priority,
                metric=metric,
                kind=model.SEGMENT,
                segment=move.name,
            )
        )
        facts.append(_contribution_fact(metric, move, prefix, period, previous_period, currency))
        if move.level is not None:
            facts.append(_segment_level_fact(metric, move, prefix, period, priority, currency))
        if move.change is not None:
            facts.append(
                _segment_change_fact(metric, move, prefix, period, previous_period, priority)
            )
    return facts


def _contribution_fact(
    metric: str,
    move: SegmentMove,
    prefix: str,
    period: str,
    previous_period: str,
    currency: str | None,
) -> Fact:
    if metric == "crr":
        unit, formatted = model.POINTS, fmt.format_points(move.contribution)
    else:
        unit, formatted = model.CURRENCY, fmt.format_amount_change(move.contribution, currency)
    return Fact(
        id=f"{prefix}_contribution",
        label=f"Contribution of {move.name} to the change in {metric_label(metric).lower()}",
        value=round(move.contribution, 4),
        unit=unit,
        period=period,
        formatted=formatted,
        priority=model.DETAIL,
        metric=metric,
        kind=model.CHANGE,
        compared_to=previous_period,
        segment=move.name,
        magnitude=fmt.format_magnitude(formatted),
        higher_is_better=True,
    )


def _segment_level_fact(
    metric: str, move: SegmentMove, prefix: str, period: str, priority: int, currency
) -> Fact:
    if metric == "crr":
        unit, formatted = model.PERCENT, fmt.format_rate(move.level)
    else:
        unit, formatted = model.CURRENCY, fmt.format_amount(move.level, currency)
    return Fact(
        id=f"{prefix}_level",
        label=f"{metric_label(metric)} of {move.name}",
        value=round(move.level, 4),
        unit=unit,
        period=period,
        formatted=formatted,
        priority=priority,
        metric=metric,
        kind=model.LEVEL,
        segment=move.name,
        higher_is_better=True,
    )


def _segment_change_fact(
    metric: str, move: SegmentMove, prefix: str, period: str, previous_period: str, priority: int
) -> Fact:
    if metric == "crr":
        unit, formatted = model.POINTS, fmt.format_points(move.change)
    else:
        unit, formatted = model.PERCENT_CHANGE, fmt.format_percent_change(move.change)
    return Fact(
        id=f"{prefix}_change",
        label=f"Change in {metric_label(metric).lower()} of {move.name}",
        value=round(move.change, 4),
        unit=unit,
        period=period,
        formatted=formatted,
        priority=priority,
        metric=metric,
        kind=model.CHANGE,
        compared_to=previous_period,
        segment=move.name,
        magnitude=fmt.format_magnitude(formatted),
        higher_is_better=True,
    )


def _largest(moves: list[SegmentMove]) -> list[SegmentMove]:
    moving = [move for move in moves if fmt.round_display(move.contribution) != 0]
    return sorted(moving, key=lambda move: (-abs(move.contribution), move.name))


def _period_row(segment: dict, period_name: str) -> dict:
    for period in segment.get("periods") or []:
        if str(period.get("period")) == str(period_name):
            return period
    return {}


def _segment_name(segment: dict, max_chars: int) -> str:
    return fmt.clean_attribute(segment.get("value"), max_chars)
