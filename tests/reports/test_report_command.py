"""``growthlens report`` and ``growthlens schedule`` as a user runs them."""

from __future__ import annotations

import csv
import signal
import time
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from report_cli import run_cli, run_json, start_cli
from report_samples import INJECTED_FORMULA, INJECTED_SCRIPT, insert_events
from smtp_support import PASSWORD, RecordingHandler, free_port

from analytics.demo.generator import generate_events

POLL_SECONDS = 0.2


@pytest.fixture(autouse=True)
def no_model(monkeypatch, tmp_path):
    """Point the model setting at a missing file, so the template writes the narrative."""
    monkeypatch.setenv("GROWTH_MODEL_PATH", str(tmp_path / "missing.gguf"))


@pytest.fixture
def demo_database(settings) -> Path:
    insert_events(settings.database_path, generate_events(seed=9, customers=300))
    return settings.database_path


def wait_for_reports(out: Path, count: int, process, deadline_seconds: float = 180) -> list[Path]:
    """Poll ``out`` until it holds ``count`` HTML reports or the process ends."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline and process.poll() is None:
        reports = sorted(out.glob("*.html")) if out.exists() else []
        if len(reports) >= count:
            return reports
        time.sleep(POLL_SECONDS)
    return sorted(out.glob("*.html")) if out.exists() else []


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_schedule_runs_until_signal(demo_database, tmp_path, stop_signal):
    out = tmp_path / "reports"
    # A sixth, leading cron field gives seconds: a run every second.
    process = start_cli(
        "schedule", "--cron", "* * * * * *", "--out", str(out), "--window", "90D",
        "--db", str(demo_database),
    )  # fmt: skip
    try:
        reports = wait_for_reports(out, 2, process)
        process.send_signal(stop_signal)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert len(reports) >= 2
    assert process.returncode == 0, stderr
    assert "Report run 1 started" in stderr
    assert "Report run 1 finished" in stderr
    assert "Report run 2 finished" in stderr
    assert f"Received {stop_signal.name}" in stderr
    assert "Report schedule stopped after" in stderr
    assert "Traceback" not in stderr
    names = [path.name for path in out.iterdir()]
    assert not [name for name in names if name.startswith(".")]  # no temporary file left
    for report in out.glob("*.html"):
        assert report.with_suffix(".md").is_file()
        assert report.with_suffix(".csv").is_file()


def test_schedule_rejects_invalid_cron(tmp_path):
    out = tmp_path / "reports"
    completed = run_cli("schedule", "--cron", "61 * * * *", "--out", str(out))
    assert completed.returncode == 2
    assert "Invalid cron expression '61 * * * *'" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not out.exists()


def test_schedule_email_needs_smtp_host(tmp_path, monkeypatch):
    monkeypatch.delenv("GROWTH_SMTP_HOST", raising=False)
    completed = run_cli(
        "schedule", "--cron", "@daily", "--out", str(tmp_path / "r"), "--email-to", "a@example.test"
    )
    assert completed.returncode == 2
    assert "GROWTH_SMTP_HOST" in completed.stderr


def test_schedule_emails_each_report(demo_database, tmp_path, monkeypatch):
    from aiosmtpd.controller import Controller

    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("GROWTH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GROWTH_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("GROWTH_SMTP_FROM", "reports@example.test")
    monkeypatch.setenv("GROWTH_SMTP_PASSWORD", PASSWORD)  # set but unused: no user
    out = tmp_path / "reports"
    process = start_cli(
        "schedule", "--cron", "* * * * * *", "--out", str(out), "--email-to", "team@example.test",
        "--no-attach-html", "--window", "90D", "--db", str(demo_database),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while not handler.messages and time.monotonic() < deadline and process.poll() is None:
            time.sleep(POLL_SECONDS)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        controller.stop()

    assert process.returncode == 0, stderr
    assert handler.messages
    envelope, _ = handler.messages[0]
    assert envelope.rcpt_tos == ["team@example.test"]
    assert b"Subject: GrowthLens report: December 2025" in envelope.original_content
    assert b'filename="growthlens-report-' in envelope.original_content
    assert PASSWORD not in stderr
    assert "; e-mailed to 1 recipient\n" in stderr


HOSTILE_ROWS = [
    ("c1", "2024-01-05", "20.00", INJECTED_SCRIPT),
    ("c2", "2024-01-06", "30.00", INJECTED_FORMULA),
    ("c3", "2024-01-07", "40.00", "[x](javascript:alert(1))"),
    ("c1", "2024-02-05", "20.00", INJECTED_SCRIPT),
    ("c2", "2024-03-06", "30.00", INJECTED_FORMULA),
]


def test_report_escapes_hostile_channel_names(settings, tmp_path):
    source = tmp_path / "hostile.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "timestamp", "amount", "channel"])
        writer.writerows(HOSTILE_ROWS)
    database = ["--db", str(settings.database_path)]
    loaded = run_cli("ingest", str(source), "--map", "event_time=timestamp", *database)
    assert loaded.returncode == 0, loaded.stderr

    report = run_json("report", "--out", str(tmp_path / "out"), "--window", "period", *database)

    html = Path(report["html"]).read_text(encoding="utf-8")
    assert INJECTED_SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    markdown = Path(report["markdown"]).read_text(encoding="utf-8")
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    assert "<script" not in rendered
    assert "<a " not in rendered
    with Path(report["csv"]).open(encoding="utf-8", newline="") as handle:
        segments = {row["segment"] for row in csv.DictReader(handle) if row["scope"] == "segment"}
    assert segments == {INJECTED_SCRIPT, "'" + INJECTED_FORMULA, "[x](javascript:alert(1))"}
