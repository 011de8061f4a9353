"""The dashboard in Debian's Chromium, served by the README's run command (`make run`):
every page on the demo data, then CDNOW uploaded through the Upload page."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import (
    PAGE_TIMEOUT_MS,
    REPOSITORY_ROOT,
    Server,
    cli_metrics,
    kpi_values,
    launch_chromium,
    start_server,
    visible_problems,
    wait_until_idle,
)
from dashboard_support import CDNOW_FILE, latest_complete
from playwright.sync_api import Browser, Page, sync_playwright

from analytics.insights import formatting as fmt

pytestmark = pytest.mark.browser

ARTIFACTS = REPOSITORY_ROOT / "tests" / "artifacts"
# The README's screenshot is rewritten only on request (`make screenshot`), never by a
# plain test run, so running the tests leaves tracked files alone.
README_SCREENSHOT = REPOSITORY_ROOT / "docs" / "overview.png"
UPDATE_README_SCREENSHOT = os.environ.get("GROWTH_UPDATE_README_SCREENSHOT") == "1"
LOCAL_HOSTS = {"127.0.0.1"}
# URL path of each page and a text its last section shows, so a test knows it is drawn.
PAGES = {
    "overview": ("", "How each figure is computed"),
    "retention": ("retention", "Cohorts"),
    "clv": ("clv", "By segment"),
    "narrative": ("narrative", "Facts used"),
    "upload": ("upload", "Event file"),
    "settings": ("settings", "Save settings"),
}
KPI_LABELS = {
    "crr": "Retention (CRR)",
    "churn_rate": "Churn",
    "E": "Active (E)",
    "revenue": "Revenue",
}
# Streamlit scrolls inside its main container, so a tall window shows a whole page.
VIEWPORT = {"width": 1440, "height": 2400}
README_SCREENSHOT_CLIP = {"x": 0, "y": 0, "width": 1440, "height": 1000}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("browser_home")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    running = start_server(home, ARTIFACTS / "browser_server.log")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page whose requests to any host but 127.0.0.1 are blocked and fail the test."""
    context = browser.new_context(viewport=VIEWPORT)
    outside: list[str] = []

    def guard(route, request) -> None:
        address = urlsplit(request.url)
        if address.scheme in ("data", "blob") or address.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    context.route("**/*", guard)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert outside == [], f"the page requested hosts other than 127.0.0.1: {outside[:5]}"


def open_page(page: Page, server: Server, name: str, query: str = "") -> None:
    path, last_text = PAGES[name]
    page.goto(f"{server.url}/{path}{query}")
    page.get_by_text(last_text, exact=True).first.wait_for(timeout=PAGE_TIMEOUT_MS)
    wait_until_idle(page)


def screenshot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_kpis_match(shown: dict[str, str], period: dict) -> None:
    assert shown[KPI_LABELS["crr"]] == fmt.format_rate(period["crr"])
    assert shown[KPI_LABELS["churn_rate"]] == fmt.format_rate(period["churn_rate"])
    assert shown[KPI_LABELS["E"]] == fmt.format_count(period["E"])
    assert shown[KPI_LABELS["revenue"]].endswith(fmt.format_amount(period["revenue"]))


def test_pages_render_demo_data(server: Server, page: Page):
    for name in PAGES:
        open_page(page, server, name)

        screenshot(page, f"demo_{name}")
        assert visible_problems(page) == [], name
        if name == "overview":
            page.screenshot(
                path=str(ARTIFACTS / "readme_overview.png"), clip=README_SCREENSHOT_CLIP
            )
            if UPDATE_README_SCREENSHOT:
                page.screenshot(path=str(README_SCREENSHOT), clip=README_SCREENSHOT_CLIP)


@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_overview_kpis_match_cli(server: Server, page: Page, grain: str):
    open_page(page, server, "overview", f"?grain={grain}&window=auto")

    expected = latest_complete(cli_metrics(server.database, "--grain", grain, "--window", "auto"))
    assert visible_problems(page) == []
    assert_kpis_match(kpi_values(page), expected)
    assert f"grain={grain}" in page.url


def test_cdnow_upload_analysed_alone(server: Server, page: Page):
    workspace_before = cli_metrics(server.database, "--window", "auto")
    open_page(page, server, "upload")

    page.set_input_files("[data-testid='stFileUploaderDropzoneInput']", str(CDNOW_FILE))
    page.get_by_text("Column mapping").wait_for(timeout=120_000)
    wait_until_idle(page)
    event_time = page.get_by_role("combobox", name="Event time (required)")
    assert event_time.input_value() == "order_date"
    screenshot(page, "cdnow_upload_preview")
    page.get_by_role("button", name="Analyse on its own").click()
    page.get_by_text("Validation report").wait_for(timeout=300_000)
    wait_until_idle(page)

    screenshot(page, "cdnow_upload_report")
    counts = kpi_values(page)
    assert visible_problems(page) == []
    assert counts["Rows read"] == "69,659"
    assert counts["Loaded"] == "69,659"
    assert counts["Rejected"] == "0"
    assert "cdnow_transactions.csv" in page.inner_text("[data-testid='stSidebar']")

    (scratch,) = (server.home / "scratch").glob("cdnow_transactions-*.duckdb")
    expected = latest_complete(cli_metrics(scratch, "--window", "auto"))
    for name in ("overview", "retention", "clv", "narrative"):
        link = "CLV" if name == "clv" else name.capitalize()
        navigation = page.get_by_test_id("stSidebarNavItems")
        navigation.get_by_role("link", name=link, exact=True).click()
        page.get_by_text(PAGES[name][1], exact=True).first.wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_until_idle(page)
        screenshot(page, f"cdnow_{name}")
        assert visible_problems(page) == [], name
        assert "dataset=cdnow_transactions" in page.url
        if name == "overview":
            assert_kpis_match(kpi_values(page), expected)

    page.get_by_role("button", name="Back to workspace").click()
    page.wait_for_timeout(300)
    wait_until_idle(page)
    assert "dataset=" not in page.url
    assert cli_metrics(server.database, "--window", "auto") == workspace_before


def test_binary_upload_changes_nothing(server: Server, page: Page, tmp_path: Path):
    before = cli_metrics(server.database, "--window", "auto")
    binary = tmp_path / "picture.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    open_page(page, server, "upload")

    page.set_input_files("[data-testid='stFileUploaderDropzoneInput']", str(binary))
    page.wait_for_selector("[data-testid='stAlertContentError']", timeout=60_000)

    message = page.inner_text("[data-testid='stAlertContentError']")
    assert "picture.csv" in message
    assert "Traceback" not in page.inner_text("body")
    assert cli_metrics(server.database, "--window", "auto") == before


def test_make_run_warms_up_the_app(server: Server):
    deadline = time.monotonic() + 120
    log = ""
    while time.monotonic() < deadline and "warm-up run of" not in log:
        time.sleep(0.5)
        log = server.log_path.read_text(encoding="utf-8", errors="replace")

    assert re.search(r"warm-up run of \S+ took [0-9.]+ s", log), log[-2000:]
