"""Options of one metrics request, and their validation.

Validation happens here, at the boundary: the rest of the package receives dates as
``datetime.date``, a known grain and a window written in canonical form (``90D``).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from analytics.dates import SUPPORTED_RANGE_TEXT, is_supported_day
from analytics.errors import InvalidInputError

GRAINS = ("day", "week", "month", "quarter", "year")
WINDOW_CHOICES = ("auto", "period", "subscription", "ND")
DEFAULT_WINDOW_DAYS = 90  # transactional window that ``auto`` picks without subscription events
# An as-of date may lie after the last event, as when the data is analysed as of today,
# but by at most a year: further on, every added period would be empty.
MAX_AS_OF_DAYS_AFTER_LAST_EVENT = 366
# Ten years: a longer window keeps every customer active beyond any period worth reporting.
MAX_WINDOW_DAYS = 3660
# Longer than any customer relationship; a larger value can only be a typing error.
MAX_LIFESPAN_YEARS = 100.0

_DAYS_WINDOW = re.compile(r"^\s*(\d+)\s*[dD]\s*$")


@dataclass(frozen=True)
class MetricOptions:
    """What to compute: the grain and activity window, the range and the CLV settings.

    Dates may be given as ``datetime.date`` or ISO text (``2024-01-31``). ``timezone``
    is the reporting time zone whose calendar defines the periods. ``gross_margin`` is a
    fraction in (0, 1]; ``lifespan_years`` replaces the lifespan computed from churn.
    """

    grain: str = "month"
    window: str = "auto"
    date_from: date | str | None = None
    date_to: date | str | None = None
    as_of: date | str | None = None
    timezone: str = "UTC"
    lifespan_years: float | None = None
    gross_margin: float | None = None
    segment: str | None = None


@dataclass(frozen=True)
class ActivityWindow:
    """A resolved activity model: ``transactional`` with a window, or ``subscription``."""

    model: str  # "transactional" or "subscription"
    days: int | None = None  # None for the period window and for subscriptions

    @property
    def label(self) -> str:
        """The window as the output names it: ``period``, ``90D`` or ``subscription``."""
        if self.model == "subscription":
            return "subscription"
        return "period" if self.days is None else f"{self.days}D"


def validate_options(options: MetricOptions) -> MetricOptions:
    """Return a copy of ``options`` with dates parsed and the window in canonical form.

    Raises InvalidInputError naming the option, the value found and the valid values.
    """
    grain = str(options.grain).strip().lower()
    if grain not in GRAINS:
        raise InvalidInputError(
            f"Invalid grain '{options.grain}'. Valid grains: {', '.join(GRAINS)}."
        )
    window = normalize_window(options.window)
    date_from = parse_date(options.date_from, "from")
    date_to = parse_date(options.date_to, "to")
    as_of = parse_date(options.as_of, "as-of")
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidInputError(
            f"The --from date {date_from.isoformat()} is after the --to date "
            f"{date_to.isoformat()}. Give a --from on or before --to."
        )
    timezone = str(options.timezone or "UTC").strip()
    if not timezone:
        raise InvalidInputError("The time zone is empty. Give an IANA name such as 'UTC'.")
    lifespan_years = _positive_number(options.lifespan_years, "lifespan-years")
    if lifespan_years is not None and lifespan_years > MAX_LIFESPAN_YEARS:
        raise InvalidInputError(
            f"Invalid --lifespan-years value '{options.lifespan_years}': expected at most "
            f"{MAX_LIFESPAN_YEARS:g} years."
        )
    gross_margin = _positive_number(options.gross_margin, "gross-margin")
    if gross_margin is not None and gross_margin > 1:
        raise InvalidInputError(
            f"Invalid gross margin {options.gross_margin}: give a fraction in (0, 1], "
            "for example 0.6 for 60 %."
        )
    segment = options.segment.strip() if isinstance(options.segment, str) else options.segment
    return dataclasses.replace(
        options,
        grain=grain,
        window=window,
        date_from=date_from,
        date_to=date_to,
        as_of=as_of,
        timezone=timezone,
        lifespan_years=lifespan_years,
        gross_margin=gross_margin,
        segment=segment or None,
    )


def normalize_window(window: str) -> str:
    """Return ``auto``, ``period``, ``subscription`` or ``<N>D`` for N >= 1 days."""
    text = str(window).strip()
    if text.lower() in ("auto", "period", "subscription"):
        return text.lower()
    match = _DAYS_WINDOW.match(text)
    if match and 1 <= int(match.group(1)) <= MAX_WINDOW_DAYS:
        return f"{int(match.group(1))}D"
    raise InvalidInputError(
        f"Invalid window '{window}'. Valid windows: auto, period, subscription, or a number "
        f"of days from 1 to {MAX_WINDOW_DAYS:,} followed by D, such as 90D or 30D."
    )


def resolve_window(window: str, has_subscription_events: bool) -> ActivityWindow:
    """Turn a validated window into an activity model; ``auto`` looks at the data."""
    if window == "auto":
        if has_subscription_events:
            return ActivityWindow("subscription")
        return ActivityWindow("transactional", DEFAULT_WINDOW_DAYS)
    if window == "subscription":
        return ActivityWindow("subscription")
    if window == "period":
        return ActivityWindow("transactional")
    return ActivityWindow("transactional", int(window[:-1]))


def parse_date(value: date | str | None, option: str) -> date | None:
    """Parse an ISO date (``2024-01-31``) given for the option named ``option``."""
    if isinstance(value, datetime):
        return _supported_day(value.date(), option)
    if value is None:
        return None
    if isinstance(value, date):
        return _supported_day(value, option)
    text = str(value).strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"Invalid --{option} date '{value}'. Write it as YYYY-MM-DD, for example 2024-01-31."
        ) from None
    return _supported_day(day, option)


def _supported_day(day: date, option: str) -> date:
    if not is_supported_day(day):
        raise InvalidInputError(
            f"Invalid --{option} date '{day.isoformat()}': it must be from {SUPPORTED_RANGE_TEXT}."
        )
    return day


def _positive_number(value: float | str | None, option: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"Invalid --{option} value '{value}': expected a number.") from None
    if not math.isfinite(number) or number <= 0:
        raise InvalidInputError(
            f"Invalid --{option} value '{value}': expected a number greater than 0."
        )
    return number
