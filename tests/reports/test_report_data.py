"""Reports from real data (CDNOW) and from the demo data carry the figures that
``growthlens metrics --format json`` gives for the same options."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from report_cli import run_cli, run_json
from report_parsing import csv_rows, html_kpis, markdown_kpis
from report_samples import CDNOW_FILE

KPI_FIELDS = {  # KPI row id in the HTML -> (field of a period, kind of figure)
    "crr": ("crr", "rate"),
    "churn_rate": ("churn_rate", "rate"),
    "revenue": ("revenue", "money"),
    "active_customers": ("E", "count"),
    "new_customers": ("new_first_time", "count"),
    "returning_customers": ("returning", "count"),
}


CURRENCY_PREFIXES = {None: "", "USD": "$", "EUR": "€", "GBP": "£"}


def _level(value, kind: str, currency: str | None = None) -> str:
    if value is None:
        return "n/a"
    if kind == "rate":
        return f"{value:.2f}%"
    if kind == "money":
        return f"{CURRENCY_PREFIXES[currency]}{value:,.2f}"
    return f"{value:,d}"


def _signed(change: float) -> str:
    rounded = round(change, 2)
    return "0.00" if rounded == 0 else f"{rounded:+,.2f}"


def _change(value, before, kind: str) -> str:
    if value is None or before is None:
        return "n/a"
    if kind == "rate":
        return f"{_signed(value - before)} points"
    if before == 0:
        return "n/a"
    return f"{_signed((value - before) / abs(before) * 100)}%"


def expected_kpis(metrics: dict) -> dict[str, dict[str, str]]:
    """Work out the KPI table from the metrics JSON: the latest complete period against
    the complete period before it."""
    complete = [period for period in metrics["periods"] if period["complete"]]
    latest, previous = complete[-1], complete[-2]
    currency = metrics.get("currency")
    expected = {}
    for metric, (field, kind) in KPI_FIELDS.items():
        expected[metric] = {
            "value": _level(latest[field], kind, currency),
            "previous": _level(previous[field], kind, currency),
            "change": _change(latest[field], previous[field], kind),
        }
    clv = metrics["clv"]
    expected["clv"] = {
        "value": _level(clv["clv"], "money", currency) if clv["estimable"] else "n/a"
    }
    return expected


def check_report_against_metrics(report: dict, metrics: dict) -> None:
    """Compare the KPI figures in the report's HTML, Markdown and CSV with the metrics."""
    expected = expected_kpis(metrics)
    html = html_kpis(Path(report["html"]).read_text(encoding="utf-8"))
    markdown = markdown_kpis(Path(report["markdown"]).read_text(encoding="utf-8"))
    for metric, figures in expected.items():
        for column, text in figures.items():
            assert html[metric][column].split(" (")[0] == text, (metric, column)
            assert markdown[html[metric]["label"]][column].split(" (")[0] == text, (metric, column)

    latest = [period for period in metrics["periods"] if period["complete"]][-1]
    assert report["period"] == latest["period"]
    rows = [
        row
        for row in csv_rows(Path(report["csv"]).read_text(encoding="utf-8"))
        if row["scope"] == "all"
    ]
    assert [row["period"] for row in rows] == [period["period"] for period in metrics["periods"]]
    for row, period in zip(rows, metrics["periods"], strict=True):
        for field in (
            "S",
            "E",
            "N",
            "new_first_time",
            "returning",
            "retained",
            "churned",
            "paid_purchases",
        ):
            assert int(row[field]) == period[field], (period["period"], field)
        for field in ("crr", "churn_rate", "revenue"):
            if period[field] is None:
                assert row[field] == "", (period["period"], field)
            else:
                assert float(row[field]) == pytest.approx(period[field], abs=1e-9), (
                    period["period"],
                    field,
                )


@pytest.fixture
def cdnow_database(settings) -> Path:
    completed = run_cli(
        "ingest",
        str(CDNOW_FILE),
        "--map",
        "event_time=order_date",
        "--db",
        str(settings.database_path),
    )
    assert completed.returncode == 0, completed.stderr
    return settings.database_path


@pytest.mark.parametrize(
    "options",
    [
        ["--grain", "month", "--window", "90D"],
        ["--grain", "quarter", "--window", "period", "--lifespan-years", "3"],
    ],
    ids=["month-90D", "quarter-period-lifespan"],
)
def test_cdnow_report_matches_metrics(cdnow_database, tmp_path, options):
    database = ["--db", str(cdnow_database)]
    metrics = run_json("metrics", *options, *database)
    report = run_json("report", "--out", str(tmp_path / "reports"), *options, *database)
    check_report_against_metrics(report, metrics)
    assert report["narrative_source"] in ("model", "template")


def test_cdnow_first_quarter_new_customers(cdnow_database, tmp_path):
    # CDNOW's sample is the 23,570 customers whose first purchase was in the first
    # quarter of 1997. Those with only free (0.00) orders in that quarter are not active,
    # so the quarter's new customers are the ones with a paid order, counted here from
    # the raw file.
    raw = duckdb.connect()
    customers, paying = raw.execute(
        """
        SELECT count(DISTINCT customer_id),
               count(DISTINCT customer_id) FILTER (WHERE amount > 0)
        FROM read_csv(?, types = {'customer_id': 'VARCHAR'})
        WHERE order_date < DATE '1997-04-01'
        """,
        [str(CDNOW_FILE)],
    ).fetchone()
    assert customers == 23_570

    report = run_json(
        "report", "--out", str(tmp_path / "reports"), "--grain", "quarter", "--window", "period",
        "--to", "1997-03-31", "--db", str(cdnow_database),
    )  # fmt: skip

    kpis = html_kpis(Path(report["html"]).read_text(encoding="utf-8"))
    assert kpis["new_customers"]["value"] == f"{paying:,d}"
    assert kpis["active_customers"]["value"] == f"{paying:,d}"
    assert kpis["crr"]["value"].startswith("n/a")  # no customer before, so S = 0


def test_demo_report_matches_metrics(settings, tmp_path):
    database = ["--db", str(settings.database_path)]
    loaded = run_cli("demo", "--customers", "1500", "--seed", "11", *database)
    assert loaded.returncode == 0, loaded.stderr
    metrics = run_json("metrics", "--segment", "channel", *database)
    report = run_json("report", "--out", str(tmp_path / "reports"), *database)
    check_report_against_metrics(report, metrics)
    # The demo data has a channel attribute, so CLV is split by it without --segment.
    markdown = Path(report["markdown"]).read_text(encoding="utf-8")
    assert "### CLV by `channel`" in markdown
    csv_segments = {
        row["segment"]
        for row in csv_rows(Path(report["csv"]).read_text(encoding="utf-8"))
        if row["scope"] == "segment"
    }
    assert csv_segments == {segment["value"] for segment in metrics["segments"]}


def test_report_without_database_exits_2_and_writes_nothing(settings, tmp_path):
    out = tmp_path / "reports"
    completed = run_cli("report", "--out", str(out), "--db", str(tmp_path / "missing.duckdb"))
    assert completed.returncode == 2
    assert "No database at" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not out.exists() or list(out.iterdir()) == []
