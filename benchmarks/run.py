"""Run the benchmark suite and write benchmarks/RESULTS.md.

    .venv/bin/python -m benchmarks.run [--sizes 1M,10M] [--repeat 3] [--include-100m]
    .venv/bin/python -m benchmarks.run --only-100m

Prepares the data (cached under benchmarks/work), then runs every measurement in a fresh
child process. Peers run side by side and in turn (run 1 of each, then run 2 of each, ...),
so a change in the machine's load falls on all of them alike. Every peer's answer is
checked against GrowthLens's; a mismatch stops the run with exit status 1. Results are
saved after each group, so a run that stops keeps what it measured. Standard library only,
to keep this parent process small (see harness).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import checks
from benchmarks.child import SNAPSHOT_VARIABLE
from benchmarks.harness import ChildFailedError, ChildRun, run_child
from benchmarks.layout import (
    BENCHMARKS_DIR,
    DATASETS,
    FORMATS,
    REPOSITORY_ROOT,
    RESULTS_FILE,
    RUNS_DIR,
    WORK_DIR,
    DataSet,
    parse_size,
    size_label,
)
from benchmarks.machine import describe_machine
from benchmarks.report import render_results

# Raw figures of the last run of each suite; RESULTS.md is rendered from both.
RESULTS_JSON = BENCHMARKS_DIR / "results.json"
SCALE_RESULTS_JSON = BENCHMARKS_DIR / "results-100m.json"
SCALE_SIZE = "100M"
# CDNOW replicated 1,436 times: 100.0M rows and 33.8M customers, more customers per event
# than the demo log, so the per-customer state the metrics hold is larger.
SCALE_DATASET = "cdnow"
# Files of 10M events and more are over GrowthLens's default upload limit of 1 GiB; the
# limit is a setting, raised here for every GrowthLens child alike.
GROWTHLENS_ENVIRONMENT = {"GROWTH_MAX_UPLOAD_BYTES": str(64 * 1024**3)}

METRIC_TOOLS = ("growthlens", "sql", "pandas", "lifetimes")
INGEST_TOOLS = ("growthlens", "duckdb")


class Suite:
    """Runs children, prints progress and collects measurements and passed checks."""

    def __init__(self, repeat: int, timeout_seconds: float) -> None:
        self.repeat = repeat
        self.timeout_seconds = timeout_seconds
        self.measurements: list[dict] = []
        self.preparation: list[dict] = []
        self.checks: list[str] = []

    def child(self, task: str, dataset: DataSet, run_name: str, *arguments: str) -> ChildRun:
        run = run_child(
            task,
            ["--dataset", dataset.name, "--size", dataset.size, *arguments],
            run_name=run_name,
            timeout_seconds=self.timeout_seconds,
            environment=GROWTHLENS_ENVIRONMENT,
        )
        print(
            f"  {run_name}: {run.seconds:.2f} s work, {run.wall_seconds:.2f} s process, "
            f"peak {run.peak_rss_bytes / 1024**2:.0f} MiB, load {run.load_before:.1f}",
            flush=True,
        )
        return run

    def prepare(self, dataset: DataSet, formats: list[str], with_store: bool = True) -> dict:
        print(f"preparing {dataset.key} ({', '.join(formats)})", flush=True)
        data = self.child(
            "prepare-data", dataset, f"prepare-{dataset.key}", "--formats", ",".join(formats)
        ).result["answer"]
        entry = {"dataset": dataset.key, "data": data}
        if with_store:
            store = self.child("load-store", dataset, f"store-{dataset.key}").result["answer"]
            checks.check_ingest(data["rows"], store, "GrowthLens (store load)", dataset.key)
            entry["store"] = store
        self.preparation.append(entry)
        return entry

    def record(
        self, group: str, dataset: DataSet, tool: str, runs: list[ChildRun], **extra
    ) -> None:
        self.measurements.append(
            {
                "group": group,
                "dataset": dataset.key,
                "size": dataset.size,
                "tool": tool,
                "runs": [run.to_dict() for run in runs],
                **extra,
            }
        )


def run_ingest(suite: Suite, dataset: DataSet, rows: int) -> None:
    for file_format in FORMATS:
        print(f"ingest {dataset.key} {file_format}", flush=True)
        runs: dict[str, list[ChildRun]] = {tool: [] for tool in INGEST_TOOLS}
        for number in range(1, suite.repeat + 1):
            for tool in INGEST_TOOLS:
                name = f"ingest-{tool}-{dataset.key}-{file_format}-{number}"
                run = suite.child(
                    f"ingest-{tool}",
                    dataset,
                    name,
                    "--format",
                    file_format,
                    "--home",
                    str(RUNS_DIR / f"home-{name}"),
                )
                checks.check_ingest(rows, run.result["answer"], tool, name)
                runs[tool].append(run)
        suite.checks.append(f"ingest {dataset.key} {file_format}: every run loaded {rows} rows")
        for tool in INGEST_TOOLS:
            suite.record("ingest", dataset, tool, runs[tool], format=file_format)


def run_metrics(suite: Suite, dataset: DataSet, tools: tuple[str, ...] = METRIC_TOOLS) -> None:
    print(f"metrics {dataset.key}", flush=True)
    audit = None
    if "lifetimes" in tools:
        audit = suite.child("audit-store", dataset, f"audit-{dataset.key}").result["answer"]
    runs: dict[str, list[ChildRun]] = {tool: [] for tool in tools}
    reference = None
    for number in range(1, suite.repeat + 1):
        for tool in tools:
            name = f"metrics-{tool}-{dataset.key}-{number}"
            arguments = []
            if tool == "lifetimes":
                arguments = ["--as-of", reference["as_of"]]
            task = "rfm-lifetimes" if tool == "lifetimes" else f"metrics-{tool}"
            run = suite.child(task, dataset, name, *arguments)
            answer = run.result["answer"]
            if tool == "growthlens":
                if reference is None:
                    reference = answer
                checks.check_same(reference, answer, "GrowthLens", name)
            elif tool == "lifetimes":
                checks.check_rfm(reference, answer, audit, name)
            else:
                checks.check_retention(reference["periods"], answer["periods"], tool, name)
            runs[tool].append(run)
    compared = ", ".join(tool for tool in tools if tool != "growthlens")
    suite.checks.append(
        f"metrics {dataset.key}: {compared} agree with GrowthLens over "
        f"{len(reference['periods'])} months in every run"
    )
    for tool in tools:
        suite.record("metrics", dataset, tool, runs[tool])


def run_scale(suite: Suite, save=lambda: None) -> None:
    """Ingest and monthly metrics at 100M events, once, to show that memory stays bounded."""
    dataset = DataSet(SCALE_DATASET, SCALE_SIZE)
    entry = suite.prepare(dataset, ["parquet"], with_store=False)
    rows = entry["data"]["rows"]
    print(f"scale {dataset.key}", flush=True)
    store = suite.child(
        "ingest-growthlens",
        dataset,
        f"scale-ingest-growthlens-{dataset.key}",
        "--format",
        "parquet",
        "--home",
        str(dataset.store_home),
        "--keep-store",
    )
    checks.check_ingest(rows, store.result["answer"], "GrowthLens", dataset.key)
    bare = suite.child(
        "ingest-duckdb",
        dataset,
        f"scale-ingest-duckdb-{dataset.key}",
        "--format",
        "parquet",
        "--home",
        str(RUNS_DIR / f"home-scale-{dataset.key}"),
    )
    checks.check_ingest(rows, bare.result["answer"], "duckdb", dataset.key)
    suite.record("scale-ingest", dataset, "growthlens", [store], format="parquet")
    suite.record("scale-ingest", dataset, "duckdb", [bare], format="parquet")
    save()
    scale_suite = Suite(1, suite.timeout_seconds)
    run_metrics(scale_suite, dataset, ("growthlens", "sql"))
    for measurement in scale_suite.measurements:
        measurement["group"] = "scale-metrics"
    suite.measurements.extend(scale_suite.measurements)
    suite.checks.extend(scale_suite.checks)


def run_narrative(suite: Suite, dataset: DataSet) -> None:
    print(f"narrative on {dataset.key}", flush=True)
    runs = [
        suite.child("narrative", dataset, f"narrative-{dataset.key}-{number}")
        for number in range(1, suite.repeat + 1)
    ]
    suite.record("narrative", dataset, "growthlens", runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes", default="1M,10M", help="event counts, comma-separated (default 1M,10M)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each measurement (default 3)"
    )
    parser.add_argument(
        "--include-100m",
        action="store_true",
        help="also ingest and compute metrics at 100M events, once (slow)",
    )
    parser.add_argument(
        "--only-100m",
        action="store_true",
        help="run only the 100M measurements; the other results of the last run are kept",
    )
    parser.add_argument(
        "--timeout", type=float, default=3 * 3600, help="seconds one child may run (default 10800)"
    )
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="measure a copy of the analytics package taken at the start, so that edits "
        "made to the working tree during a long run do not reach it",
    )
    arguments = parser.parse_args(argv)
    try:
        sizes = [
            size_label(parse_size(text)) for text in arguments.sizes.split(",") if text.strip()
        ]
    except ValueError as error:
        parser.error(str(error))
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not sizes and not arguments.only_100m:
        parser.error("--sizes needs at least one size")

    try:
        if arguments.snapshot:
            GROWTHLENS_ENVIRONMENT[SNAPSHOT_VARIABLE] = str(take_snapshot())
        if not arguments.only_100m:
            run_suite(sizes, arguments.repeat, arguments.timeout)
        if arguments.include_100m or arguments.only_100m:
            run_scale_suite(arguments.timeout)
    except checks.AnswerMismatchError as error:
        print(
            f"\nFAILED: answers differ, so the comparison is not of equal work.\n{error}",
            file=sys.stderr,
        )
        return 1
    except ChildFailedError as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        return 1
    print(f"wrote {RESULTS_FILE}")
    return 0


def run_suite(sizes: list[str], repeat: int, timeout_seconds: float) -> None:
    """Measure ingest and metrics at each size, then the narrative; save after each group."""
    results = _new_results({"sizes": sizes, "repeat": repeat})
    suite = Suite(repeat, timeout_seconds)
    prepared = {}
    for size in sizes:
        for name in DATASETS:
            dataset = DataSet(name, size)
            prepared[dataset.key] = suite.prepare(dataset, list(FORMATS))
    run_narrative(suite, DataSet("cdnow", sizes[0]))
    _save(RESULTS_JSON, results, suite)
    for size in sizes:
        for name in DATASETS:
            dataset = DataSet(name, size)
            run_ingest(suite, dataset, prepared[dataset.key]["data"]["rows"])
            _save(RESULTS_JSON, results, suite)
            run_metrics(suite, dataset)
            _save(RESULTS_JSON, results, suite)
    results["complete"] = True
    _save(RESULTS_JSON, results, suite)


def run_scale_suite(timeout_seconds: float) -> None:
    results = _new_results({"sizes": [SCALE_SIZE], "repeat": 1})
    suite = Suite(1, timeout_seconds)
    run_scale(suite, lambda: _save(SCALE_RESULTS_JSON, results, suite))
    results["complete"] = True
    _save(SCALE_RESULTS_JSON, results, suite)


def take_snapshot() -> Path:
    """Copy the analytics package under benchmarks/work/snapshots and return the copy's root.

    Raises ChildFailedError when the package does not import, as during someone's edit.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    root = WORK_DIR / "snapshots" / stamp
    shutil.copytree(
        REPOSITORY_ROOT / "analytics",
        root / "analytics",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import analytics.metrics, analytics.store.ingest, analytics.narrative.llama",
        ],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        raise ChildFailedError(
            f"The analytics package copied to {root} does not import:\n{probe.stderr}"
        )
    print(f"measuring the analytics package as copied to {root}", flush=True)
    return root


def _new_results(arguments: dict) -> dict:
    return {
        "code_snapshot": GROWTHLENS_ENVIRONMENT.get(SNAPSHOT_VARIABLE),
        "machine": describe_machine(),
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "started_epoch": time.time(),
        "arguments": arguments,
        "complete": False,
    }


def _save(path, results: dict, suite: Suite) -> None:
    """Write one suite's results so far, then RESULTS.md from both suites' latest files."""
    results.update(
        load_average_after=describe_machine()["load_average"],
        minutes=round((time.time() - results["started_epoch"]) / 60, 1),
        preparation=suite.preparation,
        measurements=suite.measurements,
        checks=suite.checks,
    )
    path.write_text(json.dumps(results, indent=1), encoding="utf-8")
    RESULTS_FILE.write_text(
        render_results(_read(RESULTS_JSON), _read(SCALE_RESULTS_JSON)), encoding="utf-8"
    )


def _read(path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


if __name__ == "__main__":
    sys.exit(main())
