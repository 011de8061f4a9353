"""A real Streamlit server started with the README's run command, and Debian's Chromium
driven through Playwright, for the browser tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT_SECONDS = 600  # `make run` may first finish the setup and load the demo data
PAGE_TIMEOUT_MS = 180_000  # the Narrative page runs the model on this 2-core machine
ERROR_SELECTORS = ("[data-testid='stException']", "[data-testid='stAlertContentError']")


@dataclass
class Server:
    """A running `make run`: its address, data folder and process (its own group)."""

    url: str
    home: Path
    process: subprocess.Popen
    log_path: Path

    @property
    def database(self) -> Path:
        return self.home / "growthlens.duckdb"

    def stop(self) -> None:
        """Stop the server's process group (make, streamlit) and wait for it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(home: Path, log_path: Path) -> Server:
    """Run `make run` with a free PORT and GROWTH_HOME=home; return once it is healthy."""
    port = free_port()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("GROWTH_") and name not in ("PORT", "HOST")
    }
    environment["GROWTH_HOME"] = str(home)
    log = log_path.open("w", encoding="utf-8")
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}", f"GROWTH_HOME={home}"],
        cwd=REPOSITORY_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stop() ends make and streamlit
    )
    server = Server(f"http://127.0.0.1:{port}", home, process, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"`make run` exited with {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"the server did not become healthy in time; see {log_path}")


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_until_idle(page: Page, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Wait until the page has a title and the script run has finished drawing."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const busy = document.querySelector("[data-testid='stStatusWidget']")
                || document.querySelector("[data-testid='stSkeleton']");
            const now = performance.now();
            if (busy) { window.__idleSince = undefined; return false; }
            if (window.__idleSince === undefined) { window.__idleSince = now; }
            return now - window.__idleSince > 750;
        }""",
        timeout=timeout_ms,
        polling=100,
    )


def visible_problems(page: Page) -> list[str]:
    """Return the text of every exception, error alert or traceback on the page."""
    problems = []
    for selector in ERROR_SELECTORS:
        problems.extend(element.inner_text() for element in page.query_selector_all(selector))
    body = page.inner_text("body")
    if "Traceback" in body:
        problems.append("a traceback is shown")
    return problems


def kpi_values(page: Page) -> dict[str, str]:
    """Return each metric card's label and value as the browser shows them."""
    values = {}
    for card in page.query_selector_all("[data-testid='stMetric']"):
        label = card.query_selector("[data-testid='stMetricLabel']").inner_text().strip()
        values[label] = card.query_selector("[data-testid='stMetricValue']").inner_text().strip()
    return values


def cli_metrics(database: Path, *arguments: str) -> dict:
    """Run `growthlens metrics --format json` on ``database`` and return its JSON."""
    completed = subprocess.run(
        [
            str(REPOSITORY_ROOT / ".venv" / "bin" / "growthlens"),
            "metrics",
            "--db",
            str(database),
            "--format",
            "json",
            *arguments,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(completed.stdout)
