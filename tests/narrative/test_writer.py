"""write_narrative with a scripted engine: what is shown, with which source and notes."""

from __future__ import annotations

import re

import pytest

from analytics.narrative import MODEL, TEMPLATE, ScriptedEngine, write_narrative
from analytics.narrative.numbers import find_numbers
from narrative.samples import (
    echo,
    invented_numbers_metrics,
    no_churn_yet_metrics,
    partial_last_period_metrics,
    segmented_metrics,
)

TEMPLATE_TEXT = (
    "In June 2024, customer retention was 66.67% and churn was 33.33%. For June 2024, "
    "revenue was 60.00, down 33.33% from May 2024, with 2 active customers. Estimated "
    "customer lifetime value is 114.14."
)


def narrate(settings, answers, metrics=None, **options):
    engine = ScriptedEngine(answers, name="scripted-model")
    return write_narrative(
        metrics or invented_numbers_metrics(), settings, engine=engine, **options
    )


def assert_numbers_are_facts(narrative):
    allowed = set()
    for fact in narrative.facts:
        for text in (fact.formatted, fact.magnitude or ""):
            allowed.update(token.digits for token in find_numbers(text))
    for token in find_numbers(narrative.text):
        assert token.digits in allowed, f"{token.text} in {narrative.text!r} is not a fact"


def test_template_reads_well_alone(settings):
    narrative = narrate(settings, ["Customer retention improved to 80% in June."])

    assert narrative.text == TEMPLATE_TEXT


def test_invented_figure_gives_template_with_note(settings):
    narrative = narrate(settings, ["Customer retention improved to 80% in June."])

    assert narrative.source == TEMPLATE
    assert narrative.model == "scripted-model"
    assert "80" not in narrative.text
    assert any("failed the grounding check" in note and "80%" in note for note in narrative.notes)
    assert_numbers_are_facts(narrative)


def test_empty_answer_gives_template(settings):
    narrative = narrate(settings, [""])

    assert narrative.source == TEMPLATE
    assert narrative.text == TEMPLATE_TEXT
    assert any("the text is empty" in note for note in narrative.notes)


def test_repeated_line_gives_template(settings):
    narrative = narrate(settings, ["Customer retention was 66.67% in June.\n" * 4])

    assert narrative.source == TEMPLATE
    assert any("repeats" in note for note in narrative.notes)


def test_case_sentence_is_accepted_from_model(settings):
    narrative = narrate(
        settings, ["Customer retention was 66.67% in June and churn was 33.33%.", echo]
    )

    assert narrative.source == MODEL
    assert narrative.model == "scripted-model"
    assert narrative.text.startswith("Customer retention was 66.67% in June and churn was 33.33%.")
    assert_numbers_are_facts(narrative)


def test_placeholder_form_is_accepted_and_filled(settings):
    narrative = narrate(settings, ["Customer retention was [F2] in [F1] and churn was [F3].", echo])

    assert narrative.source == MODEL
    assert narrative.text.startswith(
        "Customer retention was 66.67% in June 2024 and churn was 33.33%."
    )


def test_wrong_direction_gives_template(settings):
    narrative = narrate(
        settings, [echo, "For June 2024, revenue rose 33.33% to 60.00, with 2 active customers."]
    )

    assert narrative.source == TEMPLATE
    assert any("'rose' contradicts" in note for note in narrative.notes)


def test_failed_sentence_is_asked_again_in_another_style(settings):
    engine = ScriptedEngine(["Customer retention improved to 80%.", echo])
    narrative = write_narrative(invented_numbers_metrics(), settings, engine=engine)

    assert narrative.source == MODEL
    assert len(engine.prompts) == 3  # sentence 1 twice, sentence 2 once
    assert engine.prompts[0] != engine.prompts[1]


def test_model_never_sees_figures_or_segment_names(settings):
    engine = ScriptedEngine([echo])
    write_narrative(segmented_metrics(), settings, engine=engine)
    prompts = "\n".join(engine.prompts)

    assert "email" not in prompts
    assert not re.search(r"\d+\.\d\d", prompts)
    for grammar in engine.grammars:
        assert "[0-9]" not in grammar


def test_segment_driver_is_named(settings):
    narrative = narrate(settings, [echo], metrics=segmented_metrics())

    assert narrative.source == MODEL
    assert (
        'The largest contribution came from channel "email", where retention fell 40.00 points.'
        in (narrative.text)
    )


def test_partial_period_compares_february_with_january(settings):
    narrative = narrate(settings, [echo], metrics=partial_last_period_metrics())

    assert "February 2024" in narrative.text
    assert "January 2024" in narrative.text
    assert "unchanged from January 2024" in narrative.text
    assert "40.00" not in narrative.text  # March's partial revenue
    assert "March 2024 is still incomplete" in narrative.text
    assert any("March 2024 is incomplete" in note for note in narrative.notes)


def test_no_churn_yet_never_states_clv(settings):
    narrative = narrate(settings, [echo], metrics=no_churn_yet_metrics())

    assert "no customer has churned" in narrative.text
    assert "inf" not in narrative.text.lower()
    assert_numbers_are_facts(narrative)


def test_no_complete_period_gives_template_without_model(settings):
    metrics = partial_last_period_metrics()
    metrics["periods"] = metrics["periods"][-1:]
    engine = ScriptedEngine([echo])
    narrative = write_narrative(metrics, settings, engine=engine)

    assert narrative.source == TEMPLATE
    assert engine.prompts == []
    assert narrative.text.startswith("No period is complete yet")


def test_json_has_the_narrate_fields(settings):
    payload = narrate(settings, [echo]).to_dict()

    assert set(payload) == {"text", "source", "model", "facts", "notes"}
    crr = next(fact for fact in payload["facts"] if fact["id"] == "crr")
    assert crr["formatted"] == "66.67%"
    assert crr["value"] == pytest.approx(66.6667, abs=1e-4)


def test_same_facts_give_same_text_from_cache(settings):
    first = narrate(settings, [echo])
    engine = ScriptedEngine(["this would fail the check"], name="scripted-model")
    second = write_narrative(invented_numbers_metrics(), settings, engine=engine)

    assert second.text == first.text
    assert second.source == MODEL
    assert engine.prompts == []  # answered from the cache


def test_cache_is_kept_under_growth_home(settings):
    narrate(settings, [echo])

    assert list((settings.home / "cache" / "narratives").glob("*.json"))
    assert not settings.database_path.exists()


def test_streamed_text_has_figures_filled_in(settings):
    pieces: list[str] = []
    attempts: list[int] = []
    narrative = narrate(settings, [echo], on_token=pieces.append, on_attempt=attempts.append)

    assert "".join(pieces) == narrative.text
    assert attempts == [1]


def test_retry_restreams_the_text_that_stands(settings):
    pieces: list[str] = []
    attempts: list[int] = []

    def on_attempt(number):
        attempts.append(number)
        pieces.clear()

    narrative = narrate(
        settings,
        [echo, "Revenue rose 1000%.", echo],
        on_token=pieces.append,
        on_attempt=on_attempt,
    )

    assert narrative.source == MODEL
    assert attempts == [1, 3]
    assert "".join(pieces) == narrative.text
