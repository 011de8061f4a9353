"""Every metric defined once: name, label, formula in words, unit and inputs.

The dashboard's formula cards, the reports and the narrative read these definitions, so
a figure can always be traced to its parts. Names are the keys of the metrics result
(``crr`` in a period, ``apv`` in ``clv``); inputs name other entries of this registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

UNIT_CUSTOMERS = "customers"
UNIT_PERCENT = "percent"
UNIT_CURRENCY = "currency"
UNIT_ORDERS = "orders"
UNIT_PER_YEAR = "purchases per year"
UNIT_YEARS = "years"


@dataclass(frozen=True)
class MetricDefinition:
    """One metric: ``formula`` in words over the names in ``inputs``, and its unit."""

    name: str
    label: str
    formula: str
    unit: str
    inputs: tuple[str, ...] = ()
    description: str = ""


_DEFINITIONS = (
    MetricDefinition(
        "S",
        "Customers at start",
        "customers active for the previous period",
        UNIT_CUSTOMERS,
        description="Active at the end of the previous period; 0 in the first period.",
    ),
    MetricDefinition(
        "E",
        "Customers at end",
        "customers active for the period",
        UNIT_CUSTOMERS,
        description="Active at the end of the period, or at the as-of date if incomplete.",
    ),
    MetricDefinition(
        "N",
        "New customers",
        "new first-time + returning",
        UNIT_CUSTOMERS,
        ("new_first_time", "returning"),
        "Customers active for the period who were not active for the previous one.",
    ),
    MetricDefinition(
        "new_first_time",
        "New first-time customers",
        "customers in N whose first active period is this one",
        UNIT_CUSTOMERS,
    ),
    MetricDefinition(
        "returning",
        "Returning customers",
        "customers in N who were active before and then lapsed",
        UNIT_CUSTOMERS,
    ),
    MetricDefinition(
        "retained",
        "Retained customers",
        "E - N",
        UNIT_CUSTOMERS,
        ("E", "N"),
        "Customers active for both the previous period and this one.",
    ),
    MetricDefinition(
        "churned",
        "Churned customers",
        "S - retained",
        UNIT_CUSTOMERS,
        ("S", "retained"),
        "Customers active for the previous period but not for this one.",
    ),
    MetricDefinition(
        "joined_and_churned",
        "Joined and churned",
        "customers who started and cancelled a subscription within the period",
        UNIT_CUSTOMERS,
        description="Counted in neither S nor E.",
    ),
    MetricDefinition(
        "crr",
        "Customer retention rate",
        "(E - N) / S × 100",
        UNIT_PERCENT,
        ("S", "E", "N"),
        "Undefined when S = 0.",
    ),
    MetricDefinition(
        "churn_rate",
        "Churn rate",
        "churned / S × 100",
        UNIT_PERCENT,
        ("churned", "S"),
        "Equals 100 - CRR; undefined when S = 0.",
    ),
    MetricDefinition(
        "revenue",
        "Revenue",
        "paid purchases - refunds",
        UNIT_CURRENCY,
        ("paid_amount", "refunds"),
        "Net revenue of the period.",
    ),
    MetricDefinition(
        "paid_amount",
        "Paid purchase amount",
        "sum of paid purchase amounts",
        UNIT_CURRENCY,
    ),
    MetricDefinition(
        "refunds",
        "Refunds",
        "sum of refunded amounts, as a positive number",
        UNIT_CURRENCY,
    ),
    MetricDefinition(
        "paid_purchases",
        "Paid purchases",
        "purchases with amount > 0",
        UNIT_ORDERS,
    ),
    MetricDefinition(
        "free_orders",
        "Free orders",
        "purchases with amount = 0",
        UNIT_ORDERS,
        description="Neither a purchase, nor revenue, nor activity.",
    ),
    MetricDefinition(
        "paying_customers",
        "Paying customers",
        "customers with at least one paid purchase",
        UNIT_CUSTOMERS,
    ),
    MetricDefinition(
        "average_order_value",
        "Average order value",
        "revenue / paid purchases",
        UNIT_CURRENCY,
        ("revenue", "paid_purchases"),
        "Undefined without a paid purchase.",
    ),
    MetricDefinition(
        "cohort_rate",
        "Cohort retention",
        "customers of cohort c active for period c + k / cohort size × 100",
        UNIT_PERCENT,
        description="A cohort is the customers whose first active period is c.",
    ),
    MetricDefinition(
        "apv",
        "Average purchase value",
        "net revenue / paid purchases",
        UNIT_CURRENCY,
        ("net_revenue", "paid_purchases"),
        "Over the analysis window.",
    ),
    MetricDefinition(
        "net_revenue",
        "Net revenue",
        "paid purchases - refunds",
        UNIT_CURRENCY,
        description="Over the analysis window.",
    ),
    MetricDefinition(
        "window_years",
        "Analysis window",
        "days in the window / 365.25",
        UNIT_YEARS,
    ),
    MetricDefinition(
        "frequency_per_year",
        "Purchase frequency",
        "paid purchases / paying customers / window years",
        UNIT_PER_YEAR,
        ("paid_purchases", "paying_customers", "window_years"),
    ),
    MetricDefinition(
        "pooled_churn",
        "Pooled churn per period",
        "Σ churned / Σ S over complete periods with S > 0 × 100",
        UNIT_PERCENT,
        ("churned", "S"),
    ),
    MetricDefinition(
        "lifespan_years",
        "Customer lifespan",
        "(1 / pooled churn) × period length in years, or the lifespan given",
        UNIT_YEARS,
        ("pooled_churn",),
        "Period length: day 1/365.25, week 7/365.25, month 1/12, quarter 1/4, year 1.",
    ),
    MetricDefinition(
        "clv",
        "Customer lifetime value",
        "APV × frequency per year × lifespan years (× gross margin when given)",
        UNIT_CURRENCY,
        ("apv", "frequency_per_year", "lifespan_years"),
        "Not estimable without a paid purchase, or without a lifespan when no churn is observed.",
    ),
)

REGISTRY: MappingProxyType[str, MetricDefinition] = MappingProxyType(
    {definition.name: definition for definition in _DEFINITIONS}
)
