"""Retention per period: S, E, N (new first-time and returning), retained, churned, CRR.

For period P, with "active" as defined by the activity model (:mod:`activity`):

- S = customers active for P - 1 (at the start of P); the first period's S is 0
- E = customers active for P (at the end of P)
- N = customers in E that are not in S: ``new_first_time`` when P is their first active
  period (their cohort), ``returning`` when they were active before and lapsed
- retained = customers in both S and E, so E - N = retained
- churned = S - retained
- CRR = (E - N) / S x 100 and churn rate = churned / S x 100 = 100 - CRR, both
  undefined (None) when S = 0
- joined_and_churned (subscription model) = customers who started a subscription in P
  and are in neither S nor E

:class:`ActivityTally` counts these from batches of per-customer activity bits, together
with the cohort triangle (:mod:`analytics.metrics.cohorts`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl

from analytics.errors import InvalidInputError
from analytics.metrics.activity import ActivityBatch
from analytics.metrics.cohorts import CohortRange
from analytics.wording import count_phrase

RETENTION_COUNTS = ("S", "E", "N", "new_first_time", "returning", "retained", "churned")

# Maximum rows of per-period figures (segment values x periods) that one request computes.
# Each row becomes a dict of about 20 figures in the result, roughly 2 KB of Python
# objects, so this bounds a result to a few GB. Without a segment it never applies,
# because 2,000,000 days are over 5,000 years.
MAX_SEGMENT_PERIODS = 2_000_000


def customer_retention_rate(start: int, end: int, new: int) -> float | None:
    """CRR in percent: (E - N) / S x 100; None when S = 0 (no customers at the start)."""
    if start <= 0:
        return None
    return (end - new) / start * 100


def churn_rate(churned: int, start: int) -> float | None:
    """Churn rate in percent: churned / S x 100; None when S = 0."""
    if start <= 0:
        return None
    return churned / start * 100


def check_tally_size(segment_count: int, period_count: int, grain: str) -> None:
    """Raise InvalidInputError when segment values x periods exceed MAX_SEGMENT_PERIODS."""
    rows = segment_count * period_count
    if rows <= MAX_SEGMENT_PERIODS:
        return
    raise InvalidInputError(
        f"Splitting {count_phrase(period_count, f'{grain} period')} by "
        f"{count_phrase(segment_count, 'segment value')} gives {rows:,} rows of figures, "
        f"more than the maximum of {MAX_SEGMENT_PERIODS:,} per request. Choose a coarser "
        "grain or a segment attribute with fewer values."
    )


class ActivityTally:
    """Counts per segment and period, accumulated over batches of customers.

    Periods are numbered from 0, the first event's period (period index ``first_index``).
    ``cohort_active[g, c, j]`` counts the customers of segment g whose first active period
    has period index ``cohorts.first + c`` and who are active for period index
    ``cohorts.first + j``. Only the cohorts in ``cohorts`` are counted there, and only up
    to period ``cohorts.last``.
    """

    def __init__(
        self, segment_count: int, period_count: int, first_index: int, cohorts: CohortRange
    ) -> None:
        shape = (segment_count, period_count)
        self.active = np.zeros(shape, dtype=np.int64)
        self.retained = np.zeros(shape, dtype=np.int64)
        self.first_active = np.zeros(shape, dtype=np.int64)
        self.joined_and_churned = np.zeros(shape, dtype=np.int64)
        self.cohorts = cohorts
        # Position of the first counted cohort among this tally's periods.
        self._cohort_offset = cohorts.first - first_index
        self.cohort_active = np.zeros((segment_count, cohorts.count, cohorts.count), dtype=np.int64)
        # Customers seen and paying customers, per segment; filled only by batches that
        # carry a paying flag (see activity.counts_customers).
        self.customers = np.zeros(segment_count, dtype=np.int64)
        self.paying_customers = np.zeros(segment_count, dtype=np.int64)

    @property
    def period_count(self) -> int:
        return self.active.shape[1]

    def add(self, batch: ActivityBatch) -> None:
        """Count one batch of customers."""
        active = batch.active
        period_count = self.period_count
        has_activity = active.any(axis=1)
        # A customer never active gets the cohort number period_count, which stands for none.
        cohort = np.where(has_activity, active.argmax(axis=1), period_count)
        key = batch.segment_codes * (period_count + 1) + cohort

        # Sort customers by (segment, cohort) so that each group is one block of rows.
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
        block_starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        segments, cohorts = np.divmod(sorted_keys[block_starts], period_count + 1)
        sizes = np.diff(np.r_[block_starts, len(sorted_keys)])
        sorted_active = active[order]

        block_active = np.add.reduceat(sorted_active, block_starts, axis=0, dtype=np.int64)
        np.add.at(self.active, segments, block_active)
        if period_count > 1:
            both = sorted_active[:, 1:] & sorted_active[:, :-1]
            block_retained = np.add.reduceat(both, block_starts, axis=0, dtype=np.int64)
            np.add.at(self.retained[:, 1:], segments, block_retained)

        in_cohort = cohorts < period_count
        np.add.at(self.first_active, (segments[in_cohort], cohorts[in_cohort]), sizes[in_cohort])
        low, high = self._cohort_offset, self._cohort_offset + self.cohorts.count
        counted = (cohorts >= low) & (cohorts < high)
        np.add.at(
            self.cohort_active,
            (segments[counted], cohorts[counted] - low),
            block_active[counted, low:high],
        )

        if batch.paying is not None:
            np.add.at(self.customers, batch.segment_codes, 1)
            np.add.at(self.paying_customers, batch.segment_codes, batch.paying.astype(np.int64))

        if batch.started is not None:
            joined = batch.started & ~active
            joined[:, 1:] &= ~active[:, :-1]
            rows, columns = joined.nonzero()
            np.add.at(self.joined_and_churned, (batch.segment_codes[rows], columns), 1)

    def add_all(self, batches: Iterable[ActivityBatch]) -> ActivityTally:
        for batch in batches:
            self.add(batch)
        return self


def retention_frame(tally: ActivityTally, first_index: int) -> pl.DataFrame:
    """Return S, E, N, new_first_time, returning, retained, churned and
    joined_and_churned per segment_code and period_index."""
    segment_count, period_count = tally.active.shape
    end = tally.active
    start = np.zeros_like(end)
    start[:, 1:] = end[:, :-1]
    retained = tally.retained
    new = end - retained
    returning = new - tally.first_active
    return pl.DataFrame(
        {
            "segment_code": np.repeat(np.arange(segment_count, dtype=np.int32), period_count),
            "period_index": np.tile(
                np.arange(first_index, first_index + period_count, dtype=np.int32), segment_count
            ),
            "S": start.ravel(),
            "E": end.ravel(),
            "N": new.ravel(),
            "new_first_time": tally.first_active.ravel(),
            "returning": returning.ravel(),
            "retained": retained.ravel(),
            "churned": (start - retained).ravel(),
            "joined_and_churned": tally.joined_and_churned.ravel(),
        }
    )
