"""Attacks in data values, in a real browser: the dashboard served by `make run` and the
HTML report opened from disk show them as text, run no script and open no dialog."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from browser_support import (
    REPOSITORY_ROOT,
    Server,
    launch_chromium,
    start_server,
    visible_problems,
    wait_until_idle,
)
from hostile_data import IMAGE, INSTRUCTION, SCRIPT, write_hostile_csv
from playwright.sync_api import Page, sync_playwright

pytestmark = pytest.mark.browser

GROWTHLENS = REPOSITORY_ROOT / ".venv" / "bin" / "growthlens"
PAGES = ("", "retention", "clv", "narrative")
# Set on the page when any injected script or event handler runs.
TRAP_SCRIPT = "window.__injected = []; window.alert = (m) => window.__injected.push(String(m));"


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the hostile events, with a model path that does not exist, so
    the Narrative page writes its template without loading a model."""
    home = tmp_path_factory.mktemp("hostile_home")
    (home / "settings.json").write_text(
        json.dumps({"model": {"path": str(home / "no-model.gguf")}}), encoding="utf-8"
    )
    source = write_hostile_csv(home / "hostile.csv")
    subprocess.run(
        [str(GROWTHLENS), "ingest", str(source)],
        env={"GROWTH_HOME": str(home), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        timeout=300,
    )
    return home


@pytest.fixture(scope="module")
def server(hostile_home: Path) -> Iterator[Server]:
    artifacts = REPOSITORY_ROOT / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    running = start_server(hostile_home, artifacts / "hostile_server.log")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def open_watched(browser, url: str) -> tuple[Page, list[str]]:
    """Open ``url`` in a new context that records every dialog and trapped alert call."""
    context = browser.new_context(viewport={"width": 1440, "height": 2400})
    context.add_init_script(TRAP_SCRIPT)
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url)
    return page, dialogs


def assert_inert(page: Page, dialogs: list[str]) -> None:
    assert dialogs == []
    assert page.evaluate("window.__injected") == []
    assert page.query_selector_all("img[src='x']") == []
    scripts = [element.inner_text() for element in page.query_selector_all("script")]
    assert not [text for text in scripts if "alert(1)" in text]


@pytest.mark.parametrize("path", PAGES, ids=[path or "overview" for path in PAGES])
def test_dashboard_page_shows_values_as_text(server: Server, browser, path: str):
    query = urlencode({"segment": "campaign", "value": SCRIPT, "window": "period"})
    page, dialogs = open_watched(browser, f"{server.url}/{path}?{query}")
    try:
        wait_until_idle(page)

        assert visible_problems(page) == []
        assert_inert(page, dialogs)
        assert SCRIPT in page.inner_text("[data-testid='stMain']")  # the scope caption
    finally:
        page.context.close()


def test_narrative_page_names_segments_as_text(server: Server, browser):
    query = urlencode({"segment": "campaign", "window": "period"})
    page, dialogs = open_watched(browser, f"{server.url}/narrative?{query}")
    try:
        wait_until_idle(page)

        assert visible_problems(page) == []
        assert_inert(page, dialogs)
        assert "Template narrative" in page.inner_text("body")
    finally:
        page.context.close()


def test_html_report_runs_no_injected_script(hostile_home: Path, browser, tmp_path: Path):
    out = tmp_path / "reports"
    completed = subprocess.run(
        [str(GROWTHLENS), "report", "--out", str(out), "--segment", "campaign"],
        env={"GROWTH_HOME": str(hostile_home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    (report,) = out.glob("*.html")

    page, dialogs = open_watched(browser, report.as_uri())
    try:
        page.wait_for_load_state("load")

        assert_inert(page, dialogs)
        text = page.inner_text("body")
        assert SCRIPT in text
        assert IMAGE in text
        assert INSTRUCTION in text
    finally:
        page.context.close()
