"""The CLV inputs as a lifetimes user computes them: one RFM row per paying customer.

``summary_data_from_transaction_data`` groups transactions by customer and day, so two
purchases on the same day count as one: frequency is the number of days with a paid
purchase after the customer's first such day, and monetary_value the mean paid amount of
those later days.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data

from benchmarks.peers.pandas_retention import paid_purchases


def rfm_summary(events: pd.DataFrame, observation_end: date) -> tuple[pd.DataFrame, int]:
    """Return lifetimes' frequency, recency, T and monetary_value per paying customer, and
    the number of paid purchases it was computed from."""
    paid = paid_purchases(events)[["customer_id", "event_time", "amount"]]
    summary = summary_data_from_transaction_data(
        paid,
        "customer_id",
        "event_time",
        monetary_value_col="amount",
        observation_period_end=pd.Timestamp(observation_end),
        freq="D",
    )
    return summary, len(paid)
