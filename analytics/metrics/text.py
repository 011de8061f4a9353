"""Plain-text rendering of a metrics result: periods, cohort triangle and CLV, per segment.

Undefined values read "n/a"; an incomplete period or cohort cell carries a ``*``.
"""

from __future__ import annotations

from collections.abc import Sequence

from analytics.wording import count_phrase

NOT_AVAILABLE = "n/a"
INCOMPLETE_MARK = "*"

_PERIOD_COLUMNS = (
    # (heading, key, kind)
    ("S", "S", "count"),
    ("E", "E", "count"),
    ("N", "N", "count"),
    ("New", "new_first_time", "count"),
    ("Returning", "returning", "count"),
    ("Retained", "retained", "count"),
    ("Churned", "churned", "count"),
    ("Joined+churned", "joined_and_churned", "count"),
    ("CRR", "crr", "percent"),
    ("Churn", "churn_rate", "percent"),
    ("Revenue", "revenue", "money"),
    ("Paid", "paid_purchases", "count"),
    ("Free", "free_orders", "count"),
    ("Refunds", "refunds", "money"),
)


def format_value(value, kind: str) -> str:
    """Format a figure: counts with separators, money with 2 decimals, rates with %."""
    if value is None:
        return NOT_AVAILABLE
    if kind == "count":
        return f"{int(value):,}"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "percent":
        return f"{value:.2f}%"
    if kind == "years":
        return f"{value:.4f} years"
    return f"{value:,.4f}"


def render_table(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Lay out rows under headings: the first column left-aligned, the others right-aligned.

    A row shorter than the headings leaves its last columns blank.
    """
    rows = [[*row, *([""] * (len(headings) - len(row)))] for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(headings, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if index == 0 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [line(headings), *(line(row) for row in rows)]


def render_periods(periods: list[dict]) -> list[str]:
    """Return the period table, one line per period."""
    if not periods:
        return ["No period in the range."]
    rows = []
    for period in periods:
        label = period["period"] + ("" if period["complete"] else INCOMPLETE_MARK)
        rows.append([label, *(format_value(period[key], kind) for _, key, kind in _PERIOD_COLUMNS)])
    return render_table(["Period", *(heading for heading, _, _ in _PERIOD_COLUMNS)], rows)


def render_cohorts(cohorts: list[dict], truncated: bool = False) -> list[str]:
    """Return the cohort triangle as percentages of each cohort's size."""
    if not cohorts and truncated:
        return ["No cohort shown: the cohort table was truncated, as the warning above explains."]
    if not cohorts:
        return ["No cohort: no customer was active in the periods listed."]
    offsets = max(len(cohort["cells"]) for cohort in cohorts)
    headings = ["Cohort", "Size", *(f"+{offset}" for offset in range(offsets))]
    rows = []
    for cohort in cohorts:
        cells = [
            format_value(cell["rate"], "percent") + ("" if cell["complete"] else INCOMPLETE_MARK)
            for cell in cohort["cells"]
        ]
        rows.append([cohort["cohort"], format_value(cohort["size"], "count"), *cells])
    return render_table(headings, rows)


def render_clv(clv: dict) -> list[str]:
    """Return CLV and its parts, one per line."""
    pooled = format_value(clv["pooled_churn"], "percent")
    lifespan = format_value(clv["lifespan_years"], "years")
    if clv["lifespan_source"] == "given":
        lifespan += " (given)"
    value = format_value(clv["clv"], "money")
    if not clv["estimable"]:
        value = f"{NOT_AVAILABLE}: {clv['reason']}"
    elif clv["gross_margin"] is not None:
        value += f" (gross margin {clv['gross_margin']:g})"
    rows = [
        ("Average purchase value", format_value(clv["apv"], "money")),
        ("Net revenue", format_value(clv["net_revenue"], "money")),
        ("Paid purchases", format_value(clv["paid_purchases"], "count")),
        ("Paying customers", format_value(clv["paying_customers"], "count")),
        (
            "Window",
            f"{clv['window_from']} to {clv['window_to']} "
            f"({count_phrase(clv['window_days'], 'day')}, {clv['window_years']:.4f} years)",
        ),
        ("Frequency per year", format_value(clv["frequency_per_year"], "decimal")),
        (
            "Pooled churn",
            f"{pooled} per period over {count_phrase(clv['periods_pooled'], 'complete period')}",
        ),
        ("Lifespan", lifespan),
        ("CLV", value),
    ]
    width = max(len(name) for name, _ in rows)
    return [f"  {name.ljust(width)}  {text}" for name, text in rows]


def render_scope(scope: dict, cohorts_truncated: bool = False) -> list[str]:
    """Return the periods, cohorts and CLV sections of the whole result or a segment."""
    return [
        *render_periods(scope["periods"]),
        "",
        "Cohorts (share of each cohort active k periods later):",
        *render_cohorts(scope["cohorts"], cohorts_truncated),
        "",
        "Customer lifetime value:",
        *render_clv(scope["clv"]),
    ]


def render_text(result: dict) -> str:
    """Return the whole metrics result as readable text, with its warnings after the
    heading."""
    truncated = bool(result.get("cohorts_truncated"))
    lines = [
        f"Metrics by {result['grain']}, window {result['window']} ({result['model']} model), "
        f"as of {result['as_of']}, time zone {result['timezone']}.",
        f"{count_phrase(result['customers'], 'customer')}; analysis window {result['from']} "
        f"to {result['to']}. {INCOMPLETE_MARK} marks an incomplete period, measured at the "
        "as-of date.",
        *(f"Warning: {warning['message']}" for warning in result.get("warnings", [])),
        "",
        *render_scope(result, truncated),
    ]
    for segment in result.get("segments", []):
        value = "(no value)" if segment["value"] is None else segment["value"]
        lines += [
            "",
            f"Segment {result['segment']} = {value} "
            f"({count_phrase(segment['customers'], 'customer')})",
            "",
            *render_scope(segment, truncated),
        ]
    return "\n".join(lines)
