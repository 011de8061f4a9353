"""GrowthLens analytics: the store, metrics, insights, narrative and reports."""

__version__ = "0.1.0"
