"""The report schedule: runs on its cron, writes one report per run, survives a failed run."""

from __future__ import annotations

import itertools
import logging
import threading
from datetime import UTC, datetime, timedelta

from report_samples import insert_events

from analytics.demo.generator import generate_events
from analytics.metrics import MetricOptions
from analytics.narrative import ScriptedEngine, write_narrative
from analytics.reports.runner import produce_report
from analytics.reports.schedule import ReportScheduler, parse_cron


def template_narrator(metrics, settings):
    """The narrative with a scripted model that answers nothing, so the template is used."""
    return write_narrative(metrics, settings, engine=ScriptedEngine([""]), use_cache=False)


def fake_clock(start: datetime):
    """Return a clock that moves one hour forward on every call."""
    ticks = itertools.count()
    return lambda: start + timedelta(hours=next(ticks))


def test_failed_run_does_not_stop_schedule(settings, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    insert_events(settings.database_path, generate_events(seed=3, customers=300))
    database = settings.database_path
    moved = database.with_name("moved-away.duckdb")
    out = tmp_path / "reports"
    clock = fake_clock(datetime(2026, 1, 5, 6, 0, tzinfo=UTC))
    results = []
    third_run_done = threading.Event()

    def on_result(result) -> None:
        results.append(result)
        if result.number == 1:
            database.rename(moved)  # the second run finds no database
        elif result.number == 2:
            moved.rename(database)
        else:
            third_run_done.set()

    def job() -> str:
        outcome = produce_report(
            settings, MetricOptions(window="90D"), out, clock=clock, narrator=template_narrator
        )
        return outcome.files.html.name

    # A sixth, leading field gives seconds: this fires every second.
    scheduler = ReportScheduler(parse_cron("* * * * * *", UTC), job, on_result=on_result)
    scheduler.run_until_stopped(wait=lambda stopped: third_run_done.wait(timeout=120))

    assert [result.ok for result in results[:3]] == [True, False, True]
    assert "No database at" in results[1].detail
    names = sorted(path.name for path in out.iterdir())
    assert len([name for name in names if name.endswith(".html")]) == 2
    assert len([name for name in names if name.endswith(".md")]) == 2
    assert len([name for name in names if name.endswith(".csv")]) == 2
    assert not [name for name in names if name.startswith(".")]  # no temporary file left
    # Each run reads the clock once, which moves an hour per reading: the first report
    # is stamped 06:00 and the third 08:00.
    assert any("20260105T060000Z" in name for name in names)
    assert any("20260105T080000Z" in name for name in names)
    assert "Report run 2 failed" in caplog.text
    assert "next scheduled run will try again" in caplog.text
    assert "Report run 3 finished" in caplog.text


def test_stop_before_first_fire_runs_nothing(tmp_path):
    calls = []
    scheduler = ReportScheduler(parse_cron("0 0 1 1 *", UTC), lambda: calls.append(1) or "ran")
    scheduler.run_until_stopped(wait=lambda stopped: None)
    assert calls == []
    assert scheduler.runs == 0
