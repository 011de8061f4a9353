"""The real bundled model (SmolLM2-135M-Instruct through llama.cpp) on CDNOW and demo data.

Whatever the model writes, every number shown must be a computed fact, the narrative must
say who wrote it, and the same inputs must give the same text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_paths import CDNOW_DIR

from analytics.config import Settings, bundled_model_path, load_settings
from analytics.demo.load import load_demo
from analytics.metrics import MetricOptions, compute_metrics
from analytics.narrative import MODEL, TEMPLATE, write_narrative
from analytics.narrative.numbers import find_numbers
from analytics.store import connect
from analytics.store.ingest.loader import ingest_file
from analytics.store.ingest.options import IngestOptions

pytestmark = pytest.mark.model

BUNDLED_MODEL_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def metrics_of(settings: Settings, options: MetricOptions) -> dict:
    with connect(settings.database_path, read_only=True) as connection:
        return compute_metrics(connection, options)


@pytest.fixture(scope="module")
def cdnow_settings(tmp_path_factory) -> Settings:
    home = tmp_path_factory.mktemp("cdnow_home")
    settings = load_settings(home)
    ingest_file(
        CDNOW_DIR / "cdnow_transactions.csv",
        IngestOptions(mapping={"event_time": "order_date"}),
        settings,
    )
    return settings


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory) -> Settings:
    settings = load_settings(tmp_path_factory.mktemp("demo_home"))
    load_demo(settings, seed=3, customers=1_500)
    return settings


def fresh_home(settings: Settings, folder: Path) -> Settings:
    """The same database with an empty GROWTH_HOME, so no cached narrative is reused."""
    folder.mkdir()
    return settings.replace(home=folder, database=settings.database_path)


def assert_grounded(narrative) -> None:
    allowed = set()
    for fact in narrative.facts:
        for text in (fact.formatted, fact.magnitude or ""):
            allowed.update(token.key for token in find_numbers(text))
    assert narrative.text.strip()
    for token in find_numbers(narrative.text):
        assert token.key in allowed, f"{token.text} in {narrative.text!r} is not a fact"


def test_bundled_model_is_installed():
    path = bundled_model_path()

    assert path is not None
    assert path.name == BUNDLED_MODEL_NAME
    assert path.is_file()


@pytest.mark.parametrize(
    "options",
    [
        MetricOptions(grain="month"),
        MetricOptions(grain="quarter", window="period"),
        MetricOptions(grain="month", date_to="1997-09-30"),
    ],
    ids=["month", "quarter", "to-september"],
)
def test_cdnow_narrative_is_grounded_and_repeatable(cdnow_settings, tmp_path, options):
    metrics = metrics_of(cdnow_settings, options)
    first = write_narrative(metrics, fresh_home(cdnow_settings, tmp_path / "first"))
    second = write_narrative(metrics, fresh_home(cdnow_settings, tmp_path / "second"))

    assert first.source in (MODEL, TEMPLATE)
    assert first.model == BUNDLED_MODEL_NAME
    assert_grounded(first)
    assert second.text == first.text
    assert second.source == first.source


def test_cdnow_narrative_states_the_latest_complete_month(cdnow_settings, tmp_path):
    metrics = metrics_of(cdnow_settings, MetricOptions(grain="month"))
    narrative = write_narrative(metrics, fresh_home(cdnow_settings, tmp_path / "home"))
    crr = next(fact for fact in narrative.facts if fact.id == "crr")

    assert crr.period == "1998-06"
    assert crr.formatted in narrative.text


def test_demo_narrative_with_segments_is_grounded_and_repeatable(demo_settings, tmp_path):
    metrics = metrics_of(demo_settings, MetricOptions(grain="month", segment="channel"))
    first = write_narrative(metrics, fresh_home(demo_settings, tmp_path / "first"))
    second = write_narrative(metrics, fresh_home(demo_settings, tmp_path / "second"))

    assert first.source in (MODEL, TEMPLATE)
    assert first.model == BUNDLED_MODEL_NAME
    assert_grounded(first)
    assert second.text == first.text


def test_model_streams_what_it_writes(demo_settings, tmp_path):
    metrics = metrics_of(demo_settings, MetricOptions(grain="quarter"))
    pieces: list[str] = []
    narrative = write_narrative(
        metrics,
        fresh_home(demo_settings, tmp_path / "home"),
        on_token=pieces.append,
        on_attempt=lambda number: pieces.clear(),
    )

    if narrative.source == MODEL:
        assert "".join(pieces) == narrative.text
    else:
        assert any("grounding check" in note for note in narrative.notes)


def test_cached_narrative_is_reused(demo_settings, tmp_path):
    settings = fresh_home(demo_settings, tmp_path / "home")
    metrics = metrics_of(demo_settings, MetricOptions(grain="month"))
    first = write_narrative(metrics, settings)
    second = write_narrative(metrics, settings)

    assert second.text == first.text
    assert list((settings.home / "cache" / "narratives").glob("*.json"))
