"""One report run: build, render, write the files and optionally send the e-mail."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analytics.config import Settings
from analytics.metrics import MetricOptions
from analytics.reports.build import Narrator, build_report
from analytics.reports.deliver import (
    ReportFiles,
    SmtpSettings,
    build_email,
    report_stem,
    send_email,
    write_report_files,
)
from analytics.reports.model import Report
from analytics.reports.render import render_report

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportOutcome:
    """A finished run: the report, where its files are and who was e-mailed."""

    report: Report
    files: ReportFiles
    emailed_to: tuple[str, ...] = ()

    def summary(self) -> dict:
        """Return the run as the report command's JSON shows it."""
        report = self.report
        return {
            "html": str(self.files.html),
            "markdown": str(self.files.markdown),
            "csv": str(self.files.csv),
            "period": report.headline_period["period"] if report.headline_period else None,
            "period_complete": report.headline_is_complete,
            "as_of": report.as_of,
            "narrative_source": report.narrative.source,
            "narrative_model": report.narrative.model,
            "warnings": list(report.warnings),
            "emailed_to": list(self.emailed_to),
        }


def produce_report(
    settings: Settings,
    options: MetricOptions,
    out_dir: Path,
    *,
    email_to: Sequence[str] = (),
    smtp: SmtpSettings | None = None,
    attach_html: bool = False,
    clock: Callable[[], datetime] | None = None,
    on_wait: Callable[[str], None] | None = None,
    narrator: Narrator | None = None,
) -> ReportOutcome:
    """Build the report for ``options``, write its three files into ``out_dir`` and, when
    ``email_to`` names recipients, send it through ``smtp``: the summary with the metrics
    CSV attached and, with ``attach_html``, the HTML report too.

    A failure before the files are renamed into place leaves no file; a failed e-mail
    leaves the complete files and raises.
    """
    generated_at = (clock or (lambda: datetime.now(UTC)))()
    report = build_report(
        settings, options, generated_at=generated_at, on_wait=on_wait, narrator=narrator
    )
    rendered = render_report(report)
    files = write_report_files(rendered, Path(out_dir), report_stem(report))
    logger.info("Report written: %s, %s, %s", files.html, files.markdown, files.csv)
    if not email_to:
        return ReportOutcome(report, files)
    if smtp is None:
        smtp = SmtpSettings.from_environment()
    message = build_email(
        report,
        rendered,
        files,
        sender=smtp.sender,
        recipients=list(email_to),
        attach_html=attach_html,
    )
    send_email(message, smtp)
    return ReportOutcome(report, files, tuple(email_to))
