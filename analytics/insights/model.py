"""The named facts and warnings that insights produce and the narrative reads."""

from __future__ import annotations

from dataclasses import dataclass

# Units of a fact's value.
PERCENT = "percent"  # a rate, 0 to 100
POINTS = "points"  # a change between two rates, in percentage points
PERCENT_CHANGE = "percent_change"  # a relative change of an amount or a count
CURRENCY = "currency"
CUSTOMERS = "customers"
YEARS = "years"
PERIOD = "period"  # the value is a period label such as 1997-02
TEXT = "text"  # the value is an attribute value such as a segment name

# Kinds of fact.
LEVEL = "level"  # a metric's value in one period
CHANGE = "change"  # a metric's change against the previous complete period
PERIOD_KIND = "period"
SEGMENT = "segment"

# Priorities: the narrative keeps lower numbers first when the prompt must shrink.
HEADLINE = 1
MAJOR = 2
MINOR = 3
DETAIL = 4


@dataclass(frozen=True)
class Fact:
    """One computed figure with its display string.

    ``magnitude`` is set on change facts: the formatted change without its sign, used
    where the sentence states the direction in words ("down 33.33%").
    ``higher_is_better`` tells whether a rise of the metric is an improvement.
    """

    id: str
    label: str
    value: float | int | str | None
    unit: str
    period: str | None
    formatted: str
    priority: int
    metric: str
    kind: str
    compared_to: str | None = None
    segment: str | None = None
    magnitude: str | None = None
    higher_is_better: bool | None = None

    @property
    def direction(self) -> int:
        """Sign of a change at display precision: 1 up, -1 down, 0 unchanged."""
        if self.kind != CHANGE or not isinstance(self.value, int | float):
            return 0
        if self.formatted.startswith("+"):
            return 1
        if self.formatted.startswith("-"):
            return -1
        return 0

    def to_dict(self) -> dict:
        """Return the fact as the narrate JSON shows it."""
        return {
            "id": self.id,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "period": self.period,
            "formatted": self.formatted,
        }


@dataclass(frozen=True)
class InsightWarning:
    """A data-quality caveat, with a stable code and a sentence for the reader."""

    code: str
    message: str
    period: str | None = None
    reason: str | None = None  # a short stable cause, such as "no_churn" for CLV


@dataclass(frozen=True)
class Insights:
    """Facts about the latest complete period, its change against the one before, the
    segments that moved most, and the caveats that limit what can be said."""

    grain: str
    facts: tuple[Fact, ...]
    warnings: tuple[InsightWarning, ...] = ()
    period: str | None = None  # latest complete period, None when there is none
    previous_period: str | None = None
    incomplete_period: str | None = None
    segment_attribute: str | None = None
    currency: str | None = None

    def fact(self, fact_id: str) -> Fact | None:
        """Return the fact with ``fact_id``, or None."""
        for fact in self.facts:
            if fact.id == fact_id:
                return fact
        return None

    def facts_for(self, metric: str) -> list[Fact]:
        """Return every fact about ``metric``, overall and by segment."""
        return [fact for fact in self.facts if fact.metric == metric]
