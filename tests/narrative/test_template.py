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
    mix_and_rate_metrics,
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


def test_driver_is_segment_whose_rate_moved():
    insights = build_insights(mix_and_rate_metrics())
    draft = build_draft(insights)
    text = draft.render()

    assert (
        'The largest contribution came from channel "paid", where retention rose 20.00 points.'
        in (text)
    )
    assert "social" not in text
    assert check_text(draft.text, draft, insights.facts).passed


def test_driver_moving_against_change_is_not_named():
    # a keeps 50.00% (S 10 -> 10); b falls 100.00% -> 90.00% while its S grows 10 -> 30.
    # Overall 15 / 20 = 75.00% -> 32 / 40 = 80.00% rises through the mix alone, and b's
    # only rate effect (0.50 x -10 = -5.00 points) goes against it: no driver to name.
    a = [
        period_row("2024-02", S=10, E=10, new_first_time=5, revenue=10.0),
        period_row("2024-03", S=10, E=10, new_first_time=5, revenue=10.0),
    ]
    b = [
        period_row("2024-02", S=10, E=30, new_first_time=20, revenue=10.0),
        period_row("2024-03", S=30, E=30, new_first_time=3, revenue=10.0),
    ]
    metrics = metrics_result(
        [
            period_row("2024-02", S=20, E=40, new_first_time=25, revenue=20.0),
            period_row("2024-03", S=40, E=40, new_first_time=8, revenue=20.0),
        ],
        as_of="2024-03-31",
    )
    metrics["segment"] = "channel"
    metrics["segments"] = [
        {"value": "a", "periods": a, "cohorts": [], "clv": {}},
        {"value": "b", "periods": b, "cohorts": [], "clv": {}},
    ]
    insights = build_insights(metrics)
    text = build_draft(insights).render()

    assert insights.fact("crr_change").formatted == "+5.00 points"
    assert insights.fact("crr_mover_1").value == "b"
    assert "largest contribution" not in text


def test_closing_explains_subscription_model_without_subscriptions():
    metrics = metrics_result(
        [
            period_row("2024-02", S=0, E=0, new_first_time=0, revenue=10.0),
            period_row("2024-03", S=0, E=0, new_first_time=0, revenue=20.0),
        ],
        as_of="2024-03-31",
        model="subscription",
        window="subscription",
    )
    metrics["warnings"] = [
        {"code": "no_subscription_events", "message": "The data has no subscription events."}
    ]
    draft = build_draft(build_insights(metrics))

    assert draft.closing[0] == (
        "No customer is active under the subscription model, because the data has no "
        "subscription events."
    )


def test_one_active_customer_is_singular():
    metrics = metrics_result(
        [
            period_row("2024-02", S=0, E=1, new_first_time=1, revenue=10.0),
            period_row("2024-03", S=1, E=1, new_first_time=0, revenue=20.0),
        ],
        as_of="2024-03-31",
    )
    text = build_draft(build_insights(metrics)).render()

    assert "with 1 active customer." in text
