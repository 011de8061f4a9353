"""The view an analysis page renders: the data set, its filters and their metrics.

:func:`load_view` is the one place where a page meets the data: it handles the empty
database and domain errors (message, then :func:`stop_page`), so page code only renders.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import streamlit as st

from analytics.config import Settings
from analytics.errors import GrowthLensError
from analytics.metrics import MetricOptions, compute_metrics, valid_segment_attributes
from analytics.store import connect
from dashboard import state
from dashboard.components.format import md
from dashboard.data import DataSet, DataSummary, DataVersion, read_data_version, read_summary
from dashboard.filters import Filters
from dashboard.messages import dashboard_message
from dashboard.navigation import UPLOAD
from dashboard.page_stop import stop_page
from dashboard.segments import segment_part


@dataclass(frozen=True)
class MetricRequest:
    """The options of one metrics computation, hashable so it can key a cache."""

    grain: str
    window: str
    date_from: date | None
    date_to: date | None
    timezone: str
    gross_margin: float | None
    segment: str | None


@dataclass(frozen=True)
class View:
    """Everything an analysis page shows, computed once per run."""

    settings: Settings
    dataset: DataSet
    version: DataVersion
    filters: Filters
    summary: DataSummary
    metrics: dict  # the whole result, with ``segments`` when a segment attribute is chosen
    shown: dict  # what the pages show: the whole result or the chosen segment value's part

    def segmented_metrics(self, attribute: str) -> dict:
        """Return the metrics of this view's filters split by ``attribute`` (cached)."""
        request = metric_request(self.filters, self.settings, attribute)
        return read_metrics(str(self.dataset.path), self.version, request)

    def segment_attributes(self) -> list[str]:
        return read_segment_attributes(str(self.dataset.path), self.version)

    @property
    def grain(self) -> str:
        return str(self.metrics.get("grain") or self.filters.grain)

    @property
    def currency(self) -> str | None:
        value = self.metrics.get("currency")
        return value if isinstance(value, str) and value else None

    @property
    def scope(self) -> str:
        """Who the figures are about, for captions."""
        if self.filters.segment and self.filters.segment_value is not None:
            return f"{self.filters.segment} = {self.filters.segment_value}"
        return "all customers"


def metric_request(filters: Filters, settings: Settings, segment: str | None) -> MetricRequest:
    return MetricRequest(
        grain=filters.grain,
        window=filters.window,
        date_from=filters.date_from,
        date_to=filters.date_to,
        timezone=settings.reporting_timezone,
        gross_margin=settings.gross_margin,
        segment=segment,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def read_metrics(database: str, version: DataVersion, request: MetricRequest) -> dict:
    """Compute the metrics of one database for one request (cached per data version)."""
    del version  # part of the cache key only
    with connect(Path(database), read_only=True) as connection:
        return compute_metrics(connection, MetricOptions(**asdict(request)))


@st.cache_data(show_spinner=False, max_entries=32)
def read_segment_attributes(database: str, version: DataVersion) -> list[str]:
    """Return the attributes that can split the metrics of one database."""
    del version  # part of the cache key only
    with connect(Path(database), read_only=True) as connection:
        return list(valid_segment_attributes(connection))


def show_empty_state(dataset: DataSet) -> None:
    """Tell the user there is nothing to show yet and where to get data."""
    if dataset.is_workspace:
        st.info(
            "The workspace has no events yet. Add a file on the Upload page, or load the "
            "demo data with `growthlens demo`."
        )
    else:
        st.info("This file loaded no events. Upload another file, or go back to the workspace.")
    st.page_link(UPLOAD.path, label="Go to Upload", icon=":material/upload:")


def load_view(settings: Settings) -> View:
    """Return the current view, or stop the page with a message when there is none."""
    dataset = state.current_dataset()
    filters = state.current_filters()
    try:
        version = read_data_version(dataset.path)
        summary = read_summary(str(dataset.path), version, settings.reporting_timezone)
        if summary.events == 0:
            show_empty_state(dataset)
            stop_page()
        for notice in state.take_view_notices():
            st.info(md(notice), icon=":material/info:")
        request = metric_request(filters, settings, filters.segment)
        metrics = read_metrics(str(dataset.path), version, request)
    except GrowthLensError as error:
        st.error(md(dashboard_message(error)))
        stop_page()

    shown = metrics
    if filters.segment and filters.segment_value is not None:
        part = segment_part(metrics, filters.segment_value)
        if part is None:
            st.warning(
                f"No customers have {md(filters.segment)} = '{md(filters.segment_value)}' with "
                "these filters, so all customers are shown."
            )
        else:
            # The part contains periods, cohorts and CLV. Grain, as-of date and
            # currency stay those of the whole result.
            shown = {key: value for key, value in metrics.items() if key != "segments"} | part
    return View(settings, dataset, version, filters, summary, metrics, shown)
