"""The segments that moved a headline metric most between two complete periods.

Retention, in points, is a weighted mean: overall CRR = sum over segments of
share x CRR_s, where share = S_s / S (the segment's part of the customers at the start).
Its change splits exactly into two effects per segment:

- rate effect = previous share x (CRR_s,t - CRR_s,t-1): the segment's own retention moved;
- mix effect = (share_t - share_t-1) x CRR_s,t: the segment's weight moved.

The segment credited with a change is the one whose rate effect is largest in the
direction of the overall change, so its own retention moved that way. A segment whose
share grows adds a mix effect whatever its rate, so the mix effect shows nothing about
its retention.
A segment with S_s = 0 in one of the two periods has no rate there, and all of its part
is mix.

Revenue adds up, so a segment's contribution is simply revenue_s,t - revenue_s,t-1.

In both cases the segments are ranked by contribution (the rate effect for retention):
first those moving with the overall change, largest first, then those moving against it.
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
    """One segment's part of an overall change, with its own level and change.

    For retention, ``contribution`` is the rate effect and ``mix`` the mix effect, both in
    points. For revenue, ``contribution`` is the change in money and ``mix`` is None.
    """

    name: str
    contribution: float
    level: float | None
    change: float | None  # points for a rate, percent for an amount
    mix: float | None = None


def retention_moves(
    segments: list[dict], latest: dict, previous: dict, max_chars: int
) -> list[SegmentMove]:
    """Return each segment's rate and mix effect on the change in retention, ranked."""
    start_now = fmt.finite_or_none(latest.get("S"))
    start_before = fmt.finite_or_none(previous.get("S"))
    if not start_now or not start_before:
        return []
    moves = []
    for segment in segments:
        now = _period_row(segment, latest["period"])
        before = _period_row(segment, previous["period"])
        share_now = _count(now, "S") / start_now
        share_before = _count(before, "S") / start_before
        rate_now, rate_before = _retention_rate(now), _retention_rate(before)
        rate_effect, mix_effect, change = 0.0, 0.0, None
        if rate_now is not None and rate_before is not None:
            change = rate_now - rate_before
            rate_effect = share_before * change
            mix_effect = (share_now - share_before) * rate_now
        elif rate_now is not None:
            mix_effect = share_now * rate_now
        elif rate_before is not None:
            mix_effect = -share_before * rate_before
        moves.append(
            SegmentMove(
                _segment_name(segment, max_chars), rate_effect, rate_now, change, mix_effect
            )
        )
    return _ranked(moves)


def revenue_moves(
    segments: list[dict], latest: dict, previous: dict, max_chars: int
) -> list[SegmentMove]:
    """Return each segment's contribution to the change in revenue, ranked."""
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
    return _ranked(moves)


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
        if move.mix is not None:
            facts.append(_mix_fact(metric, move, prefix, period, previous_period))
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
        label = (
            f"Rate effect of {move.name} on the change in {metric_label(metric).lower()} "
            "(its previous share of customers at the start x the change of its rate)"
        )
    else:
        unit, formatted = model.CURRENCY, fmt.format_amount_change(move.contribution, currency)
        label = f"Contribution of {move.name} to the change in {metric_label(metric).lower()}"
    return _segment_effect_fact(
        metric, move, f"{prefix}_contribution", label, move.contribution, unit, formatted,
        period, previous_period,
    )  # fmt: skip


def _mix_fact(
    metric: str, move: SegmentMove, prefix: str, period: str, previous_period: str
) -> Fact:
    label = (
        f"Mix effect of {move.name} on the change in {metric_label(metric).lower()} "
        "(the change of its share of customers at the start x its rate)"
    )
    return _segment_effect_fact(
        metric, move, f"{prefix}_mix", label, move.mix, model.POINTS,
        fmt.format_points(move.mix), period, previous_period,
    )  # fmt: skip


def _segment_effect_fact(
    metric: str,
    move: SegmentMove,
    fact_id: str,
    label: str,
    value: float,
    unit: str,
    formatted: str,
    period: str,
    previous_period: str,
    priority: int = model.DETAIL,
) -> Fact:
    """Return a fact for one segment's change in ``metric`` or its share of the overall
    change."""
    return Fact(
        id=fact_id,
        label=label,
        value=round(value, 4),
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
    label = f"Change in {metric_label(metric).lower()} of {move.name}"
    return _segment_effect_fact(
        metric, move, f"{prefix}_change", label, move.change, unit, formatted,
        period, previous_period, priority,
    )  # fmt: skip


def _ranked(moves: list[SegmentMove]) -> list[SegmentMove]:
    """Return the segments whose contribution is not zero at display precision, ranked.

    Segments moving with the overall change come first, then those moving against it,
    each group largest first.
    """
    overall = sum(move.contribution + (move.mix or 0.0) for move in moves)
    direction = (fmt.round_display(overall) > 0) - (fmt.round_display(overall) < 0)
    moving = [move for move in moves if fmt.round_display(move.contribution) != 0]

    def against_overall(move: SegmentMove) -> bool:
        return direction != 0 and (move.contribution > 0) != (direction > 0)

    return sorted(
        moving, key=lambda move: (against_overall(move), -abs(move.contribution), move.name)
    )


def _retention_rate(period: dict) -> float | None:
    """Return the CRR of a segment's period in percent, retained / S x 100, or None when
    S = 0."""
    start = _count(period, "S")
    if start <= 0:
        return None
    return _count(period, "retained") / start * 100


def _count(period: dict, key: str) -> float:
    return fmt.finite_or_none(period.get(key)) or 0.0


def _period_row(segment: dict, period_name: str) -> dict:
    for period in segment.get("periods") or []:
        if str(period.get("period")) == str(period_name):
            return period
    return {}


def _segment_name(segment: dict, max_chars: int) -> str:
    return fmt.clean_attribute(segment.get("value"), max_chars)
