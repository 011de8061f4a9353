"""Attacks carried in data values pass through as inert text: stored verbatim, escaped in
HTML and Markdown reports, neutralised in CSV, kept out of the narrative prompt, and
drawn as text by the dashboard."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import duckdb
import pytest
from dashboard_support import open_app, problems_on
from hostile_data import (
    CAMPAIGNS,
    FORMULA,
    HOSTILE_VALUES,
    IMAGE,
    INSTRUCTION,
    LONG_CAMPAIGN,
    PLACEHOLDER,
    SCRIPT,
    SQL_DROP,
    TEMPLATE,
    hostile_rows,
    write_hostile_csv,
)
from reliability_support import run_cli

from analytics.config import Settings
from analytics.exports import FORMULA_PREFIX_PATTERN, PLAIN_NUMBER_PATTERN
from analytics.insights.formatting import TRUNCATION_MARKER
from analytics.metrics import MetricOptions, compute_metrics
from analytics.narrative import TEMPLATE as TEMPLATE_SOURCE
from analytics.narrative import ScriptedEngine, write_narrative
from analytics.store import connect

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _TextCollector(HTMLParser):
    """The text a browser would show, and the tags it would build."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
def hostile_database(settings: Settings, tmp_path: Path) -> Path:
    completed = run_cli("ingest", str(write_hostile_csv(tmp_path / "hostile.csv")))
    assert completed.returncode == 0, completed.stderr
    return settings.database_path


def stored_rows(database: Path) -> set[tuple]:
    connection = duckdb.connect(str(database), read_only=True)
    try:
        return set(
            connection.execute(
                "SELECT customer_id, event_id, attributes['campaign'], attributes['note'] "
                "FROM events"
            ).fetchall()
        )
    finally:
        connection.close()


def test_ingest_stores_values_verbatim(hostile_database: Path):
    expected = {(row.customer_id, row.event_id, row.campaign, row.note) for row in hostile_rows()}

    assert stored_rows(hostile_database) == expected
    assert any(len(campaign) == 10_000 for _, _, campaign, _ in expected)


def test_segment_values_come_back_verbatim(hostile_database: Path):
    completed = run_cli("metrics", "--segment", "campaign", "--format", "json")

    assert completed.returncode == 0, completed.stderr
    values = [segment["value"] for segment in json.loads(completed.stdout)["segments"]]
    assert sorted(values) == sorted(CAMPAIGNS)


@pytest.fixture
def report_files(hostile_database: Path, tmp_path: Path) -> dict[str, Path]:
    out = tmp_path / "reports"
    completed = run_cli("report", "--out", str(out), "--segment", "campaign", "--window", "period")
    assert completed.returncode == 0, completed.stderr
    paths = [Path(line) for line in completed.stdout.split()]
    return {path.suffix.lstrip("."): path for path in paths}


def test_html_report_shows_values_as_text(report_files: dict[str, Path]):
    page = report_files["html"].read_text(encoding="utf-8")
    parsed = _TextCollector()
    parsed.feed(page)
    text = "".join(parsed.text)

    assert SCRIPT not in page
    assert IMAGE not in page
    assert html.escape(SCRIPT, quote=False) in page
    for value in (SCRIPT, IMAGE, TEMPLATE, FORMULA, SQL_DROP):
        assert value in text
    assert not [attrs for tag, attrs in parsed.tags if tag == "img" and attrs.get("src") == "x"]
    assert not [attrs for tag, attrs in parsed.tags if any(a.startswith("on") for a in attrs)]


def test_html_report_cuts_long_value_with_marker(report_files: dict[str, Path]):
    page = report_files["html"].read_text(encoding="utf-8")

    assert LONG_CAMPAIGN not in page
    assert LONG_CAMPAIGN[:40] in page
    assert TRUNCATION_MARKER in page


def test_markdown_report_renders_values_as_text(report_files: dict[str, Path]):
    markdown = report_files["md"].read_text(encoding="utf-8")
    # Rendered as a Markdown viewer would, with raw HTML let through, as GitHub's
    # renderer does before it sanitises.
    rendered = cmarkgfm.github_flavored_markdown_to_html(
        markdown, options=cmarkgfm.Options.CMARK_OPT_UNSAFE
    )
    parsed = _TextCollector()
    parsed.feed(rendered)
    text = "".join(parsed.text)

    assert not [tag for tag, _ in parsed.tags if tag == "script"]
    assert not [attrs for tag, attrs in parsed.tags if tag == "img"]
    assert not [attrs for tag, attrs in parsed.tags if any(a.startswith("on") for a in attrs)]
    for value in (SCRIPT, IMAGE, TEMPLATE, FORMULA, SQL_DROP, INSTRUCTION):
        assert value in text
    assert LONG_CAMPAIGN not in markdown
    assert LONG_CAMPAIGN[:40] in text


def test_report_csv_neutralises_formulas(report_files: dict[str, Path]):
    rows = list(csv.reader(io.StringIO(report_files["csv"].read_text(encoding="utf-8"))))
    cells = [cell for row in rows[1:] for cell in row]

    assert "'" + FORMULA in cells
    assert FORMULA not in cells
    for cell in cells:
        if re.match(FORMULA_PREFIX_PATTERN, cell):
            assert re.match(PLAIN_NUMBER_PATTERN, cell), cell


def segmented_metrics(database: Path) -> tuple[dict, dict]:
    with connect(database, read_only=True) as connection:
        overall = compute_metrics(connection, MetricOptions(window="period"))
        by_campaign = compute_metrics(
            connection, MetricOptions(window="period", segment="campaign")
        )
    return overall, by_campaign


def draft_sentence(prompt: str) -> str:
    """The sentence a prompt asks the model to reword: the user message's last line."""
    user = prompt.split("<user>\n", 1)[1]
    return user.split("\n<assistant>", 1)[0].split("\n", 1)[1]


def test_prompt_carries_no_data_values(settings: Settings, hostile_database: Path):
    overall, by_campaign = segmented_metrics(hostile_database)
    engine = ScriptedEngine([draft_sentence])

    narrative = write_narrative(
        overall, settings, engine=engine, segment_metrics=by_campaign, use_cache=False
    )

    assert engine.prompts
    prompts = "\n".join(engine.prompts)
    for value in (*HOSTILE_VALUES, LONG_CAMPAIGN[:40]):
        if value == PLACEHOLDER:
            continue  # the prompts hold placeholders of their own
        assert value not in prompts
    assert "99%" not in prompts
    # The segment that drove the change is named in the text, cut to the attribute limit.
    assert narrative.source == "model"
    assert LONG_CAMPAIGN not in narrative.text
    assert LONG_CAMPAIGN[:40] in narrative.text
    assert TRUNCATION_MARKER in narrative.text
    movers = [fact.formatted for fact in narrative.facts if fact.id.startswith("revenue_mover")]
    assert any(INSTRUCTION in mover for mover in movers)
    assert any(PLACEHOLDER in mover for mover in movers)
    limit = settings.limits.max_attribute_chars
    assert all(len(fact.formatted) <= limit + len('campaign ""') for fact in narrative.facts)


def test_model_cannot_add_a_number_through_a_value(settings: Settings, hostile_database: Path):
    overall, by_campaign = segmented_metrics(hostile_database)
    engine = ScriptedEngine(["Revenue rose 99% thanks to [F1]."])

    narrative = write_narrative(
        overall, settings, engine=engine, segment_metrics=by_campaign, use_cache=False
    )

    assert narrative.source == TEMPLATE_SOURCE
    assert "Revenue rose 99% thanks" not in narrative.text
    assert narrative.notes


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point the model setting at a missing file, so the Narrative page uses its template."""
    monkeypatch.setenv("GROWTH_MODEL_PATH", str(tmp_path / "missing.gguf"))


@pytest.mark.parametrize("page", ["overview.py", "retention.py", "clv.py", "narrative.py"])
def test_dashboard_pages_draw_values_as_text(hostile_database: Path, no_model, page: str):
    app = open_app({"segment": "campaign", "window": "period"}, page=page)

    assert problems_on(app) == []
    drawn = [str(element.value) for element in (*app.markdown, *app.caption)]
    for value in (SCRIPT, IMAGE):
        assert not any(value in text for text in drawn)


def test_dashboard_selects_hostile_segment_value(hostile_database: Path, no_model):
    app = open_app({"segment": "campaign", "value": SCRIPT, "window": "period"}, page="clv.py")

    assert problems_on(app) == []
    assert any(SCRIPT in str(box.value) for box in app.sidebar.selectbox)
