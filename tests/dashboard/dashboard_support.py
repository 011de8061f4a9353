"""Helpers shared by the dashboard tests: loading data, running the app, reading pages."""

from __future__ import annotations

from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from analytics.config import Settings
from analytics.metrics import MetricOptions, compute_metrics
from analytics.store import connect
from analytics.store.ingest import IngestOptions, IngestResult, ingest_file

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
APP_PATH = REPOSITORY_ROOT / "dashboard" / "app.py"
CASES_DIR = REPOSITORY_ROOT.parent / "shared" / "cases"
CDNOW_FILE = REPOSITORY_ROOT.parent / "shared" / "data" / "cdnow" / "cdnow_transactions.csv"
APP_TIMEOUT_SECONDS = 120  # the first run imports Polars, DuckDB and Plotly


def load_case(name: str, settings: Settings, **options) -> IngestResult:
    """Load one file of the shared cases folder into the settings' database."""
    return ingest_file(CASES_DIR / name, IngestOptions(**options), settings)


def metrics_of(database: Path, **options) -> dict:
    """Compute the metrics of ``database`` as the CLI would, for comparing with a page."""
    with connect(database, read_only=True) as connection:
        return compute_metrics(connection, MetricOptions(**options))


def latest_complete(metrics: dict) -> dict:
    """Return the last period marked complete."""
    return [period for period in metrics["periods"] if period["complete"]][-1]


def snapshot(database: Path) -> dict[str, list[tuple]] | None:
    """Every row of the events and imports tables, sorted; None when there is no file."""
    if not database.exists():
        return None
    connection = duckdb.connect(str(database), read_only=True)
    try:
        connection.execute("SET TimeZone = 'UTC'")
        return {
            table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in ("events", "imports", "rejected_rows")
        }
    finally:
        connection.close()


def open_app(query: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    """Run the app once (optionally with URL query parameters) and switch to ``page``."""
    app = AppTest.from_file(str(APP_PATH), default_timeout=APP_TIMEOUT_SECONDS)
    app.query_params.update(query or {})
    app.run()
    if page is not None:
        app.switch_page(f"pages/{page}").run()
    return app


def problems_on(app: AppTest) -> list[str]:
    """Return every exception and error element the last run drew."""
    return [item.value for item in app.exception] + [item.value for item in app.error]


def metric_values(app: AppTest) -> dict[str, str]:
    """Return each st.metric's label and displayed value."""
    return {metric.label: metric.value for metric in app.metric}


def metric_deltas(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.delta for metric in app.metric}


def texts(app: AppTest) -> str:
    """Return the text of every Markdown, caption, alert and heading, one per line."""
    parts = []
    for elements in (
        app.markdown,
        app.caption,
        app.info,
        app.warning,
        app.success,
        app.error,
        app.title,
        app.subheader,
    ):
        parts.extend(str(element.value) for element in elements)
    for elements in (app.sidebar.info, app.sidebar.warning, app.sidebar.caption):
        parts.extend(str(element.value) for element in elements)
    return "\n".join(parts)


def upload(app: AppTest, file_name: str, content: bytes) -> AppTest:
    """Put a file into the Upload page's uploader and run."""
    app.file_uploader(key="upload_file").upload(file_name, content, "application/octet-stream")
    return app.run()


def load_on_page(app: AppTest, target: str = "workspace") -> AppTest:
    """Press "Add to workspace" or "Analyse on its own" and run (the page then reruns)."""
    key = "upload_add" if target == "workspace" else "upload_analyse"
    return app.button(key=key).click().run()
