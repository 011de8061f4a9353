"""Formula cards: a metric's definition from the metrics registry, with the inputs of
the figure shown (for CRR, the S, E and N of that period)."""

from __future__ import annotations

import streamlit as st

from analytics.metrics import REGISTRY
from analytics.metrics.registry import (
    UNIT_CURRENCY,
    UNIT_PER_YEAR,
    UNIT_PERCENT,
    UNIT_YEARS,
    MetricDefinition,
)
from dashboard.components import format as show


def format_by_unit(value: object, unit: str, currency: str | None) -> str:
    """Format ``value`` in the registry ``unit``; undefined values read "n/a"."""
    if unit == UNIT_PERCENT:
        return show.rate(value)
    if unit == UNIT_CURRENCY:
        return show.money(value, currency)
    if unit == UNIT_YEARS:
        return show.years(value)
    if unit == UNIT_PER_YEAR:
        return show.decimal(value)
    return show.count(value)


def lookup(name: str, period: dict | None, clv: dict) -> tuple[bool, object]:
    """Find metric ``name`` in the period's figures, then in the CLV parts.

    Returns whether the result contains it, and its value (None when undefined).
    """
    for source in (period or {}, clv):
        if name in source:
            return True, source[name]
    return False, None


def input_lines(
    definition: MetricDefinition, period: dict | None, clv: dict, currency: str | None
) -> list[str]:
    """Return one Markdown line per input the result contains: symbol, label and value."""
    lines = []
    for name in definition.inputs:
        found, value = lookup(name, period, clv)
        if not found:
            continue
        entry = REGISTRY.get(name)
        label = entry.label if entry else name
        unit = entry.unit if entry else ""
        shown = show.md(format_by_unit(value, unit, currency))
        lines.append(f"- **{show.md(name)}** ({label}) = {shown}")
    return lines


def render_formula_cards(
    names: tuple[str, ...],
    *,
    period: dict | None,
    clv: dict,
    currency: str | None,
    key: str,
    expanded: bool = False,
) -> None:
    """Draw one expandable card per metric in ``names``, in two columns."""
    columns = st.columns(2)
    for index, name in enumerate(names):
        definition = REGISTRY.get(name)
        if definition is None:
            continue
        found, value = lookup(name, period, clv)
        shown = format_by_unit(value, definition.unit, currency) if found else show.NOT_AVAILABLE
        where = f" in {period['period']}" if period is not None and name in period else ""
        label = f"{definition.label}{show.md(where)}: {show.md(shown)}"
        with columns[index % 2].expander(label, expanded=expanded, icon=":material/function:"):
            st.markdown(f"**{definition.label}** = {definition.formula}")
            lines = input_lines(definition, period, clv, currency)
            if lines:
                st.markdown("\n".join(lines))
            if name == "clv" and clv.get("reason"):
                st.caption(f"Not estimable: {show.md(clv['reason'])}")
            if definition.description:
                st.caption(definition.description)
    del key  # reserved: the cards hold no widgets, so they need no keys
