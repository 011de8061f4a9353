"""Session state, created in one place, and its mirror in the URL.

The session contains the canonical filters and the data set shown. The first run of a
session reads them from the URL; every run writes them back, so the address bar always
reproduces the current view (page switches clear the query string, this restores it).
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from analytics.config import Settings
from dashboard.data import DataSet, dataset_from_query, workspace_dataset
from dashboard.filters import (
    DATASET_QUERY_NAME,
    Filters,
    default_filters,
    filters_from_query,
    filters_to_query,
)

SETTINGS_KEY = "settings"  # the settings of the current run, read afresh by every run
FILTERS_KEY = "filters"
DATASET_KEY = "dataset"
NOTICES_KEY = "notices"  # messages about ignored URL parameters, shown once
VIEW_NOTICES_KEY = "view_notices"  # messages about changed filters, shown once on the page
UPLOAD_KEY = "upload"  # the Upload page's preview and last result, see dashboard.pages.upload
# Bumped when code other than the sidebar changes the filters; the sidebar then resets
# its widgets from the filters instead of keeping their old values.
FILTERS_REVISION_KEY = "filters_revision"
SIDEBAR_REVISION_KEY = "sidebar_revision"  # the revision the sidebar widgets show


def init_session(settings: Settings, query_params: Mapping[str, str]) -> None:
    """Create every session key on a session's first run, from the URL where it has them."""
    if FILTERS_KEY in st.session_state:
        return
    defaults = default_filters(settings.grain, settings.window)
    filters, notices = filters_from_query(query_params, defaults)
    dataset, dataset_notice = dataset_from_query(settings, query_params.get(DATASET_QUERY_NAME))
    if dataset_notice:
        notices.append(dataset_notice)
    st.session_state[SETTINGS_KEY] = settings
    st.session_state[FILTERS_KEY] = filters
    st.session_state[DATASET_KEY] = dataset
    st.session_state[NOTICES_KEY] = notices
    st.session_state[VIEW_NOTICES_KEY] = []
    st.session_state[UPLOAD_KEY] = {}
    st.session_state[FILTERS_REVISION_KEY] = 0
    st.session_state[SIDEBAR_REVISION_KEY] = None


def set_run_settings(settings: Settings) -> None:
    st.session_state[SETTINGS_KEY] = settings


def run_settings() -> Settings:
    """Return the settings the app loaded at the start of this run."""
    return st.session_state[SETTINGS_KEY]


def current_filters() -> Filters:
    return st.session_state[FILTERS_KEY]


def set_filters(filters: Filters) -> None:
    """Store the filters the sidebar widgets show."""
    st.session_state[FILTERS_KEY] = filters


def replace_filters(filters: Filters) -> None:
    """Change the filters from outside the sidebar; its widgets follow on the next run."""
    st.session_state[FILTERS_KEY] = filters
    st.session_state[FILTERS_REVISION_KEY] += 1


def sidebar_is_stale() -> bool:
    """Tell whether the sidebar widgets must be reset from the filters."""
    return st.session_state[SIDEBAR_REVISION_KEY] != st.session_state[FILTERS_REVISION_KEY]


def mark_sidebar_current() -> None:
    st.session_state[SIDEBAR_REVISION_KEY] = st.session_state[FILTERS_REVISION_KEY]


def current_dataset() -> DataSet:
    return st.session_state[DATASET_KEY]


def show_dataset(dataset: DataSet) -> None:
    """Make the pages show ``dataset``; a segment chosen on another data set is cleared."""
    if dataset != st.session_state[DATASET_KEY]:
        replace_filters(current_filters().with_changes(segment=None, segment_value=None))
    st.session_state[DATASET_KEY] = dataset


def show_workspace(settings: Settings) -> None:
    show_dataset(workspace_dataset(settings))


def upload_state() -> dict:
    return st.session_state[UPLOAD_KEY]


def take_notices() -> list[str]:
    """Return the pending notices and forget them."""
    notices = st.session_state[NOTICES_KEY]
    st.session_state[NOTICES_KEY] = []
    return notices


def add_view_notice(notice: str) -> None:
    """Queue a message for the top of the next analysis page drawn."""
    st.session_state[VIEW_NOTICES_KEY].append(notice)


def take_view_notices() -> list[str]:
    """Return the messages queued for the page and forget them."""
    notices = st.session_state[VIEW_NOTICES_KEY]
    st.session_state[VIEW_NOTICES_KEY] = []
    return notices


def sync_query_params() -> None:
    """Write the current filters and data set into the URL, when it differs."""
    expected = filters_to_query(current_filters())
    dataset = current_dataset()
    if not dataset.is_workspace:
        expected[DATASET_QUERY_NAME] = dataset.scratch_name
    if dict(st.query_params.to_dict()) != expected:
        st.query_params.from_dict(expected)
