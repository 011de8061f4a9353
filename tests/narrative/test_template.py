"""The template narrative: always present, always passing its own check."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.insights import build_insights
from analytics.narrative.check import check_text
from analytics.narrative.numbers import find_numbers
from analytics.narrative.template import build_draft
from narrative.samples import (
    metrics_result,
    no_churn_yet_metrics,
    partial_last_period_metrics,
    period_row,
    segmented_metrics,
)


@st.composite
def metrics_results(draw):
    """Three months of consistent counts and revenue, the last one possibly incomplete."""
    periods = []
    start = 0
    for month in (1, 2, 3):
        retained = draw(st.integers(0, start))
        new = draw(st.integers(0, 500))
        returning = draw(st.integers(0, 50))
        revenue = draw(st.floats(0, 1e7, allow_nan=False).map(lambda value: round(value, 2)))
        end = retained + new + returning
        complete = month < 3 or draw(st.booleans())
        periods.append(
            period_row(
                f"2024-{month:02d}",
                S=start,
                E=end,
                new_first_time=new,
                returning=returning,
                revenue=revenue,
                complete=complete,
            )
        )
        start = end
    return metrics_result(periods, as_of="2024-03-31")


def assert_every_number_is_a_fact(text, facts):
    allowed = set()
    for fact in facts:
        for shown in (fact.formatted, fact.magnitude or ""):
            allowed.update(token.key for token in find_numbers(shown))
    for token in find_numbers(text):
        assert token.key in allowed, f"{token.text} in {text!r}"


@settings(max_examples=150, deadline=None)
@given(metrics_results())
def test_template_passes_its_own_check(metrics):
    insights = build_insights(metrics)
    draft = build_draft(insights)

    assert check_text(draft.text, draft, insights.facts).passed
    assert_every_number_is_a_fact(draft.render(), insights.facts)


@settings(max_examples=50, deadline=None)
@given(metrics_results())
def test_each_draft_sentence_passes_alone(metrics):
    insights = build_insights(metrics)
    draft = build_draft(insights)

    for index in range(len(draft.sentences)):
        sentence = draft.sentence_draft(index)
        assert check_text(sentence.text, sentence, insights.facts).passed, sentence.text


def test_template_with_segments_passes_its_own_check():
    insights = build_insights(segmented_metrics())
    draft = build_draft(insights)

    assert check_text(draft.text, draft, insights.facts).passed
    assert len(draft.sentences) == 3


def test_template_names_incomplete_period_in_closing():
    draft = build_draft(build_insights(partial_last_period_metrics()))

    assert draft.closing[-1] == (
        "March 2024 is still incomplete and is left out of these comparisons."
    )
    assert "March" not in draft.text


def test_template_explains_missing_clv():
    draft = build_draft(build_insights(no_churn_yet_metrics()))

    assert "Lifetime value cannot be estimated yet because no customer has churned." in (
        draft.closing
    )


def test_sentence_draft_numbers_placeholders_locally():
    draft = build_draft(build_insights(segmented_metrics()))
    sentence = draft.sentence_draft(1)

    assert sentence.text.startswith("For [F1], revenue was [F2], down [F3] from [F4]")
    assert sentence.restore_names("[F2] and [F1]") == "[revenue] and [period]"
