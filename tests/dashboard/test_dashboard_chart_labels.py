"""User values on Plotly charts show as written: escaped, since Plotly reads some HTML in
text, and shortened on the axis, without merging values that shorten alike."""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

from dashboard_support import open_app, problems_on

from analytics.config import Settings
from analytics.store.ingest import IngestOptions, ingest_file
from dashboard.components import charts

LINK = '<a href="http://example.com/x">click me</a>'
ITALIC = "<i>ital</i><br>line2"
BOLD = "normal <b>bold</b> & co"
# Plotly's tags written as text. None of them may reach a figure unescaped.
MARKUP = ("<a", "<i>", "<b>", "<br>", "</a>")
LONG_PREFIX = "spring-sale-" + "x" * 10_000


def segment_rows(values: list[str]) -> list[dict]:
    return [
        {"value": value, "clv": 100.0 + index, "reason": ""} for index, value in enumerate(values)
    ]


def figure_text(figure) -> str:
    """Return the figure's data and layout as JSON, which contains every text Plotly may show."""
    return json.dumps(figure.to_plotly_json(), ensure_ascii=False)


def assert_no_markup(text: str) -> None:
    for tag in MARKUP:
        assert tag not in text, tag


def test_clv_chart_escapes_markup_in_values():
    figure = charts.clv_by_segment_figure(segment_rows([LINK, ITALIC, BOLD]), "campaign", "USD")

    ticks = list(figure.layout.xaxis.ticktext)
    assert_no_markup(figure_text(figure))
    # The link is 43 characters long, so its label keeps 39 and a marker.
    assert ticks[0] == '&lt;a href="http://example.com/x"&gt;click me…'
    assert ticks[1] == "&lt;i&gt;ital&lt;/i&gt;&lt;br&gt;line2"
    assert ticks[2] == "normal &lt;b&gt;bold&lt;/b&gt; &amp; co"


def test_clv_chart_hover_shows_whole_short_value():
    figure = charts.clv_by_segment_figure(segment_rows([LINK, ITALIC, BOLD]), "campaign", "USD")

    hovers = [row[0] for row in figure.data[0].customdata]
    assert hovers[0] == '&lt;a href="http://example.com/x"&gt;click me&lt;/a&gt;'
    assert html.unescape(hovers[1]) == ITALIC
    assert html.unescape(hovers[2]) == BOLD
    assert "%{x}" not in figure.data[0].hovertemplate  # the hover names the value, not the position


def test_clv_chart_escapes_attribute_name():
    figure = charts.clv_by_segment_figure(segment_rows(["web"]), "<b>camp</b>", None)

    assert figure.layout.title.text == "CLV by &lt;b&gt;camp&lt;/b&gt;"
    assert figure.layout.xaxis.title.text == "&lt;b&gt;camp&lt;/b&gt;"


def test_clv_chart_shortens_long_values():
    figure = charts.clv_by_segment_figure(segment_rows([LONG_PREFIX]), "campaign", None)

    label = figure.layout.xaxis.ticktext[0]
    hover = figure.data[0].customdata[0][0]
    assert label == "spring-sale-" + "x" * 27 + "…"
    assert len(label) == 40
    assert len(hover) == 200
    assert hover.endswith("…")
    assert LONG_PREFIX not in figure_text(figure)


def test_clv_chart_keeps_values_with_same_label_apart():
    rows = segment_rows([LONG_PREFIX + "-A", LONG_PREFIX + "-B"])

    figure = charts.clv_by_segment_figure(rows, "campaign", None)

    bars = figure.data[0]
    assert list(bars.x) == [0, 1]
    assert list(bars.y) == [100.0, 101.0]
    assert list(figure.layout.xaxis.tickvals) == [0, 1]
    assert figure.layout.xaxis.ticktext[0] == figure.layout.xaxis.ticktext[1]
    assert figure.layout.xaxis.type == "category"


def test_clv_chart_hover_escapes_reason():
    rows = [{"value": "web", "clv": None, "reason": "<b>no churn</b>"}]

    figure = charts.clv_by_segment_figure(rows, "campaign", None)

    assert figure.data[0].customdata[0][2] == "&lt;b&gt;no churn&lt;/b&gt;"


def test_revenue_chart_hover_escapes_currency():
    periods = [{"period": "2024-01", "revenue": 12.5, "complete": True}]

    figure = charts.revenue_figure(periods, "<b>x", "month")

    assert figure.data[0].customdata[0][0] == "&lt;B&gt;X 12.50"


def test_clv_page_chart_shows_markup_values_as_text(settings: Settings, tmp_path: Path):
    path = tmp_path / "campaigns.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["customer_id", "timestamp", "amount", "campaign"])
        for index, campaign in enumerate((LINK, ITALIC, BOLD, LONG_PREFIX)):
            for month in ("01", "02", "03"):
                writer.writerow([f"C{index}", f"2024-{month}-05", "10.00", campaign])
            writer.writerow([f"D{index}", "2024-01-06", "20.00", campaign])
    ingest_file(path, IngestOptions(), settings)

    app = open_app({"window": "period", "segment": "campaign"}, page="clv.py")

    charts_drawn = app.get("plotly_chart")
    assert problems_on(app) == []
    assert len(charts_drawn) == 1
    spec = charts_drawn[0].proto.spec
    figure = json.loads(spec)
    ticks = figure["layout"]["xaxis"]["ticktext"]
    assert_no_markup(spec)
    assert LONG_PREFIX not in spec
    assert len(ticks) == 4
    assert "normal &lt;b&gt;bold&lt;/b&gt; &amp; co" in ticks
    assert all(len(html.unescape(tick)) <= 40 for tick in ticks)
    table = list(app.dataframe[0].value["Segment value"])
    assert BOLD in table  # tables keep the value as plain text
