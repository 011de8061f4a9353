"""The demo event log as Polars frames, generated in fixed blocks of customers.

Randomness is drawn per block of BLOCK_CUSTOMERS consecutive customers, each block from
its own stream derived from the seed. The output therefore depends only on the seed, the
customer count and the dates, and never on how many blocks are grouped into one chunk.
Events are sorted by time within each block and numbered in file order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date

import numpy as np
import polars as pl

from analytics.demo import parameters as p
from analytics.demo.customers import (
    NO_CODE,
    Customers,
    campaign_names,
    draw_customers,
    draw_signup_days,
)
from analytics.demo.events import EventArrays
from analytics.demo.orders import simulate_orders
from analytics.demo.subscriptions import simulate_subscriptions
from analytics.demo.timeline import Span
from analytics.errors import InvalidInputError

DEFAULT_SEED = 7
DEFAULT_CUSTOMERS = 4_000
DEFAULT_START = date(2024, 1, 1)
DEFAULT_END = date(2025, 12, 31)

BLOCK_CUSTOMERS = 4_096
"""Customers drawn from one random stream. Changing it changes every generated file."""
DEFAULT_CHUNK_CUSTOMERS = 32 * BLOCK_CUSTOMERS  # about 850,000 events per chunk
MIN_CUSTOMER_ID_DIGITS = 6
EVENT_ID_DIGITS = 9

PILOT_CUSTOMERS = 8 * BLOCK_CUSTOMERS
"""Customers generated to measure events per customer before sizing a target."""

COLUMNS = (
    "event_id",
    "customer_id",
    "event_time",
    "event_type",
    "amount",
    "currency",
    "channel",
    "country",
    "plan",
    "campaign",
)
AMOUNT_TYPE = pl.Decimal(18, 2)
EVENT_TIME_TYPE = pl.Datetime("us", "UTC")


def make_span(start: date | str = DEFAULT_START, end: date | str = DEFAULT_END) -> Span:
    """Return the span from ``start`` to ``end`` (ISO dates or dates), both days included."""
    first, last = _as_date(start, "start"), _as_date(end, "end")
    if last < first:
        raise InvalidInputError(f"The demo end date {last} is before its start date {first}.")
    return Span(first, last)


def generate_events(
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    start: date | str = DEFAULT_START,
    end: date | str = DEFAULT_END,
) -> pl.DataFrame:
    """Generate the whole demo event log in memory. Large logs need iter_event_chunks."""
    chunks = list(iter_event_chunks(seed, customers, start, end, chunk_customers=customers))
    return pl.concat(chunks) if len(chunks) > 1 else chunks[0]


def iter_event_chunks(
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    start: date | str = DEFAULT_START,
    end: date | str = DEFAULT_END,
    chunk_customers: int = DEFAULT_CHUNK_CUSTOMERS,
) -> Iterator[pl.DataFrame]:
    """Yield the demo event log in frames of about ``chunk_customers`` customers each,
    rounded up to whole blocks of BLOCK_CUSTOMERS. The frames, concatenated, are the same
    for any chunk size."""
    _check_count(seed, "seed", minimum=0)
    _check_count(customers, "customer count", minimum=1)
    _check_count(chunk_customers, "chunk size", minimum=1)
    span = make_span(start, end)

    acquisition_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    cumulative_signups = draw_signup_days(acquisition_rng, customers, span)
    blocks_per_chunk = max(1, -(-chunk_customers // BLOCK_CUSTOMERS))
    block_count = -(-customers // BLOCK_CUSTOMERS)
    id_digits = max(MIN_CUSTOMER_ID_DIGITS, len(str(customers)))
    campaigns = pl.Series(campaign_names(span), dtype=pl.String)

    next_event_number = 1
    for first_block in range(0, block_count, blocks_per_chunk):
        blocks = range(first_block, min(first_block + blocks_per_chunk, block_count))
        generated = [
            _generate_block(seed, block, cumulative_signups, customers, span) for block in blocks
        ]
        frame = _to_frame(generated, next_event_number, id_digits, campaigns)
        next_event_number += frame.height
        yield frame


def estimate_customers(
    target_events: int,
    seed: int = DEFAULT_SEED,
    start: date | str = DEFAULT_START,
    end: date | str = DEFAULT_END,
) -> int:
    """Return the customer count whose log has about ``target_events`` events, measured on
    a pilot of PILOT_CUSTOMERS customers with the same seed and dates."""
    _check_count(target_events, "target event count", minimum=1)
    _check_count(seed, "seed", minimum=0)
    span = make_span(start, end)
    acquisition_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    cumulative_signups = draw_signup_days(acquisition_rng, PILOT_CUSTOMERS, span)
    pilot_events = sum(
        len(_generate_block(seed, block, cumulative_signups, PILOT_CUSTOMERS, span)[1])
        for block in range(PILOT_CUSTOMERS // BLOCK_CUSTOMERS)
    )
    return max(1, round(target_events * PILOT_CUSTOMERS / pilot_events))


def _generate_block(
    seed: int, block: int, cumulative_signups: np.ndarray, customers: int, span: Span
) -> tuple[Customers, EventArrays]:
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, block)))
    first_index = block * BLOCK_CUSTOMERS
    count = min(BLOCK_CUSTOMERS, customers - first_index)
    block_customers = draw_customers(rng, first_index, cumulative_signups, count, span)
    signups = EventArrays.of(
        np.arange(first_index, first_index + count), block_customers.signup, p.SIGNUP
    )
    subscriptions = simulate_subscriptions(rng, block_customers, span)
    orders = simulate_orders(rng, block_customers, span)
    events = EventArrays.concat([signups, subscriptions, orders])

    # A customer whose trial outlasts the span never subscribes, so it gets no plan.
    started = np.zeros(count, dtype=bool)
    started[subscriptions.customer[subscriptions.kind == p.SUBSCRIPTION_START] - first_index] = True
    block_customers = dataclasses.replace(
        block_customers, plan=np.where(started, block_customers.plan, NO_CODE).astype(np.int8)
    )
    return block_customers, events.sorted_by_time()


def _to_frame(
    generated: list[tuple[Customers, EventArrays]],
    first_event_number: int,
    id_digits: int,
    campaigns: pl.Series,
) -> pl.DataFrame:
    events = EventArrays.concat([block_events for _, block_events in generated])
    first_index = generated[0][0].first_index
    position = events.customer - first_index

    def attribute(values: tuple[str, ...] | pl.Series, field: str) -> pl.Series:
        codes = np.concatenate(
            [getattr(block_customers, field) for block_customers, _ in generated]
        )
        event_codes = pl.Series(codes[position].astype(np.int64))
        names = values if isinstance(values, pl.Series) else pl.Series(values, dtype=pl.String)
        return names.gather(event_codes.replace(-1, None))

    numbers = pl.Series(np.arange(first_event_number, first_event_number + len(events)))
    customer_numbers = pl.Series(events.customer + 1)
    event_types = pl.Series(p.EVENT_TYPES, dtype=pl.String)
    return pl.DataFrame(
        {
            "event_id": "ev-" + numbers.cast(pl.String).str.zfill(EVENT_ID_DIGITS),
            "customer_id": "C" + customer_numbers.cast(pl.String).str.zfill(id_digits),
            "event_time": pl.Series(events.time * 1_000_000).cast(EVENT_TIME_TYPE),
            "event_type": event_types.gather(events.kind.astype(np.int64)),
            "amount": (pl.Series(events.cents).cast(AMOUNT_TYPE) / 100).cast(AMOUNT_TYPE),
            "currency": pl.repeat(p.CURRENCY, len(events), dtype=pl.String, eager=True),
            "channel": attribute(p.CHANNELS, "channel"),
            "country": attribute(p.COUNTRIES, "country"),
            "plan": attribute(p.PLANS, "plan"),
            "campaign": attribute(campaigns, "campaign"),
        }
    )


def _as_date(value: date | str, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise InvalidInputError(
            f"Invalid demo {name} date {value!r}: expected YYYY-MM-DD."
        ) from error


def _check_count(value: int, name: str, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InvalidInputError(
            f"Invalid demo {name} {value!r}: expected a whole number >= {minimum}."
        )
