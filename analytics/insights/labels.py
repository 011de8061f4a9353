"""Human labels of the metrics that facts are about.

The metrics registry defines each metric's label once; these defaults are used only for
a metric the registry does not list.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

logger = logging.getLogger(__name__)

DEFAULT_LABELS = {
    "crr": "Customer retention rate",
    "churn_rate": "Churn rate",
    "revenue": "Revenue",
    "E": "Active customers",
    "S": "Customers at start",
    "churned": "Churned customers",
    "new_first_time": "New customers",
    "returning": "Returning customers",
    "clv": "Customer lifetime value",
}


def metric_label(name: str) -> str:
    """Return the registry's label for metric ``name``, or the default label."""
    definition = _registry_entry(name)
    label = _field(definition, "label") if definition is not None else None
    if isinstance(label, str) and label:
        return label
    return DEFAULT_LABELS.get(name, name)


def _registry_entry(name: str):
    try:
        from analytics.metrics import REGISTRY
    except ImportError:
        return None
    try:
        if isinstance(REGISTRY, Mapping):
            return REGISTRY.get(name)
        for definition in REGISTRY:
            if _field(definition, "name") == name:
                return definition
    except TypeError:
        logger.debug("metrics registry has an unexpected shape", exc_info=True)
    return None


def _field(definition, key: str):
    if isinstance(definition, dict):
        return definition.get(key)
    return getattr(definition, key, None)
