"""Display strings for facts: the exact text a reader sees for each figure.

Every figure is shown at a fixed precision (rates and changes to two decimals, money to
cents, counts as whole numbers), so a number in a narrative can be compared with the
fact it came from by plain string equality.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
TRUNCATION_MARKER = "…"

# Control characters (line breaks, tabs, escape codes) in attribute values would break a
# sentence or a terminal; they become spaces.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")


def round_display(value: float, decimals: int = 2) -> float:
    """Round ``value`` to display precision, turning -0.0 into 0.0."""
    rounded = round(float(value), decimals)
    return 0.0 if rounded == 0 else rounded


def format_rate(value: float) -> str:
    """Format a percentage such as a retention rate: 66.666 -> ``66.67%``."""
    return f"{round_display(value):.2f}%"


def format_points(change: float) -> str:
    """Format a change between two rates in percentage points: ``+3.20 points``."""
    return f"{_signed(change)} points"


def format_percent_change(change: float) -> str:
    """Format a relative change of an amount or a count: ``-33.33%``."""
    return f"{_signed(change)}%"


def format_magnitude(formatted_change: str) -> str:
    """Return a signed change without its sign, for text that states the direction in words."""
    return formatted_change.lstrip("+-")


def format_amount(value: float, currency: str | None = None) -> str:
    """Format money to cents with thousands separators: ``$1,234.50`` or ``1,234.50``."""
    rounded = round_display(value)
    sign = "-" if rounded < 0 else ""
    digits = f"{abs(rounded):,.2f}"
    if currency is None:
        return f"{sign}{digits}"
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    if symbol is not None:
        return f"{sign}{symbol}{digits}"
    return f"{sign}{currency.upper()} {digits}"


def format_amount_change(change: float, currency: str | None = None) -> str:
    """Format a signed change of money: ``+$1,234.50`` or ``-1,234.50``."""
    rounded = round_display(change)
    if rounded == 0:
        return format_amount(0.0, currency)
    sign = "+" if rounded > 0 else "-"
    return sign + format_amount(abs(rounded), currency)


def format_count(value: float) -> str:
    """Format a whole count with thousands separators: ``1,234``."""
    return f"{round(value):,d}"


def format_years(value: float) -> str:
    """Format a duration in years to two decimals: ``3.00 years``."""
    return f"{round_display(value):.2f} years"


def format_period(label: str, grain: str, start: str | None = None) -> str:
    """Turn a period label into words: ``1997-02`` -> ``February 1997``.

    Labels that do not match the grain's usual form are returned unchanged.
    """
    try:
        if grain == "month" and re.fullmatch(r"\d{4}-\d{2}", label):
            year, month = label.split("-")
            return f"{calendar.month_name[int(month)]} {year}"
        if grain == "quarter":
            match = re.fullmatch(r"(\d{4})-?Q([1-4])", label)
            if match:
                return f"Q{match.group(2)} {match.group(1)}"
        if grain == "day" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", label):
            return _format_day(date.fromisoformat(label))
        if grain == "week":
            first_day = start or label
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", first_day):
                return f"the week of {_format_day(date.fromisoformat(first_day))}"
    except (ValueError, IndexError):
        return label
    return label


def clean_attribute(value: object, max_chars: int) -> str:
    """Make an attribute value safe to show in one sentence: control characters become
    spaces, runs of spaces collapse, and text longer than ``max_chars`` is cut with a marker.
    """
    text = "(none)" if value is None else str(value)
    text = _CONTROL_CHARACTERS.sub(" ", text)
    text = _SPACES.sub(" ", text).strip() or "(blank)"
    if len(text) > max_chars:
        text = text[: max(max_chars - len(TRUNCATION_MARKER), 1)].rstrip() + TRUNCATION_MARKER
    return text


def finite_or_none(value: object) -> float | None:
    """Return ``value`` as a float, or None when it is missing, NaN or infinite."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _signed(change: float) -> str:
    rounded = round_display(change)
    if rounded == 0:
        return "0.00"
    return f"{rounded:+,.2f}"


def _format_day(day: date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"
