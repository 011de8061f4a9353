"""Limits on a metrics request and the caveats its result carries under ``warnings``.

Each caveat is a dict with a stable ``code`` and a ``message`` for the reader, so the
command line, the insights, the reports and the dashboard can all show it. The codes:

- ``cohorts_truncated``: the cohort table contains only the most recent cohorts, because
  all of them would need more than MAX_COHORT_COUNTERS counters.
- ``no_subscription_events``: the subscription activity model was chosen for data without
  subscription events, so no customer is ever active.
"""

from __future__ import annotations

from datetime import date, timedelta

from analytics.errors import InvalidInputError
from analytics.metrics.aggregate import EventExtent
from analytics.metrics.cohorts import CohortRange
from analytics.metrics.options import MAX_AS_OF_DAYS_AFTER_LAST_EVENT, ActivityWindow
from analytics.metrics.periods import period_at
from analytics.wording import count_phrase

COHORTS_TRUNCATED = "cohorts_truncated"
NO_SUBSCRIPTION_EVENTS = "no_subscription_events"


def check_as_of(as_of: date, last_event: date) -> None:
    """Reject an as-of date so far after the last event that its periods can only be empty."""
    days_after = (as_of - last_event).days
    if days_after <= MAX_AS_OF_DAYS_AFTER_LAST_EVENT:
        return
    latest = last_event + timedelta(days=MAX_AS_OF_DAYS_AFTER_LAST_EVENT)
    raise InvalidInputError(
        f"The as-of date {as_of.isoformat()} is {count_phrase(days_after, 'day')} after the "
        f"last event ({last_event.isoformat()}). It may be at most "
        f"{MAX_AS_OF_DAYS_AFTER_LAST_EVENT} days later, because every later period would be "
        f"empty. Give an as-of date on or before {latest.isoformat()}."
    )


def result_warnings(
    cohorts: CohortRange,
    segment_count: int,
    grain: str,
    window: ActivityWindow,
    extent: EventExtent,
) -> list[dict]:
    """Return the caveats of one result as ``{"code": ..., "message": ...}`` dicts."""
    warnings = []
    if cohorts.truncated:
        warnings.append(
            {
                "code": COHORTS_TRUNCATED,
                "message": truncation_message(cohorts, segment_count, grain),
            }
        )
    if window.model == "subscription" and not extent.has_subscription_events:
        warnings.append(
            {
                "code": NO_SUBSCRIPTION_EVENTS,
                "message": "The data has no subscription events, so under the subscription "
                "activity model no customer is ever active: every period has 0 active "
                "customers and retention is undefined. Use a purchase window (period, or a "
                "number of days such as 90D) for this data.",
            }
        )
    return warnings


def truncation_message(cohorts: CohortRange, segment_count: int, grain: str) -> str:
    """Return the message for a truncated cohort table: which cohorts it shows, why the
    others are left out and how to see them all."""
    needed = segment_count * cohorts.listed * cohorts.listed
    listed = count_phrase(cohorts.listed, f"{grain} cohort")
    reason = (
        f"the whole table would need {needed:,} counters, over the limit of "
        f"{cohorts.max_counters:,}"
    )
    if cohorts.count == 0:
        return (
            f"The cohort table is left out: {reason}, and not even one cohort per segment "
            "value fits. Choose a segment attribute with fewer values to see cohorts."
        )
    first = period_at(cohorts.first, grain).label
    if cohorts.count == 1:
        kept = f"only the latest of the {listed} ({first})"
    else:
        kept = f"only the latest {cohorts.count:,} of the {listed}, from {first} on"
    return (
        f"The cohort table shows {kept}, because {reason}. A coarser grain or a shorter "
        "date range shows every cohort."
    )
