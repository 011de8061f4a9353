"""Display strings for figures; an undefined figure is always shown as "n/a".

The number formats are the ones the narrative's facts use, so a figure reads the same
on a KPI card, in a table and in the narrative.
"""

from __future__ import annotations

from analytics.insights import formatting as fmt

NOT_AVAILABLE = "n/a"
# Characters that start emphasis, code, links, HTML, tables, headings or formulas ($).
MARKDOWN_SPECIAL = frozenset("\\`*_[]<>#|$~")


def md(text: object) -> str:
    """Escape ``text`` so that Streamlit's Markdown shows it as written.

    Used for every value that comes from data or from a message: two dollar amounts in one
    line would otherwise be read as a formula, and a file name could start emphasis.
    """
    return "".join("\\" + char if char in MARKDOWN_SPECIAL else char for char in str(text))


def is_number(value: object) -> bool:
    """Return whether ``value`` is a finite number, so that it can be drawn."""
    return fmt.finite_or_none(value) is not None


def rate(value: object) -> str:
    """Format a percentage such as CRR: ``66.67%``."""
    number = fmt.finite_or_none(value)
    return NOT_AVAILABLE if number is None else fmt.format_rate(number)


def money(value: object, currency: str | None = None) -> str:
    """Format an amount to cents: ``$1,234.50`` with a known currency, else ``1,234.50``."""
    number = fmt.finite_or_none(value)
    return NOT_AVAILABLE if number is None else fmt.format_amount(number, currency)


def count(value: object) -> str:
    """Format a whole count: ``1,234``."""
    number = fmt.finite_or_none(value)
    return NOT_AVAILABLE if number is None else fmt.format_count(number)


def decimal(value: object, places: int = 4) -> str:
    """Format a plain number, such as a purchase frequency, to ``places`` decimals."""
    number = fmt.finite_or_none(value)
    return NOT_AVAILABLE if number is None else f"{number:,.{places}f}"


def years(value: object) -> str:
    """Format a duration in years: ``3.00 years``."""
    number = fmt.finite_or_none(value)
    return NOT_AVAILABLE if number is None else fmt.format_years(number)


def fraction_as_rate(value: object) -> str:
    """Format a fraction in [0, 1], such as a gross margin, as a percentage."""
    number = fmt.finite_or_none(value)
    return NOT_AVAILABLE if number is None else fmt.format_rate(number * 100)


def period_name(label: str, grain: str, start: str | None = None) -> str:
    """Turn a period label into words: ``1997-02`` -> ``February 1997``."""
    return fmt.format_period(label, grain, start)
