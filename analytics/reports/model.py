"""The report model: every figure, table and caveat one summary report shows.

The model holds values, not display strings; the renderers format them, so the HTML,
the Markdown and the CSV cannot disagree about a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Units of a KPI's value, as the insights facts name them.
PERCENT = "percent"
CURRENCY = "currency"
CUSTOMERS = "customers"

# How a KPI's change against the previous complete period is expressed.
POINTS = "points"  # difference of two rates, in percentage points
PERCENT_CHANGE = "percent_change"  # relative change of an amount or a count


@dataclass(frozen=True)
class Kpi:
    """One row of the KPI table: a metric in the headline period and its change."""

    name: str  # metric name in the registry, such as "crr"
    label: str
    unit: str
    value: float | None  # None: undefined (S = 0, CLV not estimable) or no such period
    previous: float | None = None  # the same metric in the previous complete period
    change: float | None = None
    change_unit: str | None = None
    formula: str = ""
    note: str | None = None  # why the value is missing, such as the CLV reason


@dataclass(frozen=True)
class SegmentClv:
    """CLV and its parts for one segment value, over the report's CLV window."""

    value: str  # the segment value exactly as stored
    paying_customers: int | None
    revenue: float | None  # net revenue over the listed periods
    apv: float | None
    frequency_per_year: float | None
    lifespan_years: float | None
    clv: float | None
    estimable: bool
    reason: str | None


@dataclass(frozen=True)
class NarrativeSummary:
    """The narrative as the report shows it, with where it came from."""

    text: str
    source: str  # "model" or "template"
    model: str | None  # model file name, None for the template
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """A summary report for one run of the metrics."""

    title: str
    generated_at: datetime  # UTC
    options: dict  # the metrics options and resolved values, for the report's header
    grain: str
    as_of: str
    headline_period: dict | None  # latest complete period, else the incomplete one
    previous_period: dict | None  # complete period before the headline one
    kpis: tuple[Kpi, ...]
    periods: tuple[dict, ...]
    cohorts: tuple[dict, ...]
    clv: dict
    segment_attribute: str | None
    segments: tuple[SegmentClv, ...]
    narrative: NarrativeSummary
    warnings: tuple[str, ...]
    metrics: dict = field(repr=False)  # the metrics result the report was built from
    currency: str | None = None

    @property
    def headline_is_complete(self) -> bool:
        return bool(self.headline_period and self.headline_period.get("complete"))
