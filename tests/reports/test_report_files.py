"""Report files appear whole or not at all."""

from __future__ import annotations

import os

import pytest

from analytics.errors import GrowthLensError
from analytics.reports.deliver import write_report_files
from analytics.reports.render import RenderedReport

RENDERED = RenderedReport(html="<p>html</p>", markdown="# md\n", csv="a,b\n1,2\n", email_html="")


def test_three_files_written_under_stem(tmp_path):
    files = write_report_files(RENDERED, tmp_path / "reports", "growthlens-report-x")
    assert files.html.read_text(encoding="utf-8") == "<p>html</p>"
    assert files.markdown.read_text(encoding="utf-8") == "# md\n"
    assert files.csv.read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert sorted(path.name for path in (tmp_path / "reports").iterdir()) == [
        "growthlens-report-x.csv",
        "growthlens-report-x.html",
        "growthlens-report-x.md",
    ]


def test_files_follow_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        files = write_report_files(RENDERED, tmp_path, "report")
    finally:
        os.umask(previous)
    assert files.html.stat().st_mode & 0o777 == 0o644


def test_same_stem_twice_keeps_both_reports(tmp_path):
    first = write_report_files(RENDERED, tmp_path, "report")
    second = write_report_files(
        RenderedReport(html="second", markdown="second", csv="second", email_html=""),
        tmp_path,
        "report",
    )
    assert second.html.name == "report-2.html"
    assert first.html.read_text(encoding="utf-8") == "<p>html</p>"
    assert second.html.read_text(encoding="utf-8") == "second"


def test_failed_write_leaves_no_file(tmp_path, caplog):
    out = tmp_path / "reports"
    earlier = write_report_files(RENDERED, out, "earlier")
    # A lone surrogate cannot be encoded, so the third file fails half way.
    broken = RenderedReport(html="<p>ok</p>", markdown="ok", csv="bad \ud800", email_html="")
    with pytest.raises(UnicodeEncodeError):
        write_report_files(broken, out, "broken")
    assert sorted(path.name for path in out.iterdir()) == sorted(
        [earlier.html.name, earlier.markdown.name, earlier.csv.name]
    )
    assert "no file was left" in caplog.text


def test_failed_rename_removes_renamed_files(tmp_path, monkeypatch):
    real_replace = os.replace
    calls = []

    def replace_then_fail(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    out = tmp_path / "reports"
    monkeypatch.setattr(os, "replace", replace_then_fail)
    with pytest.raises(GrowthLensError) as caught:
        write_report_files(RENDERED, out, "report")
    assert "No space left on device" in str(caught.value)
    assert list(out.iterdir()) == []


def test_unwritable_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(GrowthLensError) as caught:
        write_report_files(RENDERED, blocker / "reports", "report")
    assert "Failed to create the report folder" in str(caught.value)
