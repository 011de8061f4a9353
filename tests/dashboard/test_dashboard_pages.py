"""Every page rendered with AppTest: no exception, and the figures it shows are the
metrics of the same database (worked out by hand for the small shared cases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_support import (
    latest_complete,
    load_case,
    metric_deltas,
    metric_values,
    metrics_of,
    open_app,
    problems_on,
    texts,
)

from analytics.config import Settings
from analytics.insights import formatting as fmt

KPI_CRR = "Retention (CRR)"
KPI_CHURN = "Churn"
KPI_CLV = "CLV"
KPI_ACTIVE = "Active (E)"
KPI_REVENUE = "Revenue"


def test_overview_kpis_match_demo_metrics(demo_database: Path):
    app = open_app()

    expected = latest_complete(metrics_of(demo_database, window="auto"))
    shown = metric_values(app)
    assert problems_on(app) == []
    assert shown[KPI_CRR] == fmt.format_rate(expected["crr"])
    assert shown[KPI_CHURN] == fmt.format_rate(expected["churn_rate"])
    assert shown[KPI_ACTIVE] == fmt.format_count(expected["E"])
    assert shown[KPI_REVENUE].endswith(fmt.format_amount(expected["revenue"]))


def test_overview_skips_incomplete_month(settings: Settings):
    # Four customers pay 20.00 in January and February; the data stops on 10 March.
    load_case("partial_last_period.csv", settings)

    app = open_app({"window": "period"})

    shown = metric_values(app)
    deltas = metric_deltas(app)
    assert problems_on(app) == []
    assert shown[KPI_CRR] == "100.00%"  # February: S = 4, E = 4, N = 0
    assert shown[KPI_CHURN] == "0.00%"
    assert shown[KPI_ACTIVE] == "4"
    assert shown[KPI_REVENUE] == "80.00"
    assert deltas[KPI_REVENUE] == "0.00%"  # 80.00 against January's 80.00, not March's 40.00
    assert shown[KPI_CLV] == "n/a"  # pooled churn is 0: no lifespan
    page = texts(app)
    assert "February 2024, compared with January 2024" in page
    assert "March 2024 is incomplete" in page
    assert "revenue 40.00" in page


def test_overview_crr_formula_inputs(settings: Settings):
    load_case("partial_last_period.csv", settings)

    app = open_app({"window": "period"})

    page = texts(app)
    assert "**Customer retention rate** = (E - N) / S × 100" in page
    assert "- **S** (Customers at start) = 4" in page
    assert "- **E** (Customers at end) = 4" in page
    assert "- **N** (New customers) = 0" in page


def test_overview_empty_workspace():
    app = open_app()

    assert problems_on(app) == []
    assert "no events yet" in texts(app)
    assert "growthlens demo" in texts(app)
    assert [link.label for link in app.get("page_link")] == ["Go to Upload"]


def test_retention_joined_and_churned(settings: Settings):
    # J1-J4 join in January; in February J5 and J6 join and cancel, J4 cancels, J7 joins.
    load_case("joined_and_churned.csv", settings)

    app = open_app({"window": "auto"}, page="retention.py")

    assert problems_on(app) == []
    table = app.dataframe[0].value
    february = table[table["Period"] == "2024-02"].iloc[0]
    assert february["S (at start)"] == 4
    assert february["E (at end)"] == 4
    assert february["N (new in E)"] == 1
    assert february["Churned"] == 1
    assert february["Joined and churned"] == 2
    assert february["CRR %"] == pytest.approx(75.0)
    january = table[table["Period"] == "2024-01"].iloc[0]
    assert january["CRR %"] != january["CRR %"]  # undefined (S = 0) is null, shown as n/a


def test_retention_matches_demo_metrics(demo_database: Path):
    app = open_app({"grain": "quarter"}, page="retention.py")

    expected = metrics_of(demo_database, grain="quarter", window="auto")
    table = app.dataframe[0].value
    cohorts = app.dataframe[1].value
    assert problems_on(app) == []
    assert list(table["Period"]) == [period["period"] for period in expected["periods"]]
    assert list(table["E (at end)"]) == [period["E"] for period in expected["periods"]]
    assert list(table["Churned"]) == [period["churned"] for period in expected["periods"]]
    first_cells = cohorts[cohorts["offset"] == 0]
    assert list(first_cells["active"]) == [cohort["size"] for cohort in expected["cohorts"]]
    assert len(app.get("plotly_chart")) == 4  # rates, breakdown, revenue, cohorts


def test_clv_formula_parts(settings: Settings):
    # 5 paid purchases worth 160.00 by 3 customers over 53 days; March churns 2 of 2.
    load_case("one_time_buyers.csv", settings)

    app = open_app({"window": "period"}, page="clv.py")

    shown = metric_values(app)
    assert problems_on(app) == []
    assert shown["CLV"] == "30.63"  # 32.00 × 11.4858 / 12
    assert shown["Average purchase value (APV)"] == "32.00"
    assert shown["Purchases per year"] == "11.4858"
    assert shown["Pooled churn per month"] == "100.00%"
    assert shown["Lifespan"] == "0.08 years"  # one month
    assert shown["Gross margin"] == "not applied"


def test_clv_with_refunds(settings: Settings):
    # Net revenue 200.00 from 5 paid purchases by 3 customers over 122 days; every
    # complete month from March to May churns its one customer.
    load_case("refunds.csv", settings)

    app = open_app({"window": "period"}, page="clv.py")

    shown = metric_values(app)
    assert problems_on(app) == []
    assert shown["CLV"] == "16.63"  # 40.00 × 4.9898 / 12
    assert shown["Average purchase value (APV)"] == "40.00"
    assert shown["Purchases per year"] == "4.9898"
    assert shown["Pooled churn per month"] == "100.00%"


def test_overview_with_refunds(settings: Settings):
    load_case("refunds.csv", settings)

    app = open_app({"window": "period"})

    shown = metric_values(app)
    deltas = metric_deltas(app)
    assert problems_on(app) == []
    assert "May 2024, compared with April 2024" in texts(app)
    assert shown[KPI_CRR] == "0.00%"
    assert shown[KPI_CHURN] == "100.00%"
    assert shown[KPI_REVENUE] == "60.00"
    assert deltas[KPI_REVENUE] == "+20.00%"  # 60.00 against April's 50.00
    assert "June 2024 is incomplete" in texts(app)


def test_clv_not_estimable_reason(settings: Settings):
    # Nobody cancels, so no churn is observed and the lifespan is unknown.
    load_case("no_churn_yet.csv", settings)

    app = open_app({"window": "auto"}, page="clv.py")

    assert problems_on(app) == []
    assert metric_values(app)["CLV"] == "n/a"
    assert metric_values(app)["Average purchase value (APV)"] == "10.00"
    notice = [info.value for info in app.info if "not estimable" in info.value]
    assert len(notice) == 1
    assert "churn" in notice[0]


def test_clv_by_segment_values(demo_database: Path):
    app = open_app(page="clv.py")

    attribute = app.selectbox(key="clv_segment").value
    expected = metrics_of(demo_database, window="auto", segment=attribute)
    table = app.dataframe[0].value
    assert problems_on(app) == []
    assert sorted(table["Segment value"]) == sorted(
        "(no value)" if part["value"] is None else str(part["value"])
        for part in expected["segments"]
    )


def test_url_segment_value(demo_database: Path):
    probe = metrics_of(demo_database, window="auto", segment="channel")
    value = str(probe["segments"][0]["value"])

    app = open_app({"segment": "channel", "value": value})

    expected = latest_complete(probe["segments"][0])
    assert problems_on(app) == []
    assert metric_values(app)[KPI_ACTIVE] == fmt.format_count(expected["E"])
    assert f"Channel = {value}" in texts(app)
    assert app.query_params["segment"] == "channel"
    assert app.query_params["value"] == value


def test_url_filters_applied(demo_database: Path):
    app = open_app({"grain": "quarter", "window": "period", "from": "2024-04-01"})

    expected = latest_complete(
        metrics_of(demo_database, grain="quarter", window="period", date_from="2024-04-01")
    )
    assert problems_on(app) == []
    assert metric_values(app)[KPI_ACTIVE] == fmt.format_count(expected["E"])
    assert app.query_params["grain"] == "quarter"
    assert app.query_params["window"] == "period"
    assert app.query_params["from"] == "2024-04-01"
    assert app.selectbox(key="sidebar_grain").value == "quarter"


def test_grain_widget_updates_url(demo_database: Path):
    app = open_app()

    app.selectbox(key="sidebar_grain").set_value("year").run()

    expected = latest_complete(metrics_of(demo_database, grain="year", window="auto"))
    assert problems_on(app) == []
    assert metric_values(app)[KPI_ACTIVE] == fmt.format_count(expected["E"])
    assert app.query_params["grain"] == "year"


def test_invalid_url_filter_notice(demo_database: Path):
    app = open_app({"grain": "fortnight"})

    assert problems_on(app) == []
    assert "Ignored grain 'fortnight'" in texts(app)
    assert app.query_params["grain"] == "month"


def test_narrative_without_model(
    demo_database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("GROWTH_MODEL_PATH", str(tmp_path / "missing.gguf"))

    app = open_app(page="narrative.py")

    page = texts(app)
    facts = app.dataframe[0].value
    expected = latest_complete(metrics_of(demo_database, window="auto"))
    assert problems_on(app) == []
    assert "Template narrative: no model was available" in page
    assert "missing.gguf" in page
    assert fmt.format_rate(expected["crr"]) in list(facts["shown as"])
    assert fmt.format_rate(expected["crr"]) in page


@pytest.mark.model
def test_narrative_bundled_model_origin(demo_database: Path):
    app = open_app(page="narrative.py")

    page = texts(app)
    assert problems_on(app) == []
    assert "SmolLM2" in page  # the model's file name, whether its text or the template is shown
    assert "Written by the model" in page or "Template narrative" in page


def test_settings_saves_valid_values(settings: Settings):
    app = open_app(page="settings.py")

    app.text_input(key="settings_window").set_value("30d")
    app.text_input(key="settings_gross_margin").set_value("40%")
    app.button(key="settings_save").click().run()

    saved = settings.settings_file.read_text(encoding="utf-8")
    assert problems_on(app) == []
    assert '"window": "30D"' in saved
    assert '"gross_margin": 0.4' in saved


def test_settings_rejects_invalid_values(settings: Settings):
    app = open_app(page="settings.py")

    app.text_input(key="settings_reporting_timezone").set_value("Mars/Olympus")
    app.text_input(key="settings_gross_margin").set_value("2")
    app.button(key="settings_save").click().run()

    errors = [error.value for error in app.error]
    assert not settings.settings_file.exists()
    assert len(errors) == 1
    assert "Mars/Olympus" in errors[0]
    assert "Gross margin '2'" in errors[0]
