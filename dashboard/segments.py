"""Segment values as the dashboard shows and orders them.

The metrics result lists the segments in text order, with customers whose attribute is
missing last under the value None. The dashboard names that segment ``(no value)`` and
orders values that are all numbers (such as a number of CDs) by their number, so 2 comes
before 10.
"""

from __future__ import annotations

import math

# Label, URL value and filter value of the segment of customers without the attribute.
# NOTE: an attribute whose value is literally "(no value)" shares this label.
NO_VALUE = "(no value)"


def segment_label(value: object) -> str:
    """Return the text that names segment ``value`` in widgets, tables, charts and URLs."""
    return NO_VALUE if value is None else str(value)


def as_number(text: str) -> float | None:
    """Return ``text`` as a finite number, or None when it is not one."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def ordered_segments(parts: list[dict]) -> list[dict]:
    """Return the segment parts in display order.

    Values are ordered by number when every value is a number, else kept as listed. The
    segment without a value stays last.
    """
    with_value = [part for part in parts if part.get("value") is not None]
    without_value = [part for part in parts if part.get("value") is None]
    numbers = [as_number(str(part["value"])) for part in with_value]
    if with_value and all(number is not None for number in numbers):
        ranked = sorted(zip(numbers, range(len(with_value)), with_value, strict=True))
        with_value = [part for _, _, part in ranked]
    return with_value + without_value


def segment_part(metrics: dict, label: str | None) -> dict | None:
    """Return the part of a segmented result whose label is ``label``, or None if absent."""
    for part in metrics.get("segments") or []:
        if segment_label(part.get("value")) == label:
            return part
    return None
