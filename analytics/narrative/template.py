"""The deterministic narrative: two or three sentences written from facts alone.

The same sentences serve twice. With their figures left as placeholders they are the
draft that the model rewords, one sentence at a time. Filled in, they are the narrative
shown whenever the model is missing or its text fails the check, so they must read well
on their own. The closing sentences (lifetime value and caveats such as an incomplete
period) follow either text and never pass through the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from analytics.insights import Fact, Insights
from analytics.insights.model import CHANGE, HEADLINE, LEVEL
from analytics.insights.warnings import (
    CLV_IMPLAUSIBLE,
    CLV_NO_CHURN,
    CLV_NO_COMPLETE_PERIOD,
    CLV_NO_PAID_PURCHASE,
    NO_SUBSCRIPTION_EVENTS,
)
from analytics.wording import noun_form

PLACEHOLDER_PATTERN = re.compile(r"\[([A-Za-z][A-Za-z0-9 ]*)\]")

# Placeholder names in the draft tell a reader of notes and tests what each figure is.
# Facts without a name here use their id.
PLACEHOLDER_NAMES = {
    "period": "period",
    "previous_period": "previous period",
    "incomplete_period": "incomplete period",
    "crr": "retention",
    "crr_change": "retention change",
    "churn_rate": "churn",
    "churn_rate_change": "churn change",
    "revenue": "revenue",
    "revenue_change": "revenue change",
    "active_customers": "number active",
    "active_customers_change": "active change",
    "new_customers": "number new",
    "returning_customers": "number returning",
    "clv": "lifetime value",
    "crr_mover_1": "segment",
    "crr_mover_1_change": "segment retention change",
    "crr_mover_1_level": "segment retention",
    "revenue_mover_1": "segment",
    "revenue_mover_1_change": "segment revenue change",
    "revenue_mover_1_level": "segment revenue",
}

FULL = "formatted"  # the fact's display string, with its sign for a change
MAGNITUDE = "magnitude"  # a change without its sign, after a direction word

_CLV_CAVEATS = {
    CLV_NO_CHURN: "Lifetime value cannot be estimated yet because no customer has churned.",
    CLV_NO_COMPLETE_PERIOD: (
        "Lifetime value cannot be estimated yet because no complete period has customers "
        "at its start."
    ),
    CLV_NO_PAID_PURCHASE: "Lifetime value cannot be estimated because there are no paid purchases.",
    CLV_IMPLAUSIBLE: (
        "Lifetime value is not stated because churn is too low for a credible customer lifespan."
    ),
}
_CLV_CAVEAT_OTHER = "Lifetime value cannot be estimated from this data."
_NO_SUBSCRIPTIONS_CAVEAT = (
    "No customer is active under the subscription model, because the data has no "
    "subscription events."
)


@dataclass(frozen=True)
class Slot:
    """One placeholder: the fact it stands for and the form it is filled with."""

    name: str  # "retention change", written [retention change] in the draft
    fact: Fact
    form: str  # FULL or MAGNITUDE

    @property
    def value(self) -> str:
        if self.form == MAGNITUDE and self.fact.magnitude is not None:
            return self.fact.magnitude
        return self.fact.formatted


@dataclass(frozen=True)
class Draft:
    """Narrative sentences with placeholders, the slots that fill them, and the closing."""

    sentences: tuple[str, ...]
    slots: dict[str, Slot]
    closing: tuple[str, ...] = ()  # already filled in
    required: tuple[str, ...] = ()  # ids of facts every accepted text must mention
    renamed_from: dict[str, str] | None = None  # local placeholder -> the whole draft's

    @property
    def text(self) -> str:
        """The body with its placeholders."""
        return " ".join(self.sentences)

    def fill(self, text: str) -> str:
        """Replace each known placeholder in ``text`` by its value; others stay as they are."""

        def value_of(match: re.Match) -> str:
            slot = self.slots.get(match.group(1))
            return slot.value if slot is not None else match.group(0)

        return PLACEHOLDER_PATTERN.sub(value_of, text)

    def with_closing(self, body: str) -> str:
        """Return ``body`` followed by the closing sentences."""
        return " ".join(part for part in (body.strip(), *self.closing) if part)

    def render(self) -> str:
        """Return the template narrative: the body filled in, then the closing sentences."""
        return self.with_closing(self.fill(self.text))

    def sentence_draft(self, index: int) -> Draft:
        """Return sentence ``index`` alone, its placeholders renamed [F1], [F2], ... in
        reading order; it must mention every figure it holds."""
        sentence = self.sentences[index]
        names = list(dict.fromkeys(PLACEHOLDER_PATTERN.findall(sentence)))
        local = {name: f"F{number}" for number, name in enumerate(names, start=1)}
        slots = {
            local[name]: Slot(local[name], self.slots[name].fact, self.slots[name].form)
            for name in names
            if name in self.slots
        }
        renamed = PLACEHOLDER_PATTERN.sub(
            lambda match: f"[{local.get(match.group(1), match.group(1))}]", sentence
        )
        required = tuple(
            slot.fact.id for slot in slots.values() if slot.fact.kind in (LEVEL, CHANGE)
        )
        renamed_from = {local_name: name for name, local_name in local.items()}
        return Draft((renamed,), slots, (), tuple(dict.fromkeys(required)), renamed_from)

    def restore_names(self, text: str) -> str:
        """Rename the placeholders of a sentence draft back to the whole draft's names."""
        if not self.renamed_from:
            return text
        return PLACEHOLDER_PATTERN.sub(
            lambda match: f"[{self.renamed_from.get(match.group(1), match.group(1))}]", text
        )


@dataclass
class _SlotWriter:
    facts: dict[str, Fact]
    slots: dict[str, Slot] = field(default_factory=dict)

    def has(self, *fact_ids: str) -> bool:
        return all(fact_id in self.facts for fact_id in fact_ids)

    def get(self, fact_id: str) -> Fact | None:
        return self.facts.get(fact_id)

    def put(self, fact_id: str, form: str = FULL) -> str:
        fact = self.facts[fact_id]
        for slot in self.slots.values():
            if slot.fact.id == fact_id and slot.form == form:
                return f"[{slot.name}]"
        name = PLACEHOLDER_NAMES.get(fact_id, fact_id.replace("_", " "))
        if name in self.slots:
            name = fact_id.replace("_", " ")
        self.slots[name] = Slot(name, fact, form)
        return f"[{name}]"


def build_draft(insights: Insights, fact_ids: Iterable[str] | None = None) -> Draft:
    """Write the narrative for ``insights``, using only the facts in ``fact_ids`` (all
    facts when None); sentences whose facts are missing are left out."""
    allowed = set(fact_ids) if fact_ids is not None else None
    writer = _SlotWriter(
        {fact.id: fact for fact in insights.facts if allowed is None or fact.id in allowed}
    )

    sentences = [
        sentence
        for sentence in (
            _retention_sentence(writer),
            _revenue_sentence(writer),
            _driver_sentence(writer),
        )
        if sentence
    ]
    if not sentences:
        sentences = [_no_figures_sentence(insights)]

    # The closing always has every fact it needs: it is never sent to the model.
    closing_writer = _SlotWriter({fact.id: fact for fact in insights.facts})
    closing = _closing(insights, closing_writer)
    closing_draft = Draft((), closing_writer.slots)

    slots = dict(writer.slots)
    required = tuple(
        slot.fact.id
        for slot in slots.values()
        if slot.fact.priority == HEADLINE and slot.fact.kind != "period"
    )
    return Draft(
        sentences=tuple(sentences),
        slots=slots,
        closing=tuple(_capitalize(closing_draft.fill(sentence)) for sentence in closing),
        required=tuple(dict.fromkeys(required)),
    )


def _capitalize(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _change_phrase(writer: _SlotWriter, change_id: str) -> str:
    """Return ", up 3.20 points from May 2024" or similar, or "" without a change."""
    change = writer.get(change_id)
    if change is None or not writer.has("previous_period"):
        return ""
    previous = writer.put("previous_period")
    if change.direction == 0:
        return f", unchanged from {previous}"
    word = "up" if change.direction > 0 else "down"
    return f", {word} {writer.put(change_id, MAGNITUDE)} from {previous}"


def _retention_sentence(writer: _SlotWriter) -> str | None:
    if not writer.has("period"):
        return None
    if not writer.has("crr", "churn_rate"):
        if writer.has("revenue") or writer.has("active_customers"):
            return (
                f"In {writer.put('period')}, no customers were active at the start of the "
                "period, so retention and churn are not defined."
            )
        return None
    period, retention = writer.put("period"), writer.put("crr")
    change = _change_phrase(writer, "crr_change")
    churn = writer.put("churn_rate")
    if change:
        return f"In {period}, customer retention was {retention}{change}, and churn was {churn}."
    return f"In {period}, customer retention was {retention} and churn was {churn}."


def _revenue_sentence(writer: _SlotWriter) -> str | None:
    # Opening with the period keeps the bundled 135M model from reordering the figures.
    if not writer.has("period") or not (writer.has("revenue") or writer.has("active_customers")):
        return None
    opening = f"For {writer.put('period')}"
    active = ""
    verb = "were"
    if writer.has("active_customers"):
        count = writer.get("active_customers").value
        active = f"{writer.put('active_customers')} active {noun_form(count, 'customer')}"
        verb = noun_form(count, "was", "were")
    if not writer.has("revenue"):
        return f"{opening}, there {verb} {active}."
    sentence = f"{opening}, revenue was {writer.put('revenue')}"
    sentence += _change_phrase(writer, "revenue_change")
    return f"{sentence}, with {active}." if active else f"{sentence}."


def _driver_sentence(writer: _SlotWriter) -> str | None:
    """Name the segment that contributed most to the headline change.

    The segment is named only if its own figure moved the same way as the headline. For
    retention that is its rate effect, as insights.segments explains.
    """
    for metric, noun in (("crr", "retention"), ("revenue", "revenue")):
        change = writer.get(f"{metric}_change")
        prefix = f"{metric}_mover_1"
        if change is None or change.direction == 0 or not writer.has(prefix):
            continue
        own_change = writer.get(f"{prefix}_change")
        if own_change is None or own_change.direction != change.direction:
            continue
        verb = "rose" if own_change.direction > 0 else "fell"
        return (
            f"The largest contribution came from {writer.put(prefix)}, where {noun} {verb} "
            f"{writer.put(f'{prefix}_change', MAGNITUDE)}."
        )
    return None


def _no_figures_sentence(insights: Insights) -> str:
    if insights.incomplete_period is not None and insights.period is None:
        return "No period is complete yet, so there are no figures to report."
    return "There are no figures to report yet."


def _closing(insights: Insights, writer: _SlotWriter) -> list[str]:
    """Return the closing sentences: why no customer is active, the lifetime value or why
    it is missing, and the incomplete period."""
    sentences = []
    if any(warning.code == NO_SUBSCRIPTION_EVENTS for warning in insights.warnings):
        sentences.append(_NO_SUBSCRIPTIONS_CAVEAT)
    if insights.period is not None:
        clv_warning = next(
            (warning for warning in insights.warnings if warning.code == "clv_not_estimable"),
            None,
        )
        if writer.has("clv"):
            sentences.append(f"Estimated customer lifetime value is {writer.put('clv')}.")
        elif clv_warning is not None:
            sentences.append(_CLV_CAVEATS.get(clv_warning.reason or "", _CLV_CAVEAT_OTHER))
    if writer.has("incomplete_period"):
        if insights.period is not None:
            sentences.append(
                f"{writer.put('incomplete_period')} is still incomplete and is left out of "
                "these comparisons."
            )
        else:
            sentences.append(f"{writer.put('incomplete_period')} is still in progress.")
    return sentences
