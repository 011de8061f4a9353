"""Retention, churn, cohorts, revenue and CLV from the events table.

``compute_metrics(connection, MetricOptions(...))`` returns the ``growthlens metrics``
JSON object as a plain dict; ``REGISTRY`` defines every metric in it once.
"""

from analytics.metrics.engine import compute_metrics
from analytics.metrics.options import GRAINS, MetricOptions
from analytics.metrics.registry import REGISTRY, MetricDefinition
from analytics.metrics.segments import valid_segment_attributes

__all__ = [
    "GRAINS",
    "REGISTRY",
    "MetricDefinition",
    "MetricOptions",
    "compute_metrics",
    "valid_segment_attributes",
]
