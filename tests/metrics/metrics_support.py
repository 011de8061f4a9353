"""An in-memory event store for metrics tests, and helpers to read the metrics result."""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb

from analytics.metrics import MetricOptions, compute_metrics
from analytics.store.migrations import migrate


class EventLog:
    """An in-memory DuckDB database with the GrowthLens schema, filled event by event."""

    def __init__(self) -> None:
        self.connection = duckdb.connect()
        self.connection.execute("SET TimeZone = 'UTC'")
        migrate(self.connection)
        self._line = 1

    def add(
        self,
        customer: str,
        when: str | datetime,
        event_type: str = "purchase",
        amount: float = 0.0,
        line: int | None = None,
        **attributes: str | None,
    ) -> EventLog:
        """Insert one event. ``when`` is ISO text; a bare date means noon UTC. ``line`` is
        the source line (default: one more than the previous event's)."""
        self._line = line if line is not None else self._line + 1
        self.connection.execute(
            "INSERT INTO events VALUES (1, ?, NULL, ?, ?, ?, ?, 'USD', ?)",
            [
                self._line,
                customer,
                parse_instant(when),
                event_type,
                amount,
                {key: value for key, value in attributes.items() if value is not None} or None,
            ],
        )
        return self

    def purchase(self, customer: str, when: str, amount: float = 10.0, **attributes) -> EventLog:
        return self.add(customer, when, "purchase", amount, **attributes)

    def start(self, customer: str, when: str, **attributes) -> EventLog:
        return self.add(customer, when, "subscription_start", 0.0, **attributes)

    def cancel(self, customer: str, when: str, **attributes) -> EventLog:
        return self.add(customer, when, "subscription_cancel", 0.0, **attributes)

    def metrics(self, **options) -> dict:
        """Compute metrics with MetricOptions fields given as keywords."""
        return compute_metrics(self.connection, MetricOptions(**options))


def parse_instant(when: str | datetime) -> datetime:
    """Read ISO text as a UTC instant; a bare date (``2024-01-05``) means noon UTC."""
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    if len(when) == 10:
        day = date.fromisoformat(when)
        return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    instant = datetime.fromisoformat(when.replace("Z", "+00:00"))
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


RETENTION_FIELDS = ("S", "E", "N", "new_first_time", "returning", "retained", "churned")


def retention_table(result: dict) -> dict[str, tuple[int, ...]]:
    """Return {period label: (S, E, N, new_first_time, returning, retained, churned)}."""
    return {
        period["period"]: tuple(period[name] for name in RETENTION_FIELDS)
        for period in result["periods"]
    }


def cohort_triangle(result: dict) -> dict[str, list[int]]:
    """Return {cohort label: [active at offset 0, 1, ...]}."""
    return {
        cohort["cohort"]: [cell["active"] for cell in cohort["cells"]]
        for cohort in result["cohorts"]
    }


def period(result: dict, label: str) -> dict:
    """Return the period entry with the given label."""
    matches = [entry for entry in result["periods"] if entry["period"] == label]
    assert len(matches) == 1, f"period {label} not in {[p['period'] for p in result['periods']]}"
    return matches[0]


def segment(result: dict, value: str | None) -> dict:
    """Return the segment entry with the given value."""
    matches = [entry for entry in result["segments"] if entry["value"] == value]
    assert len(matches) == 1, f"segment {value!r} not in {[s['value'] for s in result['segments']]}"
    return matches[0]
