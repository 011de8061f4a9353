"""The view filters shared by every analysis page, and their form in the URL.

Pure functions only: the URL's query parameters are read into :class:`Filters` and
written back from it, so a view can be shared by copying the address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from analytics.errors import InvalidInputError
from analytics.metrics.options import GRAINS
from analytics.metrics.options import normalize_window as canonical_window

WINDOW_CHOICES = ("auto", "period", "subscription", "30D", "60D", "90D", "180D", "365D")

# Query parameter of each filter field.
QUERY_NAMES = {
    "grain": "grain",
    "window": "window",
    "date_from": "from",
    "date_to": "to",
    "segment": "segment",
    "segment_value": "value",
}
DATASET_QUERY_NAME = "dataset"


@dataclass(frozen=True)
class Filters:
    """The view of the analysis pages: grain, activity window, dates and segment."""

    grain: str = "month"
    window: str = "auto"
    date_from: date | None = None
    date_to: date | None = None
    segment: str | None = None  # attribute that splits the metrics, such as "channel"
    segment_value: str | None = None  # one value of that attribute; None means all customers

    def with_changes(self, **changes) -> Filters:
        return replace(self, **changes)


def normalize_window(text: str) -> str | None:
    """Return ``text`` as a window name ("auto", "period", "subscription", "90D"), or None."""
    try:
        return canonical_window(text)
    except InvalidInputError:
        return None


def default_filters(grain: str, window: str) -> Filters:
    """Return filters with the configured grain and window, falling back to month and auto."""
    return Filters(
        grain=grain if grain in GRAINS else "month",
        window=normalize_window(window) or "auto",
    )


def filters_from_query(params: Mapping[str, str], defaults: Filters) -> tuple[Filters, list[str]]:
    """Read filters from URL query parameters.

    Returns the filters and one message per parameter that was invalid and ignored.
    Segment names and values are checked later, against the data.
    """
    problems: list[str] = []
    values: dict = {}

    grain = params.get(QUERY_NAMES["grain"])
    if grain:
        if grain.lower() in GRAINS:
            values["grain"] = grain.lower()
        else:
            problems.append(f"Ignored grain '{grain}': expected one of {', '.join(GRAINS)}.")

    window = params.get(QUERY_NAMES["window"])
    if window:
        normalized = normalize_window(window)
        if normalized:
            values["window"] = normalized
        else:
            problems.append(
                f"Ignored window '{window}': expected auto, period, subscription or a "
                "number of days such as 90D."
            )

    for field in ("date_from", "date_to"):
        text = params.get(QUERY_NAMES[field])
        if not text:
            continue
        try:
            values[field] = date.fromisoformat(text)
        except ValueError:
            problems.append(
                f"Ignored {QUERY_NAMES[field]} date '{text}': expected a date such as 2024-01-31."
            )

    if (
        values.get("date_from")
        and values.get("date_to")
        and values["date_from"] > values["date_to"]
    ):
        problems.append(
            f"Ignored the date range {values['date_from']} to {values['date_to']}: "
            "the start is after the end."
        )
        values.pop("date_from")
        values.pop("date_to")

    segment = params.get(QUERY_NAMES["segment"])
    if segment:
        values["segment"] = segment
        segment_value = params.get(QUERY_NAMES["segment_value"])
        if segment_value:
            values["segment_value"] = segment_value

    return defaults.with_changes(**values), problems


def filters_to_query(filters: Filters) -> dict[str, str]:
    """Return the query parameters that reproduce ``filters``.

    Grain and window are always written, so a shared address does not depend on the
    defaults in the reader's settings.
    """
    params = {QUERY_NAMES["grain"]: filters.grain, QUERY_NAMES["window"]: filters.window}
    if filters.date_from is not None:
        params[QUERY_NAMES["date_from"]] = filters.date_from.isoformat()
    if filters.date_to is not None:
        params[QUERY_NAMES["date_to"]] = filters.date_to.isoformat()
    if filters.segment:
        params[QUERY_NAMES["segment"]] = filters.segment
        if filters.segment_value is not None:
            params[QUERY_NAMES["segment_value"]] = filters.segment_value
    return params


def fit_date_range(
    date_from: date | None, date_to: date | None, first_day: date | None, last_day: date | None
) -> tuple[date | None, date | None, str | None]:
    """Fit the From and To dates to the data's days, ``first_day`` to ``last_day``.

    A range that misses the data entirely is dropped, so every date is shown. A range
    that overlaps the data is cut to the overlap. Returns the dates and a message when
    they changed, or the dates and None when they already fit.
    """
    if first_day is None or last_day is None:
        return date_from, date_to, None
    data_days = f"{first_day.isoformat()} to {last_day.isoformat()}"
    misses = (date_from is not None and date_from > last_day) or (
        date_to is not None and date_to < first_day
    )
    if misses:
        chosen = f"{_day_text(date_from, 'the start')} to {_day_text(date_to, 'the end')}"
        return (
            None,
            None,
            f"The dates {chosen} lie outside the data ({data_days}), so all dates are shown.",
        )
    fitted_from = max(date_from, first_day) if date_from is not None else None
    fitted_to = min(date_to, last_day) if date_to is not None else None
    if (fitted_from, fitted_to) == (date_from, date_to):
        return date_from, date_to, None
    changes = []
    if fitted_from != date_from:
        changes.append(f"From {date_from.isoformat()} became {fitted_from.isoformat()}")
    if fitted_to != date_to:
        changes.append(f"To {date_to.isoformat()} became {fitted_to.isoformat()}")
    return (
        fitted_from,
        fitted_to,
        f"{' and '.join(changes)}: the data runs from {data_days}.",
    )


def _day_text(day: date | None, missing: str) -> str:
    return day.isoformat() if day is not None else missing


def window_choices(current: str) -> list[str]:
    """Return the window options of the sidebar, with ``current`` added when it is custom."""
    choices = list(WINDOW_CHOICES)
    if current not in choices:
        choices.append(current)
    return choices
