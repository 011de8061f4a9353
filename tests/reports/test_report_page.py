"""The Reports page of the dashboard, driven through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_parsing import html_kpis
from report_samples import insert_events
from streamlit.testing.v1 import AppTest

from analytics.demo.generator import generate_events

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture(autouse=True)
def no_model(monkeypatch, tmp_path):
    """Point the model setting at a missing file, so the template writes the narrative."""
    monkeypatch.setenv("GROWTH_MODEL_PATH", str(tmp_path / "missing.gguf"))


def open_reports_page() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=180)
    app.switch_page("pages/reports.py")
    return app.run()


def render_button(app: AppTest):
    return next(button for button in app.button if button.label == "Render report")


def test_page_asks_for_options_first(settings):
    insert_events(settings.database_path, generate_events(seed=5, customers=200))
    app = open_reports_page()
    assert not app.exception
    assert app.title[0].value == "Reports"
    assert any("render a report" in info.value for info in app.info)


def test_rendered_report_offers_preview_and_figures(settings):
    insert_events(settings.database_path, generate_events(seed=5, customers=400))
    app = open_reports_page()
    render_button(app).click()
    app.run()
    assert not app.exception
    assert not app.error
    report, rendered = app.session_state["reports_result"]
    assert report.segment_attribute == "channel"  # demo data has channels
    kpis = html_kpis(rendered.html)
    headline = report.headline_period
    assert report.currency == "USD"  # the demo data's currency column
    assert kpis["revenue"]["value"] == f"${headline['revenue']:,.2f}"
    assert kpis["active_customers"]["value"] == f"{headline['E']:,d}"
    assert any(report.title in caption.value for caption in app.caption)
    assert app.radio[0].value == "HTML"

    app.radio[0].set_value("Markdown").run()
    assert not app.exception
    assert any("## Key figures" in block.value for block in app.markdown)


def test_segment_none_leaves_clv_unsplit(settings):
    insert_events(settings.database_path, generate_events(seed=5, customers=200))
    app = open_reports_page()
    app.selectbox(key="reports_segment").set_value("none")
    render_button(app).click()
    app.run()
    report, _ = app.session_state["reports_result"]
    assert report.segment_attribute is None
    assert report.segments == ()


def test_empty_database_shows_error(settings):
    app = open_reports_page()
    if app.button and any(button.label == "Render report" for button in app.button):
        render_button(app).click()
        app.run()
    assert not app.exception
    messages = [element.value for element in (*app.error, *app.info)]
    assert messages  # an empty workspace is a message, not a traceback
    assert "reports_result" not in app.session_state
