"""Fixtures for metrics tests: an in-memory event store per test."""

from __future__ import annotations

import pytest
from metrics_support import EventLog


@pytest.fixture
def events() -> EventLog:
    """An empty in-memory event store with the GrowthLens schema."""
    log = EventLog()
    yield log
    log.connection.close()
