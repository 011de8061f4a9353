"""The HTML report in Debian's headless Chromium: it renders its charts with no network."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright
from report_samples import (
    GENERATED_AT,
    INJECTED_SCRIPT,
    build_partial_metrics,
    build_template_narrative,
)

from analytics.config import Settings
from analytics.metrics.options import MetricOptions
from analytics.reports.build import assemble_report
from analytics.reports.deliver import report_stem, write_report_files
from analytics.reports.render import render_report

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def open_report(path):
    """Load ``path`` in Chromium; return every requested URL, dialogs opened and page facts."""
    requested: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True)

            def record(route):
                url = route.request.url
                requested.append(url)
                if url.startswith(("file://", "data:")):
                    route.continue_()
                else:
                    route.abort()

            context.route("**/*", record)
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_selector("#chart-retention .main-svg", timeout=30_000)
            facts = {
                "plotly_divs": page.locator("div.plotly-graph-div").count(),
                "rendered_charts": page.locator("div.plotly-graph-div .main-svg").count(),
                "chart_text": " ".join(page.locator("#chart-segments text").all_text_contents()),
                "table_text": page.locator("#segments").inner_text(),
                "has_plotly": page.evaluate("typeof window.Plotly === 'object'"),
            }
        finally:
            browser.close()
    return requested, dialogs, facts


@pytest.fixture
def report_file(tmp_path):
    report = assemble_report(
        build_partial_metrics(),
        build_template_narrative(),
        Settings(home=tmp_path),
        options=MetricOptions(grain="month", window="period", segment="channel"),
        generated_at=GENERATED_AT,
    )
    return write_report_files(render_report(report), tmp_path / "out", report_stem(report)).html


def test_report_opens_offline_and_draws_charts(report_file):
    requested, dialogs, facts = open_report(report_file)
    assert requested  # the page itself was requested through the route
    assert all(url.startswith(("file://", "data:")) for url in requested), requested
    assert facts["has_plotly"] is True
    assert facts["plotly_divs"] == 4  # retention, revenue, cohorts, CLV by segment
    assert facts["rendered_charts"] >= 4  # each chart drew at least one SVG layer
    assert dialogs == []  # the hostile segment name ran no script


def test_hostile_segment_name_is_shown_as_text(report_file):
    _, _, facts = open_report(report_file)
    assert INJECTED_SCRIPT in facts["table_text"]
    assert INJECTED_SCRIPT in facts["chart_text"]
