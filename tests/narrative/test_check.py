"""The grounding check on its own: which texts pass and why the others fail."""

from __future__ import annotations

import pytest

from analytics.insights import build_insights
from analytics.narrative.check import check_text
from analytics.narrative.template import build_draft
from narrative.samples import invented_numbers_metrics, segmented_metrics


@pytest.fixture
def invented():
    insights = build_insights(invented_numbers_metrics())
    return insights, build_draft(insights)


@pytest.fixture
def segmented():
    insights = build_insights(segmented_metrics())
    return insights, build_draft(insights)


def problems_of(text, case) -> tuple[str, ...]:
    insights, draft = case
    return check_text(text, draft, insights.facts).problems


def test_case_sentence_with_computed_figures_passes(invented):
    assert (
        problems_of("Customer retention was 66.67% in June and churn was 33.33%.", invented) == ()
    )


def test_case_sentence_in_placeholder_form_passes(invented):
    insights, draft = invented
    result = check_text(
        "Customer retention was [retention] in [period] and churn was [churn].",
        draft,
        insights.facts,
    )

    assert result.passed
    assert result.text == "Customer retention was 66.67% in June 2024 and churn was 33.33%."


def test_invented_figure_fails(invented):
    problems = problems_of("Customer retention improved to 80% in June.", invented)

    assert "the number '80%' is not a computed fact" in problems


def test_figure_off_display_precision_fails(invented):
    problems = problems_of("Customer retention was 66.7% and churn was 33.33%.", invented)

    assert "the number '66.7%' is not a computed fact" in problems


def test_direction_without_computed_change_fails(invented):
    # May had no customers at its start, so no change in retention exists.
    problems = problems_of("Customer retention improved to 66.67% and churn was 33.33%.", invented)

    assert any("no change of it was computed" in problem for problem in problems)


def test_wrong_direction_fails(invented):
    problems = problems_of(
        "Customer retention was 66.67% and churn was 33.33%. Revenue rose 33.33% to 60.00.",
        invented,
    )

    assert any("'rose' contradicts" in problem for problem in problems)


def test_right_direction_passes(invented):
    text = "Customer retention was 66.67% and churn was 33.33%. Revenue fell 33.33% to 60.00."

    assert problems_of(text, invented) == ()


def test_improved_churn_means_lower_churn(segmented):
    # Churn rose 10.00 points (retention fell from 80.00% to 70.00%).
    insights, draft = segmented
    text = "Customer retention was 70.00% and churn was 30.00%. Churn improved by 10.00 points."

    assert any(
        "'improved' contradicts" in p for p in check_text(text, draft, insights.facts).problems
    )


def test_swapped_rates_fail(invented):
    problems = problems_of("Customer retention was 33.33% and churn was 66.67%.", invented)

    assert any("as retention" in problem for problem in problems)
    assert any("as churn" in problem for problem in problems)


def test_empty_text_fails(invented):
    assert problems_of("", invented) == ("the text is empty",)
    assert problems_of("  \n ", invented) == ("the text is empty",)


def test_repeated_line_fails(invented):
    text = "Customer retention was 66.67% and churn was 33.33%.\n" * 4

    assert any("repeats" in problem for problem in problems_of(text, invented))


def test_text_cut_mid_sentence_fails(invented):
    problems = problems_of("Customer retention was 66.67% and churn was 33.33% while", invented)

    assert "it stops in the middle of a sentence" in problems


def test_missing_key_fact_fails(invented):
    problems = problems_of("Customer retention was 66.67% in June.", invented)

    assert any("leaves out Churn rate" in problem for problem in problems)


def test_unknown_placeholder_fails(invented):
    problems = problems_of(
        "Customer retention was [retention] and churn was [churn] of [growth].", invented
    )

    assert "it uses unknown placeholders [growth]" in problems


def test_spelled_out_figure_fails(invented):
    problems = problems_of(
        "Customer retention was 66.67%, churn was 33.33% and revenue halved to eighty.", invented
    )

    assert any("spells out figures" in problem for problem in problems)


def test_text_about_the_request_fails(invented):
    problems = problems_of(
        "Customer retention was 66.67% and churn was 33.33%. Rewrite of the user's text.", invented
    )

    assert any("talks about the request" in problem for problem in problems)


def test_period_after_from_must_be_a_period(invented):
    problems = problems_of(
        "Customer retention was 66.67% and churn was 33.33%, down from 60.00.", invented
    )

    assert any("does not read as a fact" in problem for problem in problems)


def test_metric_named_without_its_figure_fails(segmented):
    insights, draft = segmented
    text = "Customer retention was 70.00% and churn was 30.00%, with 10 new customers active."

    assert any("calls a figure" in p for p in check_text(text, draft, insights.facts).problems)


def test_signed_figure_must_keep_its_sign(invented):
    problems = problems_of(
        "Customer retention was 66.67% and churn was 33.33%; revenue changed by +33.33%.", invented
    )

    assert "the number '+33.33%' is not a computed fact" in problems


def test_mentioned_facts_are_reported(invented):
    insights, draft = invented
    result = check_text(
        "In [period], customer retention was [retention] and churn was [churn].",
        draft,
        insights.facts,
    )

    assert {"period", "crr", "churn_rate"} <= result.mentioned
