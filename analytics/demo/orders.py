"""One-off orders: a first order soon after signup, repeat orders while the customer keeps
buying, coupon-paid free orders and refunds.

Repeat orders follow a Poisson process whose rate varies between customers (a gamma
mixture, as in the BG/NBD family of purchase models) and with the season, thinned from
the busiest month's rate.
"""

from __future__ import annotations

import numpy as np

from analytics.demo import parameters as p
from analytics.demo.customers import NO_CODE, Customers
from analytics.demo.events import EventArrays
from analytics.demo.timeline import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    SECONDS_PER_DAY,
    Span,
    calendar_month,
)


def simulate_orders(rng: np.random.Generator, customers: Customers, span: Span) -> EventArrays:
    """Return the one-off orders (purchases, some free) and their refunds."""
    buyer_probability = p.BUYER_PROBABILITY[customers.channel] * np.where(
        customers.plan != NO_CODE, p.SUBSCRIBER_BUYER_FACTOR, 1.0
    )
    buyer = np.flatnonzero(rng.random(len(customers)) < buyer_probability)
    same_session = rng.random(len(buyer)) < p.SAME_SESSION_FIRST_ORDER_SHARE
    delay = np.where(
        same_session,
        rng.exponential(p.SAME_SESSION_MEAN_SECONDS, len(buyer)),
        rng.exponential(p.LATER_FIRST_ORDER_MEAN_DAYS * SECONDS_PER_DAY, len(buyer)),
    )
    first_order = customers.signup[buyer] + p.MIN_ORDER_DELAY_SECONDS + delay.astype(np.int64)
    in_span = first_order < span.end_exclusive_seconds
    buyer, first_order = buyer[in_span], first_order[in_span]

    repeat_position, repeat_time = _draw_repeat_orders(rng, customers, buyer, first_order, span)
    position = np.concatenate([buyer, repeat_position])
    order_time = np.concatenate([first_order, repeat_time])

    cents = _draw_baskets(rng, customers, buyer, position)
    free = rng.random(len(position)) < p.FREE_ORDER_PROBABILITY
    cents = np.where(free, 0, cents)

    orders = EventArrays.of(customers.first_index + position, order_time, p.PURCHASE, cents)
    refunds = _draw_refunds(rng, customers, orders, position, span)
    return EventArrays.concat([orders, refunds])


def _draw_repeat_orders(
    rng: np.random.Generator,
    customers: Customers,
    buyer: np.ndarray,
    first_order: np.ndarray,
    span: Span,
) -> tuple[np.ndarray, np.ndarray]:
    """Return block positions and instants of orders after each buyer's first one."""
    channel = customers.channel[buyer]
    mean_months = p.BUYING_LIFETIME_MONTHS[channel] * np.where(
        customers.holiday_campaign[buyer], p.HOLIDAY_CAMPAIGN_BUYING_FACTOR, 1.0
    )
    lifetime_seconds = rng.exponential(mean_months * DAYS_PER_MONTH * SECONDS_PER_DAY)
    last_order_by = np.minimum(
        first_order + lifetime_seconds.astype(np.int64), span.end_exclusive_seconds
    )
    window_seconds = np.maximum(last_order_by - first_order - 1, 0)

    mean_rate = p.ORDERS_PER_YEAR[channel] * p.COUNTRY_ORDER_RATE_FACTOR[customers.country[buyer]]
    rate_per_year = rng.gamma(p.ORDER_RATE_GAMMA_SHAPE, mean_rate / p.ORDER_RATE_GAMMA_SHAPE)
    peak = p.ORDER_SEASONALITY.max()
    window_years = window_seconds / (DAYS_PER_YEAR * SECONDS_PER_DAY)
    candidates = rng.poisson(rate_per_year * window_years * peak)

    owner = np.repeat(np.arange(len(buyer)), candidates)
    offset = (rng.random(len(owner)) * window_seconds[owner]).astype(np.int64) + 1
    time = first_order[owner] + offset
    season = p.ORDER_SEASONALITY[calendar_month(time) - 1]
    kept = rng.random(len(owner)) * peak < season
    return buyer[owner[kept]], time[kept]


def _draw_baskets(
    rng: np.random.Generator, customers: Customers, buyer: np.ndarray, position: np.ndarray
) -> np.ndarray:
    """Return order values in cents: a typical basket per customer, spread per order."""
    typical = np.zeros(len(customers))
    typical[buyer] = (
        p.BASKET_MEDIAN_CENTS[customers.country[buyer]]
        * p.CHANNEL_BASKET_FACTOR[customers.channel[buyer]]
        * rng.lognormal(0.0, p.CUSTOMER_BASKET_SIGMA, len(buyer))
    )
    basket = typical[position] * rng.lognormal(0.0, p.ORDER_BASKET_SIGMA, len(position))
    return np.clip(np.round(basket), p.MIN_BASKET_CENTS, p.MAX_BASKET_CENTS).astype(np.int64)


def _draw_refunds(
    rng: np.random.Generator,
    customers: Customers,
    orders: EventArrays,
    position: np.ndarray,
    span: Span,
) -> EventArrays:
    """Refund a few paid orders, in full or in part, a day or more after the order."""
    paid = orders.cents > 0
    refunded = paid & (rng.random(len(orders)) < p.REFUND_PROBABILITY[customers.channel[position]])
    partial = rng.random(len(orders)) < p.PARTIAL_REFUND_SHARE
    fraction = rng.uniform(*p.PARTIAL_REFUND_FRACTION, len(orders))
    refund_cents = np.where(partial, np.maximum(np.round(orders.cents * fraction), 1), orders.cents)
    delay_days = p.REFUND_MIN_DELAY_DAYS + rng.exponential(
        p.REFUND_MEAN_EXTRA_DELAY_DAYS, len(orders)
    )
    refund_time = orders.time + (delay_days * SECONDS_PER_DAY).astype(np.int64)

    keep = refunded & (refund_time < span.end_exclusive_seconds)
    return EventArrays.of(
        orders.customer[keep], refund_time[keep], p.REFUND, -refund_cents[keep].astype(np.int64)
    )
