"""Facts about the latest complete period and its change against the previous one.

An incomplete period is never compared or stated: its figures are partial, so a fall
against a complete period would be an artefact of the cut-off date.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.insights import formatting as fmt
from analytics.insights import model
from analytics.insights.labels import metric_label
from analytics.insights.model import Fact

# A computed lifespan longer than this is not stated, because it comes from a churn rate so
# small that the estimate reflects the short history more than the customers.
MAX_PLAUSIBLE_LIFESPAN_YEARS = 50.0


@dataclass(frozen=True)
class PeriodMetric:
    """The mapping of one per-period metric to a fact."""

    fact_id: str
    key: str  # field of a period in the metrics dict
    unit: str
    higher_is_better: bool
    priority: int
    change_priority: int


PERIOD_METRICS = (
    PeriodMetric("crr", "crr", model.PERCENT, True, model.HEADLINE, model.MAJOR),
    PeriodMetric("churn_rate", "churn_rate", model.PERCENT, False, model.HEADLINE, model.DETAIL),
    PeriodMetric("revenue", "revenue", model.CURRENCY, True, model.MAJOR, model.MAJOR),
    PeriodMetric("active_customers", "E", model.CUSTOMERS, True, model.MINOR, model.MINOR),
    PeriodMetric(
        "new_customers", "new_first_time", model.CUSTOMERS, True, model.MINOR, model.DETAIL
    ),
    PeriodMetric(
        "returning_customers", "returning", model.CUSTOMERS, True, model.DETAIL, model.DETAIL
    ),
    PeriodMetric("customers_at_start", "S", model.CUSTOMERS, True, model.DETAIL, model.DETAIL),
    PeriodMetric(
        "churned_customers", "churned", model.CUSTOMERS, False, model.DETAIL, model.DETAIL
    ),
)
# Only these metrics get a change fact; the others are context for a level.
CHANGED_METRICS = (
    "crr",
    "churn_rate",
    "revenue",
    "active_customers",
    "new_customers",
    "returning_customers",
)


@dataclass(frozen=True)
class PeriodSelection:
    """The periods a narrative may speak about."""

    latest: dict | None  # latest complete period
    previous: dict | None  # the complete period just before it
    incomplete: dict | None  # the last listed period, when it is not complete
    complete_count: int


def select_periods(periods: list[dict]) -> PeriodSelection:
    """Pick the latest complete period, the one before it and a trailing incomplete one."""
    complete_indexes = [index for index, period in enumerate(periods) if period.get("complete")]
    incomplete = periods[-1] if periods and not periods[-1].get("complete") else None
    if not complete_indexes:
        return PeriodSelection(None, None, incomplete, 0)
    latest_index = complete_indexes[-1]
    previous = None
    if latest_index > 0 and periods[latest_index - 1].get("complete"):
        previous = periods[latest_index - 1]
    return PeriodSelection(periods[latest_index], previous, incomplete, len(complete_indexes))


def period_fact(fact_id: str, label: str, period: dict, grain: str, priority: int) -> Fact:
    """Return a fact whose value is a period label and whose display is the period in words."""
    name = str(period["period"])
    return Fact(
        id=fact_id,
        label=label,
        value=name,
        unit=model.PERIOD,
        period=name,
        formatted=fmt.format_period(name, grain, _text(period.get("start"))),
        priority=priority,
        metric="period",
        kind=model.PERIOD_KIND,
    )


def level_and_change_facts(selection: PeriodSelection, currency: str | None) -> list[Fact]:
    """Return each metric's value in the latest complete period and its change."""
    latest, previous = selection.latest, selection.previous
    if latest is None:
        return []
    retention_defined = fmt.finite_or_none(latest.get("crr")) is not None
    facts = []
    for metric in PERIOD_METRICS:
        value = fmt.finite_or_none(latest.get(metric.key))
        if value is None:
            continue
        priority = metric.priority
        if not retention_defined and metric.fact_id in ("revenue", "active_customers"):
            priority = model.HEADLINE  # with no customers at the start, these lead
        facts.append(_level_fact(metric, value, latest, currency, priority))
        if previous is None or metric.fact_id not in CHANGED_METRICS:
            continue
        change = _change_fact(metric, value, previous, latest, currency)
        if change is not None:
            facts.append(change)
    return facts


def clv_fact(clv: dict | None, currency: str | None) -> Fact | None:
    """Return the CLV fact, or None when CLV is not estimable or not plausible."""
    if not clv or not clv.get("estimable"):
        return None
    value = fmt.finite_or_none(clv.get("clv"))
    lifespan = fmt.finite_or_none(clv.get("lifespan_years"))
    if value is None or (lifespan is not None and lifespan > MAX_PLAUSIBLE_LIFESPAN_YEARS):
        return None
    return Fact(
        id="clv",
        label=metric_label("clv"),
        value=round(value, 4),
        unit=model.CURRENCY,
        period=None,
        formatted=fmt.format_amount(value, currency),
        priority=model.MINOR,
        metric="clv",
        kind=model.LEVEL,
        higher_is_better=True,
    )


def format_value(unit: str, value: float, currency: str | None) -> str:
    """Format a level in its unit."""
    if unit == model.PERCENT:
        return fmt.format_rate(value)
    if unit == model.CURRENCY:
        return fmt.format_amount(value, currency)
    return fmt.format_count(value)


def relative_change(current: float, previous: float) -> float | None:
    """Return the change from ``previous`` to ``current`` in percent, None from zero."""
    if previous == 0:
        return None
    return (current - previous) / abs(previous) * 100


def _level_fact(
    metric: PeriodMetric, value: float, period: dict, currency: str | None, priority: int
) -> Fact:
    return Fact(
        id=metric.fact_id,
        label=metric_label(metric.key),
        value=round(value, 4),
        unit=metric.unit,
        period=str(period["period"]),
        formatted=format_value(metric.unit, value, currency),
        priority=priority,
        metric=metric.key,
        kind=model.LEVEL,
        higher_is_better=metric.higher_is_better,
    )


def _change_fact(
    metric: PeriodMetric, value: float, previous: dict, latest: dict, currency: str | None
) -> Fact | None:
    before = fmt.finite_or_none(previous.get(metric.key))
    if before is None:
        return None
    if metric.unit == model.PERCENT:
        change, unit, formatted = value - before, model.POINTS, fmt.format_points(value - before)
    else:
        change = relative_change(value, before)
        if change is None:
            return None
        unit, formatted = model.PERCENT_CHANGE, fmt.format_percent_change(change)
    return Fact(
        id=f"{metric.fact_id}_change",
        label=f"Change in {_lower_first(metric_label(metric.key))}",
        value=round(change, 4),
        unit=unit,
        period=str(latest["period"]),
        formatted=formatted,
        priority=metric.change_priority,
        metric=metric.key,
        kind=model.CHANGE,
        compared_to=str(previous["period"]),
        magnitude=fmt.format_magnitude(formatted),
        higher_is_better=metric.higher_is_better,
    )


def _lower_first(label: str) -> str:
    if len(label) > 1 and label[1].isupper():
        return label  # an acronym such as CLV keeps its case
    return label[:1].lower() + label[1:]


def _text(value) -> str | None:
    return None if value is None else str(value)
