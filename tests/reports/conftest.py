"""Fixtures for report tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from report_samples import build_partial_metrics, build_template_narrative

from analytics.metrics.options import MetricOptions


@pytest.fixture
def partial_metrics() -> dict:
    return build_partial_metrics()


@pytest.fixture
def template_narrative() -> SimpleNamespace:
    return build_template_narrative()


@pytest.fixture
def partial_options() -> MetricOptions:
    return MetricOptions(grain="month", window="period", segment="channel")
