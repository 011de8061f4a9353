"""How often the bundled model's own text passes the grounding check, and how fast it writes.

    python -m benchmarks.narrative_eval [--out benchmarks/narrative_eval.md]

Fact sets come from the demo generator (several seeds, grains and segments) and from
CDNOW slices (grains, windows and --to dates). Every narrative is written with the cache
off, so each one runs the model. Reported: the share of narratives whose model text
passes the check, the share of the draft's figures the accepted texts mention, the share
of accepted texts identical to the template, tokens per second, time to first token and
model load time. Timings depend on the machine's load, which is recorded with them.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from analytics.config import Settings, load_settings
from analytics.demo.load import load_demo
from analytics.insights import build_insights
from analytics.metrics import MetricOptions, compute_metrics
from analytics.narrative import MODEL, write_narrative
from analytics.narrative.llama import LlamaEngine
from analytics.narrative.template import build_draft
from analytics.store import connect
from analytics.store.ingest import IngestOptions, ingest_file
from benchmarks.machine import describe_machine

CDNOW_FILE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "cdnow" / "cdnow_transactions.csv"
)
DEFAULT_OUT = Path(__file__).resolve().parent / "narrative_eval.md"
DEMO_CUSTOMERS = 1_500

DEMO_CASES = [
    (seed, MetricOptions(grain=grain, segment=segment))
    for seed, grain, segment in [
        (1, "month", "channel"),
        (2, "month", None),
        (3, "quarter", "plan"),
        (4, "week", None),
        (5, "month", "country"),
        (6, "month", "channel"),
        (7, "quarter", None),
        (8, "month", "plan"),
        (9, "week", "channel"),
        (10, "month", None),
        (11, "month", "channel"),
        (12, "quarter", "country"),
    ]
]
CDNOW_CASES = [
    MetricOptions(grain="month"),
    MetricOptions(grain="month", window="period"),
    MetricOptions(grain="quarter"),
    MetricOptions(grain="quarter", window="period"),
    MetricOptions(grain="week", window="30D"),
    MetricOptions(grain="month", date_to="1997-03-31"),
    MetricOptions(grain="month", date_to="1997-06-30"),
    MetricOptions(grain="month", date_to="1997-09-30"),
    MetricOptions(grain="month", date_to="1997-12-31"),
    MetricOptions(grain="month", date_to="1998-03-31", window="period"),
    MetricOptions(grain="month", as_of="1998-02-15"),
    MetricOptions(grain="year", window="period"),
]


@dataclass
class Timing:
    """Generation timings gathered across narratives."""

    tokens: int = 0
    seconds: float = 0.0
    first_token_seconds: list[float] = field(default_factory=list)


class MeasuredEngine:
    """The llama.cpp engine with its streamed pieces counted and timed."""

    def __init__(self, engine: LlamaEngine, timing: Timing) -> None:
        self.engine = engine
        self.timing = timing
        self.name = engine.name
        self.identity = engine.identity
        self.context_size = engine.context_size

    def render_chat(self, messages):
        return self.engine.render_chat(messages)

    def count_tokens(self, text):
        return self.engine.count_tokens(text)

    def generate(self, prompt, grammar, max_tokens, on_token=None, seed=None):
        started = time.perf_counter()
        first: list[float] = []

        def counted(piece: str) -> None:
            if not first:
                first.append(time.perf_counter() - started)
            self.timing.tokens += 1
            if on_token is not None:
                on_token(piece)

        text = self.engine.generate(prompt, grammar, max_tokens, counted, seed)
        self.timing.seconds += time.perf_counter() - started
        if first:
            self.timing.first_token_seconds.append(first[0])
        return text


def fact_sets(workdir: Path) -> list[tuple[str, dict]]:
    """Return (description, metrics result) for every demo and CDNOW case."""
    sets = []
    for seed, options in DEMO_CASES:
        settings = load_settings(workdir / f"demo-{seed}")
        load_demo(settings, seed=seed, customers=DEMO_CUSTOMERS)
        sets.append((f"demo seed {seed}, {_describe(options)}", _metrics(settings, options)))
    settings = load_settings(workdir / "cdnow")
    ingest_file(CDNOW_FILE, IngestOptions(mapping={"event_time": "order_date"}), settings)
    for options in CDNOW_CASES:
        sets.append((f"CDNOW, {_describe(options)}", _metrics(settings, options)))
    return sets


def evaluate(settings: Settings, sets: list[tuple[str, dict]]) -> dict:
    """Write a narrative for each fact set and summarise the outcomes."""
    timing = Timing()
    started = time.perf_counter()
    engine = LlamaEngine(settings.model)
    header_seconds = time.perf_counter() - started
    load_seconds = engine.load_seconds
    measured = MeasuredEngine(engine, timing)
    rows, failures = [], Counter()
    for description, metrics in sets:
        insights = build_insights(metrics, small_cohort_threshold=settings.small_cohort_threshold)
        template = build_draft(insights).render()
        began = time.perf_counter()
        narrative = write_narrative(metrics, settings, engine=measured, use_cache=False)
        seconds = time.perf_counter() - began
        draft_facts = [slot.fact for slot in build_draft(insights).slots.values()]
        values = [fact for fact in draft_facts if fact.kind in ("level", "change")]
        mentioned = [
            fact for fact in values if (fact.magnitude or fact.formatted) in narrative.text
        ]
        for note in narrative.notes:
            if "grounding check" in note:
                failures[_first_reason(note)] += 1
        rows.append(
            {
                "case": description,
                "source": narrative.source,
                "identical": narrative.source == MODEL and narrative.text == template,
                "mentioned": len(mentioned) / len(values) if values else 1.0,
                "seconds": seconds,
                "text": narrative.text,
            }
        )
    accepted = [row for row in rows if row["source"] == MODEL]
    return {
        "rows": rows,
        "failures": failures,
        "pass_share": len(accepted) / len(rows),
        "mentioned_share": statistics.mean(row["mentioned"] for row in accepted)
        if accepted
        else 0.0,
        "identical_share": (
            sum(row["identical"] for row in accepted) / len(accepted) if accepted else 0.0
        ),
        "tokens_per_second": timing.tokens / timing.seconds if timing.seconds else 0.0,
        "first_token_seconds": (
            statistics.median(timing.first_token_seconds) if timing.first_token_seconds else 0.0
        ),
        "header_seconds": header_seconds,
        "load_seconds": load_seconds,
        "seconds_per_narrative": statistics.median(row["seconds"] for row in rows),
    }


def render_markdown(result: dict, machine: dict, model_name: str) -> str:
    """Return the results page."""
    rows = result["rows"]
    lines = [
        "# Narrative evaluation",
        "",
        f"Model: `{model_name}` through llama-cpp-python "
        f"{machine['packages'].get('llama_cpp_python')}, temperature 0, seed 42.",
        f"Machine: {machine['cpu']}, {machine['usable_cores']} usable cores, "
        f"load average {machine['load_average']} at the end of the run, {machine['date']}.",
        "Command: `python -m benchmarks.narrative_eval`.",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| fact sets | {len(rows)} |",
        f"| narratives whose model text passed the check | {result['pass_share']:.0%} |",
        f"| draft figures mentioned by accepted texts | {result['mentioned_share']:.0%} |",
        f"| accepted texts identical to the template | {result['identical_share']:.0%} |",
        f"| generation speed | {result['tokens_per_second']:.1f} tokens/s |",
        f"| time to first token (median) | {result['first_token_seconds']:.2f} s |",
        f"| model header check (gguf package) | {result['header_seconds']:.2f} s |",
        f"| model load (llama.cpp) | {result['load_seconds']:.2f} s |",
        f"| time per narrative (median) | {result['seconds_per_narrative']:.2f} s |",
        "",
        "Generation speed counts streamed pieces (one per token) over the time spent in",
        "generation, prompt evaluation included; the first token's time includes evaluating",
        "the prompt.",
        "",
    ]
    if result["failures"]:
        lines += [
            "## Why texts failed the check",
            "",
            "| first reason | sentences |",
            "| --- | --- |",
        ]
        lines += [f"| {reason} | {count} |" for reason, count in result["failures"].most_common()]
        lines.append("")
    lines += ["## Narratives", "", "| case | source | text |", "| --- | --- | --- |"]
    for row in rows:
        text = row["text"].replace("|", "\\|")
        lines.append(f"| {row['case']} | {row['source']} | {text} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown file to write.")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="narrative-eval-") as folder:
        workdir = Path(folder)
        sets = fact_sets(workdir)
        settings = load_settings(workdir / "home")
        result = evaluate(settings, sets)
        model_name = LlamaEngine(settings.model).name
    markdown = render_markdown(result, describe_machine(), model_name)
    arguments.out.write_text(markdown, encoding="utf-8")
    print(markdown)


def _metrics(settings: Settings, options: MetricOptions) -> dict:
    with connect(settings.database_path, read_only=True) as connection:
        return compute_metrics(connection, options)


def _describe(options: MetricOptions) -> str:
    parts = [f"grain {options.grain}", f"window {options.window}"]
    if options.segment:
        parts.append(f"segment {options.segment}")
    if options.date_to:
        parts.append(f"to {options.date_to}")
    if options.as_of:
        parts.append(f"as of {options.as_of}")
    return ", ".join(parts)


def _first_reason(note: str) -> str:
    inside = note.split("(", 1)[-1].rsplit(")", 1)[0]
    reason = inside.split(";")[0]
    return reason.split("'")[0].strip() or reason


if __name__ == "__main__":
    main()
