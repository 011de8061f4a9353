"""Pages whose metrics cannot be computed, and URL filters that do not fit the data: the
sidebar filters stay drawn, and messages name the dashboard's controls."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from dashboard_support import latest_complete, metric_values, metrics_of, open_app, problems_on
from streamlit.testing.v1 import AppTest

import dashboard.view
from analytics.errors import InvalidInputError
from analytics.insights import formatting as fmt
from analytics.metrics.options import MetricOptions, validate_options
from dashboard.page_stop import PageStopped, stop_page

ANALYSIS_PAGES = ["overview.py", "retention.py", "clv.py", "narrative.py", "reports.py"]
FILTER_KEYS = ("sidebar_grain", "sidebar_window", "sidebar_from", "sidebar_to", "sidebar_segment")
DASHBOARD_DIR = Path(__file__).resolve().parents[2] / "dashboard"
# The error the metrics engine raises for a From date after the To date: it names
# --from and --to, the command-line options.
REVERSED_RANGE = (
    "The --from date 2025-06-01 is after the --to date 2025-01-01. Give a --from on or before --to."
)


def sidebar_filter_keys(app: AppTest) -> set[str]:
    keys = {widget.key for widget in (*app.sidebar.selectbox, *app.sidebar.date_input)}
    return keys & set(FILTER_KEYS)


@pytest.fixture
def failing_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every metrics computation of the dashboard fail with REVERSED_RANGE."""

    def reject(connection, options):
        raise InvalidInputError(REVERSED_RANGE)

    monkeypatch.setattr(dashboard.view, "compute_metrics", reject)


@pytest.mark.parametrize("page", ANALYSIS_PAGES)
def test_filters_stay_when_metrics_fail(demo_database: Path, failing_metrics, page: str):
    app = open_app({"grain": "day"}, page=page)

    assert not app.exception
    assert sidebar_filter_keys(app) == set(FILTER_KEYS)


def test_metrics_error_names_the_filter(demo_database: Path, failing_metrics):
    app = open_app({"grain": "day"})

    errors = [error.value for error in app.error]
    assert len(errors) == 1
    assert "--from" not in errors[0]
    assert "--to" not in errors[0]
    assert "The From date 2025-06-01 is after the To date 2025-01-01." in errors[0]


def test_changed_filter_clears_metrics_error(
    demo_database: Path, failing_metrics, monkeypatch: pytest.MonkeyPatch
):
    app = open_app({"grain": "day"})
    assert app.error
    monkeypatch.undo()  # the metrics work again, as they do for a valid range

    app.selectbox(key="sidebar_grain").set_value("quarter").run()

    expected = latest_complete(metrics_of(demo_database, grain="quarter", window="auto"))
    assert problems_on(app) == []
    assert metric_values(app)["Active (E)"] == fmt.format_count(expected["E"])
    assert app.query_params["grain"] == "quarter"


def test_dates_outside_data_show_all_dates(demo_database: Path):
    app = open_app({"from": "1990-01-01", "to": "1991-01-01"})

    expected = latest_complete(metrics_of(demo_database, window="auto"))
    notices = [info.value for info in app.info]
    assert problems_on(app) == []
    assert any("1990-01-01 to 1991-01-01 lie outside the data" in text for text in notices)
    assert metric_values(app)["Active (E)"] == fmt.format_count(expected["E"])
    assert "from" not in app.query_params
    assert "to" not in app.query_params
    assert app.date_input(key="sidebar_from").value is None
    assert sidebar_filter_keys(app) == set(FILTER_KEYS)


def test_dates_partly_outside_data_are_cut(demo_database: Path):
    probe = metrics_of(demo_database, window="auto")
    first_day = probe["first_event_date"]

    app = open_app({"from": "1990-01-01", "grain": "quarter"})

    notices = " ".join(info.value for info in app.info)
    assert problems_on(app) == []
    assert f"From 1990-01-01 became {first_day}" in notices
    assert app.query_params["from"] == first_day
    assert app.date_input(key="sidebar_from").value == date.fromisoformat(first_day)


def calls_st_stop(source: str) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "stop"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "st"
        for node in ast.walk(ast.parse(source))
    )


def test_no_page_calls_st_stop():
    # st.stop() leaves a stop request that drops every later element, the filters included.
    offenders = [
        path.relative_to(DASHBOARD_DIR).as_posix()
        for path in sorted(DASHBOARD_DIR.rglob("*.py"))
        if calls_st_stop(path.read_text(encoding="utf-8"))
    ]

    assert offenders == ["shell.py"]  # require_shell() ends the bare run of a page file


def test_stop_page_raises_page_stopped():
    with pytest.raises(PageStopped):
        stop_page()


def test_stand_in_error_matches_engine():
    options = MetricOptions(date_from="2025-06-01", date_to="2025-01-01")

    with pytest.raises(InvalidInputError) as caught:
        validate_options(options)

    assert str(caught.value) == REVERSED_RANGE
