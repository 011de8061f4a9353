"""Rendering a report worked out by hand: KPI figures, warnings and escaping in every format."""

from __future__ import annotations

import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from report_parsing import csv_rows, html_kpis, markdown_kpis, markdown_table_rows
from report_samples import GENERATED_AT, INJECTED_FORMULA, INJECTED_SCRIPT, build_partial_metrics

from analytics.config import Settings
from analytics.metrics.options import MetricOptions
from analytics.reports.build import assemble_report
from analytics.reports.formatting import TABLE_VALUE_CHARS
from analytics.reports.render import render_report


def _render(metrics: dict, narrative, tmp_path, segment: str | None = "channel"):
    report = assemble_report(
        metrics,
        narrative,
        Settings(home=tmp_path),
        options=MetricOptions(grain="month", window="period", segment=segment),
        generated_at=GENERATED_AT,
    )
    return report, render_report(report)


def test_kpi_table_compares_latest_complete_with_previous(
    partial_metrics, template_narrative, tmp_path
):
    # February is the latest complete month (March is cut off on the 10th); January the
    # one before. CRR in January is undefined (S = 0), so it has no change.
    _, rendered = _render(partial_metrics, template_narrative, tmp_path)
    expected = {
        "crr": ("100.00%", "n/a", "n/a"),
        "churn_rate": ("0.00%", "n/a", "n/a"),
        "revenue": ("80.00", "80.00", "0.00%"),
        "active_customers": ("4", "4", "0.00%"),
        "new_customers": ("0", "4", "-100.00%"),  # (0 - 4) / 4
        "returning_customers": ("0", "0", "n/a"),  # change from zero is undefined
    }
    kpis = html_kpis(rendered.html)
    for metric, (value, previous, change) in expected.items():
        assert kpis[metric]["value"] == value, metric
        assert kpis[metric]["previous"] == previous, metric
        assert kpis[metric]["change"] == change, metric
    assert kpis["clv"]["value"].startswith("n/a")
    assert "no churn observed" in kpis["clv"]["value"]


def test_kpi_headers_name_the_compared_periods(partial_metrics, template_narrative, tmp_path):
    _, rendered = _render(partial_metrics, template_narrative, tmp_path)
    header = markdown_table_rows(rendered.markdown, "Metric")
    assert header  # the table exists
    assert "| Metric | 2024-02 | 2024-01 | Change | Formula |" in rendered.markdown
    assert "Key figures: February 2024" in rendered.html


def test_markdown_kpis_match_html(partial_metrics, template_narrative, tmp_path):
    _, rendered = _render(partial_metrics, template_narrative, tmp_path)
    html = html_kpis(rendered.html)
    markdown = markdown_kpis(rendered.markdown)
    for values in html.values():
        row = markdown[values["label"]]
        assert row["value"] == values["value"]
        if values["previous"] != "—":
            assert row["previous"] == values["previous"]
            assert row["change"] == values["change"]


def test_csv_holds_every_period_and_segment(partial_metrics, template_narrative, tmp_path):
    _, rendered = _render(partial_metrics, template_narrative, tmp_path)
    rows = csv_rows(rendered.csv)
    overall = [row for row in rows if row["scope"] == "all"]
    assert [row["period"] for row in overall] == ["2024-01", "2024-02", "2024-03"]
    february = overall[1]
    assert float(february["crr"]) == 100.0
    assert float(february["revenue"]) == 80.0
    assert february["E"] == "4"
    assert february["complete"] == "true"
    assert overall[2]["complete"] == "false"
    assert february["clv_estimable"] == "false"
    assert len([row for row in rows if row["scope"] == "segment"]) == 6  # 2 segments x 3


def test_incomplete_only_period_is_headline_without_comparison(template_narrative, tmp_path):
    metrics = build_partial_metrics()
    metrics["periods"] = metrics["periods"][2:]  # only March, incomplete
    report, rendered = _render(metrics, template_narrative, tmp_path)
    assert report.headline_period["period"] == "2024-03"
    assert not report.headline_is_complete
    kpis = html_kpis(rendered.html)
    assert kpis["revenue"]["value"] == "40.00"
    assert kpis["revenue"]["change"] == "n/a"
    assert "(incomplete)" in rendered.html
    assert any("No period is complete" in warning for warning in report.warnings)


def test_warnings_name_incomplete_period_small_cohort_and_clv(
    partial_metrics, template_narrative, tmp_path
):
    report, rendered = _render(partial_metrics, template_narrative, tmp_path)
    text = " ".join(report.warnings)
    assert "March 2024 is incomplete" in text
    assert "fewer than 30 customers" in text  # the 2024-01 cohort has 4
    assert "Lifetime value cannot be estimated" in text
    assert "for 1 of 2 segments; its reason is in the CLV by segment table" in text
    assert "1 of 1 cohort has fewer than 30 customers (2024-01)" in text
    for warning in report.warnings:
        assert re.sub(r"\s+", " ", warning) in re.sub(
            r"\s+", " ", rendered.html.replace("&#39;", "'")
        )


def test_metrics_warnings_reach_the_report(partial_metrics, template_narrative, tmp_path):
    message = "The cohort table shows only the latest 2 of the 3 month cohorts."
    partial_metrics["warnings"] = [{"code": "cohorts_truncated", "message": message}]
    report, rendered = _render(partial_metrics, template_narrative, tmp_path)

    assert message in report.warnings
    assert message in rendered.html
    assert message in rendered.markdown


def test_narrative_origin_and_notes_are_shown(partial_metrics, template_narrative, tmp_path):
    report, rendered = _render(partial_metrics, template_narrative, tmp_path)
    assert "Revenue was 80.00 in February 2024" in rendered.html
    assert "by the template" in rendered.html
    assert "The narrative model is not installed." in rendered.markdown
    assert report.narrative.source == "template"


def test_model_narrative_names_its_model(partial_metrics, template_narrative, tmp_path):
    template_narrative.source = "model"
    template_narrative.model = "SmolLM2-135M-Instruct.Q4_1.gguf"
    _, rendered = _render(partial_metrics, template_narrative, tmp_path)
    assert "Written by the local model SmolLM2-135M-Instruct.Q4_1.gguf" in rendered.html
    assert "local model SmolLM2\\-135M\\-Instruct.Q4\\_1.gguf" in rendered.markdown or (
        "local model SmolLM2-135M-Instruct.Q4\\_1.gguf" in rendered.markdown
    )


def test_html_escapes_segment_values(partial_metrics, template_narrative, tmp_path):
    _, rendered = _render(partial_metrics, template_narrative, tmp_path)
    assert INJECTED_SCRIPT not in rendered.html
    assert INJECTED_SCRIPT not in rendered.email_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "=HYPERLINK(&#34;x&#34;)" in rendered.html


HOSTILE_VALUES = [
    INJECTED_SCRIPT,
    INJECTED_FORMULA,
    "[click](javascript:alert(1))",
    "![img](http://evil.example/x.png)",
    "https://evil.example/path",
    "www.evil.example",
    "someone@evil.example",
    "<img src=x onerror=alert(1)>",
    "a | b",
    "line one\nline two",
    "`code` and **bold**",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_markdown_renders_hostile_values_inert(value, template_narrative, tmp_path):
    metrics = build_partial_metrics()
    metrics["segments"][0]["value"] = value
    template_narrative.text = f"Channel {value} drove revenue."
    _, rendered = _render(metrics, template_narrative, tmp_path)
    # Raw HTML is let through by this renderer, so any that the report produced would show.
    html = cmarkgfm.github_flavored_markdown_to_html(
        rendered.markdown, options=Options.CMARK_OPT_UNSAFE
    )
    assert "<script" not in html
    assert "<img" not in html
    assert "<a " not in html
    assert "<strong>" not in html
    assert html.count("<em>") == 1  # the report's own line on the narrative's origin
    segment_cells = [row[0] for row in markdown_table_rows(rendered.markdown, "`channel`")]
    assert len(segment_cells) == 2  # no extra cells or rows from pipes or line breaks


def test_long_values_are_truncated_with_marker_in_tables(template_narrative, tmp_path):
    metrics = build_partial_metrics()
    long_value = "campaign-" + "x" * 500
    metrics["segments"][0]["value"] = long_value
    _, rendered = _render(metrics, template_narrative, tmp_path)
    assert long_value not in rendered.html
    assert long_value not in rendered.markdown
    shown = long_value[: TABLE_VALUE_CHARS - 1]
    assert f"{shown}…" in rendered.html
    assert f"{shown}…" in rendered.markdown
    assert long_value in rendered.csv  # the CSV keeps the whole value


def test_csv_neutralises_formula_values(partial_metrics, template_narrative, tmp_path):
    _, rendered = _render(partial_metrics, template_narrative, tmp_path)
    segments = {row["segment"] for row in csv_rows(rendered.csv) if row["scope"] == "segment"}
    assert "'" + INJECTED_FORMULA in segments
    assert INJECTED_FORMULA not in segments
    assert INJECTED_SCRIPT in segments  # not a formula: kept as text


def test_html_is_self_contained(partial_metrics, template_narrative, tmp_path):
    _, rendered = _render(partial_metrics, template_narrative, tmp_path)
    assert re.search(r"<script[^>]+src=", rendered.html) is None
    assert re.search(r"<link[^>]+href=", rendered.html) is None
    assert re.search(r"<img[^>]+src=", rendered.html) is None
    assert "@import" not in rendered.html
    assert rendered.html.count('class="plotly-graph-div"') == 4
    assert "Plotly.newPlot" in rendered.html


def test_email_body_has_no_script(partial_metrics, template_narrative, tmp_path):
    _, rendered = _render(partial_metrics, template_narrative, tmp_path)
    assert "<script" not in rendered.email_html
    assert "80.00" in rendered.email_html


def test_same_report_renders_same_bytes(partial_metrics, template_narrative, tmp_path):
    _, first = _render(partial_metrics, template_narrative, tmp_path)
    _, second = _render(build_partial_metrics(), template_narrative, tmp_path)
    assert first.html == second.html
    assert first.markdown == second.markdown
    assert first.csv == second.csv
