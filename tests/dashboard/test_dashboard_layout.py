"""How tables, charts and caveats present the figures: formats as on the KPI cards,
segment values named and ordered for people, and the metrics result's warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dashboard_support import load_case, open_app, problems_on

from analytics.config import Settings
from analytics.store.ingest import IngestOptions, ingest_file
from dashboard.components import charts, tables
from dashboard.segments import NO_VALUE, ordered_segments, segment_label

# Two customers per CD count; "9" buys in one month only, the others in two months, and
# one customer has no value. Figures are not the point here, the order of values is.
CDS_EVENTS = """customer_id,timestamp,amount,number_of_cds
A,2024-01-05,10.00,1
B,2024-01-06,20.00,2
C,2024-01-07,30.00,10
D,2024-01-08,40.00,11
E,2024-01-09,50.00,
A,2024-02-05,10.00,1
C,2024-02-07,30.00,10
D,2024-02-08,40.00,11
E,2024-02-09,50.00,
"""
# Every customer buys in January only, and the data stops in January: no complete month
# has customers at its start, so no segment's CLV is estimable.
SINGLE_MONTH_EVENTS = """customer_id,timestamp,amount,channel
A,2024-01-05,10.00,web
B,2024-01-06,20.00,shop
C,2024-01-20,30.00,web
"""


def load_text(settings: Settings, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    ingest_file(path, IngestOptions(), settings)


def column_formats(app, index: int) -> dict[str, str]:
    """Return each column's number format in the ``index``-th table of the page."""
    config = json.loads(app.dataframe[index].proto.columns)
    return {
        name: spec.get("type_config", {}).get("format")
        for name, spec in config.items()
        if spec.get("type_config", {}).get("format")
    }


def test_numeric_segment_values_sort_by_number():
    parts = [{"value": value} for value in ("1", "10", "11", "2", None, "9.5")]

    ordered = [part["value"] for part in ordered_segments(parts)]

    assert ordered == ["1", "2", "9.5", "10", "11", None]


def test_text_segment_values_keep_their_order():
    parts = [{"value": value} for value in ("email", "10", "search", None)]

    ordered = [part["value"] for part in ordered_segments(parts)]

    assert ordered == ["email", "10", "search", None]


def test_missing_segment_value_has_a_label():
    assert segment_label(None) == NO_VALUE == "(no value)"
    assert segment_label("None") == "None"


def test_clv_table_orders_numeric_attribute(settings: Settings, tmp_path: Path):
    load_text(settings, tmp_path, "cds.csv", CDS_EVENTS)

    app = open_app({"window": "period", "segment": "number_of_cds"}, page="clv.py")

    table = app.dataframe[0].value
    assert problems_on(app) == []
    assert list(table["Segment value"]) == ["1", "2", "10", "11", "(no value)"]
    assert app.selectbox(key="sidebar_segment_value").options == [
        "All customers",
        "1",
        "2",
        "10",
        "11",
        "(no value)",
    ]


def test_clv_table_formats_like_the_cards(demo_database: Path):
    app = open_app(page="clv.py")

    formats = column_formats(app, 0)
    table = app.dataframe[0].value
    assert problems_on(app) == []
    assert formats["APV"] == "$%,.2f"  # the demo data is in USD, like "$37.21" on the card
    assert formats["CLV"] == "$%,.2f"
    assert formats["Pooled churn %"] == "%.2f%%"
    assert formats["Lifespan"] == "%.2f years"
    assert "None" not in list(table["Segment value"])
    assert not table["Reason"].isna().any()  # empty, not "n/a", when a CLV has no reason


def test_clv_without_estimable_segment_shows_message(settings: Settings, tmp_path: Path):
    load_text(settings, tmp_path, "january.csv", SINGLE_MONTH_EVENTS)

    app = open_app({"window": "period"}, page="clv.py")

    infos = " ".join(info.value for info in app.info)
    assert problems_on(app) == []
    assert app.get("plotly_chart") == []
    assert "No value of channel has an estimable CLV" in infos
    assert list(app.dataframe[0].value["Segment value"]) == ["shop", "web"]


def test_retention_table_columns_and_formats(settings: Settings):
    load_case("partial_last_period.csv", settings)

    app = open_app({"window": "period"}, page="retention.py")

    columns = list(app.dataframe[0].value.columns)
    formats = column_formats(app, 0)
    assert problems_on(app) == []
    assert "Start" not in columns
    assert "Free orders" not in columns
    assert formats["CRR %"] == "%.2f%%"
    assert formats["Revenue"] == "%,.2f"  # the file has no currency column


def test_period_csv_frame_has_every_field():
    periods = [
        {
            "period": "2024-01",
            "start": "2024-01-01",
            "end": "2024-01-31",
            "complete": True,
            "S": 0,
            "E": 4,
            "free_orders": 1,
            "refunds": 0.0,
        }
    ]

    frame = tables.periods_csv_frame(periods)

    assert frame.columns == [
        "Period",
        "Start",
        "End",
        "Complete",
        "S (at start)",
        "E (at end)",
        "Free orders",
        "Refunds",
    ]


@pytest.mark.parametrize(
    ("currency", "expected"),
    [("USD", "$%,.2f"), ("eur", "€%,.2f"), ("CHF", "CHF %,.2f"), (None, "%,.2f")],
)
def test_money_format_matches_cards(currency: str | None, expected: str):
    assert tables.number_format(tables.MONEY, currency) == expected


def test_cohort_heatmap_labels_24_cohorts_briefly():
    cohorts = [
        {
            "cohort": f"2024-{month:02d}",
            "size": 4,
            "cells": [
                {"offset": offset, "active": 3, "rate": 75.0, "complete": True}
                for offset in range(24 - month + 1)
            ],
        }
        for month in range(1, 25)
    ]

    heatmap = charts.cohort_heatmap(cohorts).data[0]

    assert heatmap.texttemplate == "%{text}"
    assert heatmap.text[0][0] == "75%"
    assert max(len(text) for row in heatmap.text for text in row) <= len("100%*")
    assert list(heatmap.x) == list(range(24))


def test_cohort_heatmap_drops_text_for_many_offsets():
    cohorts = [
        {
            "cohort": "2024-01-01",
            "size": 1,
            "cells": [{"offset": k, "active": 1, "rate": 100.0} for k in range(40)],
        }
    ]

    heatmap = charts.cohort_heatmap(cohorts).data[0]

    assert heatmap.texttemplate is None


@pytest.mark.parametrize(
    ("grain", "axis"), [("day", "date"), ("week", "date"), ("month", "category")]
)
def test_period_charts_axis_by_grain(grain: str, axis: str):
    periods = [
        {"period": "2024-01-01", "start": "2024-01-01", "complete": True, "revenue": 1.0},
        {"period": "2024-01-02", "start": "2024-01-02", "complete": False, "revenue": 2.0},
    ]

    for figure in (
        charts.retention_figure(periods, grain),
        charts.breakdown_figure(periods, grain),
        charts.revenue_figure(periods, None, grain),
    ):
        assert figure.layout.xaxis.type == axis


@pytest.mark.parametrize("page", ["overview.py", "retention.py", "clv.py"])
def test_subscription_window_without_subscriptions_warns(settings: Settings, page: str):
    load_case("partial_last_period.csv", settings)  # purchases only

    app = open_app({"window": "subscription"}, page=page)

    warnings = " ".join(warning.value for warning in app.warning)
    assert problems_on(app) == []
    assert "no subscription events" in warnings


@pytest.mark.parametrize("page", ["overview.py", "retention.py", "clv.py"])
def test_metrics_warnings_shown_once(demo_database: Path, monkeypatch, page: str):
    import dashboard.view

    original = dashboard.view.compute_metrics

    def with_warning(connection, options):
        result = original(connection, options)
        return result | {"warnings": [{"code": "test_caveat", "message": "A test caveat."}]}

    monkeypatch.setattr(dashboard.view, "compute_metrics", with_warning)

    app = open_app(page=page)

    caveats = [warning.value for warning in app.warning if "A test caveat." in warning.value]
    assert problems_on(app) == []
    assert caveats == ["A test caveat."]
