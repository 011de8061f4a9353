"""The demo data set: a deterministic event log of a subscription and e-commerce business.

A fresh install opens its dashboard on this data, and the benchmarks use the same
generator for files of a million events and more.
"""

from analytics.demo.generator import (
    BLOCK_CUSTOMERS,
    COLUMNS,
    DEFAULT_CUSTOMERS,
    DEFAULT_END,
    DEFAULT_SEED,
    DEFAULT_START,
    estimate_customers,
    generate_events,
    iter_event_chunks,
)
from analytics.demo.writer import DemoFile, write_events

__all__ = [
    "BLOCK_CUSTOMERS",
    "COLUMNS",
    "DEFAULT_CUSTOMERS",
    "DEFAULT_END",
    "DEFAULT_SEED",
    "DEFAULT_START",
    "DemoFile",
    "estimate_customers",
    "generate_events",
    "iter_event_chunks",
    "write_events",
]
