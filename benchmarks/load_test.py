"""Load test: concurrent browser sessions switching the dashboard's filters.

Generates about a million demo events, loads them with `growthlens ingest` into a fresh
GROWTH_HOME, starts the dashboard with the README's run command (`make run`, on a free port
of 127.0.0.1) and drives one Chromium process with one browser context per session. Each
session opens the Overview with filters in the URL, then for a fixed time switches the
sidebar's grain, activity window and segment. An action's response time runs from the
click on the option until the Overview's caption names the new filters and the page has
finished its run. Any error element, traceback or dialog is recorded as a problem.

    .venv/bin/python benchmarks/load_test.py [--sessions 20] [--seconds 60] [--events 1000000]

Results, with a description of the machine, go to benchmarks/load_test.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from playwright.async_api import Browser, Page, async_playwright

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT / "tests" / "dashboard"))
sys.path.insert(0, str(REPOSITORY_ROOT))

from browser_support import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    ERROR_SELECTORS,
    start_server,
)

from analytics.demo.writer import write_events  # noqa: E402
from analytics.metrics import MetricOptions, compute_metrics  # noqa: E402
from analytics.metrics.segments import valid_segment_attributes  # noqa: E402
from analytics.store import connect  # noqa: E402
from benchmarks.machine import describe_machine  # noqa: E402

RESULTS_FILE = REPOSITORY_ROOT / "benchmarks" / "load_test.md"
GROWTHLENS = REPOSITORY_ROOT / ".venv" / "bin" / "growthlens"
VIEWPORT = {"width": 1280, "height": 1600}
ACTION_TIMEOUT_MS = 300_000  # 20 sessions share 2 cores with the server and the browser
START_SPREAD_SECONDS = 0.5  # between session starts, so they do not all load at once
GRAINS = ("week", "month", "quarter")
WINDOWS = ("period", "subscription", "90D", "365D")
SEGMENT_ATTRIBUTE = "channel"
MAX_SEGMENT_VALUES = 5
NO_SEGMENT_OPTION = "No segment"


@dataclass(frozen=True)
class Action:
    """One filter change: the widget, the option chosen and how the finished page reads."""

    kind: str  # grain, window, segment, segment_value or no_segment
    widget: str  # the widget's label
    option: str  # the option's text
    caption: tuple[str, ...]  # texts the Overview's caption then contains
    sidebar_label: str | None = None  # a widget label that must then be shown


@dataclass
class ViewState:
    """The filters a session has chosen."""

    grain: str
    window: str
    segment: str | None = None
    value: str | None = None

    def caption(self) -> tuple[str, ...]:
        scope = f"{self.segment} = {self.value}" if self.value else "all customers"
        return (scope.capitalize() + " · ", f"{self.grain} periods", f"(window {self.window})")


@dataclass
class LoadResult:
    """Response times per kind of action, and every problem seen."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    first_loads: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    sessions_finished: int = 0
    browser_version: str = "unknown"
    first_load_cpu: CpuSample | None = None  # until every session drew its first page
    run_cpu: CpuSample | None = None  # the whole run

    @property
    def actions(self) -> int:
        return sum(len(values) for values in self.timings.values())

    def all_timings(self) -> list[float]:
        return [value for values in self.timings.values() for value in values]


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds used so far by the server's process tree and by the browser's."""

    server: float
    browser: float

    def since(self, earlier: CpuSample) -> CpuSample:
        return CpuSample(self.server - earlier.server, self.browser - earlier.browser)


def _process_table() -> dict[int, tuple[int, float]]:
    """Return each process's parent id and CPU seconds (its own and its reaped children's),
    read from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        # After the name: state, ppid, ..., utime (11), stime (12), cutime (13), cstime (14).
        cpu = sum(int(value) for value in fields[11:15]) / ticks
        table[int(entry.name)] = (int(fields[1]), cpu)
    return table


def _tree_cpu(table: dict[int, tuple[int, float]], root: int) -> tuple[float, set[int]]:
    members = {root}
    changed = True
    while changed:
        changed = False
        for pid, (parent, _) in table.items():
            if parent in members and pid not in members:
                members.add(pid)
                changed = True
    return sum(table[pid][1] for pid in members if pid in table), members


def sample_cpu(server_pid: int) -> CpuSample:
    """Return the CPU seconds of the server's process tree and of this script's other
    children (the Playwright driver and Chromium)."""
    table = _process_table()
    server, server_members = _tree_cpu(table, server_pid)
    _, my_members = _tree_cpu(table, os.getpid())
    browser = sum(table[pid][1] for pid in my_members - server_members - {os.getpid()})
    return CpuSample(server=server, browser=browser)


def next_action(state: ViewState, rng: random.Random, values: list[str]) -> Action:
    """Pick a filter change that differs from the current view, and apply it to ``state``."""
    kinds = ["grain", "window"]
    if values:
        kinds.append("segment" if state.segment is None else "segment_value")
        if state.segment is not None:
            kinds.append("no_segment")
    kind = rng.choice(kinds)
    if kind == "grain":
        state.grain = rng.choice([grain for grain in GRAINS if grain != state.grain])
        return Action(kind, "Grain", state.grain.capitalize(), state.caption())
    if kind == "window":
        state.window = rng.choice([window for window in WINDOWS if window != state.window])
        return Action(kind, "Activity window", state.window, state.caption())
    if kind == "segment":
        state.segment = SEGMENT_ATTRIBUTE
        return Action(
            kind,
            "Segment by",
            SEGMENT_ATTRIBUTE,
            state.caption(),
            sidebar_label=f"Show {SEGMENT_ATTRIBUTE}",
        )
    if kind == "segment_value":
        state.value = rng.choice([value for value in values if value != state.value])
        return Action(kind, f"Show {SEGMENT_ATTRIBUTE}", state.value, state.caption())
    state.segment, state.value = None, None
    return Action(kind, "Segment by", NO_SEGMENT_OPTION, state.caption())


async def wait_for_view(page: Page, caption: tuple[str, ...], sidebar_label: str | None) -> None:
    """Wait until the Overview's caption contains every text of ``caption``, the KPI cards
    show values and the script run has finished."""
    await page.wait_for_function(
        """([parts, label]) => {
            const main = document.querySelector("[data-testid='stMain']");
            if (!main) { return false; }
            if (document.querySelector("[data-testid='stStatusWidget']")) { return false; }
            if (main.querySelector("[data-stale='true']")) { return false; }
            const captions = Array.from(
                main.querySelectorAll("[data-testid='stCaptionContainer']"),
                (element) => element.innerText);
            if (!captions.some((text) => parts.every((part) => text.includes(part)))) {
                return false;
            }
            const values = main.querySelectorAll(
                "[data-testid='stMetric'] [data-testid='stMetricValue']");
            if (values.length === 0
                || !Array.from(values).every((v) => v.innerText.trim().length > 0)) {
                return false;
            }
            if (label) {
                const sidebar = document.querySelector("[data-testid='stSidebar']");
                return sidebar !== null && sidebar.innerText.includes(label);
            }
            return true;
        }""",
        arg=[list(caption), sidebar_label],
        timeout=ACTION_TIMEOUT_MS,
        polling=50,
    )


async def page_problems(page: Page) -> list[str]:
    problems = []
    for selector in ERROR_SELECTORS:
        for element in await page.query_selector_all(selector):
            problems.append(await element.inner_text())
    if "Traceback" in await page.inner_text("body"):
        problems.append("a traceback is shown")
    return problems


async def choose(page: Page, widget: str, option: str) -> float:
    """Open the select box labelled ``widget``, click ``option``; return the click's time."""
    await page.get_by_label(widget, exact=True).click()
    target = page.get_by_role("option", name=option, exact=True)
    await target.wait_for(timeout=ACTION_TIMEOUT_MS)
    clicked = time.perf_counter()
    await target.click()
    return clicked


async def run_session(
    browser: Browser,
    url: str,
    number: int,
    seconds: float,
    values: list[str],
    result: LoadResult,
) -> None:
    """One user: open the Overview with URL filters, then switch filters for ``seconds``."""
    rng = random.Random(number)
    await asyncio.sleep(number * START_SPREAD_SECONDS)
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()

        def on_dialog(dialog) -> None:
            result.dialogs.append(f"session {number}: {dialog.type} {dialog.message!r}")
            asyncio.ensure_future(dialog.dismiss())

        page.on("dialog", on_dialog)
        state = ViewState(grain=rng.choice(GRAINS), window=rng.choice(WINDOWS))
        query = urlencode({"grain": state.grain, "window": state.window})
        started = time.perf_counter()
        await page.goto(f"{url}/?{query}", timeout=ACTION_TIMEOUT_MS)
        await wait_for_view(page, state.caption(), None)
        result.first_loads.append(time.perf_counter() - started)

        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            action = next_action(state, rng, values)
            clicked = await choose(page, action.widget, action.option)
            await wait_for_view(page, action.caption, action.sidebar_label)
            result.timings[action.kind].append(time.perf_counter() - clicked)
            problems = await page_problems(page)
            result.problems.extend(f"session {number}: {problem}" for problem in problems)
            if problems:
                break
        result.sessions_finished += 1
    except Exception as error:  # noqa: BLE001 - every failure of a session is a finding
        result.problems.append(f"session {number}: {type(error).__name__}: {error}")
    finally:
        await context.close()


async def run_sessions(
    url: str, sessions: int, seconds: float, values: list[str], server_pid: int
) -> LoadResult:
    """Drive ``sessions`` browser contexts of one Chromium process against ``url``, and
    record the CPU time the server and the browser used while the first loads ran."""
    result = LoadResult()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            start = sample_cpu(server_pid)
            watcher = asyncio.ensure_future(_watch_first_loads(result, sessions, server_pid, start))
            await asyncio.gather(
                *(
                    run_session(browser, url, number, seconds, values, result)
                    for number in range(sessions)
                )
            )
            watcher.cancel()
            result.run_cpu = sample_cpu(server_pid).since(start)
            result.browser_version = browser.version
        finally:
            await browser.close()
    return result


async def _watch_first_loads(
    result: LoadResult, sessions: int, server_pid: int, start: CpuSample
) -> None:
    """Record the CPU time used from the start until every session has drawn its first page."""
    while len(result.first_loads) + len(result.problems) < sessions:
        await asyncio.sleep(0.2)
    result.first_load_cpu = sample_cpu(server_pid).since(start)


def segment_values(database: Path) -> list[str]:
    """The most common values of the segment attribute, or none if the data lacks it."""
    with connect(database, read_only=True) as connection:
        if SEGMENT_ATTRIBUTE not in valid_segment_attributes(connection):
            return []
        rows = connection.execute(
            "SELECT attributes[?] AS value, count(*) FROM events "
            "WHERE attributes[?] IS NOT NULL GROUP BY value ORDER BY 2 DESC, 1 LIMIT ?",
            [SEGMENT_ATTRIBUTE, SEGMENT_ATTRIBUTE, MAX_SEGMENT_VALUES],
        ).fetchall()
    return [value for value, _ in rows]


def metrics_seconds(database: Path) -> dict[str, float]:
    """Return seconds for one compute_metrics call per grain, outside the app, for reference."""
    timings = {}
    for grain in GRAINS:
        started = time.perf_counter()
        with connect(database, read_only=True) as connection:
            compute_metrics(connection, MetricOptions(grain=grain, window="period"))
        timings[grain] = time.perf_counter() - started
    return timings


def load_events(home: Path, events: int) -> dict:
    """Write about ``events`` demo events to CSV and load them with `growthlens ingest`."""
    source = home / "load_test_events.csv"
    written = write_events(source, target_events=events, format="csv")
    environment = {**os.environ, "GROWTH_HOME": str(home)}
    completed = subprocess.run(
        [str(GROWTHLENS), "ingest", str(source), "--format", "json"],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    source.unlink()
    outcome = json.loads(completed.stdout)
    outcome["customers"] = written.customers
    return outcome


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(fraction * (len(ordered) - 1))), len(ordered) - 1)]


def summary_row(name: str, values: list[float]) -> str:
    if not values:
        return f"| {name} | - | - | - | 0 |"
    return (
        f"| {name} | {statistics.median(values):.2f} | {percentile(values, 0.9):.2f} | "
        f"{max(values):.2f} | {len(values)} |"
    )


def machine_lines(browser_version: str) -> list[str]:
    import streamlit

    machine = describe_machine()

    return [
        f"- CPU: {machine['cpu']}, {machine['cores']} logical cores "
        f"({machine['usable_cores']} usable)",
        f"- Memory: {machine['memory_gib']} GiB",
        f"- OS: {machine['os']} (kernel {machine['kernel']})",
        f"- Python {machine['python']}, Streamlit {streamlit.__version__}, DuckDB "
        f"{machine['packages'].get('duckdb')}, Polars {machine['packages'].get('polars')}, "
        f"Chromium {browser_version} (Debian package, headless)",
    ]


def write_results(
    arguments, loaded: dict, result: LoadResult, loads: tuple, direct: dict[str, float]
) -> list[str]:
    lines = [
        "# Dashboard load test",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `benchmarks/load_test.py "
        f"--sessions {arguments.sessions} --seconds {arguments.seconds:g} --events "
        f"{arguments.events}`.",
        "",
        f"Data: {loaded['rows_loaded']:,} demo events of {loaded['customers']:,} customers, "
        "loaded with `growthlens ingest`; the server is `make run` on 127.0.0.1, and the "
        f"{arguments.sessions} sessions are browser contexts of one headless Chromium "
        "process on the same machine.",
        "",
        *machine_lines(result.browser_version),
        "",
        "Each session opens the Overview with grain and window in the URL, then switches the "
        "sidebar's grain (week, month, quarter), activity window (period, subscription, 90D, "
        f"365D) and segment ({SEGMENT_ATTRIBUTE}, one of its {MAX_SEGMENT_VALUES} most common "
        "values, none) at random. Response time: from the click on the option until the "
        "caption names the new filters, the KPI cards show values and the run has finished.",
        "",
        "| Action (seconds) | median | p90 | max | count |",
        "|---|---|---|---|---|",
        summary_row("First load of the Overview (new session)", result.first_loads),
        *(
            summary_row(f"Filter change: {kind}", values)
            for kind, values in sorted(result.timings.items())
        ),
        summary_row("Filter change: all kinds", result.all_timings()),
        "",
        f"Sessions that ran to the end: {result.sessions_finished} of {arguments.sessions}. "
        f"Problems (error elements, tracebacks, failed actions): {len(result.problems)}. "
        f"Dialogs: {len(result.dialogs)}.",
        "",
        f"Load average (1, 5, 15 min) before: {', '.join(f'{v:.2f}' for v in loads[0])}; "
        f"after: {', '.join(f'{v:.2f}' for v in loads[1])}. The server, the browser and "
        "this script share the machine's cores, so the times include waiting for a core.",
        "",
        "For reference, one `compute_metrics` call (window period) on the same database "
        "outside the app, before the server started: "
        + ", ".join(f"{grain} {seconds:.2f} s" for grain, seconds in direct.items())
        + ". The first load of a session waits for the metrics of its filters; sessions "
        "that ask for filters not yet cached compute them at the same time.",
        "",
        *cpu_lines(result),
    ]
    if result.problems or result.dialogs:
        lines += ["## Problems", ""] + [f"- {text}" for text in result.problems + result.dialogs]
    RESULTS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def cpu_lines(result: LoadResult) -> list[str]:
    """Describe where the CPU time went: the server (Streamlit, the metrics) or the browser."""
    if result.first_load_cpu is None or result.run_cpu is None:
        return []
    first, whole = result.first_load_cpu, result.run_cpu
    sessions = max(len(result.first_loads), 1)
    return [
        "CPU seconds used (server: `make run` and its children; browser: Chromium and the "
        "Playwright driver):",
        "",
        "| phase | server | browser |",
        "|---|---|---|",
        f"| until every session drew its first Overview | {first.server:.1f} | "
        f"{first.browser:.1f} |",
        f"| whole run | {whole.server:.1f} | {whole.browser:.1f} |",
        "",
        f"Until the first pages were drawn, that is {first.server / sessions:.1f} CPU seconds "
        f"of the server and {first.browser / sessions:.1f} of the browser per session: the "
        f"slow first loads are mostly the {sessions} browser tabs sharing the machine's "
        "cores with the server. Users' browsers run on their own machines.",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each session acts")
    parser.add_argument("--events", type=int, default=1_000_000, help="demo events to load")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="growthlens-load-") as folder:
        home = Path(folder) / "home"
        home.mkdir()
        loaded = load_events(home, arguments.events)
        values = segment_values(home / "growthlens.duckdb")
        direct = metrics_seconds(home / "growthlens.duckdb")
        server = start_server(home, Path(folder) / "server.log")
        try:
            load_before = os.getloadavg()
            result = asyncio.run(
                run_sessions(
                    server.url, arguments.sessions, arguments.seconds, values, server.process.pid
                )
            )
            load_after = os.getloadavg()
        finally:
            server.stop()
    lines = write_results(arguments, loaded, result, (load_before, load_after), direct)
    print("\n".join(lines))
    return 1 if result.problems or result.dialogs else 0


if __name__ == "__main__":
    sys.exit(main())
