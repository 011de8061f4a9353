"""A slow, literal reading of the metric contract, used as an oracle in property tests.

It shares no code with analytics.metrics: it walks every customer and every period and
applies each definition as written, with Python's zoneinfo for the reporting zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Event:
    customer: str
    instant: datetime  # aware, UTC
    event_type: str
    amount: float
    attribute: str | None = None  # the segment attribute's value, if any
    line: int = 0  # order of events at the same instant


def month_start(day: date) -> date:
    return day.replace(day=1)


def period_start(day: date, grain: str) -> date:
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return month_start(day)
    if grain == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def next_period_start(start: date, grain: str) -> date:
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    month_index = start.year * 12 + start.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)


def periods_between(first: date, last: date, grain: str) -> list[tuple[date, date]]:
    """Return (start, end) of every period from the one holding ``first`` to ``last``'s."""
    periods = []
    start = period_start(first, grain)
    while start <= last:
        following = next_period_start(start, grain)
        periods.append((start, following - timedelta(days=1)))
        start = following
    return periods


def is_paid(event: Event) -> bool:
    return event.event_type == "purchase" and event.amount > 0


def is_refund(event: Event) -> bool:
    return event.event_type == "refund" or (event.event_type == "purchase" and event.amount < 0)


def is_active(events: list[Event], day_of: dict, measure_day: date, window: str) -> bool:
    """Apply the activity definition for one customer at the end of ``measure_day``."""
    if window == "subscription":
        starts = [
            e for e in events if e.event_type == "subscription_start" and day_of[e] <= measure_day
        ]
        if not starts:
            return False
        latest = max(e.instant for e in starts)
        return not any(
            e.event_type == "subscription_cancel"
            and e.instant > latest
            and day_of[e] <= measure_day
            for e in events
        )
    paid_days = [day_of[e] for e in events if is_paid(e) and day_of[e] <= measure_day]
    if not paid_days:
        return False
    latest = max(paid_days)
    if window == "period":
        raise AssertionError("the period window is decided per period, not here")
    days = int(window[:-1])
    return measure_day - timedelta(days=days) < latest <= measure_day


def reference_metrics(
    events: list[Event],
    grain: str,
    window: str,
    timezone: str = "UTC",
    as_of: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict:
    """Return periods (label-free, keyed by start date), cohorts, segments and CLV sums."""
    zone = ZoneInfo(timezone)
    day_of = {e: e.instant.astimezone(zone).date() for e in events}
    if window == "auto":
        has_subscriptions = any(
            e.event_type in ("subscription_start", "subscription_cancel") for e in events
        )
        window = "subscription" if has_subscriptions else "90D"
    first_day = min(day_of.values())
    as_of = as_of or max(day_of.values())
    events = [e for e in events if day_of[e] <= as_of]
    last_day = max(day_of[e] for e in events)

    customers = sorted({e.customer for e in events})
    by_customer = {c: [e for e in events if e.customer == c] for c in customers}
    periods = periods_between(first_day, as_of, grain)

    def active_set(start: date, end: date) -> set[str]:
        measure_day = min(end, as_of)
        if window == "period":
            return {
                c
                for c in customers
                if any(is_paid(e) and start <= day_of[e] <= measure_day for e in by_customer[c])
            }
        return {c for c in customers if is_active(by_customer[c], day_of, measure_day, window)}

    active = [active_set(start, end) for start, end in periods]
    cohort_of = {}
    for index, members in enumerate(active):
        for customer in members:
            cohort_of.setdefault(customer, index)

    rows = []
    for index, (start, end) in enumerate(periods):
        before = active[index - 1] if index > 0 else set()
        now = active[index]
        new = now - before
        in_period = [e for e in events if start <= day_of[e] <= end]
        started = {e.customer for e in in_period if e.event_type == "subscription_start"}
        rows.append(
            {
                "start": start,
                "end": end,
                "complete": as_of >= end,
                "S": len(before),
                "E": len(now),
                "N": len(new),
                "new_first_time": len({c for c in new if cohort_of[c] == index}),
                "returning": len({c for c in new if cohort_of[c] < index}),
                "retained": len(before & now),
                "churned": len(before - now),
                "joined_and_churned": (
                    len(started - before - now) if window == "subscription" else 0
                ),
                "paid_purchases": sum(1 for e in in_period if is_paid(e)),
                "free_orders": sum(
                    1 for e in in_period if e.event_type == "purchase" and e.amount == 0
                ),
                "revenue": sum(e.amount for e in in_period if is_paid(e))
                - sum(abs(e.amount) for e in in_period if is_refund(e)),
                "refunds": sum(abs(e.amount) for e in in_period if is_refund(e)),
                "members": now,
            }
        )

    triangle = {}
    for index, (start, _) in enumerate(periods):
        members = {customer for customer, first in cohort_of.items() if first == index}
        if members:
            triangle[start] = [len(members & active[later]) for later in range(index, len(periods))]

    window_from = date_from or first_day
    window_to = max(date_to or last_day, window_from)
    in_window = [e for e in events if window_from <= day_of[e] <= window_to]
    paid_in_window = [e for e in in_window if is_paid(e)]
    clv = {
        "window_from": window_from,
        "window_to": window_to,
        "paid_purchases": len(paid_in_window),
        "paying_customers": len({e.customer for e in paid_in_window}),
        "net_revenue": sum(e.amount for e in paid_in_window)
        - sum(abs(e.amount) for e in in_window if is_refund(e)),
    }

    segment_of = {}
    for customer in customers:
        ordered = sorted(by_customer[customer], key=lambda e: (e.instant, e.line))
        activity = [e for e in ordered if is_paid(e) or e.event_type == "subscription_start"]
        segment_of[customer] = (activity or ordered)[0].attribute
    return {
        "window": window,
        "as_of": as_of,
        "periods": rows,
        "triangle": triangle,
        "clv": clv,
        "segment_of": segment_of,
    }
