"""Cohort triangle: customers of cohort c active for period c + k.

A customer's cohort is its first active period under the activity model, so customers
never active (a subscription started and cancelled within one period, a customer with
only free orders) belong to no cohort, and the cell at offset 0 always equals the
cohort's size. Cell (c, k) counts the cohort's customers active for period c + k, and its
rate is that count as a percentage of the cohort size. Cells run up to the last period
reported; later cells are not observable yet and are absent rather than 0.

The triangle needs one counter per segment, cohort and period, so its memory grows with
the square of the number of periods listed. When all cohorts would need more than
MAX_COHORT_COUNTERS counters, only the most recent cohorts that fit are counted
(:func:`plan_cohorts`), and the result says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Maximum number of cohort counters (segment values x cohorts x periods) per request.
# The counters themselves are small (2,000,000 int64 take 16 MB), but every counted cell
# can become a dict of about 300 bytes in the result, and up to half the counters are
# cells. So this bounds the triangle to about 1,400 cohorts without a segment, some
# hundreds of MB at worst. A larger triangle would not be readable anyway.
MAX_COHORT_COUNTERS = 2_000_000


@dataclass(frozen=True)
class CohortRange:
    """Range of cohorts to count, from period index ``first`` to ``last``.

    Each cohort is counted up to period ``last``. ``listed`` is the number of cohort
    periods in the requested range, and ``max_counters`` the limit the range was planned
    for.
    """

    first: int
    last: int
    listed: int
    max_counters: int

    @property
    def count(self) -> int:
        """Number of cohort periods counted (0 when the triangle is left out)."""
        return max(self.last - self.first + 1, 0)

    @property
    def truncated(self) -> bool:
        return self.count < self.listed


def plan_cohorts(
    segment_count: int, listed_from: int, listed_to: int, max_counters: int | None = None
) -> CohortRange:
    """Return the cohorts to count from the listed range ``listed_from`` to ``listed_to``.

    That is every listed cohort when segment_count x cohorts x cohorts counters fit in
    ``max_counters`` (default MAX_COHORT_COUNTERS), else the most recent cohorts that fit.
    """
    if max_counters is None:
        max_counters = MAX_COHORT_COUNTERS
    listed = listed_to - listed_from + 1
    fitting = math.isqrt(max_counters // max(segment_count, 1))
    count = min(listed, fitting)
    return CohortRange(
        first=listed_to - count + 1, last=listed_to, listed=listed, max_counters=max_counters
    )


def cohort_rate(active: int, size: int) -> float | None:
    """Share of the cohort active for a period, in percent; None for an empty cohort."""
    if size <= 0:
        return None
    return active / size * 100


def cohort_triangle(cohort_active: np.ndarray, cohorts: CohortRange) -> list[tuple[int, list[int]]]:
    """Return (cohort period index, active count per offset) for every non-empty cohort in
    ``cohorts``, with offsets up to period ``cohorts.last``.

    ``cohort_active[c, j]`` counts customers of cohort ``cohorts.first + c`` active for
    period ``cohorts.first + j``.
    """
    triangle = []
    for cohort in range(cohorts.count):
        counts = cohort_active[cohort, cohort : cohorts.count]
        if counts.size == 0 or counts[0] == 0:
            continue
        triangle.append((cohorts.first + cohort, [int(count) for count in np.asarray(counts)]))
    return triangle
