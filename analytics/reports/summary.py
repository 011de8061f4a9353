"""Pure functions that turn a metrics result into the report's KPI table, CLV by segment
and warnings. Nothing here reads the database or the clock."""

from __future__ import annotations

from analytics.insights import build_insights, clv_fact, select_periods
from analytics.insights import formatting as fmt
from analytics.insights.labels import metric_label
from analytics.metrics import REGISTRY
from analytics.reports import model
from analytics.reports.model import Kpi, SegmentClv
from analytics.wording import count_phrase, noun_form

# (registry name, field of a period in the metrics result, unit) for each per-period KPI.
PERIOD_KPIS = (
    ("crr", "crr", model.PERCENT),
    ("churn_rate", "churn_rate", model.PERCENT),
    ("revenue", "revenue", model.CURRENCY),
    ("active_customers", "E", model.CUSTOMERS),
    ("new_customers", "new_first_time", model.CUSTOMERS),
    ("returning_customers", "returning", model.CUSTOMERS),
)
MAX_SEGMENT_ROWS = 20  # segments shown in the HTML and Markdown tables; the CSV has all


def headline_periods(periods: list[dict]) -> tuple[dict | None, dict | None]:
    """Return the period the KPIs describe and the complete period they are compared with.

    The headline is the latest complete period. With no complete period at all it is the
    incomplete one, shown without a comparison.
    """
    selection = select_periods(periods)
    if selection.latest is None:
        return selection.incomplete, None
    return selection.latest, selection.previous


def build_kpis(metrics: dict) -> tuple[Kpi, ...]:
    """Return the KPI rows: each per-period metric in the headline period with its change
    against the previous complete period, then CLV over the report's window."""
    headline, previous = headline_periods(list(metrics.get("periods") or []))
    kpis = []
    for name, key, unit in PERIOD_KPIS:
        value = fmt.finite_or_none(headline.get(key)) if headline else None
        before = fmt.finite_or_none(previous.get(key)) if previous else None
        change, change_unit = _change(value, before, unit)
        kpis.append(
            Kpi(
                name=name,
                label=metric_label(key),
                unit=unit,
                value=value,
                previous=before,
                change=change,
                change_unit=change_unit,
                formula=metric_formula(name, key),
                note=_undefined_note(key, headline, value),
            )
        )
    kpis.append(_clv_kpi(metrics.get("clv") or {}, metrics.get("currency")))
    return tuple(kpis)


def build_segment_rows(metrics: dict) -> tuple[SegmentClv, ...]:
    """Return CLV and its parts per segment, largest paying base first."""
    rows = []
    for segment in metrics.get("segments") or []:
        clv = segment.get("clv") or {}
        revenues = [fmt.finite_or_none(p.get("revenue")) for p in segment.get("periods") or []]
        paying = fmt.finite_or_none(clv.get("paying_customers"))
        rows.append(
            SegmentClv(
                value=segment.get("value"),
                paying_customers=None if paying is None else int(paying),
                revenue=sum(r for r in revenues if r is not None) if revenues else None,
                apv=fmt.finite_or_none(clv.get("apv")),
                frequency_per_year=fmt.finite_or_none(clv.get("frequency_per_year")),
                lifespan_years=fmt.finite_or_none(clv.get("lifespan_years")),
                clv=fmt.finite_or_none(clv.get("clv")) if clv.get("estimable") else None,
                estimable=bool(clv.get("estimable")),
                reason=clv.get("reason"),
            )
        )
    rows.sort(key=lambda row: (-(row.paying_customers or 0), str(row.value)))
    return tuple(rows)


def build_warnings(
    metrics: dict,
    segments: tuple[SegmentClv, ...],
    *,
    small_cohort_threshold: int,
    max_attribute_chars: int,
) -> tuple[str, ...]:
    """Return the data-quality warnings: those of the insights (incomplete period, small
    cohorts, CLV not estimable) and those about the segment table."""
    insights = build_insights(
        metrics,
        small_cohort_threshold=small_cohort_threshold,
        max_attribute_chars=max_attribute_chars,
    )
    warnings = [warning.message for warning in insights.warnings]
    unestimable = sum(1 for row in segments if not row.estimable)
    if unestimable:
        warnings.append(
            f"Lifetime value cannot be estimated for {unestimable} of "
            f"{count_phrase(len(segments), 'segment')}; "
            f"{noun_form(unestimable, 'its reason is', 'their reasons are')} in the CLV by "
            "segment table."
        )
    if len(segments) > MAX_SEGMENT_ROWS:
        warnings.append(
            f"The CLV by segment table shows the {MAX_SEGMENT_ROWS} segments with the most "
            f"paying customers out of {len(segments):,}; the CSV has every segment."
        )
    return tuple(warnings)


def metric_formula(*names: str) -> str:
    """Return the registry's formula for the first of ``names`` it defines, or ''."""
    for name in names:
        definition = REGISTRY.get(name)
        if definition is not None and definition.formula:
            return definition.formula
    return ""


def _clv_kpi(clv: dict, currency: str | None) -> Kpi:
    fact = clv_fact(clv, currency)
    if fact is not None:
        value, note = float(fact.value), None
    elif clv.get("estimable"):
        value, note = None, "not shown: the computed lifespan is implausibly long"
    else:
        value, note = None, str(clv.get("reason") or "not estimable")
    return Kpi(
        name="clv",
        label=metric_label("clv"),
        unit=model.CURRENCY,
        value=value,
        formula=metric_formula("clv"),
        note=note,
    )


def _change(value: float | None, before: float | None, unit: str) -> tuple[float | None, str]:
    if unit == model.PERCENT:
        change = None if value is None or before is None else value - before
        return change, model.POINTS
    if value is None or before is None or before == 0:
        return None, model.PERCENT_CHANGE
    return (value - before) / abs(before) * 100, model.PERCENT_CHANGE


def _undefined_note(key: str, period: dict | None, value: float | None) -> str | None:
    if period is None:
        return "no period in range"
    if value is None and key in ("crr", "churn_rate"):
        return "undefined: no customers at the start of the period"
    return None
