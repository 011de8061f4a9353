"""The llama.cpp engine's set-up: header checks, their cache, threads and context size."""

from __future__ import annotations

import pytest

from analytics.config import ModelSettings, bundled_model_path
from analytics.errors import ModelUnavailableError
from analytics.narrative import llama
from analytics.narrative.grammar import placeholder_grammar
from analytics.narrative.model_file import usable_threads


def test_header_check_is_cached_under_growth_home(growth_home, monkeypatch):
    # Another test in this process may have checked the header already.
    monkeypatch.setattr(llama, "_inspected", {})
    llama.LlamaEngine(ModelSettings())
    cache_file = growth_home.joinpath(*llama.HEADER_CACHE)
    assert cache_file.is_file()

    def must_not_run(*args, **kwargs):
        raise AssertionError("the header was read again")

    monkeypatch.setattr(llama, "_inspected", {})
    monkeypatch.setattr(llama, "inspect_model_file", must_not_run)
    engine = llama.LlamaEngine(ModelSettings())

    assert engine.name == bundled_model_path().name


def test_context_size_is_capped_at_trained_length():
    engine = llama.LlamaEngine(ModelSettings(context_size=100_000))

    assert engine.context_size == 8192


@pytest.mark.parametrize("threads", [0, -1, 100_000])
def test_unusable_thread_count_is_rejected(threads):
    with pytest.raises(ModelUnavailableError, match="model.threads"):
        usable_threads(threads)


def test_thread_count_within_machine_is_kept():
    assert usable_threads(1) == 1
    assert usable_threads(None) is None


def test_grammar_allows_only_given_placeholders():
    grammar = placeholder_grammar(["F2", "F1", "F10"], sentences=1)

    assert 'placeholder ::= "[F1]" | "[F2]" | "[F10]"' in grammar
    assert "root ::= sentence\n" in grammar
    assert "0-9" not in grammar
