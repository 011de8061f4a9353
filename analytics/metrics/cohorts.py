"""Cohort triangle: customers of cohort c active for period c + k.

A customer's cohort is its first active period under the activity model, so customers
never active (a subscription started and cancelled within one period, a customer with
only free orders) belong to no cohort, and the cell at offset 0 always equals the
cohort's size. Cell (c, k) counts the cohort's customers active for period c + k, and its
rate is that count as a percentage of the cohort size. Cells run up to the last period
reported; later cells are not observable yet and are absent rather than 0.
"""

from __future__ import annotations

import numpy as np


def cohort_rate(active: int, size: int) -> float | None:
    """Share of the cohort active for a period, in percent; None for an empty cohort."""
    if size <= 0:
        return None
    return active / size * 100


def cohort_triangle(
    cohort_active: np.ndarray, first_index: int, listed_from: int, listed_to: int
) -> list[tuple[int, list[int]]]:
    """Return (cohort period index, active count per offset) for every non-empty cohort
    from ``listed_from`` to ``listed_to``, with offsets up to period ``listed_to``.

    ``cohort_active[c, j]`` counts customers of cohort ``first_index + c`` active for period
    ``first_index + j``.
    """
    triangle = []
    for cohort in range(listed_from - first_index, listed_to - first_index + 1):
        counts = cohort_active[cohort, cohort : listed_to - first_index + 1]
        if counts.size == 0 or counts[0] == 0:
            continue
        triangle.append((first_index + cohort, [int(count) for count in np.asarray(counts)]))
    return triangle
