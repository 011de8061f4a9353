"""Subscriptions: starts, monthly charges, cancels and the occasional win-back.

Each subscription is charged on its start instant and then monthly on the same day of the
month. Before each renewal it is cancelled with a hazard that depends on the acquisition
channel, the plan, the tenure, a holiday campaign and a price rise, so churn differs by
segment and over time. A cancel falls inside the last paid month. Events after the span's
end are never written, so subscriptions still running then simply have no cancel.
"""

from __future__ import annotations

import numpy as np

from analytics.demo import parameters as p
from analytics.demo.customers import NO_CODE, Customers
from analytics.demo.events import EventArrays
from analytics.demo.timeline import SECONDS_PER_DAY, Span, add_months, month_index

MAX_SUBSCRIPTIONS_PER_CUSTOMER = 2  # the first one and at most one win-back


def simulate_subscriptions(
    rng: np.random.Generator, customers: Customers, span: Span
) -> EventArrays:
    """Return the subscription starts, charges, charge refunds and cancels of ``customers``."""
    subscriber = np.flatnonzero(customers.plan != NO_CODE)
    trial = rng.random(len(subscriber)) < p.TRIAL_SHARE
    immediate_delay = 60 + rng.exponential(p.IMMEDIATE_START_MEAN_SECONDS, len(subscriber))
    trial_delay = p.TRIAL_DAYS * SECONDS_PER_DAY + rng.integers(0, 6 * 3600, len(subscriber))
    delay = np.where(trial, trial_delay, immediate_delay).astype(np.int64)
    start = customers.signup[subscriber] + delay

    parts: list[EventArrays] = []
    position = subscriber
    for round_number in range(MAX_SUBSCRIPTIONS_PER_CUSTOMER):
        in_span = start < span.end_exclusive_seconds
        position, start = position[in_span], start[in_span]
        if len(position) == 0:
            break
        starts, charges, cancels = _run_subscriptions(rng, customers, position, start, span)
        parts.extend([starts, charges, _refund_some_charges(rng, charges, span), cancels])
        if round_number + 1 == MAX_SUBSCRIPTIONS_PER_CUSTOMER:
            break
        position, start = _draw_win_backs(rng, cancels, customers.first_index)

    if not parts:
        return EventArrays.of([], [], p.SUBSCRIPTION_START)
    return EventArrays.concat(parts)


def _run_subscriptions(
    rng: np.random.Generator,
    customers: Customers,
    position: np.ndarray,
    start: np.ndarray,
    span: Span,
) -> tuple[EventArrays, EventArrays, EventArrays]:
    """Simulate subscriptions starting at ``start`` for the customers at ``position`` in the
    block, and return their starts, charges and cancels."""
    index = customers.first_index + position
    channel = customers.channel[position]
    plan = customers.plan[position]
    base_hazard = p.MONTHLY_CANCEL_HAZARD[channel] * p.PLAN_CANCEL_FACTOR[plan]
    base_hazard = base_hazard * np.where(
        customers.holiday_campaign[position], p.HOLIDAY_CAMPAIGN_CHURN_FACTOR, 1.0
    )

    starts = EventArrays.of(index, start, p.SUBSCRIPTION_START)
    charge_customer, charge_time, charge_plan = [index], [start], [plan]
    cancel_customer, cancel_time = [], []

    running = np.arange(len(position))
    renewal = 1
    while len(running):
        previous_charge = add_months(start[running], renewal - 1)
        next_charge = add_months(start[running], renewal)
        hazard = base_hazard[running] * _renewal_factor(renewal, next_charge, plan[running], span)
        cancels = rng.random(len(running)) < np.minimum(hazard, p.MAX_MONTHLY_CANCEL_HAZARD)
        within_month = rng.uniform(0.05, 0.95, len(running))
        month_seconds = next_charge - previous_charge
        cancel_at = previous_charge + (within_month * month_seconds).astype(np.int64)

        cancelled = cancels & (cancel_at < span.end_exclusive_seconds)
        cancel_customer.append(index[running[cancelled]])
        cancel_time.append(cancel_at[cancelled])

        renews = ~cancels & (next_charge < span.end_exclusive_seconds)
        charge_customer.append(index[running[renews]])
        charge_time.append(next_charge[renews])
        charge_plan.append(plan[running[renews]])

        running = running[renews]
        renewal += 1

    charge_time_all = np.concatenate(charge_time)
    charges = EventArrays.of(
        np.concatenate(charge_customer),
        charge_time_all,
        p.PURCHASE,
        _plan_price_cents(np.concatenate(charge_plan), charge_time_all, span),
    )
    cancels = EventArrays.of(
        np.concatenate(cancel_customer), np.concatenate(cancel_time), p.SUBSCRIPTION_CANCEL
    )
    return starts, charges, cancels


def _renewal_factor(
    renewal: int, renewal_time: np.ndarray, plan: np.ndarray, span: Span
) -> np.ndarray:
    """Multiply the cancel hazard for early tenure and for renewals right after the price rise."""
    tenure = p.EARLY_TENURE_CANCEL_FACTOR
    factor = np.full(len(plan), tenure[renewal - 1] if renewal <= len(tenure) else 1.0)
    months_in = month_index(renewal_time) - span.first_month_index
    after_rise = months_in - p.PRICE_CHANGE_MONTH_OFFSET
    shocked = (after_rise >= 0) & (after_rise < p.PRICE_CHANGE_CHURN_MONTHS)
    return np.where(shocked, factor * p.PRICE_CHANGE_CANCEL_FACTOR[plan], factor)


def _plan_price_cents(plan: np.ndarray, charge_time: np.ndarray, span: Span) -> np.ndarray:
    months_in = month_index(charge_time) - span.first_month_index
    return np.where(
        months_in >= p.PRICE_CHANGE_MONTH_OFFSET,
        p.PLAN_PRICE_CENTS_AFTER_CHANGE[plan],
        p.PLAN_PRICE_CENTS[plan],
    )


def _refund_some_charges(rng: np.random.Generator, charges: EventArrays, span: Span) -> EventArrays:
    """Refund a few charges in full, a day or more after they were made."""
    refunded = rng.random(len(charges)) < p.SUBSCRIPTION_CHARGE_REFUND_PROBABILITY
    delay = SECONDS_PER_DAY + rng.exponential(2 * SECONDS_PER_DAY, len(charges)).astype(np.int64)
    refund_time = charges.time + delay
    keep = refunded & (refund_time < span.end_exclusive_seconds)
    return EventArrays.of(charges.customer[keep], refund_time[keep], p.REFUND, -charges.cents[keep])


def _draw_win_backs(
    rng: np.random.Generator, cancels: EventArrays, first_index: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return block positions and start instants of cancelled customers who subscribe again."""
    returns = rng.random(len(cancels)) < p.RESUBSCRIBE_PROBABILITY
    gap_days = p.RESUBSCRIBE_MIN_GAP_DAYS + rng.exponential(
        p.RESUBSCRIBE_MEAN_EXTRA_GAP_DAYS, len(cancels)
    )
    start = cancels.time + (gap_days * SECONDS_PER_DAY).astype(np.int64)
    return cancels.customer[returns] - first_index, start[returns]
