"""User values on the report's Plotly charts show as written: escaped, since Plotly reads
some HTML in text, and shortened on the axis, without merging values that shorten alike."""

from __future__ import annotations

import html
import json

from analytics.reports import charts
from analytics.reports.formatting import category_ticks, chart_label
from analytics.reports.model import SegmentClv

LINK = '<a href="http://example.com/x">click me</a>'
ITALIC = "<i>ital</i><br>line2"
BOLD = "normal <b>bold</b> & co"
MARKUP = ("<a", "<i>", "<b>", "<br>", "</a>")
LONG_PREFIX = "spring-sale-" + "x" * 10_000


def segment(value: str, clv: float | None) -> SegmentClv:
    return SegmentClv(
        value=value,
        paying_customers=2,
        revenue=30.0,
        apv=15.0,
        frequency_per_year=2.0,
        lifespan_years=3.0,
        clv=clv,
        estimable=clv is not None,
        reason=None if clv is not None else "no churn observed",
    )


def test_chart_label_escapes_plotly_markup():
    assert chart_label(ITALIC) == "&lt;i&gt;ital&lt;/i&gt;&lt;br&gt;line2"
    assert chart_label(BOLD) == "normal &lt;b&gt;bold&lt;/b&gt; &amp; co"
    assert chart_label(LINK) == '&lt;a href="http://example.com/x"&gt;click me…'


def test_chart_label_cuts_before_escaping():
    label = chart_label("&" * 100, 10)

    assert label == "&amp;" * 9 + "…"
    assert len(html.unescape(label)) == 10


def test_category_ticks_name_positions():
    ticks = category_ticks(["web", LONG_PREFIX + "-A", LONG_PREFIX + "-B"])

    assert ticks["tickvals"] == [0, 1, 2]
    assert ticks["ticktext"][0] == "web"
    assert ticks["ticktext"][1] == ticks["ticktext"][2] == "spring-sale-" + "x" * 27 + "…"


def test_segment_chart_escapes_markup_values():
    rows = [segment(LINK, 100.0), segment(ITALIC, 90.0), segment(BOLD, 80.0)]

    figure = charts.segment_clv_figure(rows, "<b>campaign</b>")

    text = json.dumps(figure.to_plotly_json(), ensure_ascii=False)
    for tag in MARKUP:
        assert tag not in text, tag
    assert figure.layout.title.text == "CLV by &lt;b&gt;campaign&lt;/b&gt;"
    assert list(figure.layout.yaxis.ticktext)[1] == "&lt;i&gt;ital&lt;/i&gt;&lt;br&gt;line2"
    assert figure.data[0].customdata[0] == '&lt;a href="http://example.com/x"&gt;click me&lt;/a&gt;'


def test_segment_chart_keeps_values_with_same_label_apart():
    rows = [segment(LONG_PREFIX + "-A", 100.0), segment(LONG_PREFIX + "-B", 50.0)]

    figure = charts.segment_clv_figure(rows, "campaign")

    bars = figure.data[0]
    labels = list(figure.layout.yaxis.ticktext)
    assert list(bars.y) == [0, 1]
    assert list(bars.x) == [100.0, 50.0]
    assert len(labels) == 2
    assert all(len(label) == 40 for label in labels)
    assert all(len(hover) == 200 for hover in bars.customdata)
    assert LONG_PREFIX not in json.dumps(figure.to_plotly_json())


def test_segment_chart_leaves_out_unestimable_values():
    rows = [segment("web", 100.0), segment("shop", None), segment("mail", 60.0)]

    figure = charts.segment_clv_figure(rows, "channel")

    assert list(figure.layout.yaxis.ticktext) == ["web", "mail"]
    assert list(figure.data[0].x) == [100.0, 60.0]
