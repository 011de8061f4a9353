"""Columns of generated events before they become a Polars frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class EventArrays:
    """Parallel arrays, one item per event: the customer's global index, the instant in
    seconds since the epoch, the event type code and the amount in cents."""

    customer: np.ndarray
    time: np.ndarray
    kind: np.ndarray
    cents: np.ndarray

    def __len__(self) -> int:
        return len(self.time)

    @classmethod
    def of(cls, customer, time, kind: int, cents=0) -> EventArrays:
        """Build events of one type. ``cents`` is one amount for all or one per event."""
        size = len(time)
        return cls(
            customer=np.asarray(customer, dtype=np.int64),
            time=np.asarray(time, dtype=np.int64),
            kind=np.full(size, kind, dtype=np.int8),
            cents=np.broadcast_to(np.asarray(cents, dtype=np.int64), (size,)).copy(),
        )

    @classmethod
    def concat(cls, parts: list[EventArrays]) -> EventArrays:
        return cls(
            customer=np.concatenate([part.customer for part in parts]),
            time=np.concatenate([part.time for part in parts]),
            kind=np.concatenate([part.kind for part in parts]),
            cents=np.concatenate([part.cents for part in parts]),
        )

    def sorted_by_time(self) -> EventArrays:
        """Sort by instant, then customer, then event type code (signup first on a tie)."""
        order = np.lexsort((self.kind, self.customer, self.time))
        return EventArrays(
            customer=self.customer[order],
            time=self.time[order],
            kind=self.kind[order],
            cents=self.cents[order],
        )
